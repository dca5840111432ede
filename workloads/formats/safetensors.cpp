#include "workloads/formats/safetensors.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "workloads/common/error.h"
#include "workloads/common/read_file.h"

namespace lvsim {
namespace {

int64_t dtype_bytes(const std::string& dtype) {
  static const std::map<std::string, int64_t> sizes = {
      {"F64", 8}, {"F32", 4}, {"F16", 2},  {"BF16", 2}, {"I64", 8}, {"I32", 4}, {"I16", 2},
      {"I8", 1},  {"U8", 1},  {"BOOL", 1}, {"U16", 2},  {"U32", 4}, {"U64", 8}};
  const auto it = sizes.find(dtype);
  return it == sizes.end() ? -1 : it->second;
}

// The format is little-endian; lvsim's hosts (x86-64, AArch64) are too.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors reader assumes a LE host");

}  // namespace

int64_t TensorInfo::elements() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string shape_string(const std::vector<int64_t>& shape) {
  std::ostringstream out;
  out << "[";
  for (size_t i = 0; i < shape.size(); ++i) out << (i ? "," : "") << shape[i];
  out << "]";
  return out.str();
}

namespace {

// The JSON header of a safetensors file's bytes, and where the data starts.
nlohmann::json read_header(const std::string& path, const std::vector<uint8_t>& bytes,
                           uint64_t& data_start) {
  if (bytes.size() < 8) throw Error(path + ": truncated (no 8-byte safetensors header length)");
  uint64_t header_len = 0;
  std::memcpy(&header_len, bytes.data(), 8);
  if (header_len == 0 || header_len > bytes.size() - 8)
    throw Error(path + ": header length " + std::to_string(header_len) +
                " exceeds the file (not a safetensors file, or truncated)");
  nlohmann::json header;
  // A tensor named twice would silently be the last one: refuse it.
  std::set<std::string> names;
  std::string twice;
  const auto note_names = [&](int depth, nlohmann::json::parse_event_t event,
                              nlohmann::json& parsed) {
    if (depth == 1 && event == nlohmann::json::parse_event_t::key &&
        !names.insert(parsed.get<std::string>()).second && twice.empty())
      twice = parsed.get<std::string>();
    return true;
  };
  try {
    header = nlohmann::json::parse(
        bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(header_len), note_names);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": safetensors header is not valid JSON (" + e.what() + ")");
  }
  if (!twice.empty())
    throw Error(path + ": the safetensors header names '" + twice +
                "' twice; expected each tensor once");
  if (!header.is_object()) throw Error(path + ": safetensors header is not a JSON object");
  data_start = 8 + header_len;
  return header;
}

// One tensor's entry of the header, checked against the data section's size.
TensorInfo tensor_info(const std::string& where, const nlohmann::json& entry, uint64_t data_size) {
  if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") ||
      !entry.contains("data_offsets") || !entry["dtype"].is_string() ||
      !entry["shape"].is_array() || !entry["data_offsets"].is_array() ||
      entry["data_offsets"].size() != 2)
    throw Error(where + " needs dtype (string), shape (array) and data_offsets ([begin,end])");
  TensorInfo info;
  info.dtype = entry["dtype"].get<std::string>();
  const int64_t element_bytes = dtype_bytes(info.dtype);
  if (element_bytes < 0) throw Error(where + ": unknown dtype '" + info.dtype + "'");
  for (const auto& d : entry["shape"]) {
    if (!d.is_number_unsigned()) throw Error(where + ": shape holds a non-natural number");
    info.shape.push_back(d.get<int64_t>());
  }
  for (const auto& o : entry["data_offsets"])
    if (!o.is_number_unsigned()) throw Error(where + ": data_offsets must be natural numbers");
  info.begin = entry["data_offsets"][0].get<uint64_t>();
  info.end = entry["data_offsets"][1].get<uint64_t>();
  if (info.begin > info.end || info.end > data_size)
    throw Error(where + ": data_offsets [" + std::to_string(info.begin) + "," +
                std::to_string(info.end) + ") fall outside the " + std::to_string(data_size) +
                "-byte data section (truncated file?)");
  if (static_cast<uint64_t>(info.elements() * element_bytes) != info.end - info.begin)
    throw Error(where + ": " + std::to_string(info.end - info.begin) + " bytes do not match " +
                info.dtype + " " + shape_string(info.shape));
  return info;
}

}  // namespace

SafeTensors SafeTensors::load(const std::string& path) {
  return parse(read_regular_file(path, "weights file"), path);
}

SafeTensors SafeTensors::parse(const std::vector<uint8_t>& bytes, const std::string& path) {
  uint64_t data_start = 0;
  const nlohmann::json header = read_header(path, bytes, data_start);
  SafeTensors st;
  st.path_ = path;
  st.data_.assign(bytes.begin() + static_cast<std::ptrdiff_t>(data_start), bytes.end());
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object()) throw Error(path + ": __metadata__ is not an object");
      for (const auto& [key, value] : entry.items()) {
        if (!value.is_string()) throw Error(path + ": __metadata__." + key + " is not a string");
        st.metadata_[key] = value.get<std::string>();
      }
      continue;
    }
    const TensorInfo info = tensor_info(path + ": tensor '" + name + "'", entry, st.data_.size());
    ranges.emplace_back(info.begin, info.end);
    st.tensors_[name] = info;
  }
  std::sort(ranges.begin(), ranges.end());
  for (size_t i = 1; i < ranges.size(); ++i)
    if (ranges[i].first < ranges[i - 1].second) throw Error(path + ": tensors overlap");
  return st;
}

const std::string& SafeTensors::metadata_value(const std::string& key) const {
  const auto it = metadata_.find(key);
  if (it == metadata_.end()) throw Error(path_ + ": __metadata__ lacks '" + key + "'");
  return it->second;
}

const TensorInfo& SafeTensors::expect(const std::string& name, const std::string& dtype,
                                      const std::vector<int64_t>& shape) const {
  const auto it = tensors_.find(name);
  if (it == tensors_.end()) throw Error(path_ + ": missing tensor '" + name + "'");
  if (it->second.dtype != dtype || it->second.shape != shape)
    throw Error(path_ + ": tensor '" + name + "' is " + it->second.dtype + " " +
                shape_string(it->second.shape) + ", expected " + dtype + " " + shape_string(shape));
  return it->second;
}

std::vector<float> SafeTensors::f32(const std::string& name,
                                    const std::vector<int64_t>& shape) const {
  const TensorInfo& info = expect(name, "F32", shape);
  std::vector<float> values(static_cast<size_t>(info.elements()));
  std::memcpy(values.data(), data_.data() + info.begin, info.end - info.begin);
  return values;
}

std::vector<uint8_t> SafeTensors::u8(const std::string& name,
                                     const std::vector<int64_t>& shape) const {
  const TensorInfo& info = expect(name, "U8", shape);
  return {data_.begin() + static_cast<std::ptrdiff_t>(info.begin),
          data_.begin() + static_cast<std::ptrdiff_t>(info.end)};
}

}  // namespace lvsim
