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

#include "models/weight_sram/voltage_domain.h"

namespace lvsim {

struct WeakCellTraits {
  uint64_t chip_seed = 1;
  double stuck_zero_share = 0.5;    // weak cells whose failing reads return 0
  double intermittent_share = 0.0;  // weak cells that fail on a read with probability q
  double intermittent_q = 1.0;
  bool protect_sign = false;  // bit 31 never fails (seed 004's reading)
  // Weak cells that also fail writes while weak at the write supply: a write
  // stores their stuck value (fault.write_fail_share).
  double write_fail_share = 0.0;
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
  // Each domain's cells are weak with its weak_fraction.
  WeakCellMap(const WeakCellTraits& traits, int check_bits,
              const std::vector<VoltageDomain>& domains);

  uint64_t cells() const { return cells_; }
  uint64_t intermittent_cells() const { return intermittent_cells_; }
  uint64_t write_failing_cells() const { return write_failing_cells_; }
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
    bool tested;       // weak when the self-test ran
    bool write_fails;  // fails writes (at the write supply, once weak)
  };
  void add_tier(int tier, uint64_t positions, int width, int first_bit, uint64_t stream,
                std::vector<uint64_t>& taken, std::vector<Candidate>& found) const;
  void build(const std::vector<VoltageDomain>& domains, int check_bits);

  WeakCellTraits traits_;
  std::vector<WeakWord> words_;  // by word
  // Per intermittent cell, in word order: its words() index and bit.
  std::vector<std::pair<uint32_t, uint8_t>> intermittent_;
  uint64_t cells_ = 0;
  uint64_t intermittent_cells_ = 0;
  uint64_t write_failing_cells_ = 0;
  uint64_t mapped_cells_ = 0;
};

}  // namespace lvsim
