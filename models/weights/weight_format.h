// How weights are stored in the weight SRAM's 32-bit words, and what the MAC
// array makes of the stored bits. Faults act on the stored encoding: a flipped
// bit of an int8 code and a flipped exponent bit of an fp32 word mean very
// different things, and that difference is what the formats are for.
//
//   fp32      IEEE binary32, the trained weights as they are
//   fp16      IEEE binary16, rounded to nearest even (overflow to infinity)
//   bf16      the top 16 bits of fp32, rounded to nearest even
//   trunc-K   the K most significant bits of fp32 kept, the rest cut to zero
//             (seed 000's binRep(num, K); seed 004's shift right then left),
//             K = 1..32
//   int-K     symmetric K-bit integers (seed 002, eq. 3.4): q = round(s * w) in
//             [-(2^(K-1) - 1), 2^(K-1) - 1], s = (2^(K-1) - 1) / max|w| per
//             layer, two's complement; the MAC array multiplies the integers,
//             K = 2..16
//   binary    one bit per weight, sign times a per-layer scale alpha = mean|w|
//             (XNOR-Net, Rastegari et al., ECCV 2016); bit 1 means negative
//
// Packing: floor(32 / K) weights per word, weight i in word i / per_word at
// bits [j*K, (j+1)*K) with j = i % per_word; a field never straddles two words
// (the leftover 32 mod K bits of a word are unused). Each field's top bit is
// its sign bit, which the `sign` mitigation reads.
//
// Biases are few (1,106 of seed 004's 3.27 M parameters) and stay 32-bit words:
// fp32 for the float formats, and for int-K int32 in the accumulator's units
// (1 / (s_w * s_x)), the usual integer-inference convention.
//
// Adding a format: a WeightFormat subclass and one entry in make_weight_format().
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lvsim {

class WeightFormat {
 public:
  virtual ~WeightFormat() = default;
  virtual std::string name() const = 0;
  virtual int bits() const = 0;  // stored bits per weight
  int per_word() const { return 32 / bits(); }
  // Whether the MAC array computes with integers (int-K: decode gives the
  // integer code, the layer's output is rescaled once by 1 / (s_w * s_x)).
  virtual bool integer() const { return false; }
  // The arithmetic of a MAC with these weights, for the energy model
  // (models/energy.h): fp32, fp16, int8 or int16.
  virtual std::string mac_format() const = 0;
  // The per-layer scale for these weights (1 where the format has none).
  virtual float scale_for(const float* weights, size_t count) const;
  // One weight to its bits()-wide code, and a code to the value the MAC uses.
  virtual uint32_t encode(float weight, float scale) const = 0;
  virtual float decode(uint32_t code, float scale) const = 0;
  // The real-valued weight a code stands for (decode, then undo the scale of
  // an integer format).
  float value(uint32_t code, float scale) const;
};

// "fp32", "fp16", "bf16", "trunc-K", "int-K" or "binary"; throws lvsim::Error
// naming weights.format otherwise.
std::unique_ptr<WeightFormat> make_weight_format(const std::string& name);

// Words needed for `count` weights, and packing of a whole tensor.
uint64_t packed_words(const WeightFormat& format, uint64_t count);
std::vector<uint32_t> pack_weights(const WeightFormat& format, const float* weights, size_t count,
                                   float scale);
// Code of weight `index` within its word.
uint32_t field_code(const WeightFormat& format, uint32_t word, size_t index);
// Decodes `count` weights from packed words (decode(), so integer codes for int-K).
void unpack_weights(const WeightFormat& format, const uint32_t* words, size_t count, float scale,
                    float* out);

// Conversions, exposed for tests.
uint16_t fp32_to_fp16(float value);
float fp16_to_fp32(uint16_t half);
uint16_t fp32_to_bf16(float value);

}  // namespace lvsim
