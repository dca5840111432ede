// The R x C array of multiply-accumulate processing elements.
//
// Functional path: the array reads each layer's weights from the weight SRAM
// through a DMI pointer and its inputs/outputs from the activation buffer, and
// computes the real arithmetic (im2col + Eigen GEMM, workloads/layers.h), so the
// accuracy lvsim reports is computed, never looked up.
//
// Timing: weight-stationary dataflow, SCALE-Sim's analytical model (Samajdar et
// al., "A Systematic Methodology for Characterizing Scalability of DNN
// Accelerators using SCALE-Sim", ISPASS 2020, Sec. III). A layer lowered to a
// GEMM with M output positions, reduction depth K and N output channels is cut
// into ceil(K/R) x ceil(N/C) folds; each fold preloads its weights (R cycles, a
// row per cycle) and then streams the M input vectors through the array, the
// first result leaving after R + C - 1 cycles and one more every cycle:
//     cycles = ceil(K/R) * ceil(N/C) * (2R + C + M - 2)       per image.
// Images run one after another (batch 1, as in seed 004), so every weight is
// read from the SRAM once per image, and each image computes with the weights
// exactly as its own read returned them (faults of earlier reads included). Weight fetch and
// activation traffic are double-buffered against compute: a layer takes the longest of the three.
// ReLU and pooling run in the output pipeline at no extra cycles.
#pragma once

#include <tlm_utils/simple_initiator_socket.h>

#include <cstdint>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "models/weight_layout.h"
#include "models/weight_sram.h"
#include "workloads/network.h"

namespace lvsim {

struct MacArrayParams {
  int rows = 16;
  int cols = 16;
  std::string dataflow = "ws";  // weight-stationary
  sc_core::sc_time clock_period = sc_core::sc_time(2, sc_core::SC_NS);
  int host_threads = 0;  // threads for the arithmetic on the simulating host (0 = all)
};

struct FoldTiming {
  uint64_t folds = 0;
  uint64_t cycles = 0;  // per image
  uint64_t macs = 0;    // per image
  double utilization = 0.0;
};

// The weight-stationary cycle formula above for one GEMM-shaped layer.
FoldTiming weight_stationary_timing(int rows, int cols, uint64_t positions, uint64_t depth,
                                    uint64_t channels);

struct LayerStats {
  std::string name;
  FoldTiming timing;    // per image
  uint64_t cycles = 0;  // total, including memory stalls
  uint64_t weight_words_read = 0;
};

struct MacArrayStats {
  uint64_t images = 0;
  uint64_t macs = 0;
  uint64_t compute_cycles = 0;  // the array busy computing
  uint64_t busy_cycles = 0;     // layer times, the longest of compute and memory
  std::vector<LayerStats> layers;
};

class MacArray : public sc_core::sc_module {
 public:
  // When reads change weights, images are computed in epochs: one GEMM per
  // chunk with the changed weights zeroed, plus per-image corrections with the
  // values each image read. Epochs are sized so the corrections cost about this
  // fraction of an image's MACs.
  static constexpr double kCorrectionBudget = 0.002;
  static constexpr int kMaxEpochImages = 1 << 20;

  tlm_utils::simple_initiator_socket<MacArray> weight_socket;
  tlm_utils::simple_initiator_socket<MacArray> activation_socket;

  MacArray(const sc_core::sc_module_name& name, const MacArrayParams& params,
           const Network& network, const WeightLayout& layout);

  // Runs `images` inputs staged at `input_address` in the activation buffer
  // (HWC floats) and writes their logits at `output_address`. Adds the time the
  // array was busy to `delay`.
  void infer(uint64_t input_address, uint64_t output_address, int images, sc_core::sc_time& delay);

  const MacArrayStats& stats() const { return stats_; }
  int host_threads() const { return params_.host_threads; }
  void reset_stats();

 private:
  unsigned char* dmi_pointer(tlm_utils::simple_initiator_socket<MacArray>& socket,
                             const char* what);
  void invalidate_weights(sc_dt::uint64 start, sc_dt::uint64 end);
  void sync_weights();
  uint64_t report_weight_reads(size_t region_index, int images);
  uint64_t report_activation_traffic(const Layer& layer, int images);
  enum class EpochKind { kUnchanged, kSparse, kDense };
  void compute_batch(const float* inputs, int first, int count, float* logits,
                     const std::vector<std::vector<LayerPatch>>* patches);
  // Computes images [first, first + count) from this epoch's change logs.
  EpochKind compute_epoch(const float* inputs, int first, int count, float* logits);
  std::vector<LayerParameters> working_parameters();

  MacArrayParams params_;
  const Network& network_;
  const WeightLayout& layout_;
  MacArrayStats stats_;
  unsigned char* weights_dmi_ = nullptr;
  unsigned char* activations_dmi_ = nullptr;
  // The weights as the datapath last read them, refreshed from the SRAM after
  // every DMA write (DMI invalidation) and updated from the read change logs.
  std::vector<float> working_;
  bool working_stale_ = true;
  std::vector<int32_t> entry_of_word_;            // scratch of compute_epoch, -1 between epochs
  std::vector<std::vector<WordChange>> changes_;  // per region, this epoch's reads
  int epoch_images_ = 1;                          // grows while reads change nothing
  double last_correction_macs_ = 0.0;
  ForwardBuffers buffers_;
};

}  // namespace lvsim
