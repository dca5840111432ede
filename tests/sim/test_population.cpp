// A population's yield (sim/population.h): the Clopper-Pearson interval on
// known counts, and the chips that must all pass to show a yield.
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "sim/config.h"
#include "sim/population.h"
#include "sim/report.h"
#include "tests/support/runs.h"

using namespace lvsim;

TEST_CASE("the yield's interval is Clopper-Pearson's on known counts", "[population]") {
  // 17 of 20: the exact 95 % interval is 0.6211 to 0.9679 (binomial tables).
  const YieldEstimate e = clopper_pearson(17, 20);
  CHECK(e.share == Approx(0.85));
  CHECK(e.low == Approx(0.6211).margin(1e-4));
  CHECK(e.high == Approx(0.9679).margin(1e-4));
  // The ends: none passing, all passing (0.025^(1/10) = 0.6915).
  const YieldEstimate none = clopper_pearson(0, 10), all = clopper_pearson(10, 10);
  CHECK(none.low == 0.0);
  CHECK(none.high == Approx(1.0 - 0.6915).margin(1e-4));
  CHECK(all.high == 1.0);
  CHECK(all.low == Approx(0.6915).margin(1e-4));
  // 1 of 1 says little.
  CHECK(clopper_pearson(1, 1).low == Approx(0.025));
}

TEST_CASE("the chips to show a yield are those whose all passing puts the interval above it",
          "[population]") {
  // 0.025^(1/n) >= 0.95 from n = 72 on.
  CHECK(chips_to_show(0.95) == 72);
  CHECK(clopper_pearson(72, 72).low >= 0.95);
  CHECK(clopper_pearson(71, 71).low < 0.95);
  CHECK(chips_to_show(0.99) == 368);
}

TEST_CASE("a population's chips differ, each reproduces alone, and the report holds the yield",
          "[population][data]") {
  const std::vector<std::string> low = {"weight_sram.vdd_v=0.64", "weight_sram.mitigation=flip",
                                        "fault.chip_seed=11"};
  std::vector<std::string> population_sets = low;
  population_sets.push_back("sim.chips=4");
  const RunResult run = test::small_run(population_sets);
  REQUIRE(run.trials.size() == 4);
  std::set<uint64_t> cells;
  for (const TrialResult& chip : run.trials) cells.insert(chip.weight_sram.faults.weak_cells);
  CHECK(cells.size() > 1);  // different chips, different weak cells
  // Chip 2 is chip seed 13, alone.
  std::vector<std::string> alone_sets = low;
  alone_sets.back() = "fault.chip_seed=13";
  const RunResult alone = test::small_run(alone_sets);
  const TrialResult& row = run.trials[2];
  CHECK(row.chip == 2);
  CHECK(row.chip_seed == 13);
  CHECK(row.predictions == alone.trials[0].predictions);
  CHECK(row.correct == alone.trials[0].correct);
  CHECK(row.weight_sram.faults.weak_cells == alone.trials[0].weight_sram.faults.weak_cells);
  CHECK(row.weight_sram.faults.bit_faults == alone.trials[0].weight_sram.faults.bit_faults);
  // The report: yield, its interval, one row per chip.
  const AccuracyCurve curve = accuracy_curve(run, 16, 0.01);
  const nlohmann::json report = report_json(run, curve, Config::load("", {"sim.chips=4"}));
  const nlohmann::json& accuracy = report["accuracy"];
  const Population p = population(run, curve);
  CHECK(accuracy["yield"].get<double>() == p.yield.share);
  CHECK(accuracy["yield_ci95_low"].get<double>() == p.yield.low);
  CHECK(accuracy["yield_ci95_high"].get<double>() == p.yield.high);
  REQUIRE(accuracy["per_chip"].size() == 4);
  CHECK(accuracy["per_chip"][2]["chip_seed"].get<uint64_t>() == 13);
  CHECK(accuracy["per_chip"][2]["weak_cells"].get<uint64_t>() == row.weight_sram.faults.weak_cells);
  CHECK(accuracy["per_chip"][2]["accuracy"].get<double>() ==
        static_cast<double>(row.correct) / 64.0);
  // The savings' references: the fault-free Vmin between 0.64 V and nominal.
  const nlohmann::json& energy = report["energy"];
  CHECK(energy["fault_free_vmin_v"].get<double>() > 0.64);
  CHECK(energy["fault_free_vmin_v"].get<double>() < 0.9);
  CHECK(energy["saving_guardband_uj"].get<double>() > 0.0);
  CHECK(energy["nominal_uj"].get<double>() == Approx(energy["fault_free_vmin_uj"].get<double>() +
                                                     energy["saving_guardband_uj"].get<double>()));
}
