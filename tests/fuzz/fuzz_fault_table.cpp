// libFuzzer target: a fault table's CSV through its reader, then the model
// asked across its range. lvsim::Error is the expected answer to a bad table.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "models/weight_sram/fault_models/fault_model.h"
#include "workloads/common/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  try {
    const auto model = lvsim::parse_fault_table(in, "fuzz.csv");
    const auto [low, high] = model->valid_range();
    for (int i = 0; i <= 8; ++i) {
      const double v = low + (high - low) * i / 8.0;
      const double p = model->probability(v);
      if (!(p >= 0.0 && p <= 1.0)) __builtin_trap();  // a table's p must stay a probability
      (void)model->circuit(v);
    }
  } catch (const lvsim::Error&) {
  }
  return 0;
}
