// Fault presets (models/weight_sram/fault_models/fault_presets.h): each
// reproduces the points its publication reports, and the configuration's
// default and the seed configs choose the presets they say they do.
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "models/weight_sram/fault_models/fault_model.h"
#include "models/weight_sram/fault_models/fault_presets.h"
#include "sim/config.h"
#include "sim/settings.h"

using namespace lvsim;
using Catch::Matchers::Contains;

namespace {

std::unique_ptr<FaultModel> preset_model(const std::string& name) {
  FaultModelParams params;
  apply_model_preset(params, fault_preset(name));
  return make_fault_model(params);
}

void check_within(double model, double published, double factor) {
  INFO("model " << model << ", published " << published);
  CHECK(model <= published * factor);
  CHECK(model >= published / factor);
}

}  // namespace

TEST_CASE("each fault preset reproduces its published points", "[fault_model][presets]") {
  // IBM 14 nm (Chandramoorthy et al. HPCA 2019, values in Stutz et al. MLSys 2021):
  // bit error rate versus V / Vmin, within a factor 1.5.
  const auto ibm = preset_model("ibm-14nm");
  const double vmin = fault_preset("ibm-14nm").array_vmin_v;
  const std::pair<double, double> ibm_points[] = {{0.958, 1.9e-6},  {0.917, 6.9e-5},
                                                  {0.875, 1.29e-3}, {0.833, 1.115e-2},
                                                  {0.792, 5.57e-2}, {0.750, 0.206}};
  for (const auto& [ratio, ber] : ibm_points)
    check_within(ibm->probability(ratio * vmin), ber, 1.5);
  CHECK(ibm->probability(1.0 * vmin) < 1e-7);  // no failing cell at Vmin (of 32 x 4 KB)
  CHECK(ibm->probability(0.9) < 1e-20);        // lvsim's nominal supply

  // 65 nm (Yan et al. TVLSI 2017): the fit goes through both points.
  const auto asu = preset_model("asu-65nm");
  check_within(asu->probability(0.55), 2.3e-3, 1.01);
  check_within(asu->probability(0.50), 1.56e-2, 1.01);

  // 45 nm SPICE (Gottscho et al. DAC 2014): the table exactly, and extended past its ends.
  const auto dpcs = preset_model("dpcs-45nm");
  const std::pair<double, double> dpcs_points[] = {{0.9, 5.2e-9},  {0.8, 2.2e-7}, {0.7, 6.4e-6},
                                                   {0.6, 1.35e-4}, {0.5, 1.9e-3}, {0.4, 1.8e-2}};
  for (const auto& [volts, p] : dpcs_points) CHECK(dpcs->probability(volts) == Approx(p));
  CHECK(dpcs->probability(1.0) < 5.2e-9);  // nominal, beyond the table along its end segment
  CHECK(dpcs->probability(1.0) > 0.0);
  CHECK(dpcs->probability(0.3) > 1.8e-2);

  // seed 004: the rate is the one given.
  FaultModelParams seed;
  apply_model_preset(seed, fault_preset("seed004"));
  seed.p = 3e-4;
  CHECK(make_fault_model(seed)->probability(0.5) == 3e-4);
  CHECK_THROWS_WITH(fault_preset("hbm"), Contains("fault preset 'hbm'") && Contains("ibm-14nm"));
}

TEST_CASE(
    "the default configuration is the measured-silicon weak-cell model, the seed configs "
    "keep seed 004's upsets",
    "[fault_model][presets][config]") {
  const RunSettings defaults = settings_from(Config::load("", {}));
  const WeightSramParams& sram = defaults.accelerator.weight_sram;
  CHECK(sram.fault_preset == "ibm-14nm");
  CHECK(sram.fault_model.name == "relative-vmin");
  CHECK(sram.mechanisms == FaultMechanisms{false, true});
  CHECK(sram.intermittent_share == 0.5);
  const RunSettings seed = settings_from(
      Config::load(std::string(LVSIM_SOURCE_DIR) + "/configs/seed004_fault_curves.ini", {}));
  const WeightSramParams& upsets = seed.accelerator.weight_sram;
  CHECK(upsets.mechanisms == FaultMechanisms{true, false});
  CHECK(upsets.fault_model.name == "constant");
  CHECK(upsets.fault_unit == FaultUnit::kPerWord);
  CHECK(upsets.protect_sign);
  // A key given beside the preset wins over it; an empty one keeps the preset's.
  const RunSettings mixed = settings_from(
      Config::load("", {"fault.preset=asu-65nm", "fault.mechanism=upset", "fault.vmin_mean_v="}));
  CHECK(mixed.accelerator.weight_sram.mechanisms == FaultMechanisms{true, false});
  CHECK(mixed.accelerator.weight_sram.fault_model.vmin_mean_v == Approx(0.3414107));
}
