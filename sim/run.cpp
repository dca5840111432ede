#include "sim/run.h"

#include <chrono>

#include "workloads/dataset.h"
#include "workloads/error.h"
#include "workloads/network.h"

namespace lvsim {

RunResult run_simulation(const RunSettings& settings, const ProgressCallback& progress) {
  const auto start = std::chrono::steady_clock::now();
  const Network network = Network::load(settings.network_path);
  const Dataset dataset =
      load_test_set(settings.dataset, settings.data_dir, repo_dir(), settings.images);
  if (!(network.input == Shape{1, dataset.rows, dataset.cols}))
    throw Error(settings.network_path + ": network input is [" +
                std::to_string(network.input.channels) + "," +
                std::to_string(network.input.height) + "," + std::to_string(network.input.width) +
                "] but " + dataset.name + " images are [1," + std::to_string(dataset.rows) + "," +
                std::to_string(dataset.cols) + "]");
  if (network.classes() != 10)
    throw Error(settings.network_path + ": network has " + std::to_string(network.classes()) +
                " outputs, expected 10 classes");
  if (dataset.size() < settings.images)
    throw Error("workload.images: " + std::to_string(settings.images) + " requested but " +
                dataset.directory + " holds " + std::to_string(dataset.size()) + " test images");

  RunResult result;
  {
    fresh_simulation_context();
    const size_t total = settings.images;
    Accelerator top("lvsim", settings.accelerator, network, dataset, [&](size_t done) {
      if (progress) progress(done, total);
    });
    sc_core::sc_start();
    if (top.controller.error()) std::rethrow_exception(top.controller.error());

    result.params = top.params();
    result.clock_period_ns = top.params().clock_period().to_seconds() * 1e9;
    result.simulated_ns = sc_core::sc_time_stamp().to_seconds() * 1e9;
    result.load_ns = top.controller.stats().load_time.to_seconds() * 1e9;
    result.inference_ns = top.controller.stats().inference_time.to_seconds() * 1e9;
    result.dram = top.dram.stats();
    result.weight_sram = top.weight_sram.stats();
    result.activation_buffer = top.activation_buffer.stats();
    result.mac_array = top.mac_array.stats();
    result.controller = top.controller.stats();
    result.predictions = top.controller.predictions();
    result.logits = top.controller.logits();
    result.weight_bytes = top.layout().total_bytes;
    result.host_threads = top.mac_array.host_threads();
  }
  result.network_name = network.name;
  result.network_path = settings.network_path;
  result.dataset = dataset.name;
  result.data_dir = dataset.directory;
  result.reference_accuracy = network.reference_accuracy;
  result.macs_per_image = network.macs_per_image();
  result.parameters = network.parameter_count();
  result.images = result.controller.images;
  result.correct = result.controller.correct;
  result.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace lvsim
