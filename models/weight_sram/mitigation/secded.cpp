#include "models/weight_sram/mitigation/secded.h"

#include <array>

#include "models/weight_sram/mitigation/mitigation.h"

namespace lvsim::secded {
namespace {

// Hamming position (3..38) of each data bit.
constexpr std::array<uint8_t, 32> data_positions() {
  std::array<uint8_t, 32> positions{};
  int bit = 0;
  for (uint8_t position = 1; bit < 32; ++position)
    if ((position & (position - 1)) != 0) positions[bit++] = position;
  return positions;
}
constexpr std::array<uint8_t, 32> kPositions = data_positions();

// Syndrome contribution of every byte value of each data byte: XOR of the
// Hamming positions of its set bits.
struct SyndromeTables {
  uint8_t table[4][256];
  constexpr SyndromeTables() : table() {
    for (int byte = 0; byte < 4; ++byte)
      for (int value = 0; value < 256; ++value) {
        uint8_t syndrome = 0;
        for (int b = 0; b < 8; ++b)
          if (value & (1 << b)) syndrome ^= kPositions[byte * 8 + b];
        table[byte][value] = syndrome;
      }
  }
};
constexpr SyndromeTables kTables;

uint8_t data_syndrome(uint32_t data) {
  return kTables.table[0][data & 0xff] ^ kTables.table[1][(data >> 8) & 0xff] ^
         kTables.table[2][(data >> 16) & 0xff] ^ kTables.table[3][data >> 24];
}

int parity(uint64_t bits) { return __builtin_popcountll(bits) & 1; }

}  // namespace

uint8_t encode(uint32_t data) {
  // Check bit j (position 2^j) makes the XOR of all positions with bit j set even:
  // it equals bit j of the data syndrome.
  const uint8_t hamming = data_syndrome(data) & 0x3f;
  const int overall = parity(data) ^ parity(hamming);
  return static_cast<uint8_t>(hamming | (overall << 6));
}

Decoded decode(uint32_t data, uint8_t check) {
  const uint8_t syndrome = (data_syndrome(data) ^ check) & 0x3f;
  const bool parity_error = (parity(data) ^ parity(check & 0x7f)) != 0;
  if (syndrome == 0 && !parity_error) return {data, check, Status::kClean};
  if (!parity_error) return {data, check, Status::kUncorrectable};  // even number of errors
  // An odd number of errors, taken as one: the syndrome is its Hamming position
  // (0: the overall parity bit itself).
  if (syndrome == 0 || (syndrome & (syndrome - 1)) == 0)
    return {data, encode(data), Status::kCorrected};
  for (int bit = 0; bit < 32; ++bit)
    if (kPositions[bit] == syndrome) {
      const uint32_t fixed = data ^ (1u << bit);
      return {fixed, encode(fixed), Status::kCorrected};
    }
  // A position beyond 38 cannot come from one error: at least three bits failed.
  return {data, check, Status::kUncorrectable};
}

}  // namespace lvsim::secded

namespace lvsim {
namespace {

class SecdedMitigation : public Mitigation {
 public:
  std::string name() const override { return "secded"; }
  int check_bits() const override { return secded::kCheckBits; }
  std::string check_code() const override { return "SEC-DED"; }
  uint8_t encode(uint32_t data) const override { return secded::encode(data); }
  bool uses_detector() const override { return false; }
  ReadOutcome on_faulty_read(uint32_t data, uint8_t check, uint64_t mask, int) const override {
    const secded::Decoded decoded =
        secded::decode(data ^ static_cast<uint32_t>(mask),
                       static_cast<uint8_t>(check ^ static_cast<uint8_t>(mask >> 32)));
    if (decoded.status == secded::Status::kUncorrectable)
      return {0u, secded::encode(0u), false, true};
    return {decoded.data, decoded.check, decoded.status == secded::Status::kCorrected, false};
  }
};

}  // namespace

std::unique_ptr<Mitigation> make_secded_mitigation() {
  return std::make_unique<SecdedMitigation>();
}

}  // namespace lvsim
