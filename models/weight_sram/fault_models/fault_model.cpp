#include "models/weight_sram/fault_models/fault_model.h"

#include <sstream>

#include "models/weight_sram/fault_models/fault_presets.h"
#include "workloads/common/error.h"

namespace lvsim {
namespace {

const std::map<std::string, FaultModelFactory>& builtin_fault_models() {
  static const std::map<std::string, FaultModelFactory> models = {
      {"constant", make_constant_fault_model},
      {"gaussian-vmin", make_gaussian_vmin_fault_model},
      {"log-linear", make_log_linear_fault_model},
      {"relative-vmin", make_relative_vmin_fault_model},
      {"table", make_table_fault_model},
  };
  return models;
}

}  // namespace

const ParamTable<FaultModelParams>& FaultModelParams::table() {
  static const ParamTable<FaultModelParams> table = [] {
    using P = FaultModelParams;
    ParamTable<P> t;
    t.name("fault.model", &P::name, "gaussian-vmin", fault_model_names)
        .or_preset("fault.preset")
        .help(
            "fault probability versus voltage (models/weight_sram/fault_models/): the fraction of "
            "weak "
            "cells, or the upset probability of a read");
    t.number("fault.p", &P::p, 0.0, 0.0, 1.0)
        .help("constant model: the fault probability per unit read");
    t.number("fault.vmin_mean_v", &P::vmin_mean_v, 0.333, 0.0, 5.0)
        .unit("V")
        .or_preset("fault.preset")
        .help("gaussian-vmin: mean cell Vmin, p(V) = Phi((mean - V) / sigma)");
    t.number("fault.vmin_sigma_v", &P::vmin_sigma_v, 0.0718, 1e-6, 5.0)
        .unit("V")
        .or_preset("fault.preset")
        .help("gaussian-vmin: standard deviation of cell Vmin");
    t.number("fault.vmin_mean_rel", &P::vmin_mean_rel, 0.706, 0.01, 10.0)
        .or_preset("fault.preset")
        .help(
            "relative-vmin: mean cell Vmin as a fraction of the array's Vmin, p(V) = "
            "Phi((mean_rel - V / array_vmin) / sigma_rel)");
    t.number("fault.vmin_sigma_rel", &P::vmin_sigma_rel, 0.055, 1e-6, 10.0)
        .or_preset("fault.preset")
        .help("relative-vmin: standard deviation of cell Vmin as a fraction of the array's Vmin");
    t.number("fault.array_vmin_v", &P::array_vmin_v, 0.7, 0.05, 5.0)
        .unit("V")
        .or_preset("fault.preset")
        .help(
            "relative-vmin: the array's Vmin, the lowest supply at which no cell fails (data "
            "measured relative to Vmin is scaled by it; set your chip's)");
    t.number("fault.log10_a", &P::log10_a, 8.0, -1e6, 1e6)
        .help(
            "log-linear: log10 p = a + b V, the intercept a (with b: 1e-2 at 0.5 V, 1e-4 at "
            "0.6 V, as gaussian-vmin)");
    t.number("fault.log10_b_per_v", &P::log10_b_per_v, -20.0, -1e6, 1e6)
        .unit("per V")
        .help("log-linear: the slope b");
    t.path("fault.table", &P::table_path, "")
        .help(
            "table: CSV with columns vdd_v,p and optionally access_time_ns, access_energy_pj, "
            "leakage_mw_per_mib, intermittent_share (header names them), log-interpolated "
            "(your silicon data)");
    t.path("fault.plugin", &P::plugin_path, "")
        .help(
            "a shared library written against models/weight_sram/plugin/lvsim_plugin.h that "
            "supplies p(V) of each "
            "mechanism and optionally access time, energy and leakage versus V; replaces "
            "fault.model (empty: none)");
    return t;
  }();
  return table;
}

FaultModelParams::FaultModelParams() {
  table().apply_defaults(*this);
  apply_model_preset(*this, fault_preset(kDefaultFaultPreset));
}

void apply_model_preset(FaultModelParams& params, const FaultPreset& preset) {
  params.name = preset.model;
  params.vmin_mean_v = preset.vmin_mean_v;
  params.vmin_sigma_v = preset.vmin_sigma_v;
  params.vmin_mean_rel = preset.vmin_mean_rel;
  params.vmin_sigma_rel = preset.vmin_sigma_rel;
  params.array_vmin_v = preset.array_vmin_v;
  params.table_points = preset.table;
}

void FaultModel::check_covers(double vdd_v) const {
  if (!covers(vdd_v)) {
    std::ostringstream message;
    message << "the " << describe() << " fault model is defined from " << range_text()
            << ", not at " << vdd_v << " V";
    throw Error(message.str());
  }
}

double FaultModel::probability(double vdd_v) const {
  check_covers(vdd_v);
  return probability_in_range(vdd_v);
}

double FaultModel::weak_cell_fraction(double vdd_v) const {
  check_covers(vdd_v);
  return weak_fraction_in_range(vdd_v);
}

bool FaultModel::covers(double vdd_v) const {
  const auto [low, high] = valid_range();
  return vdd_v >= low && vdd_v <= high;
}

std::string FaultModel::range_text() const {
  const auto [low, high] = valid_range();
  std::ostringstream text;
  text << low << " to " << high << " V";
  return text.str();
}

std::unique_ptr<FaultModel> make_fault_model(const FaultModelParams& params) {
  // A plug-in replaces fault.model, so a table beside it would never be read.
  if (!params.plugin_path.empty() && !params.table_path.empty())
    invalid(&FaultModelParams::table_path, "a fault table beside the plug-in " + params.plugin_path,
            "empty when fault.plugin is set (the plug-in replaces fault.model, so the table would "
            "never be read: give fault.table with fault.model = table, or fault.plugin, not "
            "both)");
  if (!params.plugin_path.empty()) return make_plugin_fault_model(params);
  const auto& models = builtin_fault_models();
  const auto it = models.find(params.name);
  if (it == models.end()) {
    std::string known = "one of";
    for (const auto& [name, factory] : models) known += " " + name;
    invalid(&FaultModelParams::name, "fault model '" + params.name + "'", known);
  }
  return it->second(params);
}

std::vector<std::string> fault_model_names() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : builtin_fault_models()) names.push_back(name);
  return names;
}

}  // namespace lvsim
