// The IDX reader (workloads/formats/idx.h): plain and gzip files, and
// defective ones refused naming the file.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/support/helpers.h"
#include "workloads/common/error.h"
#include "workloads/formats/idx.h"

using namespace lvsim;
using lvsim::test::idx_bytes;
using lvsim::test::ScratchDir;
using lvsim::test::write_bytes;

TEST_CASE("IDX reader reads plain and gzip files", "[idx]") {
  ScratchDir dir;
  const std::vector<uint8_t> pixels = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  for (bool gzip : {false, true}) {
    const std::string path = dir.file(gzip ? "a.gz" : "a");
    write_bytes(path, idx_bytes({2, 2, 3}, pixels), gzip);
    const IdxArray array = read_idx(path, 3);
    CHECK(array.dims == std::vector<uint32_t>{2, 2, 3});
    CHECK(array.data == pixels);
  }
}

TEST_CASE("IDX reader rejects defective files with the file name", "[idx]") {
  ScratchDir dir;
  const std::string path = dir.file("bad-idx3-ubyte");

  write_bytes(path, idx_bytes({2, 2, 3}, std::vector<uint8_t>(11)));
  CHECK_THROWS_WITH(read_idx(path, 3), Catch::Contains(path) && Catch::Contains("truncated"));

  write_bytes(path, idx_bytes({2, 2, 3}, std::vector<uint8_t>(13)));
  CHECK_THROWS_WITH(read_idx(path, 3), Catch::Contains("oversized"));

  std::vector<uint8_t> wrong_magic = idx_bytes({2, 2, 3}, std::vector<uint8_t>(12));
  wrong_magic[2] = 0x0D;  // float data, not unsigned bytes
  write_bytes(path, wrong_magic);
  CHECK_THROWS_WITH(read_idx(path, 3), Catch::Contains("expected magic 0x803"));

  write_bytes(path, idx_bytes({12}, std::vector<uint8_t>(12)));
  CHECK_THROWS_WITH(read_idx(path, 3), Catch::Contains("rank 3"));

  write_bytes(path, {0, 0});
  CHECK_THROWS_AS(read_idx(path, 3), Error);

  // 2^31 x 2^31 x 4 wraps to 0 in 64 bits: the empty data must not pass for it.
  write_bytes(path, idx_bytes({0x80000000u, 0x80000000u, 4}, {}));
  CHECK_THROWS_WITH(
      read_idx(path, 3),
      Catch::Contains(path) &&
          Catch::Contains("dimensions 2147483648 2147483648 4 multiply past 64 bits"));

  CHECK_THROWS_WITH(read_idx(dir.file("missing"), 3), Catch::Contains("cannot open"));
}
