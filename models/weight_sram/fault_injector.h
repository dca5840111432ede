// Which stored bits of the weight SRAM fail on a read: the two fault
// mechanisms, each with its own persistence.
//
//   upset       (seed 004's assumption, not measured SRAM behaviour) each read
//               of a stored bit (per-bit) or of a word (per-word: one uniformly
//               placed bit) fails with probability p(V) of its voltage domain;
//               what the read returned is written back, so the faults persist
//               and accumulate until a refresh. Drawn by geometric skipping
//               (cost per fault, not per bit) from a counter-based stream per
//               read: the n-th read of a region draws the same faults whatever
//               the reads are grouped into and whatever the thread count.
//   weak cells  the chip's cells whose Vmin lies above the supply (weak_cells.h):
//               each read of one fails (always, or with probability q for an
//               intermittent one) and reads its stuck value; nothing is written
//               back unless read disturb is on, so a refresh rewrites the data
//               but cannot heal the cells.
// A read's faults go to SramContents::read, which applies the mitigation.
// Permanent weak cells of a word whose stored value did not change since its
// last read read the same again: such words are only counted, not re-read, so
// a run's cost follows the faults that change something.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "models/weight_sram/sram_contents.h"
#include "models/weight_sram/weak_cell_map.h"
#include "models/weight_sram/weight_read_report.h"

namespace lvsim {

enum class FaultUnit {
  kPerBit,   // each stored bit read fails with probability p (the physical model)
  kPerWord,  // each word read gets one failed bit, uniformly placed, with probability p
};

struct FaultDraws {
  uint64_t seed = 1;   // upset and intermittency streams
  uint64_t trial = 0;  // independent streams of the same seed
  FaultUnit unit = FaultUnit::kPerBit;
  bool protect_sign = false;  // bit 31 never fails (seed 004 faulted bits 0-30)
};

// A range of words on one supply: its upset probability per read and its
// weak-cell fraction.
struct FaultRange {
  uint64_t first_word = 0, end_word = 0;
  double upset_p = 0.0;
  double weak_fraction = 0.0;
};

class FaultInjector {
 public:
  // `data_bits` + `check_bits` stored bits per word.
  FaultInjector(const FaultDraws& draws, const WeakCellTraits& weak, int check_bits,
                const std::vector<FaultRange>& ranges);

  uint64_t weak_cells() const { return weak_.cells(); }
  uint64_t intermittent_cells() const { return weak_.intermittent_cells(); }
  uint64_t mapped_cells() const { return weak_.mapped_cells(); }
  // Passes every region has completed: where a write's cured faults are counted.
  uint64_t passes_done() const { return passes_done_; }
  // The reads of one burst report, words [first_word, first_word + words) at
  // upset probability `upset_p`: draws the faults of every read and hands
  // them, word by word, to `contents`. Words `streamed` are loaded afresh
  // before every pass: the words earlier reads changed are restored first.
  void read(uint64_t first_word, uint64_t words, double upset_p, bool streamed,
            const WeightReadReport& report, SramContents& contents, FaultStats& stats);
  // A DMA write changed stored words: every weak cell reads anew.
  void written() { ++writes_; }
  // A self-test of `passes` March C- passes maps the weak cells (weak_cells.h),
  // from the run's own stream (seed, trial). Returns the cells mapped.
  uint64_t self_test(int passes);

 private:
  // Per region (the first word of its bursts).
  struct Region {
    uint64_t passes = 0, reads = 0;
    std::vector<size_t> failed_before;  // weak words whose intermittent cells read wrong last read
    ReadSummary clean;                // what the clean weak words' permanent cells do on every read
    uint64_t writes_seen = 0;         // DMA writes before its last read
    bool streamed = false;            // loaded afresh before every pass
    std::vector<uint64_t> rewritten;  // streamed: words whose stored bits reads changed
  };
  // Appends (word, bit mask) of one read's upsets, in word order.
  void draw_upsets(uint64_t first_word, uint64_t words, double upset_p, uint64_t read_number);
  // The weak words to read again on this read, in word order.
  void weak_words_to_read(size_t first, size_t end, Region& region);
  void read_once(uint64_t first_word, uint64_t words, double upset_p, uint32_t pass,
                 uint64_t series_pass, uint64_t read_number, const WeightReadReport& report,
                 Region& region, SramContents& contents, FaultStats& stats);
  // A streamed region's fresh load before pass `pass`.
  void restore(Region& region, uint32_t pass, uint64_t series_pass, const WeightReadReport& report,
               SramContents& contents);
  void read_weak_word(size_t index, uint64_t upsets, uint64_t intermittent_failing, uint32_t pass,
                      uint64_t series_pass, const WeightReadReport& report, Region& region,
                      SramContents& contents, FaultStats& stats);

  FaultDraws draws_;
  WeakCellMap weak_;
  uint64_t stored_bits_;
  std::vector<int> allowed_bits_;  // stored bits that may fail
  std::map<uint64_t, Region> regions_;
  uint64_t passes_done_ = 0;
  // Weak words whose stored value changed since their last read (and all of
  // them before the first), and per weak word what its permanent cells do on
  // a read while it stays clean.
  std::set<size_t> dirty_;
  uint64_t writes_ = 1;  // changing DMA writes so far (and the power-up state)
  std::vector<ReadSummary> clean_;
  std::vector<uint64_t> clean_since_;                      // writes_ when each clean_ was computed
  std::vector<std::pair<uint64_t, uint64_t>> pending_;     // (word, upset mask) of one read
  std::vector<std::pair<size_t, uint64_t>> intermittent_;  // (weak word, failing bits) of one read
  std::vector<std::pair<size_t, uint64_t>> changing_;      // of them, those reading a wrong bit
  std::vector<size_t> weak_to_read_;                       // weak words of one read
  std::vector<size_t> merged_;                             // scratch of weak_words_to_read
};

}  // namespace lvsim
