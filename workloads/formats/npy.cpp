#include "workloads/formats/npy.h"

#include <cctype>
#include <fstream>
#include <iterator>

#include "workloads/common/error.h"
#include "workloads/common/read_file.h"

namespace lvsim {
namespace {

const char kMagic[] = "\x93NUMPY";

// The value of 'key' in the header dict, as written (a quoted string, True or
// False, a tuple); "" when absent.
std::string field(const std::string& header, const std::string& key) {
  for (const char quote : {'\'', '"'}) {
    const std::string name = std::string(1, quote) + key + quote;
    size_t at = header.find(name);
    if (at == std::string::npos) continue;
    at = header.find(':', at + name.size());
    if (at == std::string::npos) return "";
    ++at;
    while (at < header.size() && std::isspace(static_cast<unsigned char>(header[at]))) ++at;
    if (at >= header.size()) return "";
    const char open = header[at];
    const char close = open == '(' ? ')' : open == '\'' || open == '"' ? open : ',';
    const size_t end = header.find(close, at + 1);
    if (end == std::string::npos) return header.substr(at);
    return header.substr(at, end - at + (close == ',' ? 0 : 1));
  }
  return "";
}

// The sizes of a shape tuple, "(2, 3)" or "(5,)".
std::vector<uint64_t> parse_shape(const std::string& name, const std::string& shape) {
  std::vector<uint64_t> sizes;
  std::string number;
  for (size_t i = 1; i < shape.size(); ++i) {
    const char c = shape[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      number += c;
      if (number.size() > 15) throw Error(name + ": .npy shape " + shape + " too large");
    } else if (c == ',' || c == ')') {
      if (!number.empty()) sizes.push_back(std::stoull(number));
      number.clear();
    } else if (c != ' ' && c != 'L') {
      throw Error(name + ": .npy shape " + shape + ": expected a tuple of sizes");
    }
  }
  return sizes;
}

}  // namespace

uint64_t NpyArray::elements() const {
  uint64_t n = 1;
  for (uint64_t d : shape) n *= d;
  return n;
}

int NpyArray::item_bytes() const { return dtype.size() > 1 ? std::atoi(dtype.c_str() + 1) : 0; }

NpyArray parse_npy(const std::string& name, const std::vector<uint8_t>& bytes) {
  const std::string expected = "; expected a NumPy .npy file as numpy.save writes it";
  if (bytes.size() < 10 || std::string(bytes.begin(), bytes.begin() + 6) != kMagic)
    throw Error(name + ": not a NumPy .npy file (no \\x93NUMPY magic)" + expected);
  const int major = bytes[6];
  if (major < 1 || major > 3)
    throw Error(name + ": .npy format version " + std::to_string(major) + "." +
                std::to_string(bytes[7]) + expected + " (versions 1 to 3)");
  const size_t length_bytes = major == 1 ? 2 : 4;
  if (bytes.size() < 8 + length_bytes) throw Error(name + ": truncated .npy header" + expected);
  uint64_t header_length = 0;
  for (size_t i = 0; i < length_bytes; ++i) header_length |= uint64_t{bytes[8 + i]} << (8 * i);
  const uint64_t data_start = 8 + length_bytes + header_length;
  if (data_start > bytes.size()) throw Error(name + ": truncated .npy header" + expected);
  const std::string header(bytes.begin() + static_cast<std::ptrdiff_t>(8 + length_bytes),
                           bytes.begin() + static_cast<std::ptrdiff_t>(data_start));

  NpyArray array;
  std::string descr = field(header, "descr");
  if (descr.size() < 4 || (descr.front() != '\'' && descr.front() != '"'))
    throw Error(name + ": .npy header without a 'descr' string" + expected);
  descr = descr.substr(1, descr.size() - 2);
  const char order = descr[0];
  if (order == '>')
    throw Error(name + ": big-endian data ('" + descr +
                "'); expected little-endian (numpy's default; use array.astype('<" +
                descr.substr(1) + "'))");
  if (order != '<' && order != '|' && order != '=')
    throw Error(name + ": dtype '" + descr + "'" + expected);
  array.dtype = descr.substr(1);
  const std::string fortran = field(header, "fortran_order");
  if (fortran.rfind("True", 0) == 0)
    throw Error(name +
                ": Fortran-ordered array; expected C order (save "
                "numpy.ascontiguousarray(array))");
  if (fortran.rfind("False", 0) != 0)
    throw Error(name + ": .npy header without 'fortran_order'" + expected);
  const std::string shape = field(header, "shape");
  if (shape.size() < 2 || shape.front() != '(' || shape.back() != ')')
    throw Error(name + ": .npy header without a 'shape' tuple" + expected);
  array.shape = parse_shape(name, shape);
  const int item = array.item_bytes();
  if (item != 1 && item != 2 && item != 4 && item != 8)
    throw Error(name + ": dtype '" + descr + "'" + expected);
  uint64_t elements = 1;
  for (uint64_t d : array.shape) {
    if (d != 0 && elements > (uint64_t{1} << 40) / d)
      throw Error(name + ": .npy shape " + shape + " too large");
    elements *= d;
  }
  const uint64_t needed = elements * static_cast<uint64_t>(item);
  if (bytes.size() - data_start < needed)
    throw Error(name + ": truncated: its shape " + shape + " of '" + descr + "' needs " +
                std::to_string(needed) + " bytes of data, the file holds " +
                std::to_string(bytes.size() - data_start));
  array.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(data_start),
                    bytes.begin() + static_cast<std::ptrdiff_t>(data_start + needed));
  return array;
}

NpyArray read_npy(const std::string& path) {
  return parse_npy(path, read_regular_file(path, ".npy file"));
}

}  // namespace lvsim
