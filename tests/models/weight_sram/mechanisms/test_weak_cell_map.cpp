// A chip's weak cells (models/weight_sram/mechanisms/weak_cell_map.h): stuck values in
// the stated share, the same cells at every voltage and nested across
// voltages, and a March C- self-test that finds an intermittent cell with the
// probability its reads give it.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <vector>

#include "models/weight_sram/mechanisms/weak_cell_map.h"
#include "tests/support/weight_sram_bench.h"

using namespace lvsim;
using namespace lvsim::test;

TEST_CASE("weak cells read 0 with the stuck-at-zero share", "[weight_sram][faults][weak_cells]") {
  WeakCellTraits traits;
  traits.stuck_zero_share = 0.8;
  const WeakCellMap map(traits, 0, cells_weak(1 << 16, 0.01));
  uint64_t ones = 0;
  for (const WeakWord& w : map.words()) ones += __builtin_popcountll(w.stuck_ones);
  check_binomial(static_cast<double>(ones), static_cast<double>(map.cells()), 0.2);
}

TEST_CASE("a chip's weak cells are the same at every voltage and nested across voltages",
          "[weight_sram][faults][weak_cells]") {
  auto cells = [](double fraction, uint64_t chip, bool protect_sign, int check_bits) {
    WeakCellTraits traits;
    traits.chip_seed = chip;
    traits.protect_sign = protect_sign;
    const WeakCellMap map(traits, check_bits, cells_weak(1 << 15, fraction));
    std::vector<uint64_t> keys;
    for (const WeakWord& w : map.words())
      for (int bit = 0; bit < 64; ++bit)
        if ((w.permanent | w.intermittent) >> bit & 1) keys.push_back(uint64_t{w.word} * 64 + bit);
    return keys;
  };
  const std::vector<uint64_t> high_v = cells(3e-4, 1, false, 0), low_v = cells(2e-3, 1, false, 0);
  CHECK(high_v == cells(3e-4, 1, false, 0));  // the same chip, the same cells
  REQUIRE(high_v.size() > 100);
  CHECK(std::includes(low_v.begin(), low_v.end(), high_v.begin(), high_v.end()));
  CHECK(low_v.size() > 3 * high_v.size());
  CHECK(cells(3e-4, 2, false, 0) != high_v);  // another chip
  // Check bits (SEC-DED) add cells of their own and leave the data bits' cells alone.
  std::vector<uint64_t> data_only;
  for (uint64_t key : cells(3e-4, 1, false, 7))
    if (key % 64 < 32) data_only.push_back(key);
  CHECK(data_only == high_v);
  // Protecting the sign bit only leaves out the sign bit's cells.
  std::vector<uint64_t> unsigned_cells;
  for (uint64_t key : high_v)
    if (key % 64 != 31) unsigned_cells.push_back(key);
  CHECK(cells(3e-4, 1, true, 0) == unsigned_cells);
}

TEST_CASE("a self-test finds an intermittent cell with probability 1 - (1 - q)^k",
          "[weight_sram][faults][weak_cells][fault_map]") {
  WeakCellTraits traits;
  traits.intermittent_share = 1.0;
  traits.intermittent_q = 0.3;
  WeakCellMap map(traits, 0, cells_weak(1 << 16, 0.01));
  REQUIRE(map.intermittent_cells() == map.cells());
  for (int passes : {1, 2, 4}) {
    map.self_test({7, 0, passes});
    // Stuck at 1: revealed by the 3 reads expecting 0 per pass; stuck at 0 by the 2 expecting 1.
    uint64_t ones = 0, ones_found = 0, zeros = 0, zeros_found = 0;
    for (const WeakWord& w : map.words()) {
      ones += __builtin_popcountll(w.intermittent & w.stuck_ones);
      ones_found += __builtin_popcountll(w.mapped & w.stuck_ones);
      zeros += __builtin_popcountll(w.intermittent & ~w.stuck_ones);
      zeros_found += __builtin_popcountll(w.mapped & ~w.stuck_ones);
    }
    INFO(passes << " pass(es)");
    check_binomial(static_cast<double>(ones_found), static_cast<double>(ones),
                   1.0 - std::pow(0.7, 3 * passes));
    check_binomial(static_cast<double>(zeros_found), static_cast<double>(zeros),
                   1.0 - std::pow(0.7, 2 * passes));
    CHECK(map.mapped_cells() == ones_found + zeros_found);
  }
  // The same run's test finds the same cells; another trial's test others.
  map.self_test({7, 0, 1});
  std::vector<uint64_t> first;
  for (const WeakWord& w : map.words()) first.push_back(w.mapped);
  map.self_test({7, 0, 1});
  std::vector<uint64_t> again, other;
  for (const WeakWord& w : map.words()) again.push_back(w.mapped);
  map.self_test({7, 1, 1});
  for (const WeakWord& w : map.words()) other.push_back(w.mapped);
  CHECK(again == first);
  CHECK(other != first);
}
