// A feed-forward image classifier loaded from one self-describing safetensors
// file: the tensors "<layer>.weight"/"<layer>.bias" in PyTorch layouts, and in
// __metadata__ the topology ("layers", a JSON list), "input_shape" ([C,H,W]) and
// "input_scale" (pixel multiplier). workloads/networks/safetensors/train.py writes such files;
// any network made of the supported layers can be dropped in the same way.
#pragma once

#include <string>
#include <vector>

#include "workloads/formats/safetensors.h"
#include "workloads/layers.h"

namespace lvsim {

// A network is a graph of layers in topological order: each layer reads the
// outputs of earlier ones (Layer::inputs), the last produces the class
// scores. A safetensors network is a chain; an ONNX one (workloads/formats/onnx.h)
// may branch and join (residual Add, Concat).
struct Network {
  std::string path;
  std::string name;
  std::string dataset;       // the dataset it was trained on
  Shape input;               // [C,H,W] of one image
  float input_scale = 1.0f;  // pixel (0..255) -> input value
  float input_mean = 0.0f;   // ... then (value - mean) / std
  float input_std = 1.0f;
  double reference_accuracy = -1.0;  // test accuracy recorded at export, or -1
  std::vector<Layer> layers;
  // What the import did to the model ("BatchNormalization 'bn1' folded into
  // Conv 'conv1'"), for the report.
  std::vector<std::string> notes;

  // The input value of a pixel (0..255).
  float normalize(float pixel) const {
    const float x = pixel * input_scale;
    return input_mean == 0.0f && input_std == 1.0f ? x : (x - input_mean) / input_std;
  }
  // The layers layer `i` reads (-1: the network's input).
  std::vector<int> layer_inputs(size_t i) const {
    if (!layers[i].inputs.empty()) return layers[i].inputs;
    return {static_cast<int>(i) - 1};
  }
  // How many layers read each layer's output (the last layer's counts the
  // network's output as one more).
  std::vector<int> consumer_counts() const;

  // Loads and validates the topology and every parameter's shape; converts the
  // parameters to the accelerator's layout (conv weights [oc][ky][kx][ic]; the
  // columns of a linear layer fed by a flatten permuted from CHW to HWC order).
  static Network load(const std::string& path);
  // The same from a weights file already read (its path names it in errors).
  static Network from(const SafeTensors& st);

  int classes() const { return layers.empty() ? 0 : layers.back().output.channels; }
  uint64_t macs_per_image() const;
  size_t parameter_count() const;
  size_t max_activation_size() const;  // largest per-image tensor between layers
};

// PyTorch's (and ONNX's) layouts -> the accelerator's, for both readers: conv
// weights [oc][ic][k][k] -> [oc][k][k][ic] (ic: input channels per group), and
// the columns of a matrix product fed by a flattened [C,H,W] map from (c, h, w)
// to (h, w, c) order.
std::vector<float> conv_to_hwc(const std::vector<float>& w, int oc, int ic, int k);
std::vector<float> linear_columns_to_hwc(const std::vector<float>& w, int out_features,
                                         const Shape& s);

}  // namespace lvsim
