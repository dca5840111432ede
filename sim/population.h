// A population of chips (sim.chips): each chip's accuracy, weak cells and
// whether it met the target, and across chips the distribution and the
// parametric yield, the share of chips that meet it, with its exact
// (Clopper-Pearson) 95 % interval.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/curve.h"
#include "sim/run.h"

namespace lvsim {

struct ChipRow {
  size_t chip = 0;
  uint64_t chip_seed = 0;
  ChipDraws draws;
  double accuracy = 0.0;  // mean over its trials
  uint64_t weak_cells = 0;
  uint64_t intermittent_cells = 0;
  uint64_t column_fault_cells = 0;  // of weak_cells, in failing columns
  uint64_t silent_word_reads = 0;   // mean over its trials, rounded
  // The earliest end of a window below target over its trials; 0: none was.
  size_t images_to_target = 0;
  bool meets_target = true;  // no window of any of its trials fell below the target
};

// A share estimated from `passing` of `total` with its exact two-sided
// interval: Clopper and Pearson, Biometrika 1934 (beta quantiles).
struct YieldEstimate {
  size_t passing = 0, total = 0;
  double share = 0.0;
  double low = 0.0, high = 1.0;
};
YieldEstimate clopper_pearson(size_t passing, size_t total, double confidence = 0.95);

// Chips that must all pass for the interval's lower end to reach `yield`
// (0.05^(1/n) >= yield at 95 %): how many to test before claiming it.
size_t chips_to_show(double yield, double confidence = 0.95);

struct Population {
  std::vector<ChipRow> chips;
  YieldEstimate yield;
  double accuracy_min = 0.0, accuracy_p5 = 0.0, accuracy_median = 0.0;
};

Population population(const RunResult& result, const AccuracyCurve& curve);

}  // namespace lvsim
