// `lvsim optimize` (sim/optimize.h) on a results database whose runs are set
// by hand: the largest refresh interval that keeps the target per group, the
// cheapest run that keeps it, and the Pareto front of energy and accuracy.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "sim/optimize.h"
#include "sim/population.h"
#include "sim/results_db.h"
#include "tests/support/helpers.h"

using namespace lvsim;
using Catch::Matchers::Contains;

namespace {

// The rows of a query, each row's columns joined by '|'.
std::vector<std::string> rows(ResultsDb& db, const std::string& query) {
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db.handle(), query.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  std::vector<std::string> result;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    std::string row;
    for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
      const unsigned char* text = sqlite3_column_text(stmt, c);
      row += (c ? "|" : "") + std::string(text ? reinterpret_cast<const char*>(text) : "NULL");
    }
    result.push_back(row);
  }
  sqlite3_finalize(stmt);
  return result;
}

// A finished run at `vdd` refreshed every `interval` images (0: never), that
// missed the target in `missing` trials.
void add_run(ResultsDb& db, int point, const std::string& vdd, int interval, double energy_uj,
             double accuracy, int missing) {
  const std::string axes = "{\"refresh.interval_images\":\"" + std::to_string(interval) +
                           "\",\"weight_sram.vdd_v\":\"" + vdd + "\"}";
  db.exec(
      "INSERT INTO runs (config_hash, point, axes, status, config, energy_per_inference_uj, "
      "accuracy, trials_missing_target, refresh_interval_images, refresh_interval_us, "
      "refresh_every_us) VALUES ('h" +
      std::to_string(point) + "', " + std::to_string(point) + ", '" + axes + "', 'done', '{}', " +
      std::to_string(energy_uj) + ", " + std::to_string(accuracy) + ", " + std::to_string(missing) +
      ", " + std::to_string(interval) + ", 0, " + std::to_string(2.0 * interval) + ")");
}

}  // namespace

TEST_CASE("optimize: refresh limits, operating point and Pareto front, by hand", "[optimize]") {
  test::ScratchDir dir;
  ResultsDb db(dir.file("sweep.db"));
  std::ostringstream out;
  CHECK_THROWS_WITH(optimize(db, out), Contains("no finished runs"));
  add_run(db, 0, "0.6", 0, 1.5, 0.50, 1);  // cheapest, but misses the target
  add_run(db, 1, "0.6", 100, 2.0, 0.98, 0);
  add_run(db, 2, "0.6", 50, 2.5, 0.985, 0);
  add_run(db, 3, "0.9", 0, 3.0, 0.99, 0);
  add_run(db, 4, "0.9", 100, 3.1, 0.97, 0);  // dearer and less accurate than run 3
  optimize(db, out);
  // At 0.6 V refreshing every 100 images is the longest that keeps the
  // target; at 0.9 V never refreshing keeps it.
  CHECK(rows(db,
             "SELECT grp, config_hash, max_refresh_interval_images FROM refresh_limits "
             "ORDER BY grp") == std::vector<std::string>{"{\"weight_sram.vdd_v\":\"0.6\"}|h1|100",
                                                         "{\"weight_sram.vdd_v\":\"0.9\"}|h3|0"});
  CHECK(rows(db, "SELECT config_hash FROM operating_point") == std::vector<std::string>{"h1"});
  CHECK(rows(db, "SELECT config_hash FROM pareto ORDER BY rank") ==
        std::vector<std::string>{"h0", "h1", "h2", "h3"});
  CHECK_THAT(
      out.str(),
      Contains("2.0 uJ, 98.00 %, point 1: refresh.interval_images=100 weight_sram.vdd_v=0.6"));
  // A second optimize replaces the tables, it does not add to them.
  std::ostringstream again;
  optimize(db, again);
  CHECK(rows(db, "SELECT COUNT(*) FROM pareto") == std::vector<std::string>{"4"});
}

namespace {

// A population's run at `vdd` and age `age` (a condition) with its yield.
void add_population(ResultsDb& db, int point, const std::string& vdd, const std::string& age,
                    double energy_uj, double yield) {
  const std::string axes =
      "{\"chip.age_years\":\"" + age + "\",\"weight_sram.vdd_v\":\"" + vdd + "\"}";
  const YieldEstimate e = clopper_pearson(static_cast<size_t>(yield * 20 + 0.5), 20);
  db.exec(
      "INSERT INTO runs (config_hash, point, axes, status, config, energy_per_inference_uj, "
      "accuracy, trials_missing_target, refresh_interval_images, refresh_interval_us, chips, "
      "yield, yield_ci95_low, yield_ci95_high, target_yield, conditions) VALUES ('p" +
      std::to_string(point) + "', " + std::to_string(point) + ", '" + axes + "', 'done', '{}', " +
      std::to_string(energy_uj) + ", 0.98, 1, 0, 0, 20, " + std::to_string(yield) + ", " +
      std::to_string(e.low) + ", " + std::to_string(e.high) + ", 0.9, '[\"chip.age_years\"]')");
}

}  // namespace

TEST_CASE("optimize: a knob setting must meet the target yield under every condition",
          "[optimize]") {
  test::ScratchDir dir;
  ResultsDb db(dir.file("sweep.db"));
  // 0.60 V holds at age 0 only; 0.62 V at both ages; 0.7 V too, dearer.
  add_population(db, 0, "0.60", "0", 1.0, 0.95);
  add_population(db, 1, "0.60", "10", 1.0, 0.60);
  add_population(db, 2, "0.62", "0", 1.2, 1.00);
  add_population(db, 3, "0.62", "10", 1.25, 0.90);
  add_population(db, 4, "0.70", "0", 2.0, 1.00);
  add_population(db, 5, "0.70", "10", 2.0, 1.00);
  std::ostringstream out;
  optimize(db, out);
  // The operating point is 0.62 V at its worst energy, bound by age 10.
  CHECK(rows(db, "SELECT config_hash, energy_per_inference_uj, binding FROM operating_point") ==
        std::vector<std::string>{"p3|1.25|chip.age_years=10"});
  CHECK(rows(db, "SELECT vdd_v, config_hash FROM lowest_voltage") ==
        std::vector<std::string>{"0.62|p3"});
  CHECK_THAT(out.str(), Contains("Conditions (a choice must hold across them): chip.age_years"));
  CHECK_THAT(out.str(), Contains("binding condition chip.age_years=10: yield 90.0 %"));
  // 20 chips all meeting a 90 % target would show it at 95 % confidence from 36 chips on.
  CHECK_THAT(out.str(), Contains("36 chips all meeting it would show 90 %"));
}
