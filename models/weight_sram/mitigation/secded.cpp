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

WideCode::WideCode(int lanes) : lanes_(lanes) {
  const int k = 32 * lanes;
  while ((1 << hamming_bits_) < k + hamming_bits_ + 1) ++hamming_bits_;
  std::vector<uint16_t> positions;
  bit_at_.assign(size_t{1} << hamming_bits_, -1);
  for (int position = 1; static_cast<int>(positions.size()) < k; ++position)
    if ((position & (position - 1)) != 0) {
      bit_at_[static_cast<size_t>(position)] = static_cast<int16_t>(positions.size());
      positions.push_back(static_cast<uint16_t>(position));
    }
  table_.resize(static_cast<size_t>(k / 8));
  for (size_t byte = 0; byte < table_.size(); ++byte)
    for (int value = 0; value < 256; ++value) {
      uint16_t syndrome = 0;
      for (int b = 0; b < 8; ++b)
        if (value & (1 << b)) syndrome ^= positions[byte * 8 + static_cast<size_t>(b)];
      table_[byte][static_cast<size_t>(value)] = syndrome;
    }
}

const WideCode& WideCode::of(int lanes) {
  static const WideCode one(1), two(2), four(4);
  return lanes == 4 ? four : lanes == 2 ? two : one;
}

uint16_t WideCode::data_syndrome(const uint32_t* data) const {
  uint16_t syndrome = 0;
  for (int l = 0; l < lanes_; ++l)
    for (int byte = 0; byte < 4; ++byte)
      syndrome ^= table_[static_cast<size_t>(l) * 4 + static_cast<size_t>(byte)]
                        [(data[l] >> (8 * byte)) & 0xff];
  return syndrome;
}

int WideCode::parity(const uint32_t* data) const {
  int ones = 0;
  for (int l = 0; l < lanes_; ++l) ones += __builtin_popcount(data[l]);
  return ones & 1;
}

uint16_t WideCode::encode(const uint32_t* data) const {
  const uint16_t hamming = data_syndrome(data);  // below 2^hamming_bits_
  const int overall = parity(data) ^ (__builtin_popcount(hamming) & 1);
  return static_cast<uint16_t>(hamming | overall << hamming_bits_);
}

Status WideCode::decode(uint32_t* data, uint16_t& check) const {
  const uint16_t hamming_mask = static_cast<uint16_t>((1 << hamming_bits_) - 1);
  const uint16_t syndrome = (data_syndrome(data) ^ check) & hamming_mask;
  const bool parity_error =
      (parity(data) ^ (__builtin_popcount(check & ((hamming_mask << 1) | 1)) & 1)) != 0;
  if (syndrome == 0 && !parity_error) return Status::kClean;
  if (!parity_error) return Status::kUncorrectable;  // an even number of errors
  // An odd number, taken as one: the syndrome is its position (0: the overall
  // parity bit; a power of two: a Hamming check bit).
  if (syndrome != 0 && (syndrome & (syndrome - 1)) != 0) {
    const int bit = bit_at_[syndrome];
    if (bit < 0) return Status::kUncorrectable;  // past the codeword: three or more failed
    data[bit / 32] ^= 1u << (bit % 32);
  }
  check = encode(data);
  return Status::kCorrected;
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
  // (39,32), (72,64), (137,128): the code of the word's width.
  int word_check_bits(int lanes) const override { return secded::WideCode::of(lanes).check_bits(); }
  uint16_t encode_word(const uint32_t* data, int lanes) const override {
    return secded::WideCode::of(lanes).encode(data);
  }
  WordOutcome on_faulty_word(uint32_t* data, uint16_t& check, const uint32_t* data_masks,
                             uint16_t check_mask, int lanes, int) const override {
    for (int l = 0; l < lanes; ++l) data[l] ^= data_masks[l];
    check ^= check_mask;
    const secded::Status status = secded::WideCode::of(lanes).decode(data, check);
    if (status != secded::Status::kUncorrectable)
      return {status == secded::Status::kCorrected, false};
    for (int l = 0; l < lanes; ++l) data[l] = 0;
    check = secded::WideCode::of(lanes).encode(data);
    return {false, true};
  }
};

}  // namespace

std::unique_ptr<Mitigation> make_secded_mitigation() {
  return std::make_unique<SecdedMitigation>();
}

}  // namespace lvsim
