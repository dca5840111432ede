#include <catch2/catch.hpp>
#include <cmath>

#include "models/fault_model.h"
#include "tests/helpers.h"
#include "workloads/error.h"

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

  // The shipped defaults: p(0.6 V) ~ 1e-4 and p(0.5 V) ~ 1e-2.
  const auto defaults = make_fault_model(FaultModelParams{});
  CHECK(defaults->probability(0.6) == Approx(1e-4).epsilon(0.1));
  CHECK(defaults->probability(0.5) == Approx(1e-2).epsilon(0.1));
  CHECK(defaults->probability(0.9) < 1e-12);

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
  CHECK_THROWS_WITH(make_fault_model(params), Contains("t.csv:2") && Contains("not two numbers"));
  write("0.5,1e-2\n0.6,2\n");
  CHECK_THROWS_WITH(make_fault_model(params), Contains("p in [0, 1]"));
  write("0.5,1e-2,7\n0.6,1e-3\n");
  CHECK_THROWS_WITH(make_fault_model(params), Contains("two fields"));
  write("0.5,1e-2\n");
  CHECK_THROWS_WITH(make_fault_model(params), Contains("at least two rows"));
  params.table_path = dir.file("missing.csv");
  CHECK_THROWS_WITH(make_fault_model(params),
                    Contains("missing.csv") && Contains("a readable CSV file"));
}
