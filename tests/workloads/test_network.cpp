// Network files (workloads/network.h): a safetensors file whose topology is
// broken, or whose weights or metadata are not finite or not what they should
// be, is refused with one line naming the file and the field.
#include <catch2/catch.hpp>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "tests/support/helpers.h"
#include "tests/support/tiny_networks.h"
#include "workloads/common/error.h"
#include "workloads/network.h"

using namespace lvsim;
using namespace lvsim::test;
using Catch::Matchers::Contains;

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

TEST_CASE("a network file's metadata numbers parse completely and are finite", "[network]") {
  test::ScratchDir dir;
  const TinyNet tiny(1);
  const std::string path = dir.file("meta.safetensors");
  const auto load_with = [&](const std::string& key, const std::string& value) {
    std::map<std::string, std::string> metadata = {
        {"input_shape", "[2,4,4]"}, {"input_scale", "1.0"}, {"layers", kTinyLayers}};
    metadata[key] = value;
    test::write_bytes(path, test::safetensors_bytes({{"c.weight", {{3, 2, 3, 3}, tiny.conv_w}},
                                                     {"c.bias", {{3}, tiny.conv_b}},
                                                     {"f.weight", {{4, 12}, tiny.fc_w}},
                                                     {"f.bias", {{4}, tiny.fc_b}}},
                                                    metadata));
    return Network::load(path);
  };
  const auto refused = [&](const std::string& key, const std::string& value,
                           const std::string& expected) {
    INFO(key << " = '" << value << "'");
    CHECK_THROWS_WITH(load_with(key, value),
                      path + ": __metadata__." + key + " = '" + value + "': expected " + expected);
  };
  // NaN and the infinities, spelled as strtod reads them, and an overflow to one.
  for (const char* value : {"nan", "NaN", "-nan", "inf", "-inf", "infinity", "1e999"})
    refused("test_accuracy", value, "a fraction in [0, 1]");
  for (const char* value : {"-inf", "1e999", "-1e39"})
    refused("input_scale", value,
            "a finite number above 0 (the factor from pixel values to inputs)");
  // Text that is no number, or a number with something after it.
  for (const char* value : {"", " ", "0.5x", "0.5 ", "0,5", "half"})
    refused("test_accuracy", value, "a number");
  CHECK(load_with("test_accuracy", "0.5").reference_accuracy == 0.5);
  CHECK(load_with("input_scale", "0x1p-8").input_scale == 1.0f / 256.0f);  // strtod's hex form
}
