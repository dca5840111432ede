// `lvsim sweep`: every point of the grid a config's [sweep] section spans
//   [sweep]
//   weight_sram.mitigation = flip, sign, zero
//   fault.p = 1e-6, 1e-4, 1e-2
// (the cartesian product, last axis fastest), each run like `lvsim run` into
// <out_dir>/points/<n>/, then gathered into <out_dir>/curves.csv (every
// window of every point) and <out_dir>/summary.csv (one row per point).
//
// A point's report.json is written last and atomically, so a killed sweep
// loses only the point in flight; running the same command again skips the
// points already done.
#pragma once

#include <string>
#include <vector>

namespace lvsim {

struct SweepOptions {
  std::string config_file;
  std::vector<std::string> overrides;
  bool quiet = false;
};

void run_sweep(const SweepOptions& options);

}  // namespace lvsim
