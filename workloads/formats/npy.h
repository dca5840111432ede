// NumPy .npy files (format versions 1-3: the magic "\x93NUMPY", a version, a
// little-endian header length and a Python-literal dict of 'descr',
// 'fortran_order' and 'shape'; then the raw array, C order). What
// numpy.save writes; read here to give lvsim any dataset (workloads/dataset.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lvsim {

struct NpyArray {
  std::string dtype;  // the descr without byte order: "u1", "f4", "i8", ...
  std::vector<uint64_t> shape;
  std::vector<uint8_t> data;  // little-endian elements, C order

  uint64_t elements() const;
  int item_bytes() const;
};

// Reads `path`; throws an lvsim::Error naming the file and what is wrong with it
// (no magic, a malformed header, big-endian or Fortran-ordered data, fewer
// bytes than the shape needs).
NpyArray read_npy(const std::string& path);
// The same from bytes in memory (`name` for the messages).
NpyArray parse_npy(const std::string& name, const std::vector<uint8_t>& bytes);

}  // namespace lvsim
