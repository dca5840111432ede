#include "sim/config.h"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iterator>
#include <set>
#include <sstream>

#include "models/common/params.h"
#include "sim/settings.h"
#include "workloads/common/error.h"
#include "workloads/common/printable.h"
#include "workloads/common/read_file.h"

namespace lvsim {
namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

const char* const kSeeKeys = " (see `lvsim keys` for the valid keys)";

// The three numbers of a range; throws `expected` when they are not numbers.
void parse_range(const std::string& text, bool geometric, double (&numbers)[3],
                 const std::string& expected) {
  const size_t first = text.find(':'), second = text.find(':', first + 1);
  const std::string parts[3] = {text.substr(0, first), text.substr(first + 1, second - first - 1),
                                text.substr(second + 1 + (geometric ? 1 : 0))};
  try {
    for (int i = 0; i < 3; ++i) {
      size_t used = 0;
      numbers[i] = std::stod(parts[i], &used);
      if (used != parts[i].size() || !std::isfinite(numbers[i])) throw Error(expected);
    }
  } catch (const std::logic_error&) {
    throw Error(expected);
  }
}

}  // namespace

std::vector<std::string> expand_range(const std::string& text, const std::string& where) {
  const std::string expected =
      where + " = '" + text +
      "': expected start:stop:step (e.g. 0.5:0.9:0.05) or start:stop:*factor (e.g. "
      "1e-6:1e-1:*10), stop reached from start";
  const size_t first = text.find(':'), second = text.find(':', first + 1);
  if (second == std::string::npos || text.find(':', second + 1) != std::string::npos)
    throw Error(expected);
  const bool geometric = text[second + 1] == '*';
  double numbers[3];
  parse_range(text, geometric, numbers, expected);
  const double start = numbers[0], stop = numbers[1], step = numbers[2];
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
  // A path that is there, or that cannot be followed (a link loop, no
  // permission), is kept as given: its reader names it and says why.
  const auto there = [](const fs::path& candidate) {
    std::error_code ec;
    const fs::file_status status = fs::status(candidate, ec);
    return fs::exists(status) || status.type() == fs::file_type::none;
  };
  if (path.empty() || fs::path(path).is_absolute() || there(path)) return path;
  const fs::path in_repo = fs::path(repo_dir()) / path;
  return there(in_repo) ? in_repo.string() : path;
}

Config Config::with_defaults(const std::string& file) {
  Config config;
  config.file_ = file;
  for (const ParamInfo& param : config_params()) {
    config.values_[param.key] = param.default_text;
    config.sources_[param.key] = "default";
  }
  return config;
}

Config Config::load(const std::string& file, const std::vector<std::string>& overrides) {
  Config config = with_defaults(file);
  if (!file.empty()) config.read_file(file);
  for (const std::string& assignment : overrides) config.apply_override(assignment);
  return config;
}

void Config::read_file(const std::string& file) {
  std::error_code error;
  if (fs::is_directory(file, error))
    throw Error(file + ": is a directory, expected an INI config file (configs/*.ini)");
  // A device never ends (/dev/zero once ran with the defaults and exit 0);
  // a pipe is read (--config <(...) is a pipe).
  if (is_device(file))
    throw Error(file + ": is a device, expected an INI config file (configs/*.ini)");
  std::ifstream in(file);
  if (!in) throw Error(file + ": cannot open config file (" + std::strerror(errno) + ")");
  read_stream(in, file);
}

Config Config::parse(const std::string& text, const std::string& name,
                     const std::vector<std::string>& overrides) {
  Config config = with_defaults(name);
  std::istringstream in(text);
  config.read_stream(in, name);
  for (const std::string& assignment : overrides) config.apply_override(assignment);
  return config;
}

// The text of an INI file, checked to be text: a UTF-8 byte-order mark (as
// Windows editors write) is skipped; a control byte (a NUL cut the message
// that quoted its line) is refused naming the line, escaped.
std::string Config::read_text(std::istream& in, const std::string& file) {
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
  std::istringstream lines(text);
  int number = 1;
  for (std::string line; std::getline(lines, line); ++number) {
    const auto control = std::find_if(line.begin(), line.end(), [](char c) {
      const auto byte = static_cast<unsigned char>(c);
      return (byte < 0x20 && c != '\t' && c != '\r') || byte == 0x7f;
    });
    if (control != line.end())
      throw Error(file + ":" + std::to_string(number) + ": control character " +
                  printable(std::string(1, *control)) + " in '" + printable(line) +
                  "'; expected a text INI file of [section] and key = value lines");
  }
  return text;
}

void Config::read_stream(std::istream& raw, const std::string& file) {
  std::istringstream in(read_text(raw, file));
  po::options_description description;
  for (const ParamInfo& param : config_params())
    description.add_options()(param.key.c_str(), po::value<std::string>());
  try {
    const po::parsed_options parsed = po::parse_config_file(in, description, true);
    std::set<std::string> given;
    for (const po::option& option : parsed.options) {
      const std::string value = option.value.empty() ? "" : option.value.front();
      if (!given.insert(option.string_key).second)
        throw Error(file + ": " + option.string_key +
                    " is given twice; expected each key once (a sweep lists its values on one "
                    "line: key = a, b, c)");
      if (!option.unregistered) {
        values_[option.string_key] = value;
        sources_[option.string_key] = file;
        continue;
      }
      const std::string& name = option.string_key;
      const size_t dot = name.find('.');
      const std::string section = dot == std::string::npos ? "" : name.substr(0, dot);
      const bool swept = section == "sweep" || section == "conditions";
      const std::string key = swept ? name.substr(section.size() + 1) : "";
      if (!swept || !values_.count(key))
        throw Error(file + ": unrecognised option '" + name + "'" + kSeeKeys);
      add_sweep_axis(key, value, section);
    }
  } catch (const po::error& e) {
    throw Error(file + ": " + e.what() + kSeeKeys);
  }
}

bool Config::is_condition(const std::string& key) const {
  static const std::set<std::string> always = {"fault.chip_seed", "chip.age_years",
                                               "chip.temperature_c"};
  return condition_keys_.count(key) > 0 || always.count(key) > 0;
}

void Config::add_sweep_axis(const std::string& key, const std::string& list,
                            const std::string& section) {
  for (const auto& [axis, values] : sweep_axes_)
    if (axis == key)
      throw Error(file_ + ": " + key + " is swept twice; expected it in [sweep] or [conditions]");
  if (section == "conditions") condition_keys_.insert(key);
  std::vector<std::string> values;
  std::istringstream items(list);
  for (std::string item; std::getline(items, item, ',');) {
    const size_t begin = item.find_first_not_of(" \t"), end = item.find_last_not_of(" \t");
    if (begin == std::string::npos)
      throw Error(file_ + ": " + section + "." + key + " has an empty value");
    const std::string text = item.substr(begin, end - begin + 1);
    if (text.find(':') == std::string::npos) {
      values.push_back(text);
      continue;
    }
    for (const std::string& v : expand_range(text, file_ + ": " + section + "." + key))
      values.push_back(v);
  }
  if (values.empty()) throw Error(file_ + ": " + section + "." + key + " lists no values");
  // The grid is checked before it is spanned: each axis is capped, and so is
  // their product (a grid of 10^9 points once allocated until bad_alloc).
  double points = static_cast<double>(values.size());
  for (const auto& [axis, axis_values] : sweep_axes_)
    points *= static_cast<double>(axis_values.size());
  if (points > kMaxGridPoints)
    throw Error(file_ + ": " + section + "." + key + " makes the grid " +
                std::to_string(static_cast<uint64_t>(std::min(points, 1e19))) +
                " points; expected at most " + std::to_string(kMaxGridPoints) +
                " points over [sweep] and [conditions]");
  sweep_axes_.emplace_back(key, values);
}

void Config::apply_override(const std::string& assignment) {
  const size_t eq = assignment.find('=');
  const std::string key = assignment.substr(0, eq);
  if (eq == std::string::npos || key.empty())
    throw Error("--set " + assignment + ": expected section.key=value");
  if (!values_.count(key))
    throw Error("--set " + assignment + ": unknown key '" + key + "'" + kSeeKeys);
  values_[key] = assignment.substr(eq + 1);
  sources_[key] = "--set";
}

const std::string& Config::get(const std::string& key) const { return values_.at(key); }
const std::string& Config::source(const std::string& key) const { return sources_.at(key); }

Config Config::at_point(const std::vector<std::pair<std::string, std::string>>& point) const {
  Config config = *this;
  for (const auto& [key, value] : point) {
    config.values_.at(key) = value;
    config.sources_[key] = file_;
    config.swept_from_[key] = condition_keys_.count(key) ? "conditions" : "sweep";
  }
  return config;
}

void Config::fail(const std::string& key, const std::string& expected) const {
  const auto swept = swept_from_.find(key);
  const std::string name = swept == swept_from_.end() ? key : swept->second + "." + key;
  throw Error(source(key) + ": " + name + " = '" + printable(get(key)) + "': expected " + expected);
}

}  // namespace lvsim
