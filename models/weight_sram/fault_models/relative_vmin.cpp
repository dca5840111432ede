// Cell Vmin measured relative to the array's Vmin (the lowest supply at which
// no cell fails): Vmin_cell / Vmin_array ~ Normal(mean_rel, sigma_rel), so
//     p(V) = P(Vmin_cell > V) = Phi((mean_rel - V / Vmin_array) / sigma_rel).
// The form of the IBM 14 nm measurement (Chandramoorthy et al., HPCA 2019),
// which reports bit error rates against V / Vmin; see
// models/weight_sram/fault_models/fault_presets.h.
#include <cmath>
#include <sstream>

#include "models/weight_sram/fault_models/fault_model.h"

namespace lvsim {
namespace {

class RelativeVminFaultModel : public FaultModel {
 public:
  RelativeVminFaultModel(double mean_rel, double sigma_rel, double array_vmin_v)
      : mean_rel_(mean_rel), sigma_rel_(sigma_rel), array_vmin_v_(array_vmin_v) {}
  std::string describe() const override {
    std::ostringstream out;
    out << "relative-vmin (mean " << mean_rel_ << ", sigma " << sigma_rel_ << " of Vmin "
        << array_vmin_v_ << " V)";
    return out.str();
  }

 protected:
  double probability_in_range(double vdd_v) const override {
    return 0.5 * std::erfc((vdd_v / array_vmin_v_ - mean_rel_) / (sigma_rel_ * std::sqrt(2.0)));
  }

 private:
  double mean_rel_, sigma_rel_, array_vmin_v_;
};

}  // namespace

std::unique_ptr<FaultModel> make_relative_vmin_fault_model(const FaultModelParams& params) {
  if (!(params.vmin_sigma_rel > 0.0))
    invalid(&FaultModelParams::vmin_sigma_rel, "relative-vmin sigma", "a positive fraction");
  if (!(params.vmin_mean_rel > 0.0))
    invalid(&FaultModelParams::vmin_mean_rel, "relative-vmin mean", "a positive fraction");
  if (!(params.array_vmin_v > 0.0))
    invalid(&FaultModelParams::array_vmin_v, "array Vmin", "a positive voltage");
  return std::make_unique<RelativeVminFaultModel>(params.vmin_mean_rel, params.vmin_sigma_rel,
                                                  params.array_vmin_v);
}

}  // namespace lvsim
