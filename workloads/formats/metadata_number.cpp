#include "workloads/formats/metadata_number.h"

#include <cmath>
#include <cstdlib>
#include <limits>

#include "workloads/common/error.h"

namespace lvsim {
namespace {

[[noreturn]] void refuse(const std::string& text, const std::string& file, const std::string& field,
                         const std::string& expected) {
  throw Error(file + ": " + field + " = '" + text + "': expected " + expected);
}

}  // namespace

double metadata_number(const std::string& text, const std::string& file, const std::string& field,
                       const std::string& finite_form) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size()) refuse(text, file, field, "a number");
  if (!std::isfinite(value)) refuse(text, file, field, finite_form);
  return value;
}

float metadata_float(const std::string& text, const std::string& file, const std::string& field,
                     const std::string& finite_form) {
  const double value = metadata_number(text, file, field, finite_form);
  if (std::fabs(value) > std::numeric_limits<float>::max()) refuse(text, file, field, finite_form);
  return static_cast<float>(value);
}

}  // namespace lvsim
