// Fault probability versus supply voltage: the swappable physics of the
// low-voltage weight SRAM. A model maps the SRAM supply voltage to p, the
// probability that one read of one stored bit (or word, see FaultUnit) is
// faulty. It also gives the fraction of weak cells (cells whose Vmin is above
// V), which fail on every read and which a refresh cannot cure.
//
// Adding a model: one file in models/fault_models/ that defines a FaultModel
// subclass and a factory, plus one line in builtin_fault_models() in
// fault_model.cpp. The README shows an example.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace lvsim {

// Every model's parameters, as plain values (config keys fault.*).
struct FaultModelParams {
  std::string name = "gaussian-vmin";
  double p = 0.0;  // constant: the probability itself
  // gaussian-vmin: cell Vmin ~ Normal(mean, sigma). Defaults put p(0.9 V) ~ 1e-15,
  // p(0.6 V) ~ 1e-4 and p(0.5 V) ~ 1e-2, the order of the 40 nm bitcell fault rates of
  // Minerva (Reagen et al., ISCA 2016, Sec. 7); use `table` for measured silicon.
  double vmin_mean_v = 0.333;
  double vmin_sigma_v = 0.0718;
  // log-linear: log10 p = a + b * V; defaults fit the same two points (1e-2 at
  // 0.5 V, 1e-4 at 0.6 V).
  double log10_a = 8.0;
  double log10_b_per_v = -20.0;
  std::string table_path;  // table: CSV of "vdd_v,p" rows
};

class FaultModel {
 public:
  virtual ~FaultModel() = default;
  // p(V) in [0, 1]; throws lvsim::Error if V is outside valid_range().
  double probability(double vdd_v) const;
  // Voltages the model is defined for (inclusive). SRAM in the CMOS nodes these
  // fits describe (65 nm and below) runs under 1.5 V; above it they mean nothing.
  virtual std::pair<double, double> valid_range() const { return {1e-3, 1.5}; }
  virtual std::string describe() const = 0;

 protected:
  virtual double probability_in_range(double vdd_v) const = 0;
};

using FaultModelFactory = std::function<std::unique_ptr<FaultModel>(const FaultModelParams&)>;

// Builds the named model; throws naming the known models if there is none.
std::unique_ptr<FaultModel> make_fault_model(const FaultModelParams& params);
std::vector<std::string> fault_model_names();

// Factories of the built-in models, one per file in models/fault_models/.
std::unique_ptr<FaultModel> make_constant_fault_model(const FaultModelParams& params);
std::unique_ptr<FaultModel> make_gaussian_vmin_fault_model(const FaultModelParams& params);
std::unique_ptr<FaultModel> make_log_linear_fault_model(const FaultModelParams& params);
std::unique_ptr<FaultModel> make_table_fault_model(const FaultModelParams& params);

}  // namespace lvsim
