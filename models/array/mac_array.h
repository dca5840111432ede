// The R x C array of multiply-accumulate processing elements: what it reads
// from the weight SRAM and the activation buffer, when, and how many cycles
// it takes; the arithmetic itself is computed by its host engine (host/).
//
// Timing is SCALE-Sim's analytical model (Samajdar et al., ISPASS 2020, Sec.
// III): a GEMM-shaped layer maps Sr x Sc operands onto the array and streams T,
//     cycles = ceil(Sr/R) * ceil(Sc/C) * (2R + C + T - 2)   per batch,
// with (Sr, Sc, T) = (K, N, B*M) for ws, (B*M, N, K) for os, (K, B*M, N) for is;
// weights are read 1, ceil(B*M/R) or ceil(B*M/C) times per batch. A layer
// takes the longest of its compute, weight bursts and activation traffic.
// Batches, grouped convolutions, the vector unit, streamed layers and zero
// skipping (Cambricon-X, Zhang et al., MICRO 2016): docs/MODELS.md.
#pragma once

#include <tlm_utils/simple_initiator_socket.h>

#include <cstdint>
#include <string>
#include <systemc>
#include <tlm>
#include <utility>
#include <vector>

#include "models/array/host/host_engine.h"
#include "models/common/params.h"
#include "models/weight_sram/weight_read_report.h"
#include "models/weights/weight_layout.h"
#include "workloads/network.h"

namespace lvsim {

enum class Dataflow { kWeightStationary, kOutputStationary, kInputStationary };

const char* dataflow_name(Dataflow dataflow);

struct MacArrayParams {
  int rows{};
  int cols{};
  Dataflow dataflow{};
  int batch{};  // images whose positions stream through one weight mapping
  // Skip the MACs of zero weights (seed 003's zero skipping; see MacArrayStats).
  bool zero_skipping{};
  int vector_lanes{};  // the vector unit's lanes (element operations per cycle)
  sc_core::sc_time clock_period = sc_core::sc_time(2, sc_core::SC_NS);  // the platform's

  MacArrayParams() { table().apply_defaults(*this); }
  static const ParamTable<MacArrayParams>& table();
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
  bool streamed = false;      // from DRAM for every batch (models/controller.h)
  uint64_t stall_cycles = 0;  // the array waiting for this layer's streamed tiles
  FoldTiming timing;          // per full batch
  uint64_t cycles = 0;        // total, including memory stalls
  uint64_t compute_cycles = 0;
  uint64_t weight_words_read = 0;
  double zero_fraction = 0.0;  // of the layer's weights as loaded
  uint64_t skipped_macs = 0;   // zero skipping: MACs not done
  uint64_t skipped_cycles = 0;
};

// A layer of the vector unit (see above).
struct VectorLayerStats {
  std::string name;
  std::string kind;         // layer_kind_name
  std::string pipeline_of;  // the MAC layer whose output pipeline runs it; empty: the vector unit
  uint64_t ops_per_image = 0;
  uint64_t ops = 0;     // total
  uint64_t cycles = 0;  // total, the longer of its operations and its buffer traffic
};

struct MacArrayStats {
  uint64_t images = 0;
  uint64_t macs = 0;
  uint64_t compute_cycles = 0;  // the array busy computing
  uint64_t busy_cycles = 0;     // layer times, the longest of compute and memory
  uint64_t skipped_macs = 0;    // zero skipping: MACs not done (not in `macs`)
  uint64_t skipped_cycles = 0;  // zero skipping: compute cycles saved
  std::vector<LayerStats> layers;
  uint64_t vector_ops = 0;     // element operations of the vector unit and output pipelines
  uint64_t vector_cycles = 0;  // layer times on the vector unit (in busy_cycles)
  uint64_t stall_cycles = 0;   // waiting for streamed weights (in busy_cycles)
  std::vector<VectorLayerStats> vector_layers;
};

// A stage's streamed layers (models/controller.h), by region: the DMA time of
// one batch's load in cycles and its tiles; 0 for a resident layer. Empty:
// every layer resident.
struct StreamSchedule {
  std::vector<double> cycles_per_batch;
  std::vector<uint64_t> tiles;
};

class MacArray : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<MacArray> weight_socket;
  tlm_utils::simple_initiator_socket<MacArray> activation_socket;

  MacArray(const sc_core::sc_module_name& name, const MacArrayParams& params,
           const HostEngineParams& host, const Network& network, const WeightLayout& layout);

  // Runs `images` inputs staged at `input_address` in the activation buffer
  // (HWC floats) and writes their logits at `output_address`. Adds the time the
  // array was busy to `delay`, stalls for `streams` included.
  void infer(uint64_t input_address, uint64_t output_address, int images, sc_core::sc_time& delay,
             const StreamSchedule& streams = {});

  const MacArrayStats& stats() const { return stats_; }
  int host_threads() const { return engine_.threads(); }
  sc_core::sc_time clock_period() const { return params_.clock_period; }
  void reset_stats();

 private:
  void invalidate_weights(sc_dt::uint64 start, sc_dt::uint64 end);
  // Brings the engine's working copy up to date with the SRAM after a DMA write.
  void sync_weights();
  FoldTiming layer_timing(size_t region_index, int batch_images) const;
  // Reports the weight reads of `images` images of one layer to the SRAM;
  // fills `changes` with the words they changed (in batch order); returns
  // the SRAM's cycles.
  uint64_t read_weights(size_t region_index, int images, std::vector<WordChange>& changes);
  uint64_t report_activation_traffic(const FoldTiming& timing, uint64_t batches);
  // The time of a stage: per layer the longest of compute, weight bursts
  // (`sram_cycles`) and activation traffic; zero skipping; statistics.
  uint64_t stage_cycles(int images, const std::vector<uint64_t>& sram_cycles,
                        const StreamSchedule& streams);
  // The vector layers' share of a stage's time; each one's cycles into `cycles`.
  uint64_t vector_stage_cycles(int images, std::vector<uint64_t>& cycles);
  // The stalls of a stage's `batches` batches waiting for streamed tiles,
  // given each region's and vector layer's cycles in the stage (see above).
  uint64_t stream_stalls(uint64_t batches, const std::vector<uint64_t>& layer_cycles,
                         const std::vector<uint64_t>& vector_cycles, const StreamSchedule& streams);

  MacArrayParams params_;
  const Network& network_;
  const WeightLayout& layout_;
  MacArrayStats stats_;
  HostEngine engine_;
  unsigned char* weights_dmi_ = nullptr;
  unsigned char* activations_dmi_ = nullptr;
  bool weights_stale_ = true;  // a DMA write changed the SRAM since the engine last loaded it
  std::vector<double> zero_fraction_;     // per region, of the weights as first loaded
  std::vector<size_t> vector_layers_;     // network layer of each VectorLayerStats
  std::vector<std::string> pipeline_of_;  // per vector layer, as in VectorLayerStats
  // Network order of the timed layers: (region index, -1) or (-1, vector layer index).
  std::vector<std::pair<int, int>> order_;
};

}  // namespace lvsim
