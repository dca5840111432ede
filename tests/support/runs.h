// A short run of the whole simulator on MNIST, for the tests that check a
// module's statistics, time or energy as a real run produces them.
#pragma once

#include <string>
#include <vector>

#include "sim/run.h"

namespace lvsim::test {

// 64 test images of the default network in stages of 16, with the `extra`
// --set assignments (section.key=value).
RunResult small_run(const std::vector<std::string>& extra);

}  // namespace lvsim::test
