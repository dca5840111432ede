#include "sim/config.h"

#include <boost/program_options.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
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
      {"mac_array.dataflow", "ws",
       "dataflow: ws (weight-), os (output-) or is (input-stationary); cycles and weight reads "
       "from SCALE-Sim's analytical model (Samajdar et al., ISPASS 2020)"},
      {"mac_array.batch", "1",
       "images whose positions stream through one mapping of the weights (seed 004 runs one "
       "image at a time); a ws array reads each weight once per batch"},
      {"mac_array.zero_skipping", "false",
       "skip the MACs of zero weights (seed 003's zero skipping): fewer MACs, and compute "
       "cycles shrink with the layer's density (ideal compaction, Cambricon-X, Zhang et al. "
       "MICRO 2016)"},
      {"weights.format", "fp32",
       "stored weight format: fp32, fp16, bf16, trunc-K (K most significant fp32 bits kept, "
       "seed 000/004), int-K (symmetric K-bit, per-layer scale, seed 002 eq. 3.4; int8 "
       "activations, integer MACs; K = 2..16) or binary (sign x per-layer mean|w|); packed "
       "floor(32/K) per SRAM word"},
      {"weights.prune_threshold", "0",
       "set weights with |w| below this to zero before loading (seed 004: 0.005 prunes ~15 %)"},
      {"weights.centralize_batch", "0",
       "batch-wise weight centralization (seed 003): each batch of this many weights replaced "
       "by uniform draws in [mean - sd, mean + sd] of the batch; 0: off"},
      {"weights.calibration_images", "256",
       "int-K: training images (from the start of the train split) that calibrate the int8 "
       "activation scale of each layer, 127 / max|x|"},
      {"weights.fault_layers", "",
       "layers whose weights sit in the low-voltage array (comma list, e.g. fc1); the others "
       "are at sram.vnom_v and fault-free; empty: all layers (seed 003's per-layer experiments)"},
      {"weights.layer_vdd_v", "",
       "per-layer supply voltages overriding weight_sram.vdd_v, as layer:volts pairs (e.g. "
       "conv1:0.9, fc2:0.9): voltage domains that keep a sensitive layer at nominal"},
      {"weight_sram.capacity_kib", "16384",
       "weight SRAM capacity in KiB; 16 MiB holds the whole seed-004 model (12.9 MB), as the "
       "seed assumes"},
      {"weight_sram.banks", "16", "independent banks (16 banks of 1 MiB by default)"},
      {"weight_sram.ports", "1", "ports per bank, each starting one word per access time"},
      {"weight_sram.word_bits", "32", "word width in bits (32: fp32 weights)"},
      {"weight_sram.access_time_ns", "1.8",
       "access time at sram.vnom_v in ns (a 1 MiB 45 nm bank, CACTI 6.5 order: fits one 2 ns "
       "cycle at 500 MHz); below vnom it grows by the alpha-power law, costing wait cycles"},
      {"weight_sram.detector_cycles", "1",
       "latency of the Razor-style fault detector that sign, zero and word-zero presume"},
      {"weight_sram.ecc_cycles", "1", "latency of the SEC-DED decoder (secded)"},
      {"weight_sram.vdd_v", "0.9",
       "weight SRAM supply voltage in V (0.9 V: nominal for a 40-45 nm process; lower it to "
       "trade faults for energy)"},
      {"weight_sram.mitigation", "flip",
       "what a read does with faulty bits: flip, sign, zero, word-zero or secded"},
      {"sram.vnom_v", "0.9",
       "nominal supply of the SRAM energy table (Horowitz, ISSCC 2014, 45 nm at 0.9 V)"},
      {"sram.vt_v", "0.3",
       "threshold voltage of the alpha-power access-time law t ~ V/(V-Vt)^alpha (Sakurai & "
       "Newton, JSSC 1990; 0.3-0.35 V for 40-45 nm)"},
      {"sram.alpha", "1.3", "velocity-saturation index of the alpha-power law (1.3 for 45 nm)"},
      {"sram.leakage_uw_per_kib", "1",
       "SRAM leakage at vnom in uW per KiB (assumed: low-operating-power 45 nm cells, ~100 pA "
       "per cell)"},
      {"sram.leakage_k_per_v", "3",
       "leakage current ~ exp(k (V - Vnom)): subthreshold with DIBL, k = eta/(n kT/q) = "
       "0.1/(1.3 x 25.9 mV) (Roy et al., Proc. IEEE 2003)"},
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
      {"dram.preset", "lpddr4-3200",
       "DRAM device: lpddr4-3200 or ddr4-2400 (JEDEC timings, row buffers, energies; "
       "models/dram.cpp)"},
      {"dram.pj_per_bit", "",
       "energy per bit read or written in pJ; empty: the preset's (LPDDR4 5, DDR4 17.5)"},
      {"dram.activate_nj", "",
       "energy per row activation and precharge in nJ; empty: the preset's (LPDDR4 1, DDR4 2)"},
      {"energy.tech_scale", "1",
       "on-chip energies (MACs, SRAMs, detector, ECC) relative to Horowitz's 45 nm table"},
      {"energy.detector_pj", "0.1",
       "Razor-style fault detector energy per word read in pJ (about a 32-bit adder, 0.1 pJ "
       "in Horowitz's table)"},
      {"energy.ecc_encode_pj", "0.2", "SEC-DED (39,32) encoder energy per word written in pJ"},
      {"energy.ecc_decode_pj", "0.4", "SEC-DED (39,32) decoder energy per word read in pJ"},
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

std::vector<std::string> expand_range(const std::string& text, const std::string& where) {
  const std::string expected =
      where + " = '" + text +
      "': expected start:stop:step (e.g. 0.5:0.9:0.05) or start:stop:*factor (e.g. "
      "1e-6:1e-1:*10), stop reached from start";
  const size_t first = text.find(':'), second = text.find(':', first + 1);
  if (second == std::string::npos || text.find(':', second + 1) != std::string::npos)
    throw Error(expected);
  const bool geometric = text[second + 1] == '*';
  double start = 0, stop = 0, step = 0;
  try {
    size_t used = 0;
    const std::string parts[3] = {text.substr(0, first), text.substr(first + 1, second - first - 1),
                                  text.substr(second + 1 + (geometric ? 1 : 0))};
    double* targets[3] = {&start, &stop, &step};
    for (int i = 0; i < 3; ++i) {
      *targets[i] = std::stod(parts[i], &used);
      if (used != parts[i].size() || !std::isfinite(*targets[i])) throw Error(expected);
    }
  } catch (const std::logic_error&) {
    throw Error(expected);
  }
  const bool ok = geometric ? (step > 1.0 && start > 0.0 && stop >= start) ||
                                  (step > 0.0 && step < 1.0 && start > 0.0 && stop <= start)
                            : (step > 0.0 && stop >= start) || (step < 0.0 && stop <= start);
  if (!ok) throw Error(expected);
  std::vector<std::string> values;
  // Values within a millionth of a step of stop are included, so 0.5:0.9:0.1 ends at 0.9.
  for (int i = 0;; ++i) {
    const double v = geometric ? start * std::pow(step, i) : start + i * step;
    const bool beyond = geometric ? (step > 1.0 ? v > stop * (1 + 1e-9) : v < stop * (1 - 1e-9))
                                  : (step > 0.0 ? v > stop + 1e-6 * step : v < stop + 1e-6 * step);
    if (beyond) break;
    if (values.size() >= 100000) throw Error(expected + " (more than 100000 values)");
    std::ostringstream out;
    out << std::setprecision(10) << v;
    values.push_back(out.str());
  }
  return values;
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
          const std::string text = item.substr(begin, end - begin + 1);
          if (text.find(':') == std::string::npos) {
            values.push_back(text);
            continue;
          }
          for (const std::string& v : expand_range(text, file + ": sweep." + key))
            values.push_back(v);
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

namespace {

// "a, b ,c" -> {"a", "b", "c"}; empty items dropped.
std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    const size_t first = item.find_first_not_of(" \t"), last = item.find_last_not_of(" \t");
    if (first != std::string::npos) items.push_back(item.substr(first, last - first + 1));
  }
  return items;
}

}  // namespace

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
  a.mac_array.dataflow =
      dataflow_from_name(config.get_choice("mac_array.dataflow", {"ws", "os", "is"}));
  a.mac_array.batch = static_cast<int>(config.get_int("mac_array.batch", 1, 1 << 16));
  a.mac_array.host_threads = s.threads;
  a.mac_array.zero_skipping = config.get_bool("mac_array.zero_skipping");
  a.weights.format = config.get("weights.format");
  try {
    make_weight_format(a.weights.format);
  } catch (const Error& e) {
    throw Error(config.source("weights.format") + ": " + e.what());
  }
  s.transforms.prune_threshold = config.get_double("weights.prune_threshold", 0.0, 1e30);
  s.transforms.centralize_batch =
      static_cast<int>(config.get_int("weights.centralize_batch", 0, 1 << 30));
  if (s.transforms.centralize_batch == 1)
    config.fail("weights.centralize_batch", "0 (off) or a batch of at least 2 weights");
  s.transforms.seed = s.seed;
  s.calibration_images =
      static_cast<size_t>(config.get_int("weights.calibration_images", 1, 60000));
  for (const std::string& layer : split_list(config.get("weights.fault_layers")))
    a.weights.fault_layers.push_back(layer);
  for (const std::string& pair : split_list(config.get("weights.layer_vdd_v"))) {
    const size_t colon = pair.find(':');
    const std::string expected = "layer:volts pairs separated by commas, e.g. conv1:0.9, fc2:0.9";
    if (colon == std::string::npos || colon == 0) config.fail("weights.layer_vdd_v", expected);
    double volts = 0.0;
    size_t used = 0;
    try {
      volts = std::stod(pair.substr(colon + 1), &used);
    } catch (const std::logic_error&) {
      config.fail("weights.layer_vdd_v", expected);
    }
    if (used != pair.size() - colon - 1 || !(volts > 0.0) || volts > 5.0)
      config.fail("weights.layer_vdd_v", expected + " (volts in (0, 5])");
    a.weights.layer_vdd_v[pair.substr(0, colon)] = volts;
  }
  a.weight_sram.capacity_bytes =
      static_cast<uint64_t>(config.get_int("weight_sram.capacity_kib", 1, 1 << 30)) * 1024;
  a.weight_sram.banks = static_cast<int>(config.get_int("weight_sram.banks", 1, 4096));
  a.weight_sram.word_bits = static_cast<int>(config.get_int("weight_sram.word_bits", 32, 32));
  WeightSramParams& sram = a.weight_sram;
  sram.ports = static_cast<int>(config.get_int("weight_sram.ports", 1, 64));
  sram.detector_cycles = static_cast<int>(config.get_int("weight_sram.detector_cycles", 0, 1000));
  sram.ecc_cycles = static_cast<int>(config.get_int("weight_sram.ecc_cycles", 0, 1000));
  SramCircuitParams& circuit = sram.circuit;
  circuit.access_time_ns = config.get_double("weight_sram.access_time_ns", 1e-3, 1e6);
  circuit.vnom_v = config.get_double("sram.vnom_v", 0.05, 5.0);
  circuit.vt_v = config.get_double("sram.vt_v", 0.0, 5.0);
  if (circuit.vt_v >= circuit.vnom_v) config.fail("sram.vt_v", "a threshold below sram.vnom_v");
  circuit.alpha = config.get_double("sram.alpha", 1.0, 2.0);
  circuit.leakage_uw_per_kib = config.get_double("sram.leakage_uw_per_kib", 0.0, 1e6);
  circuit.leakage_k_per_v = config.get_double("sram.leakage_k_per_v", 0.0, 100.0);
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
  // The access-time law has no answer at or below the threshold voltage.
  if (sram.vdd_v <= circuit.vt_v)
    config.fail("weight_sram.vdd_v", "a voltage above sram.vt_v = " + config.get("sram.vt_v") +
                                         " V, where the SRAM can still be read");
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
  a.dram = dram_preset(config.get_choice("dram.preset", dram_preset_names()));
  if (!config.get("dram.pj_per_bit").empty())
    a.dram.pj_per_bit = config.get_double("dram.pj_per_bit", 0.0, 1e6);
  if (!config.get("dram.activate_nj").empty())
    a.dram.activate_nj = config.get_double("dram.activate_nj", 0.0, 1e6);
  a.energy.tech_scale = config.get_double("energy.tech_scale", 1e-3, 1e3);
  a.energy.detector_pj_per_word = config.get_double("energy.detector_pj", 0.0, 1e6);
  a.energy.ecc_encode_pj_per_word = config.get_double("energy.ecc_encode_pj", 0.0, 1e6);
  a.energy.ecc_decode_pj_per_word = config.get_double("energy.ecc_decode_pj", 0.0, 1e6);
  a.controller.dma_burst_bytes =
      static_cast<uint64_t>(config.get_int("dma.burst_bytes", 4, 1 << 30));
  if (a.controller.dma_burst_bytes % 4)
    throw Error(config.source("dma.burst_bytes") + ": dma.burst_bytes = '" +
                config.get("dma.burst_bytes") + "': expected a multiple of 4");
  a.controller.images_per_stage =
      static_cast<int>(config.get_int("controller.images_per_stage", 1, 1 << 20));
  a.controller.images = s.images;
  // A batch shares its weight reads, so stages and refreshes hold whole batches.
  if (a.controller.images_per_stage % a.mac_array.batch ||
      a.controller.refresh_interval_images % a.mac_array.batch)
    config.fail("mac_array.batch", "a divisor of controller.images_per_stage (" +
                                       config.get("controller.images_per_stage") +
                                       ") and of refresh.interval_images (" +
                                       config.get("refresh.interval_images") + ")");
  return s;
}

}  // namespace lvsim
