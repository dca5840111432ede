#include "models/sram_circuit.h"

#include <array>
#include <cmath>
#include <sstream>

#include "workloads/error.h"

namespace lvsim {
namespace {

// Horowitz, ISSCC 2014, 45 nm: (SRAM bytes, pJ per 64-bit read).
constexpr std::array<std::pair<double, double>, 3> kHorowitzSram = {
    {{8.0 * 1024, 10.0}, {32.0 * 1024, 20.0}, {1024.0 * 1024, 100.0}}};

}  // namespace

void validate(const SramCircuitParams& p) {
  auto require = [](bool ok, const char* key, const char* expected) {
    if (!ok) throw Error(std::string(key) + ": expected " + expected);
  };
  require(p.vnom_v > 0.0, "sram.vnom_v", "a positive voltage");
  require(p.access_time_ns > 0.0, "weight_sram.access_time_ns", "a positive time in ns");
  require(p.vt_v >= 0.0 && p.vt_v < p.vnom_v, "sram.vt_v", "a voltage in [0, vnom_v)");
  require(p.alpha >= 1.0 && p.alpha <= 2.0, "sram.alpha", "a number in [1, 2]");
  require(p.leakage_uw_per_kib >= 0.0, "sram.leakage_uw_per_kib", "a non-negative power");
  require(p.leakage_k_per_v >= 0.0, "sram.leakage_k_per_v", "a non-negative slope");
  require(p.tech_scale > 0.0, "energy.tech_scale", "a positive factor");
}

double sram_access_time_ns(const SramCircuitParams& p, double vdd_v) {
  if (!(vdd_v > p.vt_v)) {
    std::ostringstream message;
    message << "weight_sram.vdd_v: " << vdd_v << " V is not above the threshold voltage " << p.vt_v
            << " V of the access-time model (sram.vt_v): the SRAM cannot be read";
    throw Error(message.str());
  }
  return p.access_time_ns * (vdd_v / p.vnom_v) *
         std::pow((p.vnom_v - p.vt_v) / (vdd_v - p.vt_v), p.alpha);
}

double sram_read_energy_64bit_pj(double bytes) {
  // Segment of the table to interpolate in (the end segments extrapolate).
  size_t i = 0;
  while (i + 2 < kHorowitzSram.size() && bytes > kHorowitzSram[i + 1].first) ++i;
  const auto [s0, e0] = kHorowitzSram[i];
  const auto [s1, e1] = kHorowitzSram[i + 1];
  const double slope = std::log(e1 / e0) / std::log(s1 / s0);
  return e0 * std::pow(bytes / s0, slope);
}

double sram_access_energy_pj(const SramCircuitParams& p, double bank_bytes, int bits,
                             double vdd_v) {
  const double v = vdd_v / p.vnom_v;
  return sram_read_energy_64bit_pj(bank_bytes) * (bits / 64.0) * v * v * p.tech_scale;
}

double sram_leakage_mw(const SramCircuitParams& p, double capacity_bytes, double vdd_v) {
  return p.leakage_uw_per_kib * 1e-3 * (capacity_bytes / 1024.0) * (vdd_v / p.vnom_v) *
         std::exp(p.leakage_k_per_v * (vdd_v - p.vnom_v));
}

}  // namespace lvsim
