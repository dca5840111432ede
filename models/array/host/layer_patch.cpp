#include "models/array/host/layer_patch.h"

#include <algorithm>

namespace lvsim {

namespace {

// Calls visit(image, entry values) for each image with the patch's values as
// that image read them.
template <typename Visit>
void for_each_image(const LayerPatch& patch, int images, std::vector<float>& current, Visit visit) {
  current = patch.start_values;
  size_t next = 0;
  for (int image = 0; image < images; ++image) {
    for (; next < patch.changes.size() && patch.changes[next].image == static_cast<uint32_t>(image);
         ++next)
      current[patch.changes[next].entry] = patch.changes[next].value;
    visit(image, current);
  }
}

}  // namespace

std::vector<uint32_t> touched_entries(const LayerPatch& patch) {
  std::vector<uint32_t> touched;
  std::vector<bool> seen(patch.start_values.size(), false);
  for (const LayerPatch::Change& change : patch.changes)
    if (!seen[change.entry]) {
      seen[change.entry] = true;
      touched.push_back(change.entry);
    }
  return touched;
}

void conv2d_patch(const Layer& layer, const LayerPatch& patch, const float* columns,
                  const float* in, int images, float* out) {
  const bool direct = conv2d_direct(layer);
  const PatchEntries& entries = *patch.entries;
  const size_t depth = static_cast<size_t>(layer.gemm_depth());
  const size_t rows = static_cast<size_t>(layer.gemm_rows());
  const size_t positions = static_cast<size_t>(layer.gemm_positions());
  const size_t group_rows = rows / static_cast<size_t>(layer.groups);
  const size_t group_columns = depth * positions * static_cast<size_t>(images);
  const std::vector<uint32_t> touched = touched_entries(patch);
  const float* reference = entries.fresh ? entries.base_values.data() : patch.start_values.data();
  std::vector<float> current;
  for_each_image(patch, images, current, [&](int image, const std::vector<float>& values) {
    const size_t first = static_cast<size_t>(image) * positions;
    for (uint32_t e : touched) {
      const float delta = values[e] - reference[e];
      if (delta == 0.0f) continue;  // not changed yet at this image
      const size_t index = entries.index[e];
      if (index >= entries.weight_count) {
        const size_t channel = index - entries.weight_count;
        for (size_t p = first; p < first + positions; ++p) out[p * rows + channel] += delta;
      } else if (direct) {  // the tap's input, read where the columns would hold it
        const size_t channel = index / depth, tap = index % depth;
        const int ky = static_cast<int>(tap) / layer.kernel;
        const int kx = static_cast<int>(tap) % layer.kernel;
        const float* src = in + static_cast<size_t>(image) * layer.input.size() + channel;
        for (int oy = 0; oy < layer.output.height; ++oy) {
          const int iy = oy * layer.step() - layer.padding + ky * layer.dilation;
          if (iy < 0 || iy >= layer.input.height) continue;
          for (int ox = 0; ox < layer.output.width; ++ox) {
            const int ix = ox * layer.step() - layer.padding + kx * layer.dilation;
            if (ix < 0 || ix >= layer.input.width) continue;
            const size_t p = first + static_cast<size_t>(oy) * layer.output.width + ox;
            out[p * rows + channel] +=
                delta * src[(static_cast<size_t>(iy) * layer.input.width + ix) * rows];
          }
        }
      } else {
        const size_t channel = index / depth, k = index % depth;
        const float* group = columns + channel / group_rows * group_columns;
        for (size_t p = first; p < first + positions; ++p)
          out[p * rows + channel] += delta * group[p * depth + k];
      }
    }
  });
}

void prepare_linear_patch(const Layer& layer, PatchEntries& entries) {
  const size_t in_features = layer.input.size();
  entries.rows.resize(entries.index.size());
  entries.cols.resize(entries.index.size());
  for (size_t e = 0; e < entries.index.size(); ++e) {
    const size_t index = entries.index[e];
    const bool bias = index >= entries.weight_count;
    entries.rows[e] =
        static_cast<uint32_t>(bias ? index - entries.weight_count : index / in_features);
    entries.cols[e] = static_cast<uint32_t>(bias ? in_features : index % in_features);
  }
}

namespace {

// Zero form: every image adds every entry.
void linear_patch_all(const Layer& layer, const LayerPatch& patch, const float* in, int images,
                      float* out) {
  const PatchEntries& entries = *patch.entries;
  const size_t in_features = layer.input.size();
  const size_t out_features = static_cast<size_t>(layer.output.channels);
  std::vector<float> current, x(in_features + 1, 1.0f);
  for_each_image(patch, images, current, [&](int image, const std::vector<float>& values) {
    std::copy(in + static_cast<size_t>(image) * in_features,
              in + static_cast<size_t>(image + 1) * in_features, x.begin());
    float* y = out + static_cast<size_t>(image) * out_features;
    for (size_t e = 0; e < values.size(); ++e) y[entries.rows[e]] += values[e] * x[entries.cols[e]];
  });
}

}  // namespace

namespace {

// Of a fresh patch's entries, those its changes touch (which then work from
// their base, image by image); empty for any other patch.
std::vector<bool> fresh_touched(const LayerPatch& patch, const std::vector<uint32_t>& touched) {
  std::vector<bool> by_image;
  if (!patch.entries->fresh) return by_image;
  by_image.assign(patch.start_values.size(), false);
  for (uint32_t e : touched) by_image[e] = true;
  return by_image;
}

}  // namespace

void linear_patch(const Layer& layer, const LayerPatch& patch, const float* in, int images,
                  float* out) {
  const PatchEntries& entries = *patch.entries;
  if (entries.base_values.empty()) return linear_patch_all(layer, patch, in, images, out);
  const size_t in_features = layer.input.size();
  const size_t out_features = static_cast<size_t>(layer.output.channels);
  const uint32_t* rows = entries.rows.data();
  const uint32_t* cols = entries.cols.data();

  // Delta form. The entries active as the chunk starts add (start - base) for
  // every image of the chunk: one multiply-add of kLanes images per entry, on
  // copies of the inputs and outputs transposed to [column][image] (a bias
  // reads the constant column in_features). The entries the chunk's changes
  // touch then add, image by image, how their value differs from the start.
  constexpr int kLanes = 8;
  const float* base = entries.base_values.data();
  const float* start = patch.start_values.data();
  const size_t active = static_cast<size_t>(
      std::lower_bound(entries.first_image.begin(), entries.first_image.end(), patch.first_image) -
      entries.first_image.begin());
  const std::vector<uint32_t> touched = touched_entries(patch);
  // Fresh entries: a touched one adds (value - base) image by image and
  // nothing through the chunk's start.
  const float* reference = entries.fresh ? base : start;
  const std::vector<bool> by_image = fresh_touched(patch, touched);
  std::vector<float> xt((in_features + 1) * kLanes), yt(out_features * kLanes);
  std::vector<float> current(patch.start_values);
  size_t next = 0;  // the next change
  for (int group = 0; group < images; group += kLanes) {
    const int lanes = std::min(kLanes, images - group);
    if (group > 0) {  // a patch of more than kLanes images (the vectors start zeroed)
      std::fill(xt.begin(), xt.end(), 0.0f);
      std::fill(yt.begin(), yt.end(), 0.0f);
    }
    for (int lane = 0; lane < lanes; ++lane) {
      const float* x = in + static_cast<size_t>(group + lane) * in_features;
      for (size_t c = 0; c < in_features; ++c) xt[c * kLanes + lane] = x[c];
      xt[in_features * kLanes + lane] = 1.0f;
    }
    for (size_t e = 0; e < active; ++e) {
      if (entries.fresh && by_image[e]) continue;
      const float delta = start[e] - base[e];
      float* y = yt.data() + static_cast<size_t>(rows[e]) * kLanes;
      const float* x = xt.data() + static_cast<size_t>(cols[e]) * kLanes;
      for (int lane = 0; lane < kLanes; ++lane) y[lane] += delta * x[lane];
    }
    for (int lane = 0; lane < lanes; ++lane) {
      const auto image = static_cast<uint32_t>(group + lane);
      for (; next < patch.changes.size() && patch.changes[next].image == image; ++next)
        current[patch.changes[next].entry] = patch.changes[next].value;
      for (uint32_t e : touched) {
        const float delta = current[e] - reference[e];
        if (delta != 0.0f)
          yt[static_cast<size_t>(rows[e]) * kLanes + lane] +=
              delta * xt[static_cast<size_t>(cols[e]) * kLanes + lane];
      }
      float* y = out + static_cast<size_t>(image) * out_features;
      for (size_t r = 0; r < out_features; ++r) y[r] += yt[r * kLanes + lane];
    }
  }
}

}  // namespace lvsim
