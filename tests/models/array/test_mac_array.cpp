// The MAC array (models/array/mac_array.h): the cycle formulas of its
// dataflows checked against values computed by hand and against a
// cycle-by-cycle model of one fold, and in real runs how often the dataflow
// makes the SRAM read each weight, a depthwise convolution's GEMMs and the
// vector unit's time and energy.
#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include "models/array/mac_array.h"
#include "sim/config.h"
#include "sim/run.h"
#include "sim/settings.h"
#include "tests/support/helpers.h"
#include "tests/support/onnx_builder.h"
#include "tests/support/runs.h"
#include "workloads/network.h"

using namespace lvsim;
using namespace lvsim::test;
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

TEST_CASE("the dataflow sets how often the SRAM reads each weight, not the arithmetic",
          "[mac_array][end_to_end][data]") {
  const RunResult ws = small_run({});
  const Network net = Network::load(std::string(LVSIM_SOURCE_DIR) +
                                    "/workloads/networks/safetensors/mnist_cnn.safetensors");
  for (const char* name : {"os", "is"}) {
    INFO(name);
    const RunResult other = small_run({std::string("mac_array.dataflow=") + name});
    CHECK(other.trials[0].predictions == ws.trials[0].predictions);
    const Dataflow dataflow = other.params.mac_array.dataflow;
    uint64_t expected = 0;
    for (const Layer& layer : net.layers) {
      if (!layer.has_parameters()) continue;
      const FoldTiming t = dataflow_timing(dataflow, 16, 16, layer.gemm_positions(),
                                           layer.gemm_depth(), layer.gemm_rows());
      expected += t.reads_per_weight * (layer.weights.size() + layer.bias.size());
    }
    CHECK(other.weight_sram.words_read == expected * 64);
    CHECK(other.weight_sram.words_read > ws.weight_sram.words_read);
  }
  // A weight-stationary batch of 4 reads each weight once per 4 images.
  const RunResult batched = small_run({"mac_array.batch=4"});
  CHECK(batched.trials[0].predictions == ws.trials[0].predictions);
  CHECK(batched.weight_sram.words_read * 4 == ws.weight_sram.words_read);
  CHECK(batched.mac_array.compute_cycles < ws.mac_array.compute_cycles);
}

TEST_CASE(
    "ONNX on the accelerator: a depthwise convolution is one GEMM per group, the vector "
    "unit times residual adds and global pools and charges every element operation",
    "[onnx][mac_array][energy][data]") {
  // x [1,28,28] -> conv 3x3 pad 1 (4) = a -> depthwise 3x3 pad 1 -> Relu (the
  // depthwise layer's output pipeline) -> Add(relu, a) (vector unit: a has two
  // readers) -> GlobalAveragePool (vector unit) -> Flatten -> Gemm (10).
  ModelBuilder b(1, 28, 28);
  b.initializer("c1.weight", {4, 1, 3, 3}, random_values(36, 51));
  b.initializer("dw.weight", {4, 1, 3, 3}, random_values(36, 52));
  b.initializer("fc.weight", {10, 4}, random_values(40, 53));
  ints(b.node("Conv", {"x", "c1.weight"}, "a"), "pads", {1, 1, 1, 1});
  auto& dw = b.node("Conv", {"a", "dw.weight"}, "d");
  ints(dw, "pads", {1, 1, 1, 1});
  integer(dw, "group", 4);
  b.node("Relu", {"d"}, "r");
  b.node("Add", {"r", "a"}, "s");
  b.node("GlobalAveragePool", {"s"}, "g");
  b.node("Flatten", {"g"}, "f");
  integer(b.node("Gemm", {"f", "fc.weight"}, "y"), "transB", 1);
  b.output("y");
  test::ScratchDir dir;
  const std::string path = dir.file("graph.onnx");
  std::ofstream(path, std::ios::binary) << b.bytes();
  const RunResult r = run_simulation(
      settings_from(Config::load("", {"workload.network=" + path, "workload.images=16",
                                      "workload.data_dir=" + test::mnist_data_dir()})),
      nullptr);
  REQUIRE(r.mac_array.layers.size() == 3);
  // 16x16 ws, one group: M = 784, K = 9, N = 1: one fold of 2*16 + 16 + 784 - 2 = 830 cycles.
  const FoldTiming one = dataflow_timing(Dataflow::kWeightStationary, 16, 16, 784, 9, 1);
  CHECK(one.cycles == 830);
  const LayerStats& depthwise = r.mac_array.layers[1];
  CHECK(depthwise.timing.folds == 4);
  CHECK(depthwise.timing.cycles == 4 * 830);
  CHECK(depthwise.timing.macs == 4u * 784 * 9);
  CHECK(depthwise.compute_cycles == 16u * 4 * 830);

  REQUIRE(r.mac_array.vector_layers.size() == 3);
  const VectorLayerStats &relu = r.mac_array.vector_layers[0], &add = r.mac_array.vector_layers[1],
                         &pool = r.mac_array.vector_layers[2];
  CHECK(relu.kind == "relu");
  CHECK(relu.pipeline_of == "dw");
  CHECK(relu.cycles == 0);
  CHECK(add.kind == "add");
  CHECK(add.pipeline_of.empty());
  CHECK(pool.kind == "global_avgpool");
  CHECK(pool.pipeline_of.empty());
  for (const VectorLayerStats* v : {&relu, &add, &pool}) CHECK(v->ops_per_image == 3136);
  // 3,136 operations on 16 lanes: at least 196 cycles per image each, more
  // when the activation buffer is the slower.
  CHECK(add.cycles >= 16u * 196);
  CHECK(pool.cycles >= 16u * 196);
  CHECK(r.mac_array.vector_cycles == add.cycles + pool.cycles);
  CHECK(r.mac_array.vector_ops == 16u * 3 * 3136);
  CHECK(r.energy.component_pj("vector") == Approx(16.0 * 3 * 3136 * 0.9));
}
