// Each bit cell has a minimum operating voltage Vmin ~ Normal(mean, sigma)
// from random dopant fluctuation (a standard model of SRAM Vmin, e.g. Wang and
// Calhoun's statistical SRAM analyses); a cell fails when V < Vmin, so
//     p(V) = P(Vmin > V) = Phi((mean - V) / sigma) = erfc((V - mean) / (sigma sqrt 2)) / 2.
#include <cmath>
#include <sstream>

#include "models/weight_sram/fault_models/fault_model.h"
#include "workloads/common/error.h"

namespace lvsim {
namespace {

class GaussianVminFaultModel : public FaultModel {
 public:
  GaussianVminFaultModel(double mean_v, double sigma_v) : mean_v_(mean_v), sigma_v_(sigma_v) {}
  std::string describe() const override {
    std::ostringstream out;
    out << "gaussian-vmin (mean " << mean_v_ << " V, sigma " << sigma_v_ << " V)";
    return out.str();
  }

 protected:
  double probability_in_range(double vdd_v) const override {
    return 0.5 * std::erfc((vdd_v - mean_v_) / (sigma_v_ * std::sqrt(2.0)));
  }

 private:
  double mean_v_;
  double sigma_v_;
};

}  // namespace

std::unique_ptr<FaultModel> make_gaussian_vmin_fault_model(const FaultModelParams& params) {
  if (!(params.vmin_sigma_v > 0.0))
    invalid(&FaultModelParams::vmin_sigma_v, "gaussian-vmin sigma", "a positive voltage");
  if (!(params.vmin_mean_v > 0.0))
    invalid(&FaultModelParams::vmin_mean_v, "gaussian-vmin mean", "a positive voltage");
  return std::make_unique<GaussianVminFaultModel>(params.vmin_mean_v, params.vmin_sigma_v);
}

}  // namespace lvsim
