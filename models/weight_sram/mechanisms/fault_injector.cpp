#include "models/weight_sram/mechanisms/fault_injector.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "models/common/counter_rng.h"
#include "models/weight_sram/sram_word.h"

namespace lvsim {
namespace {

// Intermittent weak cells draw from their own streams, apart from the upsets'.
constexpr uint64_t kIntermittentStream = uint64_t{0x494E54} << 40;  // "INT"
// Words drawn, then read, at a time where every word fails (16 KB of masks).
constexpr size_t kEveryWordRun = 4096;

}  // namespace

FaultInjector::FaultInjector(const FaultDraws& draws, const WeakCellTraits& weak,
                             const WordGeometry& geometry,
                             const std::vector<VoltageDomain>& domains)
    : draws_(draws),
      weak_(weak, geometry, domains),
      geometry_(geometry),
      cache_(weak_.words().size(), geometry.lanes, !draws.read_every_weak_word) {
  for (int field_bits = 1; field_bits <= kWordBits; ++field_bits) {
    const uint32_t signs = draws.protect_sign ? field_sign_bits(field_bits) : 0;
    for (int lane = 0; lane < geometry.lanes; ++lane)
      for (int bit = 0; bit < kWordBits + geometry.check_count(lane); ++bit)
        if (bit >= kWordBits || !(signs >> bit & 1))
          allowed_bits_[field_bits].push_back(lane * 64 + bit);
  }
}

// One read's upsets, drawn piece by piece in word order: each stored bit that
// may fail does so with probability p (per-bit), or each word gets one such
// bit with probability p (per-word). The pieces continue one stream per read
// of the range, so the same reads draw the same faults whatever the batches
// are grouped into and however the read is cut into pieces.
class FaultInjector::UpsetDraw {
 public:
  UpsetDraw(const FaultDraws& draws, const std::vector<int>& allowed_bits, int lanes,
            uint64_t first_word, uint64_t words, double upset_p, uint64_t read_number)
      : allowed_bits_(allowed_bits),
        per_bit_(draws.unit == FaultUnit::kPerBit),
        every_(upset_p >= 1.0),
        lanes_(static_cast<uint64_t>(lanes)),
        first_word_(first_word),
        end_word_(first_word + words),
        positions_(per_bit_ ? words / lanes_ * allowed_bits.size() : words / lanes_),
        log1m_p_(std::log1p(-std::min(upset_p, 1.0 - 1e-16))),
        rng_(draws.seed, draws.trial, first_word, read_number),
        next_(every_ ? 0 : rng_.geometric_gap(log1m_p_, positions_)) {}

  // Appends (word, bit mask) pairs to `out` until it holds about `piece` of
  // them and a word is complete; returns the word below which every upset of
  // the read has been drawn (the range's end once all are).
  uint64_t fill(WeakReadCache::WordBits& out, size_t piece) {
    const uint64_t allowed = allowed_bits_.size();
    for (; next_ < positions_;
         next_ += 1 + (every_ ? 0 : rng_.geometric_gap(log1m_p_, positions_))) {
      // The word's first lane, then the lane of the failing bit.
      const uint64_t first_lane = first_word_ + (per_bit_ ? next_ / allowed : next_) * lanes_;
      if (out.size() >= piece && first_lane > out.back().first) return first_lane;
      const int bit =
          allowed_bits_[per_bit_ ? next_ % allowed : rng_.below(static_cast<uint32_t>(allowed))];
      out.emplace_back(first_lane + static_cast<uint64_t>(bit / 64), uint64_t{1} << (bit % 64));
    }
    return end_word_;
  }
  // Per-word upsets at p = 1 (every word fails one bit): calls visit(word,
  // bit mask) for each word of the read in order, drawing as fill() does.
  template <typename Visit>
  bool every_word(Visit visit) {
    if (!every_ || per_bit_) return false;
    const auto allowed = static_cast<uint32_t>(allowed_bits_.size());
    for (; next_ < positions_; ++next_) {
      const int bit = allowed_bits_[rng_.below(allowed)];
      visit(first_word_ + next_ * lanes_ + static_cast<uint64_t>(bit / 64),
            uint64_t{1} << (bit % 64));
    }
    return true;
  }
  // every_word() for one-lane words whose failing bits are all data bits
  // (no check bits): the next words' bit masks, at most `most` of them, in
  // word order; returns how many (0 once the read is done), `first` the first's word.
  // The next run: its first word and how many words (0 once the read is done).
  size_t next_run(size_t most, uint64_t& first) const {
    first = first_word_ + next_;
    return static_cast<size_t>(std::min<uint64_t>(most, positions_ - next_));
  }
  // Draws the run's `count` masks and moves past it: the same draws as
  // every_word(), each read off its own place in the stream, so that the
  // words set in `skip` (bit i % 64 of skip[i / 64]; null: none) are not drawn.
  void every_word_masks(uint32_t* masks, size_t count, const uint64_t* skip) {
    const auto allowed = static_cast<uint32_t>(allowed_bits_.size());
    for (size_t group = 0; group * 64 < count; ++group) {
      const size_t begin = group * 64, end = std::min(count, begin + 64);
      // The group's words to draw, lowest first.
      uint64_t draw = end - begin == 64 ? ~uint64_t{0} : (uint64_t{1} << (end - begin)) - 1;
      if (skip) draw &= ~skip[group];
      for (; draw != 0; draw &= draw - 1) {
        const size_t i = begin + static_cast<size_t>(__builtin_ctzll(draw));
        masks[i] = uint32_t{1} << allowed_bits_[rng_.below_at(next_ + i, allowed)];
      }
    }
    next_ += count;
  }
  // The data bits that may fail (every_word_masks()'s).
  uint32_t may_fail() const {
    uint32_t bits = 0;
    for (int bit : allowed_bits_) bits |= uint32_t{1} << bit;
    return bits;
  }
  // Whether every_word_masks() can stand for every_word().
  bool data_bits_only() const {
    return every_ && !per_bit_ && lanes_ == 1 &&
           std::all_of(allowed_bits_.begin(), allowed_bits_.end(),
                       [](int bit) { return bit < kWordBits; });
  }

 private:
  const std::vector<int>& allowed_bits_;
  bool per_bit_, every_;
  uint64_t lanes_, first_word_, end_word_, positions_;
  double log1m_p_;
  CounterRng rng_;
  uint64_t next_;  // the next failing position, drawn but not yet listed
};

void FaultInjector::read_once(uint64_t first_word, uint64_t words, double upset_p, const ReadAt& at,
                              const WeightReadReport& report, BurstRange& range,
                              SramContents& contents, FaultStats& stats) {
  contents.reach_batch(at.run_batch);
  count_stale_reads(first_word, words, contents, stats);
  // Weak cells: the permanent ones fail on every read, the intermittent ones
  // on this read with probability q, from the read's own stream.
  const auto [weak_begin, weak_end] = weak_.range(first_word, first_word + words);
  intermittent_.clear();
  if (weak_begin < weak_end)
    weak_.draw_intermittent(weak_begin, weak_end, draws_.seed, draws_.trial,
                            kIntermittentStream | first_word, at.read_number, intermittent_);
  // Only the weak words that can read otherwise than last time are read (with
  // several lanes and upsets every one: an upset may fall in any word).
  const bool read_all = draws_.read_every_weak_word || (geometry_.lanes > 1 && upset_p > 0.0);
  const std::vector<int>& allowed = allowed_bits_[report.field_bits];
  const bool any_upsets = upset_p > 0.0 && !allowed.empty();
  // Weak cells alone, dense or not: one pass over the read's failing cells.
  const auto read_weak = [&](size_t index, uint64_t failing) {
    read_weak_word(index, 0, failing, at, report, range, contents, stats);
  };
  if (!any_upsets && !read_all &&
      cache_.read_in_one_pass(weak_begin, weak_end, weak_, intermittent_, contents, range.cache,
                              stats, read_weak))
    return;
  cache_.start_read(weak_begin, weak_end, weak_, intermittent_, contents, range.cache, stats,
                    read_all);
  // Every word with a failing bit, once, with all its faults: the mitigation
  // decides what the read returns and what is written back. The upsets are
  // drawn a piece at a time (a read at p = 1 fails in every word).
  const uint64_t end_word = first_word + words;
  WeakReadCache::Walk walk;
  std::optional<UpsetDraw> upsets;
  if (any_upsets)  // binary weights, signs protected: none can fail
    upsets.emplace(draws_, allowed, geometry_.lanes, first_word, words, upset_p, at.read_number);
  // Several lanes per word: each word read whole once the walk leaves it.
  PendingWord pending;
  const bool whole_words = geometry_.lanes > 1;
  const auto visit = [&](uint64_t word, uint64_t upset_bits, size_t weak_index, uint64_t failing) {
    if (whole_words)
      visit_lane(word, upset_bits, weak_index, failing, pending, at, report, range, contents,
                 stats);
    else if (weak_index == WeakReadCache::kNotWeak)
      read_word(word, upset_bits, at, report, range, contents, stats);
    else
      read_weak_word(weak_index, upset_bits, failing, at, report, range, contents, stats);
  };
  // Every word failing and none of them weak: read in order, no list; one
  // lane per word, a run of words at a time.
  const bool read_every_word = upsets && weak_begin == weak_end &&
                               (read_every_word_runs(*upsets, at, report, range, contents, stats) ||
                                upsets->every_word([&](uint64_t word, uint64_t upset_bits) {
                                  visit(word, upset_bits, WeakReadCache::kNotWeak, 0);
                                }));
  for (uint64_t drawn_below = read_every_word ? end_word : first_word; drawn_below < end_word;) {
    upsets_.clear();
    drawn_below = upsets ? upsets->fill(upsets_, kUpsetPiece) : end_word;
    cache_.for_each_word(upsets_, drawn_below, weak_, weak_begin < weak_end, intermittent_,
                         contents, walk, visit);
  }
  if (whole_words) read_pending(pending, at, report, range, contents, stats);
  cache_.end_read(range.cache);
}

void FaultInjector::count_stale_reads(uint64_t first_word, uint64_t words,
                                      const SramContents& contents, FaultStats& stats) const {
  // Every stale word (stored data wrong, no weak cell) is read silently
  // unless a bit of it fails on this read (SramContents::read takes it back then).
  if (contents.stale_words() == 0) return;
  const uint64_t stale = geometry_.lanes > 1
                             ? contents.stale_lane_words(first_word, first_word + words)
                             : contents.stale_words(first_word, first_word + words);
  stats.silent_word_reads += stale;
  stats.silent_stored_word_reads += stale;
}

bool FaultInjector::read_every_word_runs(UpsetDraw& upsets, const ReadAt& at,
                                         const WeightReadReport& report, BurstRange& range,
                                         SramContents& contents, FaultStats& stats) {
  if (!upsets.data_bits_only()) return false;
  // Words no single failing bit can change (a mitigation's fixed points,
  // where per-word upsets at p = 1 drive every word) are counted, not drawn.
  uint32_t masks[kEveryWordRun];
  uint64_t unchanged[kEveryWordRun / 64];
  const uint32_t may_fail = upsets.may_fail();
  uint64_t first = 0;
  for (size_t count; (count = upsets.next_run(kEveryWordRun, first)) > 0;) {
    const bool known =
        contents.unchanged_words(first, count, may_fail, report.field_bits, unchanged);
    upsets.every_word_masks(masks, count, known ? unchanged : nullptr);
    contents.read_upsets_run(first, count, masks, known ? unchanged : nullptr, at.batch,
                             at.run_batch, report.field_bits, report.changes, stats,
                             range.streamed ? &range.rewritten : nullptr);
  }
  return true;
}

void FaultInjector::visit_lane(uint64_t lane, uint64_t upsets, size_t weak_index, uint64_t failing,
                               PendingWord& pending, const ReadAt& at,
                               const WeightReadReport& report, BurstRange& range,
                               SramContents& contents, FaultStats& stats) {
  const auto lanes = static_cast<uint64_t>(geometry_.lanes);
  const uint64_t first_lane = lane - lane % lanes;
  if (first_lane != pending.first_lane) {
    read_pending(pending, at, report, range, contents, stats);
    pending.first_lane = first_lane;
  }
  WordFaults& faults = pending.faults[lane - first_lane];
  faults.upsets |= upsets;
  if (weak_index != WeakReadCache::kNotWeak) {
    cache_.uncount(weak_index, stats);  // counted exactly now, with its word
    const WeakWord& w = weak_.words()[weak_index];
    faults.weak_failing = w.permanent | failing;
    faults.stuck_ones = w.stuck_ones;
    faults.mapped = w.mapped;
  }
}

void FaultInjector::read_pending(PendingWord& pending, const ReadAt& at,
                                 const WeightReadReport& report, BurstRange& range,
                                 SramContents& contents, FaultStats& stats) {
  if (pending.first_lane == UINT64_MAX) return;
  const unsigned changed =
      contents.read_word(pending.first_lane, pending.faults, at.batch, at.run_batch,
                         report.field_bits, report.changes, stats);
  for (int l = 0; l < geometry_.lanes; ++l)
    if (range.streamed && (changed >> l & 1))
      range.rewritten.push_back(pending.first_lane + static_cast<uint64_t>(l));
  const auto [weak_begin, weak_end] =
      weak_.range(pending.first_lane, pending.first_lane + static_cast<uint64_t>(geometry_.lanes));
  if (weak_begin < weak_end)
    cache_.after_word_read(weak_begin, weak_end, weak_, changed != 0, contents, report.field_bits,
                           range.cache);
  pending = PendingWord{};
}

void FaultInjector::read_word(uint64_t word, uint64_t upsets, const ReadAt& at,
                              const WeightReadReport& report, BurstRange& range,
                              SramContents& contents, FaultStats& stats) {
  const uint64_t before = range.streamed ? contents.stored(word) : 0;
  const uint64_t after = contents.read_upsets(word, upsets, at.batch, at.run_batch,
                                              report.field_bits, report.changes, stats);
  if (range.streamed && after != before) range.rewritten.push_back(word);
}

void FaultInjector::read_weak_word(size_t index, uint64_t upsets, uint64_t intermittent_failing,
                                   const ReadAt& at, const WeightReadReport& report,
                                   BurstRange& range, SramContents& contents, FaultStats& stats) {
  // Stored bits as they were and one intermittent cell at most reading
  // wrong: one of the word's two known reads (its clean count stands, the
  // second read counts what it adds).
  const WeakReadCache::Known* known = upsets == 0 ? cache_.known(index) : nullptr;
  if (known != nullptr && known->two_reads) {
    const bool second = (intermittent_failing & known->wrong) != 0;
    contents.read_known(known->word, known->stored, known->reference, known->view[second], at.batch,
                        at.run_batch, report.changes, stats);
    if (second) WeakReadCache::count_second(*known, stats);
    return;
  }
  const WeakWord& w = weak_.words()[index];
  cache_.uncount(index, stats);  // counted exactly now, not as a clean word
  const uint64_t before = contents.stored(w.word);
  const WordFaults faults{upsets, w.permanent | intermittent_failing, w.stuck_ones, w.mapped};
  const uint64_t after = contents.read(w.word, faults, at.batch, at.run_batch, report.field_bits,
                                       report.changes, stats);
  cache_.after_read(index, w, after != before, contents, report.field_bits, range.cache);
  if (after != before && range.streamed) range.rewritten.push_back(w.word);
}

void FaultInjector::restore(BurstRange& range, const ReadAt& at, const WeightReadReport& report,
                            SramContents& contents) {
  if (range.rewritten.empty()) return;
  std::sort(range.rewritten.begin(), range.rewritten.end());
  range.rewritten.erase(std::unique(range.rewritten.begin(), range.rewritten.end()),
                        range.rewritten.end());
  contents.reach_batch(at.run_batch);
  for (uint64_t word : range.rewritten) {
    if (!contents.restore(word, at.batch, at.run_batch, report.changes)) continue;
    // A weak word with new stored bits reads anew (with several lanes per
    // word, every weak lane of its word).
    const auto lanes = static_cast<uint64_t>(geometry_.lanes);
    const auto [index, stop] = weak_.range(word - word % lanes, word - word % lanes + lanes);
    for (size_t i = index; i < stop; ++i) cache_.mark_dirty(i);
  }
  range.rewritten.clear();
}

void FaultInjector::read(uint64_t first_word, uint64_t words, double upset_p, bool streamed,
                         const WeightReadReport& report, SramContents& contents,
                         FaultStats& stats) {
  BurstRange& range = ranges_[first_word];
  range.streamed = streamed;
  const uint64_t reads = uint64_t{report.batches} * report.reads_per_batch;
  for (uint64_t read = 0; read < reads; ++read) {
    const auto batch = static_cast<uint32_t>(read / report.reads_per_batch);
    const ReadAt at{batch, range.batches + batch, range.reads + read};
    if (streamed && read % report.reads_per_batch == 0) restore(range, at, report, contents);
    read_once(first_word, words, upset_p, at, report, range, contents, stats);
  }
  range.batches += report.batches;
  range.reads += reads;
  batches_done_ = std::max(batches_done_, range.batches);
}

uint64_t FaultInjector::self_test(int passes) {
  cache_.invalidate();  // every weak word reads anew with the new map
  return weak_.self_test({draws_.seed, draws_.trial, passes});
}

}  // namespace lvsim
