#include "workloads/network.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "workloads/common/error.h"
#include "workloads/formats/metadata_number.h"
#include "workloads/formats/onnx.h"
#include "workloads/formats/safetensors.h"

namespace lvsim {
namespace {

// A layer's integer field, from `min` to 65536 (no layer of a network that
// fits the accelerator has a larger size, padding or count).
int json_int(const nlohmann::json& entry, const char* key, const std::string& where,
             int64_t min = 0) {
  constexpr int64_t kMax = 1 << 16;
  const std::string expected =
      "expected an integer from " + std::to_string(min) + " to " + std::to_string(kMax);
  if (!entry.contains(key)) throw Error(where + ": field '" + key + "' missing; " + expected);
  const nlohmann::json& value = entry[key];
  if (!value.is_number_integer() || value.get<int64_t>() < min || value.get<int64_t>() > kMax)
    throw Error(where + ": field '" + key + "' = " + value.dump() + ": " + expected);
  return static_cast<int>(value.get<int64_t>());
}

nlohmann::json parse_metadata_json(const SafeTensors& st, const std::string& key) {
  try {
    return nlohmann::json::parse(st.metadata_value(key));
  } catch (const nlohmann::json::exception& e) {
    throw Error(st.path() + ": __metadata__." + key + " is not valid JSON (" + e.what() + ")");
  }
}

}  // namespace

std::vector<float> conv_to_hwc(const std::vector<float>& w, int oc, int ic, int k) {
  std::vector<float> out(w.size());
  for (int o = 0; o < oc; ++o)
    for (int c = 0; c < ic; ++c)
      for (int y = 0; y < k; ++y)
        for (int x = 0; x < k; ++x)
          out[((static_cast<size_t>(o) * k + y) * k + x) * ic + c] =
              w[((static_cast<size_t>(o) * ic + c) * k + y) * k + x];
  return out;
}

std::vector<float> linear_columns_to_hwc(const std::vector<float>& w, int out_features,
                                         const Shape& s) {
  std::vector<float> out(w.size());
  const size_t in = s.size();
  for (int o = 0; o < out_features; ++o)
    for (int c = 0; c < s.channels; ++c)
      for (int y = 0; y < s.height; ++y)
        for (int x = 0; x < s.width; ++x)
          out[o * in + (static_cast<size_t>(y) * s.width + x) * s.channels + c] =
              w[o * in + (static_cast<size_t>(c) * s.height + y) * s.width + x];
  return out;
}

namespace {

// Where a linear layer's columns come from: a flatten of a spatial tensor
// stores them in PyTorch's (c, h, w) order, which load() permutes to HWC.
struct FlattenState {
  bool spatial = false;
  Shape from;
};

void parse_conv2d(Layer& layer, const nlohmann::json& entry, const std::string& where,
                  const Shape& shape, const SafeTensors& st) {
  layer.kind = LayerKind::kConv2d;
  layer.name = entry.value("name", "");
  const int in_c = json_int(entry, "in", where, 1), out_c = json_int(entry, "out", where, 1);
  layer.kernel = json_int(entry, "kernel", where, 1);
  layer.padding = json_int(entry, "padding", where);
  if (in_c != shape.channels)
    throw Error(where + ": conv2d 'in' is " + std::to_string(in_c) + " but the input has " +
                std::to_string(shape.channels) + " channels");
  const int out_h = shape.height + 2 * layer.padding - layer.kernel + 1;
  const int out_w = shape.width + 2 * layer.padding - layer.kernel + 1;
  if (out_h <= 0 || out_w <= 0)
    throw Error(where + ": conv2d kernel " + std::to_string(layer.kernel) + " with padding " +
                std::to_string(layer.padding) + " does not fit the " +
                std::to_string(shape.height) + "x" + std::to_string(shape.width) +
                " input; expected kernel <= input + 2 x padding");
  layer.output = {out_c, out_h, out_w};
  const std::vector<float> w =
      st.f32(layer.name + ".weight", {out_c, in_c, layer.kernel, layer.kernel});
  layer.weights = conv_to_hwc(w, out_c, in_c, layer.kernel);
  layer.bias = st.f32(layer.name + ".bias", {out_c});
}

void parse_linear(Layer& layer, const nlohmann::json& entry, const std::string& where,
                  const Shape& shape, const SafeTensors& st, FlattenState& flatten) {
  layer.kind = LayerKind::kLinear;
  layer.name = entry.value("name", "");
  const int in_f = json_int(entry, "in", where, 1), out_f = json_int(entry, "out", where, 1);
  if (static_cast<size_t>(in_f) != shape.size())
    throw Error(where + ": linear 'in' is " + std::to_string(in_f) + " but the input has " +
                std::to_string(shape.size()) + " values");
  layer.output = {out_f, 1, 1};
  std::vector<float> w = st.f32(layer.name + ".weight", {out_f, in_f});
  if (flatten.spatial) w = linear_columns_to_hwc(w, out_f, flatten.from);
  layer.weights = std::move(w);
  layer.bias = st.f32(layer.name + ".bias", {out_f});
  flatten.spatial = false;
}

// Weights that are NaN or infinite would run and report an accuracy computed
// from nonsense: refuse them, naming the tensor and the first such element.
void check_finite(const std::string& path, const std::string& tensor,
                  const std::vector<float>& values) {
  const auto bad =
      std::find_if(values.begin(), values.end(), [](float v) { return !std::isfinite(v); });
  if (bad == values.end()) return;
  throw Error(path + ": tensor '" + tensor + "' element " + std::to_string(bad - values.begin()) +
              " is " + (std::isnan(*bad) ? "NaN" : "infinite") + "; expected finite weights");
}

// One entry of the "layers" list, whose input has `shape`.
Layer parse_layer(const nlohmann::json& entry, const std::string& where, const Shape& shape,
                  const SafeTensors& st, FlattenState& flatten) {
  if (!entry.is_object() || !entry.contains("type") || !entry["type"].is_string())
    throw Error(where + ": needs a string field 'type'");
  const std::string type = entry["type"].get<std::string>();
  Layer layer;
  layer.input = shape;
  layer.output = shape;
  if (type == "conv2d") {
    parse_conv2d(layer, entry, where, shape, st);
  } else if (type == "linear") {
    parse_linear(layer, entry, where, shape, st, flatten);
  } else if (type == "relu") {
    layer.kind = LayerKind::kRelu;
  } else if (type == "dropout") {
    layer.kind = LayerKind::kDropout;  // identity at inference
  } else if (type == "maxpool") {
    layer.kind = LayerKind::kMaxPool;
    layer.pool = json_int(entry, "size", where, 1);
    if (layer.pool == 0 || shape.height % layer.pool || shape.width % layer.pool)
      throw Error(where + ": maxpool size must divide the input height and width");
    layer.output = {shape.channels, shape.height / layer.pool, shape.width / layer.pool};
  } else if (type == "flatten") {
    layer.kind = LayerKind::kFlatten;
    layer.output = {static_cast<int>(shape.size()), 1, 1};
    flatten.spatial = shape.height * shape.width > 1 && shape.channels > 1;
    flatten.from = shape;
  } else {
    throw Error(where + ": unknown layer type '" + type +
                "' (expected conv2d, relu, maxpool, flatten, dropout or linear)");
  }
  if (layer.has_parameters() && layer.name.empty())
    throw Error(where + ": " + type + " needs a 'name' naming its tensors");
  return layer;
}

}  // namespace

Network Network::load(const std::string& path) {
  const std::string onnx = ".onnx";
  if (path.size() > onnx.size() && path.compare(path.size() - onnx.size(), onnx.size(), onnx) == 0)
    return load_onnx(path);
  return from(SafeTensors::load(path));
}

Network Network::from(const SafeTensors& st) {
  const std::string& path = st.path();
  Network net;
  net.path = path;
  net.name = st.metadata().count("network") ? st.metadata().at("network") : path;
  net.dataset = st.metadata().count("dataset") ? st.metadata().at("dataset") : "";
  if (st.metadata().count("test_accuracy")) {
    const std::string& text = st.metadata_value("test_accuracy");
    const std::string fraction = "a fraction in [0, 1]";
    net.reference_accuracy = metadata_number(text, path, "__metadata__.test_accuracy", fraction);
    if (!(net.reference_accuracy >= 0.0 && net.reference_accuracy <= 1.0))
      throw Error(path + ": __metadata__.test_accuracy = '" + text + "': expected " + fraction);
  }
  const std::string& scale_text = st.metadata_value("input_scale");
  const std::string scale_form = "a finite number above 0 (the factor from pixel values to inputs)";
  net.input_scale = metadata_float(scale_text, path, "__metadata__.input_scale", scale_form);
  if (!(net.input_scale > 0.0f))
    throw Error(path + ": __metadata__.input_scale = '" + scale_text + "': expected " + scale_form);
  const nlohmann::json input_shape = parse_metadata_json(st, "input_shape");
  const auto dimension = [](const nlohmann::json& d) {
    return d.is_number_integer() && d.get<int64_t>() >= 1 && d.get<int64_t>() <= (1 << 16);
  };
  if (!input_shape.is_array() || input_shape.size() != 3 ||
      !std::all_of(input_shape.begin(), input_shape.end(), dimension))
    throw Error(path + ": __metadata__.input_shape = '" + input_shape.dump() +
                "': expected [channels, height, width], integers from 1 to 65536");
  net.input = {input_shape[0].get<int>(), input_shape[1].get<int>(), input_shape[2].get<int>()};

  const nlohmann::json layers = parse_metadata_json(st, "layers");
  if (!layers.is_array() || layers.empty())
    throw Error(path + ": __metadata__.layers must be a non-empty JSON list");
  Shape shape = net.input;
  FlattenState flatten;
  for (size_t i = 0; i < layers.size(); ++i) {
    const std::string where = path + ": layers[" + std::to_string(i) + "]";
    net.layers.push_back(parse_layer(layers[i], where, shape, st, flatten));
    shape = net.layers.back().output;
  }
  if (shape.height != 1 || shape.width != 1)
    throw Error(path + ": the last layer must produce a vector of class scores");
  for (const Layer& layer : net.layers) {
    check_finite(path, layer.name + ".weight", layer.weights);
    check_finite(path, layer.name + ".bias", layer.bias);
  }
  return net;
}

uint64_t Network::macs_per_image() const {
  uint64_t macs = 0;
  for (const Layer& layer : layers) macs += layer.macs_per_image();
  return macs;
}

size_t Network::parameter_count() const {
  size_t count = 0;
  for (const Layer& layer : layers) count += layer.weights.size() + layer.bias.size();
  return count;
}

size_t Network::max_activation_size() const {
  size_t largest = input.size();
  for (const Layer& layer : layers) largest = std::max(largest, layer.output.size());
  return largest;
}

std::vector<int> Network::consumer_counts() const {
  std::vector<int> counts(layers.size(), 0);
  for (size_t i = 0; i < layers.size(); ++i)
    for (int from : layer_inputs(i))
      if (from >= 0) ++counts[static_cast<size_t>(from)];
  if (!counts.empty()) ++counts.back();
  return counts;
}

}  // namespace lvsim
