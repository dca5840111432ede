// Everything one run needs, typed and validated: the run's own keys
// (workload, trials, seed, report) declared here, and every model's keys,
// declared beside each model (models/common/params.h) and gathered into one table.
// That table is the configuration's reference: Config::load takes its keys and
// defaults from it, `lvsim keys` prints it, configs/default.ini and the
// README's key table are written from it (a test keeps them equal).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "models/accelerator.h"
#include "models/common/params.h"
#include "models/weights/weight_transforms.h"
#include "sim/config.h"
#include "workloads/dataset.h"

namespace lvsim {

struct RunSettings {
  std::string network_path;  // resolved path of the weights file
  std::string dataset;
  std::string data_dir;  // explicit data directory, or "" to search
  // workload.dataset = npy: the images' and labels' .npy files and the images' layout.
  std::string npy_images, npy_labels;
  NpyLayout npy_layout{};
  // Overrides of the network's own input preprocessing (NaN: the network's).
  double input_scale{}, input_mean{}, input_std{};
  size_t images{};
  size_t calibration_images{};  // int-K activation calibration (train split)
  uint64_t seed{};
  int trials{};
  int chips{};  // a population: chip k has chip seed fault.chip_seed + k
  std::string out_dir;
  size_t window_images{};
  double target_drop{};
  double target_yield{};  // share of chips that must meet the target (optimize, fault-free Vmin)
  TransformParams transforms;  // applied to the network before loading
  AcceleratorParams accelerator;

  RunSettings() { table().apply_defaults(*this); }
  // Every key lvsim knows, in the order `lvsim keys` lists them.
  static const ParamTable<RunSettings>& table();
  // The values that follow from others (sim.seed seeds the fault streams and
  // the transforms; the controller runs workload.images), then every check.
  void resolve();
};

// The declarations of every key (for Config, `lvsim keys` and the docs).
const std::vector<ParamInfo>& config_params();

// Validates every value and builds the typed settings; throws lvsim::Error on
// the first bad value, naming its source (file or --set), key and expected form.
RunSettings settings_from(const Config& config);

// Runs `work`; a ParameterError a model raises about a declared value becomes
// "<file or --set>: <key> = '<value>': expected ...", others pass unchanged.
void in_config_terms(const Config& config, const std::function<void()>& work);

// The key reference as text (`lvsim keys`), as an INI file with every default
// (configs/default.ini) and as a Markdown table (the README's reference).
std::string keys_text();
std::string keys_ini();
std::string keys_markdown();

}  // namespace lvsim
