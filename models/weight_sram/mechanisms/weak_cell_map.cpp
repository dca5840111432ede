#include "models/weight_sram/mechanisms/weak_cell_map.h"

#include <algorithm>
#include <cmath>
#include <iterator>

#include "models/common/counter_rng.h"
#include "models/weight_sram/sram_word.h"

namespace lvsim {
namespace {

constexpr uint64_t kWeakCellStream = 0x5745414Bull;   // "WEAK": the chip's cells, not a read
constexpr uint64_t kSelfTestStream = 0x42495354ull;   // "BIST": a power-up's self-test
constexpr uint64_t kWriteFailStream = 0x57524954ull;  // "WRIT": which cells fail writes
constexpr uint64_t kColumnStream = 0x434F4C53ull;     // "COLS": the chip's failing columns

// Tier boundaries of the rank: 0, 1e-9, 2e-9, 5e-9, 1e-8, ..., 0.2, 0.5, 1.
std::vector<double> tier_bounds() {
  std::vector<double> bounds = {0.0};
  for (int exponent = -9; exponent <= -1; ++exponent)
    for (double mantissa : {1.0, 2.0, 5.0}) bounds.push_back(mantissa * std::pow(10.0, exponent));
  bounds.push_back(1.0);
  return bounds;
}

const VoltageDomain* domain_of(const std::vector<VoltageDomain>& domains, uint64_t word) {
  for (const VoltageDomain& domain : domains)
    if (word >= domain.first_word && word < domain.end_word) return &domain;
  return nullptr;
}

// The positions of [0, positions) whose rank lies in one tier: the tier holds
// each position independently with probability (b_t+1 - b_t) / (1 - b_t),
// found by geometric skipping, its rank uniform within the tier. After each
// position the caller draws the position's traits from rng().
class TierWalk {
 public:
  TierWalk(int tier, uint64_t positions, uint64_t chip_seed, uint64_t stream)
      : positions_(positions), rng_(chip_seed, 0, stream, 0) {
    static const std::vector<double> bounds = tier_bounds();
    low_ = bounds[static_cast<size_t>(tier)];
    high_ = bounds[static_cast<size_t>(tier) + 1];
    const double share = (high_ - low_) / (1.0 - low_);  // of the positions no lower tier holds
    every_ = share >= 1.0;
    log1m_ = std::log1p(-std::min(share, 1.0 - 1e-16));
  }
  // The next position and its rank; false past the last.
  bool next(uint64_t& position, double& rank) {
    const uint64_t gap = every_ ? 0 : rng_.geometric_gap(log1m_, positions_);
    next_ = started_ ? next_ + 1 + gap : gap;
    started_ = true;
    if (next_ >= positions_) return false;
    position = next_;
    rank = low_ + (high_ - low_) * rng_.uniform();
    return true;
  }
  CounterRng& rng() { return rng_; }

 private:
  uint64_t positions_;
  CounterRng rng_;
  double low_ = 0.0, high_ = 1.0, log1m_ = 0.0;
  bool every_ = false, started_ = false;
  uint64_t next_ = 0;
};

// Merges the sorted `keys` into the sorted `taken`.
void merge_taken(std::vector<uint64_t>& taken, std::vector<uint64_t>& keys) {
  std::sort(keys.begin(), keys.end());
  std::vector<uint64_t> merged;
  merged.reserve(taken.size() + keys.size());
  std::merge(taken.begin(), taken.end(), keys.begin(), keys.end(), std::back_inserter(merged));
  taken.swap(merged);
}

// The sign bits of `word` (fault.protect_sign): the top bit of each of its fields.
uint32_t sign_bits_of(const std::vector<PackedWords>& packed, uint64_t word) {
  const auto after =
      std::upper_bound(packed.begin(), packed.end(), word,
                       [](uint64_t w, const PackedWords& range) { return w < range.first_word; });
  if (after != packed.begin() && word < std::prev(after)->end_word)
    return field_sign_bits(std::prev(after)->field_bits);
  return field_sign_bits(kWordBits);
}

}  // namespace

WeakCellMap::WeakCellMap(const WeakCellTraits& traits, const WordGeometry& geometry,
                         const std::vector<VoltageDomain>& domains)
    : traits_(traits),
      geometry_(geometry),
      intermittent_gaps_(std::log1p(-std::min(traits.intermittent_q, 1.0 - 1e-16))) {
  build(domains);
}

// The candidates of one tier in one bit stream (32 data bits per lane, or a
// word's check bits, each in the lane holding it), leaving out cells a lower
// tier already holds.
void WeakCellMap::add_tier(int tier, uint64_t positions, const WordGeometry* checks,
                           uint64_t stream, std::vector<uint64_t>& taken,
                           std::vector<Candidate>& found) const {
  TierWalk walk(tier, positions, traits_.chip_seed, stream);
  uint64_t position = 0;
  double rank = 0.0;
  while (walk.next(position, rank)) {
    Candidate c;
    if (checks) {
      const auto per_word = static_cast<uint64_t>(checks->check_bits);
      const auto [lane, bit] = checks->locate(
          position / per_word, checks->word_bits() + static_cast<int>(position % per_word));
      c.key = lane * 64 + static_cast<uint64_t>(bit);
    } else {
      c.key = position / 32 * 64 + position % 32;
    }
    // Every candidate draws all its traits, so a trait's parameter never moves the cells.
    c.rank = rank;
    c.stuck_one = walk.rng().uniform() >= traits_.stuck_zero_share;
    c.intermittent = walk.rng().uniform() < traits_.intermittent_share;
    c.tested = true;
    // From a stream of its own, per cell: the share moves no other trait.
    c.write_fails = traits_.write_fail_share > 0.0 &&
                    CounterRng(traits_.chip_seed, 0, kWriteFailStream, c.key).uniform() <
                        traits_.write_fail_share;
    if (!std::binary_search(taken.begin(), taken.end(), c.key)) found.push_back(c);
  }
}

std::vector<WeakCellMap::Candidate> WeakCellMap::weak_cells(
    const std::vector<VoltageDomain>& domains, uint64_t words) const {
  // The columns give a share of the failing cells; the cells alone the rest.
  const double cell_share = 1.0 - traits_.column_fault_share;
  double most = 0.0;
  for (const VoltageDomain& domain : domains)
    most = std::max(most, cell_share * domain.weak_fraction);
  std::vector<Candidate> weak;
  if (!(most > 0.0)) return weak;
  static const std::vector<double> bounds = tier_bounds();
  std::vector<uint64_t> taken;  // every candidate of the tiers so far, sorted
  for (int tier = 0; tier + 1 < static_cast<int>(bounds.size()) && bounds[tier] < most; ++tier) {
    std::vector<Candidate> found;
    add_tier(tier, words * 32, nullptr, kWeakCellStream + 2 * static_cast<uint64_t>(tier), taken,
             found);
    if (geometry_.check_bits > 0)
      add_tier(tier,
               words / static_cast<uint64_t>(geometry_.lanes) *
                   static_cast<uint64_t>(geometry_.check_bits),
               &geometry_, kWeakCellStream + 2 * static_cast<uint64_t>(tier) + 1, taken, found);
    std::vector<uint64_t> keys;
    keys.reserve(found.size());
    for (const Candidate& c : found) {
      keys.push_back(c.key);
      const uint64_t bit = c.key % 64;
      const bool sign = traits_.protect_sign && bit < kWordBits &&
                        (sign_bits_of(traits_.packed, c.key / 64) >> bit & 1);
      const VoltageDomain* domain = domain_of(domains, c.key / 64);
      if (domain && c.rank < cell_share * domain->weak_fraction && !sign) {
        weak.push_back(c);
        weak.back().tested = c.rank < cell_share * domain->tested_fraction();
        weak.back().write_fails = c.write_fails && c.rank < cell_share * domain->write_fraction();
      }
    }
    merge_taken(taken, keys);
  }
  return weak;
}

// Cluster positions per subarray: a cluster's first column runs from
// -(kMaxColumnWidth - 1) (overhanging the row's start) to the last column a
// row of 64 stored bits per word could have (or more, for wider words),
// whatever the check bits, so that they do not move the ranks of the data
// bits' columns. The layout's words are the words as read (sram_layout.h).
std::vector<WeakCellMap::Candidate> WeakCellMap::column_cells(
    const std::vector<VoltageDomain>& domains, uint64_t words) const {
  const double share = traits_.column_fault_share;
  const int width = traits_.column_width;
  double most = 0.0;
  for (const VoltageDomain& domain : domains)
    most = std::max(most, share * domain.weak_fraction / width);
  std::vector<Candidate> cells;
  if (!(most > 0.0)) return cells;
  const SramLayout& layout = traits_.layout;
  const int slots_per_subarray =
      WeakCellTraits::kMaxColumnWidth - 1 + layout.columns(std::max(64, geometry_.stored_bits()));
  const auto slots = static_cast<uint64_t>(slots_per_subarray);
  const uint64_t positions =
      layout.subarrays(words / static_cast<uint64_t>(geometry_.lanes)) * slots;
  static const std::vector<double> bounds = tier_bounds();
  std::vector<uint64_t> taken;  // every position of the tiers so far, sorted
  for (int tier = 0; tier + 1 < static_cast<int>(bounds.size()) && bounds[tier] < most; ++tier) {
    TierWalk walk(tier, positions, traits_.chip_seed, kColumnStream + static_cast<uint64_t>(tier));
    std::vector<uint64_t> keys;
    uint64_t position = 0;
    double rank = 0.0;
    while (walk.next(position, rank)) {
      bool stuck_one[WeakCellTraits::kMaxColumnWidth];  // per column; every candidate draws all
      for (bool& one : stuck_one) one = walk.rng().uniform() >= traits_.stuck_zero_share;
      if (std::binary_search(taken.begin(), taken.end(), position)) continue;
      keys.push_back(position);
      const int first_column =
          static_cast<int>(position % slots) - (WeakCellTraits::kMaxColumnWidth - 1);
      add_cluster(position / slots, first_column, rank, stuck_one, domains, words, cells);
    }
    merge_taken(taken, keys);
  }
  return cells;
}

void WeakCellMap::add_cluster(uint64_t subarray, int first_column, double rank,
                              const bool* stuck_one, const std::vector<VoltageDomain>& domains,
                              uint64_t words, std::vector<Candidate>& cells) const {
  const SramLayout& layout = traits_.layout;
  const double share = traits_.column_fault_share / traits_.column_width;
  const uint64_t first_row = subarray * static_cast<uint64_t>(layout.subarray_rows);
  const uint64_t end_row = std::min(first_row + static_cast<uint64_t>(layout.subarray_rows),
                                    layout.rows(words / static_cast<uint64_t>(geometry_.lanes)));
  for (int i = 0; i < traits_.column_width; ++i) {
    const int column = first_column + i;
    if (column < 0 || column >= layout.columns(geometry_.stored_bits()))
      continue;  // off the array's edge
    for (uint64_t row = first_row; row < end_row; ++row) {
      // The word as read, then the lane and lane bit holding the column's cell.
      const auto [word, bit] = geometry_.locate(layout.word_at(row, column), layout.bit_at(column));
      // A protected sign bit (of each weight the word packs) never fails.
      if (traits_.protect_sign && bit < kWordBits &&
          (sign_bits_of(traits_.packed, word) >> bit & 1))
        continue;
      const VoltageDomain* domain = word < words ? domain_of(domains, word) : nullptr;
      if (!domain || !(rank < share * domain->weak_fraction)) continue;
      Candidate c;
      c.key = word * 64 + static_cast<uint64_t>(bit);
      c.rank = rank;
      c.stuck_one = stuck_one[i];
      c.intermittent = false;
      c.tested = rank < share * domain->tested_fraction();
      c.column = true;
      cells.push_back(c);
    }
  }
}

void WeakCellMap::build(const std::vector<VoltageDomain>& domains) {
  uint64_t words = 0;
  for (const VoltageDomain& domain : domains) words = std::max(words, domain.end_word);
  std::vector<Candidate> weak = weak_cells(domains, words);
  if (traits_.column_fault_share > 0.0) {
    const std::vector<Candidate> columns = column_cells(domains, words);
    weak.insert(weak.end(), columns.begin(), columns.end());
  }
  // By cell; where a cell is weak alone and in a failing column, or in two
  // overlapping clusters, the column decides, the one failing first (lowest
  // rank) among columns, and the cell counts once.
  std::sort(weak.begin(), weak.end(), [](const Candidate& a, const Candidate& b) {
    if (a.key != b.key) return a.key < b.key;
    if (a.column != b.column) return a.column;
    return a.rank < b.rank;
  });
  const bool always = traits_.intermittent_q >= 1.0;
  for (size_t i = 0; i < weak.size(); ++i) {
    const Candidate& c = weak[i];
    if (i > 0 && weak[i - 1].key == c.key) {  // the same cell: weak when tested if either was
      if (c.tested) words_.back().tested |= uint64_t{1} << (c.key % 64);
      continue;
    }
    const auto word = static_cast<uint32_t>(c.key / 64);
    const uint64_t bit = uint64_t{1} << (c.key % 64);
    if (words_.empty() || words_.back().word != word) words_.push_back({word, 0, 0, 0, 0, 0, 0});
    WeakWord& w = words_.back();
    if (c.intermittent && !always) {
      w.intermittent |= bit;
      intermittent_.emplace_back(static_cast<uint32_t>(words_.size() - 1),
                                 static_cast<uint8_t>(c.key % 64));
      ++intermittent_cells_;
    } else {
      w.permanent |= bit;
    }
    if (c.stuck_one) w.stuck_ones |= bit;
    if (c.tested) w.tested |= bit;
    if (c.write_fails) {
      w.write_failing |= bit;
      ++write_failing_cells_;
    }
    if (c.column) ++column_fault_cells_;
    ++cells_;
  }
}

std::pair<size_t, size_t> WeakCellMap::range(uint64_t first_word, uint64_t end_word) const {
  auto by_word = [](const WeakWord& w, uint64_t word) { return w.word < word; };
  const auto begin = std::lower_bound(words_.begin(), words_.end(), first_word, by_word);
  const auto end = std::lower_bound(begin, words_.end(), end_word, by_word);
  return {static_cast<size_t>(begin - words_.begin()), static_cast<size_t>(end - words_.begin())};
}

void WeakCellMap::draw_intermittent(size_t first, size_t end, uint64_t seed, uint64_t trial,
                                    uint64_t stream, uint64_t read,
                                    std::vector<std::pair<size_t, uint64_t>>& failing) const {
  auto by_index = [](const std::pair<uint32_t, uint8_t>& cell, size_t index) {
    return cell.first < index;
  };
  const auto begin = std::lower_bound(intermittent_.begin(), intermittent_.end(), first, by_index);
  const auto stop = std::lower_bound(begin, intermittent_.end(), end, by_index);
  const auto cells = static_cast<uint64_t>(stop - begin);
  if (cells == 0 || !(traits_.intermittent_q > 0.0)) return;
  CounterRng rng(seed, trial, stream, read);
  for (uint64_t i = rng.geometric_gap(intermittent_gaps_, cells); i < cells;
       i += 1 + rng.geometric_gap(intermittent_gaps_, cells)) {
    const auto& [index, bit] = begin[static_cast<std::ptrdiff_t>(i)];
    if (!failing.empty() && failing.back().first == index)
      failing.back().second |= uint64_t{1} << bit;
    else
      failing.emplace_back(index, uint64_t{1} << bit);
  }
}

uint64_t WeakCellMap::self_test(const SelfTestDraws& draws) {
  const double q = traits_.intermittent_q;
  const double passes = std::max(0, draws.passes);
  // Probability that an intermittent cell fails on at least one revealing read.
  const auto found = [&](int reads_per_pass) {
    return -std::expm1(passes * reads_per_pass * std::log1p(-std::min(q, 1.0)));
  };
  const double found_stuck_one = found(SelfTestDraws::kReadsExpectingZero);
  const double found_stuck_zero = found(SelfTestDraws::kReadsExpectingOne);
  mapped_cells_ = 0;
  for (WeakWord& w : words_) w.mapped = passes > 0 ? (w.permanent | w.write_failing) & w.tested : 0;
  // Intermittent cells in word order, one draw each from the test's stream.
  CounterRng rng(draws.seed, draws.trial, kSelfTestStream, 0);
  for (const auto& [index, bit] : intermittent_) {
    WeakWord& w = words_[index];
    const uint64_t mask = uint64_t{1} << bit;
    const double p = (w.stuck_ones & mask) ? found_stuck_one : found_stuck_zero;
    if (rng.uniform() < p && (w.tested & mask)) w.mapped |= mask;  // a draw for every cell
  }
  for (const WeakWord& w : words_)
    mapped_cells_ += static_cast<uint64_t>(__builtin_popcountll(w.mapped));
  return mapped_cells_;
}

}  // namespace lvsim
