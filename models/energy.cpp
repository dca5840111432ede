#include "models/energy.h"

#include "workloads/error.h"

namespace lvsim {

OperationEnergy horowitz_45nm(const std::string& format) {
  if (format == "int8") return {0.2, 0.03};
  if (format == "int16") return {0.8, 0.05};
  if (format == "int32") return {3.1, 0.1};
  if (format == "binary") return {0.0, 0.9};
  if (format == "fp16") return {1.1, 0.4};
  if (format == "fp32") return {3.7, 0.9};
  throw Error("energy: unknown number format '" + format +
              "' (expected int8, int16, int32, fp16, fp32 or binary)");
}

const std::vector<std::string>& EnergyReport::components() {
  static const std::vector<std::string> names = {"mac",
                                                 "weight_sram_dynamic",
                                                 "weight_sram_leakage",
                                                 "activation_buffer",
                                                 "dram_initial_load",
                                                 "dram_refresh",
                                                 "detector_ecc"};
  return names;
}

double EnergyReport::component_pj(const std::string& component) const {
  double sum = 0.0;
  for (const EnergyTerm& term : terms)
    if (term.component == component) sum += term.pj();
  return sum;
}

double EnergyReport::total_pj() const {
  double sum = 0.0;
  for (const EnergyTerm& term : terms) sum += term.pj();
  return sum;
}

double EnergyReport::per_inference_pj(const std::string& component) const {
  return images ? component_pj(component) / static_cast<double>(images) : 0.0;
}

double EnergyReport::per_inference_pj() const {
  return images ? total_pj() / static_cast<double>(images) : 0.0;
}

}  // namespace lvsim
