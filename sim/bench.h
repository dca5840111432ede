// `lvsim bench`: the speed and memory benchmark. It runs the default
// experiment (10,000 MNIST images, fault-free) and prints images/s and peak RSS
// against the project's targets; it never fails on a slow machine.
#pragma once

#include <string>
#include <vector>

namespace lvsim {

struct BenchOptions {
  std::string config_file;
  std::vector<std::string> overrides;
  int repeats = 3;
};

void run_bench(const BenchOptions& options);

}  // namespace lvsim
