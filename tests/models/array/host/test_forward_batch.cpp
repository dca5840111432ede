// The host's forward pass of a batch (models/array/host/forward_batch.h): a
// loaded network's logits, image by image, equal an independent CHW
// implementation of it.
#include <catch2/catch.hpp>
#include <random>
#include <vector>

#include "models/array/host/forward_batch.h"
#include "tests/support/helpers.h"
#include "tests/support/tiny_networks.h"
#include "workloads/network.h"

using namespace lvsim;
using namespace lvsim::test;

TEST_CASE("a loaded network computes what an independent CHW implementation does",
          "[layers][network]") {
  test::ScratchDir dir;
  const TinyNet tiny(7);
  test::write_bytes(dir.file("tiny.safetensors"), tiny.file(kTinyLayers));
  const Network net = Network::load(dir.file("tiny.safetensors"));
  REQUIRE(net.layers.size() == 6);
  CHECK(net.classes() == 4);
  CHECK(net.macs_per_image() == 3 * 18 * 16 + 4 * 12);

  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  const int images = 3;
  std::vector<float> chw(32 * images), hwc(32 * images);
  for (float& v : chw) v = u(rng);
  for (int n = 0; n < images; ++n)
    for (int c = 0; c < 2; ++c)
      for (int p = 0; p < 16; ++p) hwc[n * 32 + p * 2 + c] = chw[n * 32 + c * 16 + p];

  ForwardBuffers buffers;
  const float* logits = forward_batch(net, own_parameters(net), hwc.data(), images, buffers);
  for (int n = 0; n < images; ++n) {
    const std::vector<float> expected =
        tiny.forward_chw({chw.begin() + n * 32, chw.begin() + (n + 1) * 32});
    for (int j = 0; j < 4; ++j)
      CHECK(logits[n * 4 + j] == Approx(expected[j]).epsilon(1e-5).margin(1e-5));
  }
}
