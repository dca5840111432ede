// Accuracy over time (sim/curve.h): windowed and cumulative accuracy with
// t-based 95 % intervals over trials, the fault-free reference per window, and
// the first window where each trial fell below it, on predictions set by hand.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "sim/curve.h"

using namespace lvsim;

namespace {

// Four images labelled 1..4 in two trials and the fault-free reference:
//   trial 0 gets images 0 and 1 right, trial 1 images 0 and 2;
//   the reference gets all four right.
RunResult two_trials() {
  RunResult r;
  r.images = 4;
  r.labels = {1, 2, 3, 4};
  r.trials.resize(2);
  r.trials[0].predictions = {1, 2, 0, 0};
  r.trials[0].faulty_bits_after_image = {0, 1, 2, 3};
  r.trials[1].predictions = {1, 0, 3, 0};
  r.trials[1].faulty_bits_after_image = {0, 0, 4, 5};
  r.baseline_predictions = {1, 2, 3, 4};
  return r;
}

}  // namespace

TEST_CASE("Student's t and the estimate of a mean", "[curve]") {
  CHECK(t95(0) == 0.0);
  CHECK(t95(1) == 12.706);
  CHECK(t95(30) == 2.042);
  CHECK(t95(1000) == Approx(1.962).margin(0.002));
  CHECK(estimate({}).mean == 0.0);
  CHECK(estimate({0.25}).mean == 0.25);
  CHECK(estimate({0.25}).ci95 == 0.0);  // one sample: no interval
  // {1, 0.5}: mean 0.75, sd sqrt(0.125), ci = 12.706 sd / sqrt(2) = 12.706 x 0.25.
  const Estimate two = estimate({1.0, 0.5});
  CHECK(two.mean == Approx(0.75));
  CHECK(two.ci95 == Approx(12.706 * 0.25));
}

TEST_CASE("the curve's windows, by hand", "[curve]") {
  const AccuracyCurve curve = accuracy_curve(two_trials(), 2, 0.1);
  REQUIRE(curve.points.size() == 2);
  const CurvePoint& first = curve.points[0];
  CHECK(first.end_image == 2);
  CHECK(first.baseline_windowed == 1.0);
  CHECK(first.windowed.mean == Approx(0.75));  // trials at 1 and 0.5
  CHECK(first.windowed.ci95 == Approx(12.706 * 0.25));
  CHECK(first.cumulative.mean == Approx(0.75));
  CHECK(first.faulty_bits.mean == Approx(0.5));  // after image 1: 1 and 0
  const CurvePoint& second = curve.points[1];
  CHECK(second.end_image == 4);
  CHECK(second.windowed.mean == Approx(0.25));    // trials at 0 and 0.5
  CHECK(second.cumulative.mean == Approx(0.5));   // both 2 of 4
  CHECK(second.cumulative.ci95 == Approx(0.0));   // equal samples
  CHECK(second.faulty_bits.mean == Approx(4.0));  // after image 3: 3 and 5
  // Trial 1 fell more than 0.1 below the reference in the first window,
  // trial 0 in the second.
  CHECK(curve.images_to_target == std::vector<size_t>{4, 2});
  CHECK(curve.trials_missing_target() == 2);

  // A last window shorter than the others ends at the last image.
  const AccuracyCurve threes = accuracy_curve(two_trials(), 3, 0.1);
  REQUIRE(threes.points.size() == 2);
  CHECK(threes.points[0].end_image == 3);
  CHECK(threes.points[1].end_image == 4);
  CHECK(threes.points[1].windowed.mean == 0.0);  // image 3 wrong in both trials

  // Without a fault-free run, trial 0 is the reference: only trial 1 falls below it.
  RunResult own_reference = two_trials();
  own_reference.baseline_predictions.clear();
  const AccuracyCurve own = accuracy_curve(own_reference, 2, 0.1);
  CHECK(own.points[1].baseline_windowed == 0.0);
  CHECK(own.images_to_target == std::vector<size_t>{0, 2});
  CHECK(own.trials_missing_target() == 1);
}
