// The readable summary of a run (sim/summary.cpp, print_summary in
// sim/report.h), on a result whose counts are set by hand.
#include <catch2/catch.hpp>
#include <sstream>
#include <string>

#include "sim/curve.h"
#include "sim/report.h"

using namespace lvsim;
using Catch::Matchers::Contains;

namespace {

// A run of one image, predicted right, with no fault: what a summary needs.
RunResult one_image_run() {
  RunResult r;
  r.images = 1;
  r.labels = {1};
  r.trials.resize(1);
  r.trials[0].predictions = {1};
  r.trials[0].faulty_bits_after_image = {0};
  r.clock_period_ns = 2.0;
  r.energy.images = 1;
  return r;
}

}  // namespace

TEST_CASE("the summary's workload, accuracy and cycle lines, by hand", "[summary]") {
  RunResult r;
  r.network_name = "tiny";
  r.dataset = "mnist";
  r.data_dir = "/data/mnist";
  r.images = 4;
  r.labels = {1, 2, 3, 4};
  r.trials.resize(2);
  r.trials[0].correct = 3;  // accuracies 0.75 and 0.25: 50 % on average
  r.trials[1].correct = 1;
  r.trials[0].predictions = r.trials[1].predictions = {1, 2, 3, 0};
  r.trials[0].faulty_bits_after_image = r.trials[1].faulty_bits_after_image = {0, 0, 0, 0};
  r.clock_period_ns = 2.0;
  r.inference_ns = 8e6;  // 4 images of 1,000,000 cycles of 2 ns: 2 ms each
  r.energy.images = 4;
  const AccuracyCurve curve = accuracy_curve(r, 2, 0.1);
  std::ostringstream out;
  print_summary(out, r, curve, "out/report.json");
  const std::string text = out.str();
  INFO(text);
  CHECK_THAT(text, Contains("workload     tiny on mnist, 4 test images from /data/mnist\n"));
  CHECK_THAT(text, Contains("accuracy     50.00 % (mean of 2 trials)\n"));
  CHECK_THAT(text, Contains("cycles       1,000,000 per inference (2.000 ms, refreshes included)"));
  CHECK_THAT(text, Contains("report       out/report.json\n"));
}

TEST_CASE("the summary counts the weak cells in failing columns only where columns fail",
          "[summary][columns]") {
  RunResult r = one_image_run();
  r.params.weight_sram.mechanisms = {false, true};
  r.weight_sram.faults.weak_cells = 1500;
  r.weight_sram.faults.intermittent_cells = 200;
  r.weight_sram.faults.column_fault_cells = 1024;
  const AccuracyCurve curve = accuracy_curve(r, 1, 0.1);
  const auto summary = [&] {
    std::ostringstream out;
    print_summary(out, r, curve, "out/report.json");
    return out.str();
  };
  CHECK_THAT(summary(), Contains("(1500 cells, 200 intermittent)"));  // as before columns
  r.params.weight_sram.column_fault_share = 0.5;
  r.params.weight_sram.layout.interleave = 4;
  CHECK_THAT(
      summary(),
      Contains("(1500 cells, 200 intermittent, 1024 in failing columns of 2, interleave 4)"));
}

TEST_CASE("the summary's saving line tells a run dearer than nominal from one that saves",
          "[summary]") {
  RunResult r = one_image_run();
  r.references.target_yield = 0.95;
  r.references.weight_bits = 1000;
  r.references.nominal_v = 0.9;
  r.references.nominal_pj = 100e6;  // 100 uJ at nominal,
  r.references.fault_free_vmin_v = 0.75;
  r.references.fault_free_pj = 80e6;  // 80 at the fault-free Vmin: a 20 uJ guardband
  const AccuracyCurve curve = accuracy_curve(r, 1, 0.1);
  const auto summary = [&](double run_uj, double vdd_v) {
    r.params.weight_sram.vdd_v = vdd_v;
    r.energy.terms = {{"mac", "runs", 1.0, run_uj * 1e6}};
    std::ostringstream out;
    print_summary(out, r, curve, "out/report.json");
    return out.str();
  };
  // Above the fault-free Vmin and cheaper than nominal: the guardband it leaves.
  CHECK_THAT(summary(90.0, 0.8), Contains("this run is above it: 10.0 uJ of the 20.0 uJ "
                                          "guardband unused\n"));
  // At nominal with ECC (the references have no mitigation): dearer than nominal.
  const std::string dear = summary(105.0, 0.9);
  CHECK_THAT(dear, Contains("this run is above it and uses 5.0 uJ more than the nominal "
                            "reference (what its mitigation and refreshes add"));
  CHECK_THAT(dear, !Contains("guardband unused"));
  // Below it: the two parts of the saving.
  CHECK_THAT(summary(70.0, 0.7), Contains(": guardband 20.0 uJ, fault tolerance 10.0 uJ\n"));
}
