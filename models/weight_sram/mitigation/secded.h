// Hamming SEC-DED code for 32-bit words (Hamming 1950; the (39,32) code of
// Hsiao-style memory ECC): the 32 data bits sit at the non-power-of-two
// positions 3, 5, 6, 7, 9, ... 38 of a Hamming codeword whose check bits sit at
// positions 1, 2, 4, 8, 16, 32; a seventh check bit is the parity of all 38.
//
// Check byte layout: bits 0..5 are the Hamming checks for positions 1..32,
// bit 6 the overall parity.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace lvsim::secded {

constexpr int kCheckBits = 7;

uint8_t encode(uint32_t data);

enum class Status { kClean, kCorrected, kUncorrectable };

struct Decoded {
  uint32_t data;
  uint8_t check;  // re-encoded check bits of the returned data
  Status status;
};

Decoded decode(uint32_t data, uint8_t check);

// The same construction over a word of `lanes` 32-bit lanes (k = 32 * lanes
// data bits, at the non-power-of-two positions of the codeword), with r
// Hamming checks, the least r with 2^r >= k + r + 1, and the overall parity:
// (39,32), (72,64) and (137,128) for 1, 2, 4 lanes, the codes of memory ECC at
// those widths (12.5 % and 7 % of storage for 64 and 128 data bits against
// 21.9 % for 32). Check word: bits 0..r-1 the Hamming checks, bit r the
// overall parity; at one lane exactly encode() and decode() above.
class WideCode {
 public:
  explicit WideCode(int lanes);
  static const WideCode& of(int lanes);  // 1, 2 or 4
  int check_bits() const { return hamming_bits_ + 1; }
  uint16_t encode(const uint32_t* data) const;
  // Decodes in place (data and check of the returned word).
  Status decode(uint32_t* data, uint16_t& check) const;

 private:
  uint16_t data_syndrome(const uint32_t* data) const;
  int parity(const uint32_t* data) const;
  int lanes_;
  int hamming_bits_ = 0;
  std::vector<std::array<uint16_t, 256>> table_;  // per data byte: XOR of its bits' positions
  std::vector<int16_t> bit_at_;                   // per position: its data bit, or -1
};

}  // namespace lvsim::secded
