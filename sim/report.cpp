// report.json and curve.csv: every raw count and energy term of a run, and the
// derived metrics of sim/metrics.h.
#include "sim/report.h"

#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "sim/metrics.h"
#include "sim/population.h"
#include "workloads/common/error.h"

namespace lvsim {
using nlohmann::json;

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

namespace {

double per_image(double total, const RunResult& r) {
  return total / static_cast<double>(std::max<uint64_t>(1, r.images));
}

json layers_json(const RunResult& r) {
  json layers = json::array();
  for (const LayerStats& layer : r.mac_array.layers)
    layers.push_back({{"name", layer.name},
                      {"streamed", layer.streamed},
                      {"stall_cycles_per_image", per_image(layer.stall_cycles, r)},
                      {"folds_per_batch", layer.timing.folds},
                      {"compute_cycles_per_image", per_image(layer.compute_cycles, r)},
                      {"cycles_per_image", per_image(layer.cycles, r)},
                      {"macs_per_image", layer.timing.macs / r.params.mac_array.batch},
                      {"utilization", layer.timing.utilization},
                      {"weight_reads_per_weight_per_batch", layer.timing.reads_per_weight},
                      {"weight_words_read", layer.weight_words_read}});
  return layers;
}

json vector_layers_json(const RunResult& r) {
  json layers = json::array();
  for (const VectorLayerStats& layer : r.mac_array.vector_layers)
    layers.push_back(
        {{"name", layer.name},
         {"kind", layer.kind},
         {"unit",
          layer.pipeline_of.empty() ? "vector unit" : "output pipeline of " + layer.pipeline_of},
         {"ops_per_image", layer.ops_per_image},
         {"cycles_per_image", per_image(layer.cycles, r)}});
  return layers;
}

json curve_json(const AccuracyCurve& curve) {
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
  return points;
}

json trials_json(const RunResult& r, const AccuracyCurve& curve) {
  json trials = json::array();
  for (size_t t = 0; t < r.trials.size(); ++t) {
    const TrialResult& trial = r.trials[t];
    const FaultStats& faults = trial.weight_sram.faults;
    trials.push_back(
        {{"trial", trial.trial},
         {"chip", trial.chip},
         {"chip_seed", trial.chip_seed},
         {"accuracy", static_cast<double>(trial.correct) / r.images},
         {"images_to_target", curve.images_to_target[t]},
         {"bit_faults", faults.bit_faults},
         {"upset_bit_faults", faults.upset_bit_faults},
         {"weak_bit_faults", faults.weak_bit_faults},
         {"words_changed", faults.words_changed},
         {"words_written_back", faults.words_written_back},
         {"ecc_corrected", faults.ecc_corrected},
         {"ecc_uncorrectable", faults.ecc_uncorrectable},
         // Faulty word reads by how they ended (models/weight_sram/sram_contents.h).
         {"detected_word_reads", faults.ecc_uncorrectable},
         {"corrected_word_reads", faults.ecc_corrected},
         {"masked_word_reads", faults.masked_word_reads},
         {"silent_word_reads", faults.silent_word_reads},
         // Of the silent reads, those in which no bit failed: stored data wrong.
         {"silent_stored_word_reads", faults.silent_stored_word_reads},
         {"mapped_cells", trial.weight_sram.mapped_cells},
         {"final_faulty_bits",
          trial.faulty_bits_after_image.empty() ? 0 : trial.faulty_bits_after_image.back()}});
  }
  return trials;
}

json weights_json(const RunResult& r) {
  json domains = json::array();
  for (const auto& [layer, d] : r.layer_domains)
    domains.push_back({{"layer", layer},
                       {"vdd_v", d.vdd_v},
                       {"faults", d.faults},
                       {"read_fault_probability", d.upset_probability},
                       {"access_cycles", d.access_cycles},
                       {"access_pj", d.access_pj}});
  const TransformStats& t = r.transforms;
  return {{"format", r.params.weights.format},
          {"weights_per_word", r.weights_per_word},
          {"stored_bytes", r.weight_bytes},
          {"pruned_weights", t.pruned},
          {"pruned_fraction", t.weights ? static_cast<double>(t.pruned) / t.weights : 0.0},
          {"centralized_batches", t.centralized_batches},
          {"centralized_bytes", t.centralized_bytes},
          {"centralized_original_bytes", t.original_bytes},
          {"zero_skipping", r.params.mac_array.zero_skipping},
          {"skipped_macs_per_image", per_image(r.mac_array.skipped_macs, r)},
          {"skipped_cycles_per_image", per_image(r.mac_array.skipped_cycles, r)},
          {"layer_domains", domains}};
}

json workload_json(const RunResult& r) {
  return {{"network", r.network_name},
          {"weights_file", r.network_path},
          {"dataset", r.dataset},
          {"data_dir", r.data_dir},
          {"images", r.images},
          {"parameters", r.parameters},
          {"macs_per_image", r.macs_per_image},
          {"layers", r.network_layers},
          {"import_notes", r.network_notes}};
}

// A number, or null where it is not defined (JSON has no NaN).
json number_or_null(double value) { return std::isnan(value) ? json(nullptr) : json(value); }

json per_chip_json(const Population& p) {
  json chips = json::array();
  for (const ChipRow& c : p.chips)
    chips.push_back({{"chip", c.chip},
                     {"chip_seed", c.chip_seed},
                     {"accuracy", c.accuracy},
                     {"weak_cells", c.weak_cells},
                     {"intermittent_cells", c.intermittent_cells},
                     {"column_fault_cells", c.column_fault_cells},
                     {"silent_word_reads", c.silent_word_reads},
                     {"images_to_target", c.images_to_target},
                     {"meets_target", c.meets_target},
                     {"vmin_offset_v", c.draws.vmin_offset_v},
                     {"intermittent_share", c.draws.intermittent_share},
                     {"stuck_zero_share", c.draws.stuck_zero_share}});
  return chips;
}

json accuracy_json(const RunResult& r, const AccuracyCurve& curve, const RunMetrics& m) {
  const Population p = population(r, curve);
  return {{"images", r.images},
          {"chips", r.chips},
          {"trials_per_chip", r.trials_per_chip},
          // The population (sim.chips): a chip meets the target when no window of any of
          // its trials fell more than target_drop below fault-free (sim/population.h).
          {"yield", p.yield.share},
          {"yield_ci95_low", p.yield.low},
          {"yield_ci95_high", p.yield.high},
          {"chips_meeting_target", p.yield.passing},
          {"target_yield", r.references.target_yield},
          {"chips_to_show_target_yield", chips_to_show(r.references.target_yield)},
          {"chip_accuracy_min", p.accuracy_min},
          {"chip_accuracy_p5", p.accuracy_p5},
          {"chip_accuracy_median", p.accuracy_median},
          {"per_chip", per_chip_json(p)},
          {"trials", r.trials.size()},
          {"accuracy", r.accuracy()},
          {"accuracy_ci95", m.accuracy_ci95},
          {"fault_free_accuracy", r.baseline_accuracy()},
          {"reference_accuracy_at_export", r.reference_accuracy},
          {"window_images", curve.window_images},
          {"target_drop", curve.target_drop},
          {"trials_missing_target", curve.trials_missing_target()},
          {"per_trial", trials_json(r, curve)},
          {"curve", curve_json(curve)}};
}

json faults_json(const RunResult& r, const RunMetrics& m) {
  const WeightSramParams& sram = r.params.weight_sram;
  return {
      {"vdd_v", sram.vdd_v},
      {"model", sram.fault_model.plugin_path.empty() ? sram.fault_model.name : "plugin"},
      {"plugin", sram.fault_model.plugin_path},
      {"preset", sram.fault_preset},
      {"mechanism", {{"upset", sram.mechanisms.upset}, {"weak_cells", sram.mechanisms.weak_cells}}},
      {"unit", sram.fault_unit == FaultUnit::kPerBit ? "per-bit" : "per-word"},
      {"read_fault_probability", r.upset_probability},
      {"weak_cell_fraction", r.weak_cell_fraction},
      {"weak_cells", r.weight_sram.faults.weak_cells},
      {"intermittent_cells", r.weight_sram.faults.intermittent_cells},
      // Of weak_cells, those in failing columns (fault.column_fault_share), and
      // the array's layout they follow.
      {"column_fault_cells", r.weight_sram.faults.column_fault_cells},
      {"column_fault_share", sram.column_fault_share},
      {"column_width", sram.column_width},
      {"interleave", sram.layout.interleave},
      {"subarray_rows", sram.layout.subarray_rows},
      {"stuck_zero_share", sram.stuck_zero_share},
      {"intermittent_share", sram.intermittent_share},
      {"intermittent_q", sram.intermittent_q},
      {"read_disturb", sram.read_disturb},
      // Writes: their supply, the rail moved to it, the cells failing them.
      {"writes",
       {{"vdd_v", std::max(sram.vdd_v, sram.write_vdd_v)},
        {"rail_raises", r.weight_sram.rail_raises},
        {"rail_transition_ns", r.rail_transition_ns},
        {"write_fail_share", sram.write_fail_share},
        {"write_failing_cells", r.weight_sram.faults.write_failing_cells},
        {"write_failed_bits", r.weight_sram.faults.write_failed_bits}}},
      {"chip_seed", sram.chip_seed},
      {"chip",
       {{"age_years", sram.chip.age_years},
        {"temperature_c", sram.chip.temperature_c},
        {"vmin_shift_v", r.vmin_shift_v},
        {"bist_at", sram.bist_at_manufacturing ? "manufacturing" : "power-up"},
        {"bist_interval_years", sram.bist_interval_years}}},
      {"mitigation", sram.mitigation},
      // How sign, zero and word-zero learn the failing bits; the fault map's
      // self-test and size (bist-map only).
      {"detector", sram.detector == FailureDetector::kBistMap ? "bist-map" : "razor"},
      {"fault_map",
       {{"used", r.fault_map_used},
        {"bist_passes", sram.bist_passes},
        {"mapped_cells", r.weight_sram.mapped_cells},
        {"unmapped_weak_cells", r.weight_sram.faults.weak_cells - r.weight_sram.mapped_cells},
        {"bytes", r.fault_map_bits / 8.0},
        {"self_test_cycles", r.weight_sram.self_test_cycles}}},
      {"protect_sign", sram.protect_sign},
      {"refresh_interval_images", r.params.controller.refresh_interval_images},
      {"refresh_interval_us", r.params.controller.refresh_interval_us},
      {"refreshes", r.controller.refreshes},
      // The intervals the refreshes had, mean over them, in images and in
      // simulated microseconds of images (the refreshes' own time left out).
      {"refresh_every_images", m.refresh_every_images},
      {"refresh_every_us", m.refresh_every_us},
      {"refresh_bytes", r.controller.refresh_bytes}};
}

json energy_json(const RunResult& r, const RunMetrics& m) {
  json terms = json::array();
  for (const EnergyTerm& term : r.energy.terms)
    terms.push_back({{"component", term.component},
                     {"event", term.event},
                     {"count", term.count},
                     {"pj_each", term.pj_each},
                     {"total_pj", term.pj()}});
  json breakdown = json::object();
  for (const std::string& component : EnergyReport::components())
    breakdown[component] = r.energy.per_inference_pj(component) * 1e-6;
  const RunResult::EnergyReferences& refs = r.references;
  return {{"per_inference_uj", m.energy_per_inference_uj},
          // The saving from nominal in two parts (sim/metrics.h): guardband removed,
          // and bought by fault tolerance below the fault-free Vmin.
          {"nominal_vdd_v", refs.nominal_v},
          {"nominal_uj", m.nominal_uj},
          {"fault_free_vmin_v", number_or_null(refs.fault_free_vmin_v)},
          {"fault_free_vmin_uj", number_or_null(m.fault_free_vmin_uj)},
          {"fault_free_vmin_weight_bits", refs.weight_bits},
          {"fault_free_vmin_yield", refs.target_yield},
          {"saving_guardband_uj", number_or_null(m.saving_guardband_uj)},
          {"saving_fault_tolerance_uj", number_or_null(m.saving_fault_tolerance_uj)},
          {"breakdown_per_inference_uj", breakdown},
          {"run_total_uj", r.energy.total_pj() * 1e-6},
          {"energy_delay_product_uj_ms", m.edp_uj_ms},
          {"average_power_mw", m.average_power_mw},
          {"weight_sram_access_pj", r.weight_sram_access_pj},
          {"weight_sram_leakage_mw", r.weight_sram_leakage_mw},
          {"note",
           "per inference = the run's energy over its images: the initial load is amortised over "
           "this run's images"},
          {"terms", terms}};
}

json timing_json(const RunResult& r, const RunMetrics& m) {
  const double period = r.clock_period_ns;
  return {{"clock_mhz", r.params.clock_mhz},
          {"dataflow", dataflow_name(r.params.mac_array.dataflow)},
          {"batch", r.params.mac_array.batch},
          {"weight_sram_access_time_ns", r.weight_sram_access_time_ns},
          {"weight_sram_access_cycles", r.weight_sram_access_cycles},
          {"weight_sram_latency_cycles", r.weight_sram_latency_cycles},
          {"total_cycles", r.simulated_ns / period},
          {"self_test_cycles", r.self_test_ns / period},
          {"weight_load_cycles", r.load_ns / period},
          {"inference_cycles", r.inference_ns / period},
          {"cycles_per_inference", m.cycles_per_inference},
          {"latency_per_inference_us", m.latency_us},
          {"throughput_inferences_per_s", m.throughput_per_s},
          {"mac_array_compute_cycles", r.mac_array.compute_cycles},
          {"mac_array_busy_cycles", r.mac_array.busy_cycles},
          {"mac_utilization", m.mac_utilization},
          {"vector_unit_cycles", r.mac_array.vector_cycles},
          {"stream_stall_cycles", r.mac_array.stall_cycles},
          {"vector_ops_per_image", per_image(r.mac_array.vector_ops, r)},
          {"layers", layers_json(r)},
          {"vector_layers", vector_layers_json(r)}};
}

json memory_json(const RunResult& r) {
  json resident = json::array(), streamed = json::array();
  for (const LayerStats& layer : r.mac_array.layers)
    (layer.streamed ? streamed : resident).push_back(layer.name);
  const double loads = static_cast<double>(std::max<uint64_t>(1, r.controller.stream_loads));
  return {{"weight_bytes", r.weight_bytes},
          // Layers held in the weight SRAM, and layers brought from DRAM for
          // every batch because they do not fit (models/controller.h).
          {"resident_layers", resident},
          {"streamed_layers", streamed},
          {"stream_tile_bytes", r.params.controller.stream_tile_bytes},
          {"streamed_bytes_per_batch", static_cast<double>(r.controller.stream_bytes) / loads},
          {"dram_stream_bytes", r.dram.streamed_bytes},
          {"dram_stream_bytes_per_inference", per_image(r.dram.streamed_bytes, r)},
          {"dram_capacity_bytes", r.params.dram.capacity_bytes},
          {"dram_read_bytes", r.dram.read_bytes},
          {"dram_bursts", r.dram.bursts},
          {"dram_row_hits", r.dram.row_hits},
          {"dram_row_activations", r.dram.activations()},
          {"weight_loads", r.controller.weight_loads},
          {"refresh_cycles", r.controller.refresh_time.to_seconds() * 1e9 / r.clock_period_ns},
          {"weight_sram_words_read", r.weight_sram.words_read},
          {"weight_sram_words_written", r.weight_sram.words_written},
          {"activation_buffer_read_bytes", r.activation_buffer.read_bytes},
          {"activation_buffer_write_bytes", r.activation_buffer.write_bytes}};
}

json host_json(const RunResult& r, const RunMetrics& m) {
  return {{"wall_seconds", r.wall_seconds},
          {"baseline_wall_seconds", r.baseline_wall_seconds},
          {"references_wall_seconds", r.references_wall_seconds},
          {"images_per_second", m.host_images_per_s},
          {"threads", r.host_threads},
          {"peak_rss_mib", peak_rss_mib()}};
}

}  // namespace

json report_json(const RunResult& r, const AccuracyCurve& curve, const Config& config) {
  const RunMetrics m = metrics_of(r);
  json config_values = json::object();
  for (const auto& [key, value] : config.values()) config_values[key] = value;
  return {{"lvsim_version", LVSIM_VERSION}, {"config_file", config.file()},
          {"config", config_values},        {"weights", weights_json(r)},
          {"workload", workload_json(r)},   {"accuracy", accuracy_json(r, curve, m)},
          {"faults", faults_json(r, m)},    {"energy", energy_json(r, m)},
          {"timing", timing_json(r, m)},    {"memory", memory_json(r)},
          {"host", host_json(r, m)}};
}

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

}  // namespace lvsim
