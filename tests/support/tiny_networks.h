// Tiny networks the tests compute by hand or against an independent
// implementation: one built in code (conv, relu, maxpool, flatten, linear on
// 2x4x4 inputs), and one as a safetensors file in PyTorch's layouts with a
// CHW implementation of its own.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "workloads/network.h"

namespace lvsim::test {

// conv 2->3 (3x3, pad 1) + relu + maxpool 2 + flatten + linear 12->4 on 4x4
// inputs; `depthwise`: the conv 2->2 depthwise (computed directly, its
// corrections read the input), linear 8->4.
Network tiny_network(uint32_t seed, bool depthwise = false);

// A small CNN in PyTorch layouts, and an independent CHW implementation of it.
struct TinyNet {
  std::vector<float> conv_w, conv_b, fc_w, fc_b;  // [3][2][3][3], [3], [4][12], [4]

  explicit TinyNet(unsigned seed);
  // Input CHW [2][4][4] -> logits [4].
  std::vector<float> forward_chw(const std::vector<float>& x) const;
  // The safetensors file of the network with the topology `layers_json`.
  std::vector<uint8_t> file(const std::string& layers_json) const;
};

// TinyNet's topology: conv 2->3 (3x3, pad 1), relu, maxpool 2, flatten, dropout, linear 12->4.
inline const char* const kTinyLayers =
    R"([{"type":"conv2d","name":"c","in":2,"out":3,"kernel":3,"padding":1},{"type":"relu"},)"
    R"({"type":"maxpool","size":2},{"type":"flatten"},{"type":"dropout"},)"
    R"({"type":"linear","name":"f","in":12,"out":4}])";

}  // namespace lvsim::test
