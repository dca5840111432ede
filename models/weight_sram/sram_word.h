// The weight SRAM's word: 32 data bits (weight_sram.word_bits accepts 32
// only), then the mitigation's check bits, if any, in the same stored word
// (bit i < 32: data bit i; 32 + j: check bit j). Everything that counts words
// or bits of the array uses these.
#pragma once

#include <cstdint>

namespace lvsim {

constexpr int kWordBits = 32;
constexpr uint64_t kWordBytes = kWordBits / 8;

}  // namespace lvsim
