// One exception type for every bad input lvsim can meet: a file, a field and
// what was expected. main() prints what() as a single line and exits non-zero.
#pragma once

#include <stdexcept>
#include <string>

namespace lvsim {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace lvsim
