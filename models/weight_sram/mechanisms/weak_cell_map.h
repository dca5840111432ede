// A chip's weak cells: the SRAM cells whose own minimum operating voltage
// lies above the supply. Measured low-voltage SRAM fails this way (IBM 14 nm,
// Chandramoorthy et al., HPCA 2019): the failing cells at a voltage are mostly
// the same on every access, those failing at a higher voltage also fail at
// every lower one, about half fail only intermittently, and a failing cell
// reads a fixed wrong value.
//
// The model: every cell has a rank u, uniform on (0, 1), and is weak at supply
// V when u < p(V), the fault model's fraction of cells whose Vmin exceeds V (a
// gaussian-vmin p(V) is exactly that fraction). The ranks belong to the chip
// (chip seed), not to the voltage, so the weak cells at V are the same at
// every run and nested across voltages. Each weak cell also has, from the chip:
//   - a stuck value: a failing read returns 0 (with probability
//     stuck_zero_share) or 1, whatever the cell holds;
//   - an intermittency: a share of the cells fail on a read only with
//     probability q (drawn per read from the run's streams), the others on
//     every read.
//
// Cells with u < p are found without visiting every cell: the unit interval
// is cut into tiers (0, 1e-9], (1e-9, 2e-9], ..., (0.5, 1]; tier t holds each
// cell independently with probability (b_t+1 - b_t) / (1 - b_t) (geometric
// skipping, one draw per candidate), a cell found in several tiers belongs to
// the lowest, and there its rank is uniform within the tier. The probability
// that a cell's rank is at most b_T is then exactly b_T, and only the tiers
// below max p(V) are visited: the cost follows the number of weak cells.
// Data bits and check bits are enumerated apart, so a mitigation's check bits
// do not move the data bits' weak cells.
//
// A share of the weak cells also fail writes (write_fail_share, drawn per
// cell from a stream of its own, so that the share never moves the cells):
// while such a cell is weak at the write supply (a domain's write_weak_fraction,
// fewer cells when writes run above the read supply), a write stores its stuck
// value, which then reads back consistently (SramContents::set_write_failures).
// Failing columns (correlated faults, column_fault_share = s > 0). Measured
// arrays also fail along columns (a weak sense amplifier or bitline: the
// column-aligned failures in one of IBM's three 14 nm chips' maps, Stutz et
// al., MLSys 2021), which puts failing bits of many words in the same place.
// In the array's physical layout (sram_layout.h), a column defect is a
// cluster of `column_width` adjacent columns of one subarray (assumed: a
// defect spanning neighbouring bitlines, a bitline short or a shared
// precharge; no measured width was found), and fails every cell of those
// columns in the subarray's rows. Each cluster position (a subarray, a first
// column) has its own rank v from the chip, in a stream of its own (the
// cells' ranks do not move), and the cluster fails in a voltage domain when
//     v < s * p(V) / column_width,
// nested in voltage as the cells are; a cluster crossing domains fails in
// each by its p. Clusters may overhang the array's edges (they fail only
// their columns inside it), so every column lies in column_width positions
// and fails with probability ~ s * p: columns give a share s of the failing
// cells, and the cells alone are weak below (1 - s) * p, the chip still
// failing a fraction ~ p. A failing column's cells read the column's stuck
// value (0 with stuck_zero_share, drawn per column) on every read, also where
// a cell of it is weak on its own: permanent (assumed; no measurement of a
// failing column's intermittency was found), and found by the self-test as
// any permanent cell. With I = interleave >= column_width a cluster puts at
// most one failing bit in any word; with I = 1 it fails column_width
// adjacent bits of each word of its rows. s = 0 builds exactly the map of
// independent cells. Rows failing alike (a weak wordline) are not modelled:
// no data on them was found.
//
// A built-in self-test (BIST) can map the weak cells (self_test()): a March
// C- test, {(w0); up(r0, w1); up(r1, w0); down(r0, w1); down(r1, w0); (r0)},
// 10 word accesses per word, reads every cell 3 times expecting 0 and twice
// expecting 1 (van de Goor, "Using march tests to test SRAMs", IEEE D&T 1993).
// A cell stuck at 1 shows on the reads expecting 0, one stuck at 0 on those
// expecting 1: a permanent weak cell is always found, an intermittent one
// with probability 1 - (1 - q)^k for its k revealing reads over the passes.
// A transient upset during the march is not recorded (a BIST re-reads a
// failing word before it records it). A cell failing writes holds its stuck
// value through the march's reads, so it is always found (the march runs at
// the read supply, where at least the cells failing writes at the write
// supply fail them; the model maps those).
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "models/common/counter_rng.h"
#include "models/weight_sram/sram_layout.h"
#include "models/weight_sram/sram_word.h"
#include "models/weight_sram/voltage_domain.h"

namespace lvsim {

struct WeakCellTraits {
  uint64_t chip_seed = 1;
  double stuck_zero_share = 0.5;    // weak cells whose failing reads return 0
  double intermittent_share = 0.0;  // weak cells that fail on a read with probability q
  double intermittent_q = 1.0;
  // Weak cells that also fail writes while weak at the write supply: a write
  // stores their stuck value (fault.write_fail_share).
  double write_fail_share = 0.0;
  // Failing columns: the share of the failing cells they give, the adjacent
  // columns one defect spans, and where the columns lie.
  double column_fault_share = 0.0;
  int column_width = 2;
  SramLayout layout;
  static constexpr int kMaxColumnWidth = 16;
  // The sign bit of every weight a word packs never fails (seed 004's
  // reading): bit 31 of a 32-bit weight, the top bit of each field of the
  // words in `packed` (bits 7, 15, 23, 31 of an int-8 word).
  bool protect_sign = false;
  std::vector<PackedWords> packed;  // in address order; the other words hold 32-bit weights
};

// The weak cells of one word (bit i < 32: data bit i; 32 + j: check bit j).
struct WeakWord {
  uint32_t word = 0;
  uint64_t permanent = 0;      // cells failing on every read
  uint64_t intermittent = 0;   // cells failing on a read with probability q
  uint64_t stuck_ones = 0;     // failing cells that read 1 (the others read 0)
  uint64_t mapped = 0;         // cells the last self-test found
  uint64_t tested = 0;         // cells already weak when the self-test ran (it can find them)
  uint64_t write_failing = 0;  // cells whose writes store their stuck value (at the write supply)
};

// A self-test's draws: which run (seed, trial) and how many March C- passes.
struct SelfTestDraws {
  uint64_t seed = 1;
  uint64_t trial = 0;
  int passes = 1;
  // March C- reads per pass that reveal a cell stuck at 1 (reads expecting 0)
  // and one stuck at 0 (reads expecting 1).
  static constexpr int kReadsExpectingZero = 3;
  static constexpr int kReadsExpectingOne = 2;
  static constexpr int kAccessesPerWord = 10;  // 5 reads and 5 writes per pass
};

class WeakCellMap {
 public:
  // Each domain's cells are weak with its weak_fraction; the array's words
  // have `geometry` (lanes of 32 data bits, the code's check bits spread
  // over them).
  WeakCellMap(const WeakCellTraits& traits, const WordGeometry& geometry,
              const std::vector<VoltageDomain>& domains);
  // 32-bit words with `check_bits` check bits each.
  WeakCellMap(const WeakCellTraits& traits, int check_bits,
              const std::vector<VoltageDomain>& domains)
      : WeakCellMap(traits, WordGeometry{1, check_bits}, domains) {}

  uint64_t cells() const { return cells_; }
  uint64_t intermittent_cells() const { return intermittent_cells_; }
  uint64_t write_failing_cells() const { return write_failing_cells_; }
  // Of cells(), those in failing columns (an independent weak cell there counted once, here).
  uint64_t column_fault_cells() const { return column_fault_cells_; }
  uint64_t mapped_cells() const { return mapped_cells_; }
  const std::vector<WeakWord>& words() const { return words_; }
  // Indices into words() of the weak words in [first_word, end_word).
  std::pair<size_t, size_t> range(uint64_t first_word, uint64_t end_word) const;
  // Appends to `failing` (as pairs of a words() index and its failing
  // intermittent bits, in word order) the intermittent cells of words
  // [first, end) of words() that fail on this read, drawn from `rng_key`'s
  // stream (seed, trial, stream id, read number).
  void draw_intermittent(size_t first, size_t end, uint64_t seed, uint64_t trial, uint64_t stream,
                         uint64_t read, std::vector<std::pair<size_t, uint64_t>>& failing) const;
  // Runs the self-test: sets each weak word's `mapped` cells (the map of an
  // earlier test is replaced). Returns the cells mapped.
  uint64_t self_test(const SelfTestDraws& draws);

  // How many weak cells p of `bits` cells gives beyond which the map refuses
  // to build (the SRAM is unusable there anyway).
  static constexpr uint64_t kMaxCells = 16ull << 20;

 private:
  struct Candidate {
    uint64_t key;  // word * 64 + bit
    double rank;
    bool stuck_one;
    bool intermittent;
    bool tested;               // weak when the self-test ran
    bool write_fails = false;  // fails writes (at the write supply, once weak)
    bool column = false;       // in a failing column
  };
  // One tier of the data bits' stream (32 per lane) or, with `checks`, of
  // the check bits' (checks->check_bits per word).
  void add_tier(int tier, uint64_t positions, const WordGeometry* checks, uint64_t stream,
                std::vector<uint64_t>& taken, std::vector<Candidate>& found) const;
  // The independent weak cells, and the cells of failing columns.
  std::vector<Candidate> weak_cells(const std::vector<VoltageDomain>& domains,
                                    uint64_t words) const;
  std::vector<Candidate> column_cells(const std::vector<VoltageDomain>& domains,
                                      uint64_t words) const;
  // The cells of one failing cluster whose first column is `first_column`
  // (negative: it overhangs the row's start) in subarray `subarray`.
  void add_cluster(uint64_t subarray, int first_column, double rank, const bool* stuck_one,
                   const std::vector<VoltageDomain>& domains, uint64_t words,
                   std::vector<Candidate>& cells) const;
  void build(const std::vector<VoltageDomain>& domains);

  WeakCellTraits traits_;
  WordGeometry geometry_;
  std::vector<WeakWord> words_;  // by word
  // Per intermittent cell, in word order: its words() index and bit.
  std::vector<std::pair<uint32_t, uint8_t>> intermittent_;
  // draw_intermittent()'s gaps at probability q, read off a table.
  CounterRng::GapTable intermittent_gaps_;
  uint64_t cells_ = 0;
  uint64_t intermittent_cells_ = 0;
  uint64_t write_failing_cells_ = 0;
  uint64_t column_fault_cells_ = 0;
  uint64_t mapped_cells_ = 0;
};

}  // namespace lvsim
