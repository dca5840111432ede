// One simulation run: load the workload, build the platform from the
// settings, simulate, and gather every module's statistics.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "models/accelerator.h"
#include "sim/config.h"

namespace lvsim {

struct RunResult {
  // Workload
  std::string network_name;
  std::string network_path;
  std::string dataset;
  std::string data_dir;
  double reference_accuracy = -1.0;  // recorded in the weights file at export
  uint64_t macs_per_image = 0;
  size_t parameters = 0;
  uint64_t weight_bytes = 0;

  // Accuracy
  uint64_t images = 0;
  uint64_t correct = 0;
  double accuracy() const { return images ? static_cast<double>(correct) / images : 0.0; }
  std::vector<uint8_t> predictions;
  std::vector<float> logits;  // [image][class]

  // Simulated hardware
  AcceleratorParams params;
  double clock_period_ns = 0.0;
  double simulated_ns = 0.0;  // whole run: weight load + all images
  double load_ns = 0.0;
  double inference_ns = 0.0;
  DramStats dram;
  WeightSramStats weight_sram;
  ActivationBufferStats activation_buffer;
  MacArrayStats mac_array;
  ControllerStats controller;

  // Host
  double wall_seconds = 0.0;
  int host_threads = 0;
};

using ProgressCallback = std::function<void(size_t done, size_t total)>;

RunResult run_simulation(const RunSettings& settings, const ProgressCallback& progress);

}  // namespace lvsim
