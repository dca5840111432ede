// Which stored bits of the weight SRAM fail on a read: the two fault
// mechanisms, each with its own persistence.
//
//   upset       (seed 004's assumption, not measured SRAM behaviour) each read
//               of a stored bit (per-bit) or of a word (per-word: one uniformly
//               placed bit) fails with probability p(V) of its voltage domain;
//               what the read returned is written back, so the faults persist
//               and accumulate until a refresh. Drawn by geometric skipping
//               (cost per fault, not per bit) from a counter-based stream per
//               read: the n-th read of a burst range draws the same faults
//               whatever the reads are grouped into and whatever the thread count.
//   weak cells  the chip's cells whose Vmin lies above the supply (weak_cell_map.h):
//               each read of one fails (always, or with probability q for an
//               intermittent one) and reads its stuck value; nothing is written
//               back unless read disturb is on, so a refresh rewrites the data
//               but cannot heal the cells.
// A read's faults go to SramContents::read, which applies the mitigation.
// Which weak words a read must really read, and the order the faulty words
// are visited in, is bookkeeping kept beside this rule (weak_read_cache.h).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "models/weight_sram/mechanisms/weak_cell_map.h"
#include "models/weight_sram/mechanisms/weak_read_cache.h"
#include "models/weight_sram/sram_contents.h"
#include "models/weight_sram/sram_word.h"
#include "models/weight_sram/voltage_domain.h"
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
  // The sign bit of every weight a word packs never fails (seed 004 faulted
  // bits 0-30 of its fp32 words): bits 7, 15, 23, 31 of an int-8 word.
  bool protect_sign = false;
  // Read every weak word on every read, none counted as a clean word
  // (weak_read_cache.h): what the cache must count alike (its tests).
  bool read_every_weak_word = false;
};

class FaultInjector {
 public:
  // Upsets listed at a time: a piece of a read stays in the caches, and a read
  // failing in every word (p = 1) holds 256 KB of upsets, not 16 bytes per word.
  static constexpr size_t kUpsetPiece = 1 << 14;
  // Words of `geometry` (32-bit lanes, each with its share of the code's
  // check bits); each domain's cells are weak with its weak_fraction. With
  // several lanes per word, a read hands each word with a failing bit to
  // SramContents::read_word whole, and per-word upsets fail one bit per word.
  FaultInjector(const FaultDraws& draws, const WeakCellTraits& weak, const WordGeometry& geometry,
                const std::vector<VoltageDomain>& domains);
  // 32-bit words with `check_bits` check bits each.
  FaultInjector(const FaultDraws& draws, const WeakCellTraits& weak, int check_bits,
                const std::vector<VoltageDomain>& domains)
      : FaultInjector(draws, weak, WordGeometry{1, check_bits}, domains) {}

  uint64_t weak_cells() const { return weak_.cells(); }
  const std::vector<WeakWord>& weak_words() const { return weak_.words(); }
  uint64_t write_failing_cells() const { return weak_.write_failing_cells(); }
  uint64_t intermittent_cells() const { return weak_.intermittent_cells(); }
  uint64_t column_fault_cells() const { return weak_.column_fault_cells(); }
  uint64_t mapped_cells() const { return weak_.mapped_cells(); }
  // The most batches any burst range has been read for: where a write's cured
  // faults are counted.
  uint64_t batches_done() const { return batches_done_; }
  // The reads of one report, words [first_word, first_word + words) at upset
  // probability `upset_p`: draws the faults of every read and hands them,
  // word by word, to `contents`. Words `streamed` are loaded afresh before
  // every batch: the words earlier reads changed are restored first.
  void read(uint64_t first_word, uint64_t words, double upset_p, bool streamed,
            const WeightReadReport& report, SramContents& contents, FaultStats& stats);
  // A DMA write changed stored words: every weak cell reads anew.
  void written() { cache_.invalidate(); }
  // A self-test of `passes` March C- passes maps the weak cells (weak_cell_map.h),
  // from the run's own stream (seed, trial). Returns the cells mapped.
  uint64_t self_test(int passes);

 private:
  // What the injector keeps per burst range (the first word of its reports).
  struct BurstRange {
    uint64_t batches = 0, reads = 0;  // read so far
    bool streamed = false;            // loaded afresh before every batch
    std::vector<uint64_t> rewritten;  // streamed: words whose stored bits reads changed
    WeakReadCache::Range cache;
  };
  // Where one read of a burst range stands: its batch in the report and in
  // the run, and its read number in the range's stream.
  struct ReadAt {
    uint32_t batch;
    uint64_t run_batch;
    uint64_t read_number;
  };
  class UpsetDraw;  // one read's upsets, a piece at a time
  void read_once(uint64_t first_word, uint64_t words, double upset_p, const ReadAt& at,
                 const WeightReadReport& report, BurstRange& range, SramContents& contents,
                 FaultStats& stats);
  // A read failing every word of one lane with data bits only: drawn and
  // read a run of words at a time. Returns false, doing nothing, otherwise.
  bool read_every_word_runs(UpsetDraw& upsets, const ReadAt& at, const WeightReadReport& report,
                            BurstRange& range, SramContents& contents, FaultStats& stats);
  // The read's silent reads of stale words (counted before their faults are known).
  void count_stale_reads(uint64_t first_word, uint64_t words, const SramContents& contents,
                         FaultStats& stats) const;
  // A word without weak cells, with its upsets.
  void read_word(uint64_t word, uint64_t upsets, const ReadAt& at, const WeightReadReport& report,
                 BurstRange& range, SramContents& contents, FaultStats& stats);
  // Weak word `index`, with its upsets and its intermittent cells failing now.
  void read_weak_word(size_t index, uint64_t upsets, uint64_t intermittent_failing,
                      const ReadAt& at, const WeightReadReport& report, BurstRange& range,
                      SramContents& contents, FaultStats& stats);
  // Several lanes per word: the faults of the word being visited, handed to
  // SramContents::read_word once the walk leaves it.
  struct PendingWord {
    uint64_t first_lane = UINT64_MAX;
    WordFaults faults[4];
  };
  void visit_lane(uint64_t lane, uint64_t upsets, size_t weak_index, uint64_t failing,
                  PendingWord& pending, const ReadAt& at, const WeightReadReport& report,
                  BurstRange& range, SramContents& contents, FaultStats& stats);
  void read_pending(PendingWord& pending, const ReadAt& at, const WeightReadReport& report,
                    BurstRange& range, SramContents& contents, FaultStats& stats);
  // A streamed range's fresh load before batch `at.batch`.
  void restore(BurstRange& range, const ReadAt& at, const WeightReadReport& report,
               SramContents& contents);

  FaultDraws draws_;
  WeakCellMap weak_;
  WordGeometry geometry_;
  // Stored bits that may fail in a word of field_bits-wide weights, by
  // field_bits (1..32): lane * 64 + the lane's bit, in lane and bit order.
  std::array<std::vector<int>, kWordBits + 1> allowed_bits_;
  std::map<uint64_t, BurstRange> ranges_;
  uint64_t batches_done_ = 0;
  WeakReadCache cache_;
  WeakReadCache::WordBits upsets_;        // (word, upset mask) of a piece of one read
  WeakReadCache::WeakBits intermittent_;  // (weak word, failing bits) of one read
};

}  // namespace lvsim
