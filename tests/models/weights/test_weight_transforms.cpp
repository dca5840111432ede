// Weight transforms before loading (models/weights/weight_transforms.h):
// pruning below a threshold and seed 003's batch-wise centralization.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>

#include "models/weights/weight_transforms.h"
#include "workloads/network.h"

using namespace lvsim;

namespace {

TransformParams transforms(double prune_threshold, int centralize_batch, uint64_t seed) {
  TransformParams params;
  params.prune_threshold = prune_threshold;
  params.centralize_batch = centralize_batch;
  params.seed = seed;
  return params;
}

}  // namespace

TEST_CASE("pruning and centralization", "[format][transforms]") {
  Network net;
  Layer layer;
  layer.kind = LayerKind::kLinear;
  layer.weights = {0.001f, -0.004f, 0.006f, -0.5f, 0.0f, 0.0049f, 0.2f, -0.3f};
  layer.bias = {0.001f};
  net.layers.push_back(layer);
  Network pruned = net;
  const TransformStats p = transform_weights(pruned, transforms(0.005, 0, 1));
  CHECK(p.pruned == 3);  // the zero already there is not counted
  CHECK(pruned.layers[0].weights ==
        std::vector<float>{0.0f, 0.0f, 0.006f, -0.5f, 0.0f, 0.0f, 0.2f, -0.3f});
  CHECK(pruned.layers[0].bias[0] == 0.001f);  // biases are kept

  Network centralized = net;
  const TransformStats c = transform_weights(centralized, transforms(0.0, 4, 7));
  CHECK(c.centralized_batches == 2);
  CHECK(c.centralized_bytes == 16);
  CHECK(c.original_bytes == 32);
  for (int batch = 0; batch < 2; ++batch) {
    double mean = 0, sd = 0;
    for (int i = 0; i < 4; ++i) mean += net.layers[0].weights[batch * 4 + i] / 4.0;
    for (int i = 0; i < 4; ++i)
      sd += std::pow(net.layers[0].weights[batch * 4 + i] - mean, 2) / 4.0;
    sd = std::sqrt(sd);
    for (int i = 0; i < 4; ++i) {
      const float w = centralized.layers[0].weights[batch * 4 + i];
      CHECK(w >= mean - sd - 1e-6);
      CHECK(w <= mean + sd + 1e-6);
    }
  }
  Network again = net;
  transform_weights(again, transforms(0.0, 4, 7));
  CHECK(again.layers[0].weights == centralized.layers[0].weights);  // same seed, same draws
}
