// Cycle formulas of the MAC array's dataflows and the weight SRAM's bursts,
// checked against values computed by hand.
#include <catch2/catch.hpp>
#include <cmath>
#include <tuple>
#include <vector>

#include "models/accelerator.h"
#include "models/array/mac_array.h"
#include "models/weight_sram/weight_sram.h"

using namespace lvsim;
using Catch::Matchers::Contains;

namespace {

constexpr Dataflow kWs = Dataflow::kWeightStationary;
constexpr Dataflow kOs = Dataflow::kOutputStationary;
constexpr Dataflow kIs = Dataflow::kInputStationary;

}  // namespace

TEST_CASE("each dataflow's cycles and reads of a small layer, by hand", "[mac_array]") {
  // 4x4 array; GEMM with M = 10 positions, K = 9 depth, N = 6 channels.
  SECTION("weight-stationary: Sr = K = 9, Sc = N = 6, T = M = 10") {
    // folds = ceil(9/4) * ceil(6/4) = 3 * 2 = 6; each 2*4 + 4 + 10 - 2 = 20 cycles.
    const FoldTiming t = dataflow_timing(kWs, 4, 4, 10, 9, 6);
    CHECK(t.folds == 6);
    CHECK(t.cycles == 120);
    CHECK(t.macs == 540);
    CHECK(t.utilization == Approx(540.0 / (120 * 16)));
    CHECK(t.reads_per_weight == 1);
    CHECK(t.input_words == 10 * 9 * 2);  // once per column fold of filters
    CHECK(t.output_words == 60);
  }
  SECTION("output-stationary: Sr = M = 10, Sc = N = 6, T = K = 9") {
    // folds = ceil(10/4) * ceil(6/4) = 3 * 2 = 6; each 8 + 4 + 9 - 2 = 19 cycles.
    const FoldTiming t = dataflow_timing(kOs, 4, 4, 10, 9, 6);
    CHECK(t.folds == 6);
    CHECK(t.cycles == 114);
    CHECK(t.macs == 540);
    CHECK(t.reads_per_weight == 3);  // the weights stream past each of 3 row folds
    CHECK(t.input_words == 10 * 9 * 2);
    CHECK(t.output_words == 60);
  }
  SECTION("input-stationary: Sr = K = 9, Sc = M = 10, T = N = 6") {
    // folds = ceil(9/4) * ceil(10/4) = 3 * 3 = 9; each 8 + 4 + 6 - 2 = 16 cycles.
    const FoldTiming t = dataflow_timing(kIs, 4, 4, 10, 9, 6);
    CHECK(t.folds == 9);
    CHECK(t.cycles == 144);
    CHECK(t.reads_per_weight == 3);  // the weights stream past each of 3 column folds
    CHECK(t.input_words == 90);      // inputs held, read once
    CHECK(t.output_words == 60);
  }
}

TEST_CASE("dataflow cycles follow the array shape and the batch as the formulas say",
          "[mac_array]") {
  // A 1x1 weight-stationary array folds once per weight, each fold 2 + 1 + M - 2 = M + 1 cycles.
  CHECK(dataflow_timing(kWs, 1, 1, 5, 3, 2).cycles == 3 * 2 * 6);
  // A layer that fits the array exactly is a single fold.
  CHECK(dataflow_timing(kWs, 8, 8, 100, 8, 8).folds == 1);
  CHECK(dataflow_timing(kWs, 8, 8, 100, 8, 8).cycles == 2 * 8 + 8 + 100 - 2);
  // Seed-004 fc1 (K=3136, N=1000, M=1) on 16x16: ws has 196 * 63 folds of 47 cycles;
  // os maps the single position to one row, 63 folds each streaming K = 3136.
  CHECK(dataflow_timing(kWs, 16, 16, 1, 3136, 1000).cycles == 196 * 63 * 47);
  CHECK(dataflow_timing(kOs, 16, 16, 1, 3136, 1000).cycles == 63 * (32 + 16 + 3136 - 2));
  CHECK(dataflow_timing(kIs, 16, 16, 1, 3136, 1000).cycles == 196 * (32 + 16 + 1000 - 2));
  // Doubling the rows halves the folds of a deep layer (ws, is) or of many positions (os).
  CHECK(dataflow_timing(kWs, 32, 16, 1, 3136, 1000).folds == 98 * 63);
  CHECK(dataflow_timing(kIs, 32, 16, 1, 3136, 1000).folds == 98);
  CHECK(dataflow_timing(kOs, 32, 16, 784, 25, 32).folds == 25 * 2);
  CHECK(dataflow_timing(kOs, 32, 16, 784, 25, 32).reads_per_weight == 25);
  CHECK(dataflow_timing(kIs, 16, 32, 784, 25, 32).reads_per_weight == 25);
  // A weight-stationary batch of 8 pays the fill and drain of each fold once.
  const FoldTiming one = dataflow_timing(kWs, 16, 16, 1, 3136, 1000);
  const FoldTiming eight = dataflow_timing(kWs, 16, 16, 8, 3136, 1000);
  CHECK(eight.cycles == 196 * 63 * (32 + 16 + 8 - 2));
  CHECK(eight.cycles < 8 * one.cycles);
  CHECK(eight.reads_per_weight == 1);
  // Utilisation never exceeds one.
  for (Dataflow dataflow : {kWs, kOs, kIs})
    for (int r : {1, 3, 16, 64})
      for (int c : {1, 5, 16, 128})
        CHECK(dataflow_timing(dataflow, r, c, 196, 800, 64).utilization <= 1.0);
}

namespace {

// One output-stationary fold simulated cycle by cycle on an R x C array: row i
// gets its operand stream i cycles late, column j its weights j cycles late,
// operands move one PE per cycle, so PE (i, j) does its t-th MAC at cycle
// t + i + j. Then the outputs leave one of two ways:
//  - column drain (the array lvsim models): once a column's last PE is done,
//    its accumulators shift down one row per cycle, one output leaving per
//    cycle at the bottom;
//  - own port (what SCALE-Sim v2's output-stationary demand matrices assume):
//    each PE writes its output the cycle after its last MAC.
// Returns the fold's cycles: the cycle after the last output left.
uint64_t os_fold_by_cycles(int rows, int cols, int t, bool column_drain) {
  std::vector<std::vector<int>> done_macs(rows, std::vector<int>(cols, 0));
  std::vector<int> column_done(cols, -1), left(cols, 0);  // cycle the column's MACs ended
  uint64_t last = 0;
  for (int cycle = 0; cycle < 4 * (rows + cols + t); ++cycle) {
    for (int i = 0; i < rows; ++i)
      for (int j = 0; j < cols; ++j) {
        const int mac = cycle - i - j;  // the operand pair arriving at PE (i, j) now
        if (mac < 0 || mac >= t) continue;
        done_macs[i][j] += 1;
        if (done_macs[i][j] == t && !column_drain) last = std::max<uint64_t>(last, cycle + 1);
      }
    if (!column_drain) continue;
    for (int j = 0; j < cols; ++j) {
      bool all = true;
      for (int i = 0; i < rows; ++i) all = all && done_macs[i][j] == t;
      if (all && column_done[j] < 0) {
        column_done[j] = cycle;
        continue;  // the shift starts the next cycle
      }
      if (column_done[j] >= 0 && left[j] < rows) {
        left[j] += 1;  // the bottom output leaves, the others move down
        last = std::max<uint64_t>(last, cycle + 1);
      }
    }
  }
  return last;
}

}  // namespace

TEST_CASE("output-stationary fold cost: lvsim's column drain versus SCALE-Sim v2",
          "[mac_array][os]") {
  for (const auto& [r, c, t] : {std::tuple{4, 4, 9}, {4, 2, 25}, {16, 16, 25}, {3, 5, 1}}) {
    INFO(r << "x" << c << " array, T = " << t);
    // What the array lvsim models takes SCALE-Sim's (v1) 2R + C + T - 2 ...
    CHECK(os_fold_by_cycles(r, c, t, true) == static_cast<uint64_t>(2 * r + c + t - 2));
    // ... and SCALE-Sim v2's R + C + T - 2 is an array whose PEs write their
    // outputs directly: R cycles per fold less.
    CHECK(os_fold_by_cycles(r, c, t, false) == static_cast<uint64_t>(r + c + t - 2));
  }
  // conv1 of the seed-004 CNN on a 16x16 array: 576 output positions, 25 taps,
  // 32 channels. 36 x 2 folds of 71 cycles in lvsim, of 55 in SCALE-Sim v2
  // (lvsim +29 %); the fully-connected layers (one position, T in the
  // thousands) differ by 16 cycles per fold, a fraction of a percent.
  const FoldTiming conv1 = dataflow_timing(kOs, 16, 16, 576, 25, 32);
  CHECK(conv1.folds == 72);
  CHECK(conv1.cycles == 72 * os_fold_by_cycles(16, 16, 25, true));
  CHECK(conv1.cycles - 72 * os_fold_by_cycles(16, 16, 25, false) == 72 * 16);
}

TEST_CASE("dataflow names read back as the dataflows they name", "[mac_array]") {
  const auto* declaration = MacArrayParams::table().find("mac_array.dataflow");
  REQUIRE(declaration != nullptr);
  for (Dataflow dataflow : {kWs, kOs, kIs}) {
    MacArrayParams params;
    declaration->parse(params, dataflow_name(dataflow));
    CHECK(params.dataflow == dataflow);
  }
  MacArrayParams params;
  CHECK_THROWS_WITH(declaration->parse(params, "rs"), Contains("expected one of ws os is"));
}

TEST_CASE("weight SRAM bursts: latency plus words over banks, wait cycles at low voltage",
          "[weight_sram]") {
  WeightSramParams params;
  params.capacity_bytes = 1024;
  params.banks = 4;
  SECTION("nominal voltage: one cycle per access") {
    fresh_simulation_context();
    WeightSram sram("sram", params);
    CHECK(sram.access_cycles() == 1);
    CHECK(sram.burst_cycles(10) == 1 + 3);
    CHECK(sram.burst_cycles(4) == 1 + 1);
    CHECK(sram.burst_cycles(0) == 1);
  }
  SECTION("two ports per bank double the words per access") {
    params.ports = 2;
    fresh_simulation_context();
    WeightSram sram("sram", params);
    CHECK(sram.burst_cycles(10) == 1 + 2);
  }
  SECTION("a slower array costs wait cycles on every access") {
    // t(0.6 V) = 1.8 ns * (0.6/0.9) * (0.6/0.3)^1.3 = 2.955 ns: two 2 ns cycles.
    params.vdd_v = 0.6;
    fresh_simulation_context();
    WeightSram sram("sram", params);
    CHECK(sram.access_time_ns() == Approx(1.8 * (0.6 / 0.9) * std::pow(2.0, 1.3)));
    CHECK(sram.access_cycles() == 2);
    CHECK(sram.burst_cycles(10) == 2 + 2 * 3);
  }
  SECTION("the detector and the SEC-DED decoder add their latency") {
    params.mitigation = "zero";
    params.detector_cycles = 1;
    fresh_simulation_context();
    WeightSram zero("zero", params);
    CHECK(zero.burst_cycles(10) == 1 + 1 + 3);
    params.mitigation = "secded";
    params.ecc_cycles = 2;
    WeightSram secded("secded", params);
    CHECK(secded.burst_cycles(10) == 1 + 2 + 3);
    params.mitigation = "flip";
    WeightSram flip("flip", params);
    CHECK(flip.burst_cycles(10) == 1 + 3);
  }
  SECTION("no read at or below the threshold voltage") {
    params.vdd_v = 0.3;
    fresh_simulation_context();
    CHECK_THROWS_WITH(WeightSram("sram", params),
                      Contains("weight SRAM supply 0.3 V") && Contains("threshold"));
  }
}
