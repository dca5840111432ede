#include "workloads/layers.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstring>

namespace lvsim {
namespace {

using RowMajorMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstRowMajorMap = Eigen::Map<const RowMajorMatrix>;
using ConstColMap = Eigen::Map<const Eigen::MatrixXf>;
using ColMap = Eigen::Map<Eigen::MatrixXf>;
using ConstVectorMap = Eigen::Map<const Eigen::VectorXf>;

}  // namespace

const char* layer_kind_name(LayerKind kind) {
  switch (kind) {
    case LayerKind::kConv2d:
      return "conv2d";
    case LayerKind::kRelu:
      return "relu";
    case LayerKind::kMaxPool:
      return "maxpool";
    case LayerKind::kFlatten:
      return "flatten";
    case LayerKind::kDropout:
      return "dropout";
    case LayerKind::kLinear:
      return "linear";
    case LayerKind::kAvgPool:
      return "avgpool";
    case LayerKind::kGlobalAvgPool:
      return "global_avgpool";
    case LayerKind::kAdd:
      return "add";
    case LayerKind::kConcat:
      return "concat";
    case LayerKind::kClip:
      return "clip";
    case LayerKind::kLeakyRelu:
      return "leaky_relu";
    case LayerKind::kSigmoid:
      return "sigmoid";
    case LayerKind::kSoftmax:
      return "softmax";
    case LayerKind::kPad:
      return "pad";
  }
  return "?";
}

uint64_t Layer::vector_ops_per_image() const {
  const uint64_t out = output.size();
  const uint64_t window = static_cast<uint64_t>(pool) * pool;
  switch (kind) {
    case LayerKind::kRelu:
    case LayerKind::kAdd:
      return out;  // a compare (ReLU) or an add per element
    case LayerKind::kClip:
    case LayerKind::kLeakyRelu:
      return 2 * out;  // two compares; a compare and a multiplication
    case LayerKind::kSigmoid:
      return 4 * out;  // negate, exp (table), add, reciprocal
    case LayerKind::kSoftmax:
      return 5 * out;  // max, subtract, exp, sum, divide
    case LayerKind::kMaxPool:
      return out * (window - 1);  // compares
    case LayerKind::kAvgPool:
      return out * window;  // window - 1 adds and a multiplication
    case LayerKind::kGlobalAvgPool:
      return input.size();  // H*W - 1 adds and a multiplication per channel
    default:
      return 0;
  }
}

int Layer::gemm_depth() const {
  if (kind == LayerKind::kConv2d) return kernel * kernel * (input.channels / groups);
  if (kind == LayerKind::kLinear) return static_cast<int>(input.size());
  return 0;
}

uint64_t Layer::macs_per_image() const {
  if (!has_parameters()) return 0;
  return static_cast<uint64_t>(gemm_rows()) * gemm_depth() * gemm_positions();
}

namespace {

// im2col of one channel group: one column of (ky, kx, c) values per output
// position, c over the group's channels; each kernel tap's channel run is
// contiguous in HWC, so each tap is one copy.
void im2col(const Layer& layer, const float* in, int images, int group, float* column) {
  const int in_c = layer.input.channels, in_h = layer.input.height, in_w = layer.input.width;
  const int out_h = layer.output.height, out_w = layer.output.width;
  const int k = layer.kernel, pad = layer.padding, stride = layer.step(), dilation = layer.dilation;
  const int run = in_c / layer.groups, first_channel = group * run;
  const bool contiguous = layer.groups == 1 && dilation == 1;
  for (int image = 0; image < images; ++image) {
    const float* src = in + static_cast<size_t>(image) * layer.input.size() + first_channel;
    for (int oy = 0; oy < out_h; ++oy) {
      for (int ox = 0; ox < out_w; ++ox) {
        for (int ky = 0; ky < k; ++ky) {
          const int iy = oy * stride - pad + ky * dilation;
          const int ix0 = ox * stride - pad;
          if (contiguous && iy >= 0 && iy < in_h && ix0 >= 0 && ix0 + k <= in_w) {
            // The row's k taps lie side by side in HWC: one run of k * in_c values.
            const float* from = src + (static_cast<size_t>(iy) * in_w + ix0) * in_c;
            const auto row = static_cast<size_t>(k) * static_cast<size_t>(in_c);
            for (size_t c = 0; c < row; ++c) column[c] = from[c];
            column += row;
            continue;
          }
          for (int kx = 0; kx < k; ++kx) {
            const int ix = ox * stride - pad + kx * dilation;
            if (iy < 0 || iy >= in_h || ix < 0 || ix >= in_w) {
              std::fill(column, column + run, 0.0f);
            } else {
              // A plain loop: few channels per group (1 for a depthwise or a
              // first layer) make a memcpy call cost more than the copy.
              const float* from = src + (static_cast<size_t>(iy) * in_w + ix) * in_c;
              for (int c = 0; c < run; ++c) column[c] = from[c];
            }
            column += run;
          }
        }
      }
    }
  }
}

// A depthwise convolution (one filter per channel) computed directly: per
// output position, each tap's channels side by side in HWC, one multiply-add
// per channel (vectorised over the channels) - no columns and no GEMM of one
// row per channel. The taps are summed in the order the GEMM's depth runs.
void depthwise_forward(const Layer& layer, const float* weights, const float* bias, const float* in,
                       int images, float* out) {
  const int channels = layer.input.channels, in_h = layer.input.height, in_w = layer.input.width;
  const int out_h = layer.output.height, out_w = layer.output.width;
  const int k = layer.kernel, pad = layer.padding, stride = layer.step(), dilation = layer.dilation;
  const auto c_count = static_cast<size_t>(channels);
  std::vector<float> taps(static_cast<size_t>(k) * k * c_count);  // [tap][channel]
  for (size_t c = 0; c < c_count; ++c)
    for (size_t t = 0; t < static_cast<size_t>(k) * k; ++t)
      taps[t * c_count + c] = weights[c * static_cast<size_t>(k) * k + t];
  for (int image = 0; image < images; ++image) {
    const float* src = in + static_cast<size_t>(image) * layer.input.size();
    float* dst = out + static_cast<size_t>(image) * layer.output.size();
    for (int oy = 0; oy < out_h; ++oy) {
      for (int ox = 0; ox < out_w; ++ox) {
        float* o = dst + (static_cast<size_t>(oy) * out_w + ox) * c_count;
        for (size_t c = 0; c < c_count; ++c) o[c] = 0.0f;
        for (int ky = 0; ky < k; ++ky) {
          const int iy = oy * stride - pad + ky * dilation;
          if (iy < 0 || iy >= in_h) continue;
          for (int kx = 0; kx < k; ++kx) {
            const int ix = ox * stride - pad + kx * dilation;
            if (ix < 0 || ix >= in_w) continue;
            const float* x = src + (static_cast<size_t>(iy) * in_w + ix) * c_count;
            const float* w = taps.data() + static_cast<size_t>(ky * k + kx) * c_count;
            for (size_t c = 0; c < c_count; ++c) o[c] += w[c] * x[c];
          }
        }
        for (size_t c = 0; c < c_count; ++c) o[c] += bias[c];
      }
    }
  }
}

}  // namespace

bool conv2d_direct(const Layer& layer) {
  return layer.groups > 1 && layer.groups == layer.input.channels &&
         layer.gemm_rows() == layer.groups;
}

void conv2d_forward(const Layer& layer, const float* weights, const float* bias, const float* in,
                    int images, float* out, std::vector<float>& columns) {
  if (conv2d_direct(layer)) return depthwise_forward(layer, weights, bias, in, images, out);
  const size_t depth = static_cast<size_t>(layer.gemm_depth());
  const size_t positions = static_cast<size_t>(layer.gemm_positions()) * images;
  const int groups = layer.groups;
  grow_scratch(columns, depth * positions * groups);
  if (groups == 1) {
    im2col(layer, in, images, 0, columns.data());
    const ConstRowMajorMap w(weights, layer.gemm_rows(), static_cast<Eigen::Index>(depth));
    const ConstColMap x(columns.data(), static_cast<Eigen::Index>(depth),
                        static_cast<Eigen::Index>(positions));
    ColMap y(out, layer.gemm_rows(), static_cast<Eigen::Index>(positions));
    y.noalias() = w * x;
    y.colwise() += ConstVectorMap(bias, layer.gemm_rows());
    return;
  }
  // One GEMM per group: its filters over its own channels' columns, into its
  // rows of the output (columns of group g at g * depth * positions).
  const int rows = layer.gemm_rows() / groups;
  for (int g = 0; g < groups; ++g) {
    float* column = columns.data() + static_cast<size_t>(g) * depth * positions;
    im2col(layer, in, images, g, column);
    const ConstRowMajorMap w(weights + static_cast<size_t>(g) * rows * depth, rows,
                             static_cast<Eigen::Index>(depth));
    const ConstColMap x(column, static_cast<Eigen::Index>(depth),
                        static_cast<Eigen::Index>(positions));
    Eigen::Map<Eigen::MatrixXf, 0, Eigen::OuterStride<>> y(
        out + static_cast<size_t>(g) * rows, rows, static_cast<Eigen::Index>(positions),
        Eigen::OuterStride<>(layer.gemm_rows()));
    y.noalias() = w * x;
    y.colwise() += ConstVectorMap(bias + static_cast<size_t>(g) * rows, rows);
  }
}

void linear_forward(const Layer& layer, const float* weights, const float* bias, const float* in,
                    int images, float* out) {
  linear_rows_forward(layer, weights, bias, in, images, out, 0, layer.output.channels);
}

void linear_rows_forward(const Layer& layer, const float* weights, const float* bias,
                         const float* in, int images, float* out, int first_row, int rows) {
  const Eigen::Index in_features = static_cast<Eigen::Index>(layer.input.size());
  const Eigen::Index out_features = layer.output.channels;
  const ConstRowMajorMap w(weights + static_cast<size_t>(first_row) * in_features, rows,
                           in_features);
  const ConstColMap x(in, in_features, images);
  Eigen::Map<Eigen::MatrixXf, 0, Eigen::OuterStride<>> y(out + first_row, rows, images,
                                                         Eigen::OuterStride<>(out_features));
  y.noalias() = w * x;
  y.colwise() += ConstVectorMap(bias + first_row, rows);
}

void relu_forward(float* data, size_t count) {
  for (size_t i = 0; i < count; ++i) data[i] = std::max(data[i], 0.0f);
}

namespace {

// Calls tap(input cell) for each tap of output cell (oy, ox)'s window that
// lies inside the input (a padded tap reads nothing), row by row.
template <typename Tap>
void for_each_tap(const Layer& layer, const float* src, int oy, int ox, Tap tap) {
  const int c = layer.input.channels, in_h = layer.input.height, in_w = layer.input.width;
  const int p = layer.pool, stride = layer.step();
  for (int dy = 0; dy < p; ++dy) {
    const int iy = oy * stride - layer.padding + dy;
    if (iy < 0 || iy >= in_h) continue;
    for (int dx = 0; dx < p; ++dx) {
      const int ix = ox * stride - layer.padding + dx;
      if (ix >= 0 && ix < in_w) tap(src + (static_cast<size_t>(iy) * in_w + ix) * c);
    }
  }
}

// Calls cell(src, dst, oy, ox) for every output cell of every image.
template <typename Cell>
void for_each_cell(const Layer& layer, const float* in, int images, float* out, Cell cell) {
  const int c = layer.input.channels, out_h = layer.output.height, out_w = layer.output.width;
  for (int image = 0; image < images; ++image) {
    const float* src = in + static_cast<size_t>(image) * layer.input.size();
    float* dst = out + static_cast<size_t>(image) * layer.output.size();
    for (int oy = 0; oy < out_h; ++oy)
      for (int ox = 0; ox < out_w; ++ox)
        cell(src, dst + (static_cast<size_t>(oy) * out_w + ox) * c, oy, ox);
  }
}

}  // namespace

void maxpool_forward(const Layer& layer, const float* in, int images, float* out) {
  const int c = layer.input.channels;
  // The first tap inside the input starts the maximum (and is compared
  // again): a NaN there stays, as std::max keeps its first argument.
  for_each_cell(layer, in, images, out, [&](const float* src, float* cell, int oy, int ox) {
    bool first = true;
    for_each_tap(layer, src, oy, ox, [&](const float* tap) {
      if (first) std::memcpy(cell, tap, sizeof(float) * c);
      first = false;
      for (int ch = 0; ch < c; ++ch) cell[ch] = std::max(cell[ch], tap[ch]);
    });
  });
}

void avgpool_forward(const Layer& layer, const float* in, int images, float* out) {
  const int c = layer.input.channels;
  for_each_cell(layer, in, images, out, [&](const float* src, float* cell, int oy, int ox) {
    std::fill(cell, cell + c, 0.0f);
    int taps = 0;
    for_each_tap(layer, src, oy, ox, [&](const float* tap) {
      ++taps;
      for (int ch = 0; ch < c; ++ch) cell[ch] += tap[ch];
    });
    const float divisor =
        static_cast<float>(layer.count_include_pad ? layer.pool * layer.pool : std::max(taps, 1));
    for (int ch = 0; ch < c; ++ch) cell[ch] /= divisor;
  });
}

void global_avgpool_forward(const Layer& layer, const float* in, int images, float* out) {
  const int c = layer.input.channels;
  const size_t positions = static_cast<size_t>(layer.input.height) * layer.input.width;
  for (int image = 0; image < images; ++image) {
    const float* src = in + static_cast<size_t>(image) * layer.input.size();
    float* dst = out + static_cast<size_t>(image) * c;
    std::fill(dst, dst + c, 0.0f);
    for (size_t p = 0; p < positions; ++p)
      for (int ch = 0; ch < c; ++ch) dst[ch] += src[p * c + ch];
    for (int ch = 0; ch < c; ++ch) dst[ch] /= static_cast<float>(positions);
  }
}

void pad_forward(const Layer& layer, const float* in, int images, float* out) {
  const int c = layer.input.channels, in_h = layer.input.height, in_w = layer.input.width;
  const int out_w = layer.output.width, pad = layer.padding;
  std::fill(out, out + layer.output.size() * static_cast<size_t>(images), 0.0f);
  for (int image = 0; image < images; ++image) {
    const float* src = in + static_cast<size_t>(image) * layer.input.size();
    float* dst = out + static_cast<size_t>(image) * layer.output.size();
    for (int y = 0; y < in_h; ++y)
      std::memcpy(dst + (static_cast<size_t>(y + pad) * out_w + pad) * c,
                  src + static_cast<size_t>(y) * in_w * c, sizeof(float) * in_w * c);
  }
}

void clip_forward(float* data, size_t count, float low, float high) {
  for (size_t i = 0; i < count; ++i) data[i] = std::min(std::max(data[i], low), high);
}

void leaky_relu_forward(float* data, size_t count, float slope) {
  for (size_t i = 0; i < count; ++i) data[i] = data[i] < 0.0f ? data[i] * slope : data[i];
}

void sigmoid_forward(float* data, size_t count) {
  for (size_t i = 0; i < count; ++i) data[i] = 1.0f / (1.0f + std::exp(-data[i]));
}

void softmax_forward(const Layer& layer, float* data, int images) {
  const int c = layer.output.channels;
  const size_t cells = static_cast<size_t>(layer.output.height) * layer.output.width * images;
  for (size_t cell = 0; cell < cells; ++cell) {
    float* x = data + cell * c;
    const float largest = *std::max_element(x, x + c);
    float sum = 0.0f;
    for (int ch = 0; ch < c; ++ch) sum += x[ch] = std::exp(x[ch] - largest);
    for (int ch = 0; ch < c; ++ch) x[ch] /= sum;
  }
}

void add_forward(const float* a, const float* b, size_t count, float* out) {
  for (size_t i = 0; i < count; ++i) out[i] = a[i] + b[i];
}

void concat_forward(const std::vector<const float*>& parts, const std::vector<int>& channels,
                    int positions, int images, float* out) {
  const size_t cells = static_cast<size_t>(positions) * images;
  for (size_t cell = 0; cell < cells; ++cell)
    for (size_t part = 0; part < parts.size(); ++part) {
      const auto run = static_cast<size_t>(channels[part]);
      out = std::copy(parts[part] + cell * run, parts[part] + (cell + 1) * run, out);
    }
}

}  // namespace lvsim
