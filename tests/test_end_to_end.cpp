// A few hundred real MNIST images through the whole simulated accelerator,
// checked against expectations computed here independently of the models.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>

#include "models/array/host/forward_batch.h"
#include "models/weights/weight_layout.h"
#include "sim/config.h"
#include "sim/run.h"
#include "tests/support/helpers.h"
#include "workloads/dataset.h"
#include "workloads/network.h"

using namespace lvsim;

namespace {

RunSettings settings_for(size_t images, int threads) {
  RunSettings settings = settings_from(Config::load(
      "", {"workload.images=" + std::to_string(images), "sim.threads=" + std::to_string(threads),
           "workload.data_dir=" + test::mnist_data_dir()}));
  return settings;
}

uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

}  // namespace

TEST_CASE("300 images end to end: accuracy, cycles and traffic", "[end_to_end][data]") {
  const size_t images = 300;
  const RunSettings settings = settings_for(images, 0);
  const RunResult result = run_simulation(settings, nullptr);

  // Accuracy: the host reference forward pass on the network's own weights.
  const Network net = Network::load(settings.network_path);
  const Dataset data = load_test_set("mnist", test::mnist_data_dir(), "", images);
  std::vector<float> inputs(data.pixels.size());
  for (size_t i = 0; i < inputs.size(); ++i) inputs[i] = data.pixels[i] * net.input_scale;
  ForwardBuffers buffers;
  const float* logits =
      forward_batch(net, own_parameters(net), inputs.data(), static_cast<int>(images), buffers);
  uint64_t correct = 0;
  for (size_t n = 0; n < images; ++n) {
    const float* row = logits + n * 10;
    const auto predicted = std::max_element(row, row + 10) - row;
    CHECK(result.trials[0].predictions[n] == predicted);
    correct += predicted == data.labels[n];
  }
  CHECK(result.trials[0].correct == correct);
  CHECK(result.accuracy() > 0.97);

  // Traffic: one weight load of every parameter; every weight read once per image.
  const WeightLayout layout = WeightLayout::of(net);
  CHECK(result.dram.read_bytes == layout.total_bytes);
  CHECK(result.weight_sram.words_written == layout.total_bytes / 4);
  CHECK(result.controller.dma_bursts == ceil_div(layout.total_bytes, 4096));
  uint64_t words = 0;
  for (const WeightRegion& region : layout.regions) words += region.words();
  CHECK(words == net.parameter_count());
  CHECK(result.weight_sram.words_read == words * images);

  // Cycles: per layer the longest of the array's folds, the SRAM's bursts and
  // the activation traffic (16x16 array, 16 banks, 64 B/cycle), per stage of 256 images.
  uint64_t expected_cycles = 0;
  for (size_t stage_first = 0; stage_first < images; stage_first += 256) {
    const uint64_t n = std::min<size_t>(256, images - stage_first);
    for (const WeightRegion& region : layout.regions) {
      const Layer& layer = net.layers[region.layer];
      const uint64_t m = layer.gemm_positions(), k = layer.gemm_depth(), c = layer.gemm_rows();
      const uint64_t compute = ceil_div(k, 16) * ceil_div(c, 16) * (2 * 16 + 16 + m - 2) * n;
      const uint64_t sram =
          (1 + ceil_div(region.weight_words * n, 16)) + (1 + ceil_div(region.bias_words * n, 16));
      // Weight-stationary: the lowered input streams once per column fold; outputs once.
      const uint64_t activations = ceil_div((m * k * ceil_div(c, 16) + m * c) * 4 * n, 64);
      expected_cycles += std::max({compute, sram, activations});
    }
  }
  CHECK(result.mac_array.busy_cycles == expected_cycles);
  CHECK(result.mac_array.macs == net.macs_per_image() * images);
  // Inference time also holds the staging of inputs and the read-back of logits.
  CHECK(result.inference_ns / result.clock_period_ns >= static_cast<double>(expected_cycles));
  CHECK(result.load_ns > 0);
  CHECK(result.simulated_ns == Approx(result.load_ns + result.inference_ns));
}

TEST_CASE("results are bit-identical whatever the host thread count", "[end_to_end][data]") {
  const RunResult one = run_simulation(settings_for(100, 1), nullptr);
  const RunResult two = run_simulation(settings_for(100, 2), nullptr);
  REQUIRE(one.logits.size() == two.logits.size());
  CHECK(std::memcmp(one.logits.data(), two.logits.data(), one.logits.size() * 4) == 0);
  CHECK(one.simulated_ns == two.simulated_ns);
}

namespace {

RunResult faulty_run(size_t images, int threads, int stage, const std::string& mitigation, double p,
                     const std::string& format = "fp32") {
  return run_simulation(
      settings_from(Config::load(
          "",
          {"workload.images=" + std::to_string(images), "sim.threads=" + std::to_string(threads),
           "workload.data_dir=" + test::mnist_data_dir(), "fault.preset=seed004",
           "fault.protect_sign=false", "fault.p=" + std::to_string(p),
           "weight_sram.mitigation=" + mitigation, "weights.format=" + format,
           "weights.calibration_images=64",
           "controller.images_per_stage=" + std::to_string(stage)})),
      nullptr);
}

void check_same_predictions(const RunResult& a, const RunResult& b) {
  REQUIRE(a.trials.size() == b.trials.size());
  CHECK(a.trials[0].predictions == b.trials[0].predictions);
  CHECK(a.trials[0].faulty_bits_after_image == b.trials[0].faulty_bits_after_image);
  double worst = 0.0;
  for (size_t i = 0; i < a.logits.size(); ++i) {
    const double scale = std::max(1.0, std::fabs(static_cast<double>(b.logits[i])));
    worst = std::max(worst, std::fabs(a.logits[i] - b.logits[i]) / scale);
  }
  INFO("worst relative logit difference " << worst);
  CHECK(worst < 1e-4);
}

}  // namespace

TEST_CASE("with faults, each image computes with the weights its own read returned",
          "[end_to_end][faults][data]") {
  // Faults depend on (seed, trial, region, read), never on how images are grouped: a
  // stage of 1 image computes every image alone with the array's exact state, a
  // stage of 48 patches a shared GEMM per image; both must agree.
  const RunResult one_by_one = faulty_run(48, 0, 1, "zero", 4e-5);
  const RunResult grouped = faulty_run(48, 0, 48, "zero", 4e-5);
  CHECK(grouped.trials[0].weight_sram.faults.words_changed > 100);
  check_same_predictions(one_by_one, grouped);
  // Stages of several epochs (a lead epoch, then the rest, whose reads overlap
  // the lead's compute; patches of later chunks) on two threads.
  const RunResult staged = faulty_run(96, 2, 48, "zero", 1e-4);
  CHECK(staged.trials[0].weight_sram.faults.words_changed > 10000);
  check_same_predictions(faulty_run(96, 2, 1, "zero", 1e-4), staged);
  // Dense changes (every word read faults) take the image-by-image path inside a stage.
  check_same_predictions(faulty_run(12, 0, 1, "sign", 1.0), faulty_run(12, 0, 12, "sign", 1.0));
}

TEST_CASE("packed formats: faults change only the weights whose bits they hit, image by image",
          "[end_to_end][faults][format][data]") {
  // A faulty word of a packed format holds several weights; the array must see
  // each of them change from the image whose read changed it, as when every
  // image is computed alone.
  for (const char* format : {"int-8", "trunc-6", "fp16"}) {
    INFO(format);
    const RunResult one_by_one = faulty_run(32, 0, 1, "flip", 4e-5, format);
    const RunResult grouped = faulty_run(32, 0, 32, "flip", 4e-5, format);
    CHECK(grouped.trials[0].weight_sram.faults.words_changed > 20);
    check_same_predictions(one_by_one, grouped);
  }
}

TEST_CASE("faulty runs are bit-identical whatever the host thread count",
          "[end_to_end][faults][data]") {
  const RunResult one = faulty_run(160, 1, 256, "flip", 1e-5);
  const RunResult two = faulty_run(160, 2, 256, "flip", 1e-5);
  CHECK(std::memcmp(one.logits.data(), two.logits.data(), one.logits.size() * 4) == 0);
  CHECK(one.trials[0].predictions == two.trials[0].predictions);
}

TEST_CASE("a refresh cannot heal weak cells, and it does cure upsets",
          "[end_to_end][faults][data]") {
  // The statement: measured 14 nm silicon at p(0.637 V) ~ 1e-4 per bit.
  auto run = [](const std::string& mechanism, const std::string& interval) {
    return run_simulation(
        settings_from(Config::load(
            "", {"workload.images=200", "workload.data_dir=" + test::mnist_data_dir(),
                 "weight_sram.vdd_v=0.637", "weight_sram.mitigation=zero", "fault.preset=ibm-14nm",
                 "fault.mechanism=" + mechanism, "fault.intermittent_q=1",
                 "fault.read_disturb=false", "refresh.interval_images=" + interval})),
        nullptr);
  };
  const RunResult weak = run("weak-cells", "0"), weak_refreshed = run("weak-cells", "100");
  CHECK(weak.trials[0].weight_sram.faults.weak_cells > 1000);
  CHECK(weak_refreshed.controller.refreshes == 1);
  CHECK(weak.accuracy() == weak_refreshed.accuracy());
  // The same weights for every image; the refresh only cuts the stages (the
  // host's GEMMs group the images differently, so logits agree to rounding).
  check_same_predictions(weak, weak_refreshed);
  // The same bits read wrong after the refresh as before it.
  CHECK(weak.trials[0].faulty_bits_after_image == weak_refreshed.trials[0].faulty_bits_after_image);

  const RunResult upset = run("upset", "0"), upset_refreshed = run("upset", "100");
  const auto& never = upset.trials[0].faulty_bits_after_image;
  const auto& every = upset_refreshed.trials[0].faulty_bits_after_image;
  CHECK(every[150] < never[150]);  // the refresh at image 100 scrubbed the upsets
  CHECK(upset.logits != weak.logits);
}
