#include "sim/bench.h"

#include <algorithm>
#include <cstdio>

#include "sim/config.h"
#include "sim/report.h"
#include "sim/run.h"

namespace lvsim {

// Targets of the foundation issue on the 2-core reference machine.
constexpr double kTargetImagesPerSecond = 3000.0;
constexpr double kTargetPeakRssMib = 300.0;

void run_bench(const BenchOptions& options) {
  const Config config = Config::load(options.config_file, options.overrides);
  const RunSettings settings = settings_from(config);
  double best = 0.0;
  RunResult result;
  for (int repeat = 1; repeat <= options.repeats; ++repeat) {
    result = run_simulation(settings, nullptr);
    const double rate = static_cast<double>(result.images) * result.trials.size() /
                        (result.wall_seconds - result.baseline_wall_seconds);
    best = std::max(best, rate);
    std::printf("run %d: %zu images in %.3f s = %.0f images/s (accuracy %.2f %%, %d threads)\n",
                repeat, static_cast<size_t>(result.images), result.wall_seconds, rate,
                100.0 * result.accuracy(), result.host_threads);
    std::fflush(stdout);
  }
  std::printf("best      %.0f images/s   (target >= %.0f on 2 cores)\n", best,
              kTargetImagesPerSecond);
  std::printf("peak RSS  %.0f MiB         (target < %.0f MiB)\n", peak_rss_mib(),
              kTargetPeakRssMib);
}

}  // namespace lvsim
