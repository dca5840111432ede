// How an on-chip SRAM's speed, energy and leakage follow its supply voltage.
// Used by the weight SRAM (at a reduced voltage) and the activation buffer (at
// nominal voltage).
//
// Access time, alpha-power law (Sakurai & Newton, IEEE JSSC 25(2), 1990):
//     t(V) = t_nom * (V / V_nom) * ((V_nom - V_t) / (V - V_t))^alpha
// with V_t = 0.3 V and alpha = 1.3: assumed, typical short-channel values
// (the law's form is Sakurai and Newton's; no published 40-45 nm fit giving
// both was found: the 45 nm PTM high-performance card's long-channel vth0 is
// 0.40 V, which DIBL lowers at short channel lengths). Set your process's.
//
// Dynamic energy per access, C V^2:
//     E(V) = E_64(bank bytes) * (bits / 64) * (V / V_nom)^2 * tech_scale
// where E_64 is Horowitz's 45 nm 64-bit SRAM read (ISSCC 2014, "Computing's
// energy problem"): 10 pJ at 8 KB, 20 pJ at 32 KB, 100 pJ at 1 MB, interpolated
// linearly in log(size)-log(energy) and extrapolated with the end slopes (a
// CACTI-like fit: energy grows about as size^0.47). The table's supply is
// 0.9 V, so V_nom = 0.9 V. Energy is taken linear in the bits read (bitline
// energy dominates); a write costs what a read does.
//
// Leakage power, subthreshold current with DIBL (Roy et al., Proc. IEEE 91(2),
// 2003: I ~ exp(eta V / (n kT/q))):
//     P(V) = P_nom * (V / V_nom) * exp(k (V - V_nom)),  k = eta / (n kT/q)
// eta = 0.1, n = 1.3 at 300 K give k = 3.0 per volt: leakage falls ~3x from
// 0.9 V to 0.6 V. P_nom = 1 uW per KiB at 0.9 V is an assumption of the order of
// low-operating-power 45 nm cells (~100 pA per cell, 8192 cells per KiB, plus
// periphery); put your own macro's number in the config. Temperature: the
// figures hold at 25 C, and leakage grows by leakage_per_10k per 10 K above
// (1.4: CACTI 7's low-standby-power 32 and 45 nm tables give 1.43-1.45 per
// 10 K from 300 to 400 K):
//     P(V, T) = P(V) * leakage_per_10k^((T - 25 C) / 10 K).
#pragma once

#include <cstdint>

#include "models/common/params.h"

namespace lvsim {

struct SramCircuitParams {
  // The supply of the energy table (Horowitz, ISSCC 2014, 45 nm), the nominal
  // supply unless a fault preset measured its chip at another (sram.vnom_v).
  static constexpr double kTableNominalV = 0.9;
  double vnom_v = kTableNominalV;  // supply at which the numbers below hold
  double access_time_ns{};         // at vnom_v
  double vt_v{};                   // threshold voltage of the alpha-power law
  double alpha{};                  // velocity-saturation index
  double leakage_uw_per_kib{};     // at vnom_v
  double leakage_k_per_v{};        // exponential slope of leakage current with V
  double leakage_per_10k{};        // leakage growth per 10 K above 25 C
  double tech_scale = 1.0;         // dynamic energies relative to 45 nm (energy.tech_scale)
  double temperature_c = 25.0;     // the chip's (chip.temperature_c), set by the platform

  SramCircuitParams() { table().apply_defaults(*this); }
  static const ParamTable<SramCircuitParams>& table();
  // The declared ranges, and a threshold voltage below the nominal supply;
  // throws FieldError naming the member.
  void validate() const;
};

// Access time at supply `vdd_v` in ns; throws if vdd_v <= vt_v (no read possible).
double sram_access_time_ns(const SramCircuitParams& params, double vdd_v);

// Horowitz's 45 nm energy of one 64-bit read from an SRAM of `bytes` in pJ.
double sram_read_energy_64bit_pj(double bytes);

// Dynamic energy of one access of `bits` bits to a bank of `bank_bytes`, in pJ.
double sram_access_energy_pj(const SramCircuitParams& params, double bank_bytes, int bits,
                             double vdd_v);

// Leakage power of `capacity_bytes` of SRAM at `vdd_v`, in mW.
double sram_leakage_mw(const SramCircuitParams& params, double capacity_bytes, double vdd_v);

}  // namespace lvsim
