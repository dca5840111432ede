// The committed networks, run on the simulated accelerator, against the
// PyTorch outputs exported with them by workloads/networks/safetensors/train.py.
#include <catch2/catch.hpp>
#include <cmath>

#include "sim/config.h"
#include "sim/run.h"
#include "tests/support/helpers.h"
#include "workloads/formats/safetensors.h"

using namespace lvsim;

namespace {

void check_against_pytorch(const std::string& network, const std::string& dataset,
                           const std::string& data_dir) {
  const std::string weights =
      std::string(LVSIM_SOURCE_DIR) + "/workloads/networks/safetensors/" + network;
  const SafeTensors golden =
      SafeTensors::load(weights.substr(0, weights.size() - 12) + ".golden.safetensors");
  const std::vector<float> logits = golden.f32("logits", {1000, 10});
  const std::vector<uint8_t> predictions = golden.u8("predictions", {10000});

  const RunSettings settings =
      settings_from(Config::load("", {"workload.network=" + weights, "workload.dataset=" + dataset,
                                      "workload.data_dir=" + data_dir, "workload.images=10000"}));
  const RunResult result = run_simulation(settings, nullptr);
  REQUIRE(result.images == 10000);

  // Logits within 1e-4 of the largest logit magnitude of their image.
  double worst = 0.0;
  for (size_t n = 0; n < 1000; ++n) {
    double scale = 0.0;
    for (size_t j = 0; j < 10; ++j) scale = std::max(scale, std::fabs(double(logits[n * 10 + j])));
    for (size_t j = 0; j < 10; ++j)
      worst = std::max(worst,
                       std::fabs(double(result.logits[n * 10 + j]) - logits[n * 10 + j]) / scale);
  }
  INFO("worst relative logit difference " << worst);
  CHECK(worst < 1e-4);

  size_t mismatches = 0;
  for (size_t n = 0; n < 10000; ++n)
    mismatches += result.trials[0].predictions[n] != predictions[n];
  CHECK(mismatches == 0);
  CHECK(result.accuracy() ==
        Approx(std::stod(golden.metadata_value("test_accuracy"))).margin(1e-6));
}

}  // namespace

TEST_CASE("MNIST network: simulated accelerator equals PyTorch on all 10,000 test images",
          "[reference][data]") {
  check_against_pytorch("mnist_cnn.safetensors", "mnist", test::mnist_data_dir());
}

TEST_CASE("Fashion-MNIST network: simulated accelerator equals PyTorch", "[reference][data]") {
  check_against_pytorch("fashion_cnn.safetensors", "fashion-mnist",
                        "/usr/share/datasets/fashion-mnist");
}
