// Hamming SEC-DED code for 32-bit words (Hamming 1950; the (39,32) code of
// Hsiao-style memory ECC): the 32 data bits sit at the non-power-of-two
// positions 3, 5, 6, 7, 9, ... 38 of a Hamming codeword whose check bits sit at
// positions 1, 2, 4, 8, 16, 32; a seventh check bit is the parity of all 38.
//
// Check byte layout: bits 0..5 are the Hamming checks for positions 1..32,
// bit 6 the overall parity.
#pragma once

#include <cstdint>

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

}  // namespace lvsim::secded
