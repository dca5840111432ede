// p given directly, whatever the voltage: seed 004's experiment, which sweeps
// the fault rate itself (1e-6 ... 1).
#include <sstream>

#include "models/weight_sram/fault_models/fault_model.h"
#include "workloads/common/error.h"

namespace lvsim {
namespace {

class ConstantFaultModel : public FaultModel {
 public:
  explicit ConstantFaultModel(double p) : p_(p) {}
  std::string describe() const override {
    std::ostringstream out;
    out << "constant (p = " << p_ << ")";
    return out.str();
  }

 protected:
  double probability_in_range(double) const override { return p_; }

 private:
  double p_;
};

}  // namespace

std::unique_ptr<FaultModel> make_constant_fault_model(const FaultModelParams& params) {
  if (!(params.p >= 0.0 && params.p <= 1.0))
    invalid(&FaultModelParams::p, "constant fault probability", "a probability in [0, 1]");
  return std::make_unique<ConstantFaultModel>(params.p);
}

}  // namespace lvsim
