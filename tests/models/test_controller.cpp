// The controller (models/controller.h): weights larger than the weight SRAM,
// layers streamed from DRAM for every batch (on the shipped LeNet-5, ONNX), and
// refreshes of the weights through DMA, every so many images or so much
// simulated time.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "models/weights/weight_format.h"
#include "models/weights/weight_layout.h"
#include "sim/config.h"
#include "sim/metrics.h"
#include "sim/run.h"
#include "sim/settings.h"
#include "tests/support/helpers.h"
#include "workloads/network.h"

using namespace lvsim;
using Catch::Matchers::Contains;

namespace {

const std::string kLenet = std::string(LVSIM_SOURCE_DIR) + "/workloads/networks/onnx/lenet5.onnx";

RunResult run_lenet(std::vector<std::string> sets) {
  sets.push_back("workload.network=" + kLenet);
  sets.push_back("workload.data_dir=" + test::mnist_data_dir());
  return run_simulation(settings_from(Config::load("", sets)), nullptr);
}

// Bytes of each LeNet-5 layer with weights in the SRAM's fp32 layout.
std::vector<uint64_t> region_bytes() {
  const Network network = Network::load(kLenet);
  const WeightLayout layout = WeightLayout::of(network, make_weight_format("fp32"), {});
  std::vector<uint64_t> bytes;
  for (const WeightRegion& region : layout.regions)
    bytes.push_back(region.end_address - region.weight_address);
  return bytes;
}

// 128 KiB with two 16 KiB stream buffers leaves 96 KiB: conv1 (0.6 KiB),
// conv2 (9.4 KiB), fc2 (39.7 KiB) and fc3 (3.3 KiB) stay, fc1 (188 KiB, the
// third layer with weights) streams.
const std::vector<std::string> kSmallSram = {"weight_sram.capacity_kib=128",
                                             "dma.stream_tile_kib=16"};

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

TEST_CASE(
    "Streaming: a network larger than the SRAM streams the layers that do not fit, and its "
    "DRAM traffic per inference is the streamed bytes per batch",
    "[streaming][onnx][data]") {
  const std::vector<uint64_t> bytes = region_bytes();
  REQUIRE(bytes.size() == 5);
  uint64_t total = 0;
  for (uint64_t b : bytes) total += b;
  for (int batch : {1, 4}) {
    INFO("batch " << batch);
    const RunResult r = run_lenet(
        with(kSmallSram, {"workload.images=32", "mac_array.batch=" + std::to_string(batch)}));
    REQUIRE(r.mac_array.layers.size() == 5);
    for (size_t i = 0; i < 5; ++i) CHECK(r.mac_array.layers[i].streamed == (i == 2));
    const uint64_t batches = 32 / static_cast<uint64_t>(batch);
    CHECK(r.controller.stream_loads == batches);
    CHECK(r.dram.streamed_bytes == batches * bytes[2]);
    CHECK(r.controller.stream_bytes == batches * bytes[2]);
    // Per inference: the streamed bytes of a batch over its images.
    CHECK(static_cast<double>(r.dram.streamed_bytes) / 32 ==
          Approx(static_cast<double>(bytes[2]) / batch));
    // The initial load brought the resident layers only.
    CHECK(r.dram.read_bytes == total - bytes[2] + batches * bytes[2]);
    CHECK(r.weight_sram.words_streamed == batches * bytes[2] / 4);
    CHECK(r.energy.component_pj("dram_stream") > 0.0);
  }
}

TEST_CASE("Streaming changes no arithmetic and adds the array's waits for late tiles to its time",
          "[streaming][onnx][data]") {
  const RunResult resident = run_lenet({"workload.images=64"});
  const RunResult streamed = run_lenet(with(kSmallSram, {"workload.images=64"}));
  CHECK(resident.controller.stream_loads == 0);
  CHECK(resident.mac_array.stall_cycles == 0);
  CHECK(streamed.logits == resident.logits);
  // Every layer takes what it took; the stalls come on top.
  REQUIRE(streamed.mac_array.layers.size() == resident.mac_array.layers.size());
  for (size_t i = 0; i < resident.mac_array.layers.size(); ++i)
    CHECK(streamed.mac_array.layers[i].cycles - streamed.mac_array.layers[i].stall_cycles ==
          resident.mac_array.layers[i].cycles);
  CHECK(streamed.mac_array.busy_cycles ==
        resident.mac_array.busy_cycles + streamed.mac_array.stall_cycles);
  // fc1's 188 KiB cross LPDDR4 at 12.8 GB/s in ~15 us per image (~7,500
  // cycles at 500 MHz), longer than the array computes: it waits for them,
  // but no longer than the whole load takes.
  const LayerStats& fc1 = streamed.mac_array.layers[2];
  CHECK(fc1.stall_cycles > 0);
  // The DMA time of a load: DRAM bursts (ns at 2 ns a cycle) and SRAM writes
  // (at most a cycle a word).
  const double dma_cycles_per_image = streamed.dram.busy_ns / 64 / 2 +
                                      static_cast<double>(streamed.weight_sram.words_streamed) / 64;
  CHECK(static_cast<double>(fc1.stall_cycles) / 64 < dma_cycles_per_image);
}

TEST_CASE(
    "Streaming: faults of one load never reach the next - a streamed layer's upsets equal a "
    "resident layer refreshed before every batch, bit for bit",
    "[streaming][faults][onnx][data]") {
  // Upsets in fc1 only (the streamed layer, node '7' of the export), minerva-40nm at 0.64 V.
  const std::vector<std::string> faults = {
      "workload.images=48",          "fault.preset=minerva-40nm",
      "fault.mechanism=upset",       "weight_sram.vdd_v=0.64",
      "weight_sram.mitigation=flip", "weights.fault_layers=7",
      "mac_array.batch=2",           "sim.seed=7"};
  // Stages of one batch, so that the host computes both runs in the same
  // groups of images (its GEMMs round alike only for alike shapes).
  const std::vector<std::string> one_batch_stages = {"controller.images_per_stage=2"};
  const RunResult streamed = run_lenet(with(with(faults, kSmallSram), one_batch_stages));
  const RunResult refreshed =
      run_lenet(with(with(faults, {"refresh.interval_images=2"}), one_batch_stages));
  REQUIRE(streamed.weight_sram.faults.bit_faults > 0);
  CHECK(streamed.weight_sram.faults.bit_faults == refreshed.weight_sram.faults.bit_faults);
  CHECK(streamed.trials[0].faulty_bits_after_image == refreshed.trials[0].faulty_bits_after_image);
  CHECK(streamed.logits == refreshed.logits);
  // In the default stages of 256 images the host corrects each image's faults
  // from the loaded weights: the same faults, the same predictions.
  const RunResult long_stages = run_lenet(with(faults, kSmallSram));
  CHECK(long_stages.weight_sram.faults.bit_faults == refreshed.weight_sram.faults.bit_faults);
  CHECK(long_stages.trials[0].predictions == refreshed.trials[0].predictions);
  // Without reloads the faults pile up instead.
  const RunResult accumulating = run_lenet(faults);
  CHECK(accumulating.trials[0].faulty_bits_after_image.back() >
        refreshed.trials[0].faulty_bits_after_image.back());
}

TEST_CASE("Streaming: an SRAM without room for the stream buffers, a DRAM too small",
          "[streaming][errors][data]") {
  CHECK_THROWS_WITH(run_lenet({"weight_sram.capacity_kib=32", "dma.stream_tile_kib=16"}),
                    Contains("weight SRAM of 32 KiB") && Contains("stream buffers"));
  // The seed-004 CNN's 12.8 MB do not fit 8 MiB of DRAM.
  CHECK_THROWS_WITH(
      run_simulation(
          settings_from(Config::load(
              "", {"dram.capacity_mib=8", "workload.data_dir=" + test::mnist_data_dir()})),
          nullptr),
      Contains("DRAM of 8 MiB") && Contains("at least 13 MiB"));
}

TEST_CASE("refresh reloads the weights through DMA and bounds the damage",
          "[end_to_end][faults][data]") {
  auto run = [](const std::string& interval) {
    return run_simulation(
        settings_from(Config::load(
            "", {"workload.images=200", "workload.data_dir=" + test::mnist_data_dir(),
                 "fault.preset=seed004", "fault.protect_sign=false", "fault.p=1e-5",
                 "weight_sram.mitigation=flip", "refresh.interval_images=" + interval})),
        nullptr);
  };
  const RunResult never = run("0"), every_50 = run("50");
  CHECK(never.controller.refreshes == 0);
  CHECK(every_50.controller.refreshes == 3);
  CHECK(every_50.controller.refresh_bytes == 3 * every_50.weight_bytes);
  CHECK(every_50.dram.read_bytes == 4 * every_50.weight_bytes);
  // Just after each refresh the array is golden again: faulty bits drop.
  const auto& series = every_50.trials[0].faulty_bits_after_image;
  CHECK(series[50] < series[49]);
  CHECK(series[199] < never.trials[0].faulty_bits_after_image[199]);
}

TEST_CASE(
    "a refresh interval in simulated time refreshes at the first image boundary that reaches it",
    "[end_to_end][refresh][data]") {
  auto run = [](const std::string& refresh) {
    return run_simulation(
        settings_from(Config::load(
            "", {"workload.images=200", "workload.data_dir=" + test::mnist_data_dir(),
                 "fault.preset=seed004", "fault.p=1e-4", "weight_sram.mitigation=zero", refresh})),
        nullptr);
  };
  // 50 ms of images at 635,785 cycles of 2 ns each (1.27 ms): the 40th image reaches it.
  const RunResult by_time = run("refresh.interval_us=50000");
  const double image_us = 635785 * 2e-3;
  CHECK(by_time.controller.refreshes == 4);  // after images 40, 80, 120, 160
  const RunMetrics m = metrics_of(by_time);
  CHECK(m.refresh_every_images == 40.0);
  CHECK(m.refresh_every_us >= 50000.0);
  CHECK(m.refresh_every_us < 50000.0 + image_us);
  // The same refreshes as every 40 images: the same faults, the same predictions.
  const RunResult by_images = run("refresh.interval_images=40");
  CHECK(by_images.controller.refreshes == 4);
  CHECK(by_images.trials[0].predictions == by_time.trials[0].predictions);
  CHECK(by_images.trials[0].faulty_bits_after_image == by_time.trials[0].faulty_bits_after_image);
  const RunMetrics mi = metrics_of(by_images);
  CHECK(mi.refresh_every_images == 40.0);
  CHECK(mi.refresh_every_us == Approx(m.refresh_every_us));
  CHECK_THROWS_WITH(
      settings_from(Config::load("", {"refresh.interval_images=40", "refresh.interval_us=5"})),
      Catch::Matchers::Contains("one of refresh.interval_images and refresh.interval_us"));
}
