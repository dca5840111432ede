#include "models/array/mac_array.h"

#include <algorithm>
#include <cmath>

#include "models/common/ceil_div.h"
#include "models/memory/activation_buffer.h"
#include "models/tlm/burst.h"
#include "models/weight_sram/weight_sram.h"

namespace lvsim {
namespace {}  // namespace

const ParamTable<MacArrayParams>& MacArrayParams::table() {
  static const ParamTable<MacArrayParams> table = [] {
    ParamTable<MacArrayParams> t;
    t.integer("mac_array.rows", &MacArrayParams::rows, 16, 1, 4096)
        .help("processing-element rows (R); the reduction dimension in WS");
    t.integer("mac_array.cols", &MacArrayParams::cols, 16, 1, 4096)
        .help("processing-element columns (C); the output-channel dimension");
    t.choice("mac_array.dataflow", &MacArrayParams::dataflow, "ws",
             {{"ws", Dataflow::kWeightStationary},
              {"os", Dataflow::kOutputStationary},
              {"is", Dataflow::kInputStationary}})
        .help(
            "dataflow: ws (weight-), os (output-) or is (input-stationary); cycles and weight "
            "reads from SCALE-Sim's analytical model")
        .source("Samajdar et al., ISPASS 2020");
    t.integer("mac_array.batch", &MacArrayParams::batch, 1, 1, 1 << 16)
        .help(
            "images whose positions stream through one mapping of the weights (seed 004 runs "
            "one image at a time); a ws array reads each weight once per batch");
    t.boolean("mac_array.zero_skipping", &MacArrayParams::zero_skipping, false)
        .help(
            "skip the MACs of zero weights (seed 003's zero skipping): fewer MACs, and compute "
            "cycles shrink with the layer's density (ideal compaction)")
        .source("Cambricon-X, Zhang et al. MICRO 2016");
    t.integer("mac_array.vector_lanes", &MacArrayParams::vector_lanes, 16, 1, 65536)
        .help(
            "lanes of the vector unit that runs residual adds, global pools, softmax and the "
            "activations not in a MAC layer's output pipeline (one element operation per lane "
            "per cycle); 16: one per array column, the width of the array's output");
    return t;
  }();
  return table;
}

const char* dataflow_name(Dataflow dataflow) {
  switch (dataflow) {
    case Dataflow::kWeightStationary:
      return "ws";
    case Dataflow::kOutputStationary:
      return "os";
    case Dataflow::kInputStationary:
      return "is";
  }
  return "?";
}

FoldTiming dataflow_timing(Dataflow dataflow, int rows, int cols, uint64_t positions,
                           uint64_t depth, uint64_t channels) {
  const uint64_t r = static_cast<uint64_t>(rows), c = static_cast<uint64_t>(cols);
  const uint64_t m = positions, k = depth, n = channels;
  uint64_t sr = 0, sc = 0, t = 0;
  FoldTiming timing;
  switch (dataflow) {
    case Dataflow::kWeightStationary:
      sr = k, sc = n, t = m;
      timing.reads_per_weight = 1;
      timing.input_words = m * k * ceil_div(n, c);
      break;
    case Dataflow::kOutputStationary:
      sr = m, sc = n, t = k;
      timing.reads_per_weight = ceil_div(m, r);
      timing.input_words = m * k * ceil_div(n, c);
      break;
    case Dataflow::kInputStationary:
      sr = k, sc = m, t = n;
      timing.reads_per_weight = ceil_div(m, c);
      timing.input_words = m * k;
      break;
  }
  timing.output_words = m * n;
  timing.folds = ceil_div(sr, r) * ceil_div(sc, c);
  timing.cycles = timing.folds * (2 * r + c + t - 2);
  timing.macs = m * k * n;
  timing.utilization = timing.cycles ? static_cast<double>(timing.macs) /
                                           (static_cast<double>(timing.cycles) * r * c)
                                     : 0.0;
  return timing;
}

MacArray::MacArray(const sc_core::sc_module_name& name, const MacArrayParams& params,
                   const HostEngineParams& host, const Network& network, const WeightLayout& layout)
    : sc_module(name),
      weight_socket("weight_socket"),
      activation_socket("activation_socket"),
      params_(params),
      network_(network),
      layout_(layout),
      engine_(host, network, layout, params.batch) {
  MacArrayParams::table().check(params);
  weight_socket.register_invalidate_direct_mem_ptr(this, &MacArray::invalidate_weights);
  // Which computing layers without weights run in a MAC layer's output
  // pipeline: element-wise activations and pools that alone read its output.
  const std::vector<int> readers = network.consumer_counts();
  std::vector<std::string> pipeline(network.layers.size());
  for (size_t i = 0; i < network.layers.size(); ++i) {
    const Layer& layer = network.layers[i];
    const std::vector<int> inputs = network.layer_inputs(i);
    const int from = inputs.size() == 1 ? inputs[0] : -1;
    const bool pipelined_kind =
        layer.kind == LayerKind::kRelu || layer.kind == LayerKind::kClip ||
        layer.kind == LayerKind::kLeakyRelu || layer.kind == LayerKind::kSigmoid ||
        layer.kind == LayerKind::kMaxPool || layer.kind == LayerKind::kAvgPool ||
        layer.kind == LayerKind::kFlatten || layer.kind == LayerKind::kDropout;
    if (pipelined_kind && from >= 0 && readers[static_cast<size_t>(from)] == 1) {
      const Layer& source = network.layers[static_cast<size_t>(from)];
      pipeline[i] = source.has_parameters() ? source.name : pipeline[static_cast<size_t>(from)];
    }
    if (layer.has_parameters()) {
      for (size_t r = 0; r < layout.regions.size(); ++r)
        if (layout.regions[r].layer == i) order_.emplace_back(static_cast<int>(r), -1);
      continue;
    }
    if (layer.vector_ops_per_image() == 0) continue;
    order_.emplace_back(-1, static_cast<int>(vector_layers_.size()));
    vector_layers_.push_back(i);
    pipeline_of_.push_back(pipeline[i]);
  }
  reset_stats();
}

FoldTiming MacArray::layer_timing(size_t region_index, int batch_images) const {
  const Layer& layer = network_.layers[layout_.regions[region_index].layer];
  const auto groups = static_cast<uint64_t>(layer.groups);
  FoldTiming timing = dataflow_timing(params_.dataflow, params_.rows, params_.cols,
                                      layer.gemm_positions() * static_cast<uint64_t>(batch_images),
                                      layer.gemm_depth(), layer.gemm_rows() / groups);
  if (groups > 1) {  // one group's GEMM after another
    timing.folds *= groups;
    timing.cycles *= groups;
    timing.macs *= groups;
    timing.input_words *= groups;
    timing.output_words *= groups;
  }
  return timing;
}

void MacArray::reset_stats() {
  stats_ = {};
  for (size_t i = 0; i < layout_.regions.size(); ++i) {
    LayerStats layer_stats;
    layer_stats.name = network_.layers[layout_.regions[i].layer].name;
    layer_stats.timing = layer_timing(i, params_.batch);
    if (i < zero_fraction_.size()) layer_stats.zero_fraction = zero_fraction_[i];
    stats_.layers.push_back(layer_stats);
  }
  for (size_t v = 0; v < vector_layers_.size(); ++v) {
    const Layer& layer = network_.layers[vector_layers_[v]];
    VectorLayerStats vector;
    vector.name = layer.name.empty() ? layer_kind_name(layer.kind) : layer.name;
    vector.kind = layer_kind_name(layer.kind);
    vector.pipeline_of = pipeline_of_[v];
    vector.ops_per_image = layer.vector_ops_per_image();
    stats_.vector_layers.push_back(vector);
  }
}

void MacArray::invalidate_weights(sc_dt::uint64, sc_dt::uint64) {
  weights_stale_ = true;
  weights_dmi_ = nullptr;
}

void MacArray::sync_weights() {
  if (!weights_stale_) return;
  weights_dmi_ = request_dmi(weight_socket, name(), "weight SRAM");
  engine_.load(weights_dmi_);
  if (zero_fraction_.empty()) {
    // The sparsity index of the weights as first loaded (zero skipping).
    for (size_t i = 0; i < layout_.regions.size(); ++i) {
      const WeightRegion& region = layout_.regions[i];
      const float* weights = engine_.values().data() + region.weight_slot;
      const auto zeros = std::count(weights, weights + region.weight_count, 0.0f);
      zero_fraction_.push_back(static_cast<double>(zeros) /
                               static_cast<double>(std::max<uint64_t>(1, region.weight_count)));
      stats_.layers[i].zero_fraction = zero_fraction_.back();
    }
  }
  weights_stale_ = false;
}

uint64_t MacArray::read_weights(size_t region_index, int images, std::vector<WordChange>& changes) {
  // An epoch is whole batches, or one partial batch at the end of the run.
  const int batch = std::min(params_.batch, images);
  const WeightRegion& region = layout_.regions[region_index];
  WeightReadReport report;
  report.batches = static_cast<uint32_t>(ceil_div(images, batch));
  report.reads_per_batch =
      static_cast<uint32_t>(layer_timing(region_index, batch).reads_per_weight);
  report.changes = &changes;
  uint64_t cycles = 0;
  size_t weight_changes = 0;
  for (const auto& [address, words] : {std::pair{region.weight_address, region.weight_words},
                                       std::pair{region.bias_address, region.bias_words}}) {
    sc_core::sc_time sram_time = sc_core::SC_ZERO_TIME;
    report.field_bits = address == region.weight_address ? layout_.format->bits() : 32;
    Burst(tlm::TLM_IGNORE_COMMAND, address, weights_dmi_ + address, words * kWordBytes)
        .carrying(report)
        .send_or_throw(weight_socket, sram_time, name());
    cycles += static_cast<uint64_t>(sram_time / params_.clock_period);
    if (address == region.weight_address) weight_changes = changes.size();
  }
  // Weight and bias changes each come in batch order; merge them into one order.
  std::inplace_merge(changes.begin(), changes.begin() + static_cast<std::ptrdiff_t>(weight_changes),
                     changes.end(),
                     [](const WordChange& a, const WordChange& b) { return a.batch < b.batch; });
  stats_.layers[region_index].weight_words_read +=
      region.words() * uint64_t{report.batches} * report.reads_per_batch;
  return cycles;
}

uint64_t MacArray::report_activation_traffic(const FoldTiming& timing, uint64_t batches) {
  ActivationTrafficExtension traffic;
  traffic.read_bytes = timing.input_words * sizeof(float) * batches;
  traffic.write_bytes = timing.output_words * sizeof(float) * batches;
  sc_core::sc_time buffer_time = sc_core::SC_ZERO_TIME;
  Burst(tlm::TLM_IGNORE_COMMAND, 0, activations_dmi_, 0)
      .carrying(traffic)
      .send_or_throw(activation_socket, buffer_time, name());
  return static_cast<uint64_t>(buffer_time / params_.clock_period);
}

void MacArray::infer(uint64_t input_address, uint64_t output_address, int images,
                     sc_core::sc_time& delay, const StreamSchedule& streams) {
  if (!streams.tiles.empty()) {
    std::vector<bool> streamed(layout_.regions.size());
    for (size_t i = 0; i < streamed.size(); ++i) streamed[i] = streams.tiles[i] > 0;
    engine_.set_streamed(std::move(streamed));
  }
  sync_weights();  // before this stage's reads change the array
  if (activations_dmi_ == nullptr)
    activations_dmi_ = request_dmi(activation_socket, name(), "activation buffer");
  const float* inputs = reinterpret_cast<const float*>(activations_dmi_ + input_address);
  float* logits = reinterpret_cast<float*>(activations_dmi_ + output_address);
  // The weight reads of the stage, as the engine groups them (epochs): the
  // SRAM's faults depend only on which read of which word it is, never on the
  // grouping, so the reads and their cycles are those of one batch after another.
  std::vector<uint64_t> sram_cycles(layout_.regions.size(), 0);
  engine_.run(inputs, images, logits,
              [&](int count, std::vector<std::vector<WordChange>>& changes) {
                for (size_t i = 0; i < layout_.regions.size(); ++i)
                  sram_cycles[i] += read_weights(i, count, changes[i]);
              });
  const uint64_t busy_cycles = stage_cycles(images, sram_cycles, streams);
  stats_.busy_cycles += busy_cycles;
  stats_.images += images;
  delay += params_.clock_period * static_cast<double>(busy_cycles);
}

uint64_t MacArray::stage_cycles(int images, const std::vector<uint64_t>& sram_cycles,
                                const StreamSchedule& streams) {
  const uint64_t full_batches = static_cast<uint64_t>(images / params_.batch);
  const int tail = images % params_.batch;
  uint64_t busy_cycles = 0;
  std::vector<uint64_t> layer_cycles_of(layout_.regions.size(), 0);
  for (size_t i = 0; i < layout_.regions.size(); ++i) {
    LayerStats& layer_stats = stats_.layers[i];
    uint64_t compute_cycles = layer_stats.timing.cycles * full_batches;
    uint64_t macs = layer_stats.timing.macs * full_batches;
    uint64_t buffer_cycles = report_activation_traffic(layer_stats.timing, full_batches);
    if (tail > 0) {
      const FoldTiming partial = layer_timing(i, tail);
      compute_cycles += partial.cycles;
      macs += partial.macs;
      buffer_cycles += report_activation_traffic(partial, 1);
    }
    if (params_.zero_skipping && layer_stats.zero_fraction > 0.0) {
      const double density = 1.0 - layer_stats.zero_fraction;
      const auto kept_cycles =
          static_cast<uint64_t>(std::ceil(density * static_cast<double>(compute_cycles)));
      const auto kept_macs =
          static_cast<uint64_t>(std::llround(density * static_cast<double>(macs)));
      layer_stats.skipped_cycles += compute_cycles - kept_cycles;
      layer_stats.skipped_macs += macs - kept_macs;
      stats_.skipped_cycles += compute_cycles - kept_cycles;
      stats_.skipped_macs += macs - kept_macs;
      compute_cycles = kept_cycles;
      macs = kept_macs;
    }
    const uint64_t layer_cycles = std::max({compute_cycles, sram_cycles[i], buffer_cycles});
    layer_cycles_of[i] = layer_cycles;
    layer_stats.cycles += layer_cycles;
    layer_stats.compute_cycles += compute_cycles;
    stats_.compute_cycles += compute_cycles;
    stats_.macs += macs;
    busy_cycles += layer_cycles;
  }
  std::vector<uint64_t> vector_cycles;
  busy_cycles += vector_stage_cycles(images, vector_cycles);
  const uint64_t batches = full_batches + (tail > 0 ? 1 : 0);
  return busy_cycles + stream_stalls(batches, layer_cycles_of, vector_cycles, streams);
}

uint64_t MacArray::stream_stalls(uint64_t batches, const std::vector<uint64_t>& layer_cycles,
                                 const std::vector<uint64_t>& vector_cycles,
                                 const StreamSchedule& streams) {
  if (streams.tiles.empty() || batches == 0) return 0;
  const auto per_batch = [batches](uint64_t cycles) {
    return static_cast<double>(cycles) / static_cast<double>(batches);
  };
  std::vector<double> stalls(layout_.regions.size(), 0.0);
  double now = 0.0, dma_free = 0.0;
  double slot_free[2] = {0.0, 0.0};  // when each stream buffer's tile is consumed
  uint64_t tile = 0;                 // of the stage's stream, in load order
  for (uint64_t batch = 0; batch < batches; ++batch) {
    for (const auto& [region, vector] : order_) {
      if (vector >= 0) {
        now += per_batch(vector_cycles[static_cast<size_t>(vector)]);
        continue;
      }
      const auto r = static_cast<size_t>(region);
      const uint64_t tiles = streams.tiles[r];
      if (tiles == 0) {  // resident
        now += per_batch(layer_cycles[r]);
        continue;
      }
      const double load = streams.cycles_per_batch[r] / static_cast<double>(tiles);
      const double work = per_batch(layer_cycles[r]) / static_cast<double>(tiles);
      for (uint64_t j = 0; j < tiles; ++j, ++tile) {
        double& slot = slot_free[tile % 2];
        dma_free = std::max(dma_free, slot) + load;  // this tile is in
        if (dma_free > now) {
          stalls[r] += dma_free - now;
          now = dma_free;
        }
        now += work;
        slot = now;
      }
    }
  }
  uint64_t total = 0;
  for (size_t r = 0; r < stalls.size(); ++r) {
    const auto cycles = static_cast<uint64_t>(std::llround(stalls[r]));
    stats_.layers[r].streamed = streams.tiles[r] > 0;
    stats_.layers[r].stall_cycles += cycles;
    stats_.layers[r].cycles += cycles;
    total += cycles;
  }
  stats_.stall_cycles += total;
  return total;
}

uint64_t MacArray::vector_stage_cycles(int images, std::vector<uint64_t>& cycles_of) {
  cycles_of.assign(vector_layers_.size(), 0);
  const uint64_t full_batches = static_cast<uint64_t>(images / params_.batch);
  const int tail = images % params_.batch;
  const auto lanes = static_cast<uint64_t>(params_.vector_lanes);
  uint64_t busy_cycles = 0;
  for (size_t v = 0; v < vector_layers_.size(); ++v) {
    VectorLayerStats& stats = stats_.vector_layers[v];
    const uint64_t ops = stats.ops_per_image * static_cast<uint64_t>(images);
    stats.ops += ops;
    stats_.vector_ops += ops;
    if (!stats.pipeline_of.empty()) continue;  // in a MAC layer's output pipeline
    const size_t index = vector_layers_[v];
    uint64_t read_words = 0;
    for (int from : network_.layer_inputs(index))
      read_words += from < 0 ? network_.input.size()
                             : network_.layers[static_cast<size_t>(from)].output.size();
    const uint64_t write_words = network_.layers[index].output.size();
    uint64_t compute = 0, buffer = 0;
    for (const auto& [count, batch_images] :
         {std::pair<uint64_t, uint64_t>{full_batches, static_cast<uint64_t>(params_.batch)},
          std::pair<uint64_t, uint64_t>{tail > 0 ? 1 : 0, static_cast<uint64_t>(tail)}}) {
      if (count == 0) continue;
      compute += count * ceil_div(stats.ops_per_image * batch_images, lanes);
      FoldTiming traffic;
      traffic.input_words = read_words * batch_images;
      traffic.output_words = write_words * batch_images;
      buffer += report_activation_traffic(traffic, count);
    }
    const uint64_t cycles = std::max(compute, buffer);
    cycles_of[v] = cycles;
    stats.cycles += cycles;
    stats_.vector_cycles += cycles;
    busy_cycles += cycles;
  }
  return busy_cycles;
}

}  // namespace lvsim
