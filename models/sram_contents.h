// What the weight SRAM holds and what it should hold: the stored words and
// their check bits, the data last written by DMA (the reference a refresh
// restores), and how many stored bits differ from that reference after every
// pass. A faulty read's outcome, as the mitigation decides it, is written back
// here: this is where faults persist and accumulate.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/memory_target.h"
#include "models/mitigation.h"
#include "models/weight_read_report.h"

namespace lvsim {

// What the faults did, for the report.
struct FaultStats {
  uint64_t bit_faults = 0;         // failed stored-bit reads (upsets + weak cells)
  uint64_t faulty_word_reads = 0;  // word reads with at least one failed bit
  uint64_t words_changed = 0;      // reads that returned (and wrote back) a changed word
  uint64_t ecc_corrected = 0;
  uint64_t ecc_uncorrectable = 0;
  uint64_t weak_cells = 0;  // size of the weak-cell map
};

class SramContents {
 public:
  static constexpr uint64_t kWordBytes = 4;

  // `mitigation` outlives the contents (the SRAM owns both).
  SramContents(const std::string& owner, uint64_t capacity_bytes, const Mitigation& mitigation);

  MemoryArray& memory() { return memory_; }
  const MemoryArray& memory() const { return memory_; }
  uint64_t words() const { return written_.size(); }
  // A DMA write of whole words: new data and a new reference. The faults the
  // overwritten words held leave the faulty-bit count at pass `at_pass`.
  void write(uint64_t address, const unsigned char* data, uint64_t bytes, uint64_t at_pass);
  // One read of `word` in which the stored bits of `mask` failed (bit i < 32:
  // data bit i, 32 + j: check bit j), during pass `pass` of its burst and pass
  // `series_pass` of the run; the word packs 32 / field_bits weights. Writes
  // the mitigation's outcome back and lists a data change in `changes`.
  void faulty_read(uint64_t word, uint64_t mask, uint32_t pass, uint64_t series_pass,
                   int field_bits, std::vector<WordChange>* changes, FaultStats& stats);
  // Fetches a word's cache lines ahead of a faulty_read (the faulty words are
  // scattered over megabytes).
  void prefetch(uint64_t word) const;
  // Makes room in the faulty-bit series up to pass `pass`.
  void reach_pass(uint64_t pass);

  // Stored bits that differ from what was last written, after each pass since
  // the start: element i is the count once pass i's reads are done.
  std::vector<uint64_t> faulty_bits_after_pass() const;
  uint64_t faulty_bits() const;

 private:
  uint32_t load(uint64_t word) const;
  int faulty_bits_of(uint64_t word) const;

  MemoryArray memory_;
  const Mitigation& mitigation_;
  std::vector<uint8_t> check_;         // check bits per word (ECC only)
  std::vector<uint32_t> written_;      // data last written by DMA, the reference
  std::vector<int64_t> faulty_delta_;  // change of the faulty-bit count, by pass
};

}  // namespace lvsim
