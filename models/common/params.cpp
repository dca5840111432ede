#include "models/common/params.h"

#include <iomanip>
#include <sstream>

namespace lvsim {

std::string number_text(double value) {
  for (int precision = 6;; ++precision) {
    std::ostringstream out;
    out << std::setprecision(precision) << value;
    if (precision >= 17 || std::stod(out.str()) == value) return out.str();
  }
}

std::string number_range_text(double min, double max) {
  std::ostringstream out;
  out << "a number in [" << min << ", " << max << "]";
  return out.str();
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    const size_t first = item.find_first_not_of(" \t"), last = item.find_last_not_of(" \t");
    if (first != std::string::npos) items.push_back(item.substr(first, last - first + 1));
  }
  return items;
}

}  // namespace lvsim
