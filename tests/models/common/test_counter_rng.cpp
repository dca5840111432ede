// Counter-based draws (models/common/counter_rng.h): a stream is a
// function of its key and counter alone, its uniforms lie in (0, 1], and
// geometric skipping gives gaps of the right mean. Fixed seeds; the mean is
// checked within 3.29 standard errors (a 99.9 % interval).
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <set>
#include <vector>

#include "models/common/counter_rng.h"

using namespace lvsim;

namespace {

std::vector<double> uniforms(CounterRng rng, int count) {
  std::vector<double> draws;
  for (int i = 0; i < count; ++i) draws.push_back(rng.uniform());
  return draws;
}

}  // namespace

TEST_CASE("a fault stream depends on its seed, trial, stream and access alone", "[counter_rng]") {
  const std::vector<double> first = uniforms(CounterRng(7, 0, 3, 100), 8);
  CHECK(uniforms(CounterRng(7, 0, 3, 100), 8) == first);  // whatever was drawn before
  CHECK(uniforms(CounterRng(8, 0, 3, 100), 8) != first);
  CHECK(uniforms(CounterRng(7, 1, 3, 100), 8) != first);
  CHECK(uniforms(CounterRng(7, 0, 4, 100), 8) != first);
  CHECK(uniforms(CounterRng(7, 0, 3, 101), 8) != first);
  CHECK(uniforms(CounterRng(7, 0, 3, 100 + (uint64_t{1} << 32)), 8) != first);  // 64-bit accesses
}

TEST_CASE("uniforms above 0 and at most 1, integers below n, geometric gaps of mean (1 - p) / p",
          "[counter_rng]") {
  CounterRng rng(11, 0, 0, 0);
  const int n = 20000;
  double sum = 0.0;
  bool in_range = true;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform();
    in_range = in_range && u > 0.0 && u <= 1.0;
    sum += u;
  }
  CHECK(in_range);
  CHECK(std::fabs(sum / n - 0.5) <= 3.29 * std::sqrt(1.0 / 12 / n));
  std::vector<int> seen(7, 0);
  for (int i = 0; i < 7000; ++i) {
    const uint32_t k = rng.below(7);
    REQUIRE(k < 7);
    seen[k] += 1;
  }
  for (int count : seen) CHECK(count > 800);  // about 1000 each
  // Gaps before the next fault at p = 0.01: mean 99, standard deviation sqrt(0.99) / 0.01.
  const double p = 0.01, log1m_p = std::log1p(-p);
  double gaps = 0.0;
  for (int i = 0; i < n; ++i) gaps += static_cast<double>(rng.geometric_gap(log1m_p, 1u << 30));
  CHECK(std::fabs(gaps / n - (1 - p) / p) <= 3.29 * std::sqrt(1 - p) / p / std::sqrt(n));
  // A gap past the limit saturates at it.
  CHECK(rng.geometric_gap(std::log1p(-1e-12), 5) == 5);
}

TEST_CASE("a gap table draws the same gaps as the logarithm, bit for bit", "[counter_rng][speed]") {
  // Every probability where gaps stay below 64, and one where they do not.
  for (double p : {0.45, 0.5, 0.5 + 1e-9, 0.7, 0.9, 0.999999}) {
    const double log1m_p = std::log1p(-p);
    const CounterRng::GapTable table(log1m_p);
    REQUIRE(table.usable());
    if (p <= 0.7) CHECK(table.short_search());  // q = 0.5, the presets' intermittency
    // The edges: the smallest and largest uniforms and both sides of every
    // step of the gap, then many random draws.
    std::vector<uint64_t> ms = {1, 2, 3, uint64_t{1} << 53, (uint64_t{1} << 53) - 1};
    for (uint64_t m = 1; m < (uint64_t{1} << 53); m = m * 3 / 2 + 1) ms.push_back(m);
    std::set<uint64_t> gaps_seen;
    for (uint64_t m = 2; m <= (uint64_t{1} << 53); m *= 2)
      for (uint64_t d : {m - 1, m, m + 1}) ms.push_back(d);
    CounterRng rng(7, 1, 2, 3);
    for (int i = 0; i < 200000; ++i) ms.push_back(rng.uniform53());
    for (uint64_t m : ms) {
      const uint64_t direct = CounterRng::gap_of(m, log1m_p, UINT64_MAX);
      REQUIRE(table.gap(m) == direct);
      gaps_seen.insert(direct);
    }
    CHECK(gaps_seen.size() >= 3);  // the draws crossed steps of the gap
    // Drawn through a stream, with a limit: the same sequence either way.
    CounterRng a(11, 0, 5, 9), b(11, 0, 5, 9);
    for (int i = 0; i < 10000; ++i)
      REQUIRE(a.geometric_gap(table, 3) == b.geometric_gap(log1m_p, 3));
  }
  // Small probabilities give gaps past 63: no table, the logarithm instead.
  const CounterRng::GapTable rare(std::log1p(-0.01));
  CHECK_FALSE(rare.usable());
  CounterRng a(3, 0, 1, 1), b(3, 0, 1, 1);
  for (int i = 0; i < 1000; ++i)
    REQUIRE(a.geometric_gap(rare, 1u << 30) == b.geometric_gap(std::log1p(-0.01), 1u << 30));
}
