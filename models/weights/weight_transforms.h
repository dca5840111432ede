// Transforms of the trained weights before they are encoded and loaded: what
// the seeds do to a network to make it smaller, applied to a copy.
//
//   pruning          every weight with |w| < threshold becomes 0 (seed 004,
//                    "Pruning"; biases are kept). With mac_array.zero_skipping
//                    the array skips their MACs (seed 003's zero skipping).
//   centralization   batch-wise weight centralization (seed 003, Sec. 4.2.3):
//                    each layer's weights, in storage order, are cut into
//                    batches of B; each batch is replaced by values drawn
//                    uniformly from [mean - sd, mean + sd] of the batch, so only
//                    the two numbers per batch need storing. The draws come from
//                    a counter-based stream keyed by (seed, layer, weight), so
//                    the same seed regenerates the same weights anywhere.
//
// lvsim stores the regenerated weights in the weight SRAM (an on-chip
// generator would rebuild them at load time); the memory the centralized form
// needs is reported beside it: 2 fp32 numbers per batch instead of B weights.
#pragma once

#include <cstdint>

#include "models/common/params.h"
#include "workloads/network.h"

namespace lvsim {

struct TransformParams {
  double prune_threshold{};  // 0: no pruning
  int centralize_batch{};    // 0: no centralization
  uint64_t seed = 1;         // of the centralized draws (sim.seed)

  TransformParams() { table().apply_defaults(*this); }
  static const ParamTable<TransformParams>& table();
  // The declared ranges, and no batch of one weight; throws FieldError.
  void validate() const;
};

struct TransformStats {
  uint64_t weights = 0;              // weights of all layers
  uint64_t pruned = 0;               // set to zero by pruning (already-zero ones not counted)
  uint64_t centralized_batches = 0;  // batches replaced
  uint64_t centralized_bytes = 0;    // what the centralized layers need: 2 fp32 per batch
  uint64_t original_bytes = 0;       // what they needed as fp32 weights
};

// Validates the parameters and transforms `network` in place.
TransformStats transform_weights(Network& network, const TransformParams& params);

}  // namespace lvsim
