#include "workloads/formats/onnx.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "workloads/common/error.h"
#include "workloads/common/read_file.h"
#include "workloads/formats/metadata_number.h"

namespace lvsim {
namespace {

constexpr int64_t kMaxDimension = 1 << 16;
constexpr int64_t kMaxElements = int64_t{1} << 28;  // 1 GiB of float32 per tensor

// A constant: an initializer or a Constant node's value, as doubles (weights,
// shapes and pads alike).
struct Constant {
  std::vector<int64_t> dims;
  std::vector<double> values;
  size_t size() const { return values.size(); }
};

// A shape's values as written in errors: "1, -1".
std::string shape_text(const std::vector<double>& values) {
  std::ostringstream text;
  for (size_t i = 0; i < values.size(); ++i) text << (i ? ", " : "") << values[i];
  return text.str();
}

// A tensor computed at run time: the output of layer `layer` (-1: the network
// input), of `shape` per image. A flatten of a feature map keeps lvsim's HWC
// order, so `flat_from` remembers the map (a matrix product's columns are
// permuted to it); `rank` is the ONNX rank (4 for feature maps, 2 for vectors).
struct Activation {
  int layer = -1;
  Shape shape;
  std::optional<Shape> flat_from;
  int rank = 4;
};

// How the walk over the nodes is going.
class Importer {
 public:
  Importer(const onnx::ModelProto& model, const std::string& path) : model_(model), path_(path) {}
  Network run();

  // The operators: each node is imported by its operator's entry, and the
  // same table lists them (the "not supported" error, onnx_operators()).
  using Node = onnx::NodeProto;
  struct Operator {
    const char* name;     // op_type
    const char* support;  // what of it is imported, one line
    void (*import)(Importer& importer, const Node& node, Network& net);
  };
  static const Operator kOperators[];
  // Their names, "Conv, Gemm, ...".
  static std::string operator_names();

 private:
  [[noreturn]] void fail(const std::string& message) const { throw Error(path_ + ": " + message); }
  [[noreturn]] void fail(const onnx::NodeProto& node, const std::string& message) const {
    throw Error(path_ + ": node '" + node.name() + "' (" + node.op_type() + "): " + message);
  }
  Constant read_tensor(const onnx::TensorProto& tensor) const;
  void read_initializers();
  // metadata_props `key`'s value, or nullptr when absent; as a float
  // (metadata_float's rule), or `fallback` when absent.
  const std::string* metadata_text(const std::string& key) const;
  float metadata_float_or(const std::string& key, float fallback) const;
  void read_metadata(Network& net) const;
  void read_input(Network& net);
  std::vector<const onnx::NodeProto*> topological_order(const std::string& output) const;
  void import(const onnx::NodeProto& node, Network& net);

  // Inputs of a node.
  const Activation& activation(const onnx::NodeProto& node, int index) const;
  const Constant& constant(const onnx::NodeProto& node, int index) const;
  bool has_input(const onnx::NodeProto& node, int index) const {
    return node.input_size() > index && !node.input(index).empty();
  }
  bool is_constant(const std::string& name) const { return constants_.count(name) > 0; }

  // Attributes.
  const onnx::AttributeProto* attribute(const onnx::NodeProto& node, const std::string& name) const;
  int64_t int_attribute(const onnx::NodeProto& node, const std::string& name,
                        int64_t fallback) const;
  float float_attribute(const onnx::NodeProto& node, const std::string& name, float fallback) const;
  std::vector<int64_t> ints_attribute(const onnx::NodeProto& node, const std::string& name) const;
  std::string string_attribute(const onnx::NodeProto& node, const std::string& name,
                               const std::string& fallback) const;

  // Layer making.
  int add_layer(Network& net, Layer layer, const onnx::NodeProto& node,
                const std::vector<int>& inputs, const std::string& weight_name = "");
  void set_output(const onnx::NodeProto& node, Activation activation);
  // The window of a Conv or a pool: kernel, stride, pads, output size.
  void window(const onnx::NodeProto& node, Layer& layer, const Shape& in, int kernel) const;
  void conv(const onnx::NodeProto& node, Network& net);
  void gemm(const onnx::NodeProto& node, Network& net, bool matmul);
  void batch_norm(const onnx::NodeProto& node, Network& net);
  void add(const onnx::NodeProto& node, Network& net);
  void pool(const onnx::NodeProto& node, Network& net, LayerKind kind);
  void pad(const onnx::NodeProto& node, Network& net);
  void reshape(const onnx::NodeProto& node, bool flatten);
  void concat(const onnx::NodeProto& node, Network& net);
  void elementwise(const onnx::NodeProto& node, Network& net, LayerKind kind);
  void constant_node(const onnx::NodeProto& node);
  void pass_through(const onnx::NodeProto& node);  // Identity, Dropout

  const onnx::ModelProto& model_;
  std::string path_;
  int64_t opset_ = 0;
  std::map<std::string, Constant> constants_;
  std::map<std::string, Activation> activations_;
  std::map<std::string, int> readers_;  // nodes reading each tensor (+1 for the graph output)
  std::set<std::string> names_;         // layer names taken
  std::vector<bool> open_bias_;         // per layer: a MatMul's, whose bias may still come
};

// IEEE half to float.
float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1fu, mantissa = h & 0x3ffu;
  float magnitude;
  if (exponent == 0)
    magnitude = std::ldexp(static_cast<float>(mantissa), -24);
  else if (exponent == 31)
    magnitude =
        mantissa ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
  else
    magnitude = std::ldexp(static_cast<float>(mantissa | 0x400u), static_cast<int>(exponent) - 25);
  return sign ? -magnitude : magnitude;
}

template <typename T>
T little_endian(const std::string& raw, size_t i) {
  T value;
  std::memcpy(&value, raw.data() + i * sizeof(T), sizeof(T));
  return value;
}

// A tensor's dimensions, checked: at most kMaxElements elements.
std::vector<int64_t> tensor_dims(const onnx::TensorProto& tensor, const std::string& where,
                                 const std::function<void(const std::string&)>& fail) {
  std::vector<int64_t> dims;
  int64_t count = 1;
  for (int64_t d : tensor.dims()) {
    if (d < 0 || d > kMaxElements)
      fail(where + ": dimension " + std::to_string(d) + " out of range");
    count *= d;
    if (count > kMaxElements)
      fail(where + ": more than " + std::to_string(kMaxElements) + " elements");
    dims.push_back(d);
  }
  return dims;
}

Constant Importer::read_tensor(const onnx::TensorProto& tensor) const {
  const std::string where = "tensor '" + tensor.name() + "'";
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL)
    fail(where +
         " keeps its data in an external file; expected the weights inside the model "
         "(save with onnx.save(model, path, save_as_external_data=False))");
  Constant c;
  c.dims = tensor_dims(tensor, where, [&](const std::string& message) { fail(message); });
  size_t n = 1;
  for (int64_t d : c.dims) n *= static_cast<size_t>(d);
  const std::string& raw = tensor.raw_data();
  const auto check_count = [&](size_t have, size_t want, const char* unit) {
    if (have != want)
      fail(where + ": holds " + std::to_string(have) + " " + unit + "; expected " +
           std::to_string(want) + " for its shape");
  };
  c.values.resize(n);
  // Each type comes as raw little-endian bytes or in its repeated field.
  const auto decode = [&](size_t bytes, int field_size, auto from_bytes, auto from_field) {
    if (!raw.empty() || field_size == 0) {
      check_count(raw.size(), n * bytes, "bytes of raw data");
      for (size_t i = 0; i < n; ++i) c.values[i] = from_bytes(i);
    } else {
      check_count(static_cast<size_t>(field_size), n, "values");
      for (size_t i = 0; i < n; ++i) c.values[i] = from_field(static_cast<int>(i));
    }
  };
  switch (tensor.data_type()) {
    case onnx::TensorProto::FLOAT:
      decode(
          4, tensor.float_data_size(), [&](size_t i) { return little_endian<float>(raw, i); },
          [&](int i) { return tensor.float_data(i); });
      break;
    case onnx::TensorProto::FLOAT16:
      decode(
          2, tensor.int32_data_size(),
          [&](size_t i) { return half_to_float(little_endian<uint16_t>(raw, i)); },
          [&](int i) { return half_to_float(static_cast<uint16_t>(tensor.int32_data(i))); });
      break;
    case onnx::TensorProto::DOUBLE:
      decode(
          8, tensor.double_data_size(), [&](size_t i) { return little_endian<double>(raw, i); },
          [&](int i) { return tensor.double_data(i); });
      break;
    case onnx::TensorProto::INT64:
      decode(
          8, tensor.int64_data_size(),
          [&](size_t i) { return static_cast<double>(little_endian<int64_t>(raw, i)); },
          [&](int i) { return static_cast<double>(tensor.int64_data(i)); });
      break;
    case onnx::TensorProto::INT32:
      decode(
          4, tensor.int32_data_size(), [&](size_t i) { return little_endian<int32_t>(raw, i); },
          [&](int i) { return tensor.int32_data(i); });
      break;
    default:
      fail(where + ": data type " + std::to_string(tensor.data_type()) +
           " not supported; expected float32, float16, float64, int64 or int32");
  }
  return c;
}

void Importer::read_initializers() {
  for (const onnx::TensorProto& tensor : model_.graph().initializer()) {
    if (constants_.count(tensor.name())) fail("initializer '" + tensor.name() + "' given twice");
    constants_[tensor.name()] = read_tensor(tensor);
  }
}

const std::string* Importer::metadata_text(const std::string& key) const {
  for (const onnx::StringStringEntryProto& entry : model_.metadata_props())
    if (entry.key() == key) return &entry.value();
  return nullptr;
}

float Importer::metadata_float_or(const std::string& key, float fallback) const {
  const std::string* text = metadata_text(key);
  return text ? metadata_float(*text, path_, "metadata_props " + key) : fallback;
}

void Importer::read_metadata(Network& net) const {
  net.name = model_.graph().name().empty() ? path_ : model_.graph().name();
  for (const onnx::StringStringEntryProto& entry : model_.metadata_props()) {
    if (entry.key() == "lvsim.network") net.name = entry.value();
    if (entry.key() == "lvsim.dataset") net.dataset = entry.value();
  }
  net.input_scale = metadata_float_or("lvsim.input_scale", static_cast<float>(1.0 / 255.0));
  net.input_mean = metadata_float_or("lvsim.input_mean", 0.0f);
  net.input_std = metadata_float_or("lvsim.input_std", 1.0f);
  if (!(net.input_scale > 0.0f) || !(net.input_std > 0.0f))
    fail("metadata_props lvsim.input_scale and lvsim.input_std must be above 0");
  const std::string* accuracy = metadata_text("lvsim.test_accuracy");
  if (!accuracy) return;
  const std::string field = "metadata_props lvsim.test_accuracy", fraction = "a fraction in [0, 1]";
  net.reference_accuracy = metadata_number(*accuracy, path_, field, fraction);
  if (!(net.reference_accuracy >= 0.0 && net.reference_accuracy <= 1.0))
    fail(field + " = '" + *accuracy + "': expected " + fraction);
}

void Importer::read_input(Network& net) {
  const onnx::ValueInfoProto* input = nullptr;
  for (const onnx::ValueInfoProto& value : model_.graph().input())
    if (!is_constant(value.name())) {
      if (input)
        fail("the graph has two inputs, '" + input->name() + "' and '" + value.name() +
             "'; expected one image input");
      input = &value;
    }
  if (!input) fail("the graph has no input; expected one image input [N, C, H, W]");
  const onnx::TypeProto& type = input->type();
  const std::string expected = "expected a float tensor [N, C, H, W] with C, H and W from 1 to " +
                               std::to_string(kMaxDimension);
  if (!type.has_tensor_type() || type.tensor_type().elem_type() != onnx::TensorProto::FLOAT ||
      !type.tensor_type().has_shape() || type.tensor_type().shape().dim_size() != 4)
    fail("input '" + input->name() + "': " + expected);
  int dims[3];
  for (int i = 1; i < 4; ++i) {
    const onnx::TensorShapeProto::Dimension& d = type.tensor_type().shape().dim(i);
    if (!d.has_dim_value() || d.dim_value() < 1 || d.dim_value() > kMaxDimension)
      fail("input '" + input->name() + "': " + expected);
    dims[i - 1] = static_cast<int>(d.dim_value());
  }
  net.input = {dims[0], dims[1], dims[2]};
  activations_[input->name()] = Activation{-1, net.input, std::nullopt, 4};
}

std::vector<const onnx::NodeProto*> Importer::topological_order(const std::string& output) const {
  std::map<std::string, const onnx::NodeProto*> producer;
  for (const onnx::NodeProto& node : model_.graph().node())
    for (const std::string& out : node.output()) {
      if (out.empty()) continue;
      if (producer.count(out) || is_constant(out) || activations_.count(out))
        fail(node, "its output '" + out + "' is also made elsewhere; expected each tensor once");
      producer[out] = &node;
    }
  // Depth-first from the output, without recursion (a fuzzed graph may be
  // deep): 0 unseen, 1 on the path, 2 done.
  std::map<const onnx::NodeProto*, int> state;
  std::vector<const onnx::NodeProto*> order;
  std::vector<std::pair<const onnx::NodeProto*, int>> stack;
  const auto visit = [&](const std::string& tensor, const onnx::NodeProto* reader) {
    if (tensor.empty() || is_constant(tensor) || activations_.count(tensor)) return;
    const auto found = producer.find(tensor);
    if (found == producer.end()) {
      if (reader)
        fail(*reader, "input '" + tensor +
                          "' is neither an initializer, the graph "
                          "input nor any node's output (a missing initializer?)");
      fail("graph output '" + tensor + "' is made by no node");
    }
    const int s = state[found->second];
    if (s == 1)
      fail(*found->second, "the graph has a cycle through this node; expected an acyclic graph");
    if (s == 0) {
      state[found->second] = 1;
      stack.emplace_back(found->second, 0);
    }
  };
  visit(output, nullptr);
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->input_size()) {
      visit(node->input(next++), node);
      continue;
    }
    state[node] = 2;
    order.push_back(node);
    stack.pop_back();
  }
  return order;
}

const onnx::AttributeProto* Importer::attribute(const onnx::NodeProto& node,
                                                const std::string& name) const {
  for (const onnx::AttributeProto& a : node.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

int64_t Importer::int_attribute(const onnx::NodeProto& node, const std::string& name,
                                int64_t fallback) const {
  const onnx::AttributeProto* a = attribute(node, name);
  if (!a) return fallback;
  if (a->type() != onnx::AttributeProto::INT) fail(node, "attribute " + name + ": expected an int");
  return a->i();
}

float Importer::float_attribute(const onnx::NodeProto& node, const std::string& name,
                                float fallback) const {
  const onnx::AttributeProto* a = attribute(node, name);
  if (!a) return fallback;
  if (a->type() != onnx::AttributeProto::FLOAT || !std::isfinite(a->f()))
    fail(node, "attribute " + name + ": expected a finite float");
  return a->f();
}

std::vector<int64_t> Importer::ints_attribute(const onnx::NodeProto& node,
                                              const std::string& name) const {
  const onnx::AttributeProto* a = attribute(node, name);
  if (!a) return {};
  if (a->type() != onnx::AttributeProto::INTS) fail(node, "attribute " + name + ": expected ints");
  return {a->ints().begin(), a->ints().end()};
}

std::string Importer::string_attribute(const onnx::NodeProto& node, const std::string& name,
                                       const std::string& fallback) const {
  const onnx::AttributeProto* a = attribute(node, name);
  if (!a) return fallback;
  if (a->type() != onnx::AttributeProto::STRING)
    fail(node, "attribute " + name + ": expected a string");
  return a->s();
}

const Activation& Importer::activation(const onnx::NodeProto& node, int index) const {
  if (!has_input(node, index))
    fail(node, "input " + std::to_string(index) + " missing; expected a tensor");
  const auto found = activations_.find(node.input(index));
  if (found == activations_.end())
    fail(node, "input '" + node.input(index) +
                   "' is a constant; expected a tensor computed from the image");
  return found->second;
}

const Constant& Importer::constant(const onnx::NodeProto& node, int index) const {
  if (!has_input(node, index))
    fail(node, "input " + std::to_string(index) + " missing; expected an initializer");
  const auto found = constants_.find(node.input(index));
  if (found == constants_.end())
    fail(node, "input '" + node.input(index) +
                   "' is computed from the image; expected an initializer (a weight)");
  return found->second;
}

int Importer::add_layer(Network& net, Layer layer, const onnx::NodeProto& node,
                        const std::vector<int>& inputs, const std::string& weight_name) {
  // A parameter tensor "x.weight" names its layer "x" (as in a safetensors
  // file); otherwise the node's name, or the operator and a number.
  std::string name = node.name();
  const std::string suffix = ".weight";
  if (weight_name.size() > suffix.size() &&
      weight_name.compare(weight_name.size() - suffix.size(), suffix.size(), suffix) == 0)
    name = weight_name.substr(0, weight_name.size() - suffix.size());
  if (!name.empty() && name[0] == '/') name.erase(0, 1);
  if (name.empty()) name = node.op_type() + "_" + std::to_string(net.layers.size());
  std::string unique = name;
  for (int n = 2; names_.count(unique); ++n) unique = name + "_" + std::to_string(n);
  names_.insert(unique);
  layer.name = unique;
  layer.inputs = inputs.empty() ? std::vector<int>{-1} : inputs;
  net.layers.push_back(std::move(layer));
  open_bias_.push_back(false);
  return static_cast<int>(net.layers.size()) - 1;
}

void Importer::set_output(const onnx::NodeProto& node, Activation activation) {
  if (node.output_size() < 1 || node.output(0).empty()) fail(node, "has no output");
  activations_[node.output(0)] = activation;
}

void Importer::window(const onnx::NodeProto& node, Layer& layer, const Shape& in,
                      int kernel) const {
  const std::string auto_pad = string_attribute(node, "auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && auto_pad != "VALID")
    fail(node, "auto_pad " + auto_pad + " not supported; expected explicit pads");
  const std::vector<int64_t> strides = ints_attribute(node, "strides");
  const std::vector<int64_t> dilations = ints_attribute(node, "dilations");
  const std::vector<int64_t> pads = ints_attribute(node, "pads");
  const auto same2 = [&](const std::vector<int64_t>& v, int64_t fallback, const char* what) {
    if (v.empty()) return fallback;
    if (v.size() != 2 || v[0] != v[1] || v[0] < 1 || v[0] > kMaxDimension)
      fail(node, std::string(what) + ": expected two equal values from 1 to 65536");
    return v[0];
  };
  layer.stride = static_cast<int>(same2(strides, 1, "strides"));
  layer.dilation = static_cast<int>(same2(dilations, 1, "dilations"));
  if (!pads.empty()) {
    if (pads.size() != 4 || pads[0] != pads[1] || pads[2] != pads[3] || pads[0] < 0 ||
        pads[2] < 0 || pads[0] > kMaxDimension || pads[2] > kMaxDimension)
      fail(node,
           "pads: expected [top, left, bottom, right] with top = left and bottom = right, "
           "0 to 65536");
    layer.padding = static_cast<int>(pads[0]);
    layer.padding_end = static_cast<int>(pads[2]);
  }
  if (int_attribute(node, "ceil_mode", 0) != 0) fail(node, "ceil_mode 1 not supported");
  const int64_t span = static_cast<int64_t>(layer.dilation) * (kernel - 1) + 1;
  const int64_t out_h = (in.height + layer.padding + layer.pad_end() - span) / layer.stride + 1;
  const int64_t out_w = (in.width + layer.padding + layer.pad_end() - span) / layer.stride + 1;
  if (in.height + layer.padding + layer.pad_end() < span ||
      in.width + layer.padding + layer.pad_end() < span || out_h < 1 || out_w < 1)
    fail(node, "a " + std::to_string(kernel) + "x" + std::to_string(kernel) +
                   " window does not fit the " + std::to_string(in.height) + "x" +
                   std::to_string(in.width) + " input with its pads");
  layer.output.height = static_cast<int>(out_h);
  layer.output.width = static_cast<int>(out_w);
}

void Importer::conv(const onnx::NodeProto& node, Network& net) {
  const Activation x = activation(node, 0);
  const Constant& w = constant(node, 1);
  if (x.rank != 4 || x.flat_from) fail(node, "expected a feature map [N, C, H, W] input");
  if (w.dims.size() != 4 || w.dims[2] != w.dims[3] || w.dims[0] < 1 || w.dims[2] < 1)
    fail(node, "weight '" + node.input(1) + "': expected [M, C/group, k, k] (square kernels)");
  const int64_t groups = int_attribute(node, "group", 1);
  const std::vector<int64_t> kernel_shape = ints_attribute(node, "kernel_shape");
  if (!kernel_shape.empty() &&
      (kernel_shape.size() != 2 || kernel_shape[0] != w.dims[2] || kernel_shape[1] != w.dims[3]))
    fail(node, "kernel_shape disagrees with the weight's shape");
  if (groups < 1 || x.shape.channels % groups || w.dims[0] % groups ||
      w.dims[1] * groups != x.shape.channels || w.dims[0] > kMaxDimension ||
      w.dims[2] > kMaxDimension)
    fail(node, "weight '" + node.input(1) + "' [" + std::to_string(w.dims[0]) + ", " +
                   std::to_string(w.dims[1]) + ", ...] with group " + std::to_string(groups) +
                   " does not match the input's " + std::to_string(x.shape.channels) + " channels");
  Layer layer;
  layer.kind = LayerKind::kConv2d;
  layer.input = x.shape;
  layer.kernel = static_cast<int>(w.dims[2]);
  layer.groups = static_cast<int>(groups);
  layer.output.channels = static_cast<int>(w.dims[0]);
  window(node, layer, x.shape, layer.kernel);
  const int oc = layer.output.channels;
  layer.weights = conv_to_hwc(std::vector<float>(w.values.begin(), w.values.end()), oc,
                              static_cast<int>(w.dims[1]), layer.kernel);
  layer.bias.assign(static_cast<size_t>(oc), 0.0f);
  if (has_input(node, 2)) {
    const Constant& b = constant(node, 2);
    if (b.size() != static_cast<size_t>(oc))
      fail(node, "bias '" + node.input(2) + "': expected " + std::to_string(oc) + " values");
    std::transform(b.values.begin(), b.values.end(), layer.bias.begin(),
                   [](double v) { return static_cast<float>(v); });
  }
  const Shape out = layer.output;
  const int index = add_layer(net, std::move(layer), node, {x.layer}, node.input(1));
  set_output(node, Activation{index, out, std::nullopt, 4});
}

void Importer::gemm(const onnx::NodeProto& node, Network& net, bool matmul) {
  const Activation x = activation(node, 0);
  const Constant& w = constant(node, 1);
  if (x.shape.height * x.shape.width != 1 && !x.flat_from)
    fail(node, "input is a feature map; expected a vector (Flatten it first)");
  if (!matmul && int_attribute(node, "transA", 0) != 0) fail(node, "transA 1 not supported");
  const bool trans_b = !matmul && int_attribute(node, "transB", 0) != 0;
  const auto in_f = static_cast<int64_t>(x.shape.size());
  if (w.dims.size() != 2 || w.dims[trans_b ? 1 : 0] != in_f || w.dims[trans_b ? 0 : 1] < 1 ||
      w.dims[trans_b ? 0 : 1] > kMaxDimension)
    fail(node,
         "weight '" + node.input(1) + "': expected " +
             (trans_b ? "[N, " + std::to_string(in_f) + "]" : "[" + std::to_string(in_f) + ", N]") +
             " for the input's " + std::to_string(in_f) + " values");
  const int out_f = static_cast<int>(w.dims[trans_b ? 0 : 1]);
  const double alpha = matmul ? 1.0 : float_attribute(node, "alpha", 1.0f);
  const double beta = matmul ? 1.0 : float_attribute(node, "beta", 1.0f);
  Layer layer;
  layer.kind = LayerKind::kLinear;
  layer.input = x.shape;
  layer.output = {out_f, 1, 1};
  std::vector<float> weights(static_cast<size_t>(out_f) * in_f);
  for (int o = 0; o < out_f; ++o)
    for (int64_t i = 0; i < in_f; ++i)
      weights[static_cast<size_t>(o) * in_f + i] =
          static_cast<float>(alpha * w.values[trans_b ? static_cast<size_t>(o) * in_f + i
                                                      : static_cast<size_t>(i) * out_f + o]);
  const bool spatial =
      x.flat_from && x.flat_from->height * x.flat_from->width > 1 && x.flat_from->channels > 1;
  // Columns in ONNX's (c, h, w) flatten order -> lvsim's (h, w, c).
  layer.weights =
      spatial ? linear_columns_to_hwc(weights, out_f, *x.flat_from) : std::move(weights);
  layer.bias.assign(static_cast<size_t>(out_f), 0.0f);
  if (!matmul && has_input(node, 2)) {
    const Constant& b = constant(node, 2);
    if (b.size() != static_cast<size_t>(out_f) && b.size() != 1)
      fail(node, "bias '" + node.input(2) + "': expected " + std::to_string(out_f) + " values");
    for (int o = 0; o < out_f; ++o)
      layer.bias[static_cast<size_t>(o)] =
          static_cast<float>(beta * b.values[b.size() == 1 ? 0 : static_cast<size_t>(o)]);
  }
  const int index = add_layer(net, std::move(layer), node, {x.layer}, node.input(1));
  open_bias_[static_cast<size_t>(index)] = matmul;
  set_output(node, Activation{index, {out_f, 1, 1}, std::nullopt, 2});
}

// The parametric layer that alone reads into `x`, if any.
int sole_parametric_producer(const Network& net, const Activation& x, int readers) {
  if (x.layer < 0 || readers != 1 || x.flat_from) return -1;
  return net.layers[static_cast<size_t>(x.layer)].has_parameters() ? x.layer : -1;
}

void Importer::batch_norm(const onnx::NodeProto& node, Network& net) {
  const Activation x = activation(node, 0);
  const int target = sole_parametric_producer(net, x, readers_[node.input(0)]);
  if (target < 0) fail(node, "can only be folded into a Conv or Gemm whose output it alone reads");
  Layer& layer = net.layers[static_cast<size_t>(target)];
  const size_t channels = static_cast<size_t>(layer.output.channels);
  const Constant* p[4];
  for (int i = 0; i < 4; ++i) {
    p[i] = &constant(node, i + 1);
    if (p[i]->size() != channels)
      fail(node, "'" + node.input(i + 1) + "': expected " + std::to_string(channels) + " values");
  }
  const double epsilon = float_attribute(node, "epsilon", 1e-5f);
  const size_t per_channel = layer.weights.size() / channels;
  for (size_t c = 0; c < channels; ++c) {
    const double variance = p[3]->values[c] + epsilon;
    if (!(variance > 0.0)) fail(node, "variance + epsilon must be above 0");
    const double scale = p[0]->values[c] / std::sqrt(variance);
    for (size_t i = 0; i < per_channel; ++i)
      layer.weights[c * per_channel + i] =
          static_cast<float>(layer.weights[c * per_channel + i] * scale);
    layer.bias[c] = static_cast<float>((layer.bias[c] - p[2]->values[c]) * scale + p[1]->values[c]);
  }
  open_bias_[static_cast<size_t>(target)] = false;
  net.notes.push_back("BatchNormalization '" + node.name() + "' folded into '" + layer.name + "'");
  set_output(node, x);
}

void Importer::add(const onnx::NodeProto& node, Network& net) {
  if (node.input_size() != 2) fail(node, "expected two inputs");
  const bool first_constant = is_constant(node.input(0));
  if (first_constant || is_constant(node.input(1))) {
    // A bias after a MatMul: fused into it.
    const Activation x = activation(node, first_constant ? 1 : 0);
    const Constant& b = constant(node, first_constant ? 0 : 1);
    const int target = sole_parametric_producer(net, x, readers_[node.input(first_constant)]);
    if (target < 0 || !open_bias_[static_cast<size_t>(target)])
      fail(node, "adds a constant; expected it only as the bias right after a MatMul");
    Layer& layer = net.layers[static_cast<size_t>(target)];
    if (b.size() != layer.bias.size())
      fail(node, "bias '" + node.input(first_constant ? 0 : 1) + "': expected " +
                     std::to_string(layer.bias.size()) + " values");
    std::transform(b.values.begin(), b.values.end(), layer.bias.begin(),
                   [](double v) { return static_cast<float>(v); });
    open_bias_[static_cast<size_t>(target)] = false;
    set_output(node, x);
    return;
  }
  const Activation a = activation(node, 0), b = activation(node, 1);
  if (!(a.shape == b.shape) || a.flat_from.has_value() != b.flat_from.has_value())
    fail(node, "adds tensors of different shapes; expected equal shapes (no broadcasting)");
  Layer layer;
  layer.kind = LayerKind::kAdd;
  layer.input = a.shape;
  layer.output = a.shape;
  const int index = add_layer(net, std::move(layer), node, {a.layer, b.layer});
  set_output(node, Activation{index, a.shape, a.flat_from, a.rank});
}

void Importer::pool(const onnx::NodeProto& node, Network& net, LayerKind kind) {
  const Activation x = activation(node, 0);
  if (x.rank != 4 || x.flat_from) fail(node, "expected a feature map [N, C, H, W] input");
  if (node.output_size() > 1 && !node.output(1).empty() && readers_[node.output(1)] > 0)
    fail(node, "its indices output is read; not supported");
  Layer layer;
  layer.kind = kind;
  layer.input = x.shape;
  layer.output.channels = x.shape.channels;
  if (kind == LayerKind::kGlobalAvgPool) {
    layer.output.height = layer.output.width = 1;
  } else {
    const std::vector<int64_t> kernel = ints_attribute(node, "kernel_shape");
    if (kernel.size() != 2 || kernel[0] != kernel[1] || kernel[0] < 1 || kernel[0] > kMaxDimension)
      fail(node, "kernel_shape: expected a square window [k, k]");
    layer.pool = static_cast<int>(kernel[0]);
    if (!ints_attribute(node, "dilations").empty()) {
      const std::vector<int64_t> d = ints_attribute(node, "dilations");
      if (d.size() != 2 || d[0] != 1 || d[1] != 1) fail(node, "dilations other than 1");
    }
    if (int_attribute(node, "storage_order", 0) != 0) fail(node, "storage_order 1 not supported");
    window(node, layer, x.shape, layer.pool);
    layer.dilation = 1;
    if (kind == LayerKind::kAvgPool)
      layer.count_include_pad = int_attribute(node, "count_include_pad", 0) != 0;
  }
  const Shape out = layer.output;
  const int index = add_layer(net, std::move(layer), node, {x.layer});
  set_output(node, Activation{index, out, std::nullopt, 4});
}

void Importer::pad(const onnx::NodeProto& node, Network& net) {
  const Activation x = activation(node, 0);
  if (x.rank != 4 || x.flat_from) fail(node, "expected a feature map [N, C, H, W] input");
  if (string_attribute(node, "mode", "constant") != "constant")
    fail(node, "mode " + string_attribute(node, "mode", "") + " not supported; expected constant");
  std::vector<int64_t> pads;
  double value = 0.0;
  if (opset_ < 11) {
    pads = ints_attribute(node, "pads");
    value = float_attribute(node, "value", 0.0f);
  } else {
    const Constant& p = constant(node, 1);
    for (double v : p.values) pads.push_back(static_cast<int64_t>(v));
    if (has_input(node, 2)) {
      const Constant& c = constant(node, 2);
      if (c.size() != 1) fail(node, "constant_value: expected one value");
      value = c.values[0];
    }
  }
  if (pads.size() != 8 || pads[0] || pads[1] || pads[4] || pads[5] || pads[2] != pads[3] ||
      pads[6] != pads[7] || pads[2] < 0 || pads[6] < 0 || pads[2] > kMaxDimension ||
      pads[6] > kMaxDimension)
    fail(node,
         "pads: expected zeros on N and C and equal non-negative pads on H and W "
         "[0, 0, p, p, 0, 0, q, q]");
  if (value != 0.0) fail(node, "pads with " + std::to_string(value) + "; expected zeros");
  if (pads[2] == 0 && pads[6] == 0) return set_output(node, x);  // nothing to pad
  Layer layer;
  layer.kind = LayerKind::kPad;
  layer.input = x.shape;
  layer.padding = static_cast<int>(pads[2]);
  layer.padding_end = static_cast<int>(pads[6]);
  layer.output = {x.shape.channels, x.shape.height + layer.padding + layer.padding_end,
                  x.shape.width + layer.padding + layer.padding_end};
  const Shape out = layer.output;
  const int index = add_layer(net, std::move(layer), node, {x.layer});
  set_output(node, Activation{index, out, std::nullopt, 4});
}

void Importer::reshape(const onnx::NodeProto& node, bool flatten) {
  const Activation x = activation(node, 0);
  const auto size = static_cast<int64_t>(x.shape.size());
  if (flatten) {
    const int64_t axis = int_attribute(node, "axis", 1);
    if (axis != 1 && !(x.rank == 2 && axis == -1))
      fail(node, "axis " + std::to_string(axis) + " not supported; expected 1");
  } else {
    const Constant& shape = constant(node, 1);
    const std::vector<double>& s = shape.values;
    if (std::count(s.begin(), s.end(), -1.0) > 1)
      fail(node, "shape [" + shape_text(s) +
                     "] has more than one -1; expected at most one (ONNX infers one dimension)");
    const bool flat = s.size() == 2 && (s[0] == 1 || s[0] == -1 || s[0] == 0) &&
                      (s[1] == -1 || s[1] == static_cast<double>(size));
    const bool same = s.size() == 4 && (s[0] == 1 || s[0] == -1 || s[0] == 0) &&
                      s[1] == x.shape.channels && s[2] == x.shape.height && s[3] == x.shape.width &&
                      x.rank == 4 && !x.flat_from;
    if (same) return set_output(node, x);
    if (!flat)
      fail(node, "shape [" + shape_text(s) + "] not supported; expected a flattening [N, -1]");
  }
  Activation out = x;
  if (x.rank == 4 && !x.flat_from) out.flat_from = x.shape;
  out.shape = {static_cast<int>(size), 1, 1};
  out.rank = 2;
  set_output(node, out);
}

void Importer::concat(const onnx::NodeProto& node, Network& net) {
  if (node.input_size() < 1) fail(node, "has no inputs");
  const Activation first = activation(node, 0);
  const int64_t axis = int_attribute(node, "axis", 1);
  if (!(axis == 1 || (first.rank == 4 && axis == -3) || (first.rank == 2 && axis == -1)))
    fail(node, "axis " + std::to_string(axis) + " not supported; expected the channels (1)");
  Layer layer;
  layer.kind = LayerKind::kConcat;
  layer.input = first.shape;
  layer.output = {0, first.shape.height, first.shape.width};
  std::vector<int> inputs;
  for (int i = 0; i < node.input_size(); ++i) {
    const Activation a = activation(node, i);
    if (a.shape.height != first.shape.height || a.shape.width != first.shape.width || a.flat_from ||
        a.rank != first.rank)
      fail(node, "inputs of different heights or widths; expected equal");
    layer.output.channels += a.shape.channels;
    if (layer.output.channels > kMaxElements) fail(node, "too many channels");
    inputs.push_back(a.layer);
  }
  const Shape out = layer.output;
  const int index = add_layer(net, std::move(layer), node, inputs);
  set_output(node, Activation{index, out, std::nullopt, first.rank});
}

void Importer::elementwise(const onnx::NodeProto& node, Network& net, LayerKind kind) {
  const Activation x = activation(node, 0);
  Layer layer;
  layer.kind = kind;
  layer.input = x.shape;
  layer.output = x.shape;
  if (kind == LayerKind::kLeakyRelu) layer.alpha = float_attribute(node, "alpha", 0.01f);
  if (kind == LayerKind::kClip) {
    layer.alpha = -std::numeric_limits<float>::infinity();
    layer.beta = std::numeric_limits<float>::infinity();
    if (opset_ < 11) {
      layer.alpha = float_attribute(node, "min", layer.alpha);
      layer.beta = float_attribute(node, "max", layer.beta);
    } else {
      for (int i = 1; i <= 2; ++i)
        if (has_input(node, i)) {
          const Constant& c = constant(node, i);
          if (c.size() != 1) fail(node, "min and max: expected one value each");
          (i == 1 ? layer.alpha : layer.beta) = static_cast<float>(c.values[0]);
        }
    }
    // NaN compares false both ways: named as such, not as "min above max".
    for (const auto& [bound, value] : {std::pair{"min", layer.alpha}, std::pair{"max", layer.beta}})
      if (std::isnan(value))
        fail(node, std::string(bound) + " is not a number (NaN); expected numbers min <= max");
    if (!(layer.alpha <= layer.beta)) fail(node, "min above max; expected min <= max");
  }
  if (kind == LayerKind::kSoftmax) {
    const int64_t axis = int_attribute(node, "axis", opset_ < 13 ? 1 : -1);
    const bool vector = x.shape.height * x.shape.width == 1 && !x.flat_from;
    if (!vector || !(axis == 1 || axis == -1))
      fail(node, "expected the class scores [N, C] and axis 1");
  }
  const int index = add_layer(net, std::move(layer), node, {x.layer});
  set_output(node, Activation{index, x.shape, x.flat_from, x.rank});
}

void Importer::constant_node(const onnx::NodeProto& node) {
  const onnx::AttributeProto* value = attribute(node, "value");
  if (!value || value->type() != onnx::AttributeProto::TENSOR)
    fail(node, "expected a tensor attribute 'value'");
  if (node.output_size() < 1) fail(node, "has no output");
  constants_[node.output(0)] = read_tensor(value->t());
}

void Importer::pass_through(const onnx::NodeProto& node) {
  if (node.output_size() < 1) fail(node, "has no output");
  if (is_constant(node.input_size() ? node.input(0) : ""))
    constants_[node.output(0)] = constants_.at(node.input(0));
  else
    set_output(node, activation(node, 0));
}

// What lvsim imports of each operator, in the order the README lists them.
const Importer::Operator Importer::kOperators[] = {
    {"Conv",
     "strides, pads, dilations, group (depthwise too); square kernels, equal on height and width",
     [](Importer& in, const Node& n, Network& net) { in.conv(n, net); }},
    {"Gemm",
     "a weight initializer, `transB`, `alpha`, `beta` and a bias; fed by a vector (Flatten first)",
     [](Importer& in, const Node& n, Network& net) { in.gemm(n, net, false); }},
    {"MatMul", "by a weight initializer; an Add of a constant bias right after it is fused into it",
     [](Importer& in, const Node& n, Network& net) { in.gemm(n, net, true); }},
    {"Add", "two tensors of one shape (residual connections), or a MatMul's bias",
     [](Importer& in, const Node& n, Network& net) { in.add(n, net); }},
    {"Relu", "element-wise, any tensor",
     [](Importer& in, const Node& n, Network& net) { in.elementwise(n, net, LayerKind::kRelu); }},
    {"Clip", "`min` and `max` as attributes or constant inputs (ReLU6)",
     [](Importer& in, const Node& n, Network& net) { in.elementwise(n, net, LayerKind::kClip); }},
    {"LeakyRelu", "`alpha`",
     [](Importer& in, const Node& n, Network& net) {
       in.elementwise(n, net, LayerKind::kLeakyRelu);
     }},
    {"Sigmoid", "element-wise, any tensor",
     [](Importer& in, const Node& n, Network& net) {
       in.elementwise(n, net, LayerKind::kSigmoid);
     }},
    {"Softmax", "over the class scores [N, C] (axis 1)",
     [](Importer& in, const Node& n, Network& net) {
       in.elementwise(n, net, LayerKind::kSoftmax);
     }},
    {"MaxPool", "square windows, strides, pads; no dilations, `ceil_mode` or indices output",
     [](Importer& in, const Node& n, Network& net) { in.pool(n, net, LayerKind::kMaxPool); }},
    {"AveragePool", "square windows, strides, pads, `count_include_pad`; no `ceil_mode`",
     [](Importer& in, const Node& n, Network& net) { in.pool(n, net, LayerKind::kAvgPool); }},
    {"GlobalAveragePool", "over height and width",
     [](Importer& in, const Node& n, Network& net) { in.pool(n, net, LayerKind::kGlobalAvgPool); }},
    {"BatchNormalization",
     "folded into the Conv or Gemm before it at load (the summary's `network` line says so)",
     [](Importer& in, const Node& n, Network& net) { in.batch_norm(n, net); }},
    {"Concat", "along the channels (axis 1)",
     [](Importer& in, const Node& n, Network& net) { in.concat(n, net); }},
    {"Flatten", "axis 1", [](Importer& in, const Node& n, Network&) { in.reshape(n, true); }},
    {"Reshape", "to a constant flattening shape `[N, -1]` (to the input's own shape: a no-op)",
     [](Importer& in, const Node& n, Network&) { in.reshape(n, false); }},
    {"Pad", "constant zeros on height and width",
     [](Importer& in, const Node& n, Network& net) { in.pad(n, net); }},
    {"Constant", "a tensor `value` (weights, shapes, pads)",
     [](Importer& in, const Node& n, Network&) { in.constant_node(n); }},
    {"Dropout", "a no-op (inference)",
     [](Importer& in, const Node& n, Network&) { in.pass_through(n); }},
    {"Identity", "a no-op", [](Importer& in, const Node& n, Network&) { in.pass_through(n); }},
};

std::string Importer::operator_names() {
  std::string names;
  for (const Operator& op : kOperators) names += (names.empty() ? "" : ", ") + std::string(op.name);
  return names;
}

void Importer::import(const onnx::NodeProto& node, Network& net) {
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    fail(node, "operator domain '" + node.domain() + "' not supported; lvsim supports " +
                   operator_names() + " of the default domain");
  const auto found = std::find_if(std::begin(kOperators), std::end(kOperators),
                                  [&](const Operator& op) { return node.op_type() == op.name; });
  if (found == std::end(kOperators))
    fail(node, "operator " + node.op_type() + " not supported; lvsim supports " + operator_names());
  found->import(*this, node, net);
}

Network Importer::run() {
  for (const onnx::OperatorSetIdProto& set : model_.opset_import())
    if (set.domain().empty() || set.domain() == "ai.onnx") opset_ = set.version();
  if (opset_ < 9 || opset_ > 18)
    fail("opset " + std::to_string(opset_) + " of the default domain; expected 9 to 18");
  if (model_.graph().output_size() < 1) fail("the graph has no output; expected the class scores");
  if (model_.graph().output_size() > 1) {
    // Run on the first, the others would be dropped without a word.
    std::string names;
    for (const onnx::ValueInfoProto& out : model_.graph().output())
      names += (names.empty() ? "'" : ", '") + out.name() + "'";
    fail("the graph has " + std::to_string(model_.graph().output_size()) + " outputs (" + names +
         "); lvsim needs exactly one graph output, the class scores");
  }
  Network net;
  net.path = path_;
  read_metadata(net);
  read_initializers();
  read_input(net);
  const std::string& output = model_.graph().output(0).name();
  const std::vector<const onnx::NodeProto*> order = topological_order(output);
  for (const onnx::NodeProto* node : order)
    for (const std::string& in : node->input()) ++readers_[in];
  ++readers_[output];
  for (const onnx::NodeProto* node : order) import(*node, net);
  const auto found = activations_.find(output);
  if (found == activations_.end() || found->second.layer < 0)
    fail("graph output '" + output + "' is not computed by any layer from the image");
  const Activation& out = found->second;
  if (out.shape.height * out.shape.width != 1 && !out.flat_from)
    fail("graph output '" + output + "' is a feature map; expected class scores [N, classes]");
  if (out.flat_from && out.flat_from->height * out.flat_from->width > 1)
    fail("graph output '" + output + "' is a flattened feature map; expected class scores");
  if (out.layer != static_cast<int>(net.layers.size()) - 1)
    fail("graph output '" + output + "' is not made by the last layer");
  for (const Layer& layer : net.layers)
    for (const std::vector<float>* values : {&layer.weights, &layer.bias}) {
      const auto bad =
          std::find_if(values->begin(), values->end(), [](float v) { return !std::isfinite(v); });
      if (bad != values->end())
        fail("layer '" + layer.name + "' has a " + (std::isnan(*bad) ? "NaN" : "infinite") +
             " parameter; expected finite weights");
    }
  return net;
}

}  // namespace

std::vector<OnnxOperator> onnx_operators() {
  std::vector<OnnxOperator> operators;
  for (const Importer::Operator& op : Importer::kOperators)
    operators.push_back({op.name, op.support});
  return operators;
}

std::string onnx_operators_text() {
  std::ostringstream text;
  for (const OnnxOperator& op : onnx_operators()) {
    text << op.name << std::string(std::max<size_t>(2, 20 - op.name.size()), ' ') << op.support
         << "\n";
  }
  return text.str();
}

std::string onnx_operators_markdown() {
  std::string table = "| operator | what lvsim imports of it |\n|---|---|\n";
  for (const OnnxOperator& op : onnx_operators())
    table += "| `" + op.name + "` | " + op.support + " |\n";
  return table;
}

Network parse_onnx(const std::string& bytes, const std::string& path) {
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes))
    throw Error(path +
                ": not an ONNX model (the protobuf does not parse: truncated or another "
                "format?)");
  if (!model.has_graph() || model.graph().node_size() == 0)
    throw Error(path + ": an ONNX model without a graph; expected torch.onnx.export's output");
  return Importer(model, path).run();
}

Network load_onnx(const std::string& path) {
  const std::vector<uint8_t> bytes = read_regular_file(path, "ONNX model");
  return parse_onnx(std::string(bytes.begin(), bytes.end()), path);
}

}  // namespace lvsim
