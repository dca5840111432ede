// ONNX import: small models built here with the ONNX protobuf classes, checked
// against an independent NCHW implementation; malformed files; and the shipped
// networks' logits against PyTorch's (golden files written by
// workloads/networks/onnx/train.py).
#include <onnx/onnx_pb.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "models/array/host/forward_batch.h"
#include "tests/support/helpers.h"
#include "tests/support/onnx_builder.h"
#include "workloads/common/error.h"
#include "workloads/dataset.h"
#include "workloads/formats/onnx.h"
#include "workloads/formats/safetensors.h"
#include "workloads/network.h"

using namespace lvsim;
using namespace lvsim::test;
using Catch::Matchers::Contains;

namespace {

// NCHW tensors of one image, the reference's own arithmetic.
struct Map {
  int c, h, w;
  std::vector<double> v;
  double& at(int ch, int y, int x) { return v[(static_cast<size_t>(ch) * h + y) * w + x]; }
  double at(int ch, int y, int x) const { return v[(static_cast<size_t>(ch) * h + y) * w + x]; }
};

Map conv_ref(const Map& in, const std::vector<float>& w, const std::vector<float>& b, int m, int k,
             int stride, int pad, int dilation, int groups) {
  const int span = dilation * (k - 1) + 1;
  Map out{m, (in.h + 2 * pad - span) / stride + 1, (in.w + 2 * pad - span) / stride + 1, {}};
  out.v.assign(static_cast<size_t>(out.c) * out.h * out.w, 0.0);
  const int icg = in.c / groups, ocg = m / groups;
  for (int o = 0; o < m; ++o)
    for (int y = 0; y < out.h; ++y)
      for (int x = 0; x < out.w; ++x) {
        double sum = b.empty() ? 0.0 : b[o];
        for (int c = 0; c < icg; ++c)
          for (int ky = 0; ky < k; ++ky)
            for (int kx = 0; kx < k; ++kx) {
              const int iy = y * stride - pad + ky * dilation,
                        ix = x * stride - pad + kx * dilation;
              if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w) continue;
              sum += w[((static_cast<size_t>(o) * icg + c) * k + ky) * k + kx] *
                     in.at(o / ocg * icg + c, iy, ix);
            }
        out.at(o, y, x) = sum;
      }
  return out;
}

// lvsim's logits for one NCHW image.
std::vector<float> run(const Network& net, const Map& image) {
  std::vector<float> hwc(image.v.size());
  for (int c = 0; c < image.c; ++c)
    for (int y = 0; y < image.h; ++y)
      for (int x = 0; x < image.w; ++x)
        hwc[(static_cast<size_t>(y) * image.w + x) * image.c + c] =
            static_cast<float>(image.at(c, y, x));
  ForwardBuffers buffers;
  const float* out = forward_batch(net, own_parameters(net), hwc.data(), 1, buffers);
  return {out, out + net.classes()};
}

Map random_image(int c, int h, int w, unsigned seed) {
  Map m{c, h, w, {}};
  for (float v : random_values(static_cast<size_t>(c) * h * w, seed)) m.v.push_back(v);
  return m;
}

}  // namespace

TEST_CASE("ONNX: strided, dilated, grouped and depthwise convolutions, pools, activations",
          "[onnx]") {
  // x [4,9,9] -> depthwise 3x3 stride 2 pad 1 -> conv 1x1 (4 -> 6) -> LeakyRelu
  // -> conv 3x3 dilation 2 group 2 (6 -> 4) pad 2 -> Clip [-0.5, 0.5]
  // -> MaxPool 2 stride 1 pad 1 -> GlobalAveragePool -> Flatten -> Gemm (transB)
  // -> Sigmoid.
  ModelBuilder b(4, 9, 9);
  const auto dw = random_values(4 * 9, 1), pw = random_values(6 * 4, 2), pb = random_values(6, 3),
             gw = random_values(4 * 3 * 9, 4), gb = random_values(4, 5),
             fw = random_values(3 * 4, 6), fb = random_values(3, 7);
  b.initializer("dw.weight", {4, 1, 3, 3}, dw);
  b.initializer("pw.weight", {6, 4, 1, 1}, pw);
  b.initializer("pw.bias", {6}, pb);
  b.initializer("g.weight", {4, 3, 3, 3}, gw);
  b.initializer("g.bias", {4}, gb);
  b.initializer("fc.weight", {3, 4}, fw);
  b.initializer("fc.bias", {3}, fb);
  b.initializer("lo", {}, {-0.5f});
  b.initializer("hi", {}, {0.5f});
  auto& n1 = b.node("Conv", {"x", "dw.weight"}, "a");
  integer(n1, "group", 4);
  ints(n1, "strides", {2, 2});
  ints(n1, "pads", {1, 1, 1, 1});
  b.node("Conv", {"a", "pw.weight", "pw.bias"}, "b");
  real(b.node("LeakyRelu", {"b"}, "c"), "alpha", 0.1f);
  auto& n4 = b.node("Conv", {"c", "g.weight", "g.bias"}, "d");
  integer(n4, "group", 2);
  ints(n4, "dilations", {2, 2});
  ints(n4, "pads", {2, 2, 2, 2});
  b.node("Clip", {"d", "lo", "hi"}, "e");
  auto& n6 = b.node("MaxPool", {"e"}, "f");
  ints(n6, "kernel_shape", {2, 2});
  ints(n6, "strides", {1, 1});
  ints(n6, "pads", {1, 1, 1, 1});
  b.node("GlobalAveragePool", {"f"}, "g");
  b.node("Flatten", {"g"}, "h");
  integer(b.node("Gemm", {"h", "fc.weight", "fc.bias"}, "i"), "transB", 1);
  b.node("Sigmoid", {"i"}, "y");
  b.output("y");
  const Network net = parse_onnx(b.bytes(), "t.onnx");
  CHECK(net.layers.size() == 9);
  CHECK(net.layers[0].name == "dw");  // named after the weight tensor
  CHECK(net.layers[0].groups == 4);
  CHECK(net.layers[0].macs_per_image() == 4u * 9 * 25);

  const Map x = random_image(4, 9, 9, 11);
  Map a = conv_ref(x, dw, {}, 4, 3, 2, 1, 1, 4);
  Map c = conv_ref(a, pw, pb, 6, 1, 1, 0, 1, 1);
  for (double& v : c.v) v = v < 0 ? 0.1f * v : v;
  Map e = conv_ref(c, gw, gb, 4, 3, 1, 2, 2, 2);
  for (double& v : e.v) v = std::min(std::max(v, -0.5), 0.5);
  // Max pool 2x2, stride 1, pad 1 (padding never wins), then the mean.
  std::vector<double> g(4, 0.0);
  const int fh = e.h + 1, fw_ = e.w + 1;
  for (int ch = 0; ch < 4; ++ch)
    for (int y = 0; y < fh; ++y)
      for (int xx = 0; xx < fw_; ++xx) {
        double m = -1e300;
        for (int dy = 0; dy < 2; ++dy)
          for (int dx = 0; dx < 2; ++dx) {
            const int iy = y - 1 + dy, ix = xx - 1 + dx;
            if (iy >= 0 && iy < e.h && ix >= 0 && ix < e.w) m = std::max(m, e.at(ch, iy, ix));
          }
        g[ch] += m / (fh * fw_);
      }
  const std::vector<float> got = run(net, x);
  REQUIRE(got.size() == 3);
  for (int o = 0; o < 3; ++o) {
    double z = fb[o];
    for (int i = 0; i < 4; ++i) z += fw[o * 4 + i] * g[i];
    CHECK(got[o] == Approx(1.0 / (1.0 + std::exp(-z))).margin(1e-5));
  }
}

TEST_CASE("ONNX: residual Add, Concat, Pad, AveragePool, BatchNorm folding, MatMul + Add, Softmax",
          "[onnx]") {
  // x [2,6,6] -> conv 3x3 pad 1 (3) -> BN = r; conv 1x1 (2) of x = s;
  // Concat(r, s) (5) -> Relu = t; Add(t, conv 1x1 (5) of t) -> Pad 1 (8x8)
  // -> AveragePool 3 stride 3 (2x2) -> Reshape [1, -1] (CHW order: 20)
  // -> MatMul (20 x 4) + Add -> Softmax.
  ModelBuilder b(2, 6, 6);
  const auto w1 = random_values(3 * 2 * 9, 21), b1 = random_values(3, 22),
             w2 = random_values(2 * 2, 23), w3 = random_values(5 * 5, 24),
             mm = random_values(20 * 4, 25), bias = random_values(4, 26);
  const std::vector<float> gamma = {1.5f, 0.5f, -1.0f}, beta = {0.1f, 0.2f, 0.3f},
                           mean = {0.05f, -0.1f, 0.2f}, var = {0.5f, 2.0f, 1.0f};
  b.initializer("c1.weight", {3, 2, 3, 3}, w1);
  b.initializer("c1.bias", {3}, b1);
  b.initializer("gamma", {3}, gamma);
  b.initializer("beta", {3}, beta);
  b.initializer("mean", {3}, mean);
  b.initializer("var", {3}, var);
  b.initializer("c2.weight", {2, 2, 1, 1}, w2);
  b.initializer("c3.weight", {5, 5, 1, 1}, w3);
  b.initializer("mm", {20, 4}, mm);
  b.initializer("bias", {4}, bias);
  b.ints_initializer("pads", {0, 0, 1, 1, 0, 0, 1, 1});
  b.ints_initializer("shape", {1, -1});
  ints(b.node("Conv", {"x", "c1.weight", "c1.bias"}, "c1"), "pads", {1, 1, 1, 1});
  b.node("BatchNormalization", {"c1", "gamma", "beta", "mean", "var"}, "r");
  b.node("Conv", {"x", "c2.weight"}, "s");
  integer(b.node("Concat", {"r", "s"}, "cat"), "axis", 1);
  b.node("Relu", {"cat"}, "t");
  b.node("Conv", {"t", "c3.weight"}, "t2");
  b.node("Add", {"t", "t2"}, "u");
  b.node("Pad", {"u", "pads"}, "p");
  auto& pool = b.node("AveragePool", {"p"}, "q");
  ints(pool, "kernel_shape", {3, 3});
  ints(pool, "strides", {3, 3});
  b.node("Reshape", {"q", "shape"}, "flat");
  b.node("MatMul", {"flat", "mm"}, "z0");
  b.node("Add", {"z0", "bias"}, "z");
  b.node("Softmax", {"z"}, "y");
  b.output("y");
  const Network net = parse_onnx(b.bytes(), "t.onnx");
  REQUIRE(net.notes.size() == 1);
  CHECK_THAT(net.notes[0], Contains("BatchNormalization") && Contains("c1"));
  // conv, conv, concat, relu, conv, add, pad, avgpool, linear, softmax
  CHECK(net.layers.size() == 10);

  const Map x = random_image(2, 6, 6, 31);
  Map r = conv_ref(x, w1, b1, 3, 3, 1, 1, 1, 1);
  for (int ch = 0; ch < 3; ++ch)
    for (int y = 0; y < 6; ++y)
      for (int xx = 0; xx < 6; ++xx)
        r.at(ch, y, xx) =
            (r.at(ch, y, xx) - mean[ch]) / std::sqrt(var[ch] + 1e-5) * gamma[ch] + beta[ch];
  const Map s = conv_ref(x, w2, {}, 2, 1, 1, 0, 1, 1);
  Map t{5, 6, 6, r.v};
  t.v.insert(t.v.end(), s.v.begin(), s.v.end());
  for (double& v : t.v) v = std::max(v, 0.0);
  const Map t2 = conv_ref(t, w3, {}, 5, 1, 1, 0, 1, 1);
  Map u = t;
  for (size_t i = 0; i < u.v.size(); ++i) u.v[i] += t2.v[i];
  // Padded to 8x8; 3x3 windows at rows and columns 0 and 3 of the padded map.
  std::vector<double> q;  // CHW order
  for (int ch = 0; ch < 5; ++ch)
    for (int oy = 0; oy < 2; ++oy)
      for (int ox = 0; ox < 2; ++ox) {
        double sum = 0.0;
        for (int dy = 0; dy < 3; ++dy)
          for (int dx = 0; dx < 3; ++dx) {
            const int iy = oy * 3 + dy - 1, ix = ox * 3 + dx - 1;
            if (iy >= 0 && iy < 6 && ix >= 0 && ix < 6) sum += u.at(ch, iy, ix);
          }
        q.push_back(sum / 9.0);
      }
  std::vector<double> z(4);
  double total = 0.0;
  for (int o = 0; o < 4; ++o) {
    z[o] = bias[o];
    for (int i = 0; i < 20; ++i) z[o] += q[i] * mm[i * 4 + o];
  }
  const double largest = *std::max_element(z.begin(), z.end());
  for (double& v : z) total += v = std::exp(v - largest);
  const std::vector<float> got = run(net, x);
  REQUIRE(got.size() == 4);
  for (int o = 0; o < 4; ++o) CHECK(got[o] == Approx(z[o] / total).margin(1e-5));
}

namespace {

// A two-node model (Conv -> Flatten... -> Gemm) to break in different ways.
ModelBuilder small_model() {
  ModelBuilder b(1, 4, 4);
  b.initializer("w", {2, 1, 3, 3}, random_values(18, 41));
  b.initializer("fc", {3, 8}, random_values(24, 42));
  b.node("Conv", {"x", "w"}, "a");
  b.node("Flatten", {"a"}, "f");
  integer(b.node("Gemm", {"f", "fc"}, "y"), "transB", 1);
  b.output("y");
  return b;
}

}  // namespace

TEST_CASE("ONNX: malformed models are one-line errors naming the file and what is wrong",
          "[onnx]") {
  const std::string good = small_model().bytes();
  REQUIRE_NOTHROW(parse_onnx(good, "m.onnx"));
  const auto error_of = [](const std::string& bytes) {
    try {
      parse_onnx(bytes, "m.onnx");
    } catch (const Error& e) {
      const std::string message = e.what();
      CHECK(message.find('\n') == std::string::npos);
      CHECK(message.rfind("m.onnx: ", 0) == 0);
      return message;
    }
    FAIL("no error");
    return std::string();
  };
  SECTION("truncated") {
    CHECK_THAT(error_of(good.substr(0, good.size() / 2)), Contains("not an ONNX model"));
  }
  SECTION("another format") {
    CHECK_THAT(error_of("\x93NUMPY this is not a protobuf at all \xff\xff\xff"), Contains("ONNX"));
  }
  SECTION("missing initializer") {
    ModelBuilder b = small_model();
    b.graph->mutable_initializer()->RemoveLast();  // "fc"
    CHECK_THAT(error_of(b.bytes()), Contains("'fc'") && Contains("missing initializer"));
  }
  SECTION("a cycle") {
    ModelBuilder b = small_model();
    b.graph->mutable_node(0)->set_input(0, "f");  // Conv reads the Flatten after it
    CHECK_THAT(error_of(b.bytes()), Contains("cycle"));
  }
  SECTION("an unsupported operator") {
    ModelBuilder b = small_model();
    b.graph->mutable_node(1)->set_op_type("Tanh");
    CHECK_THAT(error_of(b.bytes()), Contains("f_node") && Contains("Tanh") &&
                                        Contains("not supported") && Contains("Conv, Gemm"));
  }
  SECTION("a weight of the wrong shape") {
    ModelBuilder b = small_model();
    b.graph->mutable_initializer(1)->set_dims(1, 9);
    CHECK_THAT(error_of(b.bytes()), Contains("'fc'"));
  }
  SECTION("raw data of the wrong size") {
    ModelBuilder b = small_model();
    onnx::TensorProto* w = b.graph->mutable_initializer(0);
    w->clear_float_data();
    w->set_raw_data(std::string(10, '\0'));
    CHECK_THAT(error_of(b.bytes()), Contains("tensor 'w'") && Contains("bytes of raw data"));
  }
  SECTION("NaN weights") {
    ModelBuilder b = small_model();
    b.graph->mutable_initializer(0)->set_float_data(3, std::nanf(""));
    CHECK_THAT(error_of(b.bytes()), Contains("NaN"));
  }
  SECTION("an unknown opset") {
    ModelBuilder b = small_model();
    b.model.mutable_opset_import(0)->set_version(3);
    CHECK_THAT(error_of(b.bytes()), Contains("opset 3"));
  }
  SECTION("an input without a fixed image shape") {
    ModelBuilder b = small_model();
    b.graph->mutable_input(0)
        ->mutable_type()
        ->mutable_tensor_type()
        ->mutable_shape()
        ->mutable_dim(2)
        ->set_dim_param("height");
    CHECK_THAT(error_of(b.bytes()), Contains("input 'x'"));
  }
  SECTION("a feature map at the output") {
    ModelBuilder b = small_model();
    b.graph->mutable_output(0)->set_name("a");
    CHECK_THAT(error_of(b.bytes()), Contains("feature map"));
  }
  SECTION("two graph outputs, of which the second was once dropped") {
    ModelBuilder b = small_model();
    b.output("a");
    CHECK_THAT(
        error_of(b.bytes()),
        Contains("the graph has 2 outputs ('y', 'a'); lvsim needs exactly one graph output"));
  }
  SECTION("a Reshape to [-1, -1], which once ran as a flatten") {
    const auto reshaped_to = [](const std::vector<int64_t>& shape) {
      ModelBuilder b(1, 4, 4);
      b.initializer("w", {2, 1, 3, 3}, random_values(18, 41));
      b.initializer("fc", {3, 8}, random_values(24, 42));
      b.ints_initializer("shape", shape);
      b.node("Conv", {"x", "w"}, "a");
      b.node("Reshape", {"a", "shape"}, "f");
      integer(b.node("Gemm", {"f", "fc"}, "y"), "transB", 1);
      b.output("y");
      return b.bytes();
    };
    REQUIRE_NOTHROW(parse_onnx(reshaped_to({1, -1}), "m.onnx"));
    CHECK_THAT(error_of(reshaped_to({-1, -1})),
               Contains("node 'f_node' (Reshape): shape [-1, -1] has more than one -1; expected "
                        "at most one"));
  }
  SECTION("a Clip bound that is NaN, once reported as min above max") {
    const auto clipped_to = [](float min, float max) {
      ModelBuilder b(1, 4, 4);
      b.initializer("w", {2, 1, 3, 3}, random_values(18, 41));
      b.initializer("fc", {3, 8}, random_values(24, 42));
      b.initializer("lo", {}, {min});
      b.initializer("hi", {}, {max});
      b.node("Conv", {"x", "w"}, "a");
      b.node("Clip", {"a", "lo", "hi"}, "c");
      b.node("Flatten", {"c"}, "f");
      integer(b.node("Gemm", {"f", "fc"}, "y"), "transB", 1);
      b.output("y");
      return b.bytes();
    };
    REQUIRE_NOTHROW(parse_onnx(clipped_to(0.0f, 6.0f), "m.onnx"));
    CHECK_THAT(error_of(clipped_to(std::nanf(""), 6.0f)),
               Contains("node 'c_node' (Clip): min is not a number (NaN); expected numbers "
                        "min <= max"));
    CHECK_THAT(error_of(clipped_to(0.0f, std::nanf(""))),
               Contains("node 'c_node' (Clip): max is not a number (NaN)"));
    CHECK_THAT(error_of(clipped_to(6.0f, 0.0f)),
               Contains("node 'c_node' (Clip): min above max; expected min <= max"));
  }
}

TEST_CASE("ONNX: Constant, Identity and Dropout only pass tensors on", "[onnx]") {
  ModelBuilder b(1, 4, 4);
  b.initializer("w", {2, 1, 3, 3}, random_values(18, 41));
  b.initializer("fc", {3, 8}, random_values(24, 42));
  b.node("Conv", {"x", "w"}, "a");
  b.node("Identity", {"a"}, "a2");
  b.node("Dropout", {"a2"}, "a3");
  onnx::AttributeProto* value = b.node("Constant", {}, "shape").add_attribute();
  value->set_name("value");
  value->set_type(onnx::AttributeProto::TENSOR);
  value->mutable_t()->set_data_type(onnx::TensorProto::INT64);
  value->mutable_t()->add_dims(2);
  for (int64_t d : {1, -1}) value->mutable_t()->add_int64_data(d);
  b.node("Identity", {"shape"}, "shape2");  // a constant stays a constant
  b.node("Reshape", {"a3", "shape2"}, "f");
  integer(b.node("Gemm", {"f", "fc"}, "y"), "transB", 1);
  b.output("y");
  // The same network as small_model(), which flattens with Flatten.
  const Network net = parse_onnx(b.bytes(), "m.onnx");
  const Network plain = parse_onnx(small_model().bytes(), "m.onnx");
  REQUIRE(net.layers.size() == plain.layers.size());
  const Map image = random_image(1, 4, 4, 43);
  CHECK(run(net, image) == run(plain, image));
}

TEST_CASE("ONNX: an unsupported operator's error lists the importer's table", "[onnx]") {
  std::string names;
  for (const OnnxOperator& op : onnx_operators()) names += (names.empty() ? "" : ", ") + op.name;
  ModelBuilder b = small_model();
  b.graph->mutable_node(1)->set_op_type("Tanh");
  CHECK_THROWS_WITH(
      parse_onnx(b.bytes(), "m.onnx"),
      "m.onnx: node 'f_node' (Tanh): operator Tanh not supported; lvsim supports " + names);
  b.graph->mutable_node(1)->set_op_type("Flatten");
  b.graph->mutable_node(1)->set_domain("com.microsoft");
  CHECK_THROWS_WITH(parse_onnx(b.bytes(), "m.onnx"),
                    Contains("operator domain 'com.microsoft' not supported; lvsim supports " +
                             names + " of the default domain"));
}

TEST_CASE("ONNX: a missing or unreadable file", "[onnx]") {
  CHECK_THROWS_WITH(load_onnx("/nonexistent/model.onnx"),
                    Contains("/nonexistent/model.onnx") && Contains("cannot open"));
  CHECK_THROWS_WITH(Network::load("/nonexistent/model.onnx"), Contains("cannot open"));
}

TEST_CASE("ONNX: metadata_props numbers parse completely and are finite", "[onnx]") {
  const auto parse_with = [](const std::string& key, const std::string& value) {
    ModelBuilder b = small_model();
    onnx::StringStringEntryProto* entry = b.model.add_metadata_props();
    entry->set_key(key);
    entry->set_value(value);
    return parse_onnx(b.bytes(), "m.onnx");
  };
  const auto refused = [&](const std::string& key, const std::string& value,
                           const std::string& expected) {
    INFO(key << " = '" << value << "'");
    CHECK_THROWS_WITH(parse_with(key, value),
                      "m.onnx: metadata_props " + key + " = '" + value + "': expected " + expected);
  };
  // NaN, the infinities, an overflow to one, and (for the preprocessing, kept
  // as floats) a value beyond float's range.
  for (const char* key : {"lvsim.input_scale", "lvsim.input_mean", "lvsim.input_std"})
    for (const char* value : {"nan", "inf", "-inf", "1e999", "1e39", "-1e39"})
      refused(key, value, "a finite number");
  for (const char* value : {"nan", "inf", "1e999", "1.5", "-1"})
    refused("lvsim.test_accuracy", value, "a fraction in [0, 1]");
  // Text that is no number, or a number with something after it.
  for (const char* key : {"lvsim.input_scale", "lvsim.input_mean", "lvsim.test_accuracy"})
    for (const char* value : {"", "one", "0.5x", "0.5 "}) refused(key, value, "a number");
  const Network plain = parse_onnx(small_model().bytes(), "m.onnx");
  CHECK(plain.input_scale == static_cast<float>(1.0 / 255.0));
  CHECK(plain.reference_accuracy == -1.0);
  CHECK(parse_with("lvsim.input_mean", "0.1307").input_mean == 0.1307f);
  CHECK(parse_with("lvsim.test_accuracy", "0.98").reference_accuracy == 0.98);
}

namespace {

// PyTorch's logits of the first images of the test set (the golden file) and
// lvsim's, for a shipped network.
void check_against_pytorch(const std::string& stem, const std::string& dataset) {
  const std::string dir = std::string(LVSIM_SOURCE_DIR) + "/workloads/networks/onnx/";
  const Network net = Network::load(dir + stem + ".onnx");
  const SafeTensors golden = SafeTensors::load(dir + stem + ".golden.safetensors");
  const std::vector<float> expected = golden.f32("logits", {256, net.classes()});
  const Dataset data = load_test_set(dataset, dataset == "mnist" ? test::mnist_data_dir() : "",
                                     LVSIM_SOURCE_DIR, 256);
  REQUIRE(data.size() == 256);
  std::vector<float> inputs(data.pixels.size());
  for (size_t i = 0; i < inputs.size(); ++i)
    inputs[i] = net.normalize(static_cast<float>(data.pixels[i]));
  ForwardBuffers buffers;
  const float* logits = forward_batch(net, own_parameters(net), inputs.data(), 256, buffers, 2);
  double worst = 0.0;
  int same = 0;
  const int classes = net.classes();
  for (int i = 0; i < 256; ++i) {
    const float* mine = logits + static_cast<size_t>(i) * classes;
    const float* theirs = expected.data() + static_cast<size_t>(i) * classes;
    for (int c = 0; c < classes; ++c)
      worst = std::max(worst, std::fabs(double(mine[c]) - theirs[c]));
    same += std::max_element(mine, mine + classes) - mine ==
            std::max_element(theirs, theirs + classes) - theirs;
  }
  INFO(stem << ": largest logit difference " << worst);
  CHECK(worst <= 1e-4);
  CHECK(same == 256);
}

}  // namespace

TEST_CASE("ONNX: the shipped networks compute PyTorch's logits", "[onnx][data]") {
  check_against_pytorch("tutorial-cnn", "mnist");
  check_against_pytorch("lenet5", "mnist");
  check_against_pytorch("resnet", "fashion-mnist");
  check_against_pytorch("mobilenet", "fashion-mnist");
}
