// `lvsim bench`: the speed and memory benchmark. It runs the default
// experiment (10,000 MNIST images, fault-free) and prints images/s and peak RSS
// against the project's targets; with --faults it also times seed 004's
// per-word faults with the `zero` mitigation at p = 1e-6 ... 1e-1 and prints
// their cost over the fault-free run. With --sweep it instead times a small
// sweep (12 points, seed 004's grid in miniature) on 1 and on 2 worker processes of one thread each
// and prints points/s and the speed-up (target >= 1.8x). With --mechanisms it
// times the measured-silicon weak-cell model beside upsets at equal fault
// counts (target: weak cells no slower). With --population it times one
// population of --chips chips (1,000 images each, ibm-14nm at 0.64 V, p about
// 1e-4 per cell, `zero`) against the same chips as separate `lvsim run`
// processes (target: the population at least 1.5x faster). It never fails on
// a slow machine.
#pragma once

#include <string>
#include <vector>

namespace lvsim {

struct BenchOptions {
  std::string config_file;
  std::vector<std::string> overrides;
  int repeats = 3;
  bool faults = false;  // also time per-word `zero` runs at p = 1e-6 ... 1e-1
  std::vector<std::string> rates = {"1e-6", "1e-5", "1e-4", "1e-3", "1e-2", "1e-1"};
  bool sweep = false;  // time a sweep on 1 and 2 workers instead
  // Time weak-cell runs (ibm-14nm, `zero`) beside upset runs with as many
  // fault events, at these voltages, instead.
  bool mechanisms = false;
  std::vector<std::string> voltages = {"0.66", "0.64", "0.62", "0.60"};
  // Time a population of `chips` chips beside as many single-chip runs, instead.
  bool population = false;
  int chips = 100;
};

void run_bench(const BenchOptions& options);

}  // namespace lvsim
