#include "sim/curve.h"

#include <cmath>

namespace lvsim {

double t95(size_t dof) {
  static const double table[] = {0,     12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365,
                                 2.306, 2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
                                 2.120, 2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069,
                                 2.064, 2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
  if (dof == 0) return 0.0;
  if (dof <= 30) return table[dof];
  return 1.960 + 2.4 / static_cast<double>(dof);  // within 0.002 of the exact value above 30
}

Estimate estimate(const std::vector<double>& samples) {
  Estimate e;
  if (samples.empty()) return e;
  double sum = 0.0;
  for (double s : samples) sum += s;
  e.mean = sum / samples.size();
  if (samples.size() < 2) return e;
  double squares = 0.0;
  for (double s : samples) squares += (s - e.mean) * (s - e.mean);
  const double sd = std::sqrt(squares / (samples.size() - 1));
  e.ci95 = t95(samples.size() - 1) * sd / std::sqrt(static_cast<double>(samples.size()));
  return e;
}

size_t AccuracyCurve::trials_missing_target() const {
  size_t count = 0;
  for (size_t image : images_to_target) count += image > 0;
  return count;
}

AccuracyCurve accuracy_curve(const RunResult& result, size_t window_images, double target_drop) {
  AccuracyCurve curve;
  curve.window_images = window_images;
  curve.target_drop = target_drop;
  const size_t images = result.images;
  const std::vector<uint8_t>& baseline = result.baseline_predictions.empty()
                                             ? result.trials.front().predictions
                                             : result.baseline_predictions;
  curve.images_to_target.assign(result.trials.size(), 0);
  std::vector<uint64_t> cumulative_correct(result.trials.size(), 0);
  for (size_t start = 0; start < images; start += window_images) {
    const size_t end = std::min(images, start + window_images);
    const double size = static_cast<double>(end - start);
    uint64_t baseline_correct = 0;
    for (size_t i = start; i < end; ++i) baseline_correct += baseline[i] == result.labels[i];
    CurvePoint point;
    point.end_image = end;
    point.baseline_windowed = baseline_correct / size;
    std::vector<double> windowed, cumulative, faulty;
    for (size_t t = 0; t < result.trials.size(); ++t) {
      const TrialResult& trial = result.trials[t];
      uint64_t correct = 0;
      for (size_t i = start; i < end; ++i) correct += trial.predictions[i] == result.labels[i];
      cumulative_correct[t] += correct;
      windowed.push_back(correct / size);
      cumulative.push_back(static_cast<double>(cumulative_correct[t]) / end);
      faulty.push_back(static_cast<double>(trial.faulty_bits_after_image[end - 1]));
      if (curve.images_to_target[t] == 0 &&
          windowed.back() < point.baseline_windowed - target_drop - 1e-12)
        curve.images_to_target[t] = end;
    }
    point.windowed = estimate(windowed);
    point.cumulative = estimate(cumulative);
    point.faulty_bits = estimate(faulty);
    curve.points.push_back(point);
  }
  return curve;
}

}  // namespace lvsim
