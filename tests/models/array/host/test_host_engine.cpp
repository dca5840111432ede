// The host execution engine (models/array/host/): however it groups images into
// epochs (unchanged, corrected, image by image) and however many threads it
// uses, every image is computed with exactly the weights its own read
// returned. A stand-in SRAM changes words as the engine reads them; the
// reference computes each image alone with the words as they were then.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <random>

#include "models/array/host/forward_batch.h"
#include "models/array/host/host_engine.h"
#include "models/weights/weight_layout.h"
#include "tests/support/tiny_networks.h"
#include "workloads/network.h"

using namespace lvsim;
using lvsim::test::tiny_network;

namespace {

// Stands in for the weight SRAM: on each read of an image, changes about
// `rate` words per region (to other finite values) and logs what it did.
struct ChangingSram {
  ChangingSram(const WeightLayout& l, std::vector<uint32_t> w, double r)
      : layout(l), words(std::move(w)), rate(r) {}
  const WeightLayout& layout;
  std::vector<uint32_t> words;
  double rate;
  std::mt19937 rng{5};
  int next_image = 0;
  struct Logged {
    int image;
    uint32_t word, value;
  };
  std::vector<Logged> log;

  void read(int images, std::vector<std::vector<WordChange>>& changes) {
    std::normal_distribution<float> value(0.0f, 0.4f);
    std::poisson_distribution<int> count(rate);
    for (int pass = 0; pass < images; ++pass, ++next_image)
      for (size_t r = 0; r < layout.regions.size(); ++r) {
        const WeightRegion& region = layout.regions[r];
        std::uniform_int_distribution<uint64_t> pick(0, region.words() - 1);
        for (int k = count(rng); k > 0; --k) {
          const uint64_t n = pick(rng);  // a weight word, or past them a bias word
          const auto w = static_cast<uint32_t>(
              n < region.weight_words ? region.weight_address / 4 + n
                                      : region.bias_address / 4 + (n - region.weight_words));
          const float v = value(rng);
          uint32_t bits;
          std::memcpy(&bits, &v, 4);
          changes[r].push_back({static_cast<uint32_t>(pass), w, bits, words[w]});
          words[w] = bits;
          log.push_back({next_image, w, bits});
        }
      }
  }
};

std::vector<float> inputs(int images) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> pixel(0.0f, 1.0f);
  std::vector<float> x(static_cast<size_t>(images) * 32);
  for (float& v : x) v = pixel(rng);
  return x;
}

// Each image alone, with the words as its read left them.
std::vector<float> reference_logits(const Network& net, const WeightLayout& layout,
                                    const std::vector<uint32_t>& golden,
                                    const std::vector<ChangingSram::Logged>& log, int images) {
  std::vector<uint32_t> words = golden;
  std::vector<float> slots(layout.parameter_slots), logits;
  const std::vector<float> x = inputs(images);
  ForwardBuffers buffers;
  size_t next = 0;
  for (int image = 0; image < images; ++image) {
    for (; next < log.size() && log[next].image == image; ++next)
      words[log[next].word] = log[next].value;
    for (const WeightRegion& region : layout.regions)
      layout.decode(region, words.data(), slots.data());
    std::vector<LayerParameters> parameters(net.layers.size());
    for (const WeightRegion& region : layout.regions)
      parameters[region.layer] = {slots.data() + region.weight_slot,
                                  slots.data() + region.bias_slot};
    const float* out = forward_batch(net, parameters, x.data() + image * 32, 1, buffers);
    logits.insert(logits.end(), out, out + 4);
  }
  return logits;
}

struct EngineRun {
  std::vector<float> logits;
  std::vector<ChangingSram::Logged> log;
};

EngineRun run_engine(const Network& net, const WeightLayout& layout, double rate, int threads,
                     int images, int stage) {
  const std::vector<uint8_t> image = layout.image(net);
  HostEngineParams params;
  params.threads = threads;
  HostEngine engine(params, net, layout, 1);
  engine.load(image.data());
  ChangingSram sram(layout, std::vector<uint32_t>(image.size() / 4), rate);
  std::memcpy(sram.words.data(), image.data(), image.size());
  EngineRun run;
  run.logits.resize(static_cast<size_t>(images) * 4);
  const std::vector<float> x = inputs(images);
  for (int first = 0; first < images; first += stage) {
    const int count = std::min(stage, images - first);
    engine.run(
        x.data() + first * 32, count, run.logits.data() + first * 4,
        [&](int n, std::vector<std::vector<WordChange>>& changes) { sram.read(n, changes); });
  }
  run.log = sram.log;
  return run;
}

void check_close(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  double worst = 0.0;
  for (size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, std::fabs(a[i] - b[i]) / std::max(1.0, std::fabs(double{b[i]})));
  INFO("worst relative difference " << worst);
  CHECK(worst < 1e-5);
}

}  // namespace

TEST_CASE("the engine computes every image with the weights its own read returned",
          "[host_engine]") {
  const bool depthwise = GENERATE(false, true);
  INFO("depthwise convolution: " << depthwise);
  const Network net = tiny_network(1, depthwise);
  const WeightLayout layout = WeightLayout::of(net);
  const std::vector<uint8_t> image = layout.image(net);
  std::vector<uint32_t> golden(image.size() / 4);
  std::memcpy(golden.data(), image.data(), image.size());
  // No changes (epochs grow to the stage), a few (corrected epochs), many
  // (every word of the tiny layers changes: image by image).
  for (double rate : {0.0, 0.05, 0.5, 20.0}) {
    INFO("changes per region and image: " << rate);
    const EngineRun run = run_engine(net, layout, rate, 2, 120, 64);
    if (rate > 0) CHECK(!run.log.empty());
    check_close(run.logits, reference_logits(net, layout, golden, run.log, 120));
  }
}

TEST_CASE("the engine's results do not depend on the thread count", "[host_engine]") {
  const Network net = tiny_network(2);
  const WeightLayout layout = WeightLayout::of(net);
  const EngineRun one = run_engine(net, layout, 0.3, 1, 96, 96);
  const EngineRun three = run_engine(net, layout, 0.3, 3, 96, 96);
  REQUIRE(one.logits.size() == three.logits.size());
  CHECK(std::memcmp(one.logits.data(), three.logits.data(), one.logits.size() * 4) == 0);
}

TEST_CASE("reads that change more words than an epoch logs are computed from the words",
          "[host_engine]") {
  // Over 2 x EpochPlanner::kMaxEpochChanges word changes per image (every
  // word of a large layer at p = 1): the plan keeps the word changes and
  // decodes them as it computes (EpochPlanner::plan_dense_words).
  const Network net = tiny_network(4);
  const WeightLayout layout = WeightLayout::of(net);
  const std::vector<uint8_t> image = layout.image(net);
  std::vector<uint32_t> golden(image.size() / 4);
  std::memcpy(golden.data(), image.data(), image.size());
  const double rate = 1.2 * EpochPlanner::kMaxEpochChanges;  // per region: 2.4 x in all
  const EngineRun run = run_engine(net, layout, rate, 2, 5, 5);
  CHECK(run.log.size() > 5 * 2 * EpochPlanner::kMaxEpochChanges);
  check_close(run.logits, reference_logits(net, layout, golden, run.log, 5));
}
