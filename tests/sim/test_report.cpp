// What a run writes (sim/report.h): the accuracy curve as CSV.
#include <catch2/catch.hpp>

#include "sim/report.h"

using namespace lvsim;

TEST_CASE("the accuracy curve as CSV: a header and a row per window", "[report]") {
  AccuracyCurve curve;
  CurvePoint point;
  point.end_image = 100;
  point.windowed = {0.97, 0.01};
  point.cumulative = {0.975, 0.005};
  point.baseline_windowed = 0.98;
  point.faulty_bits = {12.5, 1.5};
  curve.points = {point};
  CHECK(curve_csv(curve) ==
        "end_image,windowed_accuracy,windowed_accuracy_ci95,cumulative_accuracy,"
        "cumulative_accuracy_ci95,baseline_windowed_accuracy,faulty_bits,faulty_bits_ci95\n"
        "100,0.97,0.01,0.975,0.005,0.98,12.5,1.5\n");
}
