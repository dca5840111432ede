// Reads an input file whole, in one read of its known size: a weights file or
// an .npy dataset. Only regular files are read; a device, FIFO or directory
// (or a link to one) never ends or has no size, and is refused in one line
// before any byte is read (`--weights /dev/zero` would otherwise grow a buffer
// until memory runs out).
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "workloads/common/error.h"

namespace lvsim {

// Whether `path` names a device (character, block or socket): a file that
// never ends, refused by every reader before it reads a byte. Pipes are not
// devices: a text input may come from one (`--config <(...)`).
inline bool is_device(const std::string& path) {
  std::error_code ec;
  const std::filesystem::file_type type = std::filesystem::status(path, ec).type();
  return type == std::filesystem::file_type::character ||
         type == std::filesystem::file_type::block || type == std::filesystem::file_type::socket;
}

// Throws unless `path` is a regular file or a link to one, naming `what`
// ("weights file", ".npy file") and why: missing, unreachable (a link loop,
// a directory without permission), or a device, FIFO or directory.
inline void require_regular_file(const std::string& path, const std::string& what) {
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status))
    throw Error(path + ": cannot open the " + what + " (" +
                (ec ? ec.message() : std::string("No such file or directory")) + ")");
  if (!std::filesystem::is_regular_file(status))
    throw Error(path + ": the " + what + " is not a regular file (a device, FIFO or directory)");
}

inline std::vector<uint8_t> read_regular_file(const std::string& path, const std::string& what) {
  require_regular_file(path, what);
  std::error_code ec;
  std::ifstream in(path, std::ios::binary);
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (!in || ec) throw Error(path + ": cannot open the " + what);
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size)))
    throw Error(path + ": cannot read the " + what + " (" + std::to_string(size) + " bytes)");
  return bytes;
}

}  // namespace lvsim
