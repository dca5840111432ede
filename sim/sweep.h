// `lvsim sweep`: every point of the grid a config's [sweep] section spans
//   [sweep]
//   weight_sram.mitigation = flip, sign, zero
//   fault.p = 1e-6, 1e-4, 1e-2           (or a range: 1e-6:1e-2:*100, 0.5:0.9:0.1)
// (the cartesian product, last axis fastest; point n is its index), run like
// `lvsim run` by `jobs` worker processes and stored in a results database
// (sim/results_db.h, <out_dir>/sweep.db by default). Each point is one
// transaction, written by the worker that ran it: a sweep killed at any moment
// loses only the points in flight, and running the same command again skips
// the points already done (by config hash). `shard` K of N runs only the
// points with n mod N = K - 1, so N machines can share a grid; `lvsim merge`
// combines their databases. At the end summary.csv and curves.csv are
// exported next to the database.
//
// `lvsim optimize` reads a database and answers the architect's question
// (sim/optimize.h); `lvsim export` writes its tables as CSV.
#pragma once

#include <string>
#include <vector>

namespace lvsim {

struct SweepOptions {
  std::string config_file;
  std::vector<std::string> overrides;
  bool quiet = false;
  int jobs = 0;  // worker processes; 0 = one per core
  int shard_index = 1;
  int shard_count = 1;
  std::string db_path;  // empty: <out_dir>/sweep.db
};

struct SweepOutcome {
  size_t points = 0;    // in the grid
  size_t selected = 0;  // in this shard
  size_t skipped = 0;   // done by an earlier invocation
  size_t ran = 0;
  size_t failed = 0;
  std::string db_path;
  double wall_seconds = 0.0;
};

SweepOutcome run_sweep(const SweepOptions& options);

// "K/N" -> (K, N); throws naming --shard unless 1 <= K <= N.
std::pair<int, int> parse_shard(const std::string& text);

}  // namespace lvsim
