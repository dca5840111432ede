#include "workloads/formats/npy.h"

#include <cctype>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>

#include "workloads/common/error.h"
#include "workloads/common/read_file.h"

namespace lvsim {
namespace {

const char kMagic[] = "\x93NUMPY";

// The header dict, key by key, each value as written (a quoted string, True
// or False, a tuple): "{'descr': '<f4', 'fortran_order': False, 'shape': (2,
// 3), }" and the padding. Parsed whole, as numpy reads it: the three keys
// once each, the closing brace, nothing after it but spaces.
std::map<std::string, std::string> header_fields(const std::string& name,
                                                 const std::string& header) {
  const std::string expected =
      "; expected a dict of 'descr', 'fortran_order' and 'shape', each once, as numpy.save writes";
  const auto malformed = [&](const std::string& what) {
    return Error(name + ": .npy header " + what + expected);
  };
  size_t at = 0;
  const auto skip_spaces = [&] {
    while (at < header.size() && std::isspace(static_cast<unsigned char>(header[at]))) ++at;
  };
  // Up to and including `close`, or up to (not including) a ',', '}' or space.
  const auto token = [&](char close) {
    const size_t start = at;
    if (close) {
      const size_t end = header.find(close, at + 1);
      if (end == std::string::npos) throw malformed("with an unclosed " + header.substr(start, 1));
      at = end + 1;
    } else {
      while (at < header.size() && !std::strchr(",} \t\n", header[at])) ++at;
    }
    return header.substr(start, at - start);
  };
  std::map<std::string, std::string> fields;
  skip_spaces();
  if (at >= header.size() || header[at] != '{') throw malformed("not a dict");
  ++at;
  for (;;) {
    skip_spaces();
    if (at >= header.size()) throw malformed("without its closing '}'");
    if (header[at] == '}') break;
    if (header[at] != '\'' && header[at] != '"') throw malformed("with a key that is not a string");
    const std::string quoted = token(header[at]);
    const std::string key = quoted.substr(1, quoted.size() - 2);
    if (key != "descr" && key != "fortran_order" && key != "shape")
      throw malformed("with the key '" + key + "'");
    if (fields.count(key)) throw malformed("giving '" + key + "' twice");
    skip_spaces();
    if (at >= header.size() || header[at] != ':')
      throw malformed("without ':' after '" + key + "'");
    ++at;
    skip_spaces();
    if (at >= header.size()) throw malformed("without its closing '}'");
    const char open = header[at];
    fields[key] = token(open == '(' ? ')' : open == '\'' || open == '"' ? open : '\0');
    skip_spaces();
    if (at < header.size() && header[at] == ',')
      ++at;
    else if (at >= header.size() || header[at] != '}')
      throw malformed("without its closing '}'");
  }
  ++at;
  skip_spaces();
  if (at != header.size()) throw malformed("with text after its closing '}'");
  return fields;
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

namespace {

const char kExpected[] = "; expected a NumPy .npy file as numpy.save writes it";

// The header's text, after the magic, the version and its length; `data_start`
// is where the array's data begins.
std::string header_text(const std::string& name, const std::vector<uint8_t>& bytes,
                        uint64_t& data_start) {
  if (bytes.size() < 10 || std::string(bytes.begin(), bytes.begin() + 6) != kMagic)
    throw Error(name + ": not a NumPy .npy file (no \\x93NUMPY magic)" + kExpected);
  const int major = bytes[6];
  if (major < 1 || major > 3)
    throw Error(name + ": .npy format version " + std::to_string(major) + "." +
                std::to_string(bytes[7]) + kExpected + " (versions 1 to 3)");
  const size_t length_bytes = major == 1 ? 2 : 4;
  if (bytes.size() < 8 + length_bytes) throw Error(name + ": truncated .npy header" + kExpected);
  uint64_t header_length = 0;
  for (size_t i = 0; i < length_bytes; ++i) header_length |= uint64_t{bytes[8 + i]} << (8 * i);
  data_start = 8 + length_bytes + header_length;
  if (data_start > bytes.size()) throw Error(name + ": truncated .npy header" + kExpected);
  return std::string(bytes.begin() + static_cast<std::ptrdiff_t>(8 + length_bytes),
                     bytes.begin() + static_cast<std::ptrdiff_t>(data_start));
}

// The 'descr' and 'fortran_order' fields: sets array.dtype, returns the
// descr as written (without its quotes).
std::string dtype_of(const std::string& name, std::map<std::string, std::string>& fields,
                     NpyArray& array) {
  std::string descr = fields["descr"];
  if (descr.size() < 4 || (descr.front() != '\'' && descr.front() != '"'))
    throw Error(name + ": .npy header without a 'descr' string" + kExpected);
  descr = descr.substr(1, descr.size() - 2);
  const char order = descr[0];
  if (order == '>')
    throw Error(name + ": big-endian data ('" + descr +
                "'); expected little-endian (numpy's default; use array.astype('<" +
                descr.substr(1) + "'))");
  if (order != '<' && order != '|' && order != '=')
    throw Error(name + ": dtype '" + descr + "'" + kExpected);
  array.dtype = descr.substr(1);
  const std::string fortran = fields["fortran_order"];
  if (fortran == "True")
    throw Error(name +
                ": Fortran-ordered array; expected C order (save "
                "numpy.ascontiguousarray(array))");
  if (fortran != "False") throw Error(name + ": .npy header without 'fortran_order'" + kExpected);
  return descr;
}

}  // namespace

NpyArray parse_npy(const std::string& name, const std::vector<uint8_t>& bytes) {
  const std::string expected = kExpected;
  uint64_t data_start = 0;
  const std::string header = header_text(name, bytes, data_start);
  NpyArray array;
  std::map<std::string, std::string> fields = header_fields(name, header);
  const std::string descr = dtype_of(name, fields, array);
  const std::string shape = fields["shape"];
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
  if (bytes.size() - data_start > needed)
    throw Error(name + ": its shape " + shape + " of '" + descr + "' needs " +
                std::to_string(needed) + " bytes of data, the file holds " +
                std::to_string(bytes.size() - data_start) +
                "; expected exactly the shape's data (a shape promising fewer elements than were "
                "written?)");
  array.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(data_start),
                    bytes.begin() + static_cast<std::ptrdiff_t>(data_start + needed));
  return array;
}

NpyArray read_npy(const std::string& path) {
  return parse_npy(path, read_regular_file(path, ".npy file"));
}

}  // namespace lvsim
