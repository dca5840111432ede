// Small files the tests write for themselves: IDX, safetensors and NumPy
// containers, and a scratch directory removed at the end of each test.
#pragma once

#include <cstdint>
#include <cstring>
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

// A .npy file as numpy.save writes it (version 1.0, header padded to 64 bytes).
std::vector<uint8_t> npy_bytes(const std::string& descr, const std::string& shape,
                               const std::vector<uint8_t>& data, bool fortran = false);

// The bytes of `values` as they lie in memory (a .npy file's data).
template <typename T>
std::vector<uint8_t> raw(const std::vector<T>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(T));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

// The repository's MNIST data directory for the tests: $LVSIM_DATA_DIR, else
// ../shared/data/mnist beside the source tree.
std::string mnist_data_dir();

}  // namespace lvsim::test
