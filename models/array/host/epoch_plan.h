// How the host groups images into epochs and turns an epoch's weight changes
// into work for the arithmetic: a simulator speed device, not hardware. The
// simulated array still processes one batch after another; an epoch is only
// how many of those the host computes in one go.
//
// When reads change weights, an epoch is computed either
//   - sparse: one GEMM per chunk with the weights as the epoch started, plus
//     per-image corrections (LayerPatch, workloads/layers.h) for the words each
//     image's read changed; or
//   - dense: image by image, the working copy updated before each image.
// Planning reads only the change logs, never the working copy, so the next
// epoch's reads and plan can overlap this epoch's arithmetic (host_engine.h).
//
// Epoch sizes: epochs double while reads change nothing (up to a whole
// stage); with changes they are sized so that the corrections cost about
// kCorrectionBudget of an image's MACs and the change logs stay near
// kMaxEpochChanges.
#pragma once

#include <cstdint>
#include <vector>

#include "models/array/host/forward_batch.h"
#include "models/common/huge_pages.h"
#include "models/weight_sram/weight_read_report.h"
#include "models/weights/weight_layout.h"
#include "workloads/network.h"

namespace lvsim {

// A parameter a read changed: the image of the epoch from which on it holds
// (the first image of the batch whose reads changed it), its slot in the
// working copy (WeightRegion::weight_slot) and its decoded values after and before.
struct SlotChange {
  uint32_t image;
  uint32_t slot;
  float value;
  float old;
};

enum class EpochKind { kUnchanged, kSparse, kDense };

// An epoch's reads made ready for its computation.
struct EpochPlan {
  EpochKind kind = EpochKind::kUnchanged;
  // kSparse: per region, one LayerPatch per chunk, the slots that changed and
  // their values once the epoch's reads are done.
  std::vector<std::vector<LayerPatch>> patches;
  std::vector<std::vector<uint32_t>> slots;
  std::vector<std::vector<float>> final_values;
  std::vector<std::vector<SlotChange>> changes;  // kDense: per region, in image order
  // kDense, when the reads changed far more words than an epoch's parameter
  // log holds (EpochPlanner::plan_dense_words): per region, the word changes
  // themselves, in batch order, decoded as the epoch is computed.
  std::vector<std::vector<WordChange>> word_changes;
  // Streamed regions (reloaded before every batch): the changes of the epoch's
  // first batch back to the loaded values (the load undoing the last batch's
  // faults), written into the working copy before the epoch is computed, so
  // that no GEMM starts from the last load's faulty values and subtracts them
  // back out (an exponent flip would take the other products' digits).
  std::vector<std::vector<SlotChange>> leading;
};

class EpochPlanner {
 public:
  // Corrections of a sparse epoch cost about this fraction of an image's MACs.
  static constexpr double kCorrectionBudget = 0.002;
  static constexpr int kMaxEpochImages = 1 << 20;
  // Epochs are also sized to log about this many changes (4 MB; three logs
  // are held at once), and one that logs twice as many is computed densely.
  static constexpr double kMaxEpochChanges = 1 << 18;
  // While reads keep changing many weights (kLeadMinChanges or more expected
  // in the stage), a stage starts with a lead epoch of 1/kLeadDivisor of its
  // images, so that the rest of the stage's reads overlap the lead's compute
  // (4 measured best of 2, 4, 8 and none at p = 1e-4 per word; with fewer
  // changes the extra epoch costs more than the overlap saves).
  static constexpr int kLeadDivisor = 4;
  static constexpr double kLeadMinChanges = 16384;

  // `batch`: the array's batch; epochs hold whole batches.
  EpochPlanner(const Network& network, const WeightLayout& layout, int batch);

  // Regions loaded afresh before every batch (streamed layers) and every slot's
  // value as loaded (`golden`, outliving the planner's use): their first-batch
  // changes back to the loaded value become EpochPlan::leading.
  void set_streamed(std::vector<bool> streamed, const HugeVector<float>* golden) {
    streamed_ = std::move(streamed);
    golden_ = golden;
  }
  // Images in the next epoch, `remaining` images being left in the stage.
  int epoch_size(int remaining, bool stage_start) const;
  // Takes in a region's word changes of the epoch being read, as changes of
  // the parameters packed in each word (only fields whose code changed).
  void translate(size_t region_index, const std::vector<WordChange>& word_changes);
  // Turns the translated changes of an epoch of `count` images into `plan`,
  // and sizes the next epoch from them.
  void plan(int count, EpochPlan& plan);
  // The reads of an epoch of `count` images changed `word_changes` (per
  // region). When they are far more than a sparse epoch logs and make a
  // dense epoch, `plan` takes them as they are (EpochPlan::word_changes), the
  // next epoch is sized as plan() would, and true is returned: the
  // per-parameter log, 16 bytes per changed parameter, is never written (at
  // p = 1 every word read changes). Otherwise nothing is taken: translate
  // and plan follow.
  bool plan_dense_words(int count, std::vector<std::vector<WordChange>>& word_changes,
                        EpochPlan& plan);
  // Calls visit(slot, value, old) for each parameter of a changed word of
  // region `region_index` whose code changed (a bias, a word of its own, always).
  template <typename Visit>
  void for_each_changed(size_t region_index, const WordChange& change, Visit visit) const;
  // The image of the epoch from which on a word change holds.
  uint32_t image_of(const WordChange& change) const {
    return change.batch * static_cast<uint32_t>(batch_);
  }

 private:
  struct RegionEntries {
    std::vector<uint32_t> slots;        // of each entry
    std::vector<uint32_t> first_image;  // of each entry
    std::vector<float> values;          // of each entry, as the epoch started
    std::vector<uint32_t> entry_of_change;
  };
  void assign_entries(const std::vector<SlotChange>& list, RegionEntries& out);
  void build_patches(int count, EpochPlan& plan);
  // Whether an epoch's changes are computed image by image (plan()'s rule,
  // explained there).
  bool is_dense(double correction_macs, size_t corrected_words, bool replaces_non_finite) const;
  // A dense epoch: the plan's kind and the next epoch's size (plan()'s rule).
  void plan_dense(int count, size_t corrected_words, bool replaces_non_finite, EpochPlan& plan);
  // Images of an epoch whose change log stays near kMaxEpochChanges, at the
  // last epoch's changes per image.
  int log_fit() const;
  // Clears what `plan` held for an epoch two back and moves the streamed
  // regions' first-batch changes back to the loaded values into plan.leading.
  void start_plan(EpochPlan& plan);

  const Network& network_;
  const WeightLayout& layout_;
  int batch_;
  std::vector<bool> streamed_;                    // per region
  const HugeVector<float>* golden_ = nullptr;     // per slot, of the streamed regions
  std::vector<std::vector<SlotChange>> changes_;  // per region, this epoch's reads
  // The mark of each slot's entry in build_patches. Marks only grow, so a mark
  // below the current region's first one is stale and no clearing sweep over
  // the scattered slots is needed.
  HugeVector<int32_t> mark_of_slot_;  // on huge pages: the slots are scattered
  int32_t next_mark_ = 0;
  bool whole_word_fields_;          // a weight per word (32-bit fields): a change is its weight's
  int epoch_images_ = 1;            // grows while reads change nothing
  bool last_sparse_ = false;        // the last epoch was corrected, not recomputed
  double changes_per_image_ = 0.0;  // logged by the last epoch that changed any
};

template <typename Visit>
void EpochPlanner::for_each_changed(size_t region_index, const WordChange& change,
                                    Visit visit) const {
  const WeightRegion& region = layout_.regions[region_index];
  const uint64_t bias_first = region.bias_address / kWordBytes;
  if (whole_word_fields_ && change.word < bias_first) {  // one weight, every bit of it
    const uint64_t slot = region.weight_slot + (change.word - region.weight_address / kWordBytes);
    if (slot < region.weight_slot + region.weight_count)
      visit(static_cast<uint32_t>(slot), layout_.format->decode(change.value, region.weight_scale),
            layout_.format->decode(change.old, region.weight_scale));
    return;
  }
  const uint32_t diff = change.old ^ change.value;
  float before[32];  // a word packs at most 32 parameters
  int field = 0;
  layout_.decode_word(region, change.word, change.old,
                      [&](uint64_t, float value) { before[field++] = value; });
  field = 0;
  layout_.decode_word(region, change.word, change.value, [&](uint64_t slot, float value) {
    const float old = before[field++];
    if (change.word < bias_first &&
        field_code(*layout_.format, diff, slot - region.weight_slot) == 0)
      return;  // this weight's bits are intact
    visit(static_cast<uint32_t>(slot), value, old);
  });
}

}  // namespace lvsim
