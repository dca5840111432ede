// Where each layer's parameters live in the weight memories. The same byte
// offsets are used in DRAM (the golden copy) and in the weight SRAM, so the DMA
// engine copies address for address.
#pragma once

#include <cstdint>
#include <vector>

#include "workloads/network.h"

namespace lvsim {

struct WeightRegion {
  size_t layer = 0;             // index into Network::layers
  uint64_t weight_address = 0;  // byte offset of the weights
  uint64_t weight_words = 0;
  uint64_t bias_address = 0;
  uint64_t bias_words = 0;

  uint64_t words() const { return weight_words + bias_words; }
};

struct WeightLayout {
  static constexpr uint64_t kAlignmentBytes = 64;  // one DMA beat group / cache line
  static constexpr uint64_t kWordBytes = 4;        // fp32 words

  std::vector<WeightRegion> regions;  // one per layer with parameters, in layer order
  uint64_t total_bytes = 0;

  static WeightLayout of(const Network& network);
  // The golden image of every parameter at its address (what DRAM holds).
  std::vector<uint8_t> image(const Network& network) const;
};

}  // namespace lvsim
