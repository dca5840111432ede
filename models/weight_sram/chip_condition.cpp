#include "models/weight_sram/chip_condition.h"

#include <algorithm>
#include <cmath>

#include "models/common/counter_rng.h"

namespace lvsim {
namespace {

constexpr double kBoltzmannEvPerK = 8.617333262e-5;
constexpr double kKelvin = 273.15;
constexpr double kAgingReferenceC = 85.0;  // where the 10-year shift A holds
constexpr double kReferenceC = 25.0;       // where the presets' p(V) hold
// The chip's own draws come from a stream of its seed apart from its cells'.
constexpr uint64_t kChipStream = uint64_t{0x43484950} << 24;  // "CHIP"

}  // namespace

const ParamTable<ChipConditionParams>& ChipConditionParams::table() {
  static const ParamTable<ChipConditionParams> table = [] {
    using P = ChipConditionParams;
    ParamTable<P> t;
    t.number("chip.age_years", &P::age_years, 0.0, 0.0, 50.0)
        .unit("years")
        .help(
            "years the chip has been in use since its manufacturing test (0: at the test); "
            "aging raises every cell's Vmin by the BTI shift below");
    t.number("chip.temperature_c", &P::temperature_c, 25.0, -40.0, 125.0)
        .unit("C")
        .help(
            "junction temperature, inside the industrial range the models are stated for; "
            "25: the condition the presets' p(V) and the leakage figures are taken to hold "
            "at (an assumption: the IBM paper does not state it)");
    t.number("chip.duty", &P::duty, 1.0, 0.0, 1.0)
        .help(
            "share of its life the chip is powered holding its weights (static weights: DC "
            "stress, no recovery)")
        .source("Haggag et al. IRPS 2007: recovery is small for realistic duty");
    t.number("chip.aging_10y_v", &P::aging_10y_v, 0.030, 0.0, 0.5)
        .unit("V")
        .help(
            "BTI Vmin shift after 10 years at the nominal supply, 85 C and full duty (an "
            "assumption: a few tens of mV are commonly quoted; sweep 0.01-0.05)")
        .source("assumed; SRAM Vmin shift ~ the transistors' Vt shift, IEDM 2006");
    t.number("chip.aging_exponent", &P::aging_exponent, 1.0 / 6.0, 0.0, 1.0)
        .help("power of time of the aging shift (reaction-diffusion NBTI)")
        .source("t^(1/6): Haggag et al. IRPS 2007");
    t.number("chip.aging_voltage_exponent", &P::aging_voltage_exponent, 3.0, 0.0, 10.0)
        .help("power of the stress voltage (the cells' supply over the nominal one)")
        .source("V^3: Haggag et al. IRPS 2007");
    t.number("chip.aging_activation_ev", &P::aging_activation_ev, 0.1, 0.0, 2.0)
        .unit("eV")
        .help("Arrhenius activation energy of the aging shift, referred to 85 C")
        .source("assumed; about 1/6 of the 0.49 eV of Bhardwaj et al. CICC 2006");
    t.number("chip.vmin_per_k_v", &P::vmin_per_k_v, 0.0, -0.01, 0.01)
        .unit("V/K")
        .help(
            "change of every cell's Vmin per kelvin above 25 C; 0: no effect, as the direction "
            "depends on node and failure mode (+0.00053 at 65 nm); set your chip's")
        .source("Kagiyama et al. ISQED 2012 (65 nm: 40 mV from 25 to 100 C)");
    t.number("chip.vmin_sigma_v", &P::vmin_sigma_v, 0.0, 0.0, 0.2)
        .unit("V")
        .help(
            "die-to-die sigma of a chip's Vmin offset, drawn from its chip seed; 0: none (no "
            "published value was found; 0.015 is 0.4 of the IBM cells' own sigma)");
    t.number("chip.share_spread", &P::share_spread, 0.0, 0.0, 0.5)
        .help(
            "each chip draws its intermittent and stuck-at-zero shares uniformly within "
            "+- this of the configured ones (0: every chip as configured)")
        .source("IBM's chips: persistent 7-45 %, 0->1 44-85 % (Stutz et al. MLSys 2021, supp.)");
    return t;
  }();
  return table;
}

ChipDraws draw_chip(const ChipConditionParams& params, uint64_t chip_seed,
                    double intermittent_share, double stuck_zero_share) {
  CounterRng rng(chip_seed, 0, kChipStream, 0);
  // Every draw is taken whatever the parameters, so one never moves another.
  const double u1 = rng.uniform(), u2 = rng.uniform(), u3 = rng.uniform(), u4 = rng.uniform();
  const double normal = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);  // Box-Muller
  const auto around = [&](double share, double u) {
    if (params.share_spread <= 0.0) return share;
    return std::clamp(share + params.share_spread * (2.0 * u - 1.0), 0.0, 1.0);
  };
  ChipDraws draws;
  draws.vmin_offset_v = params.vmin_sigma_v > 0.0 ? params.vmin_sigma_v * normal : 0.0;
  draws.intermittent_share = around(intermittent_share, u3);
  draws.stuck_zero_share = around(stuck_zero_share, u4);
  return draws;
}

double aging_shift_v(const ChipConditionParams& params, double stress_vdd_v, double vnom_v) {
  if (params.age_years <= 0.0 || params.duty <= 0.0 || params.aging_10y_v <= 0.0) return 0.0;
  const double time = std::pow(params.duty * params.age_years / 10.0, params.aging_exponent);
  const double voltage = std::pow(stress_vdd_v / vnom_v, params.aging_voltage_exponent);
  const double kelvin = params.temperature_c + kKelvin;
  const double reference = kAgingReferenceC + kKelvin;
  const double arrhenius =
      std::exp(-params.aging_activation_ev / kBoltzmannEvPerK * (1.0 / kelvin - 1.0 / reference));
  return params.aging_10y_v * time * voltage * arrhenius;
}

double temperature_shift_v(const ChipConditionParams& params) {
  return params.vmin_per_k_v * (params.temperature_c - kReferenceC);
}

}  // namespace lvsim
