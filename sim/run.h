// One experiment: load the workload, then per trial build the platform from the
// settings, simulate and gather every module's statistics. When faults changed
// any weight, a fault-free baseline of the same images is simulated too, so
// every window of the accuracy curve has its own fault-free reference.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "models/accelerator.h"
#include "sim/settings.h"

namespace lvsim {

// What differs from trial to trial (the fault streams and what they did) and
// from chip to chip (the weak cells, the chip's draws).
struct TrialResult {
  size_t chip = 0;  // in the population (sim.chips)
  uint64_t chip_seed = 0;
  int trial = 0;  // within the chip
  ChipDraws chip_draws;
  uint64_t correct = 0;
  std::vector<uint8_t> predictions;
  std::vector<uint64_t> faulty_bits_after_image;  // stored bits differing from the golden copy
  WeightSramStats weight_sram;
};

struct RunResult {
  // Workload
  std::string network_name;
  std::string network_path;
  std::string dataset;
  std::string data_dir;
  double reference_accuracy = -1.0;  // recorded in the weights file at export
  uint64_t macs_per_image = 0;
  size_t network_layers = 0;               // layers of the graph lvsim runs
  std::vector<std::string> network_notes;  // what the import changed (folded BatchNorms)
  size_t parameters = 0;
  uint64_t weight_bytes = 0;
  TransformStats transforms;  // pruning and centralization before loading
  std::vector<uint8_t> labels;

  // Accuracy, over all chips and trials
  uint64_t images = 0;  // per trial
  int chips = 1;
  int trials_per_chip = 1;
  std::vector<TrialResult> trials;            // chip by chip, each chip's trials in order
  bool faults_changed_weights = false;        // a read returned a changed word, or a write failed
  std::vector<uint8_t> baseline_predictions;  // fault-free predictions of the same images
  double accuracy() const;                    // mean over trials
  double baseline_accuracy() const;           // fault-free accuracy of the same images
  std::vector<float> logits;                  // trial 0, [image][class]

  // Simulated hardware (trial 0; timing does not depend on the faults)
  AcceleratorParams params;
  double upset_probability = 0.0;  // per bit or word read, at the array's own supply
  double weak_cell_fraction = 0.0;
  double vmin_shift_v = 0.0;  // of chip 0's cells at the array's own supply (chip_condition.h)
  double clock_period_ns = 0.0;
  double simulated_ns = 0.0;  // whole run: self-test, initial weight load, images, refreshes
  double self_test_ns = 0.0;  // the weight SRAM's power-up self-test (bist-map)
  double load_ns = 0.0;
  bool fault_map_used = false;  // the mitigation masks by a self-test's fault map
  uint64_t fault_map_bits = 0;
  double inference_ns = 0.0;
  DramStats dram;
  WeightSramStats weight_sram;
  ActivationBufferStats activation_buffer;
  MacArrayStats mac_array;
  ControllerStats controller;
  EnergyReport energy;  // the whole run; per inference divides by the images
  double weight_sram_access_time_ns = 0.0;
  int weight_sram_access_cycles = 0;
  int weight_sram_latency_cycles = 0;
  double weight_sram_access_pj = 0.0;
  double weight_sram_leakage_mw = 0.0;
  double rail_transition_ns = 0.0;  // the rail between the read and the write supply, each way
  std::vector<VoltageDomain> voltage_domains;  // more than one: per-layer supplies
  std::vector<std::pair<std::string, VoltageDomain>> layer_domains;  // each layer's domain
  int weights_per_word = 1;

  // The savings' references: fault-free (no mitigation, no refresh) energy per
  // inference at the nominal supply and at the fault-free Vmin of the bits
  // holding weights at the array's own supply (models/weight_sram/fault_free_vmin.h).
  struct EnergyReferences {
    double target_yield = 0.0;
    uint64_t weight_bits = 0;
    double nominal_v = 0.0;
    double nominal_pj = 0.0;         // per inference
    double fault_free_vmin_v = 0.0;  // NaN: none up to the fault model's range
    double fault_free_pj = 0.0;      // per inference, 0 without a fault-free Vmin
  } references;

  // Host
  double wall_seconds = 0.0;             // everything, baseline included
  double baseline_wall_seconds = 0.0;    // the fault-free baseline alone
  double references_wall_seconds = 0.0;  // the savings' reference energies alone
  int host_threads = 0;
};

// The network as it is loaded: the weights file after the transforms, and
// for an integer format the calibrated activation scales.
struct PreparedWorkload {
  Network network;
  TransformStats transforms;
  std::vector<float> input_scales;
};
PreparedWorkload prepare_workload(const RunSettings& settings);

// done/total count images over all trials (and the baseline).
using ProgressCallback = std::function<void(size_t done, size_t total)>;

// Where fault-free reference predictions can be kept beyond this process (a
// sweep keeps them in its results database, so its workers share them).
class BaselineCache {
 public:
  virtual ~BaselineCache() = default;
  virtual bool find(const std::string& key, std::vector<uint8_t>& predictions) = 0;
  virtual void store(const std::string& key, const std::vector<uint8_t>& predictions) = 0;
};

// What the fault-free predictions of a run depend on: equal keys, equal predictions.
std::string baseline_key(const RunSettings& settings);
// The fault-free predictions of the run's images (from the cache when it has them).
std::vector<uint8_t> fault_free_predictions(const RunSettings& settings,
                                            BaselineCache* cache = nullptr);

RunResult run_simulation(const RunSettings& settings, const ProgressCallback& progress,
                         BaselineCache* cache = nullptr);

}  // namespace lvsim
