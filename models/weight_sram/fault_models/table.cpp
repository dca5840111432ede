// A user's own silicon data: a CSV of (vdd_v, p) points, interpolated linearly
// in log10 p between neighbouring voltages (so every p is above 0). Voltages outside the table are
// an error rather than an extrapolation. Lines starting with '#' are skipped. A header line names
// the columns: vdd_v and p, and optionally any of access_time_ns, access_energy_pj (per 32-bit
// word), leakage_mw_per_mib and intermittent_share, which replace lvsim's circuit model and the
// weak-cell intermittent share at the run's voltage (interpolated linearly in V). Without a header
// the rows are vdd_v,p. Without a file, the points a preset brings (published data,
// models/weight_sram/fault_models/fault_presets.h), which are extended beyond their ends along the
// end segments in log10 p (clamped to [0, 1]).
#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "models/weight_sram/fault_models/fault_model.h"
#include "workloads/common/error.h"
#include "workloads/common/read_file.h"

namespace lvsim {
namespace {

// The optional columns, in SramCircuitAt's order.
const std::array<const char*, 4> kCircuitColumns = {"access_time_ns", "access_energy_pj",
                                                    "leakage_mw_per_mib", "intermittent_share"};
using CircuitColumns = std::array<std::vector<double>, 4>;  // empty: not in the file

class TableFaultModel : public FaultModel {
 public:
  TableFaultModel(std::string path, std::vector<std::pair<double, double>> points, bool extend,
                  CircuitColumns circuit = {})
      : path_(std::move(path)),
        points_(std::move(points)),
        extend_(extend),
        circuit_(std::move(circuit)) {}
  SramCircuitAt circuit(double vdd_v) const override {
    SramCircuitAt c;
    std::optional<double>* fields[] = {&c.access_time_ns, &c.access_energy_pj,
                                       &c.leakage_mw_per_mib, &c.intermittent_share};
    for (size_t i = 0; i < circuit_.size(); ++i)
      if (!circuit_[i].empty() && covers(vdd_v)) *fields[i] = linear(circuit_[i], vdd_v);
    return c;
  }
  std::pair<double, double> valid_range() const override {
    if (extend_) return FaultModel::valid_range();
    return {points_.front().first, points_.back().first};
  }
  std::string describe() const override { return "table (" + path_ + ")"; }

 protected:
  double probability_in_range(double vdd_v) const override {
    if (extend_ && (vdd_v < points_.front().first || vdd_v > points_.back().first)) {
      const bool below = vdd_v < points_.front().first;
      const auto& a = below ? points_[0] : points_[points_.size() - 2];
      const auto& b = below ? points_[1] : points_.back();
      const double slope = (std::log10(b.second) - std::log10(a.second)) / (b.first - a.first);
      return std::clamp(std::pow(10.0, std::log10(a.second) + slope * (vdd_v - a.first)), 0.0, 1.0);
    }
    const auto upper =
        std::lower_bound(points_.begin(), points_.end(), vdd_v,
                         [](const auto& point, double v) { return point.first < v; });
    if (upper == points_.begin()) return upper->second;
    const auto lower = upper - 1;
    if (upper == points_.end()) return lower->second;
    const double t = (vdd_v - lower->first) / (upper->first - lower->first);
    return std::pow(10.0, std::log10(lower->second) +
                              t * (std::log10(upper->second) - std::log10(lower->second)));
  }

 private:
  double linear(const std::vector<double>& values, double vdd_v) const {
    const auto upper =
        std::lower_bound(points_.begin(), points_.end(), vdd_v,
                         [](const auto& point, double v) { return point.first < v; });
    const auto i = static_cast<size_t>(upper - points_.begin());
    if (i == 0) return values.front();
    if (i == points_.size()) return values.back();
    const double t = (vdd_v - points_[i - 1].first) / (points_[i].first - points_[i - 1].first);
    return values[i - 1] + t * (values[i] - values[i - 1]);
  }

  std::string path_;
  std::vector<std::pair<double, double>> points_;
  bool extend_;
  CircuitColumns circuit_;
};

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> fields;
  std::istringstream in(line);
  for (std::string field; std::getline(in, field, ',');) {
    const size_t first = field.find_first_not_of(" \t\r");
    const size_t last = field.find_last_not_of(" \t\r");
    fields.push_back(first == std::string::npos ? "" : field.substr(first, last - first + 1));
  }
  return fields;
}

bool parse_number(const std::string& text, double& value) {
  try {
    size_t used = 0;
    value = std::stod(text, &used);
    return used == text.size();
  } catch (const std::logic_error&) {
    return false;
  }
}

// Column i of a header: 0 vdd_v, 1 p, 2 + k the k-th circuit column.
std::vector<int> header_columns(const std::vector<std::string>& names, const std::string& where) {
  std::vector<int> columns;
  std::string known = "vdd_v, p";
  for (const char* name : kCircuitColumns) known += std::string(", ") + name;
  for (const std::string& name : names) {
    int column = name == "vdd_v" ? 0 : name == "p" ? 1 : -1;
    for (size_t k = 0; k < kCircuitColumns.size(); ++k)
      if (name == kCircuitColumns[k]) column = 2 + static_cast<int>(k);
    if (column < 0) throw Error(where + ": unknown column '" + name + "' (expected " + known + ")");
    if (std::find(columns.begin(), columns.end(), column) != columns.end())
      throw Error(where + ": column '" + name + "' appears twice");
    columns.push_back(column);
  }
  if (std::find(columns.begin(), columns.end(), 0) == columns.end() ||
      std::find(columns.begin(), columns.end(), 1) == columns.end())
    throw Error(where + ": the header must name the columns vdd_v and p");
  return columns;
}

// One row's values by column (NaN where the file has no such column).
std::array<double, 6> parse_row(const std::vector<std::string>& fields,
                                const std::vector<int>& columns, const std::string& where,
                                const std::string& line) {
  std::array<double, 6> row;
  row.fill(std::nan(""));
  if (fields.size() != columns.size())
    throw Error(where + ": expected " + std::to_string(columns.size()) + " fields, got " +
                std::to_string(fields.size()) + " in '" + line + "'");
  for (size_t i = 0; i < fields.size(); ++i) {
    double value = 0.0;
    if (!parse_number(fields[i], value))
      throw Error(where + ": '" + fields[i] + "' is not a number");
    row[static_cast<size_t>(columns[i])] = value;
  }
  if (!(row[0] > 0.0 && std::isfinite(row[0])) || !(row[1] >= 0.0 && row[1] <= 1.0))
    throw Error(where + ": expected a finite vdd_v > 0 and p in (0, 1]");
  if (row[1] == 0.0)
    throw Error(where +
                ": p = 0 cannot be interpolated in log10 p; expected a rate above 0 (the "
                "smallest your measurement resolves, e.g. 1e-12), or the row left out");
  for (size_t k = 0; k + 1 < kCircuitColumns.size(); ++k)
    if (!std::isnan(row[2 + k]) && !(std::isfinite(row[2 + k]) && row[2 + k] > 0.0))
      throw Error(where + ": expected " + kCircuitColumns[k] + " > 0");
  if (!std::isnan(row[5]) && !(row[5] >= 0.0 && row[5] <= 1.0))
    throw Error(where + ": expected intermittent_share in [0, 1]");
  return row;
}

}  // namespace

std::unique_ptr<FaultModel> make_table_fault_model(const FaultModelParams& params) {
  const std::string& path = params.table_path;
  if (path.empty() && params.table_points.size() >= 2)
    return std::make_unique<TableFaultModel>("published points", params.table_points, true);
  if (path.empty())
    invalid(&FaultModelParams::table_path, "the table fault model's file",
            "a CSV file of vdd_v,p rows");
  // A device (/dev/zero) never ends: refused before a line is read.
  std::error_code error;
  if (is_device(path) || std::filesystem::is_directory(path, error))
    invalid(&FaultModelParams::table_path, path,
            "a CSV file of vdd_v,p rows (not a device or directory)");
  std::ifstream in(path);
  if (!in)
    invalid(&FaultModelParams::table_path, path,
            "a readable CSV file of vdd_v,p rows (" + std::string(std::strerror(errno)) + ")");
  return parse_fault_table(in, path);
}

std::unique_ptr<FaultModel> parse_fault_table(std::istream& in, const std::string& path) {
  std::vector<std::pair<double, double>> points;
  CircuitColumns circuit;
  std::vector<int> columns = {0, 1};
  std::string line;
  for (int line_number = 1; std::getline(in, line); ++line_number) {
    if (line.empty() || line[0] == '#' || line.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    const std::string where = path + ":" + std::to_string(line_number);
    const std::vector<std::string> fields = split_fields(line);
    double first = 0.0;
    if (points.empty() && !fields.empty() && !parse_number(fields[0], first)) {
      columns = header_columns(fields, where);
      continue;
    }
    const std::array<double, 6> row = parse_row(fields, columns, where, line);
    if (!points.empty() && row[0] <= points.back().first)
      throw Error(where + ": voltages must increase from row to row");
    points.emplace_back(row[0], row[1]);
    for (size_t k = 0; k < circuit.size(); ++k)
      if (!std::isnan(row[2 + k])) circuit[k].push_back(row[2 + k]);
  }
  if (points.size() < 2) throw Error(path + ": a fault table needs at least two rows");
  return std::make_unique<TableFaultModel>(path, std::move(points), false, std::move(circuit));
}

}  // namespace lvsim
