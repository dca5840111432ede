// The run's settings (sim/settings.h): every key declared once with a default
// that reads back as itself, and a model's complaint about a member reaching
// the user in the terms of the key, file and value it came from.
#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "models/common/params.h"
#include "sim/config.h"
#include "sim/settings.h"
#include "tests/support/helpers.h"
#include "workloads/common/error.h"

using namespace lvsim;

TEST_CASE("every key is declared once, and every default reads back as itself", "[params]") {
  std::set<std::string> keys;
  for (const ParamInfo& param : config_params()) {
    INFO(param.key);
    CHECK(keys.insert(param.key).second);
    CHECK(param.key.find('.') != std::string::npos);
    CHECK_FALSE(param.help.empty());
  }
  const RunSettings defaults;
  for (const auto& entry : RunSettings::table().entries()) {
    INFO(entry.info.key);
    if (entry.info.preset.empty()) CHECK(entry.format(defaults) == entry.info.default_text);
    RunSettings parsed;
    entry.parse(parsed, entry.info.default_text);
    CHECK(entry.format(parsed) == entry.format(defaults));
  }
}

TEST_CASE("a model's error about a member names the key, file and value it came from",
          "[params][config]") {
  test::ScratchDir dir;
  const std::string path = dir.file("small.ini");
  std::ofstream(path) << "[weight_sram]\ncapacity_kib = 1\n";
  const Config config = Config::load(path, {"mac_array.rows=8"});
  CHECK_THROWS_WITH(in_config_terms(config,
                                    [] {
                                      invalid(&WeightSramParams::capacity_bytes,
                                              "weight SRAM of 1 KiB", "at least 12497 KiB");
                                    }),
                    path + ": weight_sram.capacity_kib = '1': expected at least 12497 KiB");
  CHECK_THROWS_WITH(
      in_config_terms(config, [] { invalid(&MacArrayParams::rows, "array rows", "a power of 2"); }),
      "--set: mac_array.rows = '8': expected a power of 2");
  // A member no key declares (one the platform derives) keeps the model's words.
  CHECK_THROWS_WITH(
      in_config_terms(
          config,
          [] { invalid(&WeightSramParams::domains, "voltage domains", "disjoint word ranges"); }),
      "voltage domains: expected disjoint word ranges");
  CHECK_THROWS_WITH(in_config_terms(config, [] { throw Error("plain"); }), "plain");
}

TEST_CASE("npy files given for another dataset are refused, not silently ignored",
          "[params][config]") {
  CHECK_THROWS_WITH(settings_from(Config::load("", {"workload.npy_images=x.npy"})),
                    "--set: workload.npy_images = 'x.npy': expected empty unless "
                    "workload.dataset = npy (it is mnist, which never reads "
                    "workload.npy_images or workload.npy_labels)");
  CHECK_THROWS_WITH(
      settings_from(
          Config::load("", {"workload.dataset=fashion-mnist", "workload.npy_labels=y.npy"})),
      Catch::Contains("workload.npy_labels = 'y.npy'") && Catch::Contains("(it is fashion-mnist"));
  const RunSettings npy = settings_from(Config::load(
      "", {"workload.dataset=npy", "workload.npy_images=x.npy", "workload.npy_labels=y.npy"}));
  CHECK(npy.dataset == "npy");
}

TEST_CASE("a fault preset measured at another nominal supply sets sram.vnom_v, unless given",
          "[params][config]") {
  auto nominal = [](std::vector<std::string> overrides) {
    return settings_from(Config::load("", overrides)).accelerator.weight_sram.circuit.vnom_v;
  };
  CHECK(nominal({}) == 0.9);  // ibm-14nm: the energy table's
  CHECK(nominal({"fault.preset=asu-65nm"}) == 1.0);
  CHECK(nominal({"fault.preset=dpcs-45nm"}) == 1.0);
  CHECK(nominal({"fault.preset=seed004"}) == 0.9);
  CHECK(nominal({"fault.preset=asu-65nm", "sram.vnom_v=0.95"}) == 0.95);
  CHECK(nominal({"sram.vnom_v=1.1"}) == 1.1);
}

TEST_CASE("the write supply is empty or a supply, and writes never run below the reads",
          "[params][config]") {
  CHECK_THROWS_WITH(settings_from(Config::load("", {"weight_sram.write_vdd_v=abc"})),
                    "--set: weight_sram.write_vdd_v = 'abc': expected empty (the read supply "
                    "weight_sram.vdd_v), or a supply in volts from 0.01 to 5");
  CHECK_THROWS_WITH(settings_from(Config::load("", {"fault.write_fail_share=2"})),
                    "--set: fault.write_fail_share = '2': expected a number in [0, 1]");
  CHECK(settings_from(Config::load("", {})).accelerator.weight_sram.write_vdd_v == 0.0);
  CHECK(settings_from(Config::load("", {"weight_sram.write_vdd_v=0.95"}))
            .accelerator.weight_sram.write_vdd_v == 0.95);
}
