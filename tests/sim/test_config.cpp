// The configuration (sim/config.h): an override beats the file, bad input
// names its source and key, and a [sweep] section's axes take lists and ranges.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "sim/config.h"
#include "sim/settings.h"
#include "tests/support/helpers.h"
#include "workloads/common/error.h"
#include "workloads/common/read_file.h"

using namespace lvsim;
using Catch::Matchers::Contains;

TEST_CASE("a --set override beats the file, and bad input names its source and key", "[config]") {
  test::ScratchDir dir;
  const std::string path = dir.file("a.ini");
  {
    std::ofstream out(path);
    out << "[mac_array]\nrows = 32\n[workload]\nimages = 500\n";
  }
  const Config config = Config::load(path, {"workload.images=7"});
  CHECK(config.get("mac_array.rows") == "32");
  CHECK(config.source("mac_array.rows") == path);
  const RunSettings settings = settings_from(config);
  CHECK(settings.images == 7);
  CHECK(settings.accelerator.mac_array.rows == 32);
  CHECK(settings.accelerator.mac_array.cols == 16);

  {
    std::ofstream out(path);
    out << "[mac_array]\nrowz = 32\n";
  }
  CHECK_THROWS_WITH(Config::load(path, {}), Contains(path) && Contains("mac_array.rowz"));
  CHECK_THROWS_WITH(Config::load(dir.file("none.ini"), {}), Contains("cannot open"));
  CHECK_THROWS_WITH(
      Config::load(dir.path().string(), {}),
      Contains(dir.path().string()) && Contains("is a directory, expected an INI config file"));
  CHECK_THROWS_WITH(Config::load("/dev/zero", {}),
                    Contains("/dev/zero: is a device, expected an INI config file"));
  {
    std::ofstream out(path);
    out << "[workload]\nimages = 10\n[mac_array]\nrows = 8\n[workload]\nimages = 20\n";
  }
  CHECK_THROWS_WITH(Config::load(path, {}),
                    Contains(path) && Contains("workload.images is given twice"));
  {
    std::ofstream out(path);
    out << "[sweep]\nfault.p = 0, 1e-5\nfault.p = 1e-4\n";
  }
  CHECK_THROWS_WITH(Config::load(path, {}), Contains("sweep.fault.p is given twice"));
  CHECK_THROWS_WITH(Config::load("", {"mac_array.rows"}), Contains("expected section.key=value"));

  auto bad = [](const std::string& assignment, const std::string& message) {
    INFO(assignment);
    CHECK_THROWS_WITH(settings_from(Config::load("", {assignment})),
                      Contains("--set") && Contains(message));
  };
  bad("mac_array.rows=0", "mac_array.rows = '0': expected an integer in [1, 4096]");
  bad("mac_array.rows=4x", "expected an integer");
  bad("workload.images=10001", "workload.images");
  bad("accelerator.clock_mhz=-5", "accelerator.clock_mhz");
  bad("accelerator.clock_mhz=nan", "accelerator.clock_mhz");
  bad("weight_sram.vdd_v=inf", "weight_sram.vdd_v = 'inf': expected a number in [0.01, 5]");
  bad("weight_sram.vdd_v=nan", "weight_sram.vdd_v = 'nan': expected a number in [0.01, 5]");
  bad("dram.preset=hbm", "one of lpddr4-3200 ddr4-2400");
  bad("mac_array.dataflow=rs", "mac_array.dataflow = 'rs': expected one of ws os is");
  bad("mac_array.batch=3",
      "mac_array.batch = '3': expected a divisor of the controller's images per stage (256)");
  bad("weight_sram.vdd_v=0.25",
      "weight_sram.vdd_v = '0.25': expected a voltage above the access-time model's threshold "
      "voltage 0.3 V");
  bad("sram.vt_v=0.95", "sram.vt_v = '0.95': expected a threshold below the nominal supply 0.9 V");
  bad("sram.alpha=2.5", "sram.alpha");
  bad("weight_sram.ports=0", "weight_sram.ports");
  bad("dram.pj_per_bit=-1", "dram.pj_per_bit");
  bad("energy.tech_scale=0", "energy.tech_scale");
  bad("dma.burst_bytes=6", "multiple of 4");
  bad("workload.dataset=cifar10", "one of mnist fashion-mnist");
  // A population and its chips' condition (issue 25).
  bad("sim.chips=0", "sim.chips = '0': expected an integer in [1, 100000]");
  bad("chip.age_years=-1", "chip.age_years = '-1': expected a number in [0, 50]");
  bad("chip.temperature_c=150", "chip.temperature_c = '150': expected a number in [-40, 125]");
  bad("chip.temperature_c=-55", "chip.temperature_c");
  bad("weight_sram.bist_at=never", "weight_sram.bist_at = 'never': expected one of power-up");
  bad("report.target_yield=1", "report.target_yield");
  // Failing columns and the array's layout (issue 27).
  bad("weight_sram.interleave=3", "weight_sram.interleave = '3': expected one of 1 2 4 8 16");
  bad("weight_sram.subarray_rows=0",
      "weight_sram.subarray_rows = '0': expected an integer in [1, 1048576]");
  bad("fault.column_fault_share=1.5",
      "fault.column_fault_share = '1.5': expected a number in [0, 1]");
  bad("fault.column_width=17", "fault.column_width = '17': expected an integer in [1, 16]");
}

TEST_CASE("a conditions section sweeps keys a choice must hold across", "[config][sweep]") {
  test::ScratchDir dir;
  const std::string path = dir.file("c.ini");
  {
    std::ofstream out(path);
    out << "[sweep]\nweight_sram.vdd_v = 0.6, 0.7\n[conditions]\nfault.p = 1e-6, 1e-4\n";
  }
  const Config config = Config::load(path, {});
  REQUIRE(config.sweep_axes().size() == 2);
  CHECK(config.sweep_axes()[1].first == "fault.p");
  CHECK(config.is_condition("fault.p"));
  CHECK_FALSE(config.is_condition("weight_sram.vdd_v"));
  // The chip, its age and its temperature are conditions always.
  CHECK(config.is_condition("chip.age_years"));
  CHECK(config.is_condition("fault.chip_seed"));
  {
    std::ofstream out(path);
    out << "[sweep]\nfault.p = 0, 1e-5\n[conditions]\nfault.p = 1e-4\n";
  }
  CHECK_THROWS_WITH(Config::load(path, {}), Contains("fault.p is swept twice"));
  // A key named like the section, outside any section (the fuzzer's find).
  {
    std::ofstream out(path);
    out << "conditions = 1\n";
  }
  CHECK_THROWS_WITH(Config::load(path, {}), Contains("unrecognised option 'conditions'"));
  // Axes of about 1,000 values each: refused once their product passes the cap.
  {
    std::ofstream out(path);
    out << "[sweep]\nweight_sram.vdd_v = 0.5:0.999:0.0005\nfault.p = 0:0.999:0.001\n"
           "[conditions]\nchip.age_years = 0:9.99:0.01\n";
  }
  CHECK_THROWS_WITH(Config::load(path, {}),
                    Contains("sweep.fault.p makes the grid 999000 points") &&
                        Contains("expected at most 100000 points"));
}

TEST_CASE("sweep axes take lists and ranges", "[config][sweep]") {
  CHECK(expand_range("0.5:0.9:0.1", "x") ==
        std::vector<std::string>{"0.5", "0.6", "0.7", "0.8", "0.9"});
  CHECK(expand_range("0:1000:500", "x") == std::vector<std::string>{"0", "500", "1000"});
  CHECK(expand_range("1e-6:1e-2:*10", "x") ==
        std::vector<std::string>{"1e-06", "1e-05", "0.0001", "0.001", "0.01"});
  CHECK(expand_range("0.9:0.6:-0.15", "x") == std::vector<std::string>{"0.9", "0.75", "0.6"});
  for (const char* bad : {"1:2", "1:2:0", "2:1:0.5", "a:2:1", "1:2:*1", "0:1:*10", "1:2:3:4"})
    CHECK_THROWS_WITH(expand_range(bad, "grid.ini: sweep.fault.p"),
                      Contains("grid.ini: sweep.fault.p") && Contains("start:stop:step"));
  test::ScratchDir dir;
  const std::string path = dir.file("grid.ini");
  std::ofstream(path)
      << "[sweep]\nweight_sram.vdd_v = 0.9, 0.5:0.6:0.05\nfault.p = 1e-4:1e-2:*10\n";
  const Config config = Config::load(path, {});
  REQUIRE(config.sweep_axes().size() == 2);
  CHECK(config.sweep_axes()[0].second == std::vector<std::string>{"0.9", "0.5", "0.55", "0.6"});
  CHECK(config.sweep_axes()[1].second == std::vector<std::string>{"0.0001", "0.001", "0.01"});
}

TEST_CASE("a config file's byte-order mark is skipped, a control byte refused by its line",
          "[config]") {
  test::ScratchDir dir;
  const std::string path = dir.file("editor.ini");
  {
    std::ofstream out(path, std::ios::binary);
    out << "\xEF\xBB\xBF[weight_sram]\nvdd_v = 0.6\n";  // as Windows editors save UTF-8
  }
  CHECK(Config::load(path, {}).get("weight_sram.vdd_v") == "0.6");
  CHECK(Config::load(path, {}).source("weight_sram.vdd_v") == path);
  {
    std::ofstream out(path, std::ios::binary);
    out << "[mac_array]\nro" << '\0' << "ws = 4\n";
  }
  // The whole message, past the NUL that once ended it.
  CHECK_THROWS_WITH(Config::load(path, {}),
                    path +
                        ":2: control character \\x00 in 'ro\\x00ws = 4'; expected a text INI file "
                        "of [section] and key = value lines");
  {
    std::ofstream out(path, std::ios::binary);
    out << "[mac_array]\nrows = 4\n# \x1b[2J\n";
  }
  CHECK_THROWS_WITH(Config::load(path, {}),
                    Contains(path + ":3: control character \\x1b in '# \\x1b[2J'"));
  // Tabs and Windows line ends are text.
  {
    std::ofstream out(path, std::ios::binary);
    out << "[mac_array]\r\nrows =\t8\r\n";
  }
  CHECK(settings_from(Config::load(path, {})).accelerator.mac_array.rows == 8);
}

TEST_CASE("a swept value out of range names the file and its sweep key, not --set",
          "[config][sweep]") {
  test::ScratchDir dir;
  const std::string path = dir.file("grid.ini");
  {
    std::ofstream out(path);
    out << "[sweep]\nfault.p = 0, 2\n[conditions]\nchip.temperature_c = 25, 150\n";
  }
  const Config base = Config::load(path, {"workload.images=16"});
  const Config good = base.at_point({{"fault.p", "0"}, {"chip.temperature_c", "25"}});
  CHECK(good.get("fault.p") == "0");
  CHECK(good.source("fault.p") == path);
  CHECK(good.get("workload.images") == "16");
  CHECK_NOTHROW(settings_from(good));
  CHECK_THROWS_WITH(settings_from(base.at_point({{"fault.p", "2"}, {"chip.temperature_c", "25"}})),
                    path + ": sweep.fault.p = '2': expected a number in [0, 1]");
  CHECK_THROWS_WITH(
      settings_from(base.at_point({{"fault.p", "0"}, {"chip.temperature_c", "150"}})),
      path + ": conditions.chip.temperature_c = '150': expected a number in [-40, 125]");
}

TEST_CASE("a path key through a link loop is left to its reader, which names it", "[config]") {
  test::ScratchDir dir;
  const std::string loop = dir.file("loop");
  std::filesystem::create_symlink(loop, loop);
  // Once resolving the path threw std::filesystem's own text.
  const RunSettings settings = settings_from(Config::load("", {"workload.network=" + loop}));
  CHECK(settings.network_path == loop);
  CHECK_THROWS_WITH(read_regular_file(loop, "weights file"),
                    loop + ": cannot open the weights file (Too many levels of symbolic links)");
  CHECK_THROWS_WITH(Config::load(loop, {}),
                    loop + ": cannot open config file (Too many levels of symbolic links)");
}
