// The top level (models/accelerator.h) wires the blocks: a tiny network's
// weights go DRAM -> weight SRAM once over DMA, every image is staged, run on
// the array and read back, and the predictions are the host reference's.
#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <vector>

#include "models/accelerator.h"
#include "models/array/host/forward_batch.h"
#include "models/weights/weight_layout.h"
#include "tests/support/tiny_networks.h"
#include "workloads/dataset.h"
#include "workloads/network.h"

using namespace lvsim;

// Tagged [data] although it reads no data set: it runs the SystemC kernel,
// whose thread stacks make AddressSanitizer crash on the next exception
// (google/sanitizers#189), and scripts/sanitize leaves out the [data] cases
// for that reason.
TEST_CASE("the top level loads the weights once and predicts as the host does",
          "[accelerator][data]") {
  const Network net = test::tiny_network(4);  // 2x4x4 inputs, 4 classes
  const int images = 4;
  Dataset data;
  data.name = "tiny";
  data.channels = 2;
  data.rows = data.cols = 4;
  std::mt19937 rng(5);
  for (int i = 0; i < images * 32; ++i) data.pixels.push_back(static_cast<uint8_t>(rng() & 0xff));

  // The host reference: every image through the network's own weights.
  std::vector<float> inputs(data.pixels.size());
  for (size_t i = 0; i < inputs.size(); ++i) inputs[i] = net.normalize(data.pixels[i]);
  ForwardBuffers buffers;
  const float* logits = forward_batch(net, own_parameters(net), inputs.data(), images, buffers);
  std::vector<uint8_t> expected;
  for (int n = 0; n < images; ++n)
    expected.push_back(static_cast<uint8_t>(std::max_element(logits + 4 * n, logits + 4 * n + 4) -
                                            (logits + 4 * n)));
  // Labels the host gets right but for the last image.
  data.labels = expected;
  data.labels.back() = static_cast<uint8_t>((expected.back() + 1) % 4);

  AcceleratorParams params;
  params.weight_sram.mechanisms = {false, false};  // fault-free
  params.weight_sram.capacity_bytes = 256 * 1024;
  params.dram.capacity_bytes = 1 << 20;
  params.controller.images = images;
  fresh_simulation_context();
  Accelerator top("top", params, net, data, [](size_t) {});
  sc_core::sc_start();
  REQUIRE_FALSE(top.controller.error());

  CHECK(top.controller.predictions() == expected);
  CHECK(top.controller.stats().images == 4);
  CHECK(top.controller.stats().correct == 3);
  // One load of every weight word over DMA; every word read once per image.
  const WeightLayout layout = WeightLayout::of(net);
  uint64_t words = 0;
  for (const WeightRegion& region : layout.regions) words += region.words();
  CHECK(top.controller.stats().weight_loads == 1);
  CHECK(top.dram.stats().read_bytes == layout.total_bytes);
  CHECK(top.weight_sram.stats().words_written == layout.total_bytes / 4);
  CHECK(top.weight_sram.stats().words_read == words * images);
  CHECK(top.mac_array.stats().macs == net.macs_per_image() * images);
  // The images go in and the logits come out through the activation buffer.
  CHECK(top.activation_buffer.stats().write_bytes > 0);
  CHECK(top.energy_report().total_pj() > 0.0);
}
