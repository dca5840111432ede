#include "sim/config.h"

#include <boost/program_options.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "workloads/error.h"

namespace lvsim {
namespace po = boost::program_options;
namespace fs = std::filesystem;

const std::vector<ConfigKey>& config_keys() {
  static const std::vector<ConfigKey> keys = {
      {"workload.network", "workloads/mnist/mnist_cnn.safetensors",
       "weights file (safetensors with the topology in its metadata); relative paths are "
       "looked up in the current directory, then in the lvsim source tree"},
      {"workload.dataset", "mnist", "test set: mnist or fashion-mnist"},
      {"workload.images", "10000", "test images to run, from the first (1..10000)"},
      {"workload.data_dir", "",
       "directory holding the IDX files; empty searches $LVSIM_DATA_DIR, then data/ in the "
       "source tree (and /usr/share/datasets/fashion-mnist for fashion-mnist)"},
      {"accelerator.clock_mhz", "500",
       "array and on-chip SRAM clock in MHz (an edge accelerator in 28-45 nm; Eyeriss ran at "
       "200 MHz in 65 nm, Chen et al. JSSC 2017)"},
      {"mac_array.rows", "16", "processing-element rows (R); the reduction dimension in WS"},
      {"mac_array.cols", "16", "processing-element columns (C); the output-channel dimension"},
      {"mac_array.dataflow", "ws", "dataflow: ws (weight-stationary, SCALE-Sim model)"},
      {"weight_sram.capacity_kib", "16384",
       "weight SRAM capacity in KiB; 16 MiB holds the whole seed-004 model (12.9 MB), as the "
       "seed assumes"},
      {"weight_sram.banks", "16", "independent banks, one word per bank per cycle"},
      {"weight_sram.word_bits", "32", "word width in bits (32: fp32 weights)"},
      {"weight_sram.access_latency_cycles", "1", "cycles before the first word of a burst"},
      {"weight_sram.vdd_v", "0.9",
       "weight SRAM supply voltage in V (0.9 V: nominal for a 40-45 nm process; lower it to "
       "trade faults for energy)"},
      {"weight_sram.mitigation", "flip",
       "what a read does with faulty bits: flip, sign, zero, word-zero or secded"},
      {"fault.model", "gaussian-vmin",
       "fault probability versus voltage: constant, gaussian-vmin, log-linear or table"},
      {"fault.unit", "per-bit",
       "per-bit: each stored bit read fails with probability p; per-word: each word read gets "
       "one failed bit, uniformly placed, with probability p (seed 004's reading)"},
      {"fault.p", "0", "constant model: the fault probability per unit read, in [0, 1]"},
      {"fault.vmin_mean_v", "0.333",
       "gaussian-vmin: mean cell Vmin in V (with the sigma below: p(0.6 V) ~ 1e-4, p(0.5 V) ~ "
       "1e-2, the order of Minerva's 40 nm bitcell fault rates, Reagen et al. ISCA 2016)"},
      {"fault.vmin_sigma_v", "0.0718", "gaussian-vmin: standard deviation of cell Vmin in V"},
      {"fault.log10_a", "8", "log-linear: log10 p = a + b V, the intercept a"},
      {"fault.log10_b_per_v", "-20", "log-linear: the slope b per volt"},
      {"fault.table", "", "table: CSV of vdd_v,p rows, log-interpolated (your silicon data)"},
      {"fault.protect_sign", "false",
       "keep the sign bit fault-free (seed 004 faulted bits 0-30 only)"},
      {"fault.read_faults", "true",
       "inject transient faults on reads; they persist until a refresh"},
      {"fault.weak_cells", "false",
       "add the static map of weak cells (Vmin above V, fraction p(V)), which fail on every "
       "read and which a refresh cannot cure"},
      {"fault.chip_seed", "1", "seed of the weak-cell map: one chip, one map"},
      {"refresh.interval_images", "0",
       "reload the golden weights DRAM -> SRAM every this many images (0: never)"},
      {"activation_buffer.capacity_kib", "1024",
       "activation buffer capacity in KiB (grown if a stage of images does not fit)"},
      {"activation_buffer.bytes_per_cycle", "64", "activation buffer bandwidth in bytes/cycle"},
      {"dram.preset", "lpddr4-3200", "DRAM device: lpddr4-3200 or ddr4-2400 (JEDEC speed bins)"},
      {"dma.burst_bytes", "4096", "bytes per DMA burst from DRAM to the weight SRAM"},
      {"controller.images_per_stage", "256",
       "images the controller stages in the activation buffer per MAC-array invocation"},
      {"sim.seed", "1", "random seed of the fault streams"},
      {"sim.trials", "1",
       "independent fault streams of the same configuration; curves get 95 % confidence "
       "intervals"},
      {"sim.threads", "0",
       "host threads for the arithmetic, 0 = all cores; results are identical for any value"},
      {"sim.quantum_us", "1000", "TLM global quantum in microseconds of simulated time"},
      {"report.out_dir", "results/latest", "directory for report.json and curve.csv"},
      {"report.window_images", "100", "images per window of the windowed accuracy curve"},
      {"report.target_drop", "0.01",
       "a window misses the target when its accuracy is this far below the fault-free "
       "accuracy of the same window"},
  };
  return keys;
}

std::string repo_dir() { return LVSIM_SOURCE_DIR; }

std::string resolve_repo_path(const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute() || fs::exists(path)) return path;
  const fs::path in_repo = fs::path(repo_dir()) / path;
  return fs::exists(in_repo) ? in_repo.string() : path;
}

Config Config::load(const std::string& file, const std::vector<std::string>& overrides) {
  Config config;
  config.file_ = file;
  po::options_description description;
  for (const ConfigKey& key : config_keys()) {
    config.values_[key.name] = key.default_value;
    config.sources_[key.name] = "default";
    description.add_options()(key.name.c_str(), po::value<std::string>());
  }
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) throw Error(file + ": cannot open config file");
    try {
      const po::parsed_options parsed = po::parse_config_file(in, description, true);
      for (const po::option& option : parsed.options) {
        const std::string value = option.value.empty() ? "" : option.value.front();
        if (!option.unregistered) {
          config.values_[option.string_key] = value;
          config.sources_[option.string_key] = file;
          continue;
        }
        const std::string prefix = "sweep.";
        const std::string key =
            option.string_key.substr(option.string_key.rfind(prefix, 0) == 0 ? prefix.size() : 0);
        if (option.string_key.rfind(prefix, 0) != 0 || !config.values_.count(key))
          throw Error(file + ": unrecognised option '" + option.string_key +
                      "' (see `lvsim keys` for the valid keys)");
        std::vector<std::string> values;
        std::istringstream list(value);
        for (std::string item; std::getline(list, item, ',');) {
          const size_t begin = item.find_first_not_of(" \t"), end = item.find_last_not_of(" \t");
          if (begin == std::string::npos)
            throw Error(file + ": sweep." + key + " has an empty value");
          values.push_back(item.substr(begin, end - begin + 1));
        }
        if (values.empty()) throw Error(file + ": sweep." + key + " lists no values");
        config.sweep_axes_.emplace_back(key, values);
      }
    } catch (const po::error& e) {
      throw Error(file + ": " + e.what() + " (see `lvsim keys` for the valid keys)");
    }
  }
  for (const std::string& assignment : overrides) {
    const size_t eq = assignment.find('=');
    const std::string key = assignment.substr(0, eq);
    if (eq == std::string::npos || key.empty())
      throw Error("--set " + assignment + ": expected section.key=value");
    if (!config.values_.count(key))
      throw Error("--set " + assignment + ": unknown key '" + key +
                  "' (see `lvsim keys` for the valid keys)");
    config.values_[key] = assignment.substr(eq + 1);
    config.sources_[key] = "--set";
  }
  return config;
}

const std::string& Config::get(const std::string& key) const { return values_.at(key); }
const std::string& Config::source(const std::string& key) const { return sources_.at(key); }

void Config::fail(const std::string& key, const std::string& expected) const {
  throw Error(source(key) + ": " + key + " = '" + get(key) + "': expected " + expected);
}

int64_t Config::get_int(const std::string& key, int64_t min, int64_t max) const {
  const std::string& text = get(key);
  const std::string expected =
      "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
  size_t used = 0;
  int64_t value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (const std::logic_error&) {
    fail(key, expected);
  }
  if (used != text.size() || value < min || value > max) fail(key, expected);
  return value;
}

double Config::get_double(const std::string& key, double min, double max) const {
  const std::string& text = get(key);
  std::ostringstream expected;
  expected << "a number in [" << min << ", " << max << "]";
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::logic_error&) {
    fail(key, expected.str());
  }
  if (used != text.size() || !std::isfinite(value) || value < min || value > max)
    fail(key, expected.str());
  return value;
}

bool Config::get_bool(const std::string& key) const {
  const std::string& text = get(key);
  if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "0" || text == "no" || text == "off") return false;
  fail(key, "true or false");
}

std::string Config::get_choice(const std::string& key,
                               const std::vector<std::string>& choices) const {
  for (const std::string& choice : choices)
    if (get(key) == choice) return choice;
  std::string expected = "one of";
  for (const std::string& choice : choices) expected += " " + choice;
  fail(key, expected);
}

RunSettings settings_from(const Config& config) {
  RunSettings s;
  s.network_path = resolve_repo_path(config.get("workload.network"));
  s.dataset = config.get_choice("workload.dataset", {"mnist", "fashion-mnist"});
  s.data_dir = config.get("workload.data_dir");
  s.images = static_cast<size_t>(config.get_int("workload.images", 1, 10000));
  s.seed = static_cast<uint64_t>(config.get_int("sim.seed", 0, INT64_MAX));
  s.threads = static_cast<int>(config.get_int("sim.threads", 0, 1024));
  s.trials = static_cast<int>(config.get_int("sim.trials", 1, 100000));
  s.window_images = static_cast<size_t>(config.get_int("report.window_images", 1, 10000));
  s.target_drop = config.get_double("report.target_drop", 0.0, 1.0);
  s.out_dir = config.get("report.out_dir");
  if (s.out_dir.empty())
    throw Error(config.source("report.out_dir") +
                ": report.out_dir is empty: expected a directory");

  AcceleratorParams& a = s.accelerator;
  a.clock_mhz = config.get_double("accelerator.clock_mhz", 1.0, 10000.0);
  a.quantum = sc_core::sc_time(config.get_double("sim.quantum_us", 0.001, 1e9), sc_core::SC_US);
  a.mac_array.rows = static_cast<int>(config.get_int("mac_array.rows", 1, 4096));
  a.mac_array.cols = static_cast<int>(config.get_int("mac_array.cols", 1, 4096));
  a.mac_array.dataflow = config.get_choice("mac_array.dataflow", {"ws"});
  a.mac_array.host_threads = s.threads;
  a.weight_sram.capacity_bytes =
      static_cast<uint64_t>(config.get_int("weight_sram.capacity_kib", 1, 1 << 30)) * 1024;
  a.weight_sram.banks = static_cast<int>(config.get_int("weight_sram.banks", 1, 4096));
  a.weight_sram.word_bits = static_cast<int>(config.get_int("weight_sram.word_bits", 32, 32));
  a.weight_sram.access_latency_cycles =
      static_cast<int>(config.get_int("weight_sram.access_latency_cycles", 0, 1000));
  WeightSramParams& sram = a.weight_sram;
  sram.vdd_v = config.get_double("weight_sram.vdd_v", 0.01, 5.0);
  sram.mitigation = config.get_choice("weight_sram.mitigation", mitigation_names());
  sram.fault_model.name = config.get_choice("fault.model", fault_model_names());
  sram.fault_unit = config.get_choice("fault.unit", {"per-bit", "per-word"}) == "per-bit"
                        ? FaultUnit::kPerBit
                        : FaultUnit::kPerWord;
  sram.fault_model.p = config.get_double("fault.p", 0.0, 1.0);
  sram.fault_model.vmin_mean_v = config.get_double("fault.vmin_mean_v", 0.0, 5.0);
  sram.fault_model.vmin_sigma_v = config.get_double("fault.vmin_sigma_v", 1e-6, 5.0);
  sram.fault_model.log10_a = config.get_double("fault.log10_a", -1e6, 1e6);
  sram.fault_model.log10_b_per_v = config.get_double("fault.log10_b_per_v", -1e6, 1e6);
  sram.fault_model.table_path = resolve_repo_path(config.get("fault.table"));
  sram.protect_sign = config.get_bool("fault.protect_sign");
  sram.read_faults = config.get_bool("fault.read_faults");
  sram.weak_cells = config.get_bool("fault.weak_cells");
  sram.chip_seed = static_cast<uint64_t>(config.get_int("fault.chip_seed", 0, INT64_MAX));
  sram.seed = s.seed;
  // Build the model once now, so a bad voltage or table stops the run before it starts.
  try {
    make_fault_model(sram.fault_model)->probability(sram.vdd_v);
  } catch (const Error& e) {
    throw Error(config.source("fault.model") + ": " + e.what());
  }
  a.controller.refresh_interval_images =
      static_cast<uint64_t>(config.get_int("refresh.interval_images", 0, INT64_MAX));
  a.activation_buffer.capacity_bytes =
      static_cast<uint64_t>(config.get_int("activation_buffer.capacity_kib", 1, 1 << 30)) * 1024;
  a.activation_buffer.bytes_per_cycle =
      static_cast<int>(config.get_int("activation_buffer.bytes_per_cycle", 1, 1 << 20));
  a.dram = dram_preset(config.get_choice("dram.preset", {"lpddr4-3200", "ddr4-2400"}));
  a.controller.dma_burst_bytes =
      static_cast<uint64_t>(config.get_int("dma.burst_bytes", 4, 1 << 30));
  if (a.controller.dma_burst_bytes % 4)
    throw Error(config.source("dma.burst_bytes") + ": dma.burst_bytes = '" +
                config.get("dma.burst_bytes") + "': expected a multiple of 4");
  a.controller.images_per_stage =
      static_cast<int>(config.get_int("controller.images_per_stage", 1, 1 << 20));
  a.controller.images = s.images;
  return s;
}

}  // namespace lvsim
