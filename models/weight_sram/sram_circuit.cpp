#include "models/weight_sram/sram_circuit.h"

#include <array>
#include <cmath>
#include <sstream>

#include "workloads/common/error.h"

namespace lvsim {
namespace {

// Horowitz, ISSCC 2014, 45 nm: (SRAM bytes, pJ per 64-bit read).
constexpr std::array<std::pair<double, double>, 3> kHorowitzSram = {
    {{8.0 * 1024, 10.0}, {32.0 * 1024, 20.0}, {1024.0 * 1024, 100.0}}};

}  // namespace

const ParamTable<SramCircuitParams>& SramCircuitParams::table() {
  static const ParamTable<SramCircuitParams> table = [] {
    using P = SramCircuitParams;
    ParamTable<P> t;
    t.number("weight_sram.access_time_ns", &P::access_time_ns, 1.8, 1e-3, 1e6)
        .unit("ns")
        .help(
            "access time at sram.vnom_v (fits one 2 ns cycle at 500 MHz); below vnom it grows "
            "by the alpha-power law, costing wait cycles")
        .source("a 1 MiB 45 nm bank, CACTI 6.5 order");
    t.number("sram.vnom_v", &P::vnom_v, P::kTableNominalV, 0.05, 5.0)
        .or_preset("fault.preset")
        .unit("V")
        .help(
            "nominal supply: where the access time, access energy and leakage below hold, the "
            "supply they scale from, and the cells' aging stress reference; the fault preset's "
            "measured nominal (asu-65nm, dpcs-45nm: 1.0 V), else 0.9 V, that of the energy table")
        .source(
            "Horowitz, ISSCC 2014, 45 nm at 0.9 V; Yan et al. TVLSI 2017 and Gottscho et al. "
            "DAC 2014 for the 1.0 V chips");
    t.number("sram.vt_v", &P::vt_v, 0.3, 0.0, 5.0)
        .unit("V")
        .help("threshold voltage of the alpha-power access-time law t ~ V/(V-Vt)^alpha")
        .source(
            "assumed, a typical short-channel value (the law: Sakurai & Newton, IEEE JSSC 1990)");
    t.number("sram.alpha", &P::alpha, 1.3, 1.0, 2.0)
        .help("velocity-saturation index of the alpha-power law")
        .source(
            "assumed, a typical short-channel value (the law: Sakurai & Newton, IEEE JSSC 1990)");
    t.number("sram.leakage_uw_per_kib", &P::leakage_uw_per_kib, 1.0, 0.0, 1e6)
        .unit("uW/KiB")
        .help("SRAM leakage at vnom")
        .source("assumed: low-operating-power 45 nm cells, ~100 pA per cell");
    t.number("sram.leakage_k_per_v", &P::leakage_k_per_v, 3.0, 0.0, 100.0)
        .unit("per V")
        .help(
            "leakage current ~ exp(k (V - Vnom)): subthreshold with DIBL, k = eta/(n kT/q) = "
            "0.1/(1.3 x 25.9 mV)")
        .source("Roy et al., Proc. IEEE 2003");
    t.number("sram.leakage_per_10k", &P::leakage_per_10k, 1.4, 1.0, 4.0)
        .help("leakage growth per 10 K above 25 C (chip.temperature_c)")
        .source("CACTI 7 tech tables, 32/45 nm LSTP devices: x1.43-1.45 per 10 K, 300-400 K");
    return t;
  }();
  return table;
}

void SramCircuitParams::validate() const {
  table().check(*this);
  if (!(vt_v < vnom_v))
    invalid(&SramCircuitParams::vt_v, "SRAM threshold voltage " + number_text(vt_v) + " V",
            "a threshold below the nominal supply " + number_text(vnom_v) + " V");
  if (!(tech_scale > 0.0))
    invalid(&SramCircuitParams::tech_scale, "SRAM technology scale", "a positive factor");
}

double sram_access_time_ns(const SramCircuitParams& p, double vdd_v) {
  if (!(vdd_v > p.vt_v)) {
    std::ostringstream message;
    message << "SRAM supply " << vdd_v << " V: not above the threshold voltage " << p.vt_v
            << " V of the access-time model, the SRAM cannot be read";
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
         std::exp(p.leakage_k_per_v * (vdd_v - p.vnom_v)) *
         std::pow(p.leakage_per_10k, (p.temperature_c - 25.0) / 10.0);
}

}  // namespace lvsim
