// The weights' layout in the SRAM (models/weights/weight_layout.h): an int-K
// layer's codes packed, calibrated and decoded, and the integer inference they
// give equal to an independent integer computation.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "models/array/host/forward_batch.h"
#include "models/weights/weight_format.h"
#include "models/weights/weight_layout.h"
#include "workloads/network.h"

using namespace lvsim;

TEST_CASE("int-K inference on a small layer equals an independent integer computation",
          "[format][layers]") {
  // A fully-connected layer 6 -> 3 in int-5 with int8 activations.
  Network net;
  net.input = {6, 1, 1};
  Layer fc;
  fc.kind = LayerKind::kLinear;
  fc.name = "fc";
  fc.input = {6, 1, 1};
  fc.output = {3, 1, 1};
  fc.weights = {0.30f, -0.12f, 0.05f, 0.27f, -0.31f, 0.08f, -0.22f, 0.19f, 0.11f,
                0.02f, -0.07f, 0.29f, 0.14f, -0.26f, 0.21f, -0.18f, 0.09f, -0.03f};
  fc.bias = {0.05f, -0.11f, 0.2f};
  net.layers.push_back(fc);
  const std::vector<float> x = {0.9f, -0.4f, 0.0f,  1.3f, 0.25f, -1.1f,
                                0.5f, 0.1f,  -0.7f, 0.2f, 0.05f, 0.8f};  // two inputs
  const std::vector<float> scales = calibrate_input_scales(net, x.data(), 2);
  REQUIRE(scales.size() == 1);
  CHECK(scales[0] == Approx(127.0 / 1.3));
  const WeightLayout layout = WeightLayout::of(
      net, std::shared_ptr<const WeightFormat>(make_weight_format("int-5")), scales);
  const WeightRegion& region = layout.regions.at(0);
  CHECK(region.weight_words == 3);  // six 5-bit codes per word
  const std::vector<uint8_t> image = layout.image(net);
  std::vector<uint32_t> words(image.size() / 4);
  std::memcpy(words.data(), image.data(), image.size());
  std::vector<float> slots(layout.parameter_slots);
  layout.decode(region, words.data(), slots.data());

  // The integer computation, by hand: codes, int8 inputs, int64 sums, int32 bias.
  const float sw = region.weight_scale, sx = scales[0];
  CHECK(sw == Approx(15.0 / 0.31));
  std::vector<float> expected;
  for (int image_index = 0; image_index < 2; ++image_index)
    for (int o = 0; o < 3; ++o) {
      int64_t sum = std::llrint(static_cast<double>(fc.bias[o]) * sw * sx);
      for (int i = 0; i < 6; ++i) {
        const int64_t qw = std::lrint(fc.weights[o * 6 + i] * sw);
        const int64_t qx = std::clamp<int64_t>(std::lrint(x[image_index * 6 + i] * sx), -127, 127);
        CHECK(slots[region.weight_slot + o * 6 + i] == static_cast<float>(qw));
        sum += qw * qx;
      }
      expected.push_back(static_cast<float>(sum) *
                         (1.0f / (region.weight_scale * region.input_scale)));
    }
  LayerParameters p{slots.data() + region.weight_slot, slots.data() + region.bias_slot,
                    region.input_scale, 1.0f / (region.weight_scale * region.input_scale)};
  ForwardBuffers buffers;
  const float* out = forward_batch(net, {p}, x.data(), 2, buffers);
  for (int i = 0; i < 6; ++i) CHECK(out[i] == expected[static_cast<size_t>(i)]);
}
