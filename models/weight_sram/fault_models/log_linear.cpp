// log10 p = a + b * V: the straight line that measured bit-error rates follow
// on a log scale over a few decades, clamped to [0, 1].
#include <algorithm>
#include <cmath>
#include <sstream>

#include "models/weight_sram/fault_models/fault_model.h"
#include "workloads/common/error.h"

namespace lvsim {
namespace {

class LogLinearFaultModel : public FaultModel {
 public:
  LogLinearFaultModel(double a, double b) : a_(a), b_(b) {}
  std::string describe() const override {
    std::ostringstream out;
    out << "log-linear (log10 p = " << a_ << " + " << b_ << " V)";
    return out.str();
  }

 protected:
  double probability_in_range(double vdd_v) const override {
    return std::clamp(std::pow(10.0, a_ + b_ * vdd_v), 0.0, 1.0);
  }

 private:
  double a_;
  double b_;
};

}  // namespace

std::unique_ptr<FaultModel> make_log_linear_fault_model(const FaultModelParams& params) {
  if (!std::isfinite(params.log10_a))
    invalid(&FaultModelParams::log10_a, "log-linear intercept", "a finite number");
  if (!std::isfinite(params.log10_b_per_v))
    invalid(&FaultModelParams::log10_b_per_v, "log-linear slope", "a finite number");
  return std::make_unique<LogLinearFaultModel>(params.log10_a, params.log10_b_per_v);
}

}  // namespace lvsim
