// Configuration: INI files (configs/*.ini) of `[section]` / `key = value`,
// overridden by `--set section.key=value` on the command line. Every key, its
// default and its meaning are in the table in config.cpp (`lvsim keys` prints
// it); a key that is not in the table is an error, never silently ignored.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "models/accelerator.h"
#include "models/weight_transforms.h"

namespace lvsim {

struct ConfigKey {
  std::string name;           // "section.key"
  std::string default_value;  // as written in an INI file
  std::string description;    // meaning, unit, and the source of the default
};

const std::vector<ConfigKey>& config_keys();

// The resolved key/value map, remembering where each value came from so an
// error can name the file (or --set) and the field.
class Config {
 public:
  // Defaults, then `file` (may be empty), then `overrides` ("key=value").
  static Config load(const std::string& file, const std::vector<std::string>& overrides);

  const std::string& file() const { return file_; }
  // Axes of a [sweep] section: "section.key = v1, v2, ..." lines, in file order.
  const std::vector<std::pair<std::string, std::vector<std::string>>>& sweep_axes() const {
    return sweep_axes_;
  }
  const std::string& get(const std::string& key) const;
  const std::string& source(const std::string& key) const;
  const std::map<std::string, std::string>& values() const { return values_; }

  int64_t get_int(const std::string& key, int64_t min, int64_t max) const;
  double get_double(const std::string& key, double min, double max) const;
  bool get_bool(const std::string& key) const;
  std::string get_choice(const std::string& key, const std::vector<std::string>& choices) const;
  // Throws the one-line error "<source>: <key> = '<value>': expected <expected>".
  [[noreturn]] void fail(const std::string& key, const std::string& expected) const;

 private:
  std::string file_;
  std::vector<std::pair<std::string, std::vector<std::string>>> sweep_axes_;
  std::map<std::string, std::string> values_;
  std::map<std::string, std::string> sources_;
};

// Everything one run needs, typed and validated.
struct RunSettings {
  std::string network_path;  // resolved path of the weights file
  std::string dataset;
  std::string data_dir;  // explicit data directory, or "" to search
  size_t images = 0;
  uint64_t seed = 0;
  int trials = 1;
  int threads = 0;
  size_t window_images = 100;
  double target_drop = 0.01;
  std::string out_dir;
  TransformParams transforms;       // applied to the network before loading
  size_t calibration_images = 256;  // int-K activation calibration (train split)
  AcceleratorParams accelerator;
};

// Validates every value and builds the typed settings; throws lvsim::Error on
// the first bad value, naming its source and key.
RunSettings settings_from(const Config& config);

// A [sweep] range: "start:stop:step" (arithmetic) or "start:stop:*factor"
// (geometric), stop included; throws naming `where` on a malformed range.
std::vector<std::string> expand_range(const std::string& text, const std::string& where);

// A path as given if it exists there, else relative to the lvsim source tree.
std::string resolve_repo_path(const std::string& path);
std::string repo_dir();

}  // namespace lvsim
