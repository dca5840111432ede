#include "models/array/host/forward_batch.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "models/array/host/loop_team.h"
#include "models/common/ceil_div.h"

namespace lvsim {

std::vector<LayerParameters> own_parameters(const Network& network) {
  std::vector<LayerParameters> parameters(network.layers.size());
  for (size_t i = 0; i < network.layers.size(); ++i)
    if (network.layers[i].has_parameters())
      parameters[i] = {network.layers[i].weights.data(), network.layers[i].bias.data()};
  return parameters;
}

namespace {

// A convolution whose patched parameters change from image to image. Each
// thread keeps its own copy of the layer's parameters (`weights`, equal to
// `parameters` between chunks); a chunk writes its patch's values as the chunk
// starts into it, computes, corrects the images after each change inside the
// chunk (few: a multiply per output position each) and restores the copy.
void conv2d_patched(const Layer& layer, const LayerParameters& parameters, const LayerPatch& patch,
                    const float* in, int images, float* out, std::vector<float>& weights,
                    std::vector<float>& columns) {
  const PatchEntries& entries = *patch.entries;
  for (size_t e = 0; e < entries.index.size(); ++e)
    weights[entries.index[e]] = patch.start_values[e];
  if (entries.fresh)  // the touched entries from their base (PatchEntries)
    for (uint32_t e : touched_entries(patch)) weights[entries.index[e]] = entries.base_values[e];
  conv2d_forward(layer, weights.data(), weights.data() + entries.weight_count, in, images, out,
                 columns);
  if (!patch.changes.empty()) conv2d_patch(layer, patch, columns.data(), in, images, out);
  for (uint32_t index : entries.index)
    weights[index] = index < entries.weight_count ? parameters.weights[index]
                                                  : parameters.bias[index - entries.weight_count];
}

}  // namespace

namespace {

// The threads a layer's items (chunks of images, blocks of rows) go to.
struct LayerThreads {
  int count = 1;             // OpenMP threads
  LoopTeam* team = nullptr;  // or this team (forward_batch's)
};

// Calls work(thread, item) for items [0, items), each once, spread over the
// threads. Each item's result depends only on the item, so who computes it
// changes nothing.
template <typename Work>
void for_each_item(int items, const LayerThreads& threads, Work work) {
  if (threads.team != nullptr) {
    const LoopTeam::Work shared = work;
    threads.team->run(items, shared);
    return;
  }
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads.count)
  for (int item = 0; item < items; ++item) work(static_cast<size_t>(omp_get_thread_num()), item);
}

}  // namespace

namespace {

// What every layer's call needs besides its own inputs and outputs.
struct LayerCall {
  const Layer& layer;
  const LayerParameters& parameters;
  const std::vector<LayerPatch>* patch;  // per chunk, or null
  int images;
  LayerThreads threads;
  const std::vector<int>& part_channels;  // concat: the channels of each input
};

int chunk_count(int images) { return ceil_div(images, kForwardChunkImages); }
int chunk_size(int images, int chunk) {
  return std::min(kForwardChunkImages, images - chunk * kForwardChunkImages);
}

void forward_conv2d(const LayerCall& call, const float* in, float* out, ForwardBuffers& buffers) {
  const Layer& layer = call.layer;
  const size_t in_size = layer.input.size(), out_size = layer.output.size();
  // A patched layer: each thread's copy of the parameters, made as it takes its first chunk.
  std::vector<char> copied(buffers.weights.size(), 0);
  for_each_item(chunk_count(call.images), call.threads, [&](size_t thread, int chunk) {
    std::vector<float>& columns = buffers.columns[thread];
    std::vector<float>& weights = buffers.weights[thread];
    const size_t first = static_cast<size_t>(chunk) * kForwardChunkImages;
    if (!call.patch) {
      conv2d_forward(layer, call.parameters.weights, call.parameters.bias, in + first * in_size,
                     chunk_size(call.images, chunk), out + first * out_size, columns);
      return;
    }
    if (!copied[thread]) {
      const size_t weight_count = layer.weights.size();
      weights.assign(call.parameters.weights, call.parameters.weights + weight_count);
      weights.insert(weights.end(), call.parameters.bias,
                     call.parameters.bias + layer.output.channels);
      copied[thread] = 1;
    }
    conv2d_patched(layer, call.parameters, (*call.patch)[static_cast<size_t>(chunk)],
                   in + first * in_size, chunk_size(call.images, chunk), out + first * out_size,
                   weights, columns);
  });
}

void forward_linear(const LayerCall& call, const float* in, float* out) {
  const Layer& layer = call.layer;
  const int rows = layer.output.channels;
  for_each_item(ceil_div(rows, kLinearRowBlock), call.threads, [&](size_t, int block) {
    linear_rows_forward(layer, call.parameters.weights, call.parameters.bias, in, call.images, out,
                        block * kLinearRowBlock,
                        std::min(kLinearRowBlock, rows - block * kLinearRowBlock));
  });
  if (!call.patch) return;
  const size_t in_size = layer.input.size(), out_size = layer.output.size();
  for_each_item(chunk_count(call.images), call.threads, [&](size_t, int chunk) {
    const size_t first = static_cast<size_t>(chunk) * kForwardChunkImages;
    linear_patch(layer, (*call.patch)[static_cast<size_t>(chunk)], in + first * in_size,
                 chunk_size(call.images, chunk), out + first * out_size);
  });
}

void forward_maxpool(const LayerCall& call, const float* in, float* out) {
  const size_t in_size = call.layer.input.size(), out_size = call.layer.output.size();
  for_each_item(chunk_count(call.images), call.threads, [&](size_t, int chunk) {
    const size_t first = static_cast<size_t>(chunk) * kForwardChunkImages;
    maxpool_forward(call.layer, in + first * in_size, chunk_size(call.images, chunk),
                    out + first * out_size);
  });
}

// An integer layer's int8 input, x_q = clamp(round(x * s_x), -127, 127).
const float* quantized_input(const LayerCall& call, const float* in, ForwardBuffers& buffers) {
  const size_t count = call.layer.input.size() * static_cast<size_t>(call.images);
  grow_scratch(buffers.quantized, count);
  const float scale = call.parameters.input_scale;
  for (size_t j = 0; j < count; ++j)
    buffers.quantized[j] = std::clamp(std::nearbyint(in[j] * scale), -127.0f, 127.0f);
  return buffers.quantized.data();
}

}  // namespace

namespace {

// Where layer outputs live during forward_batch: slots of buffers.slots, each
// with the number of reads still to come.
class SlotPool {
 public:
  SlotPool(ForwardBuffers& buffers, size_t capacity) : buffers_(buffers), capacity_(capacity) {}

  // A free slot, grown to the capacity.
  int take(int reads) {
    size_t slot = 0;
    while (slot < reads_.size() && reads_[slot] > 0) ++slot;
    if (slot == reads_.size()) reads_.push_back(0);
    if (buffers_.slots.size() <= slot) buffers_.slots.resize(slot + 1);
    grow_scratch(buffers_.slots[slot], capacity_);
    reads_[slot] = reads;
    return static_cast<int>(slot);
  }
  float* data(int slot) { return buffers_.slots[static_cast<size_t>(slot)].data(); }
  // One read of the slot done (the caller's inputs, slot -1, are not ours).
  void read(int slot) {
    if (slot >= 0) --reads_[static_cast<size_t>(slot)];
  }
  int& reads(int slot) { return reads_[static_cast<size_t>(slot)]; }

 private:
  ForwardBuffers& buffers_;
  size_t capacity_;
  std::vector<int> reads_;
};

struct Value {
  const float* data = nullptr;
  int slot = -1;  // -1: the caller's inputs
};

bool elementwise_in_place(LayerKind kind) {
  return kind == LayerKind::kRelu || kind == LayerKind::kClip || kind == LayerKind::kLeakyRelu ||
         kind == LayerKind::kSigmoid || kind == LayerKind::kSoftmax;
}

void apply_elementwise(const Layer& layer, float* data, int images) {
  const size_t count = layer.output.size() * static_cast<size_t>(images);
  switch (layer.kind) {
    case LayerKind::kRelu:
      return relu_forward(data, count);
    case LayerKind::kClip:
      return clip_forward(data, count, layer.alpha, layer.beta);
    case LayerKind::kLeakyRelu:
      return leaky_relu_forward(data, count, layer.alpha);
    case LayerKind::kSigmoid:
      return sigmoid_forward(data, count);
    case LayerKind::kSoftmax:
      return softmax_forward(layer, data, images);
    default:
      return;
  }
}

// Runs a layer without parameters that makes a new tensor.
// Calls work(first image, images) for each chunk of kForwardChunkImages
// images, the chunks spread over the threads (each chunk's result depends only
// on its own images).
template <typename Work>
void for_each_chunk(int images, const LayerThreads& threads, Work work) {
  for_each_item(chunk_count(images), threads, [&](size_t, int chunk) {
    work(static_cast<size_t>(chunk) * kForwardChunkImages, chunk_size(images, chunk));
  });
}

// Runs a layer without parameters that makes a new tensor.
void forward_data_layer(const LayerCall& call, const std::vector<Value>& in, float* out) {
  const Layer& layer = call.layer;
  const size_t in_size = layer.input.size(), out_size = layer.output.size();
  const float* x = in[0].data;
  switch (layer.kind) {
    case LayerKind::kMaxPool:
      return forward_maxpool(call, x, out);
    case LayerKind::kAvgPool:
      return for_each_chunk(call.images, call.threads, [&](size_t first, int count) {
        avgpool_forward(layer, x + first * in_size, count, out + first * out_size);
      });
    case LayerKind::kGlobalAvgPool:
      return for_each_chunk(call.images, call.threads, [&](size_t first, int count) {
        global_avgpool_forward(layer, x + first * in_size, count, out + first * out_size);
      });
    case LayerKind::kPad:
      return for_each_chunk(call.images, call.threads, [&](size_t first, int count) {
        pad_forward(layer, x + first * in_size, count, out + first * out_size);
      });
    case LayerKind::kAdd:
      return for_each_chunk(call.images, call.threads, [&](size_t first, int count) {
        add_forward(x + first * out_size, in[1].data + first * out_size,
                    out_size * static_cast<size_t>(count), out + first * out_size);
      });
    case LayerKind::kConcat:
      return for_each_chunk(call.images, call.threads, [&](size_t first, int count) {
        std::vector<const float*> parts;
        for (size_t p = 0; p < in.size(); ++p)
          parts.push_back(in[p].data + first * static_cast<size_t>(call.part_channels[p]) *
                                           layer.output.height * layer.output.width);
        concat_forward(parts, call.part_channels, layer.output.height * layer.output.width, count,
                       out + first * out_size);
      });
    default:
      return;
  }
}

// An element-wise layer: in place when it is its input's last reader, else
// on a copy (never writing what others still read, or the caller's inputs).
Value forward_in_place(const Layer& layer, const Value& in, int reads, SlotPool& pool, int images,
                       const LayerThreads& threads) {
  Value out = in;
  if (in.slot < 0 || pool.reads(in.slot) > 1) {
    pool.read(in.slot);
    out.slot = pool.take(reads);
    out.data = pool.data(out.slot);
    std::copy(in.data, in.data + layer.output.size() * static_cast<size_t>(images),
              pool.data(out.slot));
  } else {
    pool.reads(out.slot) = reads;
  }
  float* data = pool.data(out.slot);
  const size_t size = layer.output.size();
  for_each_chunk(images, threads, [&](size_t first, int count) {
    apply_elementwise(layer, data + first * size, count);
  });
  return out;
}

// A convolution or fully-connected layer, in integer arithmetic when its
// parameters say so.
void forward_weighted(const LayerCall& call, const float* in, float* out, ForwardBuffers& buffers) {
  const bool integer = call.parameters.input_scale > 0.0f;
  if (integer) in = quantized_input(call, in, buffers);
  if (call.layer.kind == LayerKind::kConv2d)
    forward_conv2d(call, in, out, buffers);
  else
    forward_linear(call, in, out);
  if (integer) {
    const float scale = call.parameters.output_scale;
    const size_t produced = call.layer.output.size() * static_cast<size_t>(call.images);
    for (size_t j = 0; j < produced; ++j) out[j] *= scale;
  }
}

}  // namespace

const float* forward_batch(const Network& network, const std::vector<LayerParameters>& parameters,
                           const float* inputs, int images, ForwardBuffers& buffers, int threads,
                           const std::vector<const std::vector<LayerPatch>*>* patches,
                           LoopTeam* team,
                           const std::function<void(size_t, const float*)>* observe) {
  if (team != nullptr) threads = team->threads();
  const LayerThreads layer_threads{std::max(threads, 1), team};
  SlotPool pool(buffers, network.max_activation_size() * static_cast<size_t>(images));
  buffers.columns.resize(static_cast<size_t>(std::max(threads, 1)));
  buffers.weights.resize(static_cast<size_t>(std::max(threads, 1)));
  const std::vector<int> consumers = network.consumer_counts();
  std::vector<Value> values(network.layers.size());
  std::vector<int> part_channels;
  for (size_t i = 0; i < network.layers.size(); ++i) {
    const Layer& layer = network.layers[i];
    std::vector<Value> in;
    part_channels.clear();
    for (int from : network.layer_inputs(i)) {
      in.push_back(from < 0 ? Value{inputs, -1} : values[static_cast<size_t>(from)]);
      part_channels.push_back(from < 0 ? network.input.channels
                                       : network.layers[static_cast<size_t>(from)].output.channels);
    }
    const LayerCall call{layer,  parameters[i], patches ? (*patches)[i] : nullptr,
                         images, layer_threads, part_channels};
    const int reads = consumers[i];
    if (layer.kind == LayerKind::kFlatten || layer.kind == LayerKind::kDropout) {
      values[i] = in[0];  // the same data, read by this layer's readers instead
      if (in[0].slot >= 0) pool.reads(in[0].slot) += reads - 1;
      continue;
    }
    if (elementwise_in_place(layer.kind)) {
      values[i] = forward_in_place(layer, in[0], reads, pool, images, layer_threads);
      continue;
    }
    const int slot = pool.take(reads);
    float* next = pool.data(slot);
    if (layer.has_parameters()) {
      if (observe) (*observe)(i, in[0].data);
      forward_weighted(call, in[0].data, next, buffers);
    } else {
      forward_data_layer(call, in, next);
    }
    for (const Value& value : in) pool.read(value.slot);
    values[i] = {next, slot};
  }
  return values.back().data;
}

}  // namespace lvsim
