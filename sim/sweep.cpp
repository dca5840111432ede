#include "sim/sweep.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/config.h"
#include "sim/curve.h"
#include "sim/progress.h"
#include "sim/report.h"
#include "sim/run.h"
#include "workloads/error.h"

namespace lvsim {
namespace fs = std::filesystem;

namespace {

using Point = std::vector<std::pair<std::string, std::string>>;

std::vector<Point> expand(
    const std::vector<std::pair<std::string, std::vector<std::string>>>& axes) {
  std::vector<Point> points = {{}};
  for (const auto& [key, values] : axes) {
    std::vector<Point> next;
    for (const Point& point : points)
      for (const std::string& value : values) {
        Point extended = point;
        extended.emplace_back(key, value);
        next.push_back(std::move(extended));
      }
    points = std::move(next);
  }
  return points;
}

std::string csv_field(const std::string& text) {
  return text.find_first_of(",\"\n") == std::string::npos ? text : "\"" + text + "\"";
}

}  // namespace

void run_sweep(const SweepOptions& options) {
  const Config base = Config::load(options.config_file, options.overrides);
  if (base.sweep_axes().empty())
    throw Error(
        (options.config_file.empty() ? std::string("the configuration") : options.config_file) +
        ": no [sweep] section (expected lines such as fault.p = 1e-6, 1e-4)");
  const std::vector<Point> points = expand(base.sweep_axes());
  const std::string out_dir = settings_from(base).out_dir;

  // Validate every point before running any, so a typo in the last value does not
  // surface after an hour.
  std::vector<std::vector<std::string>> point_overrides;
  for (const Point& point : points) {
    std::vector<std::string> overrides = options.overrides;
    for (const auto& [key, value] : point) overrides.push_back(key + "=" + value);
    settings_from(Config::load(options.config_file, overrides));
    point_overrides.push_back(std::move(overrides));
  }

  ProgressLine progress("points", !options.quiet && ProgressLine::stderr_is_terminal());
  for (size_t n = 0; n < points.size(); ++n) {
    const std::string point_dir = out_dir + "/points/" + std::to_string(n);
    if (fs::exists(point_dir + "/report.json")) {
      progress.update(n + 1, points.size());
      continue;  // done by an earlier, interrupted invocation
    }
    const Config config = Config::load(options.config_file, point_overrides[n]);
    const RunSettings settings = settings_from(config);
    const RunResult result = run_simulation(settings, nullptr);
    const AccuracyCurve curve =
        accuracy_curve(result, settings.window_images, settings.target_drop);
    write_file_atomically(point_dir + "/curve.csv", curve_csv(curve));
    write_file_atomically(point_dir + "/report.json",
                          report_json(result, curve, config).dump(2) + "\n");
    progress.update(n + 1, points.size());
  }
  progress.finish();

  // Gather every point, including those of earlier invocations, from their reports.
  std::ostringstream curves, summary;
  std::string axes_header;
  for (const auto& [key, values] : base.sweep_axes()) axes_header += "," + key;
  curves << "point" << axes_header
         << ",end_image,windowed_accuracy,windowed_accuracy_ci95,cumulative_accuracy,"
            "baseline_windowed_accuracy,faulty_bits\n";
  summary << "point" << axes_header
          << ",images,trials,accuracy,fault_free_accuracy,trials_missing_target,"
             "first_image_missing_target,final_faulty_bits,cycles_per_inference,"
             "read_fault_probability,refreshes,energy_per_inference_uj,edp_uj_ms";
  for (const std::string& component : EnergyReport::components())
    summary << "," << component << "_uj";
  summary << "\n";
  for (size_t n = 0; n < points.size(); ++n) {
    const std::string path = out_dir + "/points/" + std::to_string(n) + "/report.json";
    std::ifstream in(path);
    nlohmann::json report = nlohmann::json::parse(in);  // a missing field prints null
    std::string axes;
    for (const auto& [key, value] : points[n]) axes += "," + csv_field(value);
    const nlohmann::json& accuracy = report["accuracy"];
    for (const auto& point : accuracy["curve"])
      curves << n << axes << "," << point["end_image"] << "," << point["windowed_accuracy"] << ","
             << point["windowed_accuracy_ci95"] << "," << point["cumulative_accuracy"] << ","
             << point["baseline_windowed_accuracy"] << "," << point["faulty_bits"] << "\n";
    size_t first_miss = 0;
    for (const auto& trial : accuracy["per_trial"]) {
      const size_t image = trial["images_to_target"].get<size_t>();
      if (image > 0 && (first_miss == 0 || image < first_miss)) first_miss = image;
    }
    summary << n << axes << "," << accuracy["images"] << "," << accuracy["trials"] << ","
            << accuracy["accuracy"] << "," << accuracy["fault_free_accuracy"] << ","
            << accuracy["trials_missing_target"] << "," << first_miss << ","
            << (accuracy["curve"].empty() ? 0.0
                                          : accuracy["curve"].back()["faulty_bits"].get<double>())
            << "," << report["timing"]["cycles_per_inference"] << ","
            << report["faults"]["read_fault_probability"] << "," << report["faults"]["refreshes"]
            << "," << report["energy"]["per_inference_uj"] << ","
            << report["energy"]["energy_delay_product_uj_ms"];
    for (const std::string& component : EnergyReport::components())
      summary << "," << report["energy"]["breakdown_per_inference_uj"][component];
    summary << "\n";
  }
  write_file_atomically(out_dir + "/curves.csv", curves.str());
  write_file_atomically(out_dir + "/summary.csv", summary.str());
  if (!options.quiet)
    std::cout << "sweep        " << points.size() << " points -> " << out_dir
              << "/summary.csv and curves.csv\n";
}

}  // namespace lvsim
