#include <catch2/catch.hpp>

#include "tests/support/helpers.h"
#include "workloads/common/error.h"
#include "workloads/dataset.h"
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

TEST_CASE("a dataset split needs as many labels as images", "[idx][dataset]") {
  ScratchDir dir;
  write_bytes(dir.file("t10k-images-idx3-ubyte"), idx_bytes({3, 2, 2}, std::vector<uint8_t>(12)));
  write_bytes(dir.file("t10k-labels-idx1-ubyte"), idx_bytes({2}, {1, 2}));
  CHECK_THROWS_WITH(load_split("mnist", dir.path().string(), "t10k"),
                    Catch::Contains("3 images") && Catch::Contains("2 labels"));

  write_bytes(dir.file("t10k-labels-idx1-ubyte"), idx_bytes({3}, {1, 2, 11}));
  CHECK_THROWS_WITH(load_split("mnist", dir.path().string(), "t10k"), Catch::Contains("label 11"));

  write_bytes(dir.file("t10k-labels-idx1-ubyte"), idx_bytes({3}, {1, 2, 3}));
  const Dataset set = load_split("mnist", dir.path().string(), "t10k", 2);
  CHECK(set.size() == 2);
  CHECK(set.rows == 2);
  CHECK(set.pixels.size() == 8);
}

TEST_CASE("a missing test set says where it looked and what to do", "[dataset]") {
  ScratchDir dir;
  CHECK_THROWS_WITH(load_test_set("mnist", dir.path().string(), dir.path().string()),
                    Catch::Contains(dir.path().string()) && Catch::Contains("LVSIM_DATA_DIR") &&
                        Catch::Contains("fetch-mnist"));
  CHECK_THROWS_WITH(load_test_set("cifar", "", dir.path().string()),
                    Catch::Contains("unknown dataset"));
}

TEST_CASE("an MNIST directory is never taken for Fashion-MNIST", "[dataset]") {
  setenv("LVSIM_DATA_DIR", "/data/mnist", 1);
  const std::vector<std::string> fashion = dataset_search_path("fashion-mnist", "", "/repo");
  CHECK(std::find(fashion.begin(), fashion.end(), "/data/mnist") == fashion.end());
  CHECK(fashion.back() == "/usr/share/datasets/fashion-mnist");
  const std::vector<std::string> mnist = dataset_search_path("mnist", "", "/repo");
  CHECK(mnist.front() == "/data/mnist");
  unsetenv("LVSIM_DATA_DIR");
}

TEST_CASE("the genuine MNIST test set loads", "[dataset][data]") {
  const Dataset set = load_test_set("mnist", lvsim::test::mnist_data_dir(), "");
  CHECK(set.size() == 10000);
  CHECK(set.rows == 28);
  CHECK(set.cols == 28);
  CHECK(set.labels[0] == 7);  // the first MNIST test digit is a 7
}
