#include "models/weights/weight_layout.h"

#include <cmath>
#include <cstring>
#include <functional>

#include "models/array/host/forward_batch.h"
#include "models/common/ceil_div.h"
#include "workloads/common/error.h"

namespace lvsim {
WeightLayout WeightLayout::of(const Network& network, std::shared_ptr<const WeightFormat> format,
                              const std::vector<float>& input_scales) {
  WeightLayout layout;
  layout.format = std::move(format);
  const bool integer = layout.format->integer();
  uint64_t address = 0, slot = 0;
  size_t parametric = 0;
  for (size_t i = 0; i < network.layers.size(); ++i) {
    const Layer& layer = network.layers[i];
    if (!layer.has_parameters()) continue;
    WeightRegion region;
    region.layer = i;
    region.weight_scale = layout.format->scale_for(layer.weights.data(), layer.weights.size());
    if (integer) {
      if (parametric >= input_scales.size() || !(input_scales[parametric] > 0.0f))
        throw Error("weight format " + layout.format->name() +
                    ": integer MACs need an activation scale for layer " + layer.name +
                    " (calibrate_input_scales)");
      region.input_scale = input_scales[parametric];
    }
    ++parametric;
    region.weight_address = address;
    region.weight_count = layer.weights.size();
    region.weight_words = packed_words(*layout.format, region.weight_count);
    address = round_up(address + region.weight_words * kWordBytes, kAlignmentBytes);
    region.bias_address = address;
    region.bias_words = layer.bias.size();
    address = round_up(address + region.bias_words * kWordBytes, kAlignmentBytes);
    region.end_address = address;
    region.weight_slot = slot;
    region.bias_slot = slot + region.weight_count;
    slot += region.weight_count + region.bias_words;
    layout.regions.push_back(region);
  }
  layout.total_bytes = address;
  layout.parameter_slots = slot;
  return layout;
}

std::vector<uint8_t> WeightLayout::image(const Network& network) const {
  std::vector<uint8_t> bytes(total_bytes, 0);
  for (const WeightRegion& region : regions) {
    const Layer& layer = network.layers[region.layer];
    const std::vector<uint32_t> words =
        pack_weights(*format, layer.weights.data(), layer.weights.size(), region.weight_scale);
    std::memcpy(bytes.data() + region.weight_address, words.data(), words.size() * kWordBytes);
    std::vector<uint32_t> bias(region.bias_words);
    for (size_t i = 0; i < bias.size(); ++i) {
      if (region.integer()) {
        // int32 in the accumulator's units 1 / (s_w * s_x).
        const double q = std::nearbyint(static_cast<double>(layer.bias[i]) * region.weight_scale *
                                        region.input_scale);
        bias[i] = static_cast<uint32_t>(static_cast<int32_t>(
            std::clamp(q, static_cast<double>(INT32_MIN), static_cast<double>(INT32_MAX))));
      } else {
        std::memcpy(&bias[i], &layer.bias[i], sizeof(float));
      }
    }
    std::memcpy(bytes.data() + region.bias_address, bias.data(), bias.size() * kWordBytes);
  }
  return bytes;
}

void WeightLayout::decode(const WeightRegion& region, const uint32_t* words, float* slots) const {
  unpack_weights(*format, words + region.weight_address / kWordBytes, region.weight_count,
                 region.weight_scale, slots + region.weight_slot);
  const uint64_t bias_first = region.bias_address / kWordBytes;
  for (uint64_t w = 0; w < region.bias_words; ++w)
    decode_word(region, bias_first + w, words[bias_first + w],
                [&](uint64_t slot, float value) { slots[slot] = value; });
}

std::vector<float> calibrate_input_scales(const Network& network, const float* inputs, int images) {
  std::vector<float> largest(network.layers.size(), 0.0f);
  const std::function<void(size_t, const float*)> observe = [&](size_t i, const float* x) {
    const size_t size = network.layers[i].input.size() * static_cast<size_t>(images);
    for (size_t j = 0; j < size; ++j) largest[i] = std::max(largest[i], std::fabs(x[j]));
  };
  ForwardBuffers buffers;
  forward_batch(network, own_parameters(network), inputs, images, buffers, 1, nullptr, nullptr,
                &observe);
  std::vector<float> scales;
  for (size_t i = 0; i < network.layers.size(); ++i)
    if (network.layers[i].has_parameters())
      scales.push_back(largest[i] > 0.0f ? 127.0f / largest[i] : 1.0f);
  return scales;
}

}  // namespace lvsim
