// The fault-free Vmin (models/weight_sram/fault_free_vmin.h): the supply at
// which a chip holds no weak cell among B bits with the target probability,
// checked against the closed form of a Gaussian cell Vmin.
#include <catch2/catch.hpp>
#include <cmath>

#include "models/weight_sram/fault_free_vmin.h"

using namespace lvsim;

namespace {

// A gaussian-vmin SRAM: cell Vmin ~ Normal(0.5 V, 0.04 V).
WeightSramParams gaussian_sram() {
  WeightSramParams p;
  p.fault_model.name = "gaussian-vmin";
  p.fault_model.vmin_mean_v = 0.5;
  p.fault_model.vmin_sigma_v = 0.04;
  return p;
}

double normal_upper_quantile(double tail) {  // z with P(Z > z) = tail, by bisection
  double low = 0.0, high = 40.0;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (low + high);
    (0.5 * std::erfc(mid / std::sqrt(2.0)) > tail ? low : high) = mid;
  }
  return 0.5 * (low + high);
}

}  // namespace

TEST_CASE("the fault-free Vmin solves exp(-B p(V)) = yield", "[fault_free_vmin]") {
  const WeightSramParams p = gaussian_sram();
  const double bits = 1e8, yield = 0.95;
  // p(V) = -ln(yield) / B, so V = mean + sigma * z with P(Z > z) = p.
  const double expected = 0.5 + 0.04 * normal_upper_quantile(-std::log(yield) / bits);
  const double vmin = fault_free_vmin_v(p, bits, yield);
  CHECK(vmin == Approx(expected).margin(2e-4));
  CHECK(fault_free_chip_share(p, bits, vmin) >= yield);
  CHECK(fault_free_chip_share(p, bits, vmin - 1e-3) < yield);
  // More bits or a higher yield need a higher supply.
  CHECK(fault_free_vmin_v(p, 10 * bits, yield) > vmin);
  CHECK(fault_free_vmin_v(p, bits, 0.99) > vmin);
}

TEST_CASE("aging, temperature and the chips' spread raise the fault-free Vmin",
          "[fault_free_vmin]") {
  WeightSramParams p = gaussian_sram();
  const double bits = 1e8, yield = 0.95;
  const double fresh = fault_free_vmin_v(p, bits, yield);
  // A temperature shift moves it by exactly the shift.
  p.chip.vmin_per_k_v = 0.001;
  p.chip.temperature_c = 45.0;
  CHECK(fault_free_vmin_v(p, bits, yield) == Approx(fresh + 0.020).margin(2e-4));
  p.chip.temperature_c = 25.0;
  // Aged cells need more: the shift at the supply itself (V^3 stress).
  p.chip.age_years = 10.0;
  const double aged = fault_free_vmin_v(p, bits, yield);
  CHECK(aged > fresh + 0.005);
  p.chip.age_years = 0.0;
  // A spread of chips below the target yield puts the high tail of offsets in play.
  p.chip.vmin_sigma_v = 0.015;
  CHECK(fault_free_vmin_v(p, bits, yield) > fresh + 0.010);
}

TEST_CASE("a fault rate that does not fall with the supply has no fault-free Vmin",
          "[fault_free_vmin]") {
  WeightSramParams p;
  p.fault_model.name = "constant";
  p.fault_model.p = 1e-6;
  CHECK(std::isnan(fault_free_vmin_v(p, 1e8, 0.95)));
  p.fault_model.p = 0.0;
  CHECK(fault_free_vmin_v(p, 1e8, 0.95) < 0.31);  // fault-free everywhere: the lowest supply
}
