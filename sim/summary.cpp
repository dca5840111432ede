// The readable summary of a run: a line per topic, from the same RunResult
// and RunMetrics as report.json.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <map>
#include <sstream>

#include "sim/metrics.h"
#include "sim/population.h"
#include "sim/report.h"

namespace lvsim {
namespace {

std::string grouped(double value) {
  std::string digits = std::to_string(std::llround(value));
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, ",");
  return digits;
}

void platform_lines(std::ostream& out, const RunResult& r) {
  const AcceleratorParams& p = r.params;
  out << "workload     " << r.network_name << " on " << r.dataset << ", " << r.images
      << " test images from " << r.data_dir << "\n";
  out << "network      " << r.network_layers << " layers, " << r.mac_array.layers.size()
      << " with weights, " << grouped(static_cast<double>(r.macs_per_image)) << " MACs per image";
  for (const std::string& note : r.network_notes) out << "; " << note;
  out << "\n";
  out << "accelerator  " << p.mac_array.rows << "x" << p.mac_array.cols << " "
      << dataflow_name(p.mac_array.dataflow) << " array";
  if (p.mac_array.batch > 1) out << " (batch " << p.mac_array.batch << ")";
  out << " at " << std::setprecision(0) << p.clock_mhz << " MHz, weight SRAM "
      << p.weight_sram.capacity_bytes / 1024 << " KiB in " << p.weight_sram.banks << " banks, DRAM "
      << p.dram.preset << "\n";
}

void weights_line(std::ostream& out, const RunResult& r) {
  const AcceleratorParams& p = r.params;
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
}

// "every 500 images = 636 us (3 done)", "every 1000 us = 786 images (2 done)", "never".
std::string refresh_text(const RunResult& r) {
  const ControllerParams& p = r.params.controller;
  if (p.refresh_interval_images == 0 && p.refresh_interval_us <= 0) return "never";
  const RunMetrics m = metrics_of(r);
  std::ostringstream text;
  text << std::fixed << std::setprecision(0) << "every ";
  if (p.refresh_interval_images > 0)
    text << p.refresh_interval_images << " images = " << m.refresh_every_us << " us";
  else
    text << p.refresh_interval_us << " us = " << std::setprecision(1) << m.refresh_every_images
         << " images";
  text << " (" << r.controller.refreshes << " done)";
  return text.str();
}

// Which layers stream from DRAM for every batch, and what that costs.
void streaming_line(std::ostream& out, const RunResult& r) {
  if (r.params.controller.streamed_regions.empty()) return;
  std::string streamed, resident;
  uint64_t resident_bytes = 0;
  for (const LayerStats& layer : r.mac_array.layers)
    (layer.streamed ? streamed : resident) +=
        ((layer.streamed ? streamed : resident).empty() ? "" : ", ") + layer.name;
  const double loads = static_cast<double>(std::max<uint64_t>(1, r.controller.stream_loads));
  const double per_batch = static_cast<double>(r.controller.stream_bytes) / loads;
  resident_bytes = r.weight_bytes - static_cast<uint64_t>(per_batch);
  out << "streaming    " << streamed << " from DRAM for every batch (" << grouped(per_batch)
      << " bytes each, 2 x " << r.params.controller.stream_tile_bytes / 1024
      << " KiB buffers), stalls "
      << grouped(static_cast<double>(r.mac_array.stall_cycles) /
                 static_cast<double>(std::max<uint64_t>(1, r.images)))
      << " cycles per image; resident "
      << (resident.empty()       ? "none"
          : resident.size() > 80 ? "the other layers"
                                 : resident)
      << " (" << grouped(static_cast<double>(resident_bytes)) << " bytes)\n";
}

void sram_lines(std::ostream& out, const RunResult& r) {
  const WeightSramParams& sram = r.params.weight_sram;
  out << "weight SRAM  " << std::setprecision(3) << sram.vdd_v << " V: read "
      << std::setprecision(2) << r.weight_sram_access_time_ns
      << " ns = " << r.weight_sram_access_cycles << " cycle"
      << (r.weight_sram_access_cycles > 1 ? "s" : "") << " (latency "
      << r.weight_sram_latency_cycles << "), " << r.weight_sram_access_pj
      << " pJ per word, leakage " << r.weight_sram_leakage_mw << " mW\n";
  if (!sram.fault_model.plugin_path.empty())
    out << "faults       plugin " << sram.fault_model.plugin_path << ":";
  else
    out << "faults       " << (sram.fault_preset.empty() ? "" : sram.fault_preset + " ")
        << sram.fault_model.name << ":";
  if (sram.mechanisms.upset)
    out << " upsets p = " << std::scientific << std::setprecision(2) << r.upset_probability
        << std::fixed << " per " << (sram.fault_unit == FaultUnit::kPerBit ? "bit" : "word")
        << " read";
  if (sram.mechanisms.weak_cells) {
    const FaultStats& faults = r.weight_sram.faults;
    out << (sram.mechanisms.upset ? "," : "") << " weak cells p = " << std::scientific
        << std::setprecision(2) << r.weak_cell_fraction << std::fixed << " per bit ("
        << faults.weak_cells << " cells, " << faults.intermittent_cells << " intermittent";
    if (sram.column_fault_share > 0.0)
      out << ", " << faults.column_fault_cells << " in failing columns of " << sram.column_width
          << ", interleave " << sram.layout.interleave;
    out << (sram.read_disturb ? ", read disturb" : "");
    if (sram.write_fail_share > 0.0) out << ", " << faults.write_failing_cells << " fail writes";
    out << ")";
  }
  if (!sram.mechanisms.upset && !sram.mechanisms.weak_cells) out << " (no mechanism on)";
  if (sram.protect_sign)
    out << (sram.packed.empty() ? " (sign bit protected)" : " (each weight's sign bit protected)");
  out << ", mitigation " << sram.mitigation;
  if (sram.word_bits != kWordBits) out << " over " << sram.word_bits << "-bit words";
  out << ", refresh " << refresh_text(r) << "\n";
  if (sram.write_vdd_v > sram.vdd_v || r.weight_sram.faults.write_failed_bits > 0)
    out << "writes       at " << std::setprecision(3) << std::max(sram.vdd_v, sram.write_vdd_v)
        << " V: " << r.weight_sram.rail_raises << " rail raise"
        << (r.weight_sram.rail_raises == 1 ? "" : "s") << " of " << std::setprecision(1)
        << r.rail_transition_ns << " ns each way, " << r.weight_sram.faults.write_failed_bits
        << " bits stored wrong by failing writes (trial 1)\n";
  if (r.fault_map_used)
    out << "fault map    March C- self-test x" << sram.bist_passes << ": "
        << r.weight_sram.mapped_cells << " of " << r.weight_sram.faults.weak_cells
        << " weak cells mapped (trial 1), " << grouped(r.self_test_ns / r.clock_period_ns)
        << " cycles, map " << grouped(static_cast<double>(r.fault_map_bits) / 8.0) << " bytes\n";
}

void over_time_lines(std::ostream& out, const RunResult& r, const AccuracyCurve& curve) {
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
  const FaultStats& f = r.trials[0].weight_sram.faults;
  out << "fault reads  " << f.faulty_word_reads
      << " faulty word reads (trial 1): " << f.ecc_uncorrectable << " detected, " << f.ecc_corrected
      << " corrected, " << f.masked_word_reads << " masked, "
      << f.silent_word_reads - f.silent_stored_word_reads << " silent; " << f.silent_word_reads
      << " silent reads in all, " << f.silent_stored_word_reads << " of wrong stored data\n";
}

// The population's yield and spread (sim.chips > 1).
void chips_line(std::ostream& out, const RunResult& r, const AccuracyCurve& curve) {
  if (r.chips <= 1) return;
  const Population p = population(r, curve);
  out << "chips        " << r.chips << " chips x " << r.trials_per_chip << " trial(s): yield "
      << std::setprecision(1) << 100.0 * p.yield.share << " % (" << p.yield.passing << " met the "
      << "target; 95 % CI " << 100.0 * p.yield.low << "-" << 100.0 * p.yield.high
      << " %), chip accuracy min " << std::setprecision(2) << 100.0 * p.accuracy_min
      << " %, 5th percentile " << 100.0 * p.accuracy_p5 << " %, median "
      << 100.0 * p.accuracy_median << " %\n";
}

// The chip's condition, when it moves the cells (chip_condition.h).
void chip_condition_line(std::ostream& out, const RunResult& r) {
  const ChipConditionParams& chip = r.params.weight_sram.chip;
  if (chip.age_years == 0.0 && chip.temperature_c == 25.0 && r.vmin_shift_v == 0.0) return;
  out << "chip         " << std::setprecision(1) << chip.age_years << " years at "
      << chip.temperature_c << " C: cells' Vmin " << std::showpos << std::setprecision(1)
      << 1e3 * r.vmin_shift_v << std::noshowpos << " mV (aging, temperature, chip offset; chip 1)";
  const WeightSramParams& sram = r.params.weight_sram;
  if (r.fault_map_used && sram.bist_at_manufacturing)
    out << ", fault map from the manufacturing test";
  else if (r.fault_map_used && sram.bist_interval_years > 0.0)
    out << ", fault map from a self-test " << sram.bist_interval_years << " years ago";
  else if (r.fault_map_used)
    out << ", fault map from the power-up test";
  out << "\n";
}

void accuracy_lines(std::ostream& out, const RunResult& r, const AccuracyCurve& curve) {
  out << "accuracy     " << std::setprecision(2) << 100.0 * r.accuracy() << " %";
  if (r.trials.size() > 1)
    out << " (mean of " << r.trials.size() << (r.chips > 1 ? " chip trials)" : " trials)");
  if (r.faults_changed_weights)
    out << ", fault-free " << 100.0 * r.baseline_accuracy() << " %";
  else if (r.reference_accuracy >= 0)
    out << "; PyTorch at export: " << 100.0 * r.reference_accuracy << " % on all 10000";
  out << "\n";
  if (r.faults_changed_weights) over_time_lines(out, r, curve);
  chips_line(out, r, curve);
}

// The saving from nominal, told apart (sim/metrics.h).
void saving_line(std::ostream& out, const RunResult& r, const RunMetrics& m) {
  const RunResult::EnergyReferences& refs = r.references;
  out << "saving       " << std::setprecision(1) << m.nominal_uj << " uJ at nominal "
      << std::setprecision(3) << refs.nominal_v << " V";
  if (std::isnan(refs.fault_free_vmin_v)) {
    out << "; no supply up to the fault model's range is fault-free for " << std::setprecision(0)
        << 100.0 * refs.target_yield << " % of chips\n";
    return;
  }
  out << " -> " << std::setprecision(1) << m.fault_free_vmin_uj << " uJ at the fault-free Vmin "
      << std::setprecision(3) << refs.fault_free_vmin_v << " V (" << std::setprecision(0)
      << 100.0 * refs.target_yield << " % of chips without a weak cell in "
      << grouped(static_cast<double>(refs.weight_bits)) << " weight bits)";
  if (r.params.weight_sram.vdd_v >= refs.fault_free_vmin_v) {
    const double above_vmin = -m.saving_fault_tolerance_uj;
    // Dearer than the nominal reference itself (by what shows at 0.1 uJ).
    if (above_vmin - m.saving_guardband_uj >= 0.05) {
      out << "; this run is above it and uses " << std::setprecision(1)
          << above_vmin - m.saving_guardband_uj
          << " uJ more than the nominal reference (what its mitigation and refreshes add: the "
             "references have neither)\n";
      return;
    }
    out << "; this run is above it: " << std::setprecision(1) << above_vmin << " uJ of the "
        << m.saving_guardband_uj << " uJ guardband unused\n";
    return;
  }
  out << ": guardband " << std::setprecision(1) << m.saving_guardband_uj << " uJ, fault tolerance "
      << m.saving_fault_tolerance_uj << " uJ\n";
}

void cost_lines(std::ostream& out, const RunResult& r, const RunMetrics& m) {
  const double period = r.clock_period_ns;
  const uint64_t streamed_bytes =
      r.controller.stream_loads ? r.controller.stream_bytes / r.controller.stream_loads : 0;
  out << "cycles       " << grouped(m.cycles_per_inference) << " per inference ("
      << std::setprecision(3) << m.latency_us * 1e-3 << " ms, refreshes included), weight load "
      << grouped(r.load_ns / period) << " ("
      << grouped(static_cast<double>(r.weight_bytes - streamed_bytes)) << " bytes)";
  if (r.controller.refreshes)
    out << ", " << r.controller.refreshes << " refreshes "
        << grouped(r.controller.refresh_time.to_seconds() * 1e9 / period) << " in all";
  out << "\n";
  out << "throughput   " << std::setprecision(1) << m.throughput_per_s
      << " inferences/s simulated, MAC utilisation " << 100.0 * m.mac_utilization << " %\n";
  out << "energy       " << std::setprecision(1) << m.energy_per_inference_uj
      << " uJ per inference:";
  static const std::map<std::string, const char*> labels = {
      {"mac", "MAC"},
      {"weight_sram_dynamic", "SRAM dynamic"},
      {"weight_sram_leakage", "SRAM leakage"},
      {"weight_sram_writeback", "SRAM write-back"},
      {"activation_buffer", "activations"},
      {"dram_initial_load", "DRAM load"},
      {"dram_refresh", "refresh"},
      {"detector_ecc", "detector/ECC"},
      {"vector", "vector unit"},
      {"dram_stream", "DRAM stream"}};
  const char* separator = " ";
  for (const std::string& component : EnergyReport::components()) {
    const double part = r.energy.per_inference_pj(component) * 1e-6;
    if (part <= 0.0) continue;
    out << separator << labels.at(component) << " " << std::setprecision(part < 10 ? 2 : 1) << part;
    separator = ", ";
  }
  out << "\n";
  saving_line(out, r, m);
  out << "EDP          " << std::setprecision(1) << m.edp_uj_ms << " uJ x ms per inference, "
      << m.average_power_mw << " mW average\n";
}

void host_line(std::ostream& out, const RunResult& r, const RunMetrics& m) {
  out << "host         " << std::setprecision(2) << r.wall_seconds << " s wall";
  if (r.baseline_wall_seconds > 0)
    out << " (" << r.baseline_wall_seconds << " s of it the fault-free baseline)";
  out << ", " << std::setprecision(0) << m.host_images_per_s << " images/s on " << r.host_threads
      << " thread(s), peak RSS " << peak_rss_mib() << " MiB\n";
}

}  // namespace

void print_summary(std::ostream& out, const RunResult& r, const AccuracyCurve& curve,
                   const std::string& report_path) {
  const RunMetrics m = metrics_of(r);
  out << std::fixed;
  platform_lines(out, r);
  weights_line(out, r);
  streaming_line(out, r);
  sram_lines(out, r);
  chip_condition_line(out, r);
  accuracy_lines(out, r, curve);
  cost_lines(out, r, m);
  host_line(out, r, m);
  if (!report_path.empty()) out << "report       " << report_path << "\n";
}

}  // namespace lvsim
