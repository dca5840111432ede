// Per-image corrections to a layer's forward call, and the arithmetic that
// applies them: how the host engine computes a chunk of images whose weights
// changed between images with one GEMM plus corrections (a simulator speed
// device; epoch_plan.h builds the patches, forward_batch.h applies them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "workloads/layers.h"

namespace lvsim {

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

}  // namespace lvsim
