#include "models/array/host/epoch_plan.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <unordered_set>

#include "models/common/ceil_div.h"
#include "models/common/prefetch.h"

namespace lvsim {
EpochPlanner::EpochPlanner(const Network& network, const WeightLayout& layout, int batch)
    : network_(network),
      layout_(layout),
      batch_(batch),
      changes_(layout.regions.size()),
      mark_of_slot_(layout.parameter_slots, -1),
      whole_word_fields_(layout.format->bits() == 32) {}

int EpochPlanner::epoch_size(int remaining, bool stage_start) const {
  int count = std::min(std::max(epoch_images_, batch_), remaining);
  if (stage_start && last_sparse_ && changes_per_image_ * remaining >= kLeadMinChanges) {
    // A short lead epoch: its reads cannot overlap anything (the stage's
    // inputs are new), but the rest of the stage's can overlap its compute.
    const int lead = round_up(remaining / kLeadDivisor, kForwardChunkImages);
    if (lead >= kForwardChunkImages) count = std::min(count, lead);
  }
  if (count >= kForwardChunkImages && count < remaining) {
    // As many epochs as this size needs, evened out (a stage of 256 images in
    // two epochs of 128, not 176 + 80: corrections grow with the epoch).
    const int epochs = ceil_div(remaining, count);
    const int even = ceil_div(remaining, epochs);
    count = std::min(remaining, round_up(even, kForwardChunkImages));
  }
  // Whole batches; a partial batch (only at the end of the run: stages and
  // refresh intervals are whole batches) makes an epoch of its own.
  if (count >= batch_) count -= count % batch_;
  return count;
}

// The word changes of a region, in order, as changes of the parameters packed
// in each word: only the fields whose stored code changed, with their values
// before and after.
void EpochPlanner::translate(size_t region_index, const std::vector<WordChange>& word_changes) {
  std::vector<SlotChange>& out = changes_[region_index];
  out.clear();
  for (const WordChange& change : word_changes)
    for_each_changed(region_index, change, [&](uint32_t slot, float value, float old) {
      out.push_back({image_of(change), slot, value, old});
    });
}

bool EpochPlanner::plan_dense_words(int count, std::vector<std::vector<WordChange>>& word_changes,
                                    EpochPlan& plan) {
  size_t words = 0;
  for (const auto& changes : word_changes) words += changes.size();
  // A streamed region's first-batch changes lead (start_plan): they need the
  // parameter log.
  if (words <= 2 * kMaxEpochChanges ||
      std::find(streamed_.begin(), streamed_.end(), true) != streamed_.end())
    return false;
  // plan()'s measures, counted without logging the parameters.
  double correction_macs = 0.0;
  size_t corrected_words = 0;
  bool replaces_non_finite = false;
  for (size_t i = 0; i < word_changes.size(); ++i) {
    size_t changed = 0;
    for (const WordChange& change : word_changes[i])
      for_each_changed(i, change, [&](uint32_t, float, float old) {
        ++changed;
        replaces_non_finite |= !std::isfinite(old);
      });
    if (network_.layers[layout_.regions[i].layer].kind == LayerKind::kLinear)
      correction_macs += static_cast<double>(changed);
    corrected_words += changed;
  }
  if (!is_dense(correction_macs, corrected_words, replaces_non_finite)) return false;
  start_plan(plan);
  plan.changes.resize(changes_.size());
  for (std::vector<SlotChange>& list : plan.changes) list.clear();
  plan.word_changes.resize(word_changes.size());
  for (size_t i = 0; i < word_changes.size(); ++i) plan.word_changes[i].swap(word_changes[i]);
  plan_dense(count, corrected_words, replaces_non_finite, plan);
  return true;
}

void EpochPlanner::plan_dense(int count, size_t corrected_words, bool replaces_non_finite,
                              EpochPlan& plan) {
  plan.kind = EpochKind::kDense;
  last_sparse_ = false;
  changes_per_image_ = static_cast<double>(corrected_words) / count;
  epoch_images_ = replaces_non_finite ? 1 : log_fit();
}

bool EpochPlanner::is_dense(double correction_macs, size_t corrected_words,
                            bool replaces_non_finite) const {
  return correction_macs > 0.05 * static_cast<double>(network_.macs_per_image()) ||
         corrected_words > 2 * kMaxEpochChanges || replaces_non_finite;
}

int EpochPlanner::log_fit() const {
  // The next epoch's change log is kept near kMaxEpochChanges (it is held
  // while the following epoch's reads are logged).
  return static_cast<int>(
      std::min<double>(kMaxEpochImages, std::max(1.0, kMaxEpochChanges / changes_per_image_)));
}

namespace {

uint32_t bits_of(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

}  // namespace

void EpochPlanner::start_plan(EpochPlan& plan) {
  plan.patches.clear();  // what the plan held for an epoch two back
  plan.slots.clear();
  plan.final_values.clear();
  for (std::vector<WordChange>& list : plan.word_changes) list.clear();
  plan.leading.assign(changes_.size(), {});
  for (size_t i = 0; i < streamed_.size() && i < changes_.size() && golden_; ++i) {
    if (!streamed_[i]) continue;
    // A first-batch change to the loaded value leads, unless the slot already
    // changed otherwise in that batch (its order must hold).
    std::vector<SlotChange>& list = changes_[i];
    std::unordered_set<uint32_t> kept;
    size_t out = 0;
    for (const SlotChange& c : list) {
      if (c.image == 0 && !kept.count(c.slot) && bits_of(c.value) == bits_of((*golden_)[c.slot])) {
        plan.leading[i].push_back(c);
        continue;
      }
      if (c.image == 0) kept.insert(c.slot);
      list[out++] = c;
    }
    list.resize(out);
  }
}

void EpochPlanner::plan(int count, EpochPlan& plan) {
  start_plan(plan);
  // The changes this epoch's reads made, per region; images count from 0.
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
  changes_per_image_ = static_cast<double>(corrected_words) / count;

  // Many changes: recompute image by image with the weights each one read.
  // So too when a value that changes was not finite: the GEMMs used it, and an
  // infinity cannot be subtracted back out. (A finite but huge one, an
  // exponent bit flipped and flipped back within one epoch, is subtracted
  // back out, losing the other products' digits for the images after it.)
  if (is_dense(correction_macs, corrected_words, replaces_non_finite)) {
    plan.changes.resize(changes_.size());
    for (size_t i = 0; i < changes_.size(); ++i) plan.changes[i].swap(changes_[i]);
    plan_dense(count, corrected_words, replaces_non_finite, plan);
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
  const double per_image = 0.5 * correction_macs / count;
  const double budget = kCorrectionBudget * static_cast<double>(network_.macs_per_image());
  const int fit =
      static_cast<int>(std::min<double>(kMaxEpochImages, budget / std::max(per_image, 1.0)));
  epoch_images_ =
      std::min(std::max(fit / kForwardChunkImages * kForwardChunkImages, 2 * kForwardChunkImages),
               log_fit());
}

// One region's entries: each changed slot once, in order of first change,
// with the image of its first change and its value as the epoch started;
// `entry_of_change` maps each change to its entry.
void EpochPlanner::assign_entries(const std::vector<SlotChange>& list, RegionEntries& out) {
  out.entry_of_change.resize(list.size());
  const int32_t first_mark = next_mark_;
  for (size_t k = 0; k < list.size(); ++k) {
    if (k + kPrefetchAhead < list.size())  // the slots are scattered over megabytes
      __builtin_prefetch(&mark_of_slot_[list[k + kPrefetchAhead].slot], 1);
    const SlotChange& c = list[k];
    int32_t& mark = mark_of_slot_[c.slot];
    if (mark < first_mark) {
      mark = next_mark_++;
      out.slots.push_back(c.slot);
      out.first_image.push_back(c.image);
      out.values.push_back(c.old);
    }
    out.entry_of_change[k] = static_cast<uint32_t>(mark - first_mark);
  }
}

namespace {

// The patches of `chunks` chunks of one region; leaves `values` as the
// epoch's last reads left them.
std::vector<LayerPatch> chunk_patches(const std::vector<SlotChange>& list,
                                      const std::shared_ptr<const PatchEntries>& entries,
                                      const std::vector<uint32_t>& entry_of_change,
                                      std::vector<float>& values, int chunks) {
  std::vector<LayerPatch> patches;
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
    for (; k < list.size() && list[k].image < chunk_first + kForwardChunkImages; ++k) {
      values[entry_of_change[k]] = list[k].value;
      patch.changes.push_back({list[k].image - chunk_first, entry_of_change[k], list[k].value});
    }
    patches.push_back(std::move(patch));
  }
  return patches;
}

}  // namespace

// Few changes: one GEMM per layer (fully-connected: with the epoch-start
// values) and per-image corrections with the values each image read, handed
// to forward_batch as one LayerPatch per chunk. Each changed parameter gets one
// entry, in order of first change.
void EpochPlanner::build_patches(int count, EpochPlan& plan) {
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
  const int chunks = ceil_div(count, kForwardChunkImages);
  for (size_t i = 0; i < regions; ++i) {
    const std::vector<SlotChange>& list = changes_[i];
    if (list.empty()) continue;
    const WeightRegion& region = layout_.regions[i];
    RegionEntries assigned;
    assign_entries(list, assigned);
    auto entries = std::make_shared<PatchEntries>();
    entries->weight_count = region.weight_count;
    entries->index.reserve(assigned.slots.size());
    for (uint32_t slot : assigned.slots)
      entries->index.push_back(static_cast<uint32_t>(slot - region.weight_slot));
    // A fully-connected layer's GEMM keeps the epoch-start values and each
    // image adds the differences of the words changed so far (PatchEntries).
    const Layer& layer = network_.layers[region.layer];
    entries->fresh = i < streamed_.size() && streamed_[i];
    if (entries->fresh) entries->base_values = assigned.values;
    if (layer.kind == LayerKind::kLinear) {
      entries->base_values = assigned.values;
      entries->first_image = std::move(assigned.first_image);
      prepare_linear_patch(layer, *entries);
    }
    plan.patches[i] =
        chunk_patches(list, entries, assigned.entry_of_change, assigned.values, chunks);
    plan.slots[i] = std::move(assigned.slots);
    plan.final_values[i] = std::move(assigned.values);
  }
}

}  // namespace lvsim
