// Where each layer's parameters live in the weight memories, in the weight
// format's encoding (models/weights/weight_format.h). The same byte offsets are used in
// DRAM (the golden copy) and in the weight SRAM, so the DMA engine copies
// address for address; a narrower format packs more weights per word, so the
// image, every refresh and every batch's reads of the weights move fewer words.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "models/weight_sram/sram_word.h"
#include "models/weights/weight_format.h"
#include "workloads/network.h"

namespace lvsim {

struct WeightRegion {
  size_t layer = 0;             // index into Network::layers
  uint64_t weight_address = 0;  // byte offset of the packed weights
  uint64_t weight_count = 0;    // weights
  uint64_t weight_words = 0;    // 32-bit words holding them
  uint64_t bias_address = 0;    // byte offset of the biases, one 32-bit word each
  uint64_t bias_words = 0;
  uint64_t end_address = 0;  // one past the region, alignment included
  // Where the decoded parameters sit in the MAC array's working copy: weights
  // at [weight_slot, weight_slot + weight_count), biases after them.
  uint64_t weight_slot = 0;
  uint64_t bias_slot = 0;
  float weight_scale = 1.0f;  // the format's per-layer scale (int-K: s_w, binary: alpha)
  float input_scale = 0.0f;   // int-K: s_x of the int8 activations; 0: float arithmetic

  uint64_t words() const { return weight_words + bias_words; }
  bool integer() const { return input_scale > 0.0f; }
};

struct WeightLayout {
  static constexpr uint64_t kAlignmentBytes = 64;  // one DMA beat group / cache line

  std::shared_ptr<const WeightFormat> format;
  std::vector<WeightRegion> regions;  // one per layer with parameters, in layer order
  uint64_t total_bytes = 0;
  uint64_t parameter_slots = 0;  // decoded parameters, all layers

  // `input_scales`: for an integer format, s_x per layer with parameters (in
  // layer order), from calibrate_input_scales(); ignored otherwise.
  static WeightLayout of(const Network& network, std::shared_ptr<const WeightFormat> format,
                         const std::vector<float>& input_scales = {});
  static WeightLayout of(const Network& network) { return of(network, make_weight_format("fp32")); }
  // The golden image of every parameter at its address (what DRAM holds).
  std::vector<uint8_t> image(const Network& network) const;
  // Decodes one region's words (the whole image's, word-indexed) into its slots.
  void decode(const WeightRegion& region, const uint32_t* words, float* slots) const;
  // The decoded value of parameter word `word` of `region` (a bias word), or of
  // the weights packed in it: calls visit(slot, value) for each.
  template <typename Visit>
  void decode_word(const WeightRegion& region, uint64_t word, uint32_t value, Visit visit) const;
};

// The int8 activation scale s_x = 127 / max|x| at the input of each layer with
// parameters, measured with the float network over `images` HWC inputs.
std::vector<float> calibrate_input_scales(const Network& network, const float* inputs, int images);

template <typename Visit>
void WeightLayout::decode_word(const WeightRegion& region, uint64_t word, uint32_t value,
                               Visit visit) const {
  const uint64_t bias_first = region.bias_address / kWordBytes;
  if (word >= bias_first) {
    float decoded;
    if (region.integer()) {
      decoded = static_cast<float>(static_cast<int32_t>(value));
    } else {
      static_assert(sizeof decoded == sizeof value);
      __builtin_memcpy(&decoded, &value, sizeof decoded);
    }
    visit(region.bias_slot + (word - bias_first), decoded);
    return;
  }
  const uint64_t per_word = static_cast<uint64_t>(format->per_word());
  const uint64_t first = (word - region.weight_address / kWordBytes) * per_word;
  for (uint64_t i = first; i < std::min(first + per_word, region.weight_count); ++i)
    visit(region.weight_slot + i,
          format->decode(field_code(*format, value, i), region.weight_scale));
}

}  // namespace lvsim
