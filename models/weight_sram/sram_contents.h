// What the weight SRAM holds, what it should hold and what the MAC array last
// read from it: the stored words and their check bits, the data last written
// by DMA (the reference a refresh restores), the value each word returned to
// the array when that differs from what is stored (a weak cell's wrong bit
// that was not written back), and how many bits the array reads wrong after
// every batch. A faulty read's outcome, as the mitigation decides it, is
// written back here when the faults are upsets (seed 004's reading: they
// persist and accumulate until a refresh); a weak cell's failing read
// changes the stored bit only with read disturb.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "models/common/huge_pages.h"
#include "models/tlm/memory_array.h"
#include "models/weight_sram/fault_stats.h"
#include "models/weight_sram/mitigation/mitigation.h"
#include "models/weight_sram/sram_word.h"
#include "models/weight_sram/weight_read_report.h"

namespace lvsim {

// The faults of one read of one word (bit i < 32: data bit i; 32 + j: check bit j).
struct WordFaults {
  uint64_t upsets = 0;        // stored bits that fail transiently on this read
  uint64_t weak_failing = 0;  // weak cells that fail on this read
  uint64_t stuck_ones = 0;    // what they read: 1 where set, else 0
  uint64_t mapped = 0;        // the word's cells a self-test's fault map holds
  // The failing weak cells that read wrong from `stored`: where the stuck
  // value differs from the stored bit.
  uint64_t weak_wrong(uint64_t stored) const { return weak_failing & (stuck_ones ^ stored); }
};

class SramContents {
 public:
  // `mitigation` outlives the contents (the SRAM owns both). With
  // `fault_map`, a mitigation that uses a detector (sign, zero, word-zero)
  // learns the failing bits from a self-test's fault map instead of a
  // detector at every read: it masks the mapped cells on every read, whether
  // they fail on it or not, and every other failing bit (an upset, a cell the
  // test missed) reaches the array as read.
  // `lanes`: 32-bit lanes per word as it is read (weight_sram.word_bits / 32);
  // the lanes of a word share the mitigation's code and decision (read_word).
  SramContents(const std::string& owner, uint64_t capacity_bytes, const Mitigation& mitigation,
               bool read_disturb, bool fault_map = false, int lanes = 1);
  const WordGeometry& geometry() const { return geometry_; }
  bool read_disturb() const { return read_disturb_; }

  MemoryArray& memory() { return memory_; }
  const MemoryArray& memory() const { return memory_; }
  uint64_t words() const { return written_.size(); }
  // A DMA write of whole words: new data and a new reference. When it changes
  // any stored bit, the array reads the whole memory again (the MAC array
  // re-syncs its copy through DMI): every value it read other than stored is
  // forgotten, and the faulty bits that leaves leave the count at batch
  // `at_batch` of the run. Returns whether it changed anything (a refresh of intact words
  // changes nothing, and the array keeps reading what it read).
  bool write(uint64_t address, const unsigned char* data, uint64_t bytes, uint64_t at_batch);
  // Whether `bytes` of `data` at `address` are the reference (what was last
  // written there): a streamed load that brings them again changes nothing
  // that restore() does not.
  bool matches_reference(uint64_t address, const unsigned char* data, uint64_t bytes) const;
  // A streamed load rewrote `word` before batch `batch` of the report
  // (`run_batch` of the run): its stored bits become the reference again, and a change of what
  // the array reads is listed in `changes`. Returns whether the stored bits changed.
  bool restore(uint64_t word, uint32_t batch, uint64_t run_batch, std::vector<WordChange>* changes);
  // One read of `word` with `faults`, during batch `batch` of its report and
  // batch `run_batch` of the run; the word packs 32 / field_bits weights.
  // Lists a change of the value the array reads in `changes`. Returns the
  // word's stored bits after the read (data | check << 32).
  uint64_t read(uint64_t word, const WordFaults& faults, uint32_t batch, uint64_t run_batch,
                int field_bits, std::vector<WordChange>* changes, FaultStats& stats);
  // One read of the word of several lanes starting at lane `first_lane`
  // (geometry().lanes > 1), lane l with faults[l]: the mitigation decides for
  // the whole word, and the read counts once in `stats`. Lists the changes
  // of what the array reads lane by lane. Returns a bit per lane whose stored
  // bits changed.
  unsigned read_word(uint64_t first_lane, const WordFaults* faults, uint32_t batch,
                     uint64_t run_batch, int field_bits, std::vector<WordChange>* changes,
                     FaultStats& stats);
  // read() of a word whose only faults are `upsets` (no weak cell fails in
  // it): the same outcome and counts, without the weak-cell and fault-map
  // cases (a read at p = 1 makes one for every word).
  uint64_t read_upsets(uint64_t word, uint64_t upsets, uint32_t batch, uint64_t run_batch,
                       int field_bits, std::vector<WordChange>* changes, FaultStats& stats);
  // read_upsets() of the `count` words from `first_word`, word i with data
  // bits `upsets[i]` failing (one lane per word; per-word upsets at p = 1
  // make one for every word): the same outcomes, counts and change list, in
  // one loop. Appends the words whose stored bits changed to `rewritten`
  // when it is given.
  // With `unchanged` (unchanged_words()), the words it sets are read with
  // one failing bit each (upsets[i] is not read) as the reads that cannot
  // change them: counted, and nothing else.
  void read_upsets_run(uint64_t first_word, size_t count, const uint32_t* upsets,
                       const uint64_t* unchanged, uint32_t batch, uint64_t run_batch,
                       int field_bits, std::vector<WordChange>* changes, FaultStats& stats,
                       std::vector<uint64_t>* rewritten);
  // Of the `count` words from `first_word`, those a read with any one of the
  // data bits `may_fail` failing returns as they are (Mitigation::
  // unchanged_by_one_bit), as a bitmap; false where that cannot be told (check
  // bits, a fault map, words the array reads other than stored).
  bool unchanged_words(uint64_t first_word, size_t count, uint32_t may_fail, int field_bits,
                       uint64_t* unchanged);
  // What a read of `word` with `faults` would count, without reading it; with
  // `view`, also what it would return the array.
  ReadSummary peek(uint64_t word, const WordFaults& faults, int field_bits,
                   uint32_t* view = nullptr) const;
  // A read of `word` whose outcome is known (a speed device of the fault
  // injector, weak_read_cache.h): it returns the array `new_view`, leaves the
  // stored bits as they are (`stored`: its data bits; `reference`: what was
  // last written) and counts nothing itself: the caller counts what peek()
  // said of it. Does what read() would do for such a read: the faulty-bit
  // series, what the array reads, the change list.
  void read_known(uint64_t word, uint32_t stored, uint32_t reference, uint32_t new_view,
                  uint32_t batch, uint64_t run_batch, std::vector<WordChange>* changes,
                  FaultStats& stats);
  // Fetches the cache lines read_known() reads other than its arguments.
  void prefetch_view(uint64_t word) const {
    if (shown_count_ > 0) __builtin_prefetch(&shown_values_[word], 1);
  }
  uint32_t reference(uint64_t word) const { return written_[word]; }
  // The same for the word of several lanes from `first_lane` (read_word),
  // less the silent read stale_lane_words() counts for it.
  ReadSummary peek_word(uint64_t first_lane, const WordFaults* faults, int field_bits) const;
  // Fetches a word's cache lines ahead of a read (the faulty words are
  // scattered over megabytes).
  void prefetch(uint64_t word) const;
  // Makes room in the faulty-bit series up to batch `run_batch` of the run.
  void reach_batch(uint64_t run_batch);
  // The word's stored bits (data | check << 32).
  uint64_t stored(uint64_t word) const;

  // Cells that fail writes: a write of `word` stores `stuck_ones` in `cells`
  // (bit i < 32: data bit i; 32 + j: check bit j) whatever it writes.
  struct WriteFailure {
    uint64_t word;
    uint64_t cells;
    uint64_t stuck_ones;
  };
  // The chip's cells failing writes at the write supply, in word order
  // (weak words only: mark_weak them too). Every later write and restore
  // stores their stuck values; what is written stays the reference.
  void set_write_failures(std::vector<WriteFailure> failures) {
    write_failures_ = std::move(failures);
  }
  // Bits the writes stored wrong, over all writes so far.
  uint64_t write_failed_bits() const { return write_failed_bits_; }
  // Counts `writes` more writes of the reference to [address, address +
  // bytes) (streamed loads that change nothing restore() does not).
  void count_failed_writes(uint64_t address, uint64_t bytes, uint64_t writes);

  // Word `word` has weak cells: its reads are all visited or counted by the
  // fault injector, which counts them silent themselves; the other words are
  // counted silent by stale_words() on the reads in which none of their bits fails.
  void mark_weak(uint64_t word);
  // Of the words not marked weak, those in [first_word, end_word) whose stored
  // data differs from what was last written: each is a silent read (nothing
  // fails, nothing notices) on every read in which none of its bits fails.
  uint64_t stale_words(uint64_t first_word, uint64_t end_word) const;
  uint64_t stale_words() const { return stale_count_; }
  // With several lanes per word: the words of lanes [first_lane, end_lane)
  // with a stale lane.
  uint64_t stale_lane_words(uint64_t first_lane, uint64_t end_lane) const;

  // Bits the array reads wrong (and check bits stored wrong) against what was
  // last written, after each batch since the start: element i is the count
  // once batch i's reads are done.
  std::vector<uint64_t> faulty_bits_after_batch() const;
  uint64_t faulty_bits() const;

 private:
  // What one read of stored bits `stored` with `faults` returns: the
  // outcome, the stored bits read wrong, and how a faulty read ended for the
  // array (masked or silent; neither: detected or corrected).
  struct Resolved {
    ReadOutcome outcome;
    uint64_t wrong = 0;
    bool faulty = false;  // a bit failed, or a decoder found a stored error
    ReadSummary ended;
  };
  static void miscorrected(Resolved& r);
  Resolved resolve(uint64_t stored, const WordFaults& faults, int field_bits,
                   uint32_t reference) const;
  // Several lanes per word: the read of a word's lanes as the mitigation decides it.
  struct WordRead {
    uint32_t data[4] = {0, 0, 0, 0};  // what the array reads, per lane
    uint16_t check = 0;               // the word's check bits as the decision leaves them
    uint64_t wrong[4] = {0, 0, 0, 0};
    WordOutcome outcome;
    bool faulty = false;
    ReadSummary ended;
  };
  WordRead resolve_word(uint64_t first_lane, const WordFaults* faults, int field_bits) const;
  // Lane `lane`'s share of a word's check bits `check`, and a word's check
  // bits gathered from its lanes' shares (`stored` per lane, bits 32 up).
  uint8_t lane_check(uint16_t check, uint64_t lane) const;
  uint16_t word_check(const uint64_t* stored) const;
  // The check bits lane `lane` holds for the reference (what was last written).
  uint8_t reference_check(uint64_t lane) const;
  // The check bits of lane `lane` when the word's lanes hold `value(lane)`.
  template <typename Value>
  uint8_t check_of(uint64_t lane, Value value) const;
  // The stored bits of a word's lanes after its read (write-back, disturb).
  void write_back(uint64_t first_lane, const WordFaults* faults, const WordRead& read,
                  const uint64_t* stored, FaultStats& stats);
  uint32_t load(uint64_t word) const;
  uint32_t view(uint64_t word) const;  // what the array last read
  int faulty_bits_of(uint64_t word) const;

  MemoryArray memory_;
  const Mitigation& mitigation_;
  WordGeometry geometry_;
  bool masks_;  // mitigation_.uses_detector(): a failing bit it sees is masked, never silent
  bool read_disturb_;
  bool fault_map_;                           // the mitigation's detector is a self-test's fault map
  void show(uint64_t word, uint32_t value);  // the array read `value`, not what is stored
  void unshow(uint64_t word);

  // Per word, read at scattered words: on huge pages (huge_pages.h).
  HugeVector<uint8_t> check_;     // check bits per word (ECC only)
  HugeVector<uint32_t> written_;  // data last written by DMA, the reference
  // Words the array read other than stored: a bit per word, and their values
  // (left unwritten, so untouched pages cost no memory).
  std::vector<uint64_t> shown_bits_;
  std::unique_ptr<uint32_t[]> shown_values_;
  uint64_t shown_count_ = 0;
  std::vector<int64_t> faulty_delta_;  // change of the faulty-bit count, by batch of the run
  // Stale words (stored data other than the reference) among the words not
  // marked weak, a bit per word, and how many.
  bool stale(uint64_t word) const;
  void set_stale(uint64_t word, bool is_stale);
  static void uncount_stale(FaultStats& stats);
  std::vector<uint64_t> weak_bits_;  // empty: no word marked weak
  // Write failures (set_write_failures), and the bytes a write leaves in the
  // cells when some of them fail it.
  std::vector<WriteFailure> write_failures_;
  std::vector<unsigned char> held_;
  uint64_t write_failed_bits_ = 0;
  // The failures of words [first, end) of write_failures_.
  std::pair<size_t, size_t> write_failures_in(uint64_t first, uint64_t end) const;
  // The bytes a write of `data` to words from `first` leaves in the cells
  // (write failures [fail_begin, fail_end) applied; `data` itself if none).
  const unsigned char* held_image(uint64_t first, const unsigned char* data, uint64_t bytes,
                                  size_t fail_begin, size_t fail_end);
  // Forgets every value the array read other than stored (a DMA write makes
  // it read the memory again); returns the faulty bits that cures outside
  // [first, last).
  int64_t forget_shown(uint64_t first, uint64_t last);
  // What a write of `intended` (data | check << 32) leaves in `word`'s cells.
  uint64_t held_by(uint64_t word, uint64_t intended) const;
  std::vector<uint64_t> stale_bits_;
  uint64_t stale_count_ = 0;
  // What read_upsets_run() counts as it goes, and adds to the stats at the end.
  struct RunCounts {
    uint64_t bits = 0, corrected = 0, uncorrectable = 0, kept = 0, silent = 0, unstale = 0;
    uint64_t written_back = 0, changed = 0;
    int64_t delta = 0, stale_delta = 0;
    // `words` read as they are, `wrong` of them stale.
    void unchanged(uint64_t words, uint64_t wrong);
  };
  // One word of a run that its read may change (read_upsets() without the
  // branches); its change entry goes to entries[c.changed], kept if it changed.
  void read_run_word(uint64_t word, uint32_t data, uint32_t upsets, const ReadOutcome& outcome,
                     uint32_t batch, WordChange* entries, std::vector<uint64_t>* rewritten,
                     RunCounts& c);
  void add_run_counts(const RunCounts& c, uint64_t words, uint64_t run_batch, FaultStats& stats);
  // read_upsets_run()'s words and their outcomes.
  std::vector<uint32_t> run_data_;
  uint64_t run_first_ = UINT64_MAX;  // run_data_'s first word, when unchanged_words() read it
  std::vector<ReadOutcome> run_outcomes_;
  std::vector<WordChange> run_changes_;
};

}  // namespace lvsim
