// Small files the tests write for themselves: IDX and safetensors containers,
// and a scratch directory removed at the end of each test.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace lvsim::test {

class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes, bool gzip = false);

// An unsigned-byte IDX file with the given dimensions and data.
std::vector<uint8_t> idx_bytes(const std::vector<uint32_t>& dims, const std::vector<uint8_t>& data);

struct TestTensor {
  std::vector<int64_t> shape;
  std::vector<float> values;
};

// A safetensors file of F32 tensors (written in name order) and metadata.
std::vector<uint8_t> safetensors_bytes(const std::map<std::string, TestTensor>& tensors,
                                       const std::map<std::string, std::string>& metadata);

// The repository's MNIST data directory for the tests: $LVSIM_DATA_DIR, else
// ../shared/data/mnist beside the source tree.
std::string mnist_data_dir();

}  // namespace lvsim::test
