// The figures derived from a run's raw results (sim/metrics.h), on a result
// whose counts are set by hand: per-inference time, throughput, utilisation,
// energy, power, the accuracy interval over trials, host speed and the
// refresh interval in both units.
#include <catch2/catch.hpp>

#include "sim/metrics.h"

using namespace lvsim;

namespace {

// 4 images in 800 ns of 2 ns cycles; 1000 MACs in 10 compute cycles on the
// default 16x16 array; 4000 pJ in all; trials right on 3 and 1 images.
RunResult counted() {
  RunResult r;
  r.images = 4;
  r.clock_period_ns = 2.0;
  r.inference_ns = 800.0;
  r.mac_array.macs = 1000;
  r.mac_array.compute_cycles = 10;
  r.energy.images = 4;
  r.energy.add("mac", "MACs", 1000.0, 4.0);
  r.trials.resize(2);
  r.trials[0].correct = 3;
  r.trials[1].correct = 1;
  r.wall_seconds = 3.0;
  r.baseline_wall_seconds = 1.0;
  r.params.controller.refresh_interval_images = 0;  // never refreshed
  r.params.controller.refresh_interval_us = 0.0;
  return r;
}

}  // namespace

TEST_CASE("a run's metrics, by hand", "[metrics]") {
  const RunResult r = counted();
  REQUIRE(r.params.mac_array.rows == 16);
  REQUIRE(r.params.mac_array.cols == 16);
  const RunMetrics m = metrics_of(r);
  CHECK(m.cycles_per_inference == Approx(100.0));  // 800 ns / 2 ns / 4 images
  CHECK(m.latency_us == Approx(0.2));
  CHECK(m.latency_s == Approx(2e-7));
  CHECK(m.throughput_per_s == Approx(5e6));                 // 4 images in 800 ns
  CHECK(m.mac_utilization == Approx(1000.0 / (10 * 256)));  // MACs over cycles x PEs
  CHECK(m.energy_per_inference_uj == Approx(1e-3));         // 1000 pJ
  CHECK(m.edp_uj_ms == Approx(1e-3 * 2e-4));                // uJ x ms
  CHECK(m.average_power_mw == Approx(5.0));                 // 1 nJ in 200 ns
  // Accuracies 0.75 and 0.25: sd sqrt(0.125), 12.706 x sd / sqrt(2).
  CHECK(m.accuracy_ci95 == Approx(12.706 * 0.25));
  CHECK(m.simulation_seconds == Approx(2.0));  // the baseline's second left out
  CHECK(m.host_images_per_s == Approx(4.0));   // 2 trials x 4 images in 2 s
  CHECK(m.refresh_every_images == 0.0);        // never refreshed
  CHECK(m.refresh_every_us == 0.0);
}

TEST_CASE("the refresh interval in images and in simulated time", "[metrics]") {
  // Refreshes that happened: the mean of their intervals.
  RunResult done = counted();
  done.params.controller.refresh_interval_images = 50;
  done.controller.refreshes = 2;
  done.controller.refreshed_images = 80;
  done.controller.refreshed_time = sc_core::sc_time(400, sc_core::SC_US);
  CHECK(metrics_of(done).refresh_every_images == Approx(40.0));
  CHECK(metrics_of(done).refresh_every_us == Approx(200.0));
  // None happened: the configured interval, converted at 0.2 us per image.
  RunResult by_images = counted();
  by_images.params.controller.refresh_interval_images = 50;
  CHECK(metrics_of(by_images).refresh_every_images == Approx(50.0));
  CHECK(metrics_of(by_images).refresh_every_us == Approx(10.0));
  RunResult by_time = counted();
  by_time.params.controller.refresh_interval_us = 10.0;
  CHECK(metrics_of(by_time).refresh_every_us == Approx(10.0));
  CHECK(metrics_of(by_time).refresh_every_images == Approx(50.0));
}
