#include "workloads/dataset.h"

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "workloads/error.h"
#include "workloads/idx.h"

namespace lvsim {
namespace fs = std::filesystem;
namespace {

const char* const kFashionPackageDir = "/usr/share/datasets/fashion-mnist";

void check_dataset_name(const std::string& dataset) {
  if (dataset != "mnist" && dataset != "fashion-mnist")
    throw Error("unknown dataset '" + dataset + "' (expected mnist or fashion-mnist)");
}

// Returns the path of `stem` or `stem.gz` in `dir`, or "" when neither exists.
std::string find_file(const fs::path& dir, const std::string& stem) {
  for (const std::string& name : {stem, stem + ".gz"}) {
    const fs::path path = dir / name;
    if (fs::is_regular_file(path)) return path.string();
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

}  // namespace lvsim
