// An example lvsim memory-model plug-in (models/weight_sram/plugin/lvsim_plugin.h): 7 nm-class
// SRAM described by the Vmin distribution of Ganapathy et al.'s style of fit,
// with numbers made up for the example — replace them with your silicon's.
//
//   weak-cell fraction  Phi((mean - V) / sigma), cell Vmin ~ N(0.40 V, 0.05 V)
//   upset probability   1e-3 of the weak-cell fraction (a rare transient)
//   access time         0.5 ns x (0.75 V / V)^2
//   energy per word     8 pJ x (V / 0.75 V)^2
//   leakage             2 mW per MiB x exp(4 (V - 0.75 V))
//
// Built by CMake as build/libexample_memory_model.so; run it with
//   build/lvsim run --set fault.plugin=build/libexample_memory_model.so --set weight_sram.vdd_v=0.6
// Compiled with -DLVSIM_PLUGIN_TEST_FLAW=n it becomes one of the broken
// plug-ins the tests feed lvsim (wrong version, missing symbol, p > 1, a
// function that throws).
#include <cmath>
#if LVSIM_PLUGIN_TEST_FLAW == 4
#include <stdexcept>
#endif

#include "models/weight_sram/plugin/lvsim_plugin.h"

namespace {

double weak_cell_fraction(double v) {
  return 0.5 * std::erfc((v - 0.40) / (0.05 * std::sqrt(2.0)));
}
double upset_probability(double v) {
#if LVSIM_PLUGIN_TEST_FLAW == 3
  return v < 0.55 ? 1.5 : 0.0;  // not a probability below 0.55 V
#elif LVSIM_PLUGIN_TEST_FLAW == 4
  if (v < 0.55) throw std::out_of_range("no calibration below 0.55 V");
  return 0.0;
#else
  return 1e-3 * weak_cell_fraction(v);
#endif
}
double access_time_ns(double v) { return 0.5 * (0.75 / v) * (0.75 / v); }
double access_energy_pj(double v) { return 8.0 * (v / 0.75) * (v / 0.75); }
double leakage_mw_per_mib(double v) { return 2.0 * std::exp(4.0 * (v - 0.75)); }

#if LVSIM_PLUGIN_TEST_FLAW == 1
constexpr int kVersion = LVSIM_PLUGIN_API_VERSION + 1;  // built against another interface
#else
constexpr int kVersion = LVSIM_PLUGIN_API_VERSION;
#endif

const lvsim_memory_model kModel = {kVersion,
                                   "example-7nm",
                                   "made-up numbers for the example plug-in",
                                   0.3,
                                   1.0,
                                   upset_probability,
                                   weak_cell_fraction,
                                   access_time_ns,
                                   access_energy_pj,
                                   leakage_mw_per_mib};

}  // namespace

#if LVSIM_PLUGIN_TEST_FLAW == 2
LVSIM_PLUGIN_EXPORT const lvsim_memory_model* lvsim_memory_model_v0() { return &kModel; }
#else
LVSIM_PLUGIN_EXPORT const lvsim_memory_model* lvsim_memory_model() { return &kModel; }
#endif
