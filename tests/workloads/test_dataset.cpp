// Test sets (workloads/dataset.h): IDX splits whose labels and images
// disagree, where a missing set was looked for, MNIST never taken for
// Fashion-MNIST, the genuine MNIST test set; NumPy datasets in either layout,
// their errors, and a run on .npy files equal to the run on IDX files.
#include <sys/stat.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/config.h"
#include "sim/run.h"
#include "sim/settings.h"
#include "tests/support/helpers.h"
#include "workloads/common/error.h"
#include "workloads/dataset.h"

using namespace lvsim;
using namespace lvsim::test;
using Catch::Matchers::Contains;

namespace {

std::string write(const test::ScratchDir& dir, const std::string& name,
                  const std::vector<uint8_t>& bytes) {
  test::write_bytes(dir.file(name), bytes);
  return dir.file(name);
}

// An environment variable set for a scope, then restored (the later tests of
// the process read LVSIM_DATA_DIR for their data).
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_.empty())
      unsetenv(name_);
    else
      setenv(name_, old_.c_str(), 1);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::string old_;
};

}  // namespace

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

TEST_CASE("an IDX file that is a FIFO, a link to a device or a link loop is named, not missing",
          "[idx][dataset][errors]") {
  ScratchDir dir;
  write_bytes(dir.file("t10k-labels-idx1-ubyte"), idx_bytes({1}, {1}));
  const std::string images = dir.file("t10k-images-idx3-ubyte");
  const auto error_of_loading = [&] {
    try {
      load_test_set("mnist", dir.path().string(), dir.path().string());
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string not_regular =
      images + ": the IDX file is not a regular file (a device, FIFO or directory)";
  REQUIRE(mkfifo(images.c_str(), 0600) == 0);  // a FIFO never ends: refused before it is opened
  CHECK(error_of_loading() == not_regular);
  std::filesystem::remove(images);
  std::filesystem::create_symlink("/dev/zero", images);
  CHECK(error_of_loading() == not_regular);
  std::filesystem::remove(images);
  std::filesystem::create_symlink(images, images);  // a loop
  CHECK(error_of_loading() ==
        images + ": cannot open the IDX file (Too many levels of symbolic links)");
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
  const ScopedEnv data_dir("LVSIM_DATA_DIR", "/data/mnist");
  const std::vector<std::string> fashion = dataset_search_path("fashion-mnist", "", "/repo");
  CHECK(std::find(fashion.begin(), fashion.end(), "/data/mnist") == fashion.end());
  CHECK(fashion.back() == "/usr/share/datasets/fashion-mnist");
  const std::vector<std::string> mnist = dataset_search_path("mnist", "", "/repo");
  CHECK(mnist.front() == "/data/mnist");
}

TEST_CASE("the genuine MNIST test set loads", "[dataset][data]") {
  const Dataset set = load_test_set("mnist", lvsim::test::mnist_data_dir(), "");
  CHECK(set.size() == 10000);
  CHECK(set.rows == 28);
  CHECK(set.cols == 28);
  CHECK(set.labels[0] == 7);  // the first MNIST test digit is a 7
}

TEST_CASE("npy: images in either layout become HWC; labels of any integer type", "[npy][dataset]") {
  test::ScratchDir dir;
  // Two images of 2 channels x 1 x 3: image i, channel c, column x = 100 i + 10 c + x.
  std::vector<uint8_t> nchw, nhwc;
  for (int i = 0; i < 2; ++i) {
    for (int c = 0; c < 2; ++c)
      for (int x = 0; x < 3; ++x) nchw.push_back(static_cast<uint8_t>(100 * i + 10 * c + x));
    for (int x = 0; x < 3; ++x)
      for (int c = 0; c < 2; ++c) nhwc.push_back(static_cast<uint8_t>(100 * i + 10 * c + x));
  }
  const std::string labels = write(dir, "y.npy", npy_bytes("<i4", "(2,)", raw<int32_t>({3, 9})));
  const Dataset a = load_npy_dataset(write(dir, "a.npy", npy_bytes("|u1", "(2, 2, 1, 3)", nchw)),
                                     labels, NpyLayout::kNchw, 10);
  const Dataset b = load_npy_dataset(write(dir, "b.npy", npy_bytes("|u1", "(2, 1, 3, 2)", nhwc)),
                                     labels, NpyLayout::kNhwc, 10);
  for (const Dataset* d : {&a, &b}) {
    CHECK(d->channels == 2);
    CHECK(d->rows == 1);
    CHECK(d->cols == 3);
    CHECK(d->labels == std::vector<uint8_t>{3, 9});
    CHECK(d->pixels == nhwc);  // HWC
  }
  // float32 values are kept as they are, the first max_images only.
  std::vector<float> values = {0.5f, -1.25f, 3.0f, 1e-3f, 2.0f, 7.5f};
  const Dataset f =
      load_npy_dataset(write(dir, "f.npy", npy_bytes("<f4", "(2, 3, 1)", raw(values))), labels,
                       NpyLayout::kNchw, 10, 1);
  CHECK(f.size() == 1);
  CHECK(f.channels == 1);
  std::vector<float> image(3);
  f.raw_image(0, image.data());
  CHECK(image == std::vector<float>{0.5f, -1.25f, 3.0f});
}

TEST_CASE("npy: malformed files and mismatched datasets are one-line errors naming the file",
          "[npy][dataset][errors]") {
  test::ScratchDir dir;
  const std::vector<uint8_t> four(4 * 4, 1);
  const std::string images = write(dir, "x.npy", npy_bytes("|u1", "(4, 2, 2)", four));
  const std::string labels =
      write(dir, "y.npy", npy_bytes("<i8", "(4,)", raw<int64_t>({0, 1, 2, 3})));
  CHECK_NOTHROW(load_npy_dataset(images, labels, NpyLayout::kNchw, 10));
  const auto fails = [&](const std::vector<uint8_t>& image_bytes,
                         const std::vector<uint8_t>& label_bytes, const std::string& message) {
    const std::string x = write(dir, "bad-x.npy", image_bytes);
    const std::string y = write(dir, "bad-y.npy", label_bytes);
    CHECK_THROWS_WITH(load_npy_dataset(x, y, NpyLayout::kNchw, 10), Contains(message));
  };
  const std::vector<uint8_t> good_x = npy_bytes("|u1", "(4, 2, 2)", four);
  const std::vector<uint8_t> good_y = npy_bytes("<i8", "(4,)", raw<int64_t>({0, 1, 2, 3}));
  fails({'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0}, good_y, "bad-x.npy: not a NumPy .npy file");
  fails(std::vector<uint8_t>(good_x.begin(), good_x.end() - 3), good_y,
        "bad-x.npy: truncated: its shape (4, 2, 2) of '|u1' needs 16 bytes of data, the file "
        "holds 13");
  fails(npy_bytes(">f4", "(4, 2, 2)", std::vector<uint8_t>(64)), good_y, "big-endian");
  fails(npy_bytes("|u1", "(4, 2, 2)", four, true), good_y, "Fortran-ordered");
  fails(npy_bytes("<f8", "(4, 2, 2)", std::vector<uint8_t>(128)), good_y,
        "bad-x.npy: images of dtype 'f8'; expected uint8 (0..255) or float32");
  fails(npy_bytes("|u1", "(16,)", four), good_y, "images of shape (16,); expected (N, C, H, W)");
  fails(good_x, npy_bytes("<i8", "(3,)", raw<int64_t>({0, 1, 2})),
        "bad-y.npy: labels of shape (3,); expected (4,), one per image");
  fails(good_x, npy_bytes("<f4", "(4,)", raw<float>({0, 1, 2, 3})), "labels of dtype 'f4'");
  // Labels outside the network's classes name its range, whichever side they fall.
  fails(good_x, npy_bytes("<i8", "(4,)", raw<int64_t>({0, 1, -1, 3})),
        "bad-y.npy: label -1 of image 2; expected a class index 0..9 (the network's outputs)");
  fails(good_x, npy_bytes("<i8", "(4,)", raw<int64_t>({0, 1, 10, 3})),
        "bad-y.npy: label 10 of image 2; expected a class index 0..9 (the network's outputs)");
  fails(good_x, npy_bytes("<i1", "(4,)", raw<int8_t>({0, -128, 2, 3})),
        "bad-y.npy: label -128 of image 1; expected a class index 0..9");
  // An unsigned label is printed unsigned (2^63 once printed as -9223372036854775808).
  fails(good_x, npy_bytes("<u8", "(4,)", raw<uint64_t>({0, 1, 2, uint64_t{1} << 63})),
        "bad-y.npy: label 9223372036854775808 of image 3; expected a class index 0..9");
  fails(good_x, npy_bytes("<u2", "(4,)", raw<uint16_t>({0, 1, 2, 300})),
        "bad-y.npy: label 300 of image 3; expected a class index 0..9");
  std::vector<float> nan(16, 0.0f);
  nan[5] = std::nanf("");
  fails(npy_bytes("<f4", "(4, 2, 2)", raw(nan)), good_y,
        "image 1 holds a value that is not finite");
  CHECK_THROWS_WITH(load_npy_dataset(dir.file("missing.npy"), labels, NpyLayout::kNchw, 10),
                    Contains("missing.npy: cannot open"));
}

TEST_CASE("npy: MNIST saved as .npy runs as the IDX files do, logit for logit",
          "[npy][dataset][data]") {
  const Dataset mnist = load_test_set("mnist", test::mnist_data_dir(), LVSIM_SOURCE_DIR, 64);
  test::ScratchDir dir;
  std::vector<int64_t> labels(mnist.labels.begin(), mnist.labels.end());
  const std::string x = write(dir, "x.npy", npy_bytes("|u1", "(64, 1, 28, 28)", mnist.pixels));
  const std::string y = write(dir, "y.npy", npy_bytes("<i8", "(64,)", raw(labels)));
  const RunResult idx = run_simulation(
      settings_from(
          Config::load("", {"workload.images=64", "workload.data_dir=" + test::mnist_data_dir()})),
      nullptr);
  const RunResult npy = run_simulation(
      settings_from(Config::load("", {"workload.images=64", "workload.dataset=npy",
                                      "workload.npy_images=" + x, "workload.npy_labels=" + y})),
      nullptr);
  CHECK(npy.logits == idx.logits);
  CHECK(npy.trials[0].correct == idx.trials[0].correct);
  // Float images, preprocessed already: scale 1, the network's mean and std off.
  std::vector<float> values(mnist.pixels.size());
  for (size_t i = 0; i < values.size(); ++i) values[i] = mnist.pixels[i] * (1.0f / 255.0f);
  const std::string xf = write(dir, "xf.npy", npy_bytes("<f4", "(64, 28, 28)", raw(values)));
  const RunResult floats = run_simulation(
      settings_from(Config::load(
          "", {"workload.images=64", "workload.dataset=npy", "workload.npy_images=" + xf,
               "workload.npy_labels=" + y, "workload.input_scale=1"})),
      nullptr);
  CHECK(floats.trials[0].correct == idx.trials[0].correct);
  // A network input the images do not have.
  CHECK_THROWS_WITH(
      run_simulation(settings_from(Config::load(
                         "", {"workload.images=4", "workload.dataset=npy",
                              "workload.npy_images=" + write(dir, "small.npy",
                                                             npy_bytes("|u1", "(4, 1, 8, 8)",
                                                                       std::vector<uint8_t>(256))),
                              "workload.npy_labels=" +
                                  write(dir, "y4.npy",
                                        npy_bytes("<i8", "(4,)", raw<int64_t>({0, 1, 2, 3})))})),
                     nullptr),
      Contains("small.npy images are [1,8,8]"));
}
