#include <catch2/catch.hpp>
#include <cmath>

#include "models/weight_sram/fault_models/fault_model.h"
#include "models/weight_sram/fault_models/fault_presets.h"
#include "sim/settings.h"
#include "tests/support/helpers.h"
#include "workloads/common/error.h"

using namespace lvsim;
using Catch::Matchers::Contains;

TEST_CASE("constant, gaussian-vmin and log-linear models", "[fault_model]") {
  FaultModelParams params;
  params.name = "constant";
  params.p = 3e-5;
  CHECK(make_fault_model(params)->probability(0.4) == 3e-5);
  params.p = 1.5;
  CHECK_THROWS_WITH(make_fault_model(params), Contains("expected a probability in [0, 1]"));

  params.name = "gaussian-vmin";
  params.vmin_mean_v = 0.5;
  params.vmin_sigma_v = 0.05;
  const auto gaussian = make_fault_model(params);
  CHECK(gaussian->probability(0.5) == Approx(0.5));
  CHECK(gaussian->probability(0.55) == Approx(0.158655).epsilon(1e-4));     // 1 - Phi(1)
  CHECK(gaussian->probability(0.65) == Approx(1.349898e-3).epsilon(1e-4));  // 1 - Phi(3)
  CHECK(gaussian->probability(0.6) < gaussian->probability(0.55));
  CHECK_THROWS_WITH(gaussian->probability(0.0), Contains("not at 0 V"));
  CHECK_THROWS_WITH(gaussian->probability(-1.0), Contains("defined from 0.001 to 1.5 V"));
  CHECK_THROWS_WITH(gaussian->probability(7.0), Contains("defined from 0.001 to 1.5 V"));
  CHECK_FALSE(gaussian->covers(7.0));
  CHECK(gaussian->covers(0.6));

  // The minerva-40nm preset: p(0.6 V) ~ 1e-4 and p(0.5 V) ~ 1e-2.
  FaultModelParams minerva;
  apply_model_preset(minerva, fault_preset("minerva-40nm"));
  const auto old_default = make_fault_model(minerva);
  CHECK(old_default->probability(0.6) == Approx(1e-4).epsilon(0.1));
  CHECK(old_default->probability(0.5) == Approx(1e-2).epsilon(0.1));
  CHECK(old_default->probability(0.9) < 1e-12);

  params.name = "log-linear";
  params.log10_a = 8.0;
  params.log10_b_per_v = -20.0;
  const auto line = make_fault_model(params);
  CHECK(line->probability(0.5) == Approx(1e-2));
  CHECK(line->probability(0.6) == Approx(1e-4));
  CHECK(line->probability(0.1) == 1.0);  // clamped

  params.name = "weibull";
  CHECK_THROWS_WITH(make_fault_model(params),
                    Contains("fault model 'weibull'") && Contains("gaussian-vmin"));
}

TEST_CASE("table model interpolates in log space and rejects malformed files", "[fault_model]") {
  test::ScratchDir dir;
  FaultModelParams params;
  params.name = "table";
  params.table_path = dir.file("t.csv");
  auto write = [&](const std::string& text) {
    test::write_bytes(params.table_path, std::vector<uint8_t>(text.begin(), text.end()));
  };
  write("vdd_v,p\n# measured\n0.5,1e-2\n0.6,1e-4\n0.7,1e-8\n");
  const auto table = make_fault_model(params);
  CHECK(table->probability(0.5) == Approx(1e-2));
  CHECK(table->probability(0.55) == Approx(1e-3));  // geometric mean of the neighbours
  CHECK(table->probability(0.65) == Approx(1e-6));
  CHECK(table->probability(0.7) == Approx(1e-8));
  CHECK_THROWS_WITH(table->probability(0.45), Contains("0.5 to 0.7 V"));

  write("0.5,1e-2\n0.4,1e-4\n");
  CHECK_THROWS_WITH(make_fault_model(params), Contains("t.csv:2") && Contains("increase"));
  write("0.5,1e-2\n0.6,abc\n");
  CHECK_THROWS_WITH(make_fault_model(params),
                    Contains("t.csv:2") && Contains("'abc' is not a number"));
  write("0.5,1e-2\n0.6,2\n");
  CHECK_THROWS_WITH(make_fault_model(params), Contains("p in (0, 1]"));
  write("0.5,1e-2\n0.9,0\n");
  CHECK_THROWS_WITH(make_fault_model(params),
                    Contains("t.csv:2: p = 0 cannot be interpolated in log10 p"));
  write("0.5,1e-2\ninf,1e-3\n");
  CHECK_THROWS_WITH(make_fault_model(params), Contains("t.csv:2: expected a finite vdd_v > 0"));
  write("0.5,1e-2,7\n0.6,1e-3\n");
  CHECK_THROWS_WITH(make_fault_model(params), Contains("t.csv:1: expected 2 fields, got 3"));
  write("vdd_v,p,latency\n0.5,1e-2,1\n0.6,1e-3,1\n");
  CHECK_THROWS_WITH(make_fault_model(params),
                    Contains("t.csv:1: unknown column 'latency'") && Contains("access_time_ns"));
  write("vdd_v,access_time_ns\n0.5,1\n0.6,1\n");
  CHECK_THROWS_WITH(make_fault_model(params), Contains("must name the columns vdd_v and p"));
  write("vdd_v,p,access_time_ns\n0.5,1e-2,-1\n0.6,1e-3,1\n");
  CHECK_THROWS_WITH(make_fault_model(params), Contains("t.csv:2: expected access_time_ns > 0"));
  write("0.5,1e-2\n");
  CHECK_THROWS_WITH(make_fault_model(params), Contains("at least two rows"));
  params.table_path = dir.file("missing.csv");
  CHECK_THROWS_WITH(make_fault_model(params),
                    Contains("missing.csv") && Contains("a readable CSV file"));
}

TEST_CASE("a fault table's optional columns give the circuit at the voltage", "[fault_model]") {
  test::ScratchDir dir;
  FaultModelParams params;
  params.name = "table";
  params.table_path = dir.file("t.csv");
  const std::string text =
      "vdd_v, p, access_time_ns, access_energy_pj, leakage_mw_per_mib, intermittent_share\n"
      "0.5, 1e-2, 4.0, 10, 0.5, 0.6\n0.7, 1e-6, 2.0, 20, 1.5, 0.2\n";
  test::write_bytes(params.table_path, std::vector<uint8_t>(text.begin(), text.end()));
  const auto table = make_fault_model(params);
  CHECK(table->probability(0.6) == Approx(1e-4));
  const SramCircuitAt at = table->circuit(0.6);  // halfway: linear in V
  CHECK(*at.access_time_ns == Approx(3.0));
  CHECK(*at.access_energy_pj == Approx(15.0));
  CHECK(*at.leakage_mw_per_mib == Approx(1.0));
  CHECK(*at.intermittent_share == Approx(0.4));
  // Only the columns the file has.
  const std::string partial = "p,vdd_v,access_energy_pj\n1e-2,0.5,10\n1e-6,0.7,20\n";
  test::write_bytes(params.table_path, std::vector<uint8_t>(partial.begin(), partial.end()));
  const SramCircuitAt some = make_fault_model(params)->circuit(0.55);
  CHECK(*some.access_energy_pj == Approx(12.5));
  CHECK_FALSE(some.access_time_ns);
  CHECK_FALSE(some.intermittent_share);
}

namespace {

std::unique_ptr<FaultModel> preset_model(const std::string& name) {
  FaultModelParams params;
  apply_model_preset(params, fault_preset(name));
  return make_fault_model(params);
}

void check_within(double model, double published, double factor) {
  INFO("model " << model << ", published " << published);
  CHECK(model <= published * factor);
  CHECK(model >= published / factor);
}

}  // namespace

TEST_CASE("each fault preset reproduces its published points", "[fault_model][presets]") {
  // IBM 14 nm (Chandramoorthy et al. HPCA 2019, values in Stutz et al. MLSys 2021):
  // bit error rate versus V / Vmin, within a factor 1.5.
  const auto ibm = preset_model("ibm-14nm");
  const double vmin = fault_preset("ibm-14nm").array_vmin_v;
  const std::pair<double, double> ibm_points[] = {{0.958, 1.9e-6},  {0.917, 6.9e-5},
                                                  {0.875, 1.29e-3}, {0.833, 1.115e-2},
                                                  {0.792, 5.57e-2}, {0.750, 0.206}};
  for (const auto& [ratio, ber] : ibm_points)
    check_within(ibm->probability(ratio * vmin), ber, 1.5);
  CHECK(ibm->probability(1.0 * vmin) < 1e-7);  // no failing cell at Vmin (of 32 x 4 KB)
  CHECK(ibm->probability(0.9) < 1e-20);        // lvsim's nominal supply

  // 65 nm (Yan et al. TVLSI 2017): the fit goes through both points.
  const auto asu = preset_model("asu-65nm");
  check_within(asu->probability(0.55), 2.3e-3, 1.01);
  check_within(asu->probability(0.50), 1.56e-2, 1.01);

  // 45 nm SPICE (Gottscho et al. DAC 2014): the table exactly, and extended past its ends.
  const auto dpcs = preset_model("dpcs-45nm");
  const std::pair<double, double> dpcs_points[] = {{0.9, 5.2e-9},  {0.8, 2.2e-7}, {0.7, 6.4e-6},
                                                   {0.6, 1.35e-4}, {0.5, 1.9e-3}, {0.4, 1.8e-2}};
  for (const auto& [volts, p] : dpcs_points) CHECK(dpcs->probability(volts) == Approx(p));
  CHECK(dpcs->probability(1.0) < 5.2e-9);  // nominal, beyond the table along its end segment
  CHECK(dpcs->probability(1.0) > 0.0);
  CHECK(dpcs->probability(0.3) > 1.8e-2);

  // seed 004: the rate is the one given.
  FaultModelParams seed;
  apply_model_preset(seed, fault_preset("seed004"));
  seed.p = 3e-4;
  CHECK(make_fault_model(seed)->probability(0.5) == 3e-4);
  CHECK_THROWS_WITH(fault_preset("hbm"), Contains("fault preset 'hbm'") && Contains("ibm-14nm"));
}

TEST_CASE(
    "the default configuration is the measured-silicon weak-cell model, the seed configs "
    "keep seed 004's upsets",
    "[fault_model][presets][config]") {
  const RunSettings defaults = settings_from(Config::load("", {}));
  const WeightSramParams& sram = defaults.accelerator.weight_sram;
  CHECK(sram.fault_preset == "ibm-14nm");
  CHECK(sram.fault_model.name == "relative-vmin");
  CHECK(sram.mechanisms == FaultMechanisms{false, true});
  CHECK(sram.intermittent_share == 0.5);
  const RunSettings seed = settings_from(
      Config::load(std::string(LVSIM_SOURCE_DIR) + "/configs/seed004_fault_curves.ini", {}));
  const WeightSramParams& upsets = seed.accelerator.weight_sram;
  CHECK(upsets.mechanisms == FaultMechanisms{true, false});
  CHECK(upsets.fault_model.name == "constant");
  CHECK(upsets.fault_unit == FaultUnit::kPerWord);
  CHECK(upsets.protect_sign);
  // A key given beside the preset wins over it; an empty one keeps the preset's.
  const RunSettings mixed = settings_from(
      Config::load("", {"fault.preset=asu-65nm", "fault.mechanism=upset", "fault.vmin_mean_v="}));
  CHECK(mixed.accelerator.weight_sram.mechanisms == FaultMechanisms{true, false});
  CHECK(mixed.accelerator.weight_sram.fault_model.vmin_mean_v == Approx(0.3414107));
}
