#include "workloads/formats/idx.h"

#include <zlib.h>

#include <memory>
#include <sstream>

#include "workloads/common/error.h"
#include "workloads/common/read_file.h"

namespace lvsim {
namespace {

// gzread() reads gzip files and, transparently, plain ones. A device or FIFO
// (or a link to one) is refused before it is opened: it may never end.
std::vector<uint8_t> read_whole_file(const std::string& path) {
  require_regular_file(path, "IDX file");
  std::unique_ptr<gzFile_s, int (*)(gzFile)> file(gzopen(path.c_str(), "rb"), gzclose);
  if (!file) throw Error(path + ": cannot open file");
  std::vector<uint8_t> bytes;
  std::vector<uint8_t> chunk(1 << 20);
  for (;;) {
    const int n = gzread(file.get(), chunk.data(), static_cast<unsigned>(chunk.size()));
    if (n < 0) throw Error(path + ": corrupt gzip stream");
    if (n == 0) break;
    bytes.insert(bytes.end(), chunk.begin(), chunk.begin() + n);
  }
  return bytes;
}

uint32_t big_endian_u32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

IdxArray read_idx(const std::string& path, int expected_rank) {
  return parse_idx(read_whole_file(path), path, expected_rank);
}

IdxArray parse_idx(const std::vector<uint8_t>& bytes, const std::string& path, int expected_rank) {
  const uint32_t expected_magic = 0x00000800u | static_cast<uint32_t>(expected_rank);
  if (bytes.size() < 4 || big_endian_u32(bytes.data()) != expected_magic) {
    std::ostringstream message;
    message << path << ": not an unsigned-byte IDX file of rank " << expected_rank
            << " (expected magic 0x" << std::hex << expected_magic << ")";
    throw Error(message.str());
  }
  const size_t header_bytes = 4 + 4 * static_cast<size_t>(expected_rank);
  if (bytes.size() < header_bytes) throw Error(path + ": truncated IDX header");
  IdxArray array;
  size_t elements = 1;
  bool overflow = false;
  for (int d = 0; d < expected_rank; ++d) {
    array.dims.push_back(big_endian_u32(bytes.data() + 4 + 4 * static_cast<size_t>(d)));
    overflow |= __builtin_mul_overflow(elements, size_t{array.dims.back()}, &elements);
  }
  if (overflow) {
    std::ostringstream message;
    message << path << ": IDX header dimensions";
    for (uint32_t dim : array.dims) message << " " << dim;
    message << " multiply past 64 bits; expected dimensions whose product is the file's "
            << bytes.size() - header_bytes << " data bytes";
    throw Error(message.str());
  }
  if (bytes.size() != header_bytes + elements) {
    std::ostringstream message;
    message << path << ": " << (bytes.size() < header_bytes + elements ? "truncated" : "oversized")
            << " IDX data (header promises " << elements << " bytes, file holds "
            << bytes.size() - header_bytes << ")";
    throw Error(message.str());
  }
  array.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header_bytes), bytes.end());
  return array;
}

}  // namespace lvsim
