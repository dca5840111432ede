#include "models/sram_fault_injector.h"

#include <algorithm>
#include <cmath>

#include "models/fault_rng.h"

namespace lvsim {
namespace {

constexpr uint64_t kWeakCellStream = 0x5745414Bull;  // "WEAK": the chip's map, not a read
// Faulty words are scattered over megabytes: fetch a few ahead.
constexpr size_t kPrefetchAhead = 16;

}  // namespace

FaultInjector::FaultInjector(const FaultDraws& draws, int stored_bits,
                             const std::vector<WeakCellRange>& weak)
    : draws_(draws), stored_bits_(static_cast<uint64_t>(stored_bits)) {
  for (int bit = 0; bit < stored_bits; ++bit)
    if (!(draws.protect_sign && bit == 31)) allowed_bits_.push_back(bit);
  build_weak_cell_map(weak);
}

void FaultInjector::build_weak_cell_map(const std::vector<WeakCellRange>& ranges) {
  const uint64_t allowed = allowed_bits_.size();
  FaultRng rng(draws_.chip_seed, 0, kWeakCellStream, 0);
  for (const WeakCellRange& range : ranges) {
    if (range.fraction <= 0.0) continue;
    const uint64_t bits = (range.end_word - range.first_word) * allowed;
    const double log1m_q = std::log1p(-std::min(range.fraction, 1.0 - 1e-16));
    const bool every = range.fraction >= 1.0;
    for (uint64_t position = every ? 0 : rng.geometric_gap(log1m_q, bits); position < bits;
         position += 1 + (every ? 0 : rng.geometric_gap(log1m_q, bits))) {
      const uint64_t word = range.first_word + position / allowed;
      const int bit = allowed_bits_[position % allowed];
      weak_cells_.push_back(word * stored_bits_ + static_cast<uint64_t>(bit));
    }
  }
}

void FaultInjector::draw_upsets(uint64_t first_word, uint64_t words, double upset_p,
                                uint64_t read_number) {
  const uint64_t allowed = allowed_bits_.size();
  const bool per_bit = draws_.unit == FaultUnit::kPerBit;
  const uint64_t positions = per_bit ? words * allowed : words;
  const double log1m_p = std::log1p(-std::min(upset_p, 1.0 - 1e-16));
  // One stream per read of the region: the same reads draw the same faults
  // whatever the passes are grouped into.
  FaultRng rng(draws_.seed, draws_.trial, first_word, read_number);
  const bool every = upset_p >= 1.0;
  for (uint64_t position = every ? 0 : rng.geometric_gap(log1m_p, positions); position < positions;
       position += 1 + (every ? 0 : rng.geometric_gap(log1m_p, positions))) {
    const uint64_t word = first_word + (per_bit ? position / allowed : position);
    const int bit =
        allowed_bits_[per_bit ? position % allowed : rng.below(static_cast<uint32_t>(allowed))];
    pending_.emplace_back(word, uint64_t{1} << bit);
  }
}

void FaultInjector::add_weak_cells(uint64_t first_word, uint64_t words) {
  const auto begin =
      std::lower_bound(weak_cells_.begin(), weak_cells_.end(), first_word * stored_bits_);
  const auto end = std::lower_bound(begin, weak_cells_.end(), (first_word + words) * stored_bits_);
  if (begin == end) return;
  weak_pending_.clear();
  for (auto cell = begin; cell != end; ++cell)
    weak_pending_.emplace_back(*cell / stored_bits_, uint64_t{1} << (*cell % stored_bits_));
  const size_t upsets = pending_.size();
  pending_.insert(pending_.end(), weak_pending_.begin(), weak_pending_.end());
  std::inplace_merge(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(upsets),
                     pending_.end());
}

void FaultInjector::read(uint64_t first_word, uint64_t words, double upset_p,
                         const WeightReadReport& report, SramContents& contents,
                         FaultStats& stats) {
  uint64_t& region_passes = passes_by_region_[first_word];
  uint64_t& region_reads = reads_by_region_[first_word];
  const uint64_t reads = uint64_t{report.passes} * report.reads_per_pass;
  for (uint64_t read = 0; read < reads; ++read) {
    const auto pass = static_cast<uint32_t>(read / report.reads_per_pass);
    const uint64_t series_pass = region_passes + pass;  // where the faulty-bit series records it
    contents.reach_pass(series_pass);
    pending_.clear();
    if (upset_p > 0.0) draw_upsets(first_word, words, upset_p, region_reads + read);
    add_weak_cells(first_word, words);
    // Both lists are in word order; faults of one word in one read act together.
    for (size_t i = 0; i < pending_.size();) {
      if (i + kPrefetchAhead < pending_.size())
        contents.prefetch(pending_[i + kPrefetchAhead].first);
      const uint64_t word = pending_[i].first;
      uint64_t mask = 0;
      for (; i < pending_.size() && pending_[i].first == word; ++i) mask |= pending_[i].second;
      contents.faulty_read(word, mask, pass, series_pass, report.field_bits, report.changes, stats);
    }
  }
  region_passes += report.passes;
  region_reads += reads;
  passes_done_ = std::max(passes_done_, region_passes);
}

}  // namespace lvsim
