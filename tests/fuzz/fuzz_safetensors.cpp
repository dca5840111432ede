// libFuzzer target: a weights file's bytes through the safetensors reader and
// the network builder. lvsim::Error is the expected answer to a bad file; any
// other exception, a crash or a sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "workloads/common/error.h"
#include "workloads/formats/safetensors.h"
#include "workloads/network.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const lvsim::SafeTensors st =
        lvsim::SafeTensors::parse(std::vector<uint8_t>(data, data + size), "fuzz.safetensors");
    const lvsim::Network net = lvsim::Network::from(st);
    (void)net.macs_per_image();
  } catch (const lvsim::Error&) {
  }
  return 0;
}
