// Reader for the safetensors container (https://huggingface.co/docs/safetensors):
// an 8-byte little-endian header length N, N bytes of JSON mapping each tensor
// name to {dtype, shape, data_offsets:[begin,end)} plus an optional
// "__metadata__" string map, then the raw little-endian tensor bytes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lvsim {

struct TensorInfo {
  std::string dtype;  // "F32", "U8", ...
  std::vector<int64_t> shape;
  uint64_t begin = 0;  // byte offsets into the data section
  uint64_t end = 0;

  int64_t elements() const;
};

class SafeTensors {
 public:
  // Reads and validates the whole file; throws lvsim::Error naming the file and
  // the defect (truncated, bad header JSON, offsets out of range or overlapping,
  // size not matching dtype x shape).
  static SafeTensors load(const std::string& path);
  // The same from a file's bytes; `path` names them in errors.
  static SafeTensors parse(const std::vector<uint8_t>& bytes, const std::string& path);

  const std::string& path() const { return path_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  // Metadata value, or throws naming the missing key.
  const std::string& metadata_value(const std::string& key) const;
  bool contains(const std::string& name) const { return tensors_.count(name) > 0; }
  const std::map<std::string, TensorInfo>& tensors() const { return tensors_; }

  // The tensor's values; throws if absent or its dtype/shape differ from expected.
  std::vector<float> f32(const std::string& name, const std::vector<int64_t>& shape) const;
  std::vector<uint8_t> u8(const std::string& name, const std::vector<int64_t>& shape) const;

 private:
  const TensorInfo& expect(const std::string& name, const std::string& dtype,
                           const std::vector<int64_t>& shape) const;

  std::string path_;
  std::map<std::string, std::string> metadata_;
  std::map<std::string, TensorInfo> tensors_;
  std::vector<uint8_t> data_;
};

std::string shape_string(const std::vector<int64_t>& shape);

}  // namespace lvsim
