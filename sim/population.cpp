#include "sim/population.h"

#include <algorithm>
#include <boost/math/special_functions/beta.hpp>
#include <cmath>

namespace lvsim {

YieldEstimate clopper_pearson(size_t passing, size_t total, double confidence) {
  YieldEstimate e;
  e.passing = passing;
  e.total = total;
  if (total == 0) return e;
  const double alpha = 1.0 - confidence;
  const auto k = static_cast<double>(passing), n = static_cast<double>(total);
  e.share = k / n;
  e.low = passing == 0 ? 0.0 : boost::math::ibeta_inv(k, n - k + 1.0, alpha / 2.0);
  e.high = passing == total ? 1.0 : boost::math::ibeta_inv(k + 1.0, n - k, 1.0 - alpha / 2.0);
  return e;
}

size_t chips_to_show(double yield, double confidence) {
  if (!(yield > 0.0 && yield < 1.0)) return 0;
  // All n pass: the lower end is ((1 - confidence) / 2)^(1/n).
  const double n = std::log((1.0 - confidence) / 2.0) / std::log(yield);
  return static_cast<size_t>(std::ceil(n - 1e-9));
}

namespace {

// The q-quantile of sorted values (linear between order statistics).
double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0.0;
  const double at = q * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<size_t>(std::floor(at));
  const size_t above = std::min(below + 1, sorted.size() - 1);
  return sorted[below] + (at - static_cast<double>(below)) * (sorted[above] - sorted[below]);
}

}  // namespace

Population population(const RunResult& result, const AccuracyCurve& curve) {
  Population p;
  p.chips.resize(static_cast<size_t>(std::max(result.chips, 1)));
  std::vector<size_t> runs(p.chips.size(), 0);
  std::vector<double> silent(p.chips.size(), 0.0);
  for (size_t t = 0; t < result.trials.size(); ++t) {
    const TrialResult& trial = result.trials[t];
    ChipRow& row = p.chips[trial.chip];
    row.chip = trial.chip;
    row.chip_seed = trial.chip_seed;
    row.draws = trial.chip_draws;
    row.weak_cells = trial.weight_sram.faults.weak_cells;
    row.intermittent_cells = trial.weight_sram.faults.intermittent_cells;
    row.column_fault_cells = trial.weight_sram.faults.column_fault_cells;
    row.accuracy += static_cast<double>(trial.correct) / static_cast<double>(result.images);
    silent[trial.chip] += static_cast<double>(trial.weight_sram.faults.silent_word_reads);
    ++runs[trial.chip];
    const size_t missed = curve.images_to_target[t];
    if (missed > 0) {
      row.meets_target = false;
      row.images_to_target =
          row.images_to_target == 0 ? missed : std::min(row.images_to_target, missed);
    }
  }
  std::vector<double> accuracies;
  size_t passing = 0;
  for (size_t c = 0; c < p.chips.size(); ++c) {
    ChipRow& row = p.chips[c];
    if (runs[c] > 0) {
      row.accuracy /= static_cast<double>(runs[c]);
      row.silent_word_reads = static_cast<uint64_t>(std::llround(silent[c] / runs[c]));
    }
    accuracies.push_back(row.accuracy);
    passing += row.meets_target;
  }
  std::sort(accuracies.begin(), accuracies.end());
  p.accuracy_min = accuracies.front();
  p.accuracy_p5 = quantile(accuracies, 0.05);
  p.accuracy_median = quantile(accuracies, 0.5);
  p.yield = clopper_pearson(passing, p.chips.size());
  return p;
}

}  // namespace lvsim
