// The layers' arithmetic (workloads/layers.h) on inputs small enough to
// compute by hand: convolution (padding, channels last, several images),
// linear, relu and max pooling.
#include <catch2/catch.hpp>
#include <vector>

#include "workloads/layers.h"

using namespace lvsim;

namespace {

Layer conv_layer(Shape in, int out_c, int kernel, int padding) {
  Layer layer;
  layer.kind = LayerKind::kConv2d;
  layer.input = in;
  layer.kernel = kernel;
  layer.padding = padding;
  layer.output = {out_c, in.height + 2 * padding - kernel + 1, in.width + 2 * padding - kernel + 1};
  return layer;
}

}  // namespace

TEST_CASE("conv2d on a 3x3 image with a 2x2 kernel, by hand", "[layers]") {
  const Layer layer = conv_layer({1, 3, 3}, 1, 2, 0);
  const std::vector<float> image = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const std::vector<float> kernel = {1, 2, 3, 4};
  const float bias = 0.5f;
  std::vector<float> out(4), columns;
  conv2d_forward(layer, kernel.data(), &bias, image.data(), 1, out.data(), columns);
  // (0,0): 1*1 + 2*2 + 4*3 + 5*4 = 37, and so on, plus the bias.
  CHECK(out == std::vector<float>{37.5f, 47.5f, 67.5f, 77.5f});
}

TEST_CASE("conv2d zero-pads the border", "[layers]") {
  const Layer layer = conv_layer({1, 2, 2}, 1, 3, 1);
  const std::vector<float> image = {1, 2, 3, 4};
  const std::vector<float> ones(9, 1.0f);
  const float bias = 0.0f;
  std::vector<float> out(4), columns;
  conv2d_forward(layer, ones.data(), &bias, image.data(), 1, out.data(), columns);
  CHECK(out == std::vector<float>{10, 10, 10, 10});  // every 3x3 window covers the whole image
}

TEST_CASE("conv2d keeps channels last and images apart", "[layers]") {
  // Two input channels, two output channels, 1x1 kernel: a per-pixel matrix product.
  const Layer layer = conv_layer({2, 1, 2}, 2, 1, 0);
  const std::vector<float> weights = {1, 10, 100, 1000};  // [oc][ic]
  const std::vector<float> bias = {0, 1};
  // Two images, HWC: pixel (c0, c1).
  const std::vector<float> images = {1, 2, 3, 4, 5, 6, 7, 8};
  std::vector<float> out(8), columns;
  conv2d_forward(layer, weights.data(), bias.data(), images.data(), 2, out.data(), columns);
  CHECK(out == std::vector<float>{21, 2101, 43, 4301, 65, 6501, 87, 8701});
}

TEST_CASE("linear, relu and maxpool by hand", "[layers]") {
  Layer fc;
  fc.kind = LayerKind::kLinear;
  fc.input = {3, 1, 1};
  fc.output = {2, 1, 1};
  const std::vector<float> w = {1, 2, 3, 4, 5, 6}, b = {1, -1}, x = {1, 1, 1, -1, 0, 2};
  std::vector<float> y(4);
  linear_forward(fc, w.data(), b.data(), x.data(), 2, y.data());
  CHECK(y == std::vector<float>{7, 14, 6, 7});

  std::vector<float> values = {-1, 0, 2, -0.5f};
  relu_forward(values.data(), values.size());
  CHECK(values == std::vector<float>{0, 0, 2, 0});

  Layer pool;
  pool.kind = LayerKind::kMaxPool;
  pool.pool = 2;
  pool.input = {2, 2, 4};
  pool.output = {2, 1, 2};
  // HWC 2x4x2: channel 0 holds 0..7 row-major, channel 1 its negation.
  std::vector<float> in(16);
  for (int i = 0; i < 8; ++i) {
    in[2 * i] = static_cast<float>(i);
    in[2 * i + 1] = -static_cast<float>(i);
  }
  std::vector<float> out(4);
  maxpool_forward(pool, in.data(), 1, out.data());
  CHECK(out == std::vector<float>{5, 0, 7, -2});
}
