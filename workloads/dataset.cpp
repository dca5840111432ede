#include "workloads/dataset.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "workloads/common/error.h"
#include "workloads/formats/idx.h"
#include "workloads/formats/npy.h"

namespace lvsim {
namespace fs = std::filesystem;
namespace {

const char* const kFashionPackageDir = "/usr/share/datasets/fashion-mnist";

void check_dataset_name(const std::string& dataset) {
  if (dataset != "mnist" && dataset != "fashion-mnist")
    throw Error("unknown dataset '" + dataset + "' (expected mnist or fashion-mnist)");
}

// Returns the path of `stem` or `stem.gz` in `dir`, or "" when neither is
// there. Whatever is there is returned, for the reader to refuse by name: a
// FIFO or a link to a device is not a regular file (once "not found"), a
// link loop cannot be followed.
std::string find_file(const fs::path& dir, const std::string& stem) {
  for (const std::string& name : {stem, stem + ".gz"}) {
    const fs::path path = dir / name;
    std::error_code ec;
    const fs::file_status status = fs::symlink_status(path, ec);
    if (fs::exists(status) || (ec && status.type() != fs::file_type::not_found))
      return path.string();
  }
  return "";
}

}  // namespace

std::vector<std::string> dataset_search_path(const std::string& dataset,
                                             const std::string& explicit_dir,
                                             const std::string& repo_dir) {
  check_dataset_name(dataset);
  if (!explicit_dir.empty()) return {explicit_dir, (fs::path(explicit_dir) / dataset).string()};
  std::vector<std::string> dirs;
  auto add_root = [&](const fs::path& root) {
    // A bare directory is only trusted to be MNIST: an LVSIM_DATA_DIR that points at
    // MNIST must not be mistaken for Fashion-MNIST, whose files have the same names.
    if (dataset == "mnist") dirs.push_back(root.string());
    dirs.push_back((root / dataset).string());
  };
  if (const char* env = std::getenv("LVSIM_DATA_DIR"); env && *env) add_root(env);
  add_root(fs::path(repo_dir) / "data");
  if (dataset == "fashion-mnist") dirs.push_back(kFashionPackageDir);
  return dirs;
}

Dataset load_split(const std::string& dataset, const std::string& directory,
                   const std::string& split, size_t max_images) {
  const std::string images_path = find_file(directory, split + "-images-idx3-ubyte");
  const std::string labels_path = find_file(directory, split + "-labels-idx1-ubyte");
  if (images_path.empty() || labels_path.empty())
    throw Error(directory + ": missing " + split + "-images-idx3-ubyte[.gz] or " + split +
                "-labels-idx1-ubyte[.gz]");
  IdxArray images = read_idx(images_path, 3);
  IdxArray labels = read_idx(labels_path, 1);
  if (images.dims[0] != labels.dims[0]) {
    std::ostringstream message;
    message << images_path << ": holds " << images.dims[0] << " images but " << labels_path
            << " holds " << labels.dims[0] << " labels (expected equal counts)";
    throw Error(message.str());
  }
  if (images.dims[1] == 0 || images.dims[2] == 0)
    throw Error(images_path + ": image dimensions are zero (expected rows x cols > 0)");
  for (uint8_t label : labels.data)
    if (label > 9)
      throw Error(labels_path + ": label " + std::to_string(label) +
                  " out of range (expected 0..9)");
  Dataset set;
  set.name = dataset;
  set.directory = directory;
  set.rows = static_cast<int>(images.dims[1]);
  set.cols = static_cast<int>(images.dims[2]);
  size_t count = images.dims[0];
  if (max_images > 0 && max_images < count) count = max_images;
  set.labels.assign(labels.data.begin(), labels.data.begin() + static_cast<std::ptrdiff_t>(count));
  images.data.resize(count * set.rows * set.cols);
  set.pixels = std::move(images.data);
  return set;
}

Dataset load_test_set(const std::string& dataset, const std::string& explicit_dir,
                      const std::string& repo_dir, size_t max_images) {
  return find_split(dataset, explicit_dir, repo_dir, "t10k", max_images);
}

Dataset find_split(const std::string& dataset, const std::string& explicit_dir,
                   const std::string& repo_dir, const std::string& split, size_t max_images) {
  const std::vector<std::string> dirs = dataset_search_path(dataset, explicit_dir, repo_dir);
  for (const std::string& dir : dirs)
    if (!find_file(dir, split + "-images-idx3-ubyte").empty())
      return load_split(dataset, dir, split, max_images);
  std::ostringstream message;
  message << "no " << dataset << (split == "t10k" ? " test set" : " " + split + " split")
          << " found (looked for " << split << "-images-idx3-ubyte[.gz] in";
  for (const std::string& dir : dirs) message << " " << dir;
  message << "); pass --data-dir DIR or set LVSIM_DATA_DIR to a directory holding it";
  if (dataset == "mnist")
    message << ", run scripts/fetch-mnist, or use configs/fashion_mnist.ini "
               "(Debian package dataset-fashion-mnist)";
  else
    message << ", or install the Debian package dataset-fashion-mnist";
  throw Error(message.str());
}

void Dataset::raw_image(size_t index, float* out) const {
  const size_t n = image_size();
  if (!values.empty()) {
    std::copy(values.begin() + static_cast<std::ptrdiff_t>(index * n),
              values.begin() + static_cast<std::ptrdiff_t>((index + 1) * n), out);
    return;
  }
  const uint8_t* pixel = image(index);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<float>(pixel[i]);
}

namespace {

// Element i of an integer array, its bits as stored, sign-extended when signed.
uint64_t integer_bits_at(const NpyArray& array, uint64_t i) {
  const uint8_t* at = array.data.data() + i * static_cast<uint64_t>(array.item_bytes());
  uint64_t bits = 0;
  for (int b = 0; b < array.item_bytes(); ++b) bits |= uint64_t{at[b]} << (8 * b);
  if (array.dtype[0] == 'u' || array.item_bytes() == 8) return bits;
  const int shift = 64 - 8 * array.item_bytes();
  return static_cast<uint64_t>(static_cast<int64_t>(bits << shift) >> shift);
}

std::string shape_text(const std::vector<uint64_t>& shape) {
  std::string text = "(";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + (shape.size() == 1 ? ",)" : ")");
}

// The first `count` labels, as class indices 0..classes-1 (uint64 labels
// printed as unsigned, signed ones with their sign).
std::vector<uint8_t> class_labels(const NpyArray& labels, const std::string& path, uint64_t count,
                                  int classes) {
  const bool is_signed = labels.dtype[0] == 'i';
  std::vector<uint8_t> out(count);
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t bits = integer_bits_at(labels, i);
    const bool negative = is_signed && static_cast<int64_t>(bits) < 0;
    if (negative || bits >= static_cast<uint64_t>(classes))
      throw Error(path + ": label " +
                  (is_signed ? std::to_string(static_cast<int64_t>(bits)) : std::to_string(bits)) +
                  " of image " + std::to_string(i) + "; expected a class index 0.." +
                  std::to_string(classes - 1) + " (the network's outputs)");
    out[i] = static_cast<uint8_t>(bits);
  }
  return out;
}

// The first `count` images into `data` (its shape set), reordered to HWC.
void to_hwc(const NpyArray& images, const std::string& images_path, bool nchw, uint64_t count,
            Dataset& data) {
  const auto c = static_cast<uint64_t>(data.channels);
  const uint64_t h = static_cast<uint64_t>(data.rows), w = static_cast<uint64_t>(data.cols);
  const uint64_t size = c * h * w;
  auto hwc_index = [&](uint64_t stored) {
    if (!nchw || c == 1) return stored;  // already HWC
    const uint64_t channel = stored / (h * w), position = stored % (h * w);
    return position * c + channel;
  };
  if (images.dtype == "u1") {
    data.pixels.resize(count * size);
    for (uint64_t i = 0; i < count; ++i)
      for (uint64_t k = 0; k < size; ++k)
        data.pixels[i * size + hwc_index(k)] = images.data[i * size + k];
  } else {
    data.values.resize(count * size);
    for (uint64_t i = 0; i < count; ++i)
      for (uint64_t k = 0; k < size; ++k) {
        float value;
        std::memcpy(&value, images.data.data() + 4 * (i * size + k), 4);
        if (!std::isfinite(value))
          throw Error(images_path + ": image " + std::to_string(i) +
                      " holds a value that is not finite; expected finite float32 values");
        data.values[i * size + hwc_index(k)] = value;
      }
  }
}

}  // namespace

Dataset load_npy_dataset(const std::string& images_path, const std::string& labels_path,
                         NpyLayout layout, int classes, size_t max_images) {
  if (classes < 1 || classes > 256)
    throw Error(labels_path + ": labels for " + std::to_string(classes) +
                " classes; lvsim keeps class indices 0..255");
  const NpyArray images = read_npy(images_path);
  const NpyArray labels = read_npy(labels_path);
  const bool nchw = layout == NpyLayout::kNchw;
  const std::string declared = nchw ? "(N, C, H, W) as workload.npy_layout = nchw declares"
                                    : "(N, H, W, C) as workload.npy_layout = nhwc declares";
  if (images.dtype != "u1" && images.dtype != "f4")
    throw Error(images_path + ": images of dtype '" + images.dtype +
                "'; expected uint8 (0..255) or float32");
  if (images.shape.size() != 3 && images.shape.size() != 4)
    throw Error(images_path + ": images of shape " + shape_text(images.shape) + "; expected " +
                declared + ", or (N, H, W)");
  const uint64_t n = images.shape[0];
  uint64_t c = 1, h = images.shape[1], w = images.shape[2];
  if (images.shape.size() == 4) {
    c = nchw ? images.shape[1] : images.shape[3];
    h = nchw ? images.shape[2] : images.shape[1];
    w = nchw ? images.shape[3] : images.shape[2];
  }
  if (n == 0 || c == 0 || h == 0 || w == 0 || c > 4096 || h > 65536 || w > 65536)
    throw Error(images_path + ": images of shape " + shape_text(images.shape) + "; expected " +
                declared + " with no size 0");
  if (labels.dtype.empty() || (labels.dtype[0] != 'i' && labels.dtype[0] != 'u'))
    throw Error(labels_path + ": labels of dtype '" + labels.dtype +
                "'; expected integers (int64 as numpy and PyTorch keep them, or any int/uint)");
  if (labels.shape.size() != 1 || labels.shape[0] != n)
    throw Error(labels_path + ": labels of shape " + shape_text(labels.shape) + "; expected (" +
                std::to_string(n) + ",), one per image of " + images_path);

  Dataset data;
  data.name = images_path;
  data.directory = fs::path(images_path).parent_path().string();
  data.rows = static_cast<int>(h);
  data.cols = static_cast<int>(w);
  data.channels = static_cast<int>(c);
  const uint64_t count = max_images > 0 ? std::min<uint64_t>(n, max_images) : n;
  data.labels = class_labels(labels, labels_path, count, classes);
  to_hwc(images, images_path, nchw, count, data);
  return data;
}

}  // namespace lvsim
