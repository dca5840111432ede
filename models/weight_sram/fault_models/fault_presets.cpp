#include "models/weight_sram/fault_models/fault_presets.h"

#include "models/common/params.h"

namespace lvsim {

const std::vector<FaultPreset>& fault_presets() {
  static const std::vector<FaultPreset> presets = [] {
    std::vector<FaultPreset> list;
    FaultPreset ibm;
    ibm.name = "ibm-14nm";
    ibm.source = "Chandramoorthy et al., HPCA 2019; values in Stutz et al., MLSys 2021";
    ibm.model = "relative-vmin";
    ibm.vmin_mean_rel = 0.706;
    ibm.vmin_sigma_rel = 0.055;
    ibm.array_vmin_v = 0.7;  // assumed: the paper reports V / Vmin only
    ibm.mechanism = "weak-cells";
    ibm.unit = "per-bit";
    ibm.intermittent_share = 0.5;  // "roughly half of the faulty cells fail intermittently"
    ibm.stuck_zero_share = 0.5;    // "about half each on average"
    list.push_back(ibm);

    FaultPreset asu = ibm;
    asu.name = "asu-65nm";
    asu.source = "Yan et al., IEEE TVLSI 2017 (65 nm, nominal 1.0 V)";
    asu.nominal_v = 1.0;
    asu.model = "gaussian-vmin";
    // Through 2.3e-3 at 0.55 V and 1.56e-2 at 0.50 V: sigma = 0.05 V / (z2 - z1)
    // with z = Phi^-1(p), mean = 0.55 V + z1 sigma.
    asu.vmin_mean_v = 0.3414107;
    asu.vmin_sigma_v = 0.07360796;
    list.push_back(asu);

    FaultPreset dpcs = ibm;
    dpcs.name = "dpcs-45nm";
    dpcs.source = "Gottscho et al., DAC 2014 (45 nm SPICE model, nominal 1.0 V)";
    dpcs.nominal_v = 1.0;
    dpcs.model = "table";
    dpcs.table = {{0.4, 1.8e-2}, {0.5, 1.9e-3}, {0.6, 1.35e-4},
                  {0.7, 6.4e-6}, {0.8, 2.2e-7}, {0.9, 5.2e-9}};
    list.push_back(dpcs);

    FaultPreset minerva = ibm;
    minerva.name = "minerva-40nm";
    minerva.source = "the order of Minerva's 40 nm bitcell fault rates, Reagen et al., ISCA 2016";
    minerva.model = "gaussian-vmin";
    minerva.vmin_mean_v = 0.333;
    minerva.vmin_sigma_v = 0.0718;
    list.push_back(minerva);

    FaultPreset seed;
    seed.name = "seed004";
    seed.source = "seed 004: faults on every read of bits 0-30, rate given (fault.p)";
    seed.model = "constant";
    seed.mechanism = "upset";
    seed.unit = "per-word";
    seed.protect_sign = true;
    list.push_back(seed);
    return list;
  }();
  return presets;
}

std::vector<std::string> fault_preset_names() {
  std::vector<std::string> names;
  for (const FaultPreset& preset : fault_presets()) names.push_back(preset.name);
  return names;
}

const FaultPreset& fault_preset(const std::string& name) {
  for (const FaultPreset& preset : fault_presets())
    if (preset.name == name) return preset;
  std::string known = "one of";
  for (const std::string& n : fault_preset_names()) known += " " + n;
  throw ParameterError("fault preset '" + name + "'", known);
}

}  // namespace lvsim
