#include "sim/run.h"

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

#include "models/weight_sram/fault_free_vmin.h"
#include "models/weights/weight_layout.h"
#include "models/weights/weight_transforms.h"
#include "workloads/common/error.h"
#include "workloads/dataset.h"
#include "workloads/network.h"

namespace lvsim {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// What the network must be before the images are read: their labels are
// checked against its classes.
void check_network(const RunSettings& settings, const Network& network) {
  if (settings.dataset != "npy" && network.classes() != 10)
    throw Error(settings.network_path + ": network has " + std::to_string(network.classes()) +
                " outputs, expected 10 classes");
  if (network.classes() > 256)
    throw Error(settings.network_path + ": network has " + std::to_string(network.classes()) +
                " outputs; lvsim keeps predictions of at most 256 classes");
}

void check_workload(const RunSettings& settings, const Network& network, const Dataset& dataset) {
  if (!(network.input == Shape{dataset.channels, dataset.rows, dataset.cols}))
    throw Error(settings.network_path + ": network input is [" +
                std::to_string(network.input.channels) + "," +
                std::to_string(network.input.height) + "," + std::to_string(network.input.width) +
                "] but " + dataset.name + " images are [" + std::to_string(dataset.channels) + "," +
                std::to_string(dataset.rows) + "," + std::to_string(dataset.cols) +
                "] (channels, height, width)");
  if (dataset.size() < settings.images)
    throw Error("workload.images: " + std::to_string(settings.images) + " requested but " +
                dataset.directory + " holds " + std::to_string(dataset.size()) + " test images");
}

// Simulates one platform to the end; `fill` reads what it needs off the top.
template <typename Fill>
void simulate(const AcceleratorParams& params, const Network& network, const Dataset& dataset,
              const std::function<void(size_t)>& progress, Fill fill) {
  {
    fresh_simulation_context();
    Accelerator top("lvsim", params, network, dataset, progress);
    sc_core::sc_start();
    if (top.controller.error()) std::rethrow_exception(top.controller.error());
    fill(top);
  }
  // The platform's memory back to the system before the next platform of the
  // process (a population's next chip, a sweep worker's next point, the
  // references): glibc keeps what its arenas freed, and a process's resident
  // memory grew run after run (a bench or sweep worker running p = 1e-2 and
  // then p = 1 peaked near 500 MiB where each alone stays under 260).
  malloc_trim(0);
}

}  // namespace

// The fault-free predictions of a workload depend on what the arithmetic sees
// (network, images, how the controller stages them), not on the SRAM's voltage,
// fault model, mitigation or seed: a sweep over those simulates the reference
// once. Anything added later that changes the fault-free arithmetic (weight
// formats, transforms) belongs in this key.
std::string baseline_key(const RunSettings& settings) {
  const ControllerParams& controller = settings.accelerator.controller;
  const TransformParams& t = settings.transforms;
  std::string key = settings.network_path + "|" + settings.dataset + "|" + settings.data_dir + "|" +
                    std::to_string(settings.images) + "|" +
                    std::to_string(controller.images_per_stage) + "|" +
                    std::to_string(controller.refresh_interval_images);
  // Datasets and preprocessing other than the IDX sets and the network's own.
  if (settings.dataset == "npy")
    key += "|npy=" + settings.npy_images + "|" + settings.npy_labels + "|" +
           (settings.npy_layout == NpyLayout::kNchw ? "nchw" : "nhwc");
  for (const auto& [name, value] :
       {std::pair{"scale", settings.input_scale}, std::pair{"mean", settings.input_mean},
        std::pair{"std", settings.input_std}})
    if (!std::isnan(value)) key += std::string("|input_") + name + "=" + number_text(value);
  // Formats and transforms change the fault-free arithmetic; fp32 untransformed
  // keeps the key it always had.
  const std::string& format = settings.accelerator.weights.format;
  if (format != "fp32")
    key += "|format=" + format + "|calibration=" + std::to_string(settings.calibration_images);
  if (t.prune_threshold > 0.0) key += "|prune=" + std::to_string(t.prune_threshold);
  if (t.centralize_batch > 0)
    key += "|centralize=" + std::to_string(t.centralize_batch) + "/" + std::to_string(t.seed);
  if (settings.accelerator.mac_array.zero_skipping) key += "|zero_skipping";
  return key;
}

Dataset load_dataset(const RunSettings& settings, const Network& network, size_t max_images) {
  check_network(settings, network);
  if (settings.dataset == "npy")
    return load_npy_dataset(settings.npy_images, settings.npy_labels, settings.npy_layout,
                            network.classes(), max_images);
  return load_test_set(settings.dataset, settings.data_dir, repo_dir(), max_images);
}

PreparedWorkload prepare_workload(const RunSettings& settings) {
  PreparedWorkload prepared{Network::load(settings.network_path), {}, {}};
  // The configuration's preprocessing, where it gives one, over the network's.
  for (const auto& [value, field] : {std::pair{settings.input_scale, &prepared.network.input_scale},
                                     std::pair{settings.input_mean, &prepared.network.input_mean},
                                     std::pair{settings.input_std, &prepared.network.input_std}})
    if (!std::isnan(value)) *field = static_cast<float>(value);
  prepared.transforms = transform_weights(prepared.network, settings.transforms);
  if (make_weight_format(settings.accelerator.weights.format)->integer()) {
    if (settings.dataset == "npy")
      throw Error("weights.format = " + settings.accelerator.weights.format +
                  ": calibrating the int8 activations needs a training split, which an npy "
                  "dataset does not have; use mnist or fashion-mnist, or a float format");
    // int8 activation scales from the start of the training split, never the test images.
    Dataset train;
    try {
      train = find_split(settings.dataset, settings.data_dir, repo_dir(), "train",
                         settings.calibration_images);
    } catch (const Error& e) {
      throw Error("weights.format = " + settings.accelerator.weights.format +
                  ": calibrating the int8 activations needs the training split: " + e.what());
    }
    std::vector<float> inputs(train.pixels.size());
    for (size_t i = 0; i < inputs.size(); ++i)
      inputs[i] = prepared.network.normalize(static_cast<float>(train.pixels[i]));
    prepared.input_scales =
        calibrate_input_scales(prepared.network, inputs.data(), static_cast<int>(train.size()));
  }
  return prepared;
}

namespace {

std::map<std::string, std::vector<uint8_t>>& process_baselines() {
  static std::map<std::string, std::vector<uint8_t>> baselines;  // this process's references
  return baselines;
}

AcceleratorParams fault_free_params(const RunSettings& settings, const PreparedWorkload& prepared) {
  AcceleratorParams params = settings.accelerator;
  params.weights.input_scales = prepared.input_scales;
  params.weight_sram.mechanisms = {false, false};
  return params;
}

}  // namespace

std::vector<uint8_t> fault_free_predictions(const RunSettings& settings, BaselineCache* cache) {
  const std::string key = baseline_key(settings);
  auto& baselines = process_baselines();
  if (baselines.count(key)) return baselines.at(key);
  std::vector<uint8_t> predictions;
  if (!cache || !cache->find(key, predictions)) {
    const PreparedWorkload prepared = prepare_workload(settings);
    const Dataset dataset = load_dataset(settings, prepared.network, settings.images);
    simulate(fault_free_params(settings, prepared), prepared.network, dataset, nullptr,
             [&](Accelerator& top) { predictions = top.controller.predictions(); });
    if (cache) cache->store(key, predictions);
  }
  baselines[key] = predictions;
  return predictions;
}

double RunResult::accuracy() const {
  if (trials.empty() || images == 0) return 0.0;
  double sum = 0.0;
  for (const TrialResult& trial : trials) sum += static_cast<double>(trial.correct) / images;
  return sum / trials.size();
}

double RunResult::baseline_accuracy() const {
  if (baseline_predictions.empty()) return accuracy();
  uint64_t correct = 0;
  for (size_t i = 0; i < baseline_predictions.size(); ++i)
    correct += baseline_predictions[i] == labels[i];
  return static_cast<double>(correct) / baseline_predictions.size();
}

namespace {

// What the run is about: the network, the images, the transforms.
RunResult describe_workload(const RunSettings& settings, const PreparedWorkload& prepared,
                            const Dataset& dataset) {
  RunResult result;
  const Network& network = prepared.network;
  result.network_name = network.name;
  result.network_path = settings.network_path;
  result.dataset = dataset.name;
  result.data_dir = dataset.directory;
  result.reference_accuracy = network.reference_accuracy;
  result.macs_per_image = network.macs_per_image();
  result.network_layers = network.layers.size();
  result.network_notes = network.notes;
  result.parameters = network.parameter_count();
  result.labels = dataset.labels;
  result.transforms = prepared.transforms;
  result.images = settings.images;
  return result;
}

// What differs from trial to trial, read off a simulated platform.
TrialResult trial_result(const Accelerator& top, size_t images) {
  TrialResult t;
  t.chip_seed = top.params().weight_sram.chip_seed;
  t.trial = static_cast<int>(top.params().weight_sram.trial);
  t.chip_draws = top.weight_sram.chip_draws();
  t.correct = top.controller.stats().correct;
  t.predictions = top.controller.predictions();
  // The SRAM counts batches; each image takes its batch's count.
  const std::vector<uint64_t> after_batch = top.weight_sram.faulty_bits_after_batch();
  const size_t batch = static_cast<size_t>(top.params().mac_array.batch);
  for (size_t image = 0; image < images; ++image)
    t.faulty_bits_after_image.push_back(
        after_batch.empty() ? 0 : after_batch[std::min(image / batch, after_batch.size() - 1)]);
  t.weight_sram = top.weight_sram.stats();
  return t;
}

// The hardware's statistics (trial 0's; timing does not depend on the faults).
void record_platform(RunResult& result, const Accelerator& top, const Network& network) {
  result.params = top.params();
  result.upset_probability = top.weight_sram.upset_probability();
  result.weak_cell_fraction = top.weight_sram.weak_cell_fraction();
  result.vmin_shift_v = top.weight_sram.vmin_shift_v();
  result.clock_period_ns = top.params().clock_period().to_seconds() * 1e9;
  result.simulated_ns = sc_core::sc_time_stamp().to_seconds() * 1e9;
  result.self_test_ns = top.controller.stats().self_test_time.to_seconds() * 1e9;
  result.load_ns = top.controller.stats().load_time.to_seconds() * 1e9;
  result.fault_map_used = top.weight_sram.uses_fault_map();
  result.fault_map_bits = top.weight_sram.fault_map_bits();
  result.inference_ns = top.controller.stats().inference_time.to_seconds() * 1e9;
  result.dram = top.dram.stats();
  result.weight_sram = top.weight_sram.stats();
  result.activation_buffer = top.activation_buffer.stats();
  result.mac_array = top.mac_array.stats();
  result.controller = top.controller.stats();
  result.energy = top.energy_report();
  result.weight_sram_access_time_ns = top.weight_sram.access_time_ns();
  result.weight_sram_access_cycles = top.weight_sram.access_cycles();
  result.weight_sram_latency_cycles = top.weight_sram.latency_cycles();
  result.weight_sram_access_pj = top.weight_sram.access_energy_pj();
  result.weight_sram_leakage_mw = top.weight_sram.leakage_mw();
  result.rail_transition_ns = top.weight_sram.rail_transition_ns();
  result.logits = top.controller.logits();
  result.weight_bytes = top.layout().total_bytes;
  result.weights_per_word = top.layout().format->per_word();
  result.voltage_domains = top.weight_sram.domains();
  for (const WeightRegion& region : top.layout().regions)
    for (const VoltageDomain& d : result.voltage_domains)
      if (region.weight_address / kWordBytes < d.end_word) {
        result.layer_domains.emplace_back(network.layers[region.layer].name, d);
        break;
      }
  result.host_threads = top.mac_array.host_threads();
}

// The fault-free predictions of the same images, when faults changed any
// weight: from this process's memo, the cache, or simulated now.
void attach_baseline(RunResult& result, const RunSettings& settings,
                     const PreparedWorkload& prepared, const Dataset& dataset,
                     const std::function<void(size_t)>& report, BaselineCache* cache) {
  // Reads that changed no word, after writes that all succeeded, leave the
  // computation exactly fault-free.
  for (const TrialResult& trial : result.trials)
    result.faults_changed_weights |= trial.weight_sram.faults.words_changed > 0 ||
                                     trial.weight_sram.faults.write_failed_bits > 0;
  if (!result.faults_changed_weights) {
    result.baseline_predictions = result.trials.front().predictions;
    return;
  }
  const std::string key = baseline_key(settings);
  std::vector<uint8_t> cached;
  if (process_baselines().count(key)) {
    result.baseline_predictions = process_baselines().at(key);
  } else if (cache && cache->find(key, cached)) {
    result.baseline_predictions = cached;
    process_baselines()[key] = cached;
  } else {
    const auto start = std::chrono::steady_clock::now();
    simulate(fault_free_params(settings, prepared), prepared.network, dataset, report,
             [&](Accelerator& top) { result.baseline_predictions = top.controller.predictions(); });
    result.baseline_wall_seconds = seconds_since(start);
    process_baselines()[key] = result.baseline_predictions;
    if (cache) cache->store(key, result.baseline_predictions);
  }
}

// Fault-free energy per inference of the run's images at supply `vdd_v`: no
// faults, no mitigation, no refresh, and no arithmetic (time and energy do not
// depend on the values computed).
double reference_energy_pj(const RunSettings& settings, const PreparedWorkload& prepared,
                           const Dataset& dataset, double vdd_v) {
  AcceleratorParams params = fault_free_params(settings, prepared);
  params.weight_sram.vdd_v = vdd_v;
  params.weight_sram.mitigation = "flip";
  params.weight_sram.detector = FailureDetector::kRazor;
  params.controller.refresh_interval_images = 0;
  params.controller.refresh_interval_us = 0.0;
  params.host.compute = false;
  double pj = 0.0;
  simulate(params, prepared.network, dataset, nullptr,
           [&](Accelerator& top) { pj = top.energy_report().per_inference_pj(); });
  return pj;
}

// The weight bits that can fail at the array's own supply: the words holding
// weights but those on a supply of their own (per-layer domains, layers kept
// out), less the sign bits fault.protect_sign keeps (one per weight a word packs).
uint64_t own_supply_weight_bits(const RunResult& result) {
  const WeightSramParams& sram = result.params.weight_sram;
  auto own_words = [&](uint64_t first, uint64_t end) {
    uint64_t words = end - first;
    for (const VoltageDomain& d : result.voltage_domains)
      if ((d.vdd_v != sram.vdd_v || !d.faults) && d.first_word < end && d.end_word > first)
        words -= std::min(d.end_word, end) - std::max(d.first_word, first);
    return words;
  };
  auto protected_bits = [&](int field_bits) -> uint64_t {
    return sram.protect_sign ? __builtin_popcount(field_sign_bits(field_bits)) : 0;
  };
  uint64_t bits =
      own_words(0, result.weight_bytes / kWordBytes) * (kWordBits - protected_bits(kWordBits));
  for (const PackedWords& packed : sram.packed)
    bits -= own_words(packed.first_word, packed.end_word) *
            (protected_bits(packed.field_bits) - protected_bits(kWordBits));
  return bits;
}

void attach_references(RunResult& result, const RunSettings& settings,
                       const PreparedWorkload& prepared, const Dataset& dataset) {
  RunResult::EnergyReferences& refs = result.references;
  const WeightSramParams& sram = result.params.weight_sram;
  refs.target_yield = settings.target_yield;
  refs.weight_bits = own_supply_weight_bits(result);
  refs.nominal_v = sram.circuit.vnom_v;
  refs.nominal_pj = reference_energy_pj(settings, prepared, dataset, refs.nominal_v);
  refs.fault_free_vmin_v =
      fault_free_vmin_v(sram, static_cast<double>(refs.weight_bits), settings.target_yield);
  if (!std::isnan(refs.fault_free_vmin_v))
    refs.fault_free_pj = reference_energy_pj(settings, prepared, dataset, refs.fault_free_vmin_v);
}

}  // namespace

RunResult run_simulation(const RunSettings& settings, const ProgressCallback& progress,
                         BaselineCache* cache) {
  const auto start = std::chrono::steady_clock::now();
  const PreparedWorkload prepared = prepare_workload(settings);
  const Dataset dataset = load_dataset(settings, prepared.network, settings.images);
  check_workload(settings, prepared.network, dataset);
  RunResult result = describe_workload(settings, prepared, dataset);

  // Progress counts every trial's images, and the baseline's if it is simulated.
  size_t total = static_cast<size_t>(settings.chips) * settings.trials * settings.images;
  size_t finished = 0;
  const std::function<void(size_t)> report = [&](size_t done) {
    if (progress) progress(finished + done, total);
  };
  result.chips = settings.chips;
  result.trials_per_chip = settings.trials;
  for (int chip = 0; chip < settings.chips; ++chip) {
    for (int trial = 0; trial < settings.trials; ++trial) {
      AcceleratorParams params = settings.accelerator;
      params.weights.input_scales = prepared.input_scales;
      params.weight_sram.chip_seed += static_cast<uint64_t>(chip);
      params.weight_sram.trial = static_cast<uint64_t>(trial);
      simulate(params, prepared.network, dataset, report, [&](Accelerator& top) {
        result.trials.push_back(trial_result(top, settings.images));
        result.trials.back().chip = static_cast<size_t>(chip);
        if (chip == 0 && trial == 0) record_platform(result, top, prepared.network);
      });
      finished += settings.images;
    }
  }
  total += settings.images;  // if a baseline is simulated
  attach_baseline(result, settings, prepared, dataset, report, cache);
  const auto references_start = std::chrono::steady_clock::now();
  attach_references(result, settings, prepared, dataset);
  result.references_wall_seconds = seconds_since(references_start);
  result.wall_seconds = seconds_since(start);
  return result;
}

}  // namespace lvsim
