// A chip's weak cells (models/weight_sram/mechanisms/weak_cell_map.h): stuck values in
// the stated share, the same cells at every voltage and nested across
// voltages, a March C- self-test that finds an intermittent cell with the
// probability its reads give it, and failing columns in the array's layout
// (models/weight_sram/sram_layout.h): what interleaving does to them, their
// nesting, their share of the failing cells, and the map unchanged without them.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <set>
#include <utility>
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

TEST_CASE("a protected sign leaves out the sign bit of every weight a word packs, and only those",
          "[weight_sram][faults][weak_cells][format]") {
  auto cells = [](bool protect_sign) {
    WeakCellTraits traits;
    traits.protect_sign = protect_sign;
    // Words 100-199 pack int-8 weights, 300-399 fp16 ones; the others hold 32-bit words.
    traits.packed = {{100, 200, 8}, {300, 400, 16}};
    const WeakCellMap map(traits, 0, cells_weak(1000, 0.05));
    std::vector<uint64_t> keys;
    for (const WeakWord& w : map.words())
      for (int bit = 0; bit < 64; ++bit)
        if ((w.permanent | w.intermittent) >> bit & 1) keys.push_back(uint64_t{w.word} * 64 + bit);
    return keys;
  };
  auto signs = [](uint64_t word) -> uint32_t {
    if (word >= 100 && word < 200) return 0x80808080u;
    if (word >= 300 && word < 400) return 0x80008000u;
    return 0x80000000u;
  };
  std::vector<uint64_t> expected;
  for (uint64_t key : cells(false))
    if (!(signs(key / 64) >> (key % 64) & 1)) expected.push_back(key);
  REQUIRE(expected.size() > 1000);
  CHECK(cells(true) == expected);  // the other cells stay where they were
  const std::vector<uint64_t> all = cells(false);
  CHECK(std::count_if(all.begin(), all.end(), [](uint64_t key) {
          return key / 64 >= 100 && key / 64 < 200 && key % 64 == 15;
        }) > 0);  // cells the protection removes
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

namespace {

// Failing columns only (column_fault_share = 1), `interleave` words per row,
// subarrays of `rows` rows, clusters of `width` columns.
WeakCellTraits columns_only(int interleave, int rows, int width, uint64_t chip) {
  WeakCellTraits traits;
  traits.chip_seed = chip;
  traits.column_fault_share = 1.0;
  traits.column_width = width;
  traits.layout.interleave = interleave;
  traits.layout.subarray_rows = rows;
  return traits;
}

// The (subarray, physical column) pairs holding a failing cell.
std::set<std::pair<uint64_t, int>> failing_columns(const WeakCellMap& map,
                                                   const SramLayout& layout) {
  std::set<std::pair<uint64_t, int>> columns;
  for (const WeakWord& w : map.words())
    for (int bit = 0; bit < 64; ++bit)
      if ((w.permanent | w.intermittent) >> bit & 1)
        columns.insert({layout.row(w.word) / static_cast<uint64_t>(layout.subarray_rows),
                        layout.column(w.word, bit)});
  return columns;
}

// Whether the failing columns are one run of adjacent columns of one subarray, at most `width`
// long.
bool one_cluster(const std::set<std::pair<uint64_t, int>>& columns, int width) {
  if (columns.empty()) return false;
  const auto& [first_subarray, first_column] = *columns.begin();
  const auto& [last_subarray, last_column] = *columns.rbegin();
  return first_subarray == last_subarray && last_column - first_column < width &&
         static_cast<int>(columns.size()) == last_column - first_column + 1;
}

// The cells of a map as word * 64 + bit.
std::vector<uint64_t> cell_keys(const WeakCellMap& map) {
  std::vector<uint64_t> keys;
  for (const WeakWord& w : map.words())
    for (int bit = 0; bit < 64; ++bit)
      if ((w.permanent | w.intermittent) >> bit & 1) keys.push_back(uint64_t{w.word} * 64 + bit);
  return keys;
}

}  // namespace

TEST_CASE("the layout puts bit b of the row's word k in column b * interleave + k",
          "[weight_sram][faults][columns]") {
  SramLayout layout;
  layout.interleave = 4;
  layout.subarray_rows = 2;
  CHECK(layout.column(0, 0) == 0);
  CHECK(layout.column(1, 0) == 1);
  CHECK(layout.column(3, 2) == 2 * 4 + 3);
  CHECK(layout.column(5, 2) == 2 * 4 + 1);  // word 5: row 1, its second word
  CHECK(layout.row(5) == 1);
  CHECK(layout.word_at(1, 9) == 5);
  CHECK(layout.bit_at(9) == 2);
  CHECK(layout.columns(39) == 156);
  CHECK(layout.rows(9) == 3);
  CHECK(layout.subarrays(9) == 2);
}

TEST_CASE("with interleave 4 one failing column cluster puts at most one failing bit in any word",
          "[weight_sram][faults][columns]") {
  // One subarray of 16 rows x 64 words; a handful of clusters per chip: the
  // chips whose failing cells lie in one cluster of adjacent columns.
  for (int width : {1, 2, 3, 4}) {
    int single = 0;
    for (uint64_t chip = 1; chip <= 60; ++chip) {
      const WeakCellTraits traits = columns_only(4, 16, width, chip);
      const WeakCellMap map(traits, 7, cells_weak(64, 0.01));
      const auto columns = failing_columns(map, traits.layout);
      if (!one_cluster(columns, width)) continue;
      ++single;
      INFO("width " << width << ", chip " << chip);
      CHECK(map.cells() == columns.size() * 16);  // every row of the subarray
      for (const WeakWord& w : map.words()) CHECK(__builtin_popcountll(w.permanent) == 1);
    }
    CHECK(single >= 5);
  }
}

TEST_CASE("with interleave 1 a cluster of two columns fails two adjacent bits of each word",
          "[weight_sram][faults][columns]") {
  int single = 0;
  for (uint64_t chip = 1; chip <= 60; ++chip) {
    const WeakCellTraits traits = columns_only(1, 32, 2, chip);
    const WeakCellMap map(traits, 7, cells_weak(32, 0.02));
    const auto columns = failing_columns(map, traits.layout);
    if (!one_cluster(columns, 2) || columns.size() != 2) continue;  // both columns on the array
    ++single;
    INFO("chip " << chip);
    CHECK(map.words().size() == 32);  // each word of the subarray's 32 rows
    const int first = columns.begin()->second;
    for (const WeakWord& w : map.words()) CHECK(w.permanent == uint64_t{3} << first);
    CHECK(map.column_fault_cells() == map.cells());
    CHECK(map.intermittent_cells() == 0);  // a failing column fails on every read
  }
  CHECK(single >= 5);
}

TEST_CASE("failing columns are nested across voltages, and fail in each domain by its p",
          "[weight_sram][faults][columns]") {
  WeakCellTraits traits = columns_only(4, 64, 2, 5);
  traits.column_fault_share = 0.5;
  traits.intermittent_share = 0.5;
  const auto keys = [&](double fraction) {
    return cell_keys(WeakCellMap(traits, 7, cells_weak(1 << 14, fraction)));
  };
  const std::vector<uint64_t> high_v = keys(1e-3), low_v = keys(4e-3);
  REQUIRE(high_v.size() > 100);
  CHECK(keys(1e-3) == high_v);  // the same chip, the same cells
  CHECK(std::includes(low_v.begin(), low_v.end(), high_v.begin(), high_v.end()));
  CHECK(low_v.size() > 2 * high_v.size());

  // One subarray across two domains: a column failing in the high-p half's
  // rows... and each column failing in the low-p half fails in the high-p half too.
  traits.column_fault_share = 1.0;
  std::vector<VoltageDomain> domains(2);
  domains[0].end_word = domains[1].first_word = 256;
  domains[1].end_word = 512;
  domains[0].weak_fraction = 2e-3;
  domains[1].weak_fraction = 2e-2;
  std::set<int> low_p, high_p;
  for (uint64_t chip = 1; chip <= 20; ++chip) {
    traits.chip_seed = chip;
    traits.layout.subarray_rows = 128;  // 512 words / 4 per row: one subarray
    const WeakCellMap map(traits, 0, domains);
    std::set<int> in_low, in_high;
    for (const WeakWord& w : map.words())
      for (int bit = 0; bit < 32; ++bit)
        if (w.permanent >> bit & 1)
          (w.word < 256 ? in_low : in_high).insert(traits.layout.column(w.word, bit));
    CHECK(std::includes(in_high.begin(), in_high.end(), in_low.begin(), in_low.end()));
    for (int c : in_low) low_p.insert(static_cast<int>(chip) * 1000 + c);
    for (int c : in_high) high_p.insert(static_cast<int>(chip) * 1000 + c);
  }
  CHECK(high_p.size() > 3 * low_p.size());
  CHECK(!low_p.empty());
}

TEST_CASE("without failing columns the chip's map is the one independent cells gave before",
          "[weight_sram][faults][columns]") {
  // Digest of the map the code before column faults built (e6e21e4) for this chip.
  const auto digest = [](const WeakCellMap& map) {
    uint64_t hash = 1469598103934665603ull;  // FNV-1a over every weak word's fields
    for (const WeakWord& w : map.words())
      for (uint64_t field :
           {uint64_t{w.word}, w.permanent, w.intermittent, w.stuck_ones, w.tested}) {
        hash ^= field;
        hash *= 1099511628211ull;
      }
    return hash;
  };
  WeakCellTraits traits;
  traits.chip_seed = 3;
  traits.stuck_zero_share = 0.3;
  traits.intermittent_share = 0.5;
  traits.intermittent_q = 0.5;
  std::vector<VoltageDomain> domains(2);
  domains[0].end_word = domains[1].first_word = 3000;
  domains[1].end_word = 8192;
  domains[0].weak_fraction = 1e-3;
  domains[1].weak_fraction = 1e-2;
  domains[1].weak_fraction_at_test = 4e-3;
  const WeakCellMap before(traits, 7, domains);
  CHECK(before.cells() == 2188);
  CHECK(digest(before) == 0xdc1956add284da27ull);
  CHECK(before.column_fault_cells() == 0);
  // The layout and the cluster width change nothing while no column fails.
  traits.layout.interleave = 8;
  traits.layout.subarray_rows = 16;
  traits.column_width = 4;
  CHECK(digest(WeakCellMap(traits, 7, domains)) == 0xdc1956add284da27ull);
}

TEST_CASE("failing columns give the share column_fault_share of the failing cells",
          "[weight_sram][faults][columns]") {
  // Clusters of one column: each of the S x C columns fails independently with
  // probability s p, every cell of it; the cells alone fail with (1 - s) p.
  const double share = 0.25, p = 1e-3;
  const uint64_t words = 1 << 18;
  WeakCellTraits traits = columns_only(4, 8, 1, 9);
  traits.column_fault_share = share;
  const WeakCellMap map(traits, 0, cells_weak(words, p));
  const double columns = static_cast<double>(words / 4 / 8) * 32 * 4;
  check_binomial(static_cast<double>(map.column_fault_cells()) / 8.0, columns, share * p);
  // An independent cell inside a failing column is counted there (about 2 here).
  check_binomial(static_cast<double>(map.cells() - map.column_fault_cells()), words * 32.0,
                 (1 - share) * p);
  // Clusters of two: the same share within a stated tolerance (about 200 clusters).
  traits.column_width = 2;
  const WeakCellMap pairs(traits, 0, cells_weak(words, p));
  const double observed =
      static_cast<double>(pairs.column_fault_cells()) / static_cast<double>(pairs.cells());
  CHECK(std::fabs(observed - share) < 0.05);
}
