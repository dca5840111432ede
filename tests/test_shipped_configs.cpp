// The configurations shipped in configs/: default.ini is what the key
// declarations write, and every file, every point of its [sweep] included,
// parses and validates as a run would read it.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "sim/config.h"
#include "sim/settings.h"

using namespace lvsim;
namespace fs = std::filesystem;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The points of a config's [sweep] grid as --set assignments, in the order
// `lvsim sweep` numbers them (the cartesian product of the axes Config read,
// last axis fastest); one empty point without a sweep.
std::vector<std::vector<std::string>> grid_points(const Config& config) {
  std::vector<std::vector<std::string>> points = {{}};
  for (const auto& [key, values] : config.sweep_axes()) {
    std::vector<std::vector<std::string>> next;
    for (const std::vector<std::string>& point : points)
      for (const std::string& value : values) {
        next.push_back(point);
        next.back().push_back(key + "=" + value);
      }
    points = std::move(next);
  }
  return points;
}

std::string joined(const std::vector<std::string>& assignments) {
  std::string text;
  for (const std::string& assignment : assignments) text += (text.empty() ? "" : " ") + assignment;
  return text;
}

std::optional<RunSettings> settings_or_none(const Config& config) {
  try {
    return settings_from(config);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

TEST_CASE("configs/default.ini is what the declarations write, and states every default",
          "[config]") {
  const std::string path = std::string(LVSIM_SOURCE_DIR) + "/configs/default.ini";
  INFO("regenerate with scripts/update-key-docs");
  CHECK(read_text(path) == keys_ini());
  const Config file = Config::load(path, {});
  for (const ParamInfo& key : config_params()) {
    INFO(key.key);
    CHECK(file.get(key.key) == key.default_text);
    CHECK(file.source(key.key) != "default");  // every key is written out in the file
  }
}

TEST_CASE("every shipped config is valid", "[config]") {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(std::string(LVSIM_SOURCE_DIR) + "/configs"))
    if (entry.path().extension() == ".ini") names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  REQUIRE(std::count(names.begin(), names.end(), "default.ini") == 1);
  REQUIRE(std::count(names.begin(), names.end(), "fashion_mnist.ini") == 1);
  for (const std::string& name : names) {
    INFO(name);
    const std::string path = std::string(LVSIM_SOURCE_DIR) + "/configs/" + name;
    std::optional<Config> loaded;
    CHECK_NOTHROW(loaded = Config::load(path, {}));  // [sweep] ranges and lists included
    if (!loaded) continue;
    const Config& config = *loaded;
    CHECK_NOTHROW(settings_from(config));
    if (const auto settings = settings_or_none(config))
      CHECK(fs::is_regular_file(settings->network_path));
    // Every point of the file's sweep, as `lvsim sweep` checks them before it
    // runs any: the file with the point's values set on top.
    for (const std::vector<std::string>& point : grid_points(config)) {
      INFO("sweep point " << joined(point));
      CHECK_NOTHROW(settings_from(Config::load(path, point)));
    }
  }
}
