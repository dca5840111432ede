#include "models/weight_sram/sram_contents.h"

#include <algorithm>
#include <cstring>

#include "models/common/ceil_div.h"

namespace lvsim {

SramContents::SramContents(const std::string& owner, uint64_t capacity_bytes,
                           const Mitigation& mitigation, bool read_disturb, bool fault_map,
                           int lanes)
    : memory_(owner, capacity_bytes),
      mitigation_(mitigation),
      geometry_{lanes, mitigation.word_check_bits(lanes)},
      masks_(mitigation.uses_detector()),
      read_disturb_(read_disturb),
      fault_map_(fault_map && mitigation.uses_detector()),
      written_(capacity_bytes / kWordBytes, 0),
      shown_bits_((written_.size() + 63) / 64, 0),
      shown_values_(new uint32_t[written_.size()]),
      stale_bits_(shown_bits_.size(), 0) {
  if (geometry_.check_bits > 0) {
    check_.assign(written_.size(), 0);
    for (uint64_t lane = 0; lane < written_.size(); ++lane)
      check_[lane] = check_of(lane, [](uint64_t) { return 0u; });
  }
}

template <typename Value>
uint8_t SramContents::check_of(uint64_t lane, Value value) const {
  if (geometry_.lanes == 1) return mitigation_.encode(value(lane));
  const auto lanes = static_cast<uint64_t>(geometry_.lanes);
  const uint64_t first = lane - lane % lanes;
  uint32_t data[4];
  for (uint64_t l = 0; l < lanes; ++l) data[l] = value(first + l);
  return lane_check(mitigation_.encode_word(data, geometry_.lanes), lane);
}

uint8_t SramContents::lane_check(uint16_t check, uint64_t lane) const {
  const int l = static_cast<int>(lane % static_cast<uint64_t>(geometry_.lanes));
  return static_cast<uint8_t>((check >> geometry_.check_first(l)) &
                              ((1u << geometry_.check_count(l)) - 1));
}

uint16_t SramContents::word_check(const uint64_t* stored) const {
  uint16_t check = 0;
  for (int l = 0; l < geometry_.lanes; ++l)
    check |= static_cast<uint16_t>(((stored[l] >> 32) & ((1u << geometry_.check_count(l)) - 1))
                                   << geometry_.check_first(l));
  return check;
}

uint8_t SramContents::reference_check(uint64_t lane) const {
  return check_of(lane, [this](uint64_t w) { return written_[w]; });
}

void SramContents::show(uint64_t word, uint32_t value) {
  uint64_t& bits = shown_bits_[word / 64];
  const uint64_t bit = uint64_t{1} << (word % 64);
  shown_count_ += (bits & bit) == 0;
  bits |= bit;
  shown_values_[word] = value;
}

void SramContents::unshow(uint64_t word) {
  uint64_t& bits = shown_bits_[word / 64];
  const uint64_t bit = uint64_t{1} << (word % 64);
  shown_count_ -= (bits & bit) != 0;
  bits &= ~bit;
}

void SramContents::mark_weak(uint64_t word) {
  set_stale(word, false);
  if (weak_bits_.empty()) weak_bits_.assign(stale_bits_.size(), 0);
  weak_bits_[word / 64] |= uint64_t{1} << (word % 64);
}

bool SramContents::stale(uint64_t word) const {
  return stale_count_ > 0 && (stale_bits_[word / 64] >> (word % 64) & 1);
}

void SramContents::set_stale(uint64_t word, bool is_stale) {
  const uint64_t bit = uint64_t{1} << (word % 64);
  if (!weak_bits_.empty() && (weak_bits_[word / 64] & bit)) return;  // counted by its reads
  uint64_t& bits = stale_bits_[word / 64];
  if (((bits & bit) != 0) == is_stale) return;
  bits ^= bit;
  stale_count_ += is_stale ? 1 : -1;
}

void SramContents::uncount_stale(FaultStats& stats) {
  stats.silent_word_reads -= 1;
  stats.silent_stored_word_reads -= 1;
}

uint64_t SramContents::stale_lane_words(uint64_t first_lane, uint64_t end_lane) const {
  if (stale_count_ == 0 || first_lane >= end_lane) return 0;
  const auto lanes = static_cast<uint64_t>(geometry_.lanes);
  // A bit per word at its first lane: the OR of its lanes' bits (64 lanes
  // per block hold whole words).
  const uint64_t firsts = lanes == 2 ? 0x5555555555555555ull : 0x1111111111111111ull;
  uint64_t count = 0;
  for (uint64_t block = first_lane / 64; block <= (end_lane - 1) / 64; ++block) {
    uint64_t bits = stale_bits_[block];
    for (uint64_t shift = 1; shift < lanes; shift *= 2) bits |= bits >> shift;
    bits &= firsts;
    for (; bits != 0; bits &= bits - 1) {
      const uint64_t lane = block * 64 + static_cast<uint64_t>(__builtin_ctzll(bits));
      count += lane >= first_lane && lane < end_lane;
    }
  }
  return count;
}

uint64_t SramContents::stale_words(uint64_t first_word, uint64_t end_word) const {
  if (stale_count_ == 0 || first_word >= end_word) return 0;
  const uint64_t first_block = first_word / 64, last_block = (end_word - 1) / 64;
  const uint64_t head = ~uint64_t{0} << (first_word % 64);
  const uint64_t tail = ~uint64_t{0} >> (63 - (end_word - 1) % 64);
  if (first_block == last_block)
    return static_cast<uint64_t>(__builtin_popcountll(stale_bits_[first_block] & head & tail));
  uint64_t count = static_cast<uint64_t>(__builtin_popcountll(stale_bits_[first_block] & head)) +
                   static_cast<uint64_t>(__builtin_popcountll(stale_bits_[last_block] & tail));
  for (uint64_t block = first_block + 1; block < last_block; ++block)
    count += static_cast<uint64_t>(__builtin_popcountll(stale_bits_[block]));
  return count;
}

uint32_t SramContents::load(uint64_t word) const {
  uint32_t value;
  std::memcpy(&value, memory_.data() + word * kWordBytes, kWordBytes);
  return value;
}

uint64_t SramContents::stored(uint64_t word) const {
  return load(word) | (check_.empty() ? uint64_t{0} : uint64_t{check_[word]} << 32);
}

uint32_t SramContents::view(uint64_t word) const {
  if (shown_count_ == 0 || !(shown_bits_[word / 64] >> (word % 64) & 1)) return load(word);
  return shown_values_[word];
}

int SramContents::faulty_bits_of(uint64_t word) const {
  int count = __builtin_popcount(view(word) ^ written_[word]);
  if (!check_.empty()) count += __builtin_popcount(check_[word] ^ reference_check(word));
  return count;
}

void SramContents::reach_batch(uint64_t run_batch) {
  if (faulty_delta_.size() <= run_batch) faulty_delta_.resize(run_batch + 1, 0);
}

std::pair<size_t, size_t> SramContents::write_failures_in(uint64_t first, uint64_t end) const {
  const auto by_word = [](const WriteFailure& f, uint64_t word) { return f.word < word; };
  const auto begin =
      std::lower_bound(write_failures_.begin(), write_failures_.end(), first, by_word);
  const auto stop = std::lower_bound(begin, write_failures_.end(), end, by_word);
  return {static_cast<size_t>(begin - write_failures_.begin()),
          static_cast<size_t>(stop - write_failures_.begin())};
}

uint64_t SramContents::held_by(uint64_t word, uint64_t intended) const {
  const auto [at, stop] = write_failures_in(word, word + 1);
  if (at == stop) return intended;
  const WriteFailure& f = write_failures_[at];
  return (intended & ~f.cells) | f.stuck_ones;
}

void SramContents::count_failed_writes(uint64_t address, uint64_t bytes, uint64_t writes) {
  const auto [begin, end] =
      write_failures_in(address / kWordBytes, ceil_div(address + bytes, kWordBytes));
  for (size_t f = begin; f < end; ++f) {
    const uint64_t word = write_failures_[f].word;
    const uint64_t intended =
        written_[word] | (check_.empty() ? uint64_t{0} : uint64_t{reference_check(word)} << 32);
    write_failed_bits_ +=
        writes * static_cast<uint64_t>(__builtin_popcountll(held_by(word, intended) ^ intended));
  }
}

const unsigned char* SramContents::held_image(uint64_t first, const unsigned char* data,
                                              uint64_t bytes, size_t fail_begin, size_t fail_end) {
  if (fail_begin >= fail_end) return data;
  held_.assign(data, data + bytes);
  for (size_t f = fail_begin; f < fail_end; ++f) {
    const WriteFailure& failure = write_failures_[f];
    unsigned char* at = held_.data() + (failure.word - first) * kWordBytes;
    uint32_t value;
    std::memcpy(&value, at, kWordBytes);
    value =
        (value & ~static_cast<uint32_t>(failure.cells)) | static_cast<uint32_t>(failure.stuck_ones);
    std::memcpy(at, &value, kWordBytes);
  }
  return held_.data();
}

int64_t SramContents::forget_shown(uint64_t first, uint64_t last) {
  int64_t cured = 0;
  for (size_t block = 0; shown_count_ > 0 && block < shown_bits_.size(); ++block) {
    for (uint64_t bits = shown_bits_[block]; bits != 0; bits &= bits - 1) {
      const uint64_t word = block * 64 + static_cast<uint64_t>(__builtin_ctzll(bits));
      if (word < first || word >= last)  // read again as stored
        cured += __builtin_popcount(shown_values_[word] ^ written_[word]) -
                 __builtin_popcount(load(word) ^ written_[word]);
    }
    shown_bits_[block] = 0;
  }
  shown_count_ = 0;
  return cured;
}

bool SramContents::write(uint64_t address, const unsigned char* data, uint64_t bytes,
                         uint64_t at_batch) {
  const uint64_t first = address / kWordBytes, last = ceil_div(address + bytes, kWordBytes);
  // What the cells hold after the write: the data, but a cell failing writes
  // keeps its stuck value. The data written stays the reference.
  // (Not a structured binding: C++17 lambdas cannot capture one.)
  const std::pair<size_t, size_t> failing = write_failures_in(first, last);
  const size_t fail_begin = failing.first, fail_end = failing.second;
  const unsigned char* held = held_image(first, data, bytes, fail_begin, fail_end);
  const auto intended_word = [&](uint64_t word) {
    uint32_t value;
    std::memcpy(&value, data + (word - first) * kWordBytes, kWordBytes);
    return value;
  };
  // The check bits a word's cells hold: the code of the data written (with
  // several lanes per word, its lane's share of the word's code, the lanes
  // outside the write keeping their reference).
  const auto intended_lane = [&](uint64_t lane) {
    return lane >= first && lane < last ? intended_word(lane) : written_[lane];
  };
  const auto held_check = [&](uint64_t word) {
    const uint32_t value = intended_word(word);
    const uint64_t code = uint64_t{check_of(word, intended_lane)} << 32;
    return static_cast<uint8_t>(
        (fail_begin < fail_end ? held_by(word, value | code) : value | code) >> 32);
  };
  bool changed = std::memcmp(memory_.data() + address, held, bytes) != 0;
  for (uint64_t word = first; word < last && !changed && !check_.empty(); ++word)
    changed = check_[word] != held_check(word);
  if (!changed) {
    for (uint64_t word = first; word < last; ++word) {
      written_[word] = intended_word(word);
      set_stale(word, false);
    }
    count_failed_writes(address, bytes, 1);  // so also when it changes nothing
    return false;
  }
  int64_t cured = 0;
  for (uint64_t word = first; word < last; ++word) cured += faulty_bits_of(word);
  cured += forget_shown(first, last);
  std::memcpy(memory_.data() + address, held, bytes);
  for (uint64_t word = first; word < last; ++word) {
    written_[word] = intended_word(word);
    if (!check_.empty()) check_[word] = held_check(word);
    set_stale(word, false);
  }
  count_failed_writes(address, bytes, 1);
  // The writes that failed leave wrong bits, read as they are stored.
  for (size_t f = fail_begin; f < fail_end; ++f) cured -= faulty_bits_of(write_failures_[f].word);
  if (cured != 0) {
    reach_batch(at_batch);
    faulty_delta_[at_batch] -= cured;
  }
  return true;
}

bool SramContents::matches_reference(uint64_t address, const unsigned char* data,
                                     uint64_t bytes) const {
  if (address % kWordBytes || bytes % kWordBytes || address + bytes > memory_.size()) return false;
  return std::memcmp(written_.data() + address / kWordBytes, data, bytes) == 0;
}

bool SramContents::restore(uint64_t word, uint32_t batch, uint64_t run_batch,
                           std::vector<WordChange>* changes) {
  const uint32_t reference = written_[word];
  // What the load leaves in the cells: a cell failing writes keeps its stuck value.
  const uint64_t fresh = held_by(
      word, reference | (check_.empty() ? uint64_t{0} : uint64_t{reference_check(word)} << 32));
  if (stored(word) == fresh) return false;
  const uint32_t old_view = view(word);
  const auto fresh_data = static_cast<uint32_t>(fresh);
  reach_batch(run_batch);
  faulty_delta_[run_batch] -= faulty_bits_of(word);
  std::memcpy(memory_.data() + word * kWordBytes, &fresh_data, kWordBytes);
  if (!check_.empty()) check_[word] = static_cast<uint8_t>(fresh >> 32);
  set_stale(word, fresh_data != reference);
  // A value the array read from the old bits (a weak cell's) is read again
  // from the new ones on the batch's first read; until then it reads them as stored.
  if (shown_count_ > 0) unshow(word);
  const int wrong = faulty_bits_of(word);
  faulty_delta_[run_batch] += wrong;
  write_failed_bits_ += static_cast<uint64_t>(wrong);
  if (changes && old_view != fresh_data)
    changes->push_back({batch, static_cast<uint32_t>(word), fresh_data, old_view});
  return true;
}

void SramContents::prefetch(uint64_t word) const {
  __builtin_prefetch(memory_.data() + word * kWordBytes, 1);
  __builtin_prefetch(&written_[word]);
  if (shown_count_ > 0) __builtin_prefetch(&shown_values_[word], 1);
}

uint64_t SramContents::read(uint64_t word, const WordFaults& faults, uint32_t batch,
                            uint64_t run_batch, int field_bits, std::vector<WordChange>* changes,
                            FaultStats& stats) {
  const uint32_t data = load(word);
  const uint8_t check = check_.empty() ? 0 : check_[word];
  const uint64_t stored = data | uint64_t{check} << 32;
  const uint32_t old_view = view(word);
  const Resolved read = resolve(stored, faults, field_bits, written_[word]);
  const ReadOutcome& outcome = read.outcome;
  if (read.faulty) {
    const uint64_t upsets = faults.upsets & read.wrong;
    stats.bit_faults += static_cast<uint64_t>(__builtin_popcountll(read.wrong));
    stats.upset_bit_faults += static_cast<uint64_t>(__builtin_popcountll(upsets));
    stats.weak_bit_faults += static_cast<uint64_t>(__builtin_popcountll(read.wrong & ~upsets));
    stats.faulty_word_reads += 1;
    stats.ecc_corrected += outcome.corrected;
    stats.ecc_uncorrectable += outcome.uncorrectable;
    stats.masked_word_reads += static_cast<uint64_t>(read.ended.masked);
    // A stale word (read_once counted it silent before the read) read with
    // a failing bit ends as its faults decide.
    if (stale(word)) uncount_stale(stats);
  }
  stats.silent_word_reads += static_cast<uint64_t>(read.ended.silent);
  stats.silent_stored_word_reads += static_cast<uint64_t>(read.ended.silent_stored);
  // Upsets write the word read back (they persist); read disturb leaves a
  // failing weak cell holding its stuck value.
  uint64_t after = faults.upsets ? outcome.data | uint64_t{outcome.check} << 32 : stored;
  if (read_disturb_)
    after = (after & ~faults.weak_failing) | (faults.stuck_ones & faults.weak_failing);
  if (after != stored) {
    const auto new_data = static_cast<uint32_t>(after);
    std::memcpy(memory_.data() + word * kWordBytes, &new_data, kWordBytes);
    if (!check_.empty()) check_[word] = static_cast<uint8_t>(after >> 32);
    stats.words_written_back += 1;
    set_stale(word, new_data != written_[word]);
  }
  const uint32_t new_view = outcome.data;
  const uint32_t reference = written_[word];
  int delta = __builtin_popcount(new_view ^ reference) - __builtin_popcount(old_view ^ reference);
  if (!check_.empty()) {
    const uint8_t code = reference_check(word);
    delta += __builtin_popcount(static_cast<uint8_t>(after >> 32) ^ code) -
             __builtin_popcount(check ^ code);
  }
  faulty_delta_[run_batch] += delta;
  if (new_view != static_cast<uint32_t>(after))
    show(word, new_view);
  else if (shown_count_ > 0)
    unshow(word);
  if (new_view != old_view) {
    stats.words_changed += 1;
    if (changes) changes->push_back({batch, static_cast<uint32_t>(word), new_view, old_view});
  }
  return after;
}

uint64_t SramContents::read_upsets(uint64_t word, uint64_t upsets, uint32_t batch,
                                   uint64_t run_batch, int field_bits,
                                   std::vector<WordChange>* changes, FaultStats& stats) {
  if (fault_map_ || !check_.empty())
    return read(word, {upsets, 0, 0, 0}, batch, run_batch, field_bits, changes, stats);
  // read() with no weak cell failing and no check bits: every failing bit is
  // an upset, the mitigation sees them all, and what it returns is written
  // back (so the array reads the word as stored).
  const uint32_t data = load(word);
  const uint32_t old_view = view(word);
  const uint32_t reference = written_[word];
  const ReadOutcome outcome = mitigation_.on_faulty_read(data, 0, upsets, field_bits);
  const auto bits = static_cast<uint64_t>(__builtin_popcountll(upsets));
  stats.bit_faults += bits;
  stats.upset_bit_faults += bits;
  stats.faulty_word_reads += 1;
  stats.ecc_corrected += outcome.corrected;
  stats.ecc_uncorrectable += outcome.uncorrectable;
  if (!outcome.uncorrectable) {
    if (masks_)
      stats.masked_word_reads += 1;
    else if (outcome.data != reference)
      stats.silent_word_reads += 1;
  }
  if (data != reference) uncount_stale(stats);  // read_once counted it as a stale read
  const uint64_t after = outcome.data | uint64_t{outcome.check} << 32;
  if (after != data) {
    std::memcpy(memory_.data() + word * kWordBytes, &outcome.data, kWordBytes);
    stats.words_written_back += 1;
    set_stale(word, outcome.data != reference);
  }
  faulty_delta_[run_batch] +=
      __builtin_popcount(outcome.data ^ reference) - __builtin_popcount(old_view ^ reference);
  if (shown_count_ > 0) unshow(word);
  if (outcome.data != old_view) {
    stats.words_changed += 1;
    if (changes) changes->push_back({batch, static_cast<uint32_t>(word), outcome.data, old_view});
  }
  return after;
}

// A read that reached the array wrong with nothing flagged is silent, also
// when a decoder took it for one it corrected (three failing bits that SEC-DED
// turns into four): it does not count as corrected.
void SramContents::miscorrected(Resolved& r) {
  r.outcome.corrected = false;
  r.ended.silent = 1;
}

bool SramContents::unchanged_words(uint64_t first_word, size_t count, uint32_t may_fail,
                                   int field_bits, uint64_t* unchanged) {
  if (fault_map_ || !check_.empty() || shown_count_ > 0) return false;
  run_data_.resize(count);
  std::memcpy(run_data_.data(), memory_.data() + first_word * kWordBytes, count * kWordBytes);
  run_first_ = first_word;  // read_upsets_run() of the same words reads them from here
  return mitigation_.unchanged_by_one_bit(run_data_.data(), count, may_fail, field_bits, unchanged);
}

void SramContents::RunCounts::unchanged(uint64_t words, uint64_t wrong) {
  // Each is a masked (a detector) or, if wrong, silent read of a stale word.
  bits += words;
  kept += words;
  silent += wrong;
  unstale += wrong;
}

void SramContents::read_run_word(uint64_t word, uint32_t data, uint32_t upsets,
                                 const ReadOutcome& outcome, uint32_t batch, WordChange* entries,
                                 std::vector<uint64_t>* rewritten, RunCounts& c) {
  const uint32_t reference = written_[word];
  const bool was_shown = shown_count_ > 0 && (shown_bits_[word / 64] >> (word % 64) & 1);
  const uint32_t old_view = was_shown ? shown_values_[word] : data;
  // Every flag a full-width integer: a flag kept as a byte and read back as
  // a word (the compiler's spill of `outcome.data != reference`) stalled
  // each word on a failed store forwarding.
  const auto flag = [](bool b) { return static_cast<uint64_t>(b); };
  const uint64_t kept = flag(!outcome.uncorrectable);
  const uint64_t wrong = flag(outcome.data != reference);
  c.bits += static_cast<uint64_t>(__builtin_popcount(upsets));
  c.corrected += flag(outcome.corrected);
  c.uncorrectable += kept ^ 1;
  // Not detected: masked (a detector) or, if wrong, silent.
  c.kept += kept;
  c.silent += kept & wrong;
  c.unstale += flag(data != reference);  // read_once counted it as a stale read
  const uint64_t after = outcome.data | uint64_t{outcome.check} << 32;
  const uint64_t rewrites = flag(after != data);
  std::memcpy(memory_.data() + word * kWordBytes, &outcome.data, kWordBytes);
  c.written_back += rewrites;
  uint64_t& stale_word = stale_bits_[word / 64];
  const uint64_t was_stale = stale_word >> (word % 64) & 1;
  const uint64_t now_stale = (rewrites & wrong) | ((rewrites ^ 1) & was_stale);
  stale_word ^= (was_stale ^ now_stale) << (word % 64);
  c.stale_delta += static_cast<int64_t>(now_stale) - static_cast<int64_t>(was_stale);
  if (rewritten && rewrites) rewritten->push_back(word);
  c.delta +=
      __builtin_popcount(outcome.data ^ reference) - __builtin_popcount(old_view ^ reference);
  if (was_shown) unshow(word);
  if (entries) entries[c.changed] = {batch, static_cast<uint32_t>(word), outcome.data, old_view};
  c.changed += outcome.data != old_view;
}

void SramContents::read_upsets_run(uint64_t first_word, size_t count, const uint32_t* upsets,
                                   const uint64_t* unchanged, uint32_t batch, uint64_t run_batch,
                                   int field_bits, std::vector<WordChange>* changes,
                                   FaultStats& stats, std::vector<uint64_t>* rewritten) {
  if (fault_map_ || !check_.empty()) {
    for (size_t i = 0; i < count; ++i) {
      const uint64_t word = first_word + i;
      const uint64_t before = stored(word);
      if (read(word, {upsets[i], 0, 0, 0}, batch, run_batch, field_bits, changes, stats) !=
              before &&
          rewritten)
        rewritten->push_back(word);
    }
    return;
  }
  // read_upsets() word by word, without a branch on what the read did (at
  // p = 1 whether a word changes is a coin toss, and mispredicted branches
  // were most of the time): every word's outcome is stored, its stale bit
  // set as it now is, and its change entry written and kept if it changed.
  // Words without weak cells (the range has none), so each word's stale bit
  // is its own to keep. Unchanged words (64 at a time where they fill a
  // group) only count: their outcome is their data, which the array reads.
  if (run_first_ != first_word || run_data_.size() != count) {  // not read by unchanged_words()
    run_data_.resize(count);
    std::memcpy(run_data_.data(), memory_.data() + first_word * kWordBytes, count * kWordBytes);
  }
  run_first_ = UINT64_MAX;
  run_outcomes_.resize(count);
  if (run_changes_.size() < count) run_changes_.resize(count);
  WordChange* const entries = changes ? run_changes_.data() : nullptr;
  RunCounts c;
  for (size_t group = 0; group * 64 < count; ++group) {
    const size_t begin = group * 64, end = std::min(count, begin + 64);
    const uint64_t all = end - begin == 64 ? ~uint64_t{0} : (uint64_t{1} << (end - begin)) - 1;
    const uint64_t same = unchanged ? unchanged[group] & all : 0;
    if (same == all) {  // a read changes none of them
      uint64_t wrong = 0;
      for (size_t i = begin; i < end; ++i) wrong += run_data_[i] != written_[first_word + i];
      c.unchanged(end - begin, wrong);
      continue;
    }
    mitigation_.on_faulty_reads(run_data_.data() + begin, upsets + begin, end - begin, field_bits,
                                run_outcomes_.data() + begin);
    for (size_t i = begin; i < end; ++i) {
      if (same >> (i - begin) & 1)
        c.unchanged(1, run_data_[i] != written_[first_word + i]);
      else
        read_run_word(first_word + i, run_data_[i], upsets[i], run_outcomes_[i], batch, entries,
                      rewritten, c);
    }
  }
  if (changes) changes->insert(changes->end(), entries, entries + c.changed);
  add_run_counts(c, count, run_batch, stats);
}

void SramContents::add_run_counts(const RunCounts& c, uint64_t words, uint64_t run_batch,
                                  FaultStats& stats) {
  stale_count_ = static_cast<uint64_t>(static_cast<int64_t>(stale_count_) + c.stale_delta);
  stats.bit_faults += c.bits;
  stats.upset_bit_faults += c.bits;
  stats.faulty_word_reads += words;
  stats.ecc_corrected += c.corrected;
  stats.ecc_uncorrectable += c.uncorrectable;
  if (masks_)
    stats.masked_word_reads += c.kept;
  else
    stats.silent_word_reads += c.silent;
  stats.silent_word_reads -= c.unstale;
  stats.silent_stored_word_reads -= c.unstale;
  stats.words_written_back += c.written_back;
  stats.words_changed += c.changed;
  faulty_delta_[run_batch] += c.delta;
}

void SramContents::read_known(uint64_t word, uint32_t stored, uint32_t reference, uint32_t new_view,
                              uint32_t batch, uint64_t run_batch, std::vector<WordChange>* changes,
                              FaultStats& stats) {
  const bool was_shown = shown_count_ > 0 && (shown_bits_[word / 64] >> (word % 64) & 1);
  const uint32_t old_view = was_shown ? shown_values_[word] : stored;
  // The stored bits and check bits stay: only the data the array reads moves
  // the faulty-bit count.
  faulty_delta_[run_batch] +=
      __builtin_popcount(new_view ^ reference) - __builtin_popcount(old_view ^ reference);
  if (new_view != stored)
    show(word, new_view);
  else if (was_shown)
    unshow(word);
  if (new_view != old_view) {
    stats.words_changed += 1;
    if (changes) changes->push_back({batch, static_cast<uint32_t>(word), new_view, old_view});
  }
}

SramContents::Resolved SramContents::resolve(uint64_t stored, const WordFaults& faults,
                                             int field_bits, uint32_t reference) const {
  Resolved r;
  const auto data = static_cast<uint32_t>(stored);
  const auto check = static_cast<uint8_t>(stored >> 32);
  r.outcome = {data, check, false, false};
  if (!fault_map_) {
    // A detector at every read (or none): the mitigation sees exactly the bits that failed.
    r.wrong = faults.upsets | faults.weak_wrong(stored);
    if (r.wrong == 0) {
      // No bit failed, but the stored word may be wrong (a disturbed cell):
      // a decoder sees a stored error as it sees a failing bit; anything else
      // returns the stored data as it is, and nothing notices.
      if (!check_.empty() && check != mitigation_.encode(data)) {
        r.outcome = mitigation_.on_faulty_read(data, check, 0, field_bits);
        r.faulty = true;
        if (!r.outcome.uncorrectable && r.outcome.data != reference) miscorrected(r);
      } else if (data != reference) {
        r.ended.silent = r.ended.silent_stored = 1;
      }
      return r;
    }
    r.faulty = true;
    r.outcome = mitigation_.on_faulty_read(data, check, r.wrong, field_bits);
    if (r.outcome.uncorrectable) return r;  // detected
    if (mitigation_.uses_detector())
      r.ended.masked = 1;
    else if (r.outcome.data != reference)
      miscorrected(r);
    return r;
  }
  // A fault map: the bits as read (upsets flipped, failing weak cells at their
  // stuck values), then the mapped cells masked whether they failed or not.
  const uint64_t as_read =
      ((stored ^ faults.upsets) & ~faults.weak_failing) | (faults.stuck_ones & faults.weak_failing);
  r.wrong = as_read ^ stored;
  r.outcome = {static_cast<uint32_t>(as_read), static_cast<uint8_t>(as_read >> 32), false, false};
  if (faults.mapped != 0)
    r.outcome =
        mitigation_.on_faulty_read(r.outcome.data, r.outcome.check, faults.mapped, field_bits);
  if (r.wrong == 0) {
    // Stored data wrong outside the mapped cells reaches the array unmasked.
    if (((r.outcome.data ^ reference) & ~static_cast<uint32_t>(faults.mapped)) != 0)
      r.ended.silent = r.ended.silent_stored = 1;
    return r;
  }
  r.faulty = true;
  if ((r.wrong & ~faults.mapped) != 0 && r.outcome.data != reference)
    r.ended.silent = 1;  // a failing bit the map does not hold reached the array
  else
    r.ended.masked = 1;
  return r;
}

ReadSummary SramContents::peek(uint64_t word, const WordFaults& faults, int field_bits,
                               uint32_t* view) const {
  const Resolved read = resolve(stored(word), faults, field_bits, written_[word]);
  if (view != nullptr) *view = read.outcome.data;
  ReadSummary summary = read.ended;
  if (!read.faulty) return summary;
  summary.faulty_bits = __builtin_popcountll(read.wrong);
  summary.faulty_words = 1;
  summary.corrected = read.outcome.corrected;
  summary.uncorrectable = read.outcome.uncorrectable;
  return summary;
}

std::vector<uint64_t> SramContents::faulty_bits_after_batch() const {
  std::vector<uint64_t> series(faulty_delta_.size());
  int64_t count = 0;
  for (size_t i = 0; i < faulty_delta_.size(); ++i) {
    count += faulty_delta_[i];
    series[i] = static_cast<uint64_t>(count);
  }
  return series;
}

uint64_t SramContents::faulty_bits() const {
  int64_t count = 0;
  for (int64_t delta : faulty_delta_) count += delta;
  return static_cast<uint64_t>(count);
}

}  // namespace lvsim

namespace lvsim {

SramContents::WordRead SramContents::resolve_word(uint64_t first_lane, const WordFaults* faults,
                                                  int field_bits) const {
  const int lanes = geometry_.lanes;
  WordRead r;
  uint64_t stored_lanes[4] = {0, 0, 0, 0};
  uint32_t masks[4] = {0, 0, 0, 0};
  uint64_t wrong_check[4] = {0, 0, 0, 0};  // the failing check bits, as stored_lanes holds them
  bool any_wrong = false, any_mapped = false;
  for (int l = 0; l < lanes; ++l) {
    const uint64_t lane = first_lane + static_cast<uint64_t>(l);
    const WordFaults& f = faults[l];
    stored_lanes[l] = stored(lane);
    // With a fault map, the bits as read (upsets flipped, failing weak cells
    // at their stuck values) and then the mapped cells masked; without, the
    // mitigation sees exactly the bits that failed.
    const uint64_t as_read =
        ((stored_lanes[l] ^ f.upsets) & ~f.weak_failing) | (f.stuck_ones & f.weak_failing);
    r.wrong[l] = fault_map_ ? as_read ^ stored_lanes[l] : f.upsets | f.weak_wrong(stored_lanes[l]);
    any_wrong |= r.wrong[l] != 0;
    any_mapped |= f.mapped != 0;
    r.data[l] = static_cast<uint32_t>(fault_map_ ? as_read : stored_lanes[l]);
    masks[l] = static_cast<uint32_t>(fault_map_ ? f.mapped : r.wrong[l]);
    wrong_check[l] = (fault_map_ ? f.mapped : r.wrong[l]) & ~uint64_t{0xffffffff};
    if (fault_map_) stored_lanes[l] = as_read;
  }
  r.check = word_check(stored_lanes);
  const auto reaches_wrong = [&](bool outside_map) {
    for (int l = 0; l < lanes; ++l) {
      uint32_t differs = r.data[l] ^ written_[first_lane + static_cast<uint64_t>(l)];
      if (outside_map) differs &= ~static_cast<uint32_t>(faults[l].mapped);
      if (differs != 0) return true;
    }
    return false;
  };
  const bool decodes = !check_.empty() && r.check != mitigation_.encode_word(r.data, lanes);
  if (any_wrong || (fault_map_ ? any_mapped : decodes))
    r.outcome = mitigation_.on_faulty_word(r.data, r.check, masks, word_check(wrong_check), lanes,
                                           field_bits);
  r.faulty = any_wrong || (!fault_map_ && decodes);
  const auto miscorrected = [&r] {  // as in resolve(): silent, not corrected
    r.outcome.corrected = false;
    r.ended.silent = 1;
  };
  if (!any_wrong) {
    // No bit failed; a stored error a decoder sees is decided above, anything
    // else wrong in store reaches the array unnoticed.
    if (!r.faulty && reaches_wrong(fault_map_)) r.ended.silent = r.ended.silent_stored = 1;
    if (r.faulty && !r.outcome.uncorrectable && reaches_wrong(false)) miscorrected();
    return r;
  }
  if (r.outcome.uncorrectable) return r;  // detected
  bool unmapped_failed = false;
  for (int l = 0; l < lanes; ++l) unmapped_failed |= (r.wrong[l] & ~faults[l].mapped) != 0;
  if (fault_map_)
    (unmapped_failed && reaches_wrong(false) ? r.ended.silent : r.ended.masked) = 1;
  else if (mitigation_.uses_detector())
    r.ended.masked = 1;
  else if (reaches_wrong(false))
    miscorrected();
  return r;
}

void SramContents::write_back(uint64_t first_lane, const WordFaults* faults, const WordRead& read,
                              const uint64_t* stored_lanes, FaultStats& stats) {
  // Upsets write the word read back (they persist), all its lanes; read
  // disturb leaves a failing weak cell holding its stuck value.
  bool upset = false, written_back = false;
  for (int l = 0; l < geometry_.lanes; ++l) upset |= faults[l].upsets != 0;
  for (int l = 0; l < geometry_.lanes; ++l) {
    const uint64_t lane = first_lane + static_cast<uint64_t>(l);
    const WordFaults& f = faults[l];
    uint64_t after =
        upset ? read.data[l] | uint64_t{lane_check(read.check, lane)} << 32 : stored_lanes[l];
    if (read_disturb_) after = (after & ~f.weak_failing) | (f.stuck_ones & f.weak_failing);
    if (after == stored_lanes[l]) continue;
    const auto new_data = static_cast<uint32_t>(after);
    std::memcpy(memory_.data() + lane * kWordBytes, &new_data, kWordBytes);
    if (!check_.empty()) check_[lane] = static_cast<uint8_t>(after >> 32);
    set_stale(lane, new_data != written_[lane]);
    written_back = true;
  }
  stats.words_written_back += written_back;
}

ReadSummary SramContents::peek_word(uint64_t first_lane, const WordFaults* faults,
                                    int field_bits) const {
  const WordRead read = resolve_word(first_lane, faults, field_bits);
  ReadSummary summary = read.ended;
  for (int l = 0; l < geometry_.lanes; ++l)
    if (stale(first_lane + static_cast<uint64_t>(l))) {  // read_once counted it silent
      summary.silent -= 1;
      summary.silent_stored -= 1;
      break;
    }
  if (!read.faulty) return summary;
  for (int l = 0; l < geometry_.lanes; ++l)
    summary.faulty_bits += __builtin_popcountll(read.wrong[l]);
  summary.faulty_words = 1;
  summary.corrected = read.outcome.corrected;
  summary.uncorrectable = read.outcome.uncorrectable;
  return summary;
}

unsigned SramContents::read_word(uint64_t first_lane, const WordFaults* faults, uint32_t batch,
                                 uint64_t run_batch, int field_bits,
                                 std::vector<WordChange>* changes, FaultStats& stats) {
  const int lanes = geometry_.lanes;
  uint64_t stored_lanes[4] = {0, 0, 0, 0};
  uint32_t old_view[4] = {0, 0, 0, 0};
  bool was_stale = false;
  for (int l = 0; l < lanes; ++l) {
    const uint64_t lane = first_lane + static_cast<uint64_t>(l);
    stored_lanes[l] = stored(lane);
    old_view[l] = view(lane);
    was_stale |= stale(lane);
  }
  const WordRead read = resolve_word(first_lane, faults, field_bits);
  if (read.faulty) {
    for (int l = 0; l < lanes; ++l) {
      const uint64_t upsets = faults[l].upsets & read.wrong[l];
      stats.bit_faults += static_cast<uint64_t>(__builtin_popcountll(read.wrong[l]));
      stats.upset_bit_faults += static_cast<uint64_t>(__builtin_popcountll(upsets));
      stats.weak_bit_faults += static_cast<uint64_t>(__builtin_popcountll(read.wrong[l] & ~upsets));
    }
    stats.faulty_word_reads += 1;
    stats.ecc_corrected += read.outcome.corrected;
    stats.ecc_uncorrectable += read.outcome.uncorrectable;
    stats.masked_word_reads += static_cast<uint64_t>(read.ended.masked);
  }
  // read_once counted a word with a stale lane silent; it ends as read now.
  if (was_stale) uncount_stale(stats);
  stats.silent_word_reads += static_cast<uint64_t>(read.ended.silent);
  stats.silent_stored_word_reads += static_cast<uint64_t>(read.ended.silent_stored);
  write_back(first_lane, faults, read, stored_lanes, stats);
  unsigned changed = 0;
  bool view_changed = false;
  for (int l = 0; l < lanes; ++l) {
    const uint64_t lane = first_lane + static_cast<uint64_t>(l);
    const uint64_t after = stored(lane);
    if (after != stored_lanes[l]) changed |= 1u << l;
    const uint32_t reference = written_[lane], new_view = read.data[l];
    int delta =
        __builtin_popcount(new_view ^ reference) - __builtin_popcount(old_view[l] ^ reference);
    if (!check_.empty()) {
      const uint8_t code = reference_check(lane);
      delta += __builtin_popcount(static_cast<uint8_t>(after >> 32) ^ code) -
               __builtin_popcount(static_cast<uint8_t>(stored_lanes[l] >> 32) ^ code);
    }
    faulty_delta_[run_batch] += delta;
    if (new_view != static_cast<uint32_t>(after))
      show(lane, new_view);
    else if (shown_count_ > 0)
      unshow(lane);
    if (new_view != old_view[l]) {
      view_changed = true;
      if (changes) changes->push_back({batch, static_cast<uint32_t>(lane), new_view, old_view[l]});
    }
  }
  stats.words_changed += view_changed;
  return changed;
}

}  // namespace lvsim
