// The arithmetic of a network's layers, as the MAC array computes it.
//
// Activations are channels-last (HWC) per image, images back to back, so a
// convolution lowers to one GEMM over a whole chunk of images (im2col) and a
// fully-connected layer to one GEMM whose columns are images. The GEMMs are
// Eigen's; results depend only on the layer and the chunk shape, never on the
// thread count.
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
  // Element operations per image on the vector unit (models/vector_unit.h):
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

// Per-image corrections to a layer's forward call: the values some parameters
// really had for each image of a chunk.
//
// The entries (shared by every chunk of an epoch): index i < weight_count
// names weight i, else bias i - weight_count. A convolution's forward call
// uses each chunk's start values (see conv2d_patch). For linear_patch: without
// base_values the forward call used zeros for them and every image adds every
// entry; with base_values the forward call used those values, entry e differs
// from its base only from image first_image[e] of the epoch on (non-decreasing
// in e, entries listed in order of first change), and an image adds (value -
// base) for the entries active for it: half the work on average. Either form
// assumes the values the forward call used are finite (an infinite one cannot
// be subtracted back out).
//
// A streamed layer's entries (`fresh`: reloaded before every image, so a
// faulty value lasts one image and is restored on the next) have base_values
// in both layers' forms, and an entry a chunk's changes touch works from its
// base instead of the chunk's start value: an exponent flip at a chunk's last
// image, restored at the next chunk's first, is then never computed with and
// subtracted back out (which would take the other products' digits).
struct PatchEntries {
  std::vector<uint32_t> index;
  size_t weight_count = 0;
  bool fresh = false;
  std::vector<float> base_values;
  std::vector<uint32_t> first_image;
  // linear_patch's output row and input column of each entry (a bias reads a
  // constant 1 at column in_features); fill with prepare_linear_patch.
  std::vector<uint32_t> rows, cols;
};

// One chunk: image n of the chunk uses start_values updated by every change
// with image <= n.
struct LayerPatch {
  struct Change {
    uint32_t image;  // within the chunk
    uint32_t entry;  // index into the entries
    float value;
  };
  std::shared_ptr<const PatchEntries> entries;
  uint32_t first_image = 0;  // the chunk's first image within the epoch
  // The entries' values before the chunk's first image (in delta form only the
  // prefix of entries active by the chunk's end).
  std::vector<float> start_values;
  std::vector<Change> changes;  // ordered by image
};

// The entries a chunk's changes touch, each once, in order of first change.
std::vector<uint32_t> touched_entries(const LayerPatch& patch);

// Fills entries.rows / cols for a linear layer.
void prepare_linear_patch(const Layer& layer, PatchEntries& entries);

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
// Adds to a conv2d output computed with the chunk's start values (fresh: the
// touched entries' base values) what the chunk's changes make each image
// differ by. `columns` is what the forward call used (a depthwise layer's
// corrections read its input `in` instead).
void conv2d_patch(const Layer& layer, const LayerPatch& patch, const float* columns,
                  const float* in, int images, float* out);
// Adds the patch's entries to a linear output computed with them zeroed, or
// (delta form) their differences from base_values. `in` is the layer's input.
void linear_patch(const Layer& layer, const LayerPatch& patch, const float* in, int images,
                  float* out);
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
