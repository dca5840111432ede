// Text quoted from a file or the command line, made fit for a one-line
// message: control bytes (NUL, newline, escape, ...) are shown as \xNN, so
// they can neither cut the message (a NUL ends what()) nor reach the
// terminal. Bytes from 0x80 up are kept: UTF-8 paths and values read as
// written.
#pragma once

#include <cstdio>
#include <string>

namespace lvsim {

inline std::string printable(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte != 0x7f) {
      out += c;
      continue;
    }
    char escaped[5];
    std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
    out += escaped;
  }
  return out;
}

}  // namespace lvsim
