// Counter-based randomness (Random123 Philox4x32-10, Salmon et al., SC 2011),
// for the fault mechanisms and every other draw of a run (centralization).
// A stream is named by its key (seed, trial) and
// counter (stream id, access number): the draws of one SRAM access never depend
// on which accesses were simulated before it or on how many threads ran, so a
// seed gives bit-identical faults everywhere.
//
// Rare events are drawn by geometric skipping: the gap to the next faulty
// position among n independent Bernoulli(p) positions is
// floor(log U / log(1 - p)), so the cost is one draw per fault, not per bit.
#pragma once

#include <Random123/philox.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace lvsim {

class CounterRng {
 public:
  CounterRng(uint64_t seed, uint64_t trial, uint64_t stream, uint64_t access)
      : key_{{static_cast<uint32_t>(seed),
              static_cast<uint32_t>(seed >> 32) ^ static_cast<uint32_t>(trial * 0x9E3779B9u)}},
        counter_{{0, static_cast<uint32_t>(stream), static_cast<uint32_t>(access),
                  static_cast<uint32_t>(access >> 32) ^ static_cast<uint32_t>(stream >> 32)}} {}

  // Uniform on (0, 1], 53 random bits.
  double uniform() { return static_cast<double>(uniform53()) * 0x1.0p-53; }
  // The same draw as an integer m in [1, 2^53]: uniform() is m 2^-53.
  uint64_t uniform53() { return (next_u64() >> 11) + 1; }

  // Uniform integer in [0, n), n > 0 (multiply-shift; bias below 2^-32 for n < 2^32).
  uint32_t below(uint32_t n) {
    return static_cast<uint32_t>((static_cast<uint64_t>(next_u32()) * n) >> 32);
  }
  // What the `position`-th call of below(n) on a fresh stream returns, read
  // out of order (the stream is counter-based: 32 bits per position, four
  // per block); the stream's own position does not move.
  uint32_t below_at(uint64_t position, uint32_t n) {
    const auto block = static_cast<uint32_t>(position / 4);
    if (!at_valid_ || at_block_ != block) {
      r123::Philox4x32::ctr_type counter = counter_;
      counter.v[0] = block;
      at_ = philox_(counter, key_);
      at_block_ = block;
      at_valid_ = true;
    }
    return static_cast<uint32_t>((static_cast<uint64_t>(at_.v[position % 4]) * n) >> 32);
  }

  // Number of non-faulty positions before the next faulty one, for fault
  // probability p per position; `log1m_p` = log(1 - p) < 0. Saturates at `limit`.
  uint64_t geometric_gap(double log1m_p, uint64_t limit) {
    return gap_of(uniform53(), log1m_p, limit);
  }
  // The same draw as geometric_gap() where every gap is below 64 (p above
  // about 0.44, e.g. intermittent cells at q = 0.5): read off `table`
  // instead of a logarithm per draw.
  class GapTable;
  uint64_t geometric_gap(const GapTable& table, uint64_t limit);

  // The gap geometric_gap() draws from the uniform m 2^-53 (m in [1, 2^53]).
  static uint64_t gap_of(uint64_t m, double log1m_p, uint64_t limit) {
    const double u = static_cast<double>(m) * 0x1.0p-53;
    const double gap = std::floor(std::log(u) / log1m_p);
    return gap >= static_cast<double>(limit) ? limit : static_cast<uint64_t>(gap);
  }

 private:
  uint32_t next_u32() {
    if (lane_ == 4) {
      block_ = philox_(counter_, key_);
      counter_.v[0]++;
      lane_ = 0;
    }
    return block_.v[lane_++];
  }
  uint64_t next_u64() {
    const uint64_t high = next_u32();
    return (high << 32) | next_u32();
  }

  r123::Philox4x32 philox_;
  r123::Philox4x32::key_type key_;
  r123::Philox4x32::ctr_type counter_;
  r123::Philox4x32::ctr_type block_{};
  int lane_ = 4;
  // below_at()'s last block.
  r123::Philox4x32::ctr_type at_{};
  uint32_t at_block_ = 0;
  bool at_valid_ = false;
};

// geometric_gap()'s floor(log U / log(1 - p)) is a non-increasing step
// function of U = m 2^-53: the gap is at least k exactly for m up to a
// threshold M_k. The thresholds are found once by bisection on that very
// expression, so a draw reads the same gap off the table as it computes,
// bit for bit (a test compares them over millions of draws), without a
// logarithm (a speed device: intermittent cells at 0.60 V draw 10^5 gaps per read).
class CounterRng::GapTable {
 public:
  static constexpr int kMaxGap = 63;
  explicit GapTable(double log1m_p) : log1m_p_(log1m_p) {
    const uint64_t top = uint64_t{1} << 53;
    usable_ = log1m_p < 0.0 && gap_of(1, log1m_p, UINT64_MAX) <= kMaxGap;
    if (!usable_) return;
    for (int k = 1; k <= kMaxGap; ++k) {
      // The largest m whose gap is at least k (0: none).
      uint64_t lo = 0, hi = top;  // gap(lo) >= k or lo = 0; gap(hi + 1) < k
      if (gap_of(1, log1m_p, UINT64_MAX) < static_cast<uint64_t>(k)) break;
      lo = 1;
      while (lo < hi) {
        const uint64_t mid = lo + (hi - lo + 1) / 2;
        if (gap_of(mid, log1m_p, UINT64_MAX) >= static_cast<uint64_t>(k))
          lo = mid;
        else
          hi = mid - 1;
      }
      threshold_[k - 1] = lo;
    }
    // Where the search starts for each bit length of m, and how many steps
    // it then takes at most: every m of bit length b lies between the
    // thresholds of 2^b - 1 and 2^(b-1).
    const auto count_at_least = [this](uint64_t m) {
      int n = 0;
      while (n < kMaxGap && threshold_[n] >= m) ++n;
      return n;
    };
    steps_ = 0;
    for (int b = 1; b <= 54; ++b) {
      const int lo = count_at_least((uint64_t{1} << b) - 1);
      const int hi = count_at_least(uint64_t{1} << (b - 1));
      start_[b] = static_cast<uint8_t>(lo);
      steps_ = std::max(steps_, hi - lo);
    }
  }
  // Whether every gap is below 64 (else geometric_gap() takes the logarithm).
  bool usable() const { return usable_; }
  // Whether gap() starts from m's bit length (a few steps) instead of a
  // binary search over all thresholds.
  bool short_search() const { return steps_ <= kShortSteps; }
  double log1m_p() const { return log1m_p_; }
  // The gap of uniform m: how many thresholds m does not exceed.
  uint64_t gap(uint64_t m) const {
    if (short_search()) {
      // From the first threshold m's bit length can reach, the few steps
      // left (one or two where the thresholds halve, q = 0.5); the same
      // number every time, so the loop's branch is always predicted.
      const int bits = 64 - __builtin_clzll(m);
      uint64_t at = start_[bits];
      for (int step = 0; step < steps_; ++step) at += static_cast<uint64_t>(threshold_[at] >= m);
      return at;
    }
    uint64_t at = 0;
    // Branch-free: the gaps are random, so a branch per step would be
    // mispredicted about every other time.
    for (uint64_t step = 32; step > 0; step >>= 1)
      at += step & (uint64_t{0} - static_cast<uint64_t>(threshold_[at + step - 1] >= m));
    return at;
  }

 private:
  double log1m_p_;
  bool usable_ = false;
  static constexpr int kShortSteps = 3;
  // Decreasing; the last ones stay 0 (a short search may step past the end).
  uint64_t threshold_[kMaxGap + 1 + kShortSteps] = {};
  uint8_t start_[55] = {};  // per bit length of m: no gap below it
  int steps_ = kMaxGap;     // the most steps past start_ any m takes
};

inline uint64_t CounterRng::geometric_gap(const GapTable& table, uint64_t limit) {
  if (!table.usable()) return geometric_gap(table.log1m_p(), limit);
  const uint64_t gap = table.gap(uniform53());
  return gap >= limit ? limit : gap;
}

}  // namespace lvsim
