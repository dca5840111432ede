// The NumPy .npy reader (workloads/formats/npy.h): the header, dtypes and
// shapes numpy.save writes. Datasets of .npy files are test_dataset.cpp's.
#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "tests/support/helpers.h"
#include "workloads/common/error.h"
#include "workloads/formats/npy.h"
#include "workloads/formats/onnx.h"
#include "workloads/formats/safetensors.h"

using namespace lvsim;
using namespace lvsim::test;
using Catch::Matchers::Contains;

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
  // A directory (once "basic_filebuf::underflow error reading the file: Is a directory").
  CHECK_THROWS_WITH(read_npy("/tmp"),
                    "/tmp: the .npy file is not a regular file (a device, FIFO or directory)");
  CHECK_THROWS_WITH(load_onnx("/dev/zero"),
                    Catch::Contains("/dev/zero: the ONNX model is not a regular file"));
}

namespace {

// A version 1.0 .npy file with `header` as its dict, padded as numpy pads it.
std::vector<uint8_t> npy_with_header(std::string header, const std::vector<uint8_t>& data) {
  while ((10 + header.size() + 1) % 64) header += ' ';
  header += '\n';
  std::string file = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(header.size() & 0xff) +
                     static_cast<char>(header.size() >> 8) + header +
                     std::string(data.begin(), data.end());
  return std::vector<uint8_t>(file.begin(), file.end());
}

}  // namespace

TEST_CASE("npy: a header numpy would not read, or data beyond the shape, is refused",
          "[npy][errors]") {
  const std::vector<uint8_t> four(4, 7);
  const auto error_of = [](const std::vector<uint8_t>& bytes) {
    try {
      parse_npy("x.npy", bytes);
    } catch (const Error& e) {
      const std::string message = e.what();
      CHECK(message.find('\n') == std::string::npos);
      CHECK(message.rfind("x.npy: ", 0) == 0);
      return message;
    }
    FAIL("no error");
    return std::string();
  };
  REQUIRE_NOTHROW(parse_npy("x.npy", npy_with_header("{'descr': '|u1', 'fortran_order': False, "
                                                     "'shape': (4,), }",
                                                     four)));
  const std::string each_once =
      "expected a dict of 'descr', 'fortran_order' and 'shape', each once";
  CHECK_THAT(
      error_of(npy_with_header("{'descr': '|u1', 'fortran_order': False, 'shape': (4,), ", four)),
      Contains("x.npy: .npy header without its closing '}'") && Contains(each_once));
  CHECK_THAT(error_of(npy_with_header("{'descr': '<f4', 'descr': '|u1', 'fortran_order': False, "
                                      "'shape': (4,), }",
                                      four)),
             Contains("x.npy: .npy header giving 'descr' twice") && Contains(each_once));
  CHECK_THAT(error_of(npy_with_header("{'descr': '|u1', 'fortran_order': False, 'shape': (4,), "
                                      "'shape': (2,), }",
                                      four)),
             Contains("giving 'shape' twice"));
  CHECK_THAT(error_of(npy_with_header("{'descr': '|u1', 'fortran_order': False, 'shape': (4,), "
                                      "'strides': (1,), }",
                                      four)),
             Contains("with the key 'strides'"));
  CHECK_THAT(
      error_of(npy_with_header("{'descr': '|u1', 'fortran_order': False, 'shape': (4,)} x", four)),
      Contains("with text after its closing '}'"));
  // Two images promised, four written: the other two were once dropped without a word.
  CHECK_THAT(error_of(npy_bytes("|u1", "(2,)", four)),
             Contains("x.npy: its shape (2,) of '|u1' needs 2 bytes of data, the file holds 4; "
                      "expected exactly the shape's data"));
}
