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
