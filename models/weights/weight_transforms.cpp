#include "models/weights/weight_transforms.h"

#include <algorithm>
#include <cmath>

#include "models/common/counter_rng.h"

namespace lvsim {
namespace {

constexpr uint64_t kCentralizeStream = 0x43454E54ull;  // "CENT"

}  // namespace

const ParamTable<TransformParams>& TransformParams::table() {
  static const ParamTable<TransformParams> table = [] {
    using P = TransformParams;
    ParamTable<P> t;
    t.number("weights.prune_threshold", &P::prune_threshold, 0.0, 0.0, 1e30)
        .help("set weights with |w| below this to zero before loading; 0: off")
        .source("seed 004: 0.005 prunes ~15 %");
    t.integer("weights.centralize_batch", &P::centralize_batch, 0, 0, 1 << 30)
        .unit("weights")
        .help(
            "batch-wise weight centralization: each batch of this many weights replaced by "
            "uniform draws in [mean - sd, mean + sd] of the batch; 0: off")
        .source("seed 003, Sec. 4.2.3");
    return t;
  }();
  return table;
}

void TransformParams::validate() const {
  table().check(*this);
  if (centralize_batch == 1)
    invalid(&TransformParams::centralize_batch, "centralization batch of 1 weight",
            "0 (off) or a batch of at least 2 weights");
}

TransformStats transform_weights(Network& network, const TransformParams& params) {
  params.validate();
  TransformStats stats;
  const auto threshold = static_cast<float>(params.prune_threshold);
  const auto batch = static_cast<size_t>(params.centralize_batch);
  for (size_t l = 0; l < network.layers.size(); ++l) {
    std::vector<float>& weights = network.layers[l].weights;
    stats.weights += weights.size();
    if (threshold > 0.0f)
      for (float& w : weights)
        if (std::fabs(w) < threshold && w != 0.0f) {
          w = 0.0f;
          ++stats.pruned;
        }
    if (batch == 0 || weights.empty()) continue;
    stats.original_bytes += weights.size() * sizeof(float);
    for (size_t first = 0; first < weights.size(); first += batch) {
      const size_t last = std::min(first + batch, weights.size());
      double sum = 0.0, squares = 0.0;
      for (size_t i = first; i < last; ++i) sum += weights[i];
      const double mean = sum / static_cast<double>(last - first);
      for (size_t i = first; i < last; ++i) squares += (weights[i] - mean) * (weights[i] - mean);
      const double sd = std::sqrt(squares / static_cast<double>(last - first));
      CounterRng rng(params.seed, 0, kCentralizeStream + l, first);
      for (size_t i = first; i < last; ++i)
        weights[i] = static_cast<float>(mean + sd * (2.0 * rng.uniform() - 1.0));
      ++stats.centralized_batches;
      stats.centralized_bytes += 2 * sizeof(float);
    }
  }
  return stats;
}

}  // namespace lvsim
