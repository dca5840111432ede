// One experiment (sim/run.h): a workload the data cannot supply is refused
// before anything is simulated, naming where the images were looked for.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "sim/config.h"
#include "sim/run.h"
#include "sim/settings.h"
#include "tests/support/helpers.h"

using namespace lvsim;
using Catch::Matchers::Contains;

TEST_CASE("a dataset with fewer images than asked is an error naming its directory",
          "[config][dataset]") {
  test::ScratchDir dir;
  test::write_bytes(dir.file("t10k-images-idx3-ubyte"),
                    test::idx_bytes({3, 28, 28}, std::vector<uint8_t>(3 * 28 * 28)));
  test::write_bytes(dir.file("t10k-labels-idx1-ubyte"), test::idx_bytes({3}, {1, 2, 3}));
  const RunSettings settings = settings_from(
      Config::load("", {"workload.images=5", "workload.data_dir=" + dir.path().string()}));
  CHECK_THROWS_WITH(
      run_simulation(settings, nullptr),
      Contains("workload.images: 5 requested but " + dir.path().string() + " holds 3 test images"));
}
