// Accuracy over time: the curve seed 004 plots (figures 3-5), from the
// per-image predictions of every trial and the fault-free baseline.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/run.h"

namespace lvsim {

struct Estimate {
  double mean = 0.0;
  double ci95 = 0.0;  // half-width of the 95 % confidence interval of the mean (t-based)
};

struct CurvePoint {
  size_t end_image = 0;            // images processed when the window closes
  Estimate windowed;               // accuracy of the last window_images images
  Estimate cumulative;             // accuracy of all images so far
  double baseline_windowed = 0.0;  // fault-free accuracy of the same window
  Estimate faulty_bits;            // stored bits differing from the golden weights
};

struct AccuracyCurve {
  size_t window_images = 0;
  double target_drop = 0.0;
  std::vector<CurvePoint> points;
  // Per trial: the end of the first window whose accuracy is more than
  // target_drop below the baseline's for that window; 0 if none was.
  std::vector<size_t> images_to_target;
  size_t trials_missing_target() const;
};

AccuracyCurve accuracy_curve(const RunResult& result, size_t window_images, double target_drop);

// Two-sided 95 % Student-t quantile for `dof` degrees of freedom.
double t95(size_t dof);
Estimate estimate(const std::vector<double>& samples);

}  // namespace lvsim
