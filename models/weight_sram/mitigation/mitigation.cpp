#include "models/weight_sram/mitigation/mitigation.h"

#include <algorithm>
#include <map>

#include "models/common/params.h"
#include "models/weight_sram/sram_word.h"

namespace lvsim {
namespace {

constexpr uint32_t kSignBit = 1u << 31;

// unchanged_by_one_bit()'s bitmap: bit i set where unchanged(data[i]).
template <typename Unchanged>
bool mark_unchanged(const uint32_t* data, size_t count, uint64_t* out, Unchanged unchanged) {
  for (size_t group = 0; group * 64 < count; ++group) {
    uint64_t bits = 0;
    const size_t end = std::min(count, group * 64 + 64);
    for (size_t i = group * 64; i < end; ++i) bits |= uint64_t{unchanged(data[i])} << (i % 64);
    out[group] = bits;
  }
  return true;
}

// A mitigation whose on_faulty_reads() loops over its own on_faulty_read(),
// called without the virtual dispatch (`Self` is the final class).
template <typename Self>
class Batched : public Mitigation {
 public:
  void on_faulty_reads(const uint32_t* data, const uint32_t* masks, size_t count, int field_bits,
                       ReadOutcome* out) const final {
    const Self& self = static_cast<const Self&>(*this);
    for (size_t i = 0; i < count; ++i)
      out[i] = self.Self::on_faulty_read(data[i], 0, masks[i], field_bits);
  }
};

class FlipMitigation final : public Batched<FlipMitigation> {
 public:
  std::string name() const override { return "flip"; }
  bool uses_detector() const override { return false; }
  ReadOutcome on_faulty_read(uint32_t data, uint8_t, uint64_t mask, int) const override {
    return {data ^ static_cast<uint32_t>(mask), 0, false, false};
  }
};

class SignMitigation final : public Batched<SignMitigation> {
 public:
  std::string name() const override { return "sign"; }
  bool uses_detector() const override { return true; }
  ReadOutcome on_faulty_read(uint32_t data, uint8_t, uint64_t mask, int field_bits) const override {
    const auto faulty = static_cast<uint32_t>(mask);
    if (field_bits >= 32) {
      const uint32_t bits = faulty & ~kSignBit;
      return {(data & kSignBit) ? (data | bits) : (data & ~bits), 0, false, false};
    }
    uint32_t out = data, used = 0;
    for (int shift = 0; shift + field_bits <= 32; shift += field_bits) {
      const uint32_t field = ((1u << field_bits) - 1) << shift;
      const uint32_t sign = 1u << (shift + field_bits - 1);
      const uint32_t bits = faulty & field & ~sign;
      out = (data & sign) ? (out | bits) : (out & ~bits);
      used |= field;
    }
    return {out ^ (faulty & ~used), 0, false, false};  // unused bits: nothing to copy
  }
  // Unchanged (32-bit weights): every bit that may fail already holds the
  // sign (a failing sign bit itself changes nothing).
  bool unchanged_by_one_bit(const uint32_t* data, size_t count, uint32_t may_fail, int field_bits,
                            uint64_t* unchanged) const override {
    if (field_bits < 32) return false;
    const uint32_t bits = may_fail & ~kSignBit;
    return mark_unchanged(data, count, unchanged,
                          [&](uint32_t d) { return (d & bits) == ((d & kSignBit) ? bits : 0u); });
  }
};

class ZeroMitigation final : public Batched<ZeroMitigation> {
 public:
  std::string name() const override { return "zero"; }
  bool uses_detector() const override { return true; }
  ReadOutcome on_faulty_read(uint32_t data, uint8_t, uint64_t mask, int) const override {
    return {data & ~static_cast<uint32_t>(mask), 0, false, false};
  }
  // Unchanged: every bit that may fail is already 0.
  bool unchanged_by_one_bit(const uint32_t* data, size_t count, uint32_t may_fail, int,
                            uint64_t* unchanged) const override {
    return mark_unchanged(data, count, unchanged, [&](uint32_t d) { return (d & may_fail) == 0; });
  }
};

class WordZeroMitigation final : public Batched<WordZeroMitigation> {
 public:
  std::string name() const override { return "word-zero"; }
  bool uses_detector() const override { return true; }
  ReadOutcome on_faulty_read(uint32_t data, uint8_t, uint64_t mask, int) const override {
    return {mask ? 0u : data, 0, false, false};
  }
  // Unchanged: the word is 0 already.
  bool unchanged_by_one_bit(const uint32_t* data, size_t count, uint32_t may_fail, int,
                            uint64_t* unchanged) const override {
    return mark_unchanged(data, count, unchanged,
                          [&](uint32_t d) { return may_fail == 0 || d == 0; });
  }
  // The whole word, every lane of it.
  WordOutcome on_faulty_word(uint32_t* data, uint16_t&, const uint32_t* data_masks, uint16_t,
                             int lanes, int) const override {
    bool failed = false;
    for (int l = 0; l < lanes; ++l) failed |= data_masks[l] != 0;
    for (int l = 0; l < lanes && failed; ++l) data[l] = 0;
    return {};
  }
};

// Minerva's word masking (Reagen et al., ISCA 2016): the detector flags the
// failing bits and each weight holding one reads as 0; the word's other
// weights are untouched. A faulty leftover bit (a word packing 32 / field_bits
// weights leaves 32 mod field_bits bits unused) is forced to 0 as well.
class WeightZeroMitigation final : public Batched<WeightZeroMitigation> {
 public:
  std::string name() const override { return "weight-zero"; }
  bool uses_detector() const override { return true; }
  ReadOutcome on_faulty_read(uint32_t data, uint8_t, uint64_t mask, int field_bits) const override {
    const auto faulty = static_cast<uint32_t>(mask);
    uint32_t zeroed = faulty;
    for (int shift = 0; shift + field_bits <= kWordBits; shift += field_bits) {
      const uint32_t field = field_mask(field_bits) << shift;
      if (faulty & field) zeroed |= field;
    }
    return {data & ~zeroed, 0, false, false};
  }
  // Unchanged: every weight holding a bit that may fail is 0 already (and
  // so is every leftover bit that may fail).
  bool unchanged_by_one_bit(const uint32_t* data, size_t count, uint32_t may_fail, int field_bits,
                            uint64_t* unchanged) const override {
    uint32_t zeroed = may_fail;
    for (int shift = 0; shift + field_bits <= kWordBits; shift += field_bits) {
      const uint32_t field = field_mask(field_bits) << shift;
      if (may_fail & field) zeroed |= field;
    }
    return mark_unchanged(data, count, unchanged, [&](uint32_t d) { return (d & zeroed) == 0; });
  }
};

// One even-parity bit over the 32 data bits (check bit 0): an odd number of
// failing bits among the 33 is detected and the word forced to 0; an even
// number goes unnoticed (silent).
class ParityMitigation : public Mitigation {
 public:
  std::string name() const override { return "parity"; }
  bool uses_detector() const override { return false; }
  int check_bits() const override { return 1; }
  uint8_t encode(uint32_t data) const override {
    return static_cast<uint8_t>(__builtin_popcount(data) & 1);
  }
  ReadOutcome on_faulty_read(uint32_t data, uint8_t check, uint64_t mask, int) const override {
    const uint32_t read = data ^ static_cast<uint32_t>(mask);
    const auto read_check = static_cast<uint8_t>((check ^ (mask >> 32)) & 1);
    if (encode(read) != read_check) return {0u, encode(0), false, true};
    return {read, read_check, false, false};
  }
  // One bit over the whole word's data bits, whatever its width.
  int word_check_bits(int) const override { return 1; }
  uint16_t encode_word(const uint32_t* data, int lanes) const override {
    int ones = 0;
    for (int l = 0; l < lanes; ++l) ones += __builtin_popcount(data[l]);
    return static_cast<uint16_t>(ones & 1);
  }
  WordOutcome on_faulty_word(uint32_t* data, uint16_t& check, const uint32_t* data_masks,
                             uint16_t check_mask, int lanes, int) const override {
    for (int l = 0; l < lanes; ++l) data[l] ^= data_masks[l];
    check = static_cast<uint16_t>((check ^ check_mask) & 1);
    if (encode_word(data, lanes) == check) return {};
    for (int l = 0; l < lanes; ++l) data[l] = 0;
    check = 0;
    return {false, true};
  }
};

}  // namespace

void Mitigation::on_faulty_reads(const uint32_t* data, const uint32_t* masks, size_t count,
                                 int field_bits, ReadOutcome* out) const {
  for (size_t i = 0; i < count; ++i) out[i] = on_faulty_read(data[i], 0, masks[i], field_bits);
}

WordOutcome Mitigation::on_faulty_word(uint32_t* data, uint16_t&, const uint32_t* data_masks,
                                       uint16_t, int lanes, int field_bits) const {
  for (int l = 0; l < lanes; ++l)
    if (data_masks[l] != 0) data[l] = on_faulty_read(data[l], 0, data_masks[l], field_bits).data;
  return {};
}

namespace {

using MitigationFactory = std::function<std::unique_ptr<Mitigation>()>;

const std::map<std::string, MitigationFactory>& builtin_mitigations() {
  static const std::map<std::string, MitigationFactory> mitigations = {
      {"flip", [] { return std::make_unique<FlipMitigation>(); }},
      {"sign", [] { return std::make_unique<SignMitigation>(); }},
      {"zero", [] { return std::make_unique<ZeroMitigation>(); }},
      {"word-zero", [] { return std::make_unique<WordZeroMitigation>(); }},
      {"weight-zero", [] { return std::make_unique<WeightZeroMitigation>(); }},
      {"secded", make_secded_mitigation},
      {"parity", [] { return std::make_unique<ParityMitigation>(); }},
  };
  return mitigations;
}

}  // namespace

std::unique_ptr<Mitigation> make_mitigation(const std::string& name) {
  const auto& mitigations = builtin_mitigations();
  const auto it = mitigations.find(name);
  if (it == mitigations.end()) {
    std::string known = "one of";
    for (const auto& [key, factory] : mitigations) known += " " + key;
    throw ParameterError("mitigation '" + name + "'", known);
  }
  return it->second();
}

std::vector<std::string> mitigation_names() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : builtin_mitigations()) names.push_back(name);
  return names;
}

}  // namespace lvsim
