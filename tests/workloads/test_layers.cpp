#include <catch2/catch.hpp>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "models/array/host/forward_batch.h"
#include "tests/support/helpers.h"
#include "workloads/common/error.h"
#include "workloads/layers.h"
#include "workloads/network.h"

using namespace lvsim;
using Catch::Matchers::Contains;

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

namespace {

// A small CNN in PyTorch layouts, and an independent CHW implementation of it.
struct TinyNet {
  std::vector<float> conv_w, conv_b, fc_w, fc_b;  // [3][2][3][3], [3], [4][12], [4]

  explicit TinyNet(unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    for (auto* v : {&conv_w, &conv_b, &fc_w, &fc_b}) v->clear();
    for (int i = 0; i < 54; ++i) conv_w.push_back(u(rng));
    for (int i = 0; i < 3; ++i) conv_b.push_back(u(rng));
    for (int i = 0; i < 48; ++i) fc_w.push_back(u(rng));
    for (int i = 0; i < 4; ++i) fc_b.push_back(u(rng));
  }

  // Input CHW [2][4][4] -> logits [4].
  std::vector<float> forward_chw(const std::vector<float>& x) const {
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

  std::vector<uint8_t> file(const std::string& layers_json) const {
    return test::safetensors_bytes(
        {{"c.weight", {{3, 2, 3, 3}, conv_w}},
         {"c.bias", {{3}, conv_b}},
         {"f.weight", {{4, 12}, fc_w}},
         {"f.bias", {{4}, fc_b}}},
        {{"input_shape", "[2,4,4]"}, {"input_scale", "1.0"}, {"layers", layers_json}});
  }
};

const char* const kTinyLayers =
    R"([{"type":"conv2d","name":"c","in":2,"out":3,"kernel":3,"padding":1},{"type":"relu"},)"
    R"({"type":"maxpool","size":2},{"type":"flatten"},{"type":"dropout"},)"
    R"({"type":"linear","name":"f","in":12,"out":4}])";

}  // namespace

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

TEST_CASE("a network file with a broken topology is rejected", "[network]") {
  test::ScratchDir dir;
  const TinyNet tiny(1);
  const std::string path = dir.file("bad.safetensors");
  auto expect_error = [&](const std::string& layers, const std::string& message) {
    test::write_bytes(path, tiny.file(layers));
    CHECK_THROWS_WITH(Network::load(path), Contains(path) && Contains(message));
  };
  expect_error(R"([{"type":"conv2d","name":"c","in":3,"out":3,"kernel":3,"padding":1}])",
               "'in' is 3 but the input has 2 channels");
  expect_error(R"([{"type":"softmax"}])", "unknown layer type 'softmax'");
  expect_error(R"([{"type":"conv2d","name":"c","in":2,"out":5,"kernel":3,"padding":1}])",
               "'c.weight' is F32 [3,2,3,3], expected F32 [5,2,3,3]");
  expect_error("not json", "__metadata__.layers is not valid JSON");
  expect_error(R"([{"type":"conv2d","name":"c","in":2,"out":3,"kernel":3,"padding":1000000000}])",
               "field 'padding' = 1000000000: expected an integer from 0 to 65536");
  expect_error(R"([{"type":"conv2d","name":"c","in":2,"out":3,"kernel":0,"padding":1}])",
               "field 'kernel' = 0: expected an integer from 1 to 65536");
  expect_error(R"([{"type":"conv2d","name":"c","in":2,"out":3,"kernel":9,"padding":1}])",
               "conv2d kernel 9 with padding 1 does not fit the 4x4 input");
  expect_error(R"([{"type":"linear","name":"f","in":32,"out":"4"}])",
               "field 'out' = \"4\": expected an integer from 1 to 65536");
  expect_error(R"([{"type":"conv2d","name":"c","in":2,"out":3,"kernel":3,"padding":1}])",
               "must produce a vector");
}

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

TEST_CASE("a network file with non-finite weights or bad metadata is rejected", "[network]") {
  test::ScratchDir dir;
  const TinyNet tiny(1);
  const std::string path = dir.file("bad.safetensors");
  auto expect_error = [&](std::vector<float> conv_b, const std::string& key,
                          const std::string& value, const std::string& message) {
    std::map<std::string, std::string> metadata = {
        {"input_shape", "[2,4,4]"}, {"input_scale", "1.0"}, {"layers", kTinyLayers}};
    metadata[key] = value;
    test::write_bytes(path, test::safetensors_bytes({{"c.weight", {{3, 2, 3, 3}, tiny.conv_w}},
                                                     {"c.bias", {{3}, conv_b}},
                                                     {"f.weight", {{4, 12}, tiny.fc_w}},
                                                     {"f.bias", {{4}, tiny.fc_b}}},
                                                    metadata));
    INFO(key << " = " << value);
    CHECK_THROWS_WITH(Network::load(path), Contains(path) && Contains(message));
  };
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  expect_error({0.1f, nan, 0.2f}, "input_scale", "1.0",
               "tensor 'c.bias' element 1 is NaN; expected finite weights");
  expect_error({0.1f, 0.3f, -inf}, "input_scale", "1.0", "tensor 'c.bias' element 2 is infinite");
  const std::vector<float> bias = tiny.conv_b;
  for (const char* scale : {"nan", "-1", "0", "inf", "1e39"})
    expect_error(bias, "input_scale", scale,
                 std::string("__metadata__.input_scale = '") + scale +
                     "': expected a finite number above 0");
  expect_error(bias, "input_scale", "one", "__metadata__.input_scale = 'one': expected a number");
  expect_error(bias, "test_accuracy", "x", "__metadata__.test_accuracy = 'x': expected a number");
  expect_error(bias, "test_accuracy", "7", "expected a fraction in [0, 1]");
  expect_error(bias, "input_shape", "[2,4,\"4\"]", "expected [channels, height, width]");
  expect_error(bias, "input_shape", "[2,0,4]", "expected [channels, height, width]");
}
