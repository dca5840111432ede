// A user's own silicon data: a CSV of (vdd_v, p) points, interpolated linearly
// in log10 p between neighbouring voltages. Voltages outside the table are an
// error rather than an extrapolation. Lines starting with '#' and a header line
// whose first field is not a number are skipped. Without a file, the points a
// preset brings (published data, models/fault_presets.h), which are extended
// beyond their ends along the end segments in log10 p (clamped to [0, 1]).
#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <vector>

#include "models/fault_model.h"
#include "workloads/error.h"

namespace lvsim {
namespace {

class TableFaultModel : public FaultModel {
 public:
  TableFaultModel(std::string path, std::vector<std::pair<double, double>> points, bool extend)
      : path_(std::move(path)), points_(std::move(points)), extend_(extend) {}
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
    if (lower->second == 0.0 || upper->second == 0.0) {  // log of zero: interpolate linearly
      const double t = (vdd_v - lower->first) / (upper->first - lower->first);
      return lower->second + t * (upper->second - lower->second);
    }
    const double t = (vdd_v - lower->first) / (upper->first - lower->first);
    return std::pow(10.0, std::log10(lower->second) +
                              t * (std::log10(upper->second) - std::log10(lower->second)));
  }

 private:
  std::string path_;
  std::vector<std::pair<double, double>> points_;
  bool extend_;
};

}  // namespace

std::unique_ptr<FaultModel> make_table_fault_model(const FaultModelParams& params) {
  const std::string& path = params.table_path;
  if (path.empty() && params.table_points.size() >= 2)
    return std::make_unique<TableFaultModel>("published points", params.table_points, true);
  if (path.empty())
    invalid(&FaultModelParams::table_path, "the table fault model's file",
            "a CSV file of vdd_v,p rows");
  std::ifstream in(path);
  if (!in) invalid(&FaultModelParams::table_path, path, "a readable CSV file of vdd_v,p rows");
  std::vector<std::pair<double, double>> points;
  std::string line;
  for (int line_number = 1; std::getline(in, line); ++line_number) {
    if (line.empty() || line[0] == '#' || line.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    const std::string where = path + ":" + std::to_string(line_number);
    std::istringstream fields(line);
    std::string v_text, p_text, extra;
    if (!std::getline(fields, v_text, ',') || !std::getline(fields, p_text, ',') ||
        std::getline(fields, extra, ','))
      throw Error(where + ": expected two fields vdd_v,p");
    double v = 0.0, p = 0.0;
    try {
      size_t used_v = 0, used_p = 0;
      v = std::stod(v_text, &used_v);
      p = std::stod(p_text, &used_p);
      if (v_text.find_first_not_of(" \t\r", used_v) != std::string::npos ||
          p_text.find_first_not_of(" \t\r", used_p) != std::string::npos)
        throw std::invalid_argument("trailing text");
    } catch (const std::logic_error&) {
      if (points.empty() && line_number == 1) continue;  // a header line
      throw Error(where + ": '" + line + "' is not two numbers vdd_v,p");
    }
    if (!(v > 0.0) || !(p >= 0.0 && p <= 1.0))
      throw Error(where + ": expected vdd_v > 0 and p in [0, 1]");
    if (!points.empty() && v <= points.back().first)
      throw Error(where + ": voltages must increase from row to row");
    points.emplace_back(v, p);
  }
  if (points.size() < 2) throw Error(path + ": a fault table needs at least two rows");
  return std::make_unique<TableFaultModel>(path, std::move(points), false);
}

}  // namespace lvsim
