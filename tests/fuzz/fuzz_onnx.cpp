// libFuzzer target: a model file's bytes through the ONNX importer (protobuf
// parse, graph order, operators, BatchNorm folding). lvsim::Error is the
// expected answer to a bad file; any other exception, a crash or a sanitizer
// report is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "workloads/common/error.h"
#include "workloads/formats/onnx.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const lvsim::Network net =
        lvsim::parse_onnx(std::string(reinterpret_cast<const char*>(data), size), "fuzz.onnx");
    (void)net.macs_per_image();
    (void)net.max_activation_size();
  } catch (const lvsim::Error&) {
  }
  return 0;
}
