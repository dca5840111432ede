#include "models/fault_model.h"

#include <sstream>

#include "workloads/error.h"

namespace lvsim {
namespace {

const std::map<std::string, FaultModelFactory>& builtin_fault_models() {
  static const std::map<std::string, FaultModelFactory> models = {
      {"constant", make_constant_fault_model},
      {"gaussian-vmin", make_gaussian_vmin_fault_model},
      {"log-linear", make_log_linear_fault_model},
      {"table", make_table_fault_model},
  };
  return models;
}

}  // namespace

double FaultModel::probability(double vdd_v) const {
  const auto [low, high] = valid_range();
  if (!(vdd_v >= low && vdd_v <= high)) {
    std::ostringstream message;
    message << "weight_sram.vdd_v = " << vdd_v << ": outside the range of the " << describe()
            << " fault model (expected " << low << " to " << high << " V)";
    throw Error(message.str());
  }
  return probability_in_range(vdd_v);
}

std::unique_ptr<FaultModel> make_fault_model(const FaultModelParams& params) {
  const auto& models = builtin_fault_models();
  const auto it = models.find(params.name);
  if (it == models.end()) {
    std::string known;
    for (const auto& [name, factory] : models) known += (known.empty() ? "" : ", ") + name;
    throw Error("fault.model: unknown model '" + params.name + "' (expected one of " + known + ")");
  }
  return it->second(params);
}

std::vector<std::string> fault_model_names() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : builtin_fault_models()) names.push_back(name);
  return names;
}

}  // namespace lvsim
