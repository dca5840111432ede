// Fault presets: published measurements of SRAM failures versus supply
// voltage, each with the fault model calibrated to it (`fault.preset`). A
// preset sets p(V) (the fraction of weak cells, or the upset probability of a
// read), the mechanism, and what the measurement says of the weak cells
// (intermittent share, stuck-at-zero share); any of these keys given in a
// config overrides the preset's value.
//
//   ibm-14nm      IBM 14 nm SRAM in a DNN accelerator (Chandramoorthy et al.,
//                 HPCA 2019; the curve with exact values in Stutz et al., MLSys
//                 2021, averaged over 32 arrays of 4 KB). Bit error rate versus
//                 V/Vmin: 0.958 -> 1.9e-6, 0.917 -> 6.9e-5, 0.875 -> 1.29e-3,
//                 0.833 -> 1.115e-2, 0.792 -> 5.57e-2, 0.750 -> 0.206. A cell
//                 Vmin ~ Normal(0.706 Vmin, 0.055 Vmin) fits all six within
//                 x1.25 (relative-vmin model). Weak cells, about half of them
//                 intermittent, stuck at 0 or 1 about half each. The paper
//                 gives voltages relative to the array's Vmin only; lvsim takes
//                 Vmin = 0.7 V (fault.array_vmin_v, an assumption: set your
//                 chip's), so p(0.64 V) ~ 1e-4 per cell.
//   asu-65nm      65 nm SRAM, nominal 1.0 V (Yan et al., IEEE TVLSI 2017):
//                 2.3e-3 at 0.55 V, 1.56e-2 at 0.50 V; the gaussian-vmin model
//                 through both points (mean 0.3414 V, sigma 0.07361 V).
//   dpcs-45nm     45 nm SPICE model of fault-tolerant caches, nominal 1.0 V
//                 (Gottscho et al., DAC 2014): 5.2e-9 at 0.9 V, 2.2e-7 at 0.8,
//                 6.4e-6 at 0.7, 1.35e-4 at 0.6, 1.9e-3 at 0.5, 1.8e-2 at
//                 0.4 V; the table itself, log-interpolated, extended beyond
//                 its ends along its end segments.
//   minerva-40nm  lvsim's earlier default: gaussian-vmin mean 0.333 V, sigma
//                 0.0718 V, p(0.6 V) ~ 1e-4 and p(0.5 V) ~ 1e-2, the order of
//                 Minerva's 40 nm bitcell fault rates (Reagen et al., ISCA 2016).
//   seed004       seed 004's reading: per-word upsets of probability fault.p on
//                 every read, bits 0-30 only (the sign bit protected), written
//                 back until a refresh. For reproducing its curves.
// The asu-65nm and dpcs-45nm measurements do not say how their failing cells
// behave; they take the IBM measurement's intermittent and stuck-at shares.
// Their chips' nominal supply, 1.0 V, is the preset's sram.vnom_v: the
// access time, energy and leakage scale from it, and a run's saving is
// measured against it (the others: 0.9 V, the energy table's).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace lvsim {

struct FaultPreset {
  std::string name;
  std::string source;    // the measurement it is calibrated to
  double nominal_v = 0;  // the measured chip's nominal supply, 0 where not given
  // The fault model (models/weight_sram/fault_models/) and its parameters.
  // (The parameters of the other models keep valid values it does not use.)
  std::string model;
  double vmin_mean_v = 0.333, vmin_sigma_v = 0.0718;                         // gaussian-vmin
  double vmin_mean_rel = 0.706, vmin_sigma_rel = 0.055, array_vmin_v = 0.7;  // relative-vmin
  std::vector<std::pair<double, double>> table;                              // table: (V, p) points
  // How the faults act (models/weight_sram/mechanisms/fault_injector.h).
  std::string mechanism;  // "upset" or "weak-cells"
  std::string unit;       // "per-bit" or "per-word"
  bool protect_sign = false;
  double intermittent_share = 0, stuck_zero_share = 0.5;
};

constexpr const char* kDefaultFaultPreset = "ibm-14nm";

const std::vector<FaultPreset>& fault_presets();
std::vector<std::string> fault_preset_names();
// Throws ParameterError naming the presets when there is none of that name.
const FaultPreset& fault_preset(const std::string& name);

}  // namespace lvsim
