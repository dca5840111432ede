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

// The sign bit of every weight a word of field_bits-wide fields packs: bit 31
// of a 32-bit weight, 0x80808080 for int-8, every bit for binary weights.
constexpr uint32_t field_sign_bits(int field_bits) {
  uint32_t signs = 0;
  for (int shift = 0; shift + field_bits <= kWordBits; shift += field_bits)
    signs |= 1u << (shift + field_bits - 1);
  return signs;
}

// Words [first_word, end_word) of the array pack weights of field_bits bits
// (a layer's weights in a packed format); the platform lists them, the fault
// mechanisms need them before any read (fault.protect_sign).
struct PackedWords {
  uint64_t first_word = 0;
  uint64_t end_word = 0;
  int field_bits = kWordBits;
};

}  // namespace lvsim
