#include "models/weight_sram/fault_free_vmin.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

namespace lvsim {
namespace {

double share_at(const FaultModel& model, const WeightSramParams& params, double bits,
                double vdd_v) {
  const double shift =
      aging_shift_v(params.chip, vdd_v, params.circuit.vnom_v) + temperature_shift_v(params.chip);
  const auto none_weak = [&](double offset) {
    const double cells_at = vdd_v - shift - offset;
    if (!model.covers(cells_at)) return cells_at < vdd_v ? 0.0 : 1.0;
    return std::exp(-bits * model.weak_cell_fraction(cells_at));
  };
  const double sigma = params.chip.vmin_sigma_v;
  if (!(sigma > 0.0)) return none_weak(0.0);
  // E over o ~ Normal(0, sigma): the trapezoid rule over +-6 sigma.
  constexpr int kSteps = 240;
  double sum = 0.0, weights = 0.0;
  for (int i = 0; i <= kSteps; ++i) {
    const double z = -6.0 + 12.0 * i / kSteps;
    const double w = std::exp(-0.5 * z * z) * (i == 0 || i == kSteps ? 0.5 : 1.0);
    sum += w * none_weak(sigma * z);
    weights += w;
  }
  return sum / weights;
}

}  // namespace

double fault_free_chip_share(const WeightSramParams& params, double bits, double vdd_v) {
  const std::unique_ptr<FaultModel> model = make_fault_model(params.fault_model);
  return share_at(*model, params, bits, vdd_v);
}

double fault_free_vmin_v(const WeightSramParams& params, double bits, double yield) {
  const std::unique_ptr<FaultModel> model = make_fault_model(params.fault_model);
  double low = std::max(params.circuit.vt_v, model->valid_range().first) + 1e-4;
  double high = model->valid_range().second;
  if (share_at(*model, params, bits, high) < yield) return std::numeric_limits<double>::quiet_NaN();
  if (share_at(*model, params, bits, low) >= yield) return low;
  while (high - low > 1e-4) {
    const double mid = 0.5 * (low + high);
    (share_at(*model, params, bits, mid) >= yield ? high : low) = mid;
  }
  return high;
}

}  // namespace lvsim
