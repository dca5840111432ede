// A chip's condition (models/weight_sram/chip_condition.h): the BTI aging
// shift by its formula, the temperature shift, and the draws a chip seed
// makes, reproducible and inside their spread.
#include <catch2/catch.hpp>
#include <cmath>

#include "models/weight_sram/chip_condition.h"

using namespace lvsim;

TEST_CASE("the aging shift follows A (duty t / 10 y)^n (V/Vnom)^gamma Arrhenius", "[chip]") {
  ChipConditionParams p;
  CHECK(aging_shift_v(p, 0.9, 0.9) == 0.0);  // age 0: the chip as tested
  p.age_years = 10.0;
  p.temperature_c = 85.0;  // the reference temperature: no Arrhenius factor
  CHECK(aging_shift_v(p, 0.9, 0.9) == Approx(0.030).epsilon(1e-12));
  // t^(1/6): one year gives 10^(-1/6) = 0.681 of the 10-year shift.
  p.age_years = 1.0;
  CHECK(aging_shift_v(p, 0.9, 0.9) == Approx(0.030 * std::pow(0.1, 1.0 / 6.0)));
  // V^3: cells held at 0.6 V of 0.9 V age (2/3)^3 = 0.296 as fast.
  p.age_years = 10.0;
  CHECK(aging_shift_v(p, 0.6, 0.9) == Approx(0.030 * 8.0 / 27.0));
  // Half the duty is half the stress time.
  p.duty = 0.5;
  CHECK(aging_shift_v(p, 0.9, 0.9) == Approx(0.030 * std::pow(0.5, 1.0 / 6.0)));
  // Arrhenius, Ea = 0.1 eV: at 25 C exp(-0.1 / k (1/298.15 - 1/358.15)) = 0.5205.
  p.duty = 1.0;
  p.temperature_c = 25.0;
  CHECK(aging_shift_v(p, 0.9, 0.9) == Approx(0.030 * 0.5205).epsilon(1e-3));
}

TEST_CASE("the temperature shift is the coefficient times the kelvins above 25 C", "[chip]") {
  ChipConditionParams p;
  p.temperature_c = 100.0;
  CHECK(temperature_shift_v(p) == 0.0);  // no effect by default
  p.vmin_per_k_v = 0.00053;              // 65 nm: 40 mV from 25 to 100 C
  CHECK(temperature_shift_v(p) == Approx(0.03975));
  p.temperature_c = 25.0;
  CHECK(temperature_shift_v(p) == 0.0);
}

TEST_CASE("a chip's draws come from its seed alone and stay within their spread", "[chip]") {
  ChipConditionParams p;
  // Without spread and sigma every chip is as configured.
  const ChipDraws plain = draw_chip(p, 7, 0.5, 0.4);
  CHECK(plain.vmin_offset_v == 0.0);
  CHECK(plain.intermittent_share == 0.5);
  CHECK(plain.stuck_zero_share == 0.4);
  p.vmin_sigma_v = 0.015;
  p.share_spread = 0.2;
  double sum = 0.0, squares = 0.0;
  bool differ = false;
  const int chips = 4000;
  for (int chip = 0; chip < chips; ++chip) {
    const ChipDraws d = draw_chip(p, 100 + static_cast<uint64_t>(chip), 0.5, 0.4);
    const ChipDraws again = draw_chip(p, 100 + static_cast<uint64_t>(chip), 0.5, 0.4);
    CHECK(d.vmin_offset_v == again.vmin_offset_v);
    CHECK(d.intermittent_share == again.intermittent_share);
    CHECK(d.intermittent_share >= 0.3 - 1e-12);
    CHECK(d.intermittent_share <= 0.7 + 1e-12);
    CHECK(d.stuck_zero_share >= 0.2 - 1e-12);
    CHECK(d.stuck_zero_share <= 0.6 + 1e-12);
    differ = differ || d.intermittent_share != 0.5;
    sum += d.vmin_offset_v;
    squares += d.vmin_offset_v * d.vmin_offset_v;
  }
  CHECK(differ);
  // The offsets are Normal(0, sigma): mean within 4 standard errors, sigma within 5 %.
  const double mean = sum / chips, sd = std::sqrt(squares / chips - mean * mean);
  CHECK(std::fabs(mean) < 4.0 * 0.015 / std::sqrt(chips));
  CHECK(sd == Approx(0.015).epsilon(0.05));
}
