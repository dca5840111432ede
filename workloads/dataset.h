// Image-classification test sets (MNIST, Fashion-MNIST) read from a data
// directory, never from the repository itself.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lvsim {

struct Dataset {
  std::string name;       // "mnist", "fashion-mnist", or the images' .npy file
  std::string directory;  // where the files were found
  int rows = 0;
  int cols = 0;
  int channels = 1;
  // Image-major, each image HWC (row-major pixels, channels innermost):
  // uint8 images in `pixels` (0..255), float32 ones (a .npy) in `values`.
  std::vector<uint8_t> pixels;
  std::vector<float> values;
  std::vector<uint8_t> labels;

  size_t size() const { return labels.size(); }
  size_t image_size() const { return static_cast<size_t>(rows) * cols * channels; }
  const uint8_t* image(size_t index) const { return pixels.data() + index * image_size(); }
  // Image `index`'s values as stored (before the network's input scale and normalisation).
  void raw_image(size_t index, float* out) const;
};

// How the images of a .npy dataset are laid out: (N, C, H, W) as PyTorch
// keeps them, or (N, H, W, C); (N, H, W) is one channel either way.
enum class NpyLayout { kNchw, kNhwc };

// A test set from NumPy files (workloads/formats/npy.h): images of uint8 (0..255) or
// float32 values, labels of any integer type, each a class index of the
// network's `classes` (at most 256) outputs, the first max_images when > 0.
// Errors name the file and what its shape, dtype or labels should be.
Dataset load_npy_dataset(const std::string& images_path, const std::string& labels_path,
                         NpyLayout layout, int classes, size_t max_images = 0);

// The directories searched for `dataset`, best first:
//   explicit_dir (from --data-dir or the config) when given, and only it;
//   otherwise $LVSIM_DATA_DIR, then <repo>/data, and for Fashion-MNIST the
//   Debian package's /usr/share/datasets/fashion-mnist.
// Inside a search directory the files may sit directly (MNIST, or any
// explicit_dir) or in a sub-directory named after the dataset.
std::vector<std::string> dataset_search_path(const std::string& dataset,
                                             const std::string& explicit_dir,
                                             const std::string& repo_dir);

// Loads the 10,000-image test split ("t10k"), or its first max_images when > 0.
Dataset load_test_set(const std::string& dataset, const std::string& explicit_dir,
                      const std::string& repo_dir, size_t max_images = 0);

// Loads `split` ("t10k", "train") from the first search directory holding it.
Dataset find_split(const std::string& dataset, const std::string& explicit_dir,
                   const std::string& repo_dir, const std::string& split, size_t max_images = 0);

// Loads the two IDX files of one split from a directory that holds them.
Dataset load_split(const std::string& dataset, const std::string& directory,
                   const std::string& split, size_t max_images = 0);

}  // namespace lvsim
