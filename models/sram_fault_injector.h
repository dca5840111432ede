// Which stored bits of the weight SRAM fail on a read, and what the failures
// do to the contents.
//
//   upsets      each read of a stored bit (per-bit) or of a word (per-word: one
//               uniformly placed bit) fails with probability p(V) of its
//               voltage domain. Drawn by geometric skipping (cost per fault,
//               not per bit) from a counter-based stream per read: the n-th
//               read of a region draws the same faults whatever the reads are
//               grouped into and whatever the thread count.
//   weak cells  a fixed map, per chip seed, of cells whose Vmin lies above the
//               supply (a fraction p(V) of them): they fail on every read, and
//               a refresh rewrites their data but cannot heal them.
// A read's faults go to SramContents::faulty_read, which applies the mitigation
// and writes the outcome back.
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "models/sram_contents.h"
#include "models/weight_read_report.h"

namespace lvsim {

enum class FaultUnit {
  kPerBit,   // each stored bit read fails with probability p (the physical model)
  kPerWord,  // each word read gets one failed bit, uniformly placed, with probability p
};

struct FaultDraws {
  uint64_t seed = 1;       // upset streams
  uint64_t trial = 0;      // independent upset streams of the same seed
  uint64_t chip_seed = 1;  // the weak-cell map: one chip, one map
  FaultUnit unit = FaultUnit::kPerBit;
  bool protect_sign = false;  // bit 31 never fails (seed 004 faulted bits 0-30)
};

// A range of words and the fraction of its cells that are weak.
struct WeakCellRange {
  uint64_t first_word = 0, end_word = 0;
  double fraction = 0.0;
};

class FaultInjector {
 public:
  // `stored_bits`: data plus check bits per word.
  FaultInjector(const FaultDraws& draws, int stored_bits, const std::vector<WeakCellRange>& weak);

  uint64_t weak_cells() const { return weak_cells_.size(); }
  // Passes every region has completed: where a write's cured faults are counted.
  uint64_t passes_done() const { return passes_done_; }
  // The reads of one burst report, words [first_word, first_word + words) at
  // upset probability `upset_p`: draws the faults of every read and hands
  // them, word by word, to `contents`.
  void read(uint64_t first_word, uint64_t words, double upset_p, const WeightReadReport& report,
            SramContents& contents, FaultStats& stats);

 private:
  void build_weak_cell_map(const std::vector<WeakCellRange>& ranges);
  // Appends (word, bit mask) of one read's upsets, in word order.
  void draw_upsets(uint64_t first_word, uint64_t words, double upset_p, uint64_t read_number);
  void add_weak_cells(uint64_t first_word, uint64_t words);

  FaultDraws draws_;
  uint64_t stored_bits_;
  std::vector<int> allowed_bits_;     // stored bits that may fail
  std::vector<uint64_t> weak_cells_;  // sorted stored-bit indices word * stored_bits + bit
  // Per region (the first word of its bursts): passes and reads so far.
  std::map<uint64_t, uint64_t> passes_by_region_;
  std::map<uint64_t, uint64_t> reads_by_region_;
  uint64_t passes_done_ = 0;
  std::vector<std::pair<uint64_t, uint64_t>> pending_;  // (word, fault mask) of one read
  std::vector<std::pair<uint64_t, uint64_t>> weak_pending_;
};

}  // namespace lvsim
