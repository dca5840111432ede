// What the weight SRAM holds, what it should hold and what the MAC array last
// read from it: the stored words and their check bits, the data last written
// by DMA (the reference a refresh restores), the value each word returned to
// the array when that differs from what is stored (a weak cell's wrong bit
// that was not written back), and how many bits the array reads wrong after
// every pass. A faulty read's outcome, as the mitigation decides it, is
// written back here when the faults are upsets (seed 004's reading: they
// persist and accumulate until a refresh); a weak cell's failing read
// changes the stored bit only with read disturb.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/tlm/memory_array.h"
#include "models/weight_sram/mitigation/mitigation.h"
#include "models/weight_sram/weight_read_report.h"

namespace lvsim {

// What the faults did, for the report.
struct FaultStats {
  uint64_t bit_faults = 0;          // stored bits read wrong (upsets + weak cells), over all reads
  uint64_t upset_bit_faults = 0;    // of them, transient upsets
  uint64_t weak_bit_faults = 0;     // of them, weak cells reading a value other than the stored one
  uint64_t faulty_word_reads = 0;   // word reads with at least one faulty bit
  uint64_t words_changed = 0;       // reads that returned the array a different word than before
  uint64_t words_written_back = 0;  // reads that changed the stored word (write-back, disturb)
  uint64_t ecc_corrected = 0;
  uint64_t ecc_uncorrectable = 0;
  // How each faulty word read ended for the array: detected (ecc_uncorrectable:
  // ECC or parity found an error it could not fix, the word zeroed), corrected
  // (ecc_corrected), masked (a detector that knows the failing bits, as sign,
  // zero and word-zero presume, decided the value) or silent (the array got a
  // value other than the one written, and nothing noticed: flip, parity's even
  // errors, SEC-DED's miscorrections).
  uint64_t masked_word_reads = 0;
  uint64_t silent_word_reads = 0;
  uint64_t weak_cells = 0;  // the chip's weak cells at the supply
  uint64_t intermittent_cells = 0;
};

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

// What one read of a word did, as far as the statistics count it.
struct ReadSummary {
  int64_t faulty_bits = 0;  // bits read wrong
  int64_t faulty_words = 0;
  int64_t corrected = 0;
  int64_t uncorrectable = 0;
  int64_t masked = 0;
  int64_t silent = 0;
  ReadSummary& operator+=(const ReadSummary& o) {
    faulty_bits += o.faulty_bits;
    faulty_words += o.faulty_words;
    corrected += o.corrected;
    uncorrectable += o.uncorrectable;
    masked += o.masked;
    silent += o.silent;
    return *this;
  }
  ReadSummary& operator-=(const ReadSummary& o) {
    faulty_bits -= o.faulty_bits;
    faulty_words -= o.faulty_words;
    corrected -= o.corrected;
    uncorrectable -= o.uncorrectable;
    masked -= o.masked;
    silent -= o.silent;
    return *this;
  }
};

class SramContents {
 public:
  static constexpr uint64_t kWordBytes = 4;

  // `mitigation` outlives the contents (the SRAM owns both). With
  // `fault_map`, a mitigation that uses a detector (sign, zero, word-zero)
  // learns the failing bits from a self-test's fault map instead of a
  // detector at every read: it masks the mapped cells on every read, whether
  // they fail on it or not, and every other failing bit (an upset, a cell the
  // test missed) reaches the array as read.
  SramContents(const std::string& owner, uint64_t capacity_bytes, const Mitigation& mitigation,
               bool read_disturb, bool fault_map = false);

  MemoryArray& memory() { return memory_; }
  const MemoryArray& memory() const { return memory_; }
  uint64_t words() const { return written_.size(); }
  // A DMA write of whole words: new data and a new reference. When it changes
  // any stored bit, the array reads the whole memory again (the MAC array
  // re-syncs its copy through DMI): every value it read other than stored is
  // forgotten, and the faulty bits that leaves leave the count at pass
  // `at_pass`. Returns whether it changed anything (a refresh of intact words
  // changes nothing, and the array keeps reading what it read).
  bool write(uint64_t address, const unsigned char* data, uint64_t bytes, uint64_t at_pass);
  // Whether `bytes` of `data` at `address` are the reference (what was last
  // written there): a streamed load that brings them again changes nothing
  // that restore() does not.
  bool matches_reference(uint64_t address, const unsigned char* data, uint64_t bytes) const;
  // A streamed load rewrote `word` before pass `pass` (`series_pass` of the
  // run): its stored bits become the reference again, and a change of what
  // the array reads is listed in `changes`. Returns whether the stored bits changed.
  bool restore(uint64_t word, uint32_t pass, uint64_t series_pass,
               std::vector<WordChange>* changes);
  // One read of `word` with `faults`, during pass `pass` of its burst and
  // pass `series_pass` of the run; the word packs 32 / field_bits weights.
  // Lists a change of the value the array reads in `changes`. Returns the
  // word's stored bits after the read (data | check << 32).
  uint64_t read(uint64_t word, const WordFaults& faults, uint32_t pass, uint64_t series_pass,
                int field_bits, std::vector<WordChange>* changes, FaultStats& stats);
  // What a read of `word` with `faults` would count, without reading it.
  ReadSummary peek(uint64_t word, const WordFaults& faults, int field_bits) const;
  // Fetches a word's cache lines ahead of a read (the faulty words are
  // scattered over megabytes).
  void prefetch(uint64_t word) const;
  // Makes room in the faulty-bit series up to pass `pass`.
  void reach_pass(uint64_t pass);
  // The word's stored bits (data | check << 32).
  uint64_t stored(uint64_t word) const;

  // Bits the array reads wrong (and check bits stored wrong) against what was
  // last written, after each pass since the start: element i is the count
  // once pass i's reads are done.
  std::vector<uint64_t> faulty_bits_after_pass() const;
  uint64_t faulty_bits() const;

 private:
  // What one read of stored bits `stored` with `faults` returns: the
  // outcome, the stored bits read wrong, and how a faulty read ended for the
  // array (masked or silent; neither: detected or corrected).
  struct Resolved {
    ReadOutcome outcome;
    uint64_t wrong = 0;
    ReadSummary ended;
  };
  Resolved resolve(uint64_t stored, const WordFaults& faults, int field_bits,
                   uint32_t reference) const;
  uint32_t load(uint64_t word) const;
  uint32_t view(uint64_t word) const;  // what the array last read
  int faulty_bits_of(uint64_t word) const;

  MemoryArray memory_;
  const Mitigation& mitigation_;
  bool read_disturb_;
  bool fault_map_;                           // the mitigation's detector is a self-test's fault map
  void show(uint64_t word, uint32_t value);  // the array read `value`, not what is stored
  void unshow(uint64_t word);

  std::vector<uint8_t> check_;     // check bits per word (ECC only)
  std::vector<uint32_t> written_;  // data last written by DMA, the reference
  // Words the array read other than stored: a bit per word, and their values
  // (left unwritten, so untouched pages cost no memory).
  std::vector<uint64_t> shown_bits_;
  std::unique_ptr<uint32_t[]> shown_values_;
  uint64_t shown_count_ = 0;
  std::vector<int64_t> faulty_delta_;  // change of the faulty-bit count, by pass
};

}  // namespace lvsim
