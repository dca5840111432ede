// Configuration: INI files (configs/*.ini) of `[section]` / `key = value`,
// overridden by `--set section.key=value` on the command line. The keys, their
// defaults and meanings are the models' declarations (models/common/params.h),
// gathered in sim/settings.h (`lvsim keys` prints them); a key that is not
// declared is an error, never silently ignored. A Config is text; turning it
// into typed settings is settings_from().
#pragma once

#include <cstdint>
#include <istream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace lvsim {

// The resolved key/value map, remembering where each value came from so an
// error can name the file (or --set) and the field.
class Config {
 public:
  // The most points a grid may span (each is a whole run).
  static constexpr uint64_t kMaxGridPoints = 100000;
  // Defaults, then `file` (may be empty), then `overrides` ("key=value").
  static Config load(const std::string& file, const std::vector<std::string>& overrides);
  // The same from an INI file's text; `name` stands for the file in errors.
  static Config parse(const std::string& text, const std::string& name,
                      const std::vector<std::string>& overrides);

  const std::string& file() const { return file_; }
  // Axes of a [sweep] section: "section.key = v1, v2, ..." lines, in file order,
  // then those of a [conditions] section.
  const std::vector<std::pair<std::string, std::vector<std::string>>>& sweep_axes() const {
    return sweep_axes_;
  }
  // Whether a swept key is a condition a choice must hold across rather than
  // a knob an architect chooses (sim/optimize.h): a key of the [conditions]
  // section, and the chip, its age and its temperature always.
  bool is_condition(const std::string& key) const;
  const std::string& get(const std::string& key) const;
  const std::string& source(const std::string& key) const;
  const std::map<std::string, std::string>& values() const { return values_; }
  // This configuration at one point of its grid: each swept key set to the
  // point's value, sourced from the file's [sweep] (or [conditions]) section,
  // so an error names the file and "sweep.KEY" (once it blamed --set).
  Config at_point(const std::vector<std::pair<std::string, std::string>>& point) const;

  // Throws the one-line error "<source>: <key> = '<value>': expected <expected>".
  [[noreturn]] void fail(const std::string& key, const std::string& expected) const;

 private:
  std::string file_;
  std::vector<std::pair<std::string, std::vector<std::string>>> sweep_axes_;
  std::set<std::string> condition_keys_;
  std::map<std::string, std::string> values_;
  std::map<std::string, std::string> sources_;
  std::map<std::string, std::string> swept_from_;  // key -> "sweep" or "conditions", at a point

  static std::string read_text(std::istream& in, const std::string& file);

  static Config with_defaults(const std::string& file);
  void read_file(const std::string& file);
  void read_stream(std::istream& in, const std::string& file);
  void add_sweep_axis(const std::string& key, const std::string& list, const std::string& section);
  void apply_override(const std::string& assignment);
};

// A [sweep] range: "start:stop:step" (arithmetic) or "start:stop:*factor"
// (geometric), stop included; throws naming `where` on a malformed range.
std::vector<std::string> expand_range(const std::string& text, const std::string& where);

// A path as given if it exists there, else relative to the lvsim source tree.
std::string resolve_repo_path(const std::string& path);
std::string repo_dir();

}  // namespace lvsim
