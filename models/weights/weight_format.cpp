#include "models/weights/weight_format.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "models/common/ceil_div.h"
#include "models/common/params.h"

namespace lvsim {
namespace {

uint32_t float_bits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

float bits_float(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

class Fp32Format : public WeightFormat {
 public:
  std::string name() const override { return "fp32"; }
  int bits() const override { return 32; }
  std::string mac_format() const override { return "fp32"; }
  uint32_t encode(float weight, float) const override { return float_bits(weight); }
  float decode(uint32_t code, float) const override { return bits_float(code); }
};

class Fp16Format : public WeightFormat {
 public:
  std::string name() const override { return "fp16"; }
  int bits() const override { return 16; }
  std::string mac_format() const override { return "fp16"; }
  uint32_t encode(float weight, float) const override { return fp32_to_fp16(weight); }
  float decode(uint32_t code, float) const override {
    return fp16_to_fp32(static_cast<uint16_t>(code));
  }
};

class Bf16Format : public WeightFormat {
 public:
  std::string name() const override { return "bf16"; }
  int bits() const override { return 16; }
  // Horowitz gives no bf16 multiplier; its 8-bit mantissa multiplier is
  // smaller than fp16's 11-bit one, so fp16 is an upper bound.
  std::string mac_format() const override { return "fp16"; }
  uint32_t encode(float weight, float) const override { return fp32_to_bf16(weight); }
  float decode(uint32_t code, float) const override { return bits_float(code << 16); }
};

class TruncFormat : public WeightFormat {
 public:
  explicit TruncFormat(int kept) : kept_(kept) {}
  std::string name() const override { return "trunc-" + std::to_string(kept_); }
  int bits() const override { return kept_; }
  // The kept bits are an fp32 word with its tail cut: an fp32 datapath.
  std::string mac_format() const override { return "fp32"; }
  uint32_t encode(float weight, float) const override {
    return static_cast<uint32_t>(float_bits(weight) >> (32 - kept_));
  }
  float decode(uint32_t code, float) const override {
    return bits_float(kept_ == 32 ? code : code << (32 - kept_));
  }

 private:
  int kept_;
};

class IntFormat : public WeightFormat {
 public:
  explicit IntFormat(int bits) : bits_(bits), max_code_((1 << (bits - 1)) - 1) {}
  std::string name() const override { return "int-" + std::to_string(bits_); }
  int bits() const override { return bits_; }
  bool integer() const override { return true; }
  std::string mac_format() const override { return bits_ <= 8 ? "int8" : "int16"; }
  // Seed 002, eq. 3.4 with alpha = max|w| (nothing clipped).
  float scale_for(const float* weights, size_t count) const override {
    float largest = 0.0f;
    for (size_t i = 0; i < count; ++i) largest = std::max(largest, std::fabs(weights[i]));
    return largest > 0.0f ? static_cast<float>(max_code_) / largest : 1.0f;
  }
  uint32_t encode(float weight, float scale) const override {
    // Round to nearest, ties to even (the default rounding mode), then clip.
    const float q = std::nearbyint(weight * scale);
    const auto clipped = static_cast<int32_t>(
        std::clamp(q, -static_cast<float>(max_code_), static_cast<float>(max_code_)));
    return static_cast<uint32_t>(clipped) & ((1u << bits_) - 1);
  }
  float decode(uint32_t code, float) const override {
    // Sign-extend the bits_-wide two's-complement code.
    const int shift = 32 - bits_;
    return static_cast<float>(static_cast<int32_t>(code << shift) >> shift);
  }

 private:
  int bits_;
  int max_code_;
};

class BinaryFormat : public WeightFormat {
 public:
  std::string name() const override { return "binary"; }
  int bits() const override { return 1; }
  // A binary weight only selects +x or -x: the MAC is an fp32 addition.
  std::string mac_format() const override { return "binary"; }
  float scale_for(const float* weights, size_t count) const override {
    double sum = 0.0;
    for (size_t i = 0; i < count; ++i) sum += std::fabs(weights[i]);
    return count ? static_cast<float>(sum / static_cast<double>(count)) : 1.0f;
  }
  uint32_t encode(float weight, float) const override { return std::signbit(weight) ? 1u : 0u; }
  float decode(uint32_t code, float scale) const override { return (code & 1u) ? -scale : scale; }
};

int parse_width(const std::string& name, size_t prefix, int low, int high) {
  const std::string digits = name.substr(prefix);
  const std::string expected = name.substr(0, prefix) + "K with K from " + std::to_string(low) +
                               " to " + std::to_string(high);
  if (digits.empty() || digits.size() > 2 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    throw ParameterError("weight format '" + name + "'", expected);
  const int width = std::stoi(digits);
  if (width < low || width > high) throw ParameterError("weight format '" + name + "'", expected);
  return width;
}

}  // namespace

float WeightFormat::scale_for(const float*, size_t) const { return 1.0f; }

float WeightFormat::value(uint32_t code, float scale) const {
  const float decoded = decode(code, scale);
  return integer() ? decoded / scale : decoded;
}

std::unique_ptr<WeightFormat> make_weight_format(const std::string& name) {
  if (name == "fp32") return std::make_unique<Fp32Format>();
  if (name == "fp16") return std::make_unique<Fp16Format>();
  if (name == "bf16") return std::make_unique<Bf16Format>();
  if (name == "binary") return std::make_unique<BinaryFormat>();
  if (name.rfind("trunc-", 0) == 0)
    return std::make_unique<TruncFormat>(parse_width(name, 6, 1, 32));
  if (name.rfind("int-", 0) == 0) return std::make_unique<IntFormat>(parse_width(name, 4, 2, 16));
  throw ParameterError("weight format '" + name + "'",
                       "fp32, fp16, bf16, trunc-K, int-K or binary");
}

uint64_t packed_words(const WeightFormat& format, uint64_t count) {
  const auto per_word = static_cast<uint64_t>(format.per_word());
  return ceil_div(count, per_word);
}

std::vector<uint32_t> pack_weights(const WeightFormat& format, const float* weights, size_t count,
                                   float scale) {
  std::vector<uint32_t> words(packed_words(format, count), 0);
  const size_t per_word = static_cast<size_t>(format.per_word());
  const int bits = format.bits();
  for (size_t i = 0; i < count; ++i)
    words[i / per_word] |= format.encode(weights[i], scale)
                           << (bits * static_cast<int>(i % per_word));
  return words;
}

uint32_t field_code(const WeightFormat& format, uint32_t word, size_t index) {
  const int bits = format.bits();
  if (bits == 32) return word;
  const int shift = bits * static_cast<int>(index % static_cast<size_t>(format.per_word()));
  return (word >> shift) & ((1u << bits) - 1);
}

void unpack_weights(const WeightFormat& format, const uint32_t* words, size_t count, float scale,
                    float* out) {
  const size_t per_word = static_cast<size_t>(format.per_word());
  for (size_t i = 0; i < count; ++i)
    out[i] = format.decode(field_code(format, words[i / per_word], i), scale);
}

uint16_t fp32_to_fp16(float value) {
  const uint32_t x = float_bits(value);
  const auto sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t exponent = (x >> 23) & 0xFFu, mantissa = x & 0x7FFFFFu;
  if (exponent == 0xFF)  // infinity stays infinity, NaN stays a (quiet) NaN
    return static_cast<uint16_t>(sign | 0x7C00u | (mantissa ? 0x200u | (mantissa >> 13) : 0u));
  const int e = static_cast<int>(exponent) - 127 + 15;  // the binary16 biased exponent
  if (e >= 31) return static_cast<uint16_t>(sign | 0x7C00u);
  if (e <= 0) {  // a binary16 subnormal, or zero
    if (e < -10) return sign;
    const uint32_t full = mantissa | 0x800000u;
    const int shift = 14 - e;
    uint32_t m = full >> shift;
    const uint32_t rest = full & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rest > half || (rest == half && (m & 1u))) ++m;  // may carry into the exponent: right
    return static_cast<uint16_t>(sign | m);
  }
  uint32_t h = (static_cast<uint32_t>(e) << 10) | (mantissa >> 13);
  const uint32_t rest = mantissa & 0x1FFFu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;  // may round up to infinity: right
  return static_cast<uint16_t>(sign | h);
}

float fp16_to_fp32(uint16_t half) {
  const uint32_t sign = static_cast<uint32_t>(half & 0x8000u) << 16;
  const uint32_t exponent = (half >> 10) & 0x1Fu, mantissa = half & 0x3FFu;
  if (exponent == 0x1F) return bits_float(sign | 0x7F800000u | (mantissa << 13));
  if (exponent == 0) {  // zero or subnormal: mantissa * 2^-24, exact in fp32
    const float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  return bits_float(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
}

uint16_t fp32_to_bf16(float value) {
  const uint32_t x = float_bits(value);
  if ((x & 0x7F800000u) == 0x7F800000u && (x & 0x7FFFFFu))
    return static_cast<uint16_t>((x >> 16) | 0x40u);  // NaN stays a (quiet) NaN
  const uint32_t rounded = x + 0x7FFFu + ((x >> 16) & 1u);
  return static_cast<uint16_t>(rounded >> 16);
}

}  // namespace lvsim
