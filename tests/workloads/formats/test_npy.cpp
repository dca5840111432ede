// The NumPy .npy reader (workloads/formats/npy.h): the header, dtypes and
// shapes numpy.save writes. Datasets of .npy files are test_dataset.cpp's.
#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "tests/support/helpers.h"
#include "workloads/formats/npy.h"

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
