// Fault probability versus supply voltage: the swappable physics of the
// low-voltage weight SRAM. A model maps the SRAM supply voltage to p, the
// probability that one read of one stored bit (or word, see FaultUnit) is
// faulty. It also gives the fraction of weak cells (cells whose Vmin is above
// V), which fail on every read and which a refresh cannot cure.
//
// Adding a model: one file in models/weight_sram/fault_models/ that defines a FaultModel
// subclass and a factory, plus one line in builtin_fault_models() in
// fault_model.cpp. The README shows an example.
#pragma once

#include <functional>
#include <istream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/common/params.h"

namespace lvsim {

// Every model's parameters, as plain values (config keys fault.*, declared
// with their defaults and sources in fault_model.cpp). The keys marked "the
// preset's" take their values from fault.preset (models/weight_sram/fault_models/fault_presets.h)
// unless a config gives them.
struct FaultModelParams {
  std::string name;
  double p{};  // constant: the probability itself
  // gaussian-vmin: cell Vmin ~ Normal(mean, sigma).
  double vmin_mean_v{};
  double vmin_sigma_v{};
  // relative-vmin: cell Vmin / array Vmin ~ Normal(mean_rel, sigma_rel).
  double vmin_mean_rel{};
  double vmin_sigma_rel{};
  double array_vmin_v{};
  // log-linear: log10 p = a + b * V.
  double log10_a{};
  double log10_b_per_v{};
  std::string table_path;  // table: CSV of "vdd_v,p" rows (and optional circuit columns)
  std::string
      plugin_path;  // a shared library written against models/weight_sram/plugin/lvsim_plugin.h
  // table without a file: a preset's published (V, p) points, extended
  // beyond its ends along its end segments.
  std::vector<std::pair<double, double>> table_points;

  // The declared defaults, and the default preset's model.
  FaultModelParams();
  static const ParamTable<FaultModelParams>& table();
};

struct FaultPreset;
// Sets the model and its parameters as `preset` calibrates them.
void apply_model_preset(FaultModelParams& params, const FaultPreset& preset);

// What a model may know of the SRAM besides its faults (a plug-in's functions,
// a table's optional columns); unset: lvsim's circuit model (models/weight_sram/sram_circuit.h).
struct SramCircuitAt {
  std::optional<double> access_time_ns;      // one read of the array
  std::optional<double> access_energy_pj;    // one 32-bit word read or written
  std::optional<double> leakage_mw_per_mib;  // static power per MiB stored
  std::optional<double> intermittent_share;  // of the weak cells
};

class FaultModel {
 public:
  virtual ~FaultModel() = default;
  // p(V) in [0, 1]: the upset probability of a read, and by default also the
  // fraction of weak cells; throws lvsim::Error if V is outside valid_range().
  double probability(double vdd_v) const;
  // The fraction of cells whose Vmin lies above V (weak cells), in [0, 1].
  double weak_cell_fraction(double vdd_v) const;
  virtual SramCircuitAt circuit(double /*vdd_v*/) const { return {}; }
  // Voltages the model is defined for (inclusive). SRAM in the CMOS nodes these
  // fits describe (65 nm and below) runs under 1.5 V; above it they mean nothing.
  virtual std::pair<double, double> valid_range() const { return {1e-3, 1.5}; }
  bool covers(double vdd_v) const;
  std::string range_text() const;  // "0.001 to 1.5 V"
  virtual std::string describe() const = 0;

 protected:
  virtual double probability_in_range(double vdd_v) const = 0;
  virtual double weak_fraction_in_range(double vdd_v) const { return probability_in_range(vdd_v); }

 private:
  void check_covers(double vdd_v) const;
};

using FaultModelFactory = std::function<std::unique_ptr<FaultModel>(const FaultModelParams&)>;

// Builds the named model; a bad parameter is a FieldError on FaultModelParams.
std::unique_ptr<FaultModel> make_fault_model(const FaultModelParams& params);
std::vector<std::string> fault_model_names();

// Factories of the built-in models, one per file in models/weight_sram/fault_models/.
std::unique_ptr<FaultModel> make_constant_fault_model(const FaultModelParams& params);
std::unique_ptr<FaultModel> make_gaussian_vmin_fault_model(const FaultModelParams& params);
std::unique_ptr<FaultModel> make_log_linear_fault_model(const FaultModelParams& params);
std::unique_ptr<FaultModel> make_relative_vmin_fault_model(const FaultModelParams& params);
// fault.plugin: the model a shared library supplies
// (models/weight_sram/plugin/plugin_fault_model.cpp).
std::unique_ptr<FaultModel> make_plugin_fault_model(const FaultModelParams& params);
std::unique_ptr<FaultModel> make_table_fault_model(const FaultModelParams& params);
// A fault table's CSV text (models/weight_sram/fault_models/table.cpp); `path` names it in errors.
std::unique_ptr<FaultModel> parse_fault_table(std::istream& in, const std::string& path);

}  // namespace lvsim
