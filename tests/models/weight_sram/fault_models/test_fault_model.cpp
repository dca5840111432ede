// The fault models behind FaultModel (models/weight_sram/fault_models/): the
// registry, constant, gaussian-vmin, log-linear and relative-vmin against p(V)
// computed by hand, and the table model's interpolation, optional circuit
// columns and malformed files.
#include <catch2/catch.hpp>
#include <cmath>

#include "models/weight_sram/fault_models/fault_model.h"
#include "models/weight_sram/fault_models/fault_presets.h"
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

TEST_CASE("relative-vmin: cell Vmin a normal fraction of the array's", "[fault_model]") {
  FaultModelParams params;
  params.name = "relative-vmin";
  params.vmin_mean_rel = 0.8;
  params.vmin_sigma_rel = 0.05;
  params.array_vmin_v = 0.7;
  const auto model = make_fault_model(params);
  // p(V) = Phi((0.8 - V / 0.7 V) / 0.05): one half at V = 0.8 x 0.7 V.
  CHECK(model->probability(0.56) == Approx(0.5));
  CHECK(model->probability(0.525) == Approx(0.841345).epsilon(1e-4));     // Phi(1)
  CHECK(model->probability(0.595) == Approx(0.158655).epsilon(1e-4));     // 1 - Phi(1)
  CHECK(model->probability(0.665) == Approx(1.349898e-3).epsilon(1e-4));  // 1 - Phi(3)
  // Only V / Vmin matters: half the array Vmin, half the voltage.
  params.array_vmin_v = 0.35;
  CHECK(make_fault_model(params)->probability(0.28) == Approx(0.5));
  params.vmin_sigma_rel = 0.0;
  CHECK_THROWS_WITH(make_fault_model(params), Contains("expected a positive fraction"));
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
  params.table_path = "/dev/zero";  // never ends: refused before a line is read
  CHECK_THROWS_WITH(make_fault_model(params), Contains("/dev/zero") && Contains("not a device"));
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
