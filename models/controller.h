// The accelerator's controller: a DMA engine that copies the golden weights
// DRAM -> weight SRAM in bursts, and the image stream that stages inputs in the
// activation buffer, starts the MAC array and collects the predictions.
//
// Weights larger than the SRAM: the platform keeps layers resident, in layer
// order, while they fit beside two stream buffers of dma.stream_tile_kib each,
// and streams the others (`streamed_regions`). The initial load and refreshes
// move the resident layers only; a streamed layer comes from DRAM for every
// batch, tile by tile into the buffer the array is not reading (double
// buffering): one StreamedLoad burst per DMA burst and stage, repeated once
// per batch (models/tlm/streamed_load.h). The MAC array overlaps those loads with
// its compute and stalls when a tile is late (models/array/mac_array.h).
//
// It is the only SC_THREAD of the platform and keeps a tlm_quantumkeeper: time
// advances locally (temporal decoupling) and is synchronised with the kernel
// once per quantum.
#pragma once

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <cstdint>
#include <exception>
#include <functional>
#include <systemc>
#include <tlm>
#include <utility>
#include <vector>

#include "models/array/mac_array.h"
#include "models/common/params.h"
#include "models/weights/weight_layout.h"
#include "workloads/dataset.h"
#include "workloads/network.h"

namespace lvsim {

struct ControllerParams {
  uint64_t dma_burst_bytes{};  // one DMA descriptor moves this much
  int images_per_stage{};      // images staged in the activation buffer at once
  // Reload the golden weights DRAM -> SRAM after this many images, scrubbing the
  // faults reads have left (0 = never).
  uint64_t refresh_interval_images{};
  // Or after this much simulated time since the last load ended (0 = by images
  // only): the refresh comes at the first image boundary that reaches it.
  double refresh_interval_us{};
  uint64_t stream_tile_bytes{};  // one of the two stream buffers
  int batch = 1;                 // images the MAC array takes at once (stages are whole batches)
  size_t images = 0;             // images to run from the dataset (set by the run)
  // Layers (indices into WeightLayout::regions) streamed for every batch (set by the platform).
  std::vector<size_t> streamed_regions;

  ControllerParams() { table().apply_defaults(*this); }
  static const ParamTable<ControllerParams>& table();
  // The declared ranges, and bursts of whole words; throws FieldError.
  void validate() const;
};

struct ControllerStats {
  uint64_t weight_loads = 0;  // the initial load plus every refresh
  uint64_t refreshes = 0;
  uint64_t dma_bytes = 0;
  uint64_t refresh_bytes = 0;
  uint64_t dma_bursts = 0;
  uint64_t stream_bytes = 0;  // streamed layers DRAM -> SRAM, every batch's (in dma_bytes)
  uint64_t stream_loads = 0;  // batches that loaded them
  sc_core::sc_time self_test_time = sc_core::SC_ZERO_TIME;  // the SRAM's power-up self-test
  sc_core::sc_time load_time = sc_core::SC_ZERO_TIME;       // initial weights DRAM -> SRAM
  sc_core::sc_time refresh_time = sc_core::SC_ZERO_TIME;    // all refreshes
  sc_core::sc_time inference_time = sc_core::SC_ZERO_TIME;  // all images
  uint64_t images = 0;
  uint64_t correct = 0;
  // Between consecutive loads (the initial one included), for the report.
  uint64_t refreshed_images = 0;                            // images before the last refresh
  sc_core::sc_time refreshed_time = sc_core::SC_ZERO_TIME;  // from the first load's end to it
};

class Controller : public sc_core::sc_module {
 public:
  using Progress = std::function<void(size_t images_done)>;

  tlm_utils::simple_initiator_socket<Controller> dram_socket;
  tlm_utils::simple_initiator_socket<Controller> sram_socket;
  tlm_utils::simple_initiator_socket<Controller> activation_socket;

  SC_HAS_PROCESS(Controller);
  Controller(const sc_core::sc_module_name& name, const ControllerParams& params,
             const Network& network, const Dataset& dataset, const WeightLayout& layout,
             MacArray& mac_array, Progress progress);

  const ControllerStats& stats() const { return stats_; }
  const std::vector<uint8_t>& predictions() const { return predictions_; }
  const std::vector<float>& logits() const { return logits_; }
  // An error raised inside the simulation thread, rethrown by the caller of sc_start.
  std::exception_ptr error() const { return error_; }

  // Bytes of activation buffer the image stream needs (inputs + logits of a stage).
  static uint64_t activation_bytes_needed(const ControllerParams& params, const Network& network);

 private:
  void run();
  // Copies the resident layers' golden weights DRAM -> SRAM; returns the
  // simulated time it took.
  sc_core::sc_time load_weights();
  // The streamed layers' loads for the `batches` batches of a stage; fills the
  // schedule the MAC array overlaps with its compute.
  void stream_weights(uint64_t batches, StreamSchedule& schedule);
  // Power-up: asks the weight SRAM to test itself (models/weight_sram/weight_read_report.h).
  sc_core::sc_time self_test();
  void run_stage(size_t first_image, int count);
  void refresh();
  // How many images the next stage runs: a stage, cut at the refresh due.
  size_t next_stage_images(size_t remaining) const;
  void transfer(tlm_utils::simple_initiator_socket<Controller>& socket, tlm::tlm_command command,
                uint64_t address, unsigned char* data, uint64_t bytes);
  // Moves the thread's local time to `local_time`, synchronising with the
  // kernel when the quantum is used up (temporal decoupling).
  void advance_to(const sc_core::sc_time& local_time);

  ControllerParams params_;
  const Network& network_;
  const Dataset& dataset_;
  const WeightLayout& layout_;
  MacArray& mac_array_;
  Progress progress_;
  tlm_utils::tlm_quantumkeeper quantum_keeper_;
  ControllerStats stats_;
  std::vector<uint8_t> predictions_;
  std::vector<float> logits_;  // every image's logits, [image][class]
  std::vector<float> stage_inputs_;
  std::vector<unsigned char> dma_buffer_;
  std::vector<std::pair<uint64_t, uint64_t>> resident_ranges_;  // byte ranges the loads move
  uint64_t logits_address_ = 0;
  uint64_t since_refresh_ = 0;                             // images
  sc_core::sc_time fresh_since_ = sc_core::SC_ZERO_TIME;   // when the last load ended
  sc_core::sc_time images_since_ = sc_core::SC_ZERO_TIME;  // when the first load ended
  sc_core::sc_time last_stage_per_image_ = sc_core::SC_ZERO_TIME;
  std::exception_ptr error_;
};

}  // namespace lvsim
