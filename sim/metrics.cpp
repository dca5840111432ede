#include "sim/metrics.h"

#include <cmath>

#include "sim/curve.h"

namespace lvsim {

namespace {

void refresh_interval(const RunResult& r, RunMetrics& m) {
  const ControllerStats& c = r.controller;
  const ControllerParams& p = r.params.controller;
  const double refresh_ns = c.refresh_time.to_seconds() * 1e9;
  const double image_us = r.images ? (r.inference_ns - refresh_ns) * 1e-3 / r.images : 0.0;
  if (c.refreshes > 0) {
    m.refresh_every_images = static_cast<double>(c.refreshed_images) / c.refreshes;
    m.refresh_every_us = c.refreshed_time.to_seconds() * 1e6 / c.refreshes;
  } else if (p.refresh_interval_images > 0) {
    m.refresh_every_images = static_cast<double>(p.refresh_interval_images);
    m.refresh_every_us = m.refresh_every_images * image_us;
  } else if (p.refresh_interval_us > 0) {
    m.refresh_every_us = p.refresh_interval_us;
    m.refresh_every_images = image_us > 0 ? p.refresh_interval_us / image_us : 0.0;
  }
}

void savings(const RunResult& r, RunMetrics& m) {
  const RunResult::EnergyReferences& refs = r.references;
  m.nominal_uj = refs.nominal_pj * 1e-6;
  if (std::isnan(refs.fault_free_vmin_v)) {
    m.fault_free_vmin_uj = m.saving_guardband_uj = m.saving_fault_tolerance_uj = std::nan("");
    return;
  }
  m.fault_free_vmin_uj = refs.fault_free_pj * 1e-6;
  m.saving_guardband_uj = m.nominal_uj - m.fault_free_vmin_uj;
  m.saving_fault_tolerance_uj = m.fault_free_vmin_uj - m.energy_per_inference_uj;
}

}  // namespace

RunMetrics metrics_of(const RunResult& r) {
  RunMetrics m;
  const double period = r.clock_period_ns;
  m.cycles_per_inference = r.images ? r.inference_ns / period / r.images : 0.0;
  m.latency_s = m.cycles_per_inference * period * 1e-9;
  m.latency_us = m.cycles_per_inference * period * 1e-3;
  m.throughput_per_s = r.inference_ns > 0 ? r.images / (r.inference_ns * 1e-9) : 0.0;
  const MacArrayStats& array = r.mac_array;
  m.mac_utilization = array.compute_cycles ? static_cast<double>(array.macs) /
                                                 (static_cast<double>(array.compute_cycles) *
                                                  r.params.mac_array.rows * r.params.mac_array.cols)
                                           : 0.0;
  const double energy_pj = r.energy.per_inference_pj();
  m.energy_per_inference_uj = energy_pj * 1e-6;
  m.edp_uj_ms = energy_pj * 1e-6 * m.latency_s * 1e3;
  m.average_power_mw = m.latency_s > 0 ? energy_pj * 1e-12 / m.latency_s * 1e3 : 0.0;
  std::vector<double> accuracies;
  for (const TrialResult& trial : r.trials)
    accuracies.push_back(static_cast<double>(trial.correct) / r.images);
  m.accuracy_ci95 = estimate(accuracies).ci95;
  m.simulation_seconds = r.wall_seconds - r.baseline_wall_seconds - r.references_wall_seconds;
  m.host_images_per_s = m.simulation_seconds > 0
                            ? static_cast<double>(r.images) * r.trials.size() / m.simulation_seconds
                            : 0.0;
  refresh_interval(r, m);
  savings(r, m);
  return m;
}

}  // namespace lvsim
