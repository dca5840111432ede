#include "models/weight_sram/mechanisms/weak_cell_map.h"

#include <algorithm>
#include <cmath>

#include "models/common/counter_rng.h"

namespace lvsim {
namespace {

constexpr uint64_t kWeakCellStream = 0x5745414Bull;   // "WEAK": the chip's cells, not a read
constexpr uint64_t kSelfTestStream = 0x42495354ull;   // "BIST": a power-up's self-test
constexpr uint64_t kWriteFailStream = 0x57524954ull;  // "WRIT": which cells fail writes

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

}  // namespace

WeakCellMap::WeakCellMap(const WeakCellTraits& traits, int check_bits,
                         const std::vector<VoltageDomain>& domains)
    : traits_(traits) {
  build(domains, check_bits);
}

// The candidates of one tier in one bit stream (`width` bits per word from
// bit `first_bit`), leaving out cells a lower tier already holds.
void WeakCellMap::add_tier(int tier, uint64_t positions, int width, int first_bit, uint64_t stream,
                           std::vector<uint64_t>& taken, std::vector<Candidate>& found) const {
  static const std::vector<double> bounds = tier_bounds();
  const double low = bounds[static_cast<size_t>(tier)],
               high = bounds[static_cast<size_t>(tier) + 1];
  const double share = (high - low) / (1.0 - low);  // of the cells no lower tier holds
  const bool every = share >= 1.0;
  const double log1m = std::log1p(-std::min(share, 1.0 - 1e-16));
  CounterRng rng(traits_.chip_seed, 0, stream, 0);
  for (uint64_t position = every ? 0 : rng.geometric_gap(log1m, positions); position < positions;
       position += 1 + (every ? 0 : rng.geometric_gap(log1m, positions))) {
    Candidate c;
    c.key = position / static_cast<uint64_t>(width) * 64 + static_cast<uint64_t>(first_bit) +
            position % static_cast<uint64_t>(width);
    // Every candidate draws all its traits, so a trait's parameter never moves the cells.
    c.rank = low + (high - low) * rng.uniform();
    c.stuck_one = rng.uniform() >= traits_.stuck_zero_share;
    c.intermittent = rng.uniform() < traits_.intermittent_share;
    c.tested = true;
    // From a stream of its own, per cell: the share moves no other trait.
    c.write_fails = traits_.write_fail_share > 0.0 &&
                    CounterRng(traits_.chip_seed, 0, kWriteFailStream, c.key).uniform() <
                        traits_.write_fail_share;
    if (!std::binary_search(taken.begin(), taken.end(), c.key)) found.push_back(c);
  }
}

void WeakCellMap::build(const std::vector<VoltageDomain>& domains, int check_bits) {
  double most = 0.0;
  uint64_t words = 0;
  for (const VoltageDomain& domain : domains) {
    most = std::max(most, domain.weak_fraction);
    words = std::max(words, domain.end_word);
  }
  if (!(most > 0.0)) return;
  static const std::vector<double> bounds = tier_bounds();
  std::vector<uint64_t> taken;  // every candidate of the tiers so far, sorted
  std::vector<Candidate> weak;
  for (int tier = 0; tier + 1 < static_cast<int>(bounds.size()) && bounds[tier] < most; ++tier) {
    std::vector<Candidate> found;
    add_tier(tier, words * 32, 32, 0, kWeakCellStream + 2 * static_cast<uint64_t>(tier), taken,
             found);
    if (check_bits > 0)
      add_tier(tier, words * static_cast<uint64_t>(check_bits), check_bits, 32,
               kWeakCellStream + 2 * static_cast<uint64_t>(tier) + 1, taken, found);
    std::vector<uint64_t> keys;
    keys.reserve(found.size());
    for (const Candidate& c : found) {
      keys.push_back(c.key);
      const bool sign = c.key % 64 == 31;
      const VoltageDomain* domain = domain_of(domains, c.key / 64);
      if (domain && c.rank < domain->weak_fraction && !(traits_.protect_sign && sign)) {
        weak.push_back(c);
        weak.back().tested = c.rank < domain->tested_fraction();
        weak.back().write_fails = c.write_fails && c.rank < domain->write_fraction();
      }
    }
    std::sort(keys.begin(), keys.end());
    std::vector<uint64_t> merged;
    merged.reserve(taken.size() + keys.size());
    std::merge(taken.begin(), taken.end(), keys.begin(), keys.end(), std::back_inserter(merged));
    taken.swap(merged);
  }
  std::sort(weak.begin(), weak.end(),
            [](const Candidate& a, const Candidate& b) { return a.key < b.key; });
  const bool always = traits_.intermittent_q >= 1.0;
  for (const Candidate& c : weak) {
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
  const double log1m = std::log1p(-std::min(traits_.intermittent_q, 1.0 - 1e-16));
  CounterRng rng(seed, trial, stream, read);
  for (uint64_t i = rng.geometric_gap(log1m, cells); i < cells;
       i += 1 + rng.geometric_gap(log1m, cells)) {
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
