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
  double uniform() {
    const uint64_t bits = next_u64() >> 11;
    return static_cast<double>(bits + 1) * 0x1.0p-53;
  }

  // Uniform integer in [0, n), n > 0 (multiply-shift; bias below 2^-32 for n < 2^32).
  uint32_t below(uint32_t n) {
    return static_cast<uint32_t>((static_cast<uint64_t>(next_u32()) * n) >> 32);
  }

  // Number of non-faulty positions before the next faulty one, for fault
  // probability p per position; `log1m_p` = log(1 - p) < 0. Saturates at `limit`.
  uint64_t geometric_gap(double log1m_p, uint64_t limit) {
    const double gap = std::floor(std::log(uniform()) / log1m_p);
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
};

}  // namespace lvsim
