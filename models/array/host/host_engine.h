// The host execution engine: how the simulating machine computes, fast, what
// the MAC array computes. It is a simulator speed device, not hardware: the
// simulated array processes one batch after another, each with the weights
// its own SRAM reads returned; the engine computes many images per GEMM on all
// host cores and gets exactly the same numbers.
//
// It keeps the datapath's working copy of the weights (decoded from the SRAM's
// words after every DMA write), asks the hardware model for each epoch's weight
// reads (the faults they cause come back as word changes), and computes the
// epoch as its plan says (epoch_plan.h). The next epoch's reads and plan run on
// the calling thread while the other host threads compute this epoch's largest
// layer (forward_batch's side job): their faults reach only the next epoch's
// plan, so the results are those of one epoch after the other, and the serial
// fault bookkeeping leaves no core idle. Results never depend on the thread
// count: the chunks of the arithmetic depend only on the images.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "models/array/host/epoch_plan.h"
#include "models/array/host/forward_batch.h"
#include "models/array/host/loop_team.h"
#include "models/common/huge_pages.h"
#include "models/common/params.h"
#include "models/common/worker_thread.h"
#include "models/weight_sram/weight_read_report.h"
#include "models/weights/weight_layout.h"
#include "workloads/network.h"

namespace lvsim {

struct HostEngineParams {
  int threads{};  // host threads for the arithmetic; 0: all cores
  // Set by the run, not a key: false for a run that needs only time and
  // energy (a fault-free reference): the reads are made and counted, the
  // arithmetic is skipped and the logits are left zero.
  bool compute = true;

  HostEngineParams() { table().apply_defaults(*this); }
  static const ParamTable<HostEngineParams>& table();
};

class HostEngine {
 public:
  // The hardware's weight reads of the next `images` images (whole batches, or
  // the run's final partial batch): fills changes[region] with the words the
  // reads changed, in batch order (WordChange::batch counts from the first).
  using ReadWeights =
      std::function<void(int images, std::vector<std::vector<WordChange>>& changes)>;

  // `batch`: the array's batch (epochs hold whole batches).
  HostEngine(const HostEngineParams& params, const Network& network, const WeightLayout& layout,
             int batch);

  int threads() const { return threads_; }
  // Decodes the SRAM's contents (the whole weight image) into the working copy.
  void load(const unsigned char* image);
  // Regions loaded afresh before every batch (streamed layers; see
  // EpochPlan::leading), set before the first load: that load's values are
  // what every later load of them brings.
  void set_streamed(std::vector<bool> streamed);
  // The working copy: every parameter decoded, at its WeightRegion slot.
  const HugeVector<float>& values() const { return working_; }
  // Computes `images` inputs (HWC floats, back to back) into `logits`
  // ([image][class]), each image with the weights its own read returned;
  // `read` is called once per epoch, in order, before that epoch is computed.
  void run(const float* inputs, int images, float* logits, const ReadWeights& read);

 private:
  void read_and_plan(int images, EpochPlan& plan, const ReadWeights& read);
  // Computes images [first, first + count) as `plan` says, running
  // `side_job` (the next epoch's reads and plan) beside the arithmetic.
  void compute_epoch(const EpochPlan& plan, const float* inputs, int first, int count,
                     float* logits, const std::function<void()>* side_job);
  // The arithmetic of compute_epoch.
  void compute_plan(const EpochPlan& plan, const float* inputs, int first, int count,
                    float* logits);
  void compute_batch(const float* inputs, int first, int count, float* logits,
                     const std::vector<std::vector<LayerPatch>>* patches);
  // Leaves the working copy as the epoch's last reads left the SRAM.
  void finish_epoch(const EpochPlan& plan);
  std::vector<LayerParameters> working_parameters();

  const Network& network_;
  const WeightLayout& layout_;
  int threads_;
  bool compute_;
  EpochPlanner planner_;
  HugeVector<float> working_;    // updated at scattered slots: on huge pages
  std::vector<bool> streamed_;   // per region
  HugeVector<float> golden_;     // the working copy as first loaded, when a region streams
  std::vector<uint32_t> words_;  // scratch of load: a copy of the SRAM's words
  std::vector<std::vector<WordChange>> word_changes_;  // per region, one epoch's
  std::vector<size_t> last_changes_;                   // per region, the last epoch's count
  int last_images_ = 1;                                // the last epoch's images
  ForwardBuffers buffers_;
  // With two threads or more: the worker computes the epochs on the team.
  WorkerThread worker_;
  std::unique_ptr<LoopTeam> team_;
};

}  // namespace lvsim
