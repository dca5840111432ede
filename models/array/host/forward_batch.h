// The host's executor of a network: every layer of a batch of images, in
// chunks on all host threads, with per-image corrections (layer_patch.h) and
// a team of threads that a busy caller joins late. A simulator speed device: the
// arithmetic of each layer is workloads/layers.h's, and the results do not
// depend on the thread count.
#pragma once

#include <functional>
#include <vector>

#include "models/array/host/layer_patch.h"
#include "workloads/network.h"

namespace lvsim {

class LoopTeam;  // loop_team.h

// Where one layer's parameters are read from: the network's own copy for the
// host reference, the weight SRAM's array for the accelerator.
//
// Integer arithmetic (input_scale > 0): the weights and biases are integers
// (int-K codes, int32 biases in the accumulator's units), the layer's input is
// quantized to int8, x_q = clamp(round(x * input_scale), -127, 127), the MACs
// are done on those integers, and the result is scaled back by output_scale =
// 1 / (s_w * s_x). The host computes the integer products and sums with fp32
// GEMMs, exact while every partial sum stays below 2^24 in magnitude (true for
// int8 codes up to a depth of ~1,000; beyond, the rounding is 2^-24 relative).
struct LayerParameters {
  const float* weights = nullptr;
  const float* bias = nullptr;
  float input_scale = 0.0f;  // 0: float arithmetic
  float output_scale = 1.0f;
};

// Scratch for forward_batch, reused from call to call (no allocation per image).
struct ForwardBuffers {
  std::vector<std::vector<float>> slots;    // activations, each slot holds one layer output
  std::vector<std::vector<float>> columns;  // im2col scratch, one per thread
  std::vector<std::vector<float>> weights;  // a patched convolution's weights, one per thread
  std::vector<float> quantized;             // an integer layer's int8 input
};

// Images per chunk of a convolution's im2col GEMM and of a patch.
constexpr int kForwardChunkImages = 8;
// Output rows per block of a fully-connected layer's GEMM.
constexpr int kLinearRowBlock = 128;

// Runs every layer on `images` inputs (HWC floats, back to back) with the given
// parameters (one entry per layer) and returns the logits, [images][classes],
// which live in `buffers` until the next call.
//
// Convolutions run as im2col GEMMs over chunks of kForwardChunkImages images,
// fully-connected layers as one GEMM over all images cut into blocks of
// kLinearRowBlock output rows (so their weights are packed once per call, not
// once per chunk); chunks and blocks are spread over `threads` threads. The
// cut depends only on `images`, never on `threads`, so results are
// bit-identical for any thread count.
//
// `patches`, when given, holds one entry per layer (null: none): that layer's
// patched parameters take per-image values from one LayerPatch per chunk of
// kForwardChunkImages images. A fully-connected layer expects them zero in
// `parameters` and adds their products per image; a convolution takes their
// values over whatever `parameters` holds.
//
// `observe`, when given, is called with each layer with parameters and its
// (float) input before the layer runs.
//
// Layers run in order; a layer's output lives in a slot of `buffers` until
// its last reader has run, an element-wise layer works in place when it is
// its input's last reader, and a flatten or dropout passes its input on.
//
// `team`, when given, runs the chunks and blocks instead of `threads` OpenMP
// threads (loop_team.h: the host engine's, which the thread reading the next
// epoch's weights joins once it is done). The chunks and blocks are the same
// either way, so the results are too.
const float* forward_batch(const Network& network, const std::vector<LayerParameters>& parameters,
                           const float* inputs, int images, ForwardBuffers& buffers,
                           int threads = 1,
                           const std::vector<const std::vector<LayerPatch>*>* patches = nullptr,
                           LoopTeam* team = nullptr,
                           const std::function<void(size_t, const float*)>* observe = nullptr);

// The network's own parameters, for forward_batch.
std::vector<LayerParameters> own_parameters(const Network& network);

}  // namespace lvsim
