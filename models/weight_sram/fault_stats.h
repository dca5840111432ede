// What the weight SRAM's faults did, counted for the report (FaultStats), and
// what one read of one word counts (ReadSummary).
#pragma once

#include <cstdint>

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
  // (ecc_corrected; also a decoder fixing a stored error no cell failed on
  // this read), masked (a detector that knows the failing bits, as sign, zero
  // and word-zero presume, decided the value) or silent (the array got a
  // value other than the one written, and nothing noticed: flip, parity's even
  // errors, SEC-DED's miscorrections).
  uint64_t masked_word_reads = 0;
  // Every read that returned the array a value other than the one written
  // while nothing flagged it, whatever the cause: the faulty reads above that
  // ended silent, and the reads in which no bit failed of a word whose stored
  // data is wrong (an upset's write-back, a detector's masked value written
  // back, a cell disturbed by its read), counted apart in silent_stored_word_reads.
  // So faulty_word_reads = ecc_uncorrectable + ecc_corrected + masked_word_reads
  // + silent_word_reads - silent_stored_word_reads.
  uint64_t silent_word_reads = 0;
  uint64_t silent_stored_word_reads = 0;
  uint64_t weak_cells = 0;  // the chip's weak cells at the supply
  uint64_t intermittent_cells = 0;
  uint64_t write_failing_cells = 0;  // of the weak cells, those failing writes at the write supply
  uint64_t write_failed_bits = 0;    // bits the writes stored wrong, over all writes
  uint64_t column_fault_cells = 0;   // of weak_cells, those in failing columns
};

// What one read of a word did, as far as the statistics count it.
struct ReadSummary {
  int64_t faulty_bits = 0;  // bits read wrong
  int64_t faulty_words = 0;
  int64_t corrected = 0;
  int64_t uncorrectable = 0;
  int64_t masked = 0;
  int64_t silent = 0;
  int64_t silent_stored = 0;  // of silent: no bit failed, the stored data is wrong
  ReadSummary& operator+=(const ReadSummary& o) {
    faulty_bits += o.faulty_bits;
    faulty_words += o.faulty_words;
    corrected += o.corrected;
    uncorrectable += o.uncorrectable;
    masked += o.masked;
    silent += o.silent;
    silent_stored += o.silent_stored;
    return *this;
  }
  ReadSummary& operator-=(const ReadSummary& o) {
    faulty_bits -= o.faulty_bits;
    faulty_words -= o.faulty_words;
    corrected -= o.corrected;
    uncorrectable -= o.uncorrectable;
    masked -= o.masked;
    silent -= o.silent;
    silent_stored -= o.silent_stored;
    return *this;
  }
};

}  // namespace lvsim
