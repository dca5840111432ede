#include "tests/support/runs.h"

#include "sim/config.h"
#include "sim/settings.h"
#include "tests/support/helpers.h"

namespace lvsim::test {

RunResult small_run(const std::vector<std::string>& extra) {
  std::vector<std::string> sets = {"workload.images=64", "controller.images_per_stage=16",
                                   "workload.data_dir=" + test::mnist_data_dir()};
  sets.insert(sets.end(), extra.begin(), extra.end());
  return run_simulation(settings_from(Config::load("", sets)), nullptr);
}

}  // namespace lvsim::test
