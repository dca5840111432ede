// libFuzzer target: a .npy file's bytes through the reader (workloads/formats/npy.h).
// lvsim::Error is the expected answer to a bad file.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "workloads/common/error.h"
#include "workloads/formats/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> bytes(data, data + size);
  try {
    const lvsim::NpyArray array = lvsim::parse_npy("fuzz.npy", bytes);
    (void)array.elements();
  } catch (const lvsim::Error&) {
  }
  return 0;
}
