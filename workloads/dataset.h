// Image-classification test sets (MNIST, Fashion-MNIST) read from a data
// directory, never from the repository itself.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lvsim {

struct Dataset {
  std::string name;       // "mnist" or "fashion-mnist"
  std::string directory;  // where the files were found
  int rows = 0;
  int cols = 0;
  std::vector<uint8_t> pixels;  // image-major, row-major, 0..255
  std::vector<uint8_t> labels;

  size_t size() const { return labels.size(); }
  const uint8_t* image(size_t index) const { return pixels.data() + index * rows * cols; }
};

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
