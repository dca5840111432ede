// The weight SRAM's 32-bit lane ("word" in the array's bookkeeping): 32 data
// bits, then the check bits of the mitigation's code it holds, if any (bit
// i < 32: data bit i; 32 + j: check bit j). Everything that counts words or
// bits of the array uses these; a word as it is read (weight_sram.word_bits
// 32, 64 or 128) is one to four lanes (WordGeometry below).
//
// A word packs 32 / field_bits weights of field_bits bits each, weight j at
// bits [j * field_bits, (j + 1) * field_bits), its sign the field's top bit;
// the leftover 32 mod field_bits bits hold no weight (models/weights/weight_format.h).
#pragma once

#include <cstdint>
#include <utility>

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

// The array's word as it is read: word_bits = 32 * lanes data bits and the
// mitigation's check bits, in `lanes` consecutive 32-bit lanes. Everything
// that holds stored bits per 32-bit lane (SramContents, the weak-cell map,
// the fault masks: bit i < 32 data bit i, 32 + j the lane's check bit j)
// keeps doing so; a word of several lanes shares one codeword and one
// mitigation decision. The code's check bits are spread over the lanes, lane
// l holding check bits [check_first(l), check_first(l) + check_count(l)) of
// the code: (72,64) SEC-DED puts 4 in each lane, (137,128) 3, 2, 2, 2,
// parity's one bit sits in lane 0. With one lane everything is the 32-bit word.
struct WordGeometry {
  int lanes = 1;       // word_bits / 32: 1, 2 or 4
  int check_bits = 0;  // of the whole word's code

  int word_bits() const { return kWordBits * lanes; }
  int stored_bits() const { return word_bits() + check_bits; }
  int check_count(int lane) const {
    return check_bits / lanes + (lane < check_bits % lanes ? 1 : 0);
  }
  int check_first(int lane) const {
    int first = 0;
    for (int l = 0; l < lane; ++l) first += check_count(l);
    return first;
  }
  // The lane (a 32-bit word of the array) and the bit of it that hold bit
  // `bit` of word `word`'s codeword (data bits 0 .. word_bits - 1, then the
  // check bits).
  std::pair<uint64_t, int> locate(uint64_t word, int bit) const {
    const uint64_t first_lane = word * static_cast<uint64_t>(lanes);
    if (bit < word_bits())
      return {first_lane + static_cast<uint64_t>(bit / kWordBits), bit % kWordBits};
    int j = bit - word_bits(), lane = 0;
    while (j >= check_count(lane)) j -= check_count(lane++);
    return {first_lane + static_cast<uint64_t>(lane), kWordBits + j};
  }
};

}  // namespace lvsim
