// Each mitigation's exact effect on chosen fp32 bit patterns and on packed
// words, parity's detection, and the registry's refusal of unknown names.
#include <catch2/catch.hpp>
#include <cstring>

#include "models/weight_sram/mitigation/mitigation.h"

using namespace lvsim;

namespace {

uint32_t bits_of(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  return bits;
}

uint32_t read(const Mitigation& m, uint32_t word, int bit) {
  return m.on_faulty_read(word, 0, uint64_t{1} << bit).data;
}

const uint32_t kWords[] = {bits_of(1.0f), bits_of(-1.0f), bits_of(0.0123f), bits_of(-0.0456f),
                           bits_of(0.0f), bits_of(-0.0f), 0x7f7fffffu /* FLT_MAX */};

}  // namespace

TEST_CASE("flip, sign and zero on hand-picked fp32 words", "[mitigation]") {
  const auto flip = make_mitigation("flip"), sign = make_mitigation("sign"),
             zero = make_mitigation("zero"), word_zero = make_mitigation("word-zero");
  // 1.0f = 0x3F800000: exponent MSB (bit 30) is 0, bits 23-29 are 1.
  CHECK(read(*flip, 0x3F800000u, 30) == 0x7F800000u);  // +inf: why flip is dangerous
  CHECK(read(*sign, 0x3F800000u, 30) == 0x3F800000u);  // positive: bit <- 0, already 0
  CHECK(read(*zero, 0x3F800000u, 29) == 0x1F800000u);  // 2^-64: towards zero
  CHECK(read(*sign, 0x3F800000u, 29) == 0x1F800000u);
  // -1.0f = 0xBF800000: a negative word's faulty bits become 1 under `sign`.
  CHECK(read(*sign, 0xBF800000u, 30) == 0xFF800000u);  // -inf
  CHECK(read(*sign, 0xBF800000u, 0) == 0xBF800001u);
  CHECK(read(*zero, 0xBF800000u, 31) == 0x3F800000u);  // a faulty sign bit forced to 0
  CHECK(read(*sign, 0xBF800000u, 31) == 0xBF800000u);  // the sign bit keeps its value
  CHECK(read(*flip, 0xBF800000u, 31) == 0x3F800000u);
  CHECK(read(*word_zero, 0xBF800000u, 3) == 0u);
}

TEST_CASE("every mitigation at every bit of positive and negative words", "[mitigation]") {
  const auto flip = make_mitigation("flip"), sign = make_mitigation("sign"),
             zero = make_mitigation("zero"), word_zero = make_mitigation("word-zero");
  for (uint32_t word : kWords)
    for (int bit = 0; bit < 32; ++bit) {
      INFO("word 0x" << std::hex << word << " bit " << std::dec << bit);
      const uint32_t mask = 1u << bit;
      const bool negative = word >> 31;
      CHECK(read(*flip, word, bit) == (word ^ mask));
      CHECK(read(*zero, word, bit) == (word & ~mask));
      CHECK(read(*word_zero, word, bit) == 0u);
      const uint32_t expected_sign = bit == 31 ? word : (negative ? (word | mask) : (word & ~mask));
      CHECK(read(*sign, word, bit) == expected_sign);
      // Two faulty bits act together.
      const uint64_t two = mask | (1u << ((bit + 7) % 31));
      CHECK(flip->on_faulty_read(word, 0, two).data == (word ^ static_cast<uint32_t>(two)));
      CHECK(zero->on_faulty_read(word, 0, two).data == (word & ~static_cast<uint32_t>(two)));
    }
  CHECK(flip->uses_detector() == false);
  CHECK(sign->uses_detector());
  CHECK(zero->uses_detector());
  CHECK(word_zero->uses_detector());
}

TEST_CASE("parity zeroes a word with an odd number of faulty bits and misses an even one",
          "[mitigation][parity]") {
  const auto parity = make_mitigation("parity");
  REQUIRE(parity->check_bits() == 1);
  CHECK_FALSE(parity->uses_detector());
  for (uint32_t word : kWords) {
    const uint8_t check = parity->encode(word);
    CHECK(check == (__builtin_popcount(word) & 1));
    for (int a = 0; a < 33; ++a) {
      INFO("word 0x" << std::hex << word << " bit " << std::dec << a);
      const ReadOutcome one = parity->on_faulty_read(word, check, uint64_t{1} << a);
      CHECK(one.uncorrectable);  // detected
      CHECK(one.data == 0u);
      CHECK(one.check == 0);
      const uint64_t two = (uint64_t{1} << a) | (uint64_t{1} << ((a + 5) % 33));
      const ReadOutcome even = parity->on_faulty_read(word, check, two);
      CHECK_FALSE(even.uncorrectable);  // silent: the two faulty bits as read
      CHECK(even.data == (word ^ static_cast<uint32_t>(two)));
      const uint64_t three = two | (uint64_t{1} << ((a + 11) % 33));
      CHECK(parity->on_faulty_read(word, check, three).uncorrectable);
    }
  }
}

TEST_CASE("unknown mitigation names are refused with the list", "[mitigation]") {
  CHECK_THROWS_WITH(make_mitigation("hamming"),
                    Catch::Contains("mitigation '") && Catch::Contains("word-zero"));
}

TEST_CASE("sign mitigation on packed words copies each weight's own sign bit",
          "[format][mitigation]") {
  const auto sign = make_mitigation("sign");
  // Two int16 fields: high one negative (0xFFF0 = -16), low one positive (0x0010 = 16).
  const uint32_t word = 0xFFF00010u;
  // A fault in bit 3 (low field) takes its sign 0; in bit 19 (high field) its sign 1.
  CHECK(sign->on_faulty_read(word, 0, uint64_t{1} << 4, 16).data == 0xFFF00000u);
  CHECK(sign->on_faulty_read(word, 0, uint64_t{1} << 3, 16).data == word);
  CHECK(sign->on_faulty_read(0xFFE00010u, 0, uint64_t{1} << 20, 16).data == 0xFFF00010u);
  // A faulty sign bit keeps its value; as an fp32 word the sign is bit 31 only.
  CHECK(sign->on_faulty_read(word, 0, uint64_t{1} << 15, 16).data == word);
  CHECK(sign->on_faulty_read(word, 0, uint64_t{1} << 15, 32).data == 0xFFF08010u);
  // Binary weights: every bit is a sign bit, nothing changes.
  CHECK(sign->on_faulty_read(0xA5A5A5A5u, 0, 0xFFFFFFFFu, 1).data == 0xA5A5A5A5u);
  // trunc-6: bits 30-31 belong to no weight and are left as the fault made them.
  CHECK(sign->on_faulty_read(0u, 0, uint64_t{1} << 31, 6).data == 0x80000000u);
  // zero and flip do not care about fields.
  CHECK(make_mitigation("zero")->on_faulty_read(word, 0, uint64_t{1} << 4, 16).data == 0xFFF00000u);
  CHECK(make_mitigation("flip")->on_faulty_read(word, 0, uint64_t{1} << 4, 16).data == 0xFFF00000u);
}

TEST_CASE("sign mitigation on int-8 words copies each of the four weights' sign bits",
          "[format][mitigation]") {
  const auto sign = make_mitigation("sign");
  // Fields, high to low: -128 (0x80), 127 (0x7F), -1 (0xFF), 1 (0x01).
  const uint32_t word = 0x807FFF01u;
  // A fault in every bit but the signs: each field becomes all its sign.
  const uint64_t all_but_signs = 0x7F7F7F7Fu;
  CHECK(sign->on_faulty_read(word, 0, all_but_signs, 8).data == 0xFF00FF00u);
  // One fault per field: bit 1 of each field takes that field's own sign.
  CHECK(sign->on_faulty_read(word, 0, 0x02020202u, 8).data == 0x827DFF01u);
  // The signs themselves keep their values.
  CHECK(sign->on_faulty_read(word, 0, 0x80808080u, 8).data == word);
}

TEST_CASE("weight-zero zeroes exactly the weights holding a failing bit", "[mitigation]") {
  const auto weight_zero = make_mitigation("weight-zero");
  CHECK(weight_zero->name() == "weight-zero");
  CHECK(weight_zero->uses_detector());  // the detector word-zero presumes, and its costs
  CHECK(weight_zero->check_bits() == 0);
  const uint32_t word = 0x9A5C3E71u;
  SECTION("int-8: four fields") {
    CHECK(weight_zero->on_faulty_read(word, 0, uint64_t{1} << 0, 8).data == 0x9A5C3E00u);
    CHECK(weight_zero->on_faulty_read(word, 0, uint64_t{1} << 7, 8).data == 0x9A5C3E00u);
    CHECK(weight_zero->on_faulty_read(word, 0, uint64_t{1} << 8, 8).data == 0x9A5C0071u);
    CHECK(weight_zero->on_faulty_read(word, 0, uint64_t{1} << 31, 8).data == 0x005C3E71u);
    // Two failing bits in one field zero one weight; in two fields, two.
    CHECK(weight_zero->on_faulty_read(word, 0, 0x00300000u, 8).data == 0x9A003E71u);
    CHECK(weight_zero->on_faulty_read(word, 0, 0x00010100u, 8).data == 0x9A000071u);
    CHECK(weight_zero->on_faulty_read(word, 0, 0x80808080u, 8).data == 0u);
  }
  SECTION("fp16 / int-16: two fields") {
    CHECK(weight_zero->on_faulty_read(word, 0, uint64_t{1} << 15, 16).data == 0x9A5C0000u);
    CHECK(weight_zero->on_faulty_read(word, 0, uint64_t{1} << 16, 16).data == 0x00003E71u);
    CHECK(weight_zero->on_faulty_read(word, 0, 0x00018000u, 16).data == 0u);
  }
  SECTION("32-bit weights: the word, as word-zero") {
    const auto word_zero = make_mitigation("word-zero");
    for (uint32_t w : kWords)
      for (uint64_t mask : {uint64_t{1}, uint64_t{1} << 31, uint64_t{0x00F00001}, uint64_t{0}}) {
        INFO("word 0x" << std::hex << w << " mask 0x" << mask);
        CHECK(weight_zero->on_faulty_read(w, 0, mask, 32).data ==
              word_zero->on_faulty_read(w, 0, mask, 32).data);
        CHECK(weight_zero->on_faulty_read(w, 0, mask).data == (mask ? 0u : w));
      }
  }
  SECTION("leftover bits of a word no field fills are forced to 0, the fields kept") {
    // int-12: fields at bits 0-11 and 12-23; bits 24-31 hold no weight.
    CHECK(weight_zero->on_faulty_read(word, 0, uint64_t{1} << 27, 12).data == 0x925C3E71u);
    CHECK(weight_zero->on_faulty_read(word, 0, uint64_t{1} << 12, 12).data == 0x9A000E71u);
  }
  SECTION("binary: every bit a weight") {
    CHECK(weight_zero->on_faulty_read(0xFFFFFFFFu, 0, 0x00010010u, 1).data == 0xFFFEFFEFu);
  }
}
