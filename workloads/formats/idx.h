// Reader for the IDX files of MNIST and Fashion-MNIST (LeCun et al.,
// http://yann.lecun.com/exdb/mnist/): a big-endian magic 0x000008NN where NN is
// the number of dimensions, one big-endian uint32 per dimension, then unsigned
// bytes. Plain and gzip-compressed files are both accepted.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lvsim {

struct IdxArray {
  std::vector<uint32_t> dims;
  std::vector<uint8_t> data;
};

// Reads an unsigned-byte IDX file with exactly `expected_rank` dimensions.
// Throws lvsim::Error naming the file and what was expected on any defect.
IdxArray read_idx(const std::string& path, int expected_rank);
// The same from a file's (uncompressed) bytes; `path` names them in errors.
IdxArray parse_idx(const std::vector<uint8_t>& bytes, const std::string& path, int expected_rank);

}  // namespace lvsim
