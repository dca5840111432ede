// The arithmetic of a network's layers, as the MAC array computes it.
//
// Activations are channels-last (HWC) per image, images back to back, so a
// convolution lowers to one GEMM over a whole chunk of images (im2col) and a
// fully-connected layer to one GEMM whose columns are images. The GEMMs are
// Eigen's; results depend only on the layer and the chunk shape, never on the
// thread count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace lvsim {

struct Shape {
  int channels = 0;
  int height = 1;
  int width = 1;
  size_t size() const { return static_cast<size_t>(channels) * height * width; }
  bool operator==(const Shape& o) const {
    return channels == o.channels && height == o.height && width == o.width;
  }
};

enum class LayerKind { kConv2d, kRelu, kMaxPool, kFlatten, kDropout, kLinear };

struct Layer {
  LayerKind kind = LayerKind::kRelu;
  std::string name;  // parameter prefix in the weights file ("conv1"); empty if none
  Shape input;
  Shape output;
  int kernel = 0;   // conv2d: square kernel size
  int padding = 0;  // conv2d: zero padding on each side
  int pool = 0;     // maxpool: window and stride
  // Parameters in the accelerator's layout (see Network::load):
  //   conv2d weights [out_c][ky][kx][in_c], linear weights [out][in] (in = HWC index).
  std::vector<float> weights;
  std::vector<float> bias;

  bool has_parameters() const { return kind == LayerKind::kConv2d || kind == LayerKind::kLinear; }
  // GEMM view of the layer per image: output rows (channels), reduction depth,
  // output positions.
  int gemm_rows() const { return output.channels; }
  int gemm_depth() const;
  int gemm_positions() const { return output.height * output.width; }
  uint64_t macs_per_image() const;
};

// conv2d over `images` HWC tensors; `columns` is reusable scratch for im2col.
void conv2d_forward(const Layer& layer, const float* weights, const float* bias, const float* in,
                    int images, float* out, std::vector<float>& columns);
void linear_forward(const Layer& layer, const float* weights, const float* bias, const float* in,
                    int images, float* out);
void relu_forward(float* data, size_t count);
void maxpool_forward(const Layer& layer, const float* in, int images, float* out);

}  // namespace lvsim
