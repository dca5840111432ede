// The NumPy .npy reader (workloads/formats/npy.h): the header, dtypes and
// shapes numpy.save writes. Datasets of .npy files are test_dataset.cpp's.
#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "tests/support/helpers.h"
#include "workloads/formats/npy.h"
#include "workloads/formats/onnx.h"
#include "workloads/formats/safetensors.h"

using namespace lvsim;
using namespace lvsim::test;

TEST_CASE("npy: the header, dtypes and shapes numpy.save writes", "[npy]") {
  const NpyArray a = parse_npy("a.npy", npy_bytes("<i8", "(3,)", raw<int64_t>({7, -1, 2})));
  CHECK(a.dtype == "i8");
  CHECK(a.shape == std::vector<uint64_t>{3});
  CHECK(a.elements() == 3);
  const NpyArray b =
      parse_npy("b.npy", npy_bytes("|u1", "(2, 1, 2, 2)", std::vector<uint8_t>(8, 5)));
  CHECK(b.shape == std::vector<uint64_t>{2, 1, 2, 2});
  CHECK(b.data.size() == 8);
}

TEST_CASE("a weights file or .npy that is a device or a directory is refused before any read",
          "[npy][safetensors][errors]") {
  // /dev/zero never ends: read whole, it would grow a buffer until memory ran out.
  CHECK_THROWS_WITH(read_npy("/dev/zero"), Catch::Contains("/dev/zero: the .npy file is not a "
                                                           "regular file"));
  CHECK_THROWS_WITH(SafeTensors::load("/dev/zero"),
                    Catch::Contains("/dev/zero: the weights file is not a regular file"));
  CHECK_THROWS_WITH(SafeTensors::load("/tmp"), Catch::Contains("not a regular file"));
  CHECK_THROWS_WITH(read_npy("/nonexistent/x.npy"), Catch::Contains("cannot open"));
  CHECK_THROWS_WITH(load_onnx("/dev/zero"),
                    Catch::Contains("/dev/zero: the ONNX model is not a regular file"));
}
