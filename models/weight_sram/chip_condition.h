// A chip's condition: its age, its temperature and where it sits in its
// population. Each moves every cell's Vmin by the same amount, so the weak
// cells at supply V are those the fault model gives at V - shift: an older,
// hotter or slower chip keeps its weak cells and gains new ones (nested: the
// cells keep their ranks, weak_cell_map.h).
//
// Aging, bias-temperature instability (BTI). The SRAM Vmin shift follows the
// transistors' threshold shift, a shift of the mean with negligible extra
// spread ("SRAM cell static noise margin and Vmin sensitivity to transistor
// degradation", IEDM 2006); it grows as t^(1/6) and as the cube of the
// stress voltage (Haggag et al., IRPS 2007); cells holding the same value
// (static weights) age as under DC stress, so the recoverable part does not
// relax:
//     dV_age = A * (duty * t / 10 y)^n * (V_stress / V_nom)^gamma
//              * exp(-(Ea / k) * (1 / T - 1 / T_ref)),   T_ref = 85 C.
// A = 30 mV at 10 years is an assumption (a few tens of mV are commonly
// quoted; no 14 nm measurement was found), n = 1/6 and gamma = 3 are Haggag's,
// Ea = 0.1 eV an assumption near n times the 0.49 eV of the reaction-diffusion
// model (Bhardwaj et al., CICC 2006). The stress voltage is the cells' own
// supply: a weight SRAM kept at 0.6 V ages 0.30 times as fast as at 0.9 V.
//
// Temperature: dV_T = vmin_per_k * (T - 25 C), default 0 (no effect): a 65 nm
// SRAM's Vmin moved 40 mV between 25 and 100 C (Kagiyama et al., ISQED 2012),
// but the direction depends on the node and the failing mechanism (circuits
// at very low voltage get faster when hot: Park et al., IEDM 1995); set your
// chip's. Leakage follows temperature in the circuit model (sram.leakage_per_10k).
//
// The population: each chip (its chip seed) draws a die-to-die Vmin offset
// ~ Normal(0, vmin_sigma) (default 0: no published value was found) and,
// with share_spread > 0, its intermittent and stuck-at-zero shares uniformly
// within +-share_spread of the configured ones (IBM's three 14 nm chips:
// persistent shares 7-45 %, 0->1 shares 44-85 %; Stutz et al., MLSys 2021,
// supplementary). A chip seed alone reproduces the chip.
#pragma once

#include <cstdint>

#include "models/common/params.h"

namespace lvsim {

struct ChipConditionParams {
  double age_years{};       // in use since the manufacturing test
  double temperature_c{};   // junction temperature
  double duty{};            // share of its life the chip is powered, holding its weights
  double aging_10y_v{};     // A: the BTI Vmin shift after 10 years at V_nom, 85 C, full duty
  double aging_exponent{};  // n
  double aging_voltage_exponent{};  // gamma
  double aging_activation_ev{};     // Ea
  double vmin_per_k_v{};            // cell Vmin change per kelvin above 25 C
  double vmin_sigma_v{};            // die-to-die sigma of a chip's Vmin offset
  double share_spread{};            // per-chip spread of the intermittent and stuck-at-zero shares

  ChipConditionParams() { table().apply_defaults(*this); }
  static const ParamTable<ChipConditionParams>& table();
};

// What a chip draws from its seed.
struct ChipDraws {
  double vmin_offset_v = 0.0;
  double intermittent_share = 0.0;
  double stuck_zero_share = 0.5;
};

// The chip's draws, around the configured shares.
ChipDraws draw_chip(const ChipConditionParams& params, uint64_t chip_seed,
                    double intermittent_share, double stuck_zero_share);

// dV_age above, of cells held at `stress_vdd_v` by a process whose nominal
// supply is `vnom_v`; 0 at age 0.
double aging_shift_v(const ChipConditionParams& params, double stress_vdd_v, double vnom_v);

// dV_T above.
double temperature_shift_v(const ChipConditionParams& params);

}  // namespace lvsim
