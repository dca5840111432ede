// The R x C array of multiply-accumulate processing elements.
//
// Functional path: the array reads each layer's weights from the weight SRAM
// through a DMI pointer and its inputs/outputs from the activation buffer, and
// computes the real arithmetic (im2col + Eigen GEMM, workloads/layers.h), so the
// accuracy lvsim reports is computed, never looked up.
//
// Timing: SCALE-Sim's analytical model (Samajdar et al., "A Systematic
// Methodology for Characterizing Scalability of DNN Accelerators using
// SCALE-Sim", ISPASS 2020, Sec. III). A layer lowered to a GEMM with M output
// positions (times the batch B), reduction depth K and N output channels maps
// two operand dimensions Sr x Sc onto the R x C array and streams the third, T:
//     ws (weight-stationary): Sr = K,   Sc = N,   T = B*M
//     os (output-stationary): Sr = B*M, Sc = N,   T = K
//     is (input-stationary):  Sr = K,   Sc = B*M, T = N
// cut into ceil(Sr/R) x ceil(Sc/C) folds of 2R + C + T - 2 cycles each (fill,
// stream, drain):
//     cycles = ceil(Sr/R) * ceil(Sc/C) * (2R + C + T - 2)    per batch of B images.
// What each dataflow reads from the memories per batch follows from the same
// mapping: ws holds each weight once (1 read per weight); os streams the
// weights of a column fold past every row fold (ceil(B*M/R) reads per weight);
// is streams all weights past every column fold (ceil(B*M/C) reads per weight).
// Inputs: ws and os stream the lowered input (B*M x K) once per column fold of
// filters, ceil(N/C) times; is holds it, once. Outputs are accumulated at the
// array edge and written once (B*M x N). These weight reads are the reads the
// weight SRAM's fault model sees.
//
// Images within a batch share the batch's weight reads: each image of a batch
// computes with the weights as the batch's reads left them (faults of earlier
// reads included; when a dataflow re-reads a weight within a batch, the last
// read's value is used for the whole batch - a fault between two reads of one
// batch is seen a few tiles early). Weight fetch and activation traffic are
// double-buffered against compute: a layer takes the longest of the three.
// ReLU and pooling run in the output pipeline at no extra cycles.
//
// Zero skipping (seed 003, Sec. 5; with mac_array.zero_skipping): the PEs skip
// the MACs of weights that are zero as loaded (pruned ones, mostly), counted
// from the golden weights as a load-time sparsity index would mark them. A
// layer with a fraction z of zero weights does (1 - z) of its MACs, and its
// compute cycles shrink to ceil((1 - z) * cycles): ideal compaction of the
// non-zero weights onto the array (Cambricon-X, Zhang et al., MICRO 2016), an
// upper bound on what skipping saves. The arithmetic is unchanged (a skipped
// product is zero), and the weights stay stored densely, so SRAM reads,
// refreshes and faults are those of the dense layout.
#pragma once

#include <tlm_utils/simple_initiator_socket.h>

#include <cstdint>
#include <functional>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "models/weight_layout.h"
#include "models/weight_sram.h"
#include "workloads/network.h"

namespace lvsim {

enum class Dataflow { kWeightStationary, kOutputStationary, kInputStationary };

// "ws", "os" or "is"; throws lvsim::Error naming mac_array.dataflow otherwise.
Dataflow dataflow_from_name(const std::string& name);
const char* dataflow_name(Dataflow dataflow);

struct MacArrayParams {
  int rows = 16;
  int cols = 16;
  Dataflow dataflow = Dataflow::kWeightStationary;
  int batch = 1;  // images whose positions stream through one weight mapping
  // Skip the MACs of zero weights (seed 003's zero skipping; see MacArrayStats).
  bool zero_skipping = false;
  sc_core::sc_time clock_period = sc_core::sc_time(2, sc_core::SC_NS);
  int host_threads = 0;  // threads for the arithmetic on the simulating host (0 = all)
};

// One layer of one batch on the array.
struct FoldTiming {
  uint64_t folds = 0;
  uint64_t cycles = 0;
  uint64_t macs = 0;
  double utilization = 0.0;
  uint64_t reads_per_weight = 0;  // weight SRAM reads of each weight
  uint64_t input_words = 0;       // activation-buffer words read
  uint64_t output_words = 0;      // activation-buffer words written
};

// The formulas above for one GEMM-shaped layer: `positions` output positions
// (the batch's, all images together), `depth` K, `channels` N.
FoldTiming dataflow_timing(Dataflow dataflow, int rows, int cols, uint64_t positions,
                           uint64_t depth, uint64_t channels);

struct LayerStats {
  std::string name;
  FoldTiming timing;    // per full batch
  uint64_t cycles = 0;  // total, including memory stalls
  uint64_t compute_cycles = 0;
  uint64_t weight_words_read = 0;
  double zero_fraction = 0.0;  // of the layer's weights as loaded
  uint64_t skipped_macs = 0;   // zero skipping: MACs not done
  uint64_t skipped_cycles = 0;
};

struct MacArrayStats {
  uint64_t images = 0;
  uint64_t macs = 0;
  uint64_t compute_cycles = 0;  // the array busy computing
  uint64_t busy_cycles = 0;     // layer times, the longest of compute and memory
  uint64_t skipped_macs = 0;    // zero skipping: MACs not done (not in `macs`)
  uint64_t skipped_cycles = 0;  // zero skipping: compute cycles saved
  std::vector<LayerStats> layers;
};

class MacArray : public sc_core::sc_module {
 public:
  // When reads change weights, images are computed in epochs: one GEMM per
  // chunk with the weights as the epoch started, plus per-image corrections
  // for the words each image read changed. Epochs are sized so the corrections cost about this
  // fraction of an image's MACs.
  static constexpr double kCorrectionBudget = 0.002;
  static constexpr int kMaxEpochImages = 1 << 20;
  // Epochs are also sized to log about this many changes (4 MB; three logs
  // are held at once), and one that logs twice as many is recomputed image by
  // image.
  static constexpr double kMaxEpochChanges = 1 << 18;
  // While reads keep changing many weights (kLeadMinChanges or more expected
  // in the stage), a stage starts with a lead epoch of 1/kLeadDivisor of its
  // images, so that the rest of the stage's reads overlap the lead's compute
  // (4 measured best of 2, 4, 8 and none at p = 1e-4 per word; with fewer
  // changes the extra epoch costs more than the overlap saves).
  static constexpr int kLeadDivisor = 4;
  static constexpr double kLeadMinChanges = 16384;

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
  FoldTiming layer_timing(size_t region_index, int batch_images) const;
  uint64_t report_weight_reads(size_t region_index, int images);
  uint64_t report_activation_traffic(const FoldTiming& timing, uint64_t batches);
  enum class EpochKind { kUnchanged, kSparse, kDense };
  // A parameter a read changed: the pass, its slot and its decoded values
  // after and before.
  struct SlotChange {
    uint32_t pass;
    uint32_t slot;
    float value;
    float old;
  };
  // An epoch's reads made ready for its computation. Planning reads only the
  // change logs, never the working copy, and computing reads only the plan and
  // the working copy: the next epoch's reads and plan overlap this one's
  // computation, and finish_epoch then brings the working copy up to date.
  struct EpochPlan {
    EpochKind kind = EpochKind::kUnchanged;
    // kSparse: per region, one LayerPatch per chunk, the slots that changed and
    // their values once the epoch's reads are done.
    std::vector<std::vector<LayerPatch>> patches;
    std::vector<std::vector<uint32_t>> slots;
    std::vector<std::vector<float>> final_values;
    std::vector<std::vector<SlotChange>> changes;  // kDense: per region, in pass order
  };
  // Computes images [first, first + count); `side_job` as in forward_batch.
  void compute_batch(const float* inputs, int first, int count, float* logits,
                     const std::vector<std::vector<LayerPatch>>* patches,
                     const std::function<void()>* side_job = nullptr);
  // Images in the next epoch, `remaining` images being left in the stage.
  int epoch_size(int remaining, bool stage_start) const;
  // Turns changes_ into `plan` and sizes the next epoch from it.
  void plan_epoch(int count, EpochPlan& plan);
  void build_patches(int count, EpochPlan& plan);
  // Computes images [first, first + count) as `plan` says, running `side_job`
  // (the next epoch's reads and plan) beside the arithmetic.
  void compute_epoch(const EpochPlan& plan, const float* inputs, int first, int count,
                     float* logits, const std::function<void()>* side_job);
  // Leaves the working copy as the epoch's last reads left the SRAM.
  void finish_epoch(const EpochPlan& plan);
  std::vector<LayerParameters> working_parameters();
  void translate_changes(size_t region_index);

  MacArrayParams params_;
  const Network& network_;
  const WeightLayout& layout_;
  MacArrayStats stats_;
  unsigned char* weights_dmi_ = nullptr;
  unsigned char* activations_dmi_ = nullptr;
  // The parameters as the datapath last read them (decoded, one slot each,
  // WeightRegion::weight_slot), decoded from the SRAM after every DMA write
  // (DMI invalidation) and updated from the read change logs.
  std::vector<float> working_;
  std::vector<uint32_t> words_;  // scratch of sync_weights: the SRAM's words
  bool working_stale_ = true;
  // Scratch of build_patches: the mark of each slot's entry. Marks only grow,
  // so a mark below the current region's first one is stale and no clearing
  // pass over the scattered slots is needed.
  std::vector<int32_t> mark_of_slot_;
  int32_t next_mark_ = 0;
  std::vector<WordChange> word_changes_;          // scratch of report_weight_reads
  std::vector<std::vector<SlotChange>> changes_;  // per region, this epoch's reads
  std::vector<double> zero_fraction_;             // per region, of the weights as first loaded
  int epoch_images_ = 1;                          // grows while reads change nothing
  bool last_sparse_ = false;                      // the last epoch was corrected, not recomputed
  double changes_per_image_ = 0.0;                // logged by the last epoch that changed any
  ForwardBuffers buffers_;
};

}  // namespace lvsim
