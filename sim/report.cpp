#include "sim/report.h"

#include <sys/resource.h>

#include <algorithm>
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

nlohmann::json report_json(const RunResult& r, const AccuracyCurve& curve, const Config& config) {
  using nlohmann::json;
  const double period = r.clock_period_ns;
  const double cycles_per_inference = r.images ? r.inference_ns / period / r.images : 0.0;
  const double images = static_cast<double>(std::max<uint64_t>(1, r.images));
  json layers = json::array();
  for (const LayerStats& layer : r.mac_array.layers)
    layers.push_back({{"name", layer.name},
                      {"folds_per_batch", layer.timing.folds},
                      {"compute_cycles_per_image", layer.compute_cycles / images},
                      {"cycles_per_image", layer.cycles / images},
                      {"macs_per_image", layer.timing.macs / r.params.mac_array.batch},
                      {"utilization", layer.timing.utilization},
                      {"weight_reads_per_weight_per_batch", layer.timing.reads_per_weight},
                      {"weight_words_read", layer.weight_words_read}});
  json energy_terms = json::array();
  for (const EnergyTerm& term : r.energy.terms)
    energy_terms.push_back({{"component", term.component},
                            {"event", term.event},
                            {"count", term.count},
                            {"pj_each", term.pj_each},
                            {"total_pj", term.pj()}});
  json breakdown = json::object();
  for (const std::string& component : EnergyReport::components())
    breakdown[component] = r.energy.per_inference_pj(component) * 1e-6;
  const double latency_s = cycles_per_inference * period * 1e-9;
  json points = json::array();
  for (const CurvePoint& point : curve.points)
    points.push_back({{"end_image", point.end_image},
                      {"windowed_accuracy", point.windowed.mean},
                      {"windowed_accuracy_ci95", point.windowed.ci95},
                      {"cumulative_accuracy", point.cumulative.mean},
                      {"cumulative_accuracy_ci95", point.cumulative.ci95},
                      {"baseline_windowed_accuracy", point.baseline_windowed},
                      {"faulty_bits", point.faulty_bits.mean},
                      {"faulty_bits_ci95", point.faulty_bits.ci95}});
  json trials = json::array();
  for (size_t t = 0; t < r.trials.size(); ++t)
    trials.push_back({{"trial", t},
                      {"accuracy", static_cast<double>(r.trials[t].correct) / r.images},
                      {"images_to_target", curve.images_to_target[t]},
                      {"bit_faults", r.trials[t].weight_sram.bit_faults},
                      {"words_changed", r.trials[t].weight_sram.words_changed},
                      {"ecc_corrected", r.trials[t].weight_sram.ecc_corrected},
                      {"ecc_uncorrectable", r.trials[t].weight_sram.ecc_uncorrectable},
                      {"final_faulty_bits", r.trials[t].faulty_bits_after_image.empty()
                                                ? 0
                                                : r.trials[t].faulty_bits_after_image.back()}});
  json domains = json::array();
  for (const auto& [layer, d] : r.layer_domains)
    domains.push_back({{"layer", layer},
                       {"vdd_v", d.vdd_v},
                       {"faults", d.faults},
                       {"read_fault_probability", d.read_fault_probability},
                       {"access_cycles", d.access_cycles},
                       {"access_pj", d.access_pj}});
  const TransformStats& t = r.transforms;
  json weights = {{"format", r.params.weights.format},
                  {"weights_per_word", r.weights_per_word},
                  {"stored_bytes", r.weight_bytes},
                  {"pruned_weights", t.pruned},
                  {"pruned_fraction", t.weights ? static_cast<double>(t.pruned) / t.weights : 0.0},
                  {"centralized_batches", t.centralized_batches},
                  {"centralized_bytes", t.centralized_bytes},
                  {"centralized_original_bytes", t.original_bytes},
                  {"zero_skipping", r.params.mac_array.zero_skipping},
                  {"skipped_macs_per_image", r.mac_array.skipped_macs / images},
                  {"skipped_cycles_per_image", r.mac_array.skipped_cycles / images},
                  {"layer_domains", domains}};
  const auto& sram = r.params.weight_sram;
  json config_values = json::object();
  for (const auto& [key, value] : config.values()) config_values[key] = value;
  return {
      {"lvsim_version", LVSIM_VERSION},
      {"config_file", config.file()},
      {"config", config_values},
      {"weights", weights},
      {"workload",
       {{"network", r.network_name},
        {"weights_file", r.network_path},
        {"dataset", r.dataset},
        {"data_dir", r.data_dir},
        {"images", r.images},
        {"parameters", r.parameters},
        {"macs_per_image", r.macs_per_image}}},
      {"accuracy",
       {{"images", r.images},
        {"trials", r.trials.size()},
        {"accuracy", r.accuracy()},
        {"accuracy_ci95", estimate([&] {
                            std::vector<double> a;
                            for (const TrialResult& t : r.trials)
                              a.push_back(static_cast<double>(t.correct) / r.images);
                            return a;
                          }())
                              .ci95},
        {"fault_free_accuracy", r.baseline_accuracy()},
        {"reference_accuracy_at_export", r.reference_accuracy},
        {"window_images", curve.window_images},
        {"target_drop", curve.target_drop},
        {"trials_missing_target", curve.trials_missing_target()},
        {"per_trial", trials},
        {"curve", points}}},
      {"faults",
       {{"vdd_v", sram.vdd_v},
        {"model", sram.fault_model.name},
        {"unit", sram.fault_unit == FaultUnit::kPerBit ? "per-bit" : "per-word"},
        {"read_fault_probability", r.read_fault_probability},
        {"weak_cell_fraction", r.weak_cell_fraction},
        {"weak_cells", r.weight_sram.weak_cells},
        {"mitigation", sram.mitigation},
        {"protect_sign", sram.protect_sign},
        {"refresh_interval_images", r.params.controller.refresh_interval_images},
        {"refreshes", r.controller.refreshes},
        {"refresh_bytes", r.controller.refresh_bytes}}},
      {"energy",
       {{"per_inference_uj", r.energy.per_inference_pj() * 1e-6},
        {"breakdown_per_inference_uj", breakdown},
        {"run_total_uj", r.energy.total_pj() * 1e-6},
        {"energy_delay_product_uj_ms", r.energy.per_inference_pj() * 1e-6 * latency_s * 1e3},
        {"average_power_mw",
         latency_s > 0 ? r.energy.per_inference_pj() * 1e-12 / latency_s * 1e3 : 0.0},
        {"weight_sram_access_pj", r.weight_sram_access_pj},
        {"weight_sram_leakage_mw", r.weight_sram_leakage_mw},
        {"note",
         "per inference = the run's energy over its images: the initial load is amortised over "
         "this run's images"},
        {"terms", energy_terms}}},
      {"timing",
       {{"clock_mhz", r.params.clock_mhz},
        {"dataflow", dataflow_name(r.params.mac_array.dataflow)},
        {"batch", r.params.mac_array.batch},
        {"weight_sram_access_time_ns", r.weight_sram_access_time_ns},
        {"weight_sram_access_cycles", r.weight_sram_access_cycles},
        {"weight_sram_latency_cycles", r.weight_sram_latency_cycles},
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
        {"dram_row_hits", r.dram.row_hits},
        {"dram_row_activations", r.dram.activations()},
        {"weight_loads", r.controller.weight_loads},
        {"refresh_cycles", r.controller.refresh_time.to_seconds() * 1e9 / period},
        {"weight_sram_words_read", r.weight_sram.words_read},
        {"weight_sram_words_written", r.weight_sram.words_written},
        {"activation_buffer_read_bytes", r.activation_buffer.read_bytes},
        {"activation_buffer_write_bytes", r.activation_buffer.write_bytes}}},
      {"host",
       {{"wall_seconds", r.wall_seconds},
        {"baseline_wall_seconds", r.baseline_wall_seconds},
        {"images_per_second", r.wall_seconds > 0 ? static_cast<double>(r.images) * r.trials.size() /
                                                       (r.wall_seconds - r.baseline_wall_seconds)
                                                 : 0.0},
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

std::string curve_csv(const AccuracyCurve& curve) {
  std::ostringstream out;
  out << "end_image,windowed_accuracy,windowed_accuracy_ci95,cumulative_accuracy,"
         "cumulative_accuracy_ci95,baseline_windowed_accuracy,faulty_bits,faulty_bits_ci95\n";
  out << std::setprecision(10);
  for (const CurvePoint& p : curve.points)
    out << p.end_image << "," << p.windowed.mean << "," << p.windowed.ci95 << ","
        << p.cumulative.mean << "," << p.cumulative.ci95 << "," << p.baseline_windowed << ","
        << p.faulty_bits.mean << "," << p.faulty_bits.ci95 << "\n";
  return out.str();
}

void print_summary(std::ostream& out, const RunResult& r, const AccuracyCurve& curve,
                   const std::string& report_path) {
  const double period = r.clock_period_ns;
  const double cycles_per_inference = r.images ? r.inference_ns / period / r.images : 0.0;
  const auto& p = r.params;
  out << std::fixed;
  out << "workload     " << r.network_name << " on " << r.dataset << ", " << r.images
      << " test images from " << r.data_dir << "\n";
  out << "accelerator  " << p.mac_array.rows << "x" << p.mac_array.cols << " "
      << dataflow_name(p.mac_array.dataflow) << " array";
  if (p.mac_array.batch > 1) out << " (batch " << p.mac_array.batch << ")";
  out << " at " << std::setprecision(0) << p.clock_mhz << " MHz, weight SRAM "
      << p.weight_sram.capacity_bytes / 1024 << " KiB in " << p.weight_sram.banks << " banks, DRAM "
      << p.dram.preset << "\n";
  const TransformStats& t = r.transforms;
  out << "weights      " << p.weights.format << " (" << r.weights_per_word << " per word), "
      << grouped(static_cast<double>(r.weight_bytes)) << " bytes";
  if (t.pruned)
    out << "; pruned " << grouped(static_cast<double>(t.pruned)) << " = " << std::setprecision(1)
        << 100.0 * t.pruned / t.weights << " % of the weights";
  if (t.centralized_batches)
    out << "; centralized: " << grouped(static_cast<double>(t.centralized_bytes))
        << " bytes of batch statistics instead of "
        << grouped(static_cast<double>(t.original_bytes));
  if (p.mac_array.zero_skipping)
    out << "; zero skipping saves "
        << grouped(r.mac_array.skipped_macs / std::max<double>(1, r.images)) << " MACs and "
        << grouped(r.mac_array.skipped_cycles / std::max<double>(1, r.images))
        << " cycles per image";
  out << "\n";
  if (r.voltage_domains.size() > 1) {
    out << "domains     ";
    for (const auto& [layer, d] : r.layer_domains)
      out << " " << layer << " " << std::setprecision(2) << d.vdd_v << " V"
          << (d.faults ? "" : " (fault-free)");
    out << "\n";
  }
  const auto& sram = p.weight_sram;
  out << "weight SRAM  " << std::setprecision(3) << sram.vdd_v << " V: read "
      << std::setprecision(2) << r.weight_sram_access_time_ns
      << " ns = " << r.weight_sram_access_cycles << " cycle"
      << (r.weight_sram_access_cycles > 1 ? "s" : "") << " (latency "
      << r.weight_sram_latency_cycles << "), " << r.weight_sram_access_pj
      << " pJ per word, leakage " << r.weight_sram_leakage_mw << " mW\n";
  out << "faults       " << sram.fault_model.name << " p = " << std::scientific
      << std::setprecision(2) << r.read_fault_probability << std::fixed << " per "
      << (sram.fault_unit == FaultUnit::kPerBit ? "bit" : "word") << " read"
      << (sram.protect_sign ? " (sign bit protected)" : "") << ", mitigation " << sram.mitigation;
  if (r.weight_sram.weak_cells) out << ", " << r.weight_sram.weak_cells << " weak cells";
  out << ", refresh "
      << (p.controller.refresh_interval_images
              ? "every " + std::to_string(p.controller.refresh_interval_images) + " images (" +
                    std::to_string(r.controller.refreshes) + " done)"
              : std::string("never"))
      << "\n";
  out << "accuracy     " << std::setprecision(2) << 100.0 * r.accuracy() << " %";
  if (r.trials.size() > 1) out << " (mean of " << r.trials.size() << " trials)";
  if (r.faults_changed_weights)
    out << ", fault-free " << 100.0 * r.baseline_accuracy() << " %";
  else if (r.reference_accuracy >= 0)
    out << "; PyTorch at export: " << 100.0 * r.reference_accuracy << " % on all 10000";
  out << "\n";
  if (r.faults_changed_weights) {
    out << "over time    ";
    const size_t shown = std::min<size_t>(curve.points.size(), 6);
    for (size_t i = 0; i < shown; ++i) {
      const CurvePoint& point =
          curve.points[(curve.points.size() - 1) * i / std::max<size_t>(1, shown - 1)];
      out << (i ? "  " : "") << point.end_image << ": " << std::setprecision(1)
          << 100.0 * point.windowed.mean << " %";
    }
    out << "  (windows of " << curve.window_images << ")\n";
    out << "target       " << curve.trials_missing_target() << " of " << r.trials.size()
        << " trial(s) fell more than " << std::setprecision(1) << 100.0 * curve.target_drop
        << " % below fault-free";
    if (curve.trials_missing_target() > 0) {
      size_t first = SIZE_MAX;
      for (size_t image : curve.images_to_target)
        if (image > 0) first = std::min(first, image);
      out << ", first after " << first << " images";
    }
    out << "; faulty bits at the end "
        << static_cast<uint64_t>(curve.points.empty() ? 0 : curve.points.back().faulty_bits.mean)
        << "\n";
  }
  out << "cycles       " << grouped(cycles_per_inference) << " per inference ("
      << std::setprecision(3) << cycles_per_inference * period * 1e-6
      << " ms, refreshes included), weight load " << grouped(r.load_ns / period) << " ("
      << grouped(static_cast<double>(r.weight_bytes)) << " bytes)";
  if (r.controller.refreshes)
    out << ", " << r.controller.refreshes << " refreshes "
        << grouped(r.controller.refresh_time.to_seconds() * 1e9 / period) << " in all";
  out << "\n";
  out << "throughput   " << std::setprecision(1)
      << (r.inference_ns > 0 ? r.images / (r.inference_ns * 1e-9) : 0.0)
      << " inferences/s simulated, MAC utilisation " << std::setprecision(1)
      << 100.0 * static_cast<double>(r.mac_array.macs) /
             std::max(1.0, static_cast<double>(r.mac_array.compute_cycles) * p.mac_array.rows *
                               p.mac_array.cols)
      << " %\n";
  const double energy_uj = r.energy.per_inference_pj() * 1e-6;
  out << "energy       " << std::setprecision(1) << energy_uj << " uJ per inference:";
  const char* labels[] = {"MAC",       "SRAM dynamic", "SRAM leakage", "activations",
                          "DRAM load", "refresh",      "detector/ECC"};
  for (size_t i = 0; i < EnergyReport::components().size(); ++i) {
    const double part = r.energy.per_inference_pj(EnergyReport::components()[i]) * 1e-6;
    if (part <= 0.0) continue;
    out << (i ? ", " : " ") << labels[i] << " " << std::setprecision(part < 10 ? 2 : 1) << part;
  }
  out << "\n";
  out << "EDP          " << std::setprecision(1) << energy_uj * cycles_per_inference * period * 1e-6
      << " uJ x ms per inference, "
      << (cycles_per_inference > 0 ? energy_uj / (cycles_per_inference * period * 1e-3) * 1e3 : 0.0)
      << " mW average\n";
  const double simulation_seconds = r.wall_seconds - r.baseline_wall_seconds;
  out << "host         " << std::setprecision(2) << r.wall_seconds << " s wall";
  if (r.baseline_wall_seconds > 0)
    out << " (" << r.baseline_wall_seconds << " s of it the fault-free baseline)";
  out << ", " << std::setprecision(0)
      << (simulation_seconds > 0 ? r.images * r.trials.size() / simulation_seconds : 0.0)
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
