// fault.plugin: a memory model from a shared library (models/weight_sram/plugin/lvsim_plugin.h).
// The example plug-in is loaded and run; each broken one is one clear error.
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>

#include "models/weight_sram/fault_models/fault_model.h"
#include "sim/config.h"
#include "sim/run.h"
#include "tests/support/helpers.h"

using namespace lvsim;
using Catch::Matchers::Contains;

namespace {

FaultModelParams plugin(const std::string& path) {
  FaultModelParams params;
  params.plugin_path = path;
  return params;
}

// What a user sees: the configuration refused, or the model's answer at vdd_v.
std::string error_of(const std::string& path, double vdd_v = 0.6) {
  try {
    settings_from(Config::load("", {"fault.plugin=" + path}));
    make_fault_model(plugin(path))->probability(vdd_v);
  } catch (const std::exception& error) {
    return error.what();
  }
  return "";
}

}  // namespace

TEST_CASE("the example plug-in supplies p(V) per mechanism and the circuit", "[plugin]") {
  const auto model = make_fault_model(plugin(LVSIM_EXAMPLE_PLUGIN));
  const double weak = 0.5 * std::erfc((0.6 - 0.40) / (0.05 * std::sqrt(2.0)));
  CHECK(model->weak_cell_fraction(0.6) == Approx(weak));
  CHECK(model->probability(0.6) == Approx(1e-3 * weak));
  CHECK(model->describe() == std::string("plugin example-7nm (") + LVSIM_EXAMPLE_PLUGIN + ")");
  const SramCircuitAt circuit = model->circuit(0.6);
  CHECK(*circuit.access_time_ns == Approx(0.5 * 1.5625));
  CHECK(*circuit.access_energy_pj == Approx(8.0 * 0.64));
  CHECK(*circuit.leakage_mw_per_mib == Approx(2.0 * std::exp(-0.6)));
  CHECK_FALSE(circuit.intermittent_share);
  CHECK_THROWS_WITH(model->probability(1.2), Contains("defined from 0.3 to 1 V"));
}

TEST_CASE("a run with the plug-in takes its faults, access time, energy and leakage",
          "[plugin][end_to_end][data]") {
  const RunResult r =
      run_simulation(settings_from(Config::load(
                         "", {"workload.images=32", "workload.data_dir=" + test::mnist_data_dir(),
                              std::string("fault.plugin=") + LVSIM_EXAMPLE_PLUGIN,
                              "weight_sram.vdd_v=0.6", "weight_sram.mitigation=zero"})),
                     nullptr);
  const double weak = 0.5 * std::erfc((0.6 - 0.40) / (0.05 * std::sqrt(2.0)));
  CHECK(r.weak_cell_fraction == Approx(weak));
  CHECK(r.trials[0].weight_sram.faults.weak_cells > 1000);  // 2.3e-5 of 102 M bits
  CHECK(r.weight_sram_access_time_ns == Approx(0.78125));
  CHECK(r.weight_sram_access_cycles == 1);  // 2 ns clock
  CHECK(r.weight_sram_access_pj == Approx(8.0 * 0.64));
  CHECK(r.weight_sram_leakage_mw == Approx(16.0 * 2.0 * std::exp(-0.6)));  // 16 MiB
  CHECK(r.energy.component_pj("weight_sram_dynamic") ==
        Approx(static_cast<double>(r.weight_sram.words_read) * 8.0 * 0.64));
}

TEST_CASE("a broken plug-in is one line naming the file and what was expected", "[plugin]") {
  auto one_line = [](const std::string& message) {
    CHECK(message.find('\n') == std::string::npos);
    CHECK_THAT(message, Contains("fault.plugin"));
  };
  const std::string missing = error_of("/nonexistent/model.so");
  one_line(missing);
  CHECK_THAT(missing, Contains("/nonexistent/model.so"));
  CHECK_THAT(missing, Contains("models/weight_sram/plugin/lvsim_plugin.h"));

  const test::ScratchDir scratch;
  const std::string text_file = scratch.file("not_a_library.so");
  std::ofstream(text_file) << "not a shared library\n";
  one_line(error_of(text_file));

  const std::string version = error_of(LVSIM_FLAWED_PLUGIN_1);
  one_line(version);
  CHECK_THAT(version, Contains("expected a plug-in of interface version 1, not 2"));

  const std::string symbol = error_of(LVSIM_FLAWED_PLUGIN_2);
  one_line(symbol);
  CHECK_THAT(symbol, Contains("exporting the function lvsim_memory_model"));

  const std::string range = error_of(LVSIM_FLAWED_PLUGIN_3, 0.5);
  one_line(range);
  CHECK_THAT(range, Contains("upset_probability(0.5 V) = 1.5, expected a probability in [0, 1]"));
  CHECK(error_of(LVSIM_FLAWED_PLUGIN_3, 0.6).empty());

  // A function that throws: once its own text alone reached the user.
  const std::string threw = error_of(LVSIM_FLAWED_PLUGIN_4, 0.5);
  one_line(threw);
  CHECK(threw == std::string("fault.plugin ") + LVSIM_FLAWED_PLUGIN_4 +
                     ": upset_probability(0.5 V) threw 'no calibration below 0.55 V'; expected "
                     "it to return a value (a plug-in function must not throw)");
  CHECK(error_of(LVSIM_FLAWED_PLUGIN_4, 0.6).empty());
}

TEST_CASE("a fault table beside a plug-in is refused: the plug-in replaces fault.model",
          "[plugin]") {
  // An unreadable table, which the run never opened and so never complained of.
  const std::string message = [] {
    try {
      settings_from(Config::load(
          "", {"fault.plugin=" LVSIM_EXAMPLE_PLUGIN, "fault.table=/nonexistent/table.csv"}));
    } catch (const std::exception& error) {
      return std::string(error.what());
    }
    return std::string();
  }();
  CHECK(message ==
        "--set: fault.table = '/nonexistent/table.csv': expected empty when fault.plugin is set "
        "(the plug-in replaces fault.model, so the table would never be read: give fault.table "
        "with fault.model = table, or fault.plugin, not both)");
  FaultModelParams params = plugin(LVSIM_EXAMPLE_PLUGIN);
  CHECK_NOTHROW(make_fault_model(params));
  params.table_path = "/nonexistent/table.csv";
  CHECK_THROWS_WITH(make_fault_model(params), Contains("fault.plugin"));
}
