#include "models/array/host/host_engine.h"

#include <omp.h>

#include <Eigen/Core>
#include <algorithm>
#include <cstring>
#include <exception>

#include "models/common/prefetch.h"

namespace lvsim {
const ParamTable<HostEngineParams>& HostEngineParams::table() {
  static const ParamTable<HostEngineParams> table = [] {
    ParamTable<HostEngineParams> t;
    t.integer("sim.threads", &HostEngineParams::threads, 0, 0, 1024)
        .help(
            "host threads for the arithmetic, 0 = all cores; results are identical for any value");
    return t;
  }();
  return table;
}

HostEngine::HostEngine(const HostEngineParams& params, const Network& network,
                       const WeightLayout& layout, int batch)
    : network_(network),
      layout_(layout),
      threads_(params.threads > 0 ? params.threads : omp_get_max_threads()),
      compute_(params.compute),
      planner_(network, layout, batch),
      working_(layout.parameter_slots, 0.0f),
      words_(layout.total_bytes / kWordBytes, 0),
      word_changes_(layout.regions.size()),
      last_changes_(layout.regions.size(), 0) {
  Eigen::setNbThreads(1);  // parallelism is over image chunks, never inside a GEMM
}

void HostEngine::load(const unsigned char* image) {
  std::memcpy(words_.data(), image, words_.size() * kWordBytes);
  for (const WeightRegion& region : layout_.regions)
    layout_.decode(region, words_.data(), working_.data());
  if (golden_.empty() && std::find(streamed_.begin(), streamed_.end(), true) != streamed_.end())
    golden_ = working_;
}

void HostEngine::set_streamed(std::vector<bool> streamed) {
  if (streamed == streamed_) return;
  streamed_ = std::move(streamed);
  golden_.clear();
  planner_.set_streamed(streamed_, &golden_);
}

void HostEngine::read_and_plan(int images, EpochPlan& plan, const ReadWeights& read) {
  for (size_t i = 0; i < word_changes_.size(); ++i) {
    word_changes_[i].clear();
    // Room for as many changes per image as the last epoch's (a log grown by
    // doubling would hold up to twice its size, and both copies while it moves).
    const double expected = 1.0625 * static_cast<double>(last_changes_[i]) * images / last_images_;
    if (expected > static_cast<double>(word_changes_[i].capacity()))
      word_changes_[i].reserve(static_cast<size_t>(expected));
  }
  read(images, word_changes_);
  for (size_t i = 0; i < word_changes_.size(); ++i) last_changes_[i] = word_changes_[i].size();
  last_images_ = images;
  if (planner_.plan_dense_words(images, word_changes_, plan)) return;
  for (size_t i = 0; i < word_changes_.size(); ++i) planner_.translate(i, word_changes_[i]);
  planner_.plan(images, plan);
}

void HostEngine::run(const float* inputs, int images, float* logits, const ReadWeights& read) {
  if (!compute_) {  // the same reads, counted alike, in one go
    for (std::vector<WordChange>& changes : word_changes_) changes.clear();
    read(images, word_changes_);
    std::fill(logits, logits + static_cast<size_t>(images) * network_.classes(), 0.0f);
    return;
  }
  EpochPlan plans[2];
  int count = planner_.epoch_size(images, true);
  read_and_plan(count, plans[0], read);
  for (int first = 0, epoch = 0; first < images; ++epoch) {
    const EpochPlan& plan = plans[epoch % 2];
    const int next = first + count;
    const int next_count = next < images ? planner_.epoch_size(images - next, false) : 0;
    const std::function<void()> read_next = [&] {
      read_and_plan(next_count, plans[(epoch + 1) % 2], read);
    };
    compute_epoch(plan, inputs, first, count, logits, next_count > 0 ? &read_next : nullptr);
    finish_epoch(plan);
    // A dense epoch's word changes are done with: freed, not kept until the
    // plan is reused (three logs of every word read would be held at p = 1).
    for (std::vector<WordChange>& list : plans[epoch % 2].word_changes)
      std::vector<WordChange>().swap(list);
    first = next;
    count = next_count;
  }
}

std::vector<LayerParameters> HostEngine::working_parameters() {
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

void HostEngine::compute_batch(const float* inputs, int first, int count, float* logits,
                               const std::vector<std::vector<LayerPatch>>* patches) {
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
                    threads_, patches ? &layer_patches : nullptr, team_.get());
  std::copy(batch_logits, batch_logits + classes * count, logits + classes * first);
}

void HostEngine::compute_epoch(const EpochPlan& plan, const float* inputs, int first, int count,
                               float* logits, const std::function<void()>* side_job) {
  if (threads_ < 2) {  // one core: the reads, then the arithmetic
    if (side_job) (*side_job)();
    compute_plan(plan, inputs, first, count, logits);
    return;
  }
  if (!team_) team_ = std::make_unique<LoopTeam>(threads_);
  team_->start_epoch();
  worker_.start([&] {
    // The epoch ends for the team whatever happens (help() returns).
    struct EndEpoch {
      LoopTeam& team;
      ~EndEpoch() { team.end_epoch(); }
    } end{*team_};
    compute_plan(plan, inputs, first, count, logits);
  });
  std::exception_ptr error;
  if (side_job) {
    try {
      (*side_job)();
    } catch (...) {
      error = std::current_exception();
    }
  }
  team_->help();  // the worker's loops, until its epoch is done
  worker_.wait();
  if (error) std::rethrow_exception(error);
}

void HostEngine::compute_plan(const EpochPlan& plan, const float* inputs, int first, int count,
                              float* logits) {
  for (const std::vector<SlotChange>& list : plan.leading)
    for (const SlotChange& change : list) working_[change.slot] = change.value;
  switch (plan.kind) {
    case EpochKind::kUnchanged:
      compute_batch(inputs, first, count, logits, nullptr);
      break;
    case EpochKind::kSparse:
      compute_batch(inputs, first, count, logits, &plan.patches);
      break;
    case EpochKind::kDense: {
      std::vector<size_t> cursor(plan.changes.size(), 0);
      std::vector<size_t> word_cursor(plan.word_changes.size(), 0);
      for (int image = 0; image < count; ++image) {
        const auto at = static_cast<uint32_t>(image);
        for (size_t i = 0; i < plan.changes.size(); ++i) {
          const std::vector<SlotChange>& list = plan.changes[i];
          for (; cursor[i] < list.size() && list[cursor[i]].image == at; ++cursor[i])
            working_[list[cursor[i]].slot] = list[cursor[i]].value;
        }
        for (size_t i = 0; i < plan.word_changes.size(); ++i) {
          const std::vector<WordChange>& list = plan.word_changes[i];
          for (size_t& k = word_cursor[i]; k < list.size() && planner_.image_of(list[k]) == at; ++k)
            planner_.for_each_changed(
                i, list[k], [&](uint32_t slot, float value, float) { working_[slot] = value; });
        }
        compute_batch(inputs, first + image, 1, logits, nullptr);
      }
      break;
    }
  }
}

void HostEngine::finish_epoch(const EpochPlan& plan) {
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
