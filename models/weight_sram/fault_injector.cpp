#include "models/weight_sram/fault_injector.h"

#include <algorithm>
#include <cmath>

#include "models/weight_sram/fault_rng.h"

namespace lvsim {
namespace {

// Intermittent weak cells draw from their own streams, apart from the upsets'.
constexpr uint64_t kIntermittentStream = uint64_t{0x494E54} << 40;  // "INT"
// Faulty words are scattered over megabytes: fetch a few ahead.
constexpr size_t kPrefetchAhead = 16;

std::vector<WeakCellRange> weak_ranges(const std::vector<FaultRange>& ranges) {
  std::vector<WeakCellRange> weak;
  for (const FaultRange& r : ranges) weak.push_back({r.first_word, r.end_word, r.weak_fraction});
  return weak;
}

void count(FaultStats& stats, const ReadSummary& summary, int sign) {
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
}

}  // namespace

FaultInjector::FaultInjector(const FaultDraws& draws, const WeakCellTraits& weak, int check_bits,
                             const std::vector<FaultRange>& ranges)
    : draws_(draws),
      weak_(weak, check_bits, weak_ranges(ranges)),
      stored_bits_(32 + static_cast<uint64_t>(check_bits)),
      clean_(weak_.words().size()),
      clean_since_(weak_.words().size(), 0) {
  for (uint64_t bit = 0; bit < stored_bits_; ++bit)
    if (!(draws.protect_sign && bit == 31)) allowed_bits_.push_back(static_cast<int>(bit));
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

// Dirty ones (all of them after a DMA write), and those whose intermittent
// cells read a wrong bit now or on the last read.
void FaultInjector::weak_words_to_read(size_t first, size_t end, Region& region) {
  weak_to_read_.clear();
  const auto dirty_begin = dirty_.lower_bound(first), dirty_end = dirty_.lower_bound(end);
  if (region.writes_seen < writes_) {
    for (size_t i = first; i < end; ++i) weak_to_read_.push_back(i);
    region.writes_seen = writes_;
  } else {
    weak_to_read_.assign(dirty_begin, dirty_end);
  }
  dirty_.erase(dirty_begin, dirty_end);
  // Three sorted lists, merged.
  merged_.clear();
  for (const auto& [index, bits] : changing_) merged_.push_back(index);
  const size_t half = weak_to_read_.size();
  weak_to_read_.insert(weak_to_read_.end(), merged_.begin(), merged_.end());
  std::inplace_merge(weak_to_read_.begin(),
                     weak_to_read_.begin() + static_cast<std::ptrdiff_t>(half),
                     weak_to_read_.end());
  merged_.clear();
  std::merge(weak_to_read_.begin(), weak_to_read_.end(), region.failed_before.begin(),
             region.failed_before.end(), std::back_inserter(merged_));
  merged_.erase(std::unique(merged_.begin(), merged_.end()), merged_.end());
  weak_to_read_.swap(merged_);
}

void FaultInjector::read_weak_word(size_t index, uint64_t upsets, uint64_t intermittent_failing,
                                   uint32_t pass, uint64_t series_pass,
                                   const WeightReadReport& report, Region& region,
                                   SramContents& contents, FaultStats& stats) {
  const WeakWord& w = weak_.words()[index];
  // Counted exactly now, not as a clean word.
  count(stats, clean_[index], -1);
  const uint64_t before = contents.stored(w.word);
  const WordFaults faults{upsets, w.permanent | intermittent_failing, w.stuck_ones, w.mapped};
  const uint64_t after =
      contents.read(w.word, faults, pass, series_pass, report.field_bits, report.changes, stats);
  // Read again while the stored word stays as it is, it does the same: what
  // it does changes only with the stored word (this read's write-back, a DMA
  // write, a new fault map).
  if (after != before || clean_since_[index] != writes_) {
    region.clean -= clean_[index];
    clean_[index] =
        contents.peek(w.word, {0, w.permanent, w.stuck_ones, w.mapped}, report.field_bits);
    region.clean += clean_[index];
    clean_since_[index] = writes_;
  }
  if (after != before) {
    dirty_.insert(index);
    if (region.streamed) region.rewritten.push_back(w.word);
  }
}

void FaultInjector::restore(Region& region, uint32_t pass, uint64_t series_pass,
                            const WeightReadReport& report, SramContents& contents) {
  if (region.rewritten.empty()) return;
  std::sort(region.rewritten.begin(), region.rewritten.end());
  region.rewritten.erase(std::unique(region.rewritten.begin(), region.rewritten.end()),
                         region.rewritten.end());
  contents.reach_pass(series_pass);
  for (uint64_t word : region.rewritten) {
    if (!contents.restore(word, pass, series_pass, report.changes)) continue;
    // A weak word with new stored bits reads anew.
    const auto [at, stop] = weak_.range(word, word + 1);
    if (at < stop) dirty_.insert(at);
  }
  region.rewritten.clear();
}

void FaultInjector::read_once(uint64_t first_word, uint64_t words, double upset_p, uint32_t pass,
                              uint64_t series_pass, uint64_t read_number,
                              const WeightReadReport& report, Region& region,
                              SramContents& contents, FaultStats& stats) {
  contents.reach_pass(series_pass);
  pending_.clear();
  if (upset_p > 0.0) draw_upsets(first_word, words, upset_p, read_number);
  const auto [weak_begin, weak_end] = weak_.range(first_word, first_word + words);
  intermittent_.clear();
  weak_to_read_.clear();
  if (weak_begin < weak_end) {
    weak_.draw_intermittent(weak_begin, weak_end, draws_.seed, draws_.trial,
                            kIntermittentStream | first_word, read_number, intermittent_);
    // A failing cell whose stuck value is the bit it holds reads right: only
    // the others change what the word reads (half of them, when stuck values
    // and data are alike 0 and 1).
    changing_.clear();
    const std::vector<WeakWord>& words = weak_.words();
    for (size_t n = 0; n < intermittent_.size(); ++n) {
      if (n + kPrefetchAhead < intermittent_.size())
        contents.prefetch(words[intermittent_[n + kPrefetchAhead].first].word);
      const auto& [index, bits] = intermittent_[n];
      const WeakWord& w = words[index];
      const WordFaults failing{0, bits, w.stuck_ones, 0};
      if (failing.weak_wrong(contents.stored(w.word)) != 0) changing_.emplace_back(index, bits);
    }
    weak_words_to_read(weak_begin, weak_end, region);
    count(stats, region.clean, +1);  // the clean weak words read as they did
  }
  const std::vector<WeakWord>& weak = weak_.words();
  size_t i = 0, j = 0, k = 0;  // upsets, weak words to read, intermittent failures
  while (i < pending_.size() || j < weak_to_read_.size()) {
    if (i + kPrefetchAhead < pending_.size()) contents.prefetch(pending_[i + kPrefetchAhead].first);
    if (j + kPrefetchAhead < weak_to_read_.size())
      contents.prefetch(weak[weak_to_read_[j + kPrefetchAhead]].word);
    const uint64_t word =
        std::min(i < pending_.size() ? pending_[i].first : UINT64_MAX,
                 j < weak_to_read_.size() ? weak[weak_to_read_[j]].word : UINT64_MAX);
    uint64_t upsets = 0;  // faults of one word in one read act together
    for (; i < pending_.size() && pending_[i].first == word; ++i) upsets |= pending_[i].second;
    size_t index = SIZE_MAX;
    if (j < weak_to_read_.size() && weak[weak_to_read_[j]].word == word) {
      index = weak_to_read_[j++];
    } else if (weak_begin < weak_end) {  // an upset in a clean weak word
      const auto [at, stop] = weak_.range(word, word + 1);
      if (at < stop) index = at;
    }
    if (index == SIZE_MAX) {
      const uint64_t before = region.streamed ? contents.stored(word) : 0;
      const uint64_t after = contents.read(word, {upsets, 0, 0, 0}, pass, series_pass,
                                           report.field_bits, report.changes, stats);
      if (region.streamed && after != before) region.rewritten.push_back(word);
      continue;
    }
    for (; k < intermittent_.size() && intermittent_[k].first < index; ++k) {
    }
    const uint64_t failing =
        k < intermittent_.size() && intermittent_[k].first == index ? intermittent_[k].second : 0;
    read_weak_word(index, upsets, failing, pass, series_pass, report, region, contents, stats);
  }
  region.failed_before.clear();
  for (const auto& [index, bits] : changing_) region.failed_before.push_back(index);
}

void FaultInjector::read(uint64_t first_word, uint64_t words, double upset_p, bool streamed,
                         const WeightReadReport& report, SramContents& contents,
                         FaultStats& stats) {
  Region& region = regions_[first_word];
  region.streamed = streamed;
  const uint64_t reads = uint64_t{report.passes} * report.reads_per_pass;
  for (uint64_t read = 0; read < reads; ++read) {
    const auto pass = static_cast<uint32_t>(read / report.reads_per_pass);
    if (streamed && read % report.reads_per_pass == 0)
      restore(region, pass, region.passes + pass, report, contents);
    read_once(first_word, words, upset_p, pass, region.passes + pass, region.reads + read, report,
              region, contents, stats);
  }
  region.passes += report.passes;
  region.reads += reads;
  passes_done_ = std::max(passes_done_, region.passes);
}

uint64_t FaultInjector::self_test(int passes) {
  // Every weak word reads anew with the new map.
  ++writes_;
  return weak_.self_test({draws_.seed, draws_.trial, passes});
}

}  // namespace lvsim
