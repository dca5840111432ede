// SEC-DED (39,32) (models/weight_sram/mitigation/secded.h): every single-bit
// error of every word corrected, every double-bit error flagged and zeroed.
#include <catch2/catch.hpp>
#include <cstring>
#include <iterator>
#include <random>
#include <vector>

#include "models/weight_sram/mitigation/mitigation.h"
#include "models/weight_sram/mitigation/secded.h"

using namespace lvsim;

namespace {

uint32_t bits_of(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  return bits;
}

// Hand-picked fp32 words (test_mitigation.cpp uses the same).
const uint32_t kWords[] = {bits_of(1.0f), bits_of(-1.0f), bits_of(0.0123f), bits_of(-0.0456f),
                           bits_of(0.0f), bits_of(-0.0f), 0x7f7fffffu /* FLT_MAX */};

}  // namespace

TEST_CASE("SEC-DED corrects every single-bit error and flags every double-bit error",
          "[mitigation][secded]") {
  const auto secded = make_mitigation("secded");
  REQUIRE(secded->check_bits() == 7);
  std::mt19937 rng(2024);
  std::vector<uint32_t> words(std::begin(kWords), std::end(kWords));
  for (int i = 0; i < 60; ++i) words.push_back(static_cast<uint32_t>(rng()));
  words.push_back(0xffffffffu);
  for (uint32_t word : words) {
    const uint8_t check = secded->encode(word);
    CHECK(secded::decode(word, check).status == secded::Status::kClean);
    for (int a = 0; a < 39; ++a) {
      const ReadOutcome single = secded->on_faulty_read(word, check, uint64_t{1} << a);
      CHECK(single.data == word);
      CHECK(single.check == check);
      CHECK(single.corrected);
      for (int b = a + 1; b < 39; ++b) {
        const ReadOutcome twice =
            secded->on_faulty_read(word, check, (uint64_t{1} << a) | (uint64_t{1} << b));
        if (!twice.uncorrectable) FAIL("double error at bits " << a << "," << b << " not flagged");
        CHECK(twice.data == 0u);  // a detected, uncorrectable word is zeroed
      }
    }
  }
}
