// The host engine's epochs (models/array/host/epoch_plan.h): they double while
// reads change nothing, hold whole batches, and a change makes the next one a
// corrected epoch naming the changed parameter's slot.
#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

#include "models/array/host/epoch_plan.h"
#include "models/weights/weight_layout.h"
#include "tests/support/tiny_networks.h"
#include "workloads/network.h"

using namespace lvsim;
using namespace lvsim::test;

TEST_CASE("epochs grow while reads change nothing and always hold whole batches", "[host_engine]") {
  const Network net = tiny_network(3);
  const WeightLayout layout = WeightLayout::of(net);
  EpochPlanner planner(net, layout, 1);
  EpochPlan plan;
  std::vector<int> sizes;
  for (int epoch = 0; epoch < 5; ++epoch) {
    sizes.push_back(planner.epoch_size(256, false));
    for (size_t r = 0; r < layout.regions.size(); ++r) planner.translate(r, {});
    planner.plan(sizes.back(), plan);
    CHECK(plan.kind == EpochKind::kUnchanged);
  }
  CHECK(sizes == std::vector<int>{1, 2, 4, 8, 16});
  CHECK(planner.epoch_size(5, false) == 5);  // never more than the stage has left

  EpochPlanner batched(net, layout, 4);
  CHECK(batched.epoch_size(256, true) == 4);
  CHECK(batched.epoch_size(3, true) == 3);  // the run's final, partial batch

  // A change makes the next epoch a corrected one, sized by the correction budget.
  EpochPlanner changed(net, layout, 1);
  const WeightRegion& fc = layout.regions[1];
  const uint32_t word = static_cast<uint32_t>(fc.weight_address / 4);
  const std::vector<uint8_t> image = layout.image(net);
  uint32_t old;
  std::memcpy(&old, image.data() + fc.weight_address, 4);
  changed.translate(0, {});
  changed.translate(1, {{0, word, old ^ 0x1000u, old}});
  changed.plan(1, plan);
  CHECK(plan.kind == EpochKind::kSparse);
  REQUIRE(plan.slots[1].size() == 1);
  CHECK(plan.slots[1][0] == fc.weight_slot);
}

TEST_CASE("an epoch of more word changes than a log holds keeps them as words", "[host_engine]") {
  const Network net = tiny_network(3);
  const WeightLayout layout = WeightLayout::of(net);
  const std::vector<uint8_t> image = layout.image(net);
  const WeightRegion& fc = layout.regions[1];
  const uint32_t word = static_cast<uint32_t>(fc.weight_address / 4);
  uint32_t old;
  std::memcpy(&old, image.data() + fc.weight_address, 4);
  EpochPlanner planner(net, layout, 1);
  EpochPlan plan;
  std::vector<std::vector<WordChange>> changes(layout.regions.size());
  // A few: translated as before.
  changes[1].push_back({0, word, old ^ 0x1000u, old});
  CHECK_FALSE(planner.plan_dense_words(1, changes, plan));
  CHECK(changes[1].size() == 1);  // nothing taken
  // More than twice kMaxEpochChanges (the word flipping back and forth): a
  // dense epoch that holds the word changes, one image next.
  const auto many = static_cast<size_t>(2 * EpochPlanner::kMaxEpochChanges) + 1;
  for (size_t k = 1; k < many; ++k) {
    const WordChange& last = changes[1].back();
    changes[1].push_back({0, word, last.old, last.value});
  }
  REQUIRE(planner.plan_dense_words(1, changes, plan));
  CHECK(plan.kind == EpochKind::kDense);
  CHECK(plan.word_changes[1].size() == many);
  CHECK(changes[1].empty());
  CHECK(planner.epoch_size(256, false) == 1);
  // The decoded change is the weight's.
  int visited = 0;
  planner.for_each_changed(1, plan.word_changes[1][0], [&](uint32_t slot, float value, float) {
    CHECK(slot == fc.weight_slot);
    uint32_t bits;
    std::memcpy(&bits, &value, 4);
    CHECK(bits == (old ^ 0x1000u));
    ++visited;
  });
  CHECK(visited == 1);
}
