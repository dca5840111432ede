#include "models/weight_layout.h"

#include <cstring>

namespace lvsim {
namespace {

uint64_t align_up(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

}  // namespace

WeightLayout WeightLayout::of(const Network& network) {
  WeightLayout layout;
  uint64_t address = 0;
  for (size_t i = 0; i < network.layers.size(); ++i) {
    const Layer& layer = network.layers[i];
    if (!layer.has_parameters()) continue;
    WeightRegion region;
    region.layer = i;
    region.weight_address = address;
    region.weight_words = layer.weights.size();
    address = align_up(address + region.weight_words * kWordBytes, kAlignmentBytes);
    region.bias_address = address;
    region.bias_words = layer.bias.size();
    address = align_up(address + region.bias_words * kWordBytes, kAlignmentBytes);
    layout.regions.push_back(region);
  }
  layout.total_bytes = address;
  return layout;
}

std::vector<uint8_t> WeightLayout::image(const Network& network) const {
  std::vector<uint8_t> bytes(total_bytes, 0);
  for (const WeightRegion& region : regions) {
    const Layer& layer = network.layers[region.layer];
    std::memcpy(bytes.data() + region.weight_address, layer.weights.data(),
                region.weight_words * kWordBytes);
    std::memcpy(bytes.data() + region.bias_address, layer.bias.data(),
                region.bias_words * kWordBytes);
  }
  return bytes;
}

}  // namespace lvsim
