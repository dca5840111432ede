#include "models/weight_sram/mechanisms/weak_read_cache.h"

#include <algorithm>
#include <iterator>

namespace lvsim {
void WeakReadCache::count(FaultStats& stats, const ReadSummary& summary, int sign) {
  const auto add = [sign](uint64_t& total, int64_t value) {
    total = static_cast<uint64_t>(static_cast<int64_t>(total) + sign * value);
  };
  add(stats.bit_faults, summary.faulty_bits);
  add(stats.weak_bit_faults, summary.faulty_bits);
  add(stats.faulty_word_reads, summary.faulty_words);
  add(stats.ecc_corrected, summary.corrected);
  add(stats.ecc_uncorrectable, summary.uncorrectable);
  add(stats.masked_word_reads, summary.masked);
  add(stats.silent_word_reads, summary.silent);
  add(stats.silent_stored_word_reads, summary.silent_stored);
}

const std::vector<size_t>& WeakReadCache::start_read(size_t first, size_t end,
                                                     const WeakCellMap& map,
                                                     const WeakBits& intermittent,
                                                     const SramContents& contents, Range& range,
                                                     FaultStats& stats, bool read_all) {
  changing_.clear();
  to_read_.clear();
  if (first >= end) return to_read_;
  // A failing cell whose stuck value is the bit it holds reads right: only
  // the others change what the word reads (half of them, when stuck values
  // and data are alike 0 and 1).
  const std::vector<WeakWord>& words = map.words();
  for (size_t n = 0; n < intermittent.size(); ++n) {
    if (n + 2 * kPrefetchAhead < intermittent.size()) {  // the record, then its word
      const size_t ahead = intermittent[n + 2 * kPrefetchAhead].first;
      if (ahead < known_.size()) __builtin_prefetch(&known_[ahead]);
    }
    if (n + kPrefetchAhead < intermittent.size()) {
      const size_t ahead = intermittent[n + kPrefetchAhead].first;
      if (known(ahead) == nullptr) {
        __builtin_prefetch(&words[ahead]);
        contents.prefetch(words[ahead].word);
      }
    }
    const auto& [index, bits] = intermittent[n];
    uint64_t wrong;
    if (const Known* k = known(index)) {
      wrong = bits & k->wrong;
    } else {
      const WeakWord& w = words[index];
      wrong = WordFaults{0, bits, w.stuck_ones, 0}.weak_wrong(contents.stored(w.word));
    }
    if (wrong != 0) changing_.emplace_back(index, bits);
  }
  if (read_all) range.writes_seen = 0;  // every one is read (as after a DMA write)
  words_to_read(first, end, range);
  if (lanes_ > 1) whole_words(first, end, map);
  count(stats, range.clean, +1);  // the clean weak words read as they did
  return to_read_;
}

void WeakReadCache::whole_words(size_t first, size_t end, const WeakCellMap& map) {
  const std::vector<WeakWord>& words = map.words();
  merged_.clear();
  for (size_t index : to_read_) {
    const uint64_t word = words[index].word / lanes_;
    size_t at = index;  // back to the word's first weak lane, then through its last
    while (at > first && words[at - 1].word / lanes_ == word) --at;
    if (!merged_.empty() && merged_.back() >= at) at = merged_.back() + 1;
    for (; at < end && words[at].word / lanes_ == word; ++at) merged_.push_back(at);
  }
  to_read_.swap(merged_);
}

void WeakReadCache::words_to_read(size_t first, size_t end, Range& range) {
  to_read_.clear();
  const auto dirty_begin = dirty_.lower_bound(first), dirty_end = dirty_.lower_bound(end);
  if (range.writes_seen < writes_) {
    for (size_t i = first; i < end; ++i) to_read_.push_back(i);
    range.writes_seen = writes_;
  } else {
    to_read_.assign(dirty_begin, dirty_end);
  }
  dirty_.erase(dirty_begin, dirty_end);
  // Three sorted lists, merged.
  merged_.clear();
  for (const auto& [index, bits] : changing_) merged_.push_back(index);
  const size_t half = to_read_.size();
  to_read_.insert(to_read_.end(), merged_.begin(), merged_.end());
  std::inplace_merge(to_read_.begin(), to_read_.begin() + static_cast<std::ptrdiff_t>(half),
                     to_read_.end());
  merged_.clear();
  std::merge(to_read_.begin(), to_read_.end(), range.failed_before.begin(),
             range.failed_before.end(), std::back_inserter(merged_));
  merged_.erase(std::unique(merged_.begin(), merged_.end()), merged_.end());
  to_read_.swap(merged_);
}

void WeakReadCache::uncount(size_t index, FaultStats& stats) const {
  count(stats, clean_[index], -1);
}

void WeakReadCache::after_read(size_t index, const WeakWord& w, bool changed,
                               const SramContents& contents, int field_bits, Range& range) {
  // Read again while the stored word stays as it is, it does the same: what
  // it does changes only with the stored word (this read's write-back, a DMA
  // write, a new fault map).
  if (changed || clean_since_[index] != writes_) {
    range.clean -= clean_[index];
    work_out(index, w, contents, field_bits);
    range.clean += clean_[index];
    clean_since_[index] = writes_;
  }
  if (changed) dirty_.insert(index);
}

void WeakReadCache::work_out(size_t index, const WeakWord& w, const SramContents& contents,
                             int field_bits) {
  const WordFaults first{0, w.permanent, w.stuck_ones, w.mapped};
  if (index >= known_.size() || contents.read_disturb()) {
    clean_[index] = contents.peek(w.word, first, field_bits);
    return;
  }
  Known& k = known_[index];
  const uint64_t stored = contents.stored(w.word);
  k.since = writes_;
  k.wrong = w.intermittent & (w.stuck_ones ^ stored);
  k.word = w.word;
  k.stored = static_cast<uint32_t>(stored);
  k.reference = contents.reference(w.word);
  clean_[index] = contents.peek(w.word, first, field_bits, &k.view[0]);
  k.two_reads = __builtin_popcountll(k.wrong) <= 1;
  if (!k.two_reads) return;
  WordFaults second = first;
  second.weak_failing |= k.wrong;
  const ReadSummary s = contents.peek(w.word, second, field_bits, &k.view[1]);
  const ReadSummary& c = clean_[index];
  const int64_t deltas[7] = {s.faulty_bits - c.faulty_bits,
                             s.faulty_words - c.faulty_words,
                             s.corrected - c.corrected,
                             s.uncorrectable - c.uncorrectable,
                             s.masked - c.masked,
                             s.silent - c.silent,
                             s.silent_stored - c.silent_stored};
  for (int f = 0; f < 7; ++f) k.second[f] = static_cast<int16_t>(deltas[f]);
}

void WeakReadCache::count_second(const Known& k, FaultStats& stats) {
  ReadSummary s;
  s.faulty_bits = k.second[0];
  s.faulty_words = k.second[1];
  s.corrected = k.second[2];
  s.uncorrectable = k.second[3];
  s.masked = k.second[4];
  s.silent = k.second[5];
  s.silent_stored = k.second[6];
  count(stats, s, +1);
}

void WeakReadCache::after_word_read(size_t first, size_t end, const WeakCellMap& map, bool changed,
                                    const SramContents& contents, int field_bits, Range& range) {
  bool stale = changed;
  for (size_t index = first; index < end; ++index) stale |= clean_since_[index] != writes_;
  if (stale) {
    // The word's count with its permanent cells failing, on its first weak lane.
    const std::vector<WeakWord>& words = map.words();
    const uint64_t first_lane = words[first].word / lanes_ * lanes_;
    WordFaults faults[4];
    for (size_t index = first; index < end; ++index) {
      const WeakWord& w = words[index];
      faults[w.word - first_lane] = {0, w.permanent, w.stuck_ones, w.mapped};
    }
    for (size_t index = first; index < end; ++index) {
      range.clean -= clean_[index];
      clean_[index] =
          index == first ? contents.peek_word(first_lane, faults, field_bits) : ReadSummary{};
      range.clean += clean_[index];
      clean_since_[index] = writes_;
    }
  }
  if (changed)
    for (size_t index = first; index < end; ++index) dirty_.insert(index);
}

void WeakReadCache::end_read(Range& range) const {
  range.failed_before.clear();
  for (const auto& [index, bits] : changing_) range.failed_before.push_back(index);
}

}  // namespace lvsim
