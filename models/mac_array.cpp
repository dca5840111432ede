#include "models/mac_array.h"

#include <omp.h>

#include <Eigen/Core>
#include <algorithm>
#include <cstring>

#include "models/activation_buffer.h"
#include "models/memory_target.h"
#include "models/weight_sram.h"
#include "workloads/error.h"

namespace lvsim {
namespace {

uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

}  // namespace

FoldTiming weight_stationary_timing(int rows, int cols, uint64_t positions, uint64_t depth,
                                    uint64_t channels) {
  FoldTiming t;
  const uint64_t r = static_cast<uint64_t>(rows), c = static_cast<uint64_t>(cols);
  t.folds = ceil_div(depth, r) * ceil_div(channels, c);
  t.cycles = t.folds * (2 * r + c + positions - 2);
  t.macs = positions * depth * channels;
  t.utilization =
      t.cycles ? static_cast<double>(t.macs) / (static_cast<double>(t.cycles) * r * c) : 0.0;
  return t;
}

MacArray::MacArray(const sc_core::sc_module_name& name, const MacArrayParams& params,
                   const Network& network, const WeightLayout& layout)
    : sc_module(name),
      weight_socket("weight_socket"),
      activation_socket("activation_socket"),
      params_(params),
      network_(network),
      layout_(layout) {
  if (params.rows <= 0 || params.cols <= 0)
    throw Error("mac_array.rows/cols: expected positive integers");
  if (params.dataflow != "ws")
    throw Error("mac_array.dataflow: unknown dataflow '" + params.dataflow +
                "' (expected ws; os and is are not modelled yet)");
  Eigen::setNbThreads(1);  // parallelism is over image chunks, never inside a GEMM
  const int threads = params.host_threads > 0 ? params.host_threads : omp_get_max_threads();
  params_.host_threads = threads;
  thread_buffers_.resize(static_cast<size_t>(threads));
  reset_stats();
}

void MacArray::reset_stats() {
  stats_ = {};
  for (const WeightRegion& region : layout_.regions) {
    const Layer& layer = network_.layers[region.layer];
    LayerStats layer_stats;
    layer_stats.name = layer.name;
    layer_stats.timing = weight_stationary_timing(
        params_.rows, params_.cols, layer.gemm_positions(), layer.gemm_depth(), layer.gemm_rows());
    stats_.layers.push_back(layer_stats);
  }
}

unsigned char* MacArray::dmi_pointer(tlm_utils::simple_initiator_socket<MacArray>& socket,
                                     const char* what) {
  tlm::tlm_generic_payload trans;
  tlm::tlm_dmi dmi;
  trans.set_address(0);
  trans.set_command(tlm::TLM_READ_COMMAND);
  if (!socket->get_direct_mem_ptr(trans, dmi) || !dmi.is_read_allowed())
    throw Error(std::string(name()) + ": the " + what + " refused a DMI pointer");
  return dmi.get_dmi_ptr();
}

uint64_t MacArray::report_weight_reads(const WeightRegion& region, int images) {
  WeightReadExtension reads;
  reads.passes = static_cast<uint32_t>(images);
  uint64_t cycles = 0;
  for (const auto& [address, words] : {std::pair{region.weight_address, region.weight_words},
                                       std::pair{region.bias_address, region.bias_words}}) {
    tlm::tlm_generic_payload trans;
    sc_core::sc_time sram_time = sc_core::SC_ZERO_TIME;
    trans.set_command(tlm::TLM_IGNORE_COMMAND);
    trans.set_address(address);
    trans.set_data_ptr(weights_dmi_ + address);
    trans.set_data_length(static_cast<unsigned>(words * WeightLayout::kWordBytes));
    trans.set_streaming_width(trans.get_data_length());
    trans.set_extension(&reads);
    weight_socket->b_transport(trans, sram_time);
    trans.clear_extension(&reads);
    check_response(trans, name());
    cycles += static_cast<uint64_t>(sram_time / params_.clock_period);
  }
  return cycles;
}

uint64_t MacArray::report_activation_traffic(const Layer& layer, int images) {
  ActivationTrafficExtension traffic;
  traffic.read_bytes = layer.input.size() * sizeof(float) * images;
  traffic.write_bytes = layer.output.size() * sizeof(float) * images;
  tlm::tlm_generic_payload trans;
  sc_core::sc_time buffer_time = sc_core::SC_ZERO_TIME;
  trans.set_command(tlm::TLM_IGNORE_COMMAND);
  trans.set_address(0);
  trans.set_data_ptr(activations_dmi_);
  trans.set_data_length(0);
  trans.set_extension(&traffic);
  activation_socket->b_transport(trans, buffer_time);
  trans.clear_extension(&traffic);
  check_response(trans, name());
  return static_cast<uint64_t>(buffer_time / params_.clock_period);
}

void MacArray::infer(uint64_t input_address, uint64_t output_address, int images,
                     sc_core::sc_time& delay) {
  if (weights_dmi_ == nullptr) weights_dmi_ = dmi_pointer(weight_socket, "weight SRAM");
  if (activations_dmi_ == nullptr)
    activations_dmi_ = dmi_pointer(activation_socket, "activation buffer");

  uint64_t busy_cycles = 0;
  for (size_t i = 0; i < layout_.regions.size(); ++i) {
    const WeightRegion& region = layout_.regions[i];
    LayerStats& layer_stats = stats_.layers[i];
    const uint64_t compute_cycles = layer_stats.timing.cycles * images;
    const uint64_t sram_cycles = report_weight_reads(region, images);
    const uint64_t buffer_cycles = report_activation_traffic(network_.layers[region.layer], images);
    const uint64_t layer_cycles = std::max({compute_cycles, sram_cycles, buffer_cycles});
    layer_stats.cycles += layer_cycles;
    layer_stats.weight_words_read += region.words() * images;
    stats_.compute_cycles += compute_cycles;
    stats_.macs += layer_stats.timing.macs * images;
    busy_cycles += layer_cycles;
  }
  stats_.busy_cycles += busy_cycles;
  stats_.images += images;
  delay += params_.clock_period * static_cast<double>(busy_cycles);

  compute(reinterpret_cast<const float*>(activations_dmi_ + input_address), images,
          reinterpret_cast<float*>(activations_dmi_ + output_address));
}

void MacArray::compute(const float* inputs, int images, float* logits) {
  std::vector<LayerParameters> parameters(network_.layers.size());
  for (const WeightRegion& region : layout_.regions)
    parameters[region.layer] = {
        reinterpret_cast<const float*>(weights_dmi_ + region.weight_address),
        reinterpret_cast<const float*>(weights_dmi_ + region.bias_address)};

  const size_t input_size = network_.input.size();
  const size_t classes = static_cast<size_t>(network_.classes());
  const int chunks = (images + kChunkImages - 1) / kChunkImages;
  const int full_chunks = images / kChunkImages;
  if (full_chunks < chunks) {  // zero-pad the short last chunk
    padded_inputs_.assign(input_size * kChunkImages, 0.0f);
    std::copy(inputs + input_size * full_chunks * kChunkImages, inputs + input_size * images,
              padded_inputs_.begin());
  }

#pragma omp parallel for schedule(static, 1) num_threads(params_.host_threads)
  for (int chunk = 0; chunk < chunks; ++chunk) {
    ChunkBuffers& buffers = thread_buffers_[static_cast<size_t>(omp_get_thread_num())];
    const bool padded = chunk == full_chunks;
    const float* chunk_inputs =
        padded ? padded_inputs_.data() : inputs + input_size * chunk * kChunkImages;
    const float* chunk_logits =
        forward_chunk(network_, parameters, chunk_inputs, kChunkImages, buffers);
    const int valid = padded ? images - full_chunks * kChunkImages : kChunkImages;
    std::copy(chunk_logits, chunk_logits + classes * valid,
              logits + classes * static_cast<size_t>(chunk) * kChunkImages);
  }
}

}  // namespace lvsim
