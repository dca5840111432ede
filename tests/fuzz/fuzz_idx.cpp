// libFuzzer target: an IDX file's bytes through the reader, as images (rank 3)
// and as labels (rank 1). lvsim::Error is the expected answer to a bad file.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "workloads/common/error.h"
#include "workloads/formats/idx.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> bytes(data, data + size);
  for (int rank : {1, 3}) {
    try {
      (void)lvsim::parse_idx(bytes, "fuzz-idx-ubyte", rank);
    } catch (const lvsim::Error&) {
    }
  }
  return 0;
}
