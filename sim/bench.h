// `lvsim bench`: the speed and memory benchmark. It runs the default
// experiment (10,000 MNIST images, fault-free) and prints images/s and peak RSS
// against the project's targets; with --faults it also times seed 004's
// per-word faults with the `zero` mitigation at p = 1e-6 ... 1e-1 and prints
// their cost over the fault-free run. It never fails on a slow machine.
#pragma once

#include <string>
#include <vector>

namespace lvsim {

struct BenchOptions {
  std::string config_file;
  std::vector<std::string> overrides;
  int repeats = 3;
  bool faults = false;  // also time per-word `zero` runs at p = 1e-6 ... 1e-1
};

void run_bench(const BenchOptions& options);

}  // namespace lvsim
