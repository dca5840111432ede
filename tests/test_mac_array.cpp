#include <catch2/catch.hpp>

#include "models/accelerator.h"
#include "models/mac_array.h"
#include "models/weight_sram.h"

using namespace lvsim;

TEST_CASE("weight-stationary cycles of a small layer, by hand", "[mac_array]") {
  // 4x4 array; GEMM with M = 10 positions, K = 9 depth, N = 6 channels.
  // folds = ceil(9/4) * ceil(6/4) = 3 * 2 = 6; each 2*4 + 4 + 10 - 2 = 20 cycles.
  const FoldTiming t = weight_stationary_timing(4, 4, 10, 9, 6);
  CHECK(t.folds == 6);
  CHECK(t.cycles == 120);
  CHECK(t.macs == 540);
  CHECK(t.utilization == Approx(540.0 / (120 * 16)));
}

TEST_CASE("weight-stationary cycles follow the array shape", "[mac_array]") {
  // A 1x1 array folds once per weight, each fold 2 + 1 + M - 2 = M + 1 cycles.
  CHECK(weight_stationary_timing(1, 1, 5, 3, 2).cycles == 3 * 2 * 6);
  // A layer that fits the array exactly is a single fold.
  CHECK(weight_stationary_timing(8, 8, 100, 8, 8).folds == 1);
  CHECK(weight_stationary_timing(8, 8, 100, 8, 8).cycles == 2 * 8 + 8 + 100 - 2);
  // Seed-004 fc1 (K=3136, N=1000, M=1) on 16x16: 196 * 63 folds of 47 cycles.
  const FoldTiming fc1 = weight_stationary_timing(16, 16, 1, 3136, 1000);
  CHECK(fc1.folds == 196 * 63);
  CHECK(fc1.cycles == 196 * 63 * 47);
  // Doubling the rows halves the folds of a deep layer.
  CHECK(weight_stationary_timing(32, 16, 1, 3136, 1000).folds == 98 * 63);
  // Utilisation never exceeds one.
  for (int r : {1, 3, 16, 64})
    for (int c : {1, 5, 16, 128})
      CHECK(weight_stationary_timing(r, c, 196, 800, 64).utilization <= 1.0);
}

TEST_CASE("weight SRAM burst cycles: latency plus words over banks", "[weight_sram]") {
  fresh_simulation_context();
  WeightSramParams params;
  params.capacity_bytes = 1024;
  params.banks = 4;
  params.access_latency_cycles = 1;
  WeightSram sram("sram", params);
  CHECK(sram.burst_cycles(10) == 1 + 3);
  CHECK(sram.burst_cycles(4) == 1 + 1);
  CHECK(sram.burst_cycles(0) == 1);
}
