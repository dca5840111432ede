#include "models/mac_array.h"

#include <omp.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "models/activation_buffer.h"
#include "models/memory_target.h"
#include "models/weight_sram.h"
#include "workloads/error.h"

namespace lvsim {
namespace {

uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

// How many scattered slots ahead the change loops prefetch.
constexpr size_t kPrefetchAhead = 16;

}  // namespace

Dataflow dataflow_from_name(const std::string& name) {
  if (name == "ws") return Dataflow::kWeightStationary;
  if (name == "os") return Dataflow::kOutputStationary;
  if (name == "is") return Dataflow::kInputStationary;
  throw Error("mac_array.dataflow: unknown dataflow '" + name + "' (expected ws, os or is)");
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
                   const Network& network, const WeightLayout& layout)
    : sc_module(name),
      weight_socket("weight_socket"),
      activation_socket("activation_socket"),
      params_(params),
      network_(network),
      layout_(layout) {
  if (params.rows <= 0 || params.cols <= 0)
    throw Error("mac_array.rows/cols: expected positive integers");
  if (params.batch <= 0) throw Error("mac_array.batch: expected a positive integer");
  Eigen::setNbThreads(1);  // parallelism is over image chunks, never inside a GEMM
  const int threads = params.host_threads > 0 ? params.host_threads : omp_get_max_threads();
  params_.host_threads = threads;
  working_.assign(layout.parameter_slots, 0.0f);
  words_.assign(layout.total_bytes / WeightLayout::kWordBytes, 0);
  mark_of_slot_.assign(working_.size(), -1);
  changes_.resize(layout.regions.size());
  weight_socket.register_invalidate_direct_mem_ptr(this, &MacArray::invalidate_weights);
  reset_stats();
}

FoldTiming MacArray::layer_timing(size_t region_index, int batch_images) const {
  const Layer& layer = network_.layers[layout_.regions[region_index].layer];
  return dataflow_timing(params_.dataflow, params_.rows, params_.cols,
                         layer.gemm_positions() * static_cast<uint64_t>(batch_images),
                         layer.gemm_depth(), layer.gemm_rows());
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

void MacArray::invalidate_weights(sc_dt::uint64, sc_dt::uint64) {
  working_stale_ = true;
  weights_dmi_ = nullptr;
}

void MacArray::sync_weights() {
  if (!working_stale_) return;
  weights_dmi_ = dmi_pointer(weight_socket, "weight SRAM");
  std::memcpy(words_.data(), weights_dmi_, words_.size() * WeightLayout::kWordBytes);
  for (size_t i = 0; i < layout_.regions.size(); ++i) {
    const WeightRegion& region = layout_.regions[i];
    layout_.decode(region, words_.data(), working_.data());
    if (zero_fraction_.size() <= i) {
      // The sparsity index of the weights as first loaded (zero skipping).
      const float* weights = working_.data() + region.weight_slot;
      const auto zeros = std::count(weights, weights + region.weight_count, 0.0f);
      zero_fraction_.push_back(static_cast<double>(zeros) /
                               static_cast<double>(std::max<uint64_t>(1, region.weight_count)));
      stats_.layers[i].zero_fraction = zero_fraction_.back();
    }
  }
  working_stale_ = false;
}

uint64_t MacArray::report_weight_reads(size_t region_index, int images) {
  // An epoch is whole batches, or one partial batch at the end of the run.
  const int batch = std::min(params_.batch, images);
  const WeightRegion& region = layout_.regions[region_index];
  WeightReadExtension reads;
  reads.passes = static_cast<uint32_t>((images + batch - 1) / batch);
  reads.reads_per_pass = static_cast<uint32_t>(layer_timing(region_index, batch).reads_per_weight);
  std::vector<WordChange>& changes = word_changes_;
  changes.clear();
  reads.changes = &changes;
  uint64_t cycles = 0;
  size_t weight_changes = 0;
  for (const auto& [address, words] : {std::pair{region.weight_address, region.weight_words},
                                       std::pair{region.bias_address, region.bias_words}}) {
    tlm::tlm_generic_payload trans;
    sc_core::sc_time sram_time = sc_core::SC_ZERO_TIME;
    trans.set_command(tlm::TLM_IGNORE_COMMAND);
    trans.set_address(address);
    trans.set_data_ptr(weights_dmi_ + address);
    trans.set_data_length(static_cast<unsigned>(words * WeightLayout::kWordBytes));
    trans.set_streaming_width(trans.get_data_length());
    reads.field_bits = address == region.weight_address ? layout_.format->bits() : 32;
    trans.set_extension(&reads);
    weight_socket->b_transport(trans, sram_time);
    trans.clear_extension(&reads);
    check_response(trans, name());
    cycles += static_cast<uint64_t>(sram_time / params_.clock_period);
    if (address == region.weight_address) weight_changes = changes.size();
  }
  // Weight and bias changes each come in pass order; merge them into one order.
  std::inplace_merge(changes.begin(), changes.begin() + static_cast<std::ptrdiff_t>(weight_changes),
                     changes.end(),
                     [](const WordChange& a, const WordChange& b) { return a.pass < b.pass; });
  // A batch's changes are seen from its first image on.
  if (batch > 1)
    for (WordChange& change : changes) change.pass *= static_cast<uint32_t>(batch);
  translate_changes(region_index);
  stats_.layers[region_index].weight_words_read +=
      region.words() * uint64_t{reads.passes} * reads.reads_per_pass;
  return cycles;
}

// The word changes of a region, in order, as changes of the parameters packed
// in each word: only the fields whose stored code changed, with their values
// before and after.
void MacArray::translate_changes(size_t region_index) {
  const WeightRegion& region = layout_.regions[region_index];
  const WeightFormat& format = *layout_.format;
  const uint64_t bias_first = region.bias_address / WeightLayout::kWordBytes;
  std::vector<SlotChange>& out = changes_[region_index];
  out.clear();
  float before[32];  // a word packs at most 32 parameters
  for (const WordChange& change : word_changes_) {
    const uint32_t diff = change.old ^ change.value;
    int field = 0;
    layout_.decode_word(region, change.word, change.old,
                        [&](uint64_t, float value) { before[field++] = value; });
    field = 0;
    layout_.decode_word(region, change.word, change.value, [&](uint64_t slot, float value) {
      const float old = before[field++];
      if (change.word < bias_first) {
        const uint64_t index = slot - region.weight_slot;
        if (field_code(format, diff, index) == 0) return;  // this weight's bits are intact
      }
      out.push_back({change.pass, static_cast<uint32_t>(slot), value, old});
    });
  }
}

uint64_t MacArray::report_activation_traffic(const FoldTiming& timing, uint64_t batches) {
  ActivationTrafficExtension traffic;
  traffic.read_bytes = timing.input_words * sizeof(float) * batches;
  traffic.write_bytes = timing.output_words * sizeof(float) * batches;
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
  sync_weights();  // before this stage's reads change the array
  if (activations_dmi_ == nullptr)
    activations_dmi_ = dmi_pointer(activation_socket, "activation buffer");
  const float* inputs = reinterpret_cast<const float*>(activations_dmi_ + input_address);
  float* logits = reinterpret_cast<float*>(activations_dmi_ + output_address);

  // Reads are reported, and computed, epoch by epoch: the change logs of an
  // epoch stay small however dense the faults, and fault-free epochs grow to
  // the whole stage. The next epoch's reads are reported (and planned) on this
  // thread while the other host threads compute this epoch's largest layer:
  // their faults reach only the next epoch's plan, so the results are the
  // same as one after the other, and the serial fault bookkeeping no longer
  // leaves cores idle.
  std::vector<uint64_t> sram_cycles(layout_.regions.size(), 0);
  auto read_and_plan = [&](int epoch_count, EpochPlan& plan) {
    for (size_t i = 0; i < layout_.regions.size(); ++i)
      sram_cycles[i] += report_weight_reads(i, epoch_count);
    plan_epoch(epoch_count, plan);
  };
  EpochPlan plans[2];
  int count = epoch_size(images, true);
  read_and_plan(count, plans[0]);
  for (int first = 0, epoch = 0; first < images; ++epoch) {
    const EpochPlan& plan = plans[epoch % 2];
    const int next = first + count;
    const int next_count = next < images ? epoch_size(images - next, false) : 0;
    const std::function<void()> read_next = [&] {
      read_and_plan(next_count, plans[(epoch + 1) % 2]);
    };
    compute_epoch(plan, inputs, first, count, logits, next_count > 0 ? &read_next : nullptr);
    finish_epoch(plan);
    first = next;
    count = next_count;
  }

  const uint64_t full_batches = static_cast<uint64_t>(images / params_.batch);
  const int tail = images % params_.batch;
  uint64_t busy_cycles = 0;
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
    layer_stats.cycles += layer_cycles;
    layer_stats.compute_cycles += compute_cycles;
    stats_.compute_cycles += compute_cycles;
    stats_.macs += macs;
    busy_cycles += layer_cycles;
  }
  stats_.busy_cycles += busy_cycles;
  stats_.images += images;
  delay += params_.clock_period * static_cast<double>(busy_cycles);
}

std::vector<LayerParameters> MacArray::working_parameters() {
  std::vector<LayerParameters> parameters(network_.layers.size());
  for (const WeightRegion& region : layout_.regions) {
    LayerParameters& p = parameters[region.layer];
    p.weights = working_.data() + region.weight_slot;
    p.bias = working_.data() + region.bias_slot;
    if (region.integer()) {
      p.input_scale = region.input_scale;
      p.output_scale = 1.0f / (region.weight_scale * region.input_scale);
    }
  }
  return parameters;
}

void MacArray::compute_batch(const float* inputs, int first, int count, float* logits,
                             const std::vector<std::vector<LayerPatch>>* patches,
                             const std::function<void()>* side_job) {
  const size_t input_size = network_.input.size();
  const size_t classes = static_cast<size_t>(network_.classes());
  std::vector<const std::vector<LayerPatch>*> layer_patches;
  if (patches) {
    layer_patches.assign(network_.layers.size(), nullptr);
    for (size_t i = 0; i < layout_.regions.size(); ++i)
      if (!(*patches)[i].empty()) layer_patches[layout_.regions[i].layer] = &(*patches)[i];
  }
  const float* batch_logits =
      forward_batch(network_, working_parameters(), inputs + input_size * first, count, buffers_,
                    params_.host_threads, patches ? &layer_patches : nullptr, side_job);
  std::copy(batch_logits, batch_logits + classes * count, logits + classes * first);
}

int MacArray::epoch_size(int remaining, bool stage_start) const {
  int count = std::min(std::max(epoch_images_, params_.batch), remaining);
  if (stage_start && last_sparse_ && changes_per_image_ * remaining >= kLeadMinChanges) {
    // A short lead epoch: its reads cannot overlap anything (the stage's
    // inputs are new), but the rest of the stage's can overlap its compute.
    const int lead = (remaining / kLeadDivisor + kForwardChunkImages - 1) / kForwardChunkImages *
                     kForwardChunkImages;
    if (lead >= kForwardChunkImages) count = std::min(count, lead);
  }
  if (count >= kForwardChunkImages && count < remaining) {
    // As many epochs as this size needs, evened out (a stage of 256 images in
    // two epochs of 128, not 176 + 80: corrections grow with the epoch).
    const int epochs = (remaining + count - 1) / count;
    const int even = (remaining + epochs - 1) / epochs;
    count = std::min(remaining,
                     (even + kForwardChunkImages - 1) / kForwardChunkImages * kForwardChunkImages);
  }
  // Whole batches; a partial batch (only at the end of the run: stages and
  // refresh intervals are whole batches) makes an epoch of its own.
  if (count >= params_.batch) count -= count % params_.batch;
  return count;
}

void MacArray::plan_epoch(int count, EpochPlan& plan) {
  plan.patches.clear();  // what the plan held for an epoch two back
  plan.slots.clear();
  plan.final_values.clear();
  // The changes this epoch's reads made, per region; passes count from 0.
  bool changed = false;
  for (const auto& changes : changes_) changed |= !changes.empty();
  if (!changed) {
    plan.kind = EpochKind::kUnchanged;
    last_sparse_ = false;
    epoch_images_ = std::min(2 * epoch_images_, kMaxEpochImages);
    return;
  }
  // Cost of the corrections of fully-connected layers, bounded by counting every
  // change as a distinct word. (A convolution corrects only the few words that
  // change inside each 8-image chunk, see forward_batch, so it is left out.)
  double correction_macs = 0.0;
  size_t corrected_words = 0;
  bool replaces_non_finite = false;
  for (size_t i = 0; i < layout_.regions.size(); ++i) {
    if (network_.layers[layout_.regions[i].layer].kind == LayerKind::kLinear)
      correction_macs += static_cast<double>(changes_[i].size());
    corrected_words += changes_[i].size();
    for (const SlotChange& c : changes_[i]) replaces_non_finite |= !std::isfinite(c.old);
  }
  // The next epoch's change log is kept near kMaxEpochChanges (it is held
  // while the following epoch's reads are logged).
  changes_per_image_ = static_cast<double>(corrected_words) / count;
  const int log_fit = static_cast<int>(
      std::min<double>(kMaxEpochImages, std::max(1.0, kMaxEpochChanges / changes_per_image_)));

  // Many changes: recompute image by image with the weights each one read.
  // So too when a value that changes was not finite: the GEMMs used it, and an
  // infinity cannot be subtracted back out. (A finite but huge one, an
  // exponent bit flipped and flipped back within one epoch, is subtracted
  // back out, losing the other products' digits for the images after it.)
  if (correction_macs > 0.05 * static_cast<double>(network_.macs_per_image()) ||
      corrected_words > 2 * kMaxEpochChanges || replaces_non_finite) {
    plan.kind = EpochKind::kDense;
    last_sparse_ = false;
    plan.changes.resize(changes_.size());
    for (size_t i = 0; i < changes_.size(); ++i) plan.changes[i].swap(changes_[i]);
    epoch_images_ = replaces_non_finite ? 1 : log_fit;
    return;
  }

  plan.kind = EpochKind::kSparse;
  last_sparse_ = true;
  build_patches(count, plan);
  // Every image of an epoch corrects every word the epoch changed, so the
  // correction work per image grows with the epoch: size the next one to keep
  // it near kCorrectionBudget of an image's MACs. (Fully-connected corrections
  // cover, per image, the words changed so far in the epoch: half of the
  // epoch's changes on average.)
  const double per_pass = 0.5 * correction_macs / count;
  const double budget = kCorrectionBudget * static_cast<double>(network_.macs_per_image());
  const int fit =
      static_cast<int>(std::min<double>(kMaxEpochImages, budget / std::max(per_pass, 1.0)));
  epoch_images_ = std::min(
      std::max(fit / kForwardChunkImages * kForwardChunkImages, 2 * kForwardChunkImages), log_fit);
}

// Few changes: one GEMM per layer (fully-connected: with the epoch-start
// values) and per-image corrections with the values each image read, handed
// to forward_batch as one LayerPatch per chunk. Each changed parameter gets one
// entry, in order of first change.
void MacArray::build_patches(int count, EpochPlan& plan) {
  const size_t regions = layout_.regions.size();
  size_t total = 0;
  for (const auto& changes : changes_) total += changes.size();
  if (static_cast<size_t>(next_mark_) + total >
      static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    std::fill(mark_of_slot_.begin(), mark_of_slot_.end(), -1);
    next_mark_ = 0;
  }
  plan.patches.assign(regions, {});
  plan.slots.assign(regions, {});
  plan.final_values.assign(regions, {});
  const int chunks = (count + kForwardChunkImages - 1) / kForwardChunkImages;
  std::vector<uint32_t> entry_of_change;
  for (size_t i = 0; i < regions; ++i) {
    const std::vector<SlotChange>& list = changes_[i];
    if (list.empty()) continue;
    const WeightRegion& region = layout_.regions[i];
    std::vector<uint32_t>& slots = plan.slots[i];
    std::vector<uint32_t> first_pass;  // of each entry
    std::vector<float> values;         // of each entry, as the epoch started
    entry_of_change.resize(list.size());
    const int32_t first_mark = next_mark_;
    for (size_t k = 0; k < list.size(); ++k) {
      if (k + kPrefetchAhead < list.size())  // the slots are scattered over megabytes
        __builtin_prefetch(&mark_of_slot_[list[k + kPrefetchAhead].slot], 1);
      const SlotChange& c = list[k];
      int32_t& mark = mark_of_slot_[c.slot];
      if (mark < first_mark) {
        mark = next_mark_++;
        slots.push_back(c.slot);
        first_pass.push_back(c.pass);
        values.push_back(c.old);
      }
      entry_of_change[k] = static_cast<uint32_t>(mark - first_mark);
    }
    auto entries = std::make_shared<PatchEntries>();
    entries->weight_count = region.weight_count;
    entries->index.reserve(slots.size());
    for (uint32_t slot : slots)
      entries->index.push_back(static_cast<uint32_t>(slot - region.weight_slot));
    // A fully-connected layer's GEMM keeps the epoch-start values and each
    // image adds the differences of the words changed so far (PatchEntries).
    const Layer& layer = network_.layers[region.layer];
    if (layer.kind == LayerKind::kLinear) {
      entries->base_values = values;
      entries->first_image = std::move(first_pass);
      prepare_linear_patch(layer, *entries);
    }
    size_t k = 0;  // the next change
    for (int chunk = 0; chunk < chunks; ++chunk) {
      LayerPatch patch;
      patch.entries = entries;
      const uint32_t chunk_first = static_cast<uint32_t>(chunk * kForwardChunkImages);
      patch.first_image = chunk_first;
      // In delta form only the entries active by the chunk's end are read: a prefix.
      const size_t used =
          entries->first_image.empty()
              ? values.size()
              : static_cast<size_t>(std::upper_bound(entries->first_image.begin(),
                                                     entries->first_image.end(),
                                                     chunk_first + kForwardChunkImages - 1) -
                                    entries->first_image.begin());
      patch.start_values.assign(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(used));
      for (; k < list.size() && list[k].pass < chunk_first + kForwardChunkImages; ++k) {
        values[entry_of_change[k]] = list[k].value;
        patch.changes.push_back({list[k].pass - chunk_first, entry_of_change[k], list[k].value});
      }
      plan.patches[i].push_back(std::move(patch));
    }
    plan.final_values[i] = std::move(values);
  }
}

void MacArray::compute_epoch(const EpochPlan& plan, const float* inputs, int first, int count,
                             float* logits, const std::function<void()>* side_job) {
  switch (plan.kind) {
    case EpochKind::kUnchanged:
      compute_batch(inputs, first, count, logits, nullptr, side_job);
      break;
    case EpochKind::kSparse:
      compute_batch(inputs, first, count, logits, &plan.patches, side_job);
      break;
    case EpochKind::kDense: {
      std::vector<size_t> cursor(plan.changes.size(), 0);
      for (int pass = 0; pass < count; ++pass) {
        for (size_t i = 0; i < plan.changes.size(); ++i) {
          const std::vector<SlotChange>& list = plan.changes[i];
          for (; cursor[i] < list.size() && list[cursor[i]].pass == static_cast<uint32_t>(pass);
               ++cursor[i])
            working_[list[cursor[i]].slot] = list[cursor[i]].value;
        }
        compute_batch(inputs, first + pass, 1, logits, nullptr, pass == 0 ? side_job : nullptr);
      }
      break;
    }
  }
}

void MacArray::finish_epoch(const EpochPlan& plan) {
  if (plan.kind != EpochKind::kSparse) return;  // a dense epoch updated it as it went
  for (size_t i = 0; i < plan.slots.size(); ++i) {
    const std::vector<uint32_t>& slots = plan.slots[i];
    for (size_t e = 0; e < slots.size(); ++e) {
      if (e + kPrefetchAhead < slots.size())
        __builtin_prefetch(&working_[slots[e + kPrefetchAhead]], 1);
      working_[slots[e]] = plan.final_values[i][e];
    }
  }
}

}  // namespace lvsim
