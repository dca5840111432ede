#include "sim/report.h"

#include <sys/resource.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "workloads/error.h"

namespace lvsim {
namespace fs = std::filesystem;

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

nlohmann::json report_json(const RunResult& r, const Config& config) {
  using nlohmann::json;
  const double period = r.clock_period_ns;
  const double cycles_per_inference = r.images ? r.inference_ns / period / r.images : 0.0;
  json layers = json::array();
  for (const LayerStats& layer : r.mac_array.layers)
    layers.push_back({{"name", layer.name},
                      {"folds", layer.timing.folds},
                      {"compute_cycles_per_image", layer.timing.cycles},
                      {"cycles_per_image", r.images ? layer.cycles / r.images : 0},
                      {"macs_per_image", layer.timing.macs},
                      {"utilization", layer.timing.utilization},
                      {"weight_words_read", layer.weight_words_read}});
  json config_values = json::object();
  for (const auto& [key, value] : config.values()) config_values[key] = value;
  return {
      {"lvsim_version", LVSIM_VERSION},
      {"config_file", config.file()},
      {"config", config_values},
      {"workload",
       {{"network", r.network_name},
        {"weights_file", r.network_path},
        {"dataset", r.dataset},
        {"data_dir", r.data_dir},
        {"images", r.images},
        {"parameters", r.parameters},
        {"macs_per_image", r.macs_per_image}}},
      {"accuracy",
       {{"correct", r.correct},
        {"images", r.images},
        {"accuracy", r.accuracy()},
        {"reference_accuracy_at_export", r.reference_accuracy}}},
      {"timing",
       {{"clock_mhz", r.params.clock_mhz},
        {"total_cycles", r.simulated_ns / period},
        {"weight_load_cycles", r.load_ns / period},
        {"inference_cycles", r.inference_ns / period},
        {"cycles_per_inference", cycles_per_inference},
        {"latency_per_inference_us", cycles_per_inference * period * 1e-3},
        {"throughput_inferences_per_s",
         r.inference_ns > 0 ? r.images / (r.inference_ns * 1e-9) : 0.0},
        {"mac_array_compute_cycles", r.mac_array.compute_cycles},
        {"mac_array_busy_cycles", r.mac_array.busy_cycles},
        {"mac_utilization", r.mac_array.compute_cycles
                                ? static_cast<double>(r.mac_array.macs) /
                                      (static_cast<double>(r.mac_array.compute_cycles) *
                                       r.params.mac_array.rows * r.params.mac_array.cols)
                                : 0.0},
        {"layers", layers}}},
      {"memory",
       {{"weight_bytes", r.weight_bytes},
        {"dram_read_bytes", r.dram.read_bytes},
        {"dram_bursts", r.dram.bursts},
        {"weight_loads", r.controller.weight_loads},
        {"weight_sram_words_read", r.weight_sram.words_read},
        {"weight_sram_words_written", r.weight_sram.words_written},
        {"activation_buffer_read_bytes", r.activation_buffer.read_bytes},
        {"activation_buffer_write_bytes", r.activation_buffer.write_bytes}}},
      {"host",
       {{"wall_seconds", r.wall_seconds},
        {"images_per_second", r.wall_seconds > 0 ? r.images / r.wall_seconds : 0.0},
        {"threads", r.host_threads},
        {"peak_rss_mib", peak_rss_mib()}}},
  };
}

namespace {

std::string grouped(double value) {
  std::string digits = std::to_string(static_cast<uint64_t>(value + 0.5));
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, ",");
  return digits;
}

}  // namespace

void print_summary(std::ostream& out, const RunResult& r, const std::string& report_path) {
  const double period = r.clock_period_ns;
  const double cycles_per_inference = r.images ? r.inference_ns / period / r.images : 0.0;
  const auto& p = r.params;
  out << std::fixed;
  out << "workload     " << r.network_name << " on " << r.dataset << ", " << r.images
      << " test images from " << r.data_dir << "\n";
  out << "accelerator  " << p.mac_array.rows << "x" << p.mac_array.cols << " "
      << p.mac_array.dataflow << " array at " << std::setprecision(0) << p.clock_mhz
      << " MHz, weight SRAM " << p.weight_sram.capacity_bytes / 1024 << " KiB in "
      << p.weight_sram.banks << " banks, DRAM " << p.dram.preset << "\n";
  out << "accuracy     " << std::setprecision(2) << 100.0 * r.accuracy() << " % (" << r.correct
      << "/" << r.images << ")";
  if (r.reference_accuracy >= 0)
    out << "; PyTorch at export: " << 100.0 * r.reference_accuracy << " % on all 10000";
  out << "\n";
  out << "cycles       " << grouped(cycles_per_inference) << " per inference ("
      << std::setprecision(3) << cycles_per_inference * period * 1e-6 << " ms), weight load "
      << grouped(r.load_ns / period) << " (" << grouped(r.controller.dma_bytes) << " bytes)\n";
  out << "throughput   " << std::setprecision(1)
      << (r.inference_ns > 0 ? r.images / (r.inference_ns * 1e-9) : 0.0)
      << " inferences/s simulated, MAC utilisation " << std::setprecision(1)
      << 100.0 * static_cast<double>(r.mac_array.macs) /
             std::max(1.0, static_cast<double>(r.mac_array.compute_cycles) * p.mac_array.rows *
                               p.mac_array.cols)
      << " %\n";
  out << "host         " << std::setprecision(2) << r.wall_seconds << " s wall, "
      << std::setprecision(0) << (r.wall_seconds > 0 ? r.images / r.wall_seconds : 0.0)
      << " images/s on " << r.host_threads << " thread(s), peak RSS " << peak_rss_mib() << " MiB\n";
  if (!report_path.empty()) out << "report       " << report_path << "\n";
}

void write_file_atomically(const std::string& path, const std::string& text) {
  const fs::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
  if (ec)
    throw Error(target.parent_path().string() + ": cannot create directory (" + ec.message() + ")");
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw Error(temporary + ": cannot write");
  }
  fs::rename(temporary, target, ec);
  if (ec) throw Error(path + ": cannot write (" + ec.message() + ")");
}

}  // namespace lvsim
