// The figures a run's reports show that are derived from its raw results
// (cycles, MACs, energy terms, host time), computed once, here, so the text
// summary, report.json and the results database agree to the last digit.
#pragma once

#include "sim/run.h"

namespace lvsim {

struct RunMetrics {
  double cycles_per_inference =
      0.0;                 // the image stream's cycles over its images, refreshes included
  double latency_s = 0.0;  // per inference
  double latency_us = 0.0;
  double throughput_per_s = 0.0;  // simulated inferences per second
  double mac_utilization = 0.0;   // MACs over (compute cycles x processing elements)
  double energy_per_inference_uj = 0.0;
  double edp_uj_ms = 0.0;  // energy x latency per inference
  double average_power_mw = 0.0;
  double accuracy_ci95 = 0.0;       // over trials
  double simulation_seconds = 0.0;  // host wall time without the fault-free baseline and references
  double host_images_per_s = 0.0;   // images of every trial over simulation_seconds
  // The refresh interval in both units (0: never): the mean of the intervals
  // the refreshes had, else the configured one, the other unit converted at the
  // images' simulated time per image (refreshes left out).
  double refresh_every_images = 0.0;
  double refresh_every_us = 0.0;
  // The saving from the nominal supply in two parts: guardband removed (nominal
  // to the fault-free Vmin, both fault-free and unmitigated) and bought by
  // fault tolerance (the fault-free Vmin to this run); uJ per inference.
  double nominal_uj = 0.0;
  double fault_free_vmin_uj = 0.0;  // NaN without a fault-free Vmin
  double saving_guardband_uj = 0.0;
  double saving_fault_tolerance_uj = 0.0;
};

RunMetrics metrics_of(const RunResult& result);

}  // namespace lvsim
