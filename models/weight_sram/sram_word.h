// The weight SRAM's word: 32 data bits (weight_sram.word_bits accepts 32
// only), then the mitigation's check bits, if any, in the same stored word
// (bit i < 32: data bit i; 32 + j: check bit j). Everything that counts words
// or bits of the array uses these.
//
// A word packs 32 / field_bits weights of field_bits bits each, weight j at
// bits [j * field_bits, (j + 1) * field_bits), its sign the field's top bit;
// the leftover 32 mod field_bits bits hold no weight (models/weights/weight_format.h).
#pragma once

#include <cstdint>

namespace lvsim {

constexpr int kWordBits = 32;
constexpr uint64_t kWordBytes = kWordBits / 8;

// The bits of one field_bits-wide field at bit 0 (field_bits 1..32).
constexpr uint32_t field_mask(int field_bits) {
  return field_bits >= kWordBits ? ~0u : (1u << field_bits) - 1;
}

}  // namespace lvsim
