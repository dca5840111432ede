/* lvsim memory-model plug-in interface, version 1.
 *
 * A plug-in is a shared library that lvsim loads at run time
 * (fault.plugin = path/to/model.so) and that describes the weight SRAM at a
 * supply voltage: the fault probability of each mechanism and, optionally, the
 * array's access time, energy per access and leakage. It is written against
 * this header alone (C or C++, no lvsim library to link):
 *
 *   #include "lvsim_plugin.h"
 *   static double weak(double v) { return v < 0.6 ? 1e-3 : 0.0; }
 *   static const struct lvsim_memory_model model = {
 *       LVSIM_PLUGIN_API_VERSION, "my-sram", "my measurements, 2026",
 *       0.5, 1.2,     // voltages it is defined for
 *       weak, weak,   // upset p(V), weak-cell fraction(V)
 *       0, 0, 0};     // circuit: lvsim's own models
 *   LVSIM_PLUGIN_EXPORT const struct lvsim_memory_model* lvsim_memory_model(void) {
 *     return &model;
 *   }
 *
 * Build: c++ -shared -fPIC -I<lvsim>/models my_model.cpp -o my_model.so.
 * models/weight_sram/plugin/example_memory_model.cpp is a complete one, built by CMake.
 *
 * lvsim refuses, with one line naming the file: a library it cannot load, one
 * without the symbol lvsim_memory_model, an api_version other than
 * LVSIM_PLUGIN_API_VERSION, a missing required function, and any p outside
 * [0, 1] or circuit value that is not a positive finite number at the voltages
 * the run uses. The functions must be pure (same V, same answer) and
 * thread-safe; they are called a few times per run, never per read.
 */
#ifndef LVSIM_PLUGIN_H
#define LVSIM_PLUGIN_H

#define LVSIM_PLUGIN_API_VERSION 1

#ifdef __cplusplus
#define LVSIM_PLUGIN_EXPORT extern "C" __attribute__((visibility("default")))
#else
#define LVSIM_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

struct lvsim_memory_model {
  int api_version;    /* LVSIM_PLUGIN_API_VERSION */
  const char* name;   /* shown in the report, e.g. "acme-7nm" */
  const char* source; /* where its numbers come from */
  double min_vdd_v;   /* the voltages it is defined for, inclusive */
  double max_vdd_v;

  /* Required. fault.mechanism = upset: probability that one read of one
   * stored bit (or word, fault.unit = per-word) fails. */
  double (*upset_probability)(double vdd_v);
  /* Required. fault.mechanism = weak-cells: the fraction of cells whose
   * Vmin lies above vdd_v (nested: it must not fall as vdd_v falls). */
  double (*weak_cell_fraction)(double vdd_v);

  /* Optional (null: lvsim's circuit model, models/weight_sram/sram_circuit.h). */
  double (*access_time_ns)(double vdd_v);     /* one read of the array */
  double (*access_energy_pj)(double vdd_v);   /* one 32-bit word read or written */
  double (*leakage_mw_per_mib)(double vdd_v); /* static power per MiB stored */
};

/* The one symbol lvsim looks up. */
typedef const struct lvsim_memory_model* (*lvsim_memory_model_fn)(void);

#endif /* LVSIM_PLUGIN_H */
