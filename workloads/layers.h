// The reference arithmetic of a network's layers, as the MAC array computes it.
//
// Activations are channels-last (HWC) per image, images back to back, so a
// convolution over several images lowers to one GEMM (im2col) and a
// fully-connected layer to one GEMM whose columns are images. The GEMMs are
// Eigen's; a result depends only on the layer and the images given, never on
// the thread count. How many images each call gets and on which host thread
// is the host engine's business (models/array/host/forward_batch.h).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
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

// kFlatten, kDropout and kPad move no data on the accelerator (a flatten is an
// addressing change, a pad the zeros the next layer's window reads); kPad is
// computed on the host as a copy. kConcat joins its inputs' channels.
enum class LayerKind {
  kConv2d,
  kRelu,
  kMaxPool,
  kFlatten,
  kDropout,
  kLinear,
  kAvgPool,
  kGlobalAvgPool,
  kAdd,
  kConcat,
  kClip,
  kLeakyRelu,
  kSigmoid,
  kSoftmax,
  kPad,
};

const char* layer_kind_name(LayerKind kind);

struct Layer {
  LayerKind kind = LayerKind::kRelu;
  // The parameters' prefix in a safetensors file ("conv1"), or the ONNX
  // node's name; empty for an unnamed layer without parameters.
  std::string name;
  Shape input;  // of the first input
  Shape output;
  // The layers whose outputs this one reads, in order (-1: the network's
  // input). Empty: the layer before it (or the input, for the first).
  std::vector<int> inputs;
  int kernel = 0;        // conv2d: square kernel size
  int padding = 0;       // conv2d, pools, pad: zeros before each row and column (top, left)
  int padding_end = -1;  // ... after them (bottom, right); -1: the same as padding
  int pool = 0;          // maxpool, avgpool: square window
  int stride = 0;        // conv2d, pools; 0: 1 for a convolution, the window for a pool
  int dilation = 1;      // conv2d
  int groups = 1;        // conv2d: channel groups (depthwise: groups = input channels)
  bool count_include_pad = false;  // avgpool: divide by the whole window, padding included
  float alpha = 0.0f;              // clip: min; leaky relu: negative slope
  float beta = 0.0f;               // clip: max
  // Parameters in the accelerator's layout (see Network::load):
  //   conv2d weights [out_c][ky][kx][in_c], linear weights [out][in] (in = HWC index).
  std::vector<float> weights;
  std::vector<float> bias;

  bool has_parameters() const { return kind == LayerKind::kConv2d || kind == LayerKind::kLinear; }
  int step() const { return stride > 0 ? stride : kind == LayerKind::kConv2d ? 1 : pool; }
  int pad_end() const { return padding_end >= 0 ? padding_end : padding; }
  // Element operations per image on the vector unit (models/array/mac_array.h):
  // compares, adds, multiplications by a constant; 0 for a MAC layer and for
  // data movement.
  uint64_t vector_ops_per_image() const;
  // GEMM view of the layer per image: output rows (channels), reduction depth,
  // output positions. A grouped convolution is `groups` such GEMMs of
  // gemm_rows() / groups rows each.
  int gemm_rows() const { return output.channels; }
  int gemm_depth() const;
  int gemm_positions() const { return output.height * output.width; }
  uint64_t macs_per_image() const;
};

// Makes a scratch buffer hold at least `size` floats, never shrinking it: the
// same scratch serves layers and epochs of different sizes in turn, and a
// vector resized back up zero-fills (and may move) its whole new tail each time.
// It grows at least twofold, so a caller whose sizes creep up (epochs of 255,
// then 256 images) moves and page-faults it a few times, not at every step.
inline void grow_scratch(std::vector<float>& scratch, size_t size) {
  if (scratch.size() < size) scratch.resize(std::max(size, 2 * scratch.size()));
}

// conv2d over `images` HWC tensors; `columns` is reusable scratch for im2col
// (left unfilled by a depthwise convolution, computed directly: conv2d_direct).
bool conv2d_direct(const Layer& layer);
void conv2d_forward(const Layer& layer, const float* weights, const float* bias, const float* in,
                    int images, float* out, std::vector<float>& columns);
void linear_forward(const Layer& layer, const float* weights, const float* bias, const float* in,
                    int images, float* out);
// Output rows [first_row, first_row + rows) of linear_forward, for all images.
void linear_rows_forward(const Layer& layer, const float* weights, const float* bias,
                         const float* in, int images, float* out, int first_row, int rows);
void relu_forward(float* data, size_t count);
void maxpool_forward(const Layer& layer, const float* in, int images, float* out);
void avgpool_forward(const Layer& layer, const float* in, int images, float* out);
void global_avgpool_forward(const Layer& layer, const float* in, int images, float* out);
void pad_forward(const Layer& layer, const float* in, int images, float* out);
// Element-wise in place: clip to [alpha, beta], leaky relu, sigmoid.
void clip_forward(float* data, size_t count, float low, float high);
void leaky_relu_forward(float* data, size_t count, float slope);
void sigmoid_forward(float* data, size_t count);
// Softmax over the channels of every position.
void softmax_forward(const Layer& layer, float* data, int images);
// out = a + b, element by element.
void add_forward(const float* a, const float* b, size_t count, float* out);
// Channels of `parts` inputs (HWC, the same height and width) side by side.
void concat_forward(const std::vector<const float*>& parts, const std::vector<int>& channels,
                    int positions, int images, float* out);

}  // namespace lvsim
