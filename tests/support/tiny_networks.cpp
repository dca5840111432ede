#include "tests/support/tiny_networks.h"

#include <algorithm>
#include <random>

#include "tests/support/helpers.h"

namespace lvsim::test {

Network tiny_network(uint32_t seed, bool depthwise) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> weight(0.0f, 0.4f);
  Network net;
  net.input = {2, 4, 4};
  Layer conv;
  conv.kind = LayerKind::kConv2d;
  conv.name = "c";
  conv.input = net.input;
  conv.kernel = 3;
  conv.padding = 1;
  const int channels = depthwise ? 2 : 3;
  conv.output = {channels, 4, 4};
  conv.groups = depthwise ? 2 : 1;
  conv.weights.resize(static_cast<size_t>(channels) * 3 * 3 * (depthwise ? 1 : 2));
  conv.bias.resize(static_cast<size_t>(channels));
  Layer relu;
  relu.kind = LayerKind::kRelu;
  relu.input = relu.output = conv.output;
  Layer pool;
  pool.kind = LayerKind::kMaxPool;
  pool.pool = 2;
  pool.input = conv.output;
  pool.output = {channels, 2, 2};
  Layer flatten;
  flatten.kind = LayerKind::kFlatten;
  flatten.input = pool.output;
  flatten.output = {channels * 4, 1, 1};
  Layer fc;
  fc.kind = LayerKind::kLinear;
  fc.name = "f";
  fc.input = flatten.output;
  fc.output = {4, 1, 1};
  fc.weights.resize(4 * static_cast<size_t>(channels) * 4);
  fc.bias.resize(4);
  for (Layer* layer : {&conv, &fc}) {
    for (float& w : layer->weights) w = weight(rng);
    for (float& b : layer->bias) b = weight(rng);
  }
  net.layers = {conv, relu, pool, flatten, fc};
  return net;
}

TinyNet::TinyNet(unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (auto* v : {&conv_w, &conv_b, &fc_w, &fc_b}) v->clear();
  for (int i = 0; i < 54; ++i) conv_w.push_back(u(rng));
  for (int i = 0; i < 3; ++i) conv_b.push_back(u(rng));
  for (int i = 0; i < 48; ++i) fc_w.push_back(u(rng));
  for (int i = 0; i < 4; ++i) fc_b.push_back(u(rng));
}

std::vector<float> TinyNet::forward_chw(const std::vector<float>& x) const {
  float conv[3][4][4];
  for (int o = 0; o < 3; ++o)
    for (int y = 0; y < 4; ++y)
      for (int xx = 0; xx < 4; ++xx) {
        double sum = conv_b[o];
        for (int c = 0; c < 2; ++c)
          for (int ky = 0; ky < 3; ++ky)
            for (int kx = 0; kx < 3; ++kx) {
              const int iy = y + ky - 1, ix = xx + kx - 1;
              if (iy < 0 || iy >= 4 || ix < 0 || ix >= 4) continue;
              sum += conv_w[((o * 2 + c) * 3 + ky) * 3 + kx] * x[(c * 4 + iy) * 4 + ix];
            }
        conv[o][y][xx] = std::max(0.0f, static_cast<float>(sum));
      }
  std::vector<float> flat;  // PyTorch flatten: c, h, w
  for (int o = 0; o < 3; ++o)
    for (int y = 0; y < 2; ++y)
      for (int xx = 0; xx < 2; ++xx)
        flat.push_back(std::max({conv[o][2 * y][2 * xx], conv[o][2 * y][2 * xx + 1],
                                 conv[o][2 * y + 1][2 * xx], conv[o][2 * y + 1][2 * xx + 1]}));
  std::vector<float> logits(4);
  for (int j = 0; j < 4; ++j) {
    double sum = fc_b[j];
    for (int i = 0; i < 12; ++i) sum += fc_w[j * 12 + i] * flat[i];
    logits[j] = static_cast<float>(sum);
  }
  return logits;
}

std::vector<uint8_t> TinyNet::file(const std::string& layers_json) const {
  return safetensors_bytes(
      {{"c.weight", {{3, 2, 3, 3}, conv_w}},
       {"c.bias", {{3}, conv_b}},
       {"f.weight", {{4, 12}, fc_w}},
       {"f.bias", {{4}, fc_b}}},
      {{"input_shape", "[2,4,4]"}, {"input_scale", "1.0"}, {"layers", layers_json}});
}

}  // namespace lvsim::test
