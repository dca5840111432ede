// Per-image corrections of a layer's forward call
// (models/array/host/layer_patch.h): patched parameters, in both forms of the
// fully-connected corrections and across the chunks of an epoch, give each
// image exactly the weights it read, as computing it alone does.
#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>
#include <random>
#include <utility>
#include <vector>

#include "models/array/host/forward_batch.h"
#include "models/array/host/layer_patch.h"
#include "tests/support/helpers.h"
#include "tests/support/tiny_networks.h"
#include "workloads/network.h"

using namespace lvsim;
using namespace lvsim::test;

TEST_CASE("patched parameters give each image exactly the weights it read", "[layers][network]") {
  test::ScratchDir dir;
  const TinyNet tiny(5);
  test::write_bytes(dir.file("tiny.safetensors"), tiny.file(kTinyLayers));
  const Network net = Network::load(dir.file("tiny.safetensors"));
  const size_t conv = 0, fc = 5;
  // The fully-connected corrections come in two forms: over a forward call
  // with the patched parameters zeroed, or over one with their epoch-start
  // values (delta form, entries active from their first change).
  const bool delta = GENERATE(false, true);
  INFO((delta ? "delta form" : "zero form"));

  // conv weight 5 and bias 1 change at images 1 and 2; fc weight 7 and bias 3 at image 0 and 2.
  auto conv_entries = std::make_shared<PatchEntries>();
  conv_entries->weight_count = net.layers[conv].weights.size();
  conv_entries->index = {5, static_cast<uint32_t>(conv_entries->weight_count + 1)};
  LayerPatch conv_patch;
  conv_patch.entries = conv_entries;
  conv_patch.start_values = {net.layers[conv].weights[5], net.layers[conv].bias[1]};
  conv_patch.changes = {{1, 0, 3.5f}, {2, 1, -2.0f}};
  auto fc_entries = std::make_shared<PatchEntries>();
  fc_entries->weight_count = net.layers[fc].weights.size();
  fc_entries->index = {7, static_cast<uint32_t>(fc_entries->weight_count + 3)};
  prepare_linear_patch(net.layers[fc], *fc_entries);
  if (delta) {
    fc_entries->base_values = {net.layers[fc].weights[7], net.layers[fc].bias[3]};
    fc_entries->first_image = {0, 2};
  }
  LayerPatch fc_patch;
  fc_patch.entries = fc_entries;
  fc_patch.start_values = {net.layers[fc].weights[7], net.layers[fc].bias[3]};
  fc_patch.changes = {{0, 0, 100.0f}, {2, 1, 0.25f}, {2, 0, -1.0f}};

  // What the forward call is given: the convolution takes the patch's values
  // over whatever it finds; the fully-connected layer expects zeros, or the
  // base values in delta form.
  Network given = net;
  given.layers[conv].weights[5] = 42.0f;
  given.layers[conv].bias[1] = -42.0f;
  if (!delta) {
    given.layers[fc].weights[7] = 0;
    given.layers[fc].bias[3] = 0;
  }

  std::mt19937 rng(9);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  const int images = 3;
  std::vector<float> inputs(32 * images);
  for (float& v : inputs) v = u(rng);

  const std::vector<LayerPatch> conv_chunks = {conv_patch}, fc_chunks = {fc_patch};
  std::vector<const std::vector<LayerPatch>*> patches(net.layers.size(), nullptr);
  patches[conv] = &conv_chunks;
  patches[fc] = &fc_chunks;
  ForwardBuffers buffers;
  const float* patched =
      forward_batch(given, own_parameters(given), inputs.data(), images, buffers, 2, &patches);
  std::vector<float> got(patched, patched + 4 * images);

  // Each image alone, with its weights written into a copy of the network.
  const float conv_w5[] = {net.layers[conv].weights[5], 3.5f, 3.5f};
  const float conv_b1[] = {net.layers[conv].bias[1], net.layers[conv].bias[1], -2.0f};
  const float fc_w7[] = {100.0f, 100.0f, -1.0f};
  const float fc_b3[] = {net.layers[fc].bias[3], net.layers[fc].bias[3], 0.25f};
  for (int n = 0; n < images; ++n) {
    Network own = net;
    own.layers[conv].weights[5] = conv_w5[n];
    own.layers[conv].bias[1] = conv_b1[n];
    own.layers[fc].weights[7] = fc_w7[n];
    own.layers[fc].bias[3] = fc_b3[n];
    ForwardBuffers single;
    const float* expected =
        forward_batch(own, own_parameters(own), inputs.data() + 32 * n, 1, single);
    for (int j = 0; j < 4; ++j)
      CHECK(got[n * 4 + j] == Approx(expected[j]).epsilon(1e-5).margin(1e-5));
  }
}

TEST_CASE("later chunks of an epoch start from the values earlier changes left",
          "[layers][network]") {
  // Two chunks (8 + 4 images), patches built as the MAC array builds an
  // epoch's: entries in order of first change, each chunk starting from the
  // values the changes before it left; the fully-connected layer in delta
  // form over its epoch-start values.
  test::ScratchDir dir;
  const TinyNet tiny(11);
  test::write_bytes(dir.file("tiny.safetensors"), tiny.file(kTinyLayers));
  const Network net = Network::load(dir.file("tiny.safetensors"));
  const size_t conv = 0, fc = 5;
  struct Change {
    uint32_t image;
    uint32_t index;  // < weight count: a weight, else a bias
    float value;
  };
  const uint32_t conv_bias = static_cast<uint32_t>(net.layers[conv].weights.size());
  const uint32_t fc_bias = static_cast<uint32_t>(net.layers[fc].weights.size());
  const std::vector<Change> conv_changes = {
      {3, 5, 3.5f}, {4, conv_bias + 1, -2.0f}, {9, 5, -0.5f}, {10, 17, 2.0f}};
  const std::vector<Change> fc_changes = {
      {2, 7, 100.0f}, {5, 11, -3.0f}, {9, fc_bias + 3, 0.25f}, {10, 11, 4.0f}, {11, 7, 0.0f}};
  const int images = 12;

  auto original = [&](size_t layer, uint32_t index) {
    const Layer& l = net.layers[layer];
    return index < l.weights.size() ? l.weights[index] : l.bias[index - l.weights.size()];
  };
  auto build = [&](size_t layer, const std::vector<Change>& changes, bool delta) {
    auto entries = std::make_shared<PatchEntries>();
    entries->weight_count = net.layers[layer].weights.size();
    std::vector<uint32_t> entry_of;  // per change
    for (const Change& c : changes) {
      auto at = std::find(entries->index.begin(), entries->index.end(), c.index);
      if (at == entries->index.end()) {
        entries->index.push_back(c.index);
        entries->first_image.push_back(c.image);
        entries->base_values.push_back(original(layer, c.index));
        at = entries->index.end() - 1;
      }
      entry_of.push_back(static_cast<uint32_t>(at - entries->index.begin()));
    }
    std::vector<float> values = entries->base_values;
    if (!delta) {
      entries->base_values.clear();
      entries->first_image.clear();
    } else {
      prepare_linear_patch(net.layers[layer], *entries);
    }
    std::vector<LayerPatch> chunks;
    size_t next = 0;
    for (uint32_t first = 0; first < static_cast<uint32_t>(images); first += 8) {
      LayerPatch patch;
      patch.entries = entries;
      patch.first_image = first;
      size_t used = values.size();
      if (delta)
        used = static_cast<size_t>(
            std::upper_bound(entries->first_image.begin(), entries->first_image.end(), first + 7) -
            entries->first_image.begin());
      patch.start_values.assign(values.begin(), values.begin() + static_cast<long>(used));
      for (; next < changes.size() && changes[next].image < first + 8; ++next) {
        values[entry_of[next]] = changes[next].value;
        patch.changes.push_back({changes[next].image - first, entry_of[next], changes[next].value});
      }
      chunks.push_back(patch);
    }
    return chunks;
  };
  const std::vector<LayerPatch> conv_chunks = build(conv, conv_changes, false);
  const std::vector<LayerPatch> fc_chunks = build(fc, fc_changes, true);
  std::vector<const std::vector<LayerPatch>*> patches(net.layers.size(), nullptr);
  patches[conv] = &conv_chunks;
  patches[fc] = &fc_chunks;

  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::vector<float> inputs(32 * images);
  for (float& v : inputs) v = u(rng);
  const int threads = GENERATE(1, 2);
  INFO(threads << " thread(s)");
  ForwardBuffers buffers;
  const float* patched =
      forward_batch(net, own_parameters(net), inputs.data(), images, buffers, threads, &patches);
  const std::vector<float> got(patched, patched + 4 * images);

  for (int n = 0; n < images; ++n) {
    Network own = net;
    for (const auto& [layer, changes] :
         {std::pair{conv, &conv_changes}, std::pair{fc, &fc_changes}})
      for (const Change& c : *changes) {
        if (c.image > static_cast<uint32_t>(n)) continue;
        Layer& l = own.layers[layer];
        (c.index < l.weights.size() ? l.weights[c.index] : l.bias[c.index - l.weights.size()]) =
            c.value;
      }
    ForwardBuffers single;
    const float* expected =
        forward_batch(own, own_parameters(own), inputs.data() + 32 * n, 1, single);
    for (int j = 0; j < 4; ++j) {
      INFO("image " << n << ", logit " << j);
      CHECK(got[n * 4 + j] == Approx(expected[j]).epsilon(1e-5).margin(1e-5));
    }
  }
}
