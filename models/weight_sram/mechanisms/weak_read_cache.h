// The fault injector's bookkeeping (a simulator speed device beside the
// hardware rule in fault_injector.h): which weak words a read must really
// read, and in which order the words with failing bits are visited.
//
// A weak word whose permanent cells fail the same way on every read reads the
// same as last time while nothing changed it: not its stored bits (a read's
// write-back, a streamed load), not the memory (a DMA write), not the fault
// map (a self-test), and none of its intermittent cells reads a wrong bit now
// or did on the last read. Such a clean word is counted, not read: each weak
// word keeps what one read of it counts (its ReadSummary), each burst range
// the sum over its clean words. The words that are read are visited in word
// order together with the read's upsets, each word once with all its faults,
// fetching the scattered words' cache lines a few ahead (models/common/prefetch.h).
//
// Where faults are dense, most of the words a read visits are visited only
// because an intermittent cell reads wrong now or did on the last read: their
// stored bits are as they were, so the read is one of two reads known in
// advance, the permanent cells failing or the intermittent cell too (a word
// with one intermittent cell reading wrong). Both are worked out with the
// clean count (Known), and such a visit reads one record instead of the
// word's scattered cache lines (stored bits, reference, the weak word's own
// records) and decides nothing again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include "models/common/huge_pages.h"
#include "models/common/prefetch.h"
#include "models/weight_sram/fault_stats.h"
#include "models/weight_sram/mechanisms/weak_cell_map.h"
#include "models/weight_sram/sram_contents.h"

namespace lvsim {

class WeakReadCache {
 public:
  // (index into WeakCellMap::words(), bits) pairs in word order.
  using WeakBits = std::vector<std::pair<size_t, uint64_t>>;
  // (word, bit mask) pairs in word order.
  using WordBits = std::vector<std::pair<uint64_t, uint64_t>>;
  static constexpr size_t kNotWeak = SIZE_MAX;

  // What the cache keeps per burst range (a layer's weights, or its biases).
  struct Range {
    std::vector<size_t> failed_before;  // weak words whose intermittent cells read wrong last read
    ReadSummary clean;                  // what the range's clean weak words count on every read
    uint64_t writes_seen = 0;           // invalidations before its last read
  };

  // `lanes`: 32-bit lanes per word as read. With several, the unit that
  // reads the same as last time is the word, not the lane: a read reads
  // every weak lane of a word it reads (SramContents::read_word decides for
  // the word), and the word's clean count sits with its first weak lane.
  // `known_reads`: work out the known reads (Known) and use them; off, every
  // visited word is read in full (what the known reads must do alike: tests).
  explicit WeakReadCache(size_t weak_words, int lanes = 1, bool known_reads = true)
      : lanes_(static_cast<uint64_t>(lanes)),
        clean_(weak_words),
        clean_since_(weak_words, 0),
        known_(known_reads && lanes == 1 ? weak_words : 0) {}

  // The two reads of a weak word whose stored bits stay as they are
  // (32-bit words, no read disturb): first with its permanent cells failing,
  // second with `wrong` failing too. Valid while `since` is the cache's count
  // of invalidations and nothing marked the word dirty.
  struct Known {
    uint64_t since = 0;  // 0: not known
    uint64_t wrong = 0;  // the intermittent cells that read wrong from the stored bits
    uint32_t word = 0;
    uint32_t stored = 0;        // data bits
    uint32_t reference = 0;     // what was last written
    uint32_t view[2] = {0, 0};  // what the array reads: the first read, the second
    bool two_reads = false;     // at most one bit in `wrong`: every read is one of the two
    int16_t second[7] = {};     // the second read's counts less the first's (ReadSummary order)
  };
  // Weak word `index`'s known reads while its stored bits are known, else nullptr.
  const Known* known(size_t index) const {
    if (index >= known_.size() || known_[index].since != writes_) return nullptr;
    return &known_[index];
  }
  // Counts the second of a word's known reads (after its clean count).
  static void count_second(const Known& k, FaultStats& stats);

  // Every weak word reads anew: a DMA write changed stored words, or a
  // self-test made a new fault map.
  void invalidate() { ++writes_; }
  // Weak word `index` reads anew: its stored bits changed.
  void mark_dirty(size_t index) {
    dirty_.insert(index);
    if (index < known_.size()) known_[index].since = 0;
  }

  // Starts a read of the weak words [first, end) of `map`, whose intermittent
  // cells failing on this read are `intermittent`: returns the weak words the
  // read must really read, in word order, and counts the range's clean words
  // into `stats` as they read. `read_all`: every one of them (words of
  // several lanes with upsets, which may fall in any word).
  const std::vector<size_t>& start_read(size_t first, size_t end, const WeakCellMap& map,
                                        const WeakBits& intermittent, const SramContents& contents,
                                        Range& range, FaultStats& stats, bool read_all = false);
  // Weak word `index` is about to be read: it is no longer counted as clean.
  void uncount(size_t index, FaultStats& stats) const;
  // Weak word `w` (index `index`) was read; `changed`: its stored bits changed.
  // Its clean count follows what a read of it now does.
  void after_read(size_t index, const WeakWord& w, bool changed, const SramContents& contents,
                  int field_bits, Range& range);
  // Several lanes per word: the word whose weak lanes are [first, end) of
  // `map` (every one of them just read) was read; `changed`: its stored bits
  // changed.
  void after_word_read(size_t first, size_t end, const WeakCellMap& map, bool changed,
                       const SramContents& contents, int field_bits, Range& range);
  // Ends the read of a range: remembers whose intermittent cells read wrong.
  void end_read(Range& range) const;

  // The whole read of the weak words [first, end) in one pass, when nothing
  // but their intermittent cells can make a word read otherwise than last
  // time (no upsets, one lane per word, no invalidation or dirty word
  // pending): counts the clean words, and calls visit(index, failing
  // intermittent bits) for every word start_read() would return, in word
  // order, as for_each_word() would. Returns false, having done nothing,
  // where that does not hold (then start_read() and for_each_word()).
  template <typename Visit>
  bool read_in_one_pass(size_t first, size_t end, const WeakCellMap& map,
                        const WeakBits& intermittent, const SramContents& contents, Range& range,
                        FaultStats& stats, Visit visit);

  // Where a read's walk over its words stands: the next of start_read's weak
  // words and of the read's intermittent failures. A read walks its words in
  // pieces, its upsets drawn one piece at a time (fault_injector.cpp), so
  // that a dense read holds a piece of its upsets, not all of them.
  struct Walk {
    size_t weak = 0, intermittent = 0;
  };
  // Calls visit(word, upset bits, weak index or kNotWeak, failing intermittent
  // bits) for every word with an upset in `upsets` (all below `end_word`) and
  // every weak word of start_read's list below `end_word` not yet walked, in
  // word order, each word once. `has_weak`: the range holds weak words (an
  // upset word may then be a clean weak word).
  template <typename Visit>
  void for_each_word(const WordBits& upsets, uint64_t end_word, const WeakCellMap& map,
                     bool has_weak, const WeakBits& intermittent, const SramContents& contents,
                     Walk& walk, Visit visit) const;

 private:
  // The dirty weak words of [first, end) (all of them after an
  // invalidation), and those whose intermittent cells read a wrong bit now
  // (changing_) or on the last read, merged into to_read_.
  void words_to_read(size_t first, size_t end, Range& range);
  // Adds to to_read_ every weak lane of the words it reads (several lanes per word).
  void whole_words(size_t first, size_t end, const WeakCellMap& map);

  // Adds (sign +1) or takes back (-1) what `summary` counts.
  static void count(FaultStats& stats, const ReadSummary& summary, int sign);

  uint64_t lanes_;
  std::set<size_t> dirty_;             // stored bits changed since their last read
  uint64_t writes_ = 1;                // invalidations so far (and the power-up state)
  std::vector<ReadSummary> clean_;     // per weak word: what a read of it counts while clean
  std::vector<uint64_t> clean_since_;  // writes_ when each clean_ was computed
  HugeVector<Known> known_;            // per weak word (32-bit words only), read at scattered words
  // Works out weak word `index`'s known reads with its clean count.
  void work_out(size_t index, const WeakWord& w, const SramContents& contents, int field_bits);
  WeakBits changing_;            // of a read's failing intermittent cells, those reading wrong
  std::vector<size_t> to_read_;  // the weak words of one read
  std::vector<size_t> merged_;   // scratch of words_to_read
};

template <typename Visit>
bool WeakReadCache::read_in_one_pass(size_t first, size_t end, const WeakCellMap& map,
                                     const WeakBits& intermittent, const SramContents& contents,
                                     Range& range, FaultStats& stats, Visit visit) {
  if (known_.empty() || contents.read_disturb() || range.writes_seen < writes_ || first >= end ||
      dirty_.lower_bound(first) != dirty_.lower_bound(end))
    return false;
  count(stats, range.clean, +1);  // the clean weak words read as they did
  const std::vector<WeakWord>& words = map.words();
  const std::vector<size_t>& before = range.failed_before;
  // Fetches the records two steps ahead, then the words they name.
  const auto fetch = [&](size_t far, size_t near) {
    if (far != kNotWeak) __builtin_prefetch(&known_[far]);
    if (near == kNotWeak) return;
    if (known_[near].since == writes_) {
      contents.prefetch_view(known_[near].word);
    } else {
      __builtin_prefetch(&words[near]);
      contents.prefetch(words[near].word);
    }
  };
  const auto ahead = [](const auto& list, size_t at, size_t by) {
    return at + by < list.size() ? static_cast<size_t>(list[at + by].first) : kNotWeak;
  };
  const auto before_ahead = [&](size_t at, size_t by) {
    return at + by < before.size() ? before[at + by] : kNotWeak;
  };
  changing_.clear();
  size_t b = 0;  // failed_before
  for (size_t n = 0; n < intermittent.size(); ++n) {
    fetch(ahead(intermittent, n, 2 * kPrefetchAhead), ahead(intermittent, n, kPrefetchAhead));
    const auto& [index, bits] = intermittent[n];
    // The words whose cell read wrong last time and fails no more: read right now.
    for (; b < before.size() && before[b] < index; ++b) {
      fetch(before_ahead(b, 2 * kPrefetchAhead), before_ahead(b, kPrefetchAhead));
      visit(before[b], uint64_t{0});
    }
    const bool failed_before = b < before.size() && before[b] == index;
    b += failed_before;
    uint64_t wrong;
    if (const Known* k = known(index)) {
      wrong = bits & k->wrong;
    } else {
      const WeakWord& w = words[index];
      wrong = WordFaults{0, bits, w.stuck_ones, 0}.weak_wrong(contents.stored(w.word));
    }
    if (wrong != 0) changing_.emplace_back(index, bits);
    if (wrong != 0 || failed_before) visit(index, bits);
  }
  for (; b < before.size(); ++b) {
    fetch(before_ahead(b, 2 * kPrefetchAhead), before_ahead(b, kPrefetchAhead));
    visit(before[b], uint64_t{0});
  }
  end_read(range);
  return true;
}

template <typename Visit>
void WeakReadCache::for_each_word(const WordBits& upsets, uint64_t end_word, const WeakCellMap& map,
                                  bool has_weak, const WeakBits& intermittent,
                                  const SramContents& contents, Walk& walk, Visit visit) const {
  const std::vector<WeakWord>& weak = map.words();
  size_t i = 0;  // upsets
  size_t& j = walk.weak;
  size_t& k = walk.intermittent;
  while (i < upsets.size() || (j < to_read_.size() && weak[to_read_[j]].word < end_word)) {
    if (i + kPrefetchAhead < upsets.size()) contents.prefetch(upsets[i + kPrefetchAhead].first);
    // Two steps: the weak words' own records twice as far ahead, so that
    // finding a word to prefetch does not itself wait for memory.
    if (j + 2 * kPrefetchAhead < to_read_.size()) {
      const size_t ahead = to_read_[j + 2 * kPrefetchAhead];
      __builtin_prefetch(&weak[ahead]);
      if (ahead < known_.size()) __builtin_prefetch(&known_[ahead]);
    }
    if (j + kPrefetchAhead < to_read_.size()) {
      const size_t ahead = to_read_[j + kPrefetchAhead];
      if (known(ahead) != nullptr) {
        contents.prefetch_view(weak[ahead].word);
      } else {
        contents.prefetch(weak[ahead].word);
        __builtin_prefetch(&clean_[ahead], 1);
        __builtin_prefetch(&clean_since_[ahead], 1);
      }
    }
    const uint64_t word = std::min(i < upsets.size() ? upsets[i].first : UINT64_MAX,
                                   j < to_read_.size() ? weak[to_read_[j]].word : UINT64_MAX);
    uint64_t upset_bits = 0;  // faults of one word in one read act together
    for (; i < upsets.size() && upsets[i].first == word; ++i) upset_bits |= upsets[i].second;
    size_t index = kNotWeak;
    if (j < to_read_.size() && weak[to_read_[j]].word == word) {
      index = to_read_[j++];
    } else if (has_weak) {  // an upset in a clean weak word
      const auto [at, stop] = map.range(word, word + 1);
      if (at < stop) index = at;
    }
    if (index == kNotWeak) {
      visit(word, upset_bits, kNotWeak, uint64_t{0});
      continue;
    }
    for (; k < intermittent.size() && intermittent[k].first < index; ++k) {
    }
    const uint64_t failing =
        k < intermittent.size() && intermittent[k].first == index ? intermittent[k].second : 0;
    visit(word, upset_bits, index, failing);
  }
}

}  // namespace lvsim
