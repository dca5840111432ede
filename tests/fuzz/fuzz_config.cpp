// libFuzzer target: an INI config and --set overrides, resolved into the run's
// settings (every key parsed and checked). The input is the INI text, then,
// after a line "--", one override per line. lvsim::Error is the expected
// answer to bad input.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "sim/config.h"
#include "sim/settings.h"
#include "workloads/common/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t split = input.find("\n--\n");
  const std::string ini = input.substr(0, split);
  std::vector<std::string> overrides;
  if (split != std::string::npos) {
    std::istringstream lines(input.substr(split + 4));
    for (std::string line; std::getline(lines, line);) overrides.push_back(line);
  }
  try {
    const lvsim::Config config = lvsim::Config::parse(ini, "fuzz.ini", overrides);
    if (config.sweep_axes().empty()) (void)lvsim::settings_from(config);
  } catch (const lvsim::Error&) {
  }
  return 0;
}
