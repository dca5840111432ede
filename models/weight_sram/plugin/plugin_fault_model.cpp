// fault.plugin: a memory model in a user's shared library, loaded at run time
// with dlopen and written against models/weight_sram/plugin/lvsim_plugin.h alone. Every value it
// returns is checked where lvsim asks for it (p in [0, 1], circuit values
// positive and finite), and every failure is one line naming the file.
#include <dlfcn.h>

#include <cmath>
#include <cstring>
#include <exception>
#include <memory>
#include <sstream>

#include "models/weight_sram/fault_models/fault_model.h"
#include "models/weight_sram/plugin/lvsim_plugin.h"
#include "workloads/common/error.h"

namespace lvsim {
namespace {

const char* const kExpected =
    "a shared library written against models/weight_sram/plugin/lvsim_plugin.h";

struct LibraryCloser {
  void operator()(void* handle) const {
    if (handle != nullptr) dlclose(handle);
  }
};

class PluginFaultModel : public FaultModel {
 public:
  PluginFaultModel(std::string path, std::shared_ptr<void> library, const lvsim_memory_model& model)
      : path_(std::move(path)), library_(std::move(library)), model_(model) {}
  std::pair<double, double> valid_range() const override {
    return {model_.min_vdd_v, model_.max_vdd_v};
  }
  std::string describe() const override {
    return std::string("plugin ") + (model_.name ? model_.name : "?") + " (" + path_ + ")";
  }
  SramCircuitAt circuit(double vdd_v) const override {
    SramCircuitAt c;
    c.access_time_ns = positive(model_.access_time_ns, "access_time_ns", vdd_v);
    c.access_energy_pj = positive(model_.access_energy_pj, "access_energy_pj", vdd_v);
    c.leakage_mw_per_mib = positive(model_.leakage_mw_per_mib, "leakage_mw_per_mib", vdd_v);
    return c;
  }

 protected:
  double probability_in_range(double vdd_v) const override {
    return checked_p(model_.upset_probability, "upset_probability", vdd_v);
  }
  double weak_fraction_in_range(double vdd_v) const override {
    return checked_p(model_.weak_cell_fraction, "weak_cell_fraction", vdd_v);
  }

 private:
  std::string call_text(const char* function, double vdd_v, double value) const {
    std::ostringstream text;
    text << "fault.plugin " << path_ << ": " << function << "(" << vdd_v << " V) = " << value;
    return text.str();
  }
  // A plug-in function that throws is named with its file and key, and what it threw.
  double call(double (*function)(double), const char* name, double vdd_v) const {
    try {
      return function(vdd_v);
    } catch (const std::exception& e) {
      threw(name, vdd_v, std::string("'") + e.what() + "'");
    } catch (...) {
      threw(name, vdd_v, "an exception");
    }
  }
  [[noreturn]] void threw(const char* function, double vdd_v, const std::string& what) const {
    std::ostringstream text;
    text << "fault.plugin " << path_ << ": " << function << "(" << vdd_v << " V) threw " << what
         << "; expected it to return a value (a plug-in function must not throw)";
    throw Error(text.str());
  }
  double checked_p(double (*function)(double), const char* name, double vdd_v) const {
    const double p = call(function, name, vdd_v);
    if (!(p >= 0.0 && p <= 1.0))
      throw Error(call_text(name, vdd_v, p) + ", expected a probability in [0, 1]");
    return p;
  }
  std::optional<double> positive(double (*function)(double), const char* name, double vdd_v) const {
    if (function == nullptr) return std::nullopt;
    const double value = call(function, name, vdd_v);
    if (!(std::isfinite(value) && value > 0.0))
      throw Error(call_text(name, vdd_v, value) + ", expected a positive finite number");
    return value;
  }

  std::string path_;
  std::shared_ptr<void> library_;  // keeps the functions loaded
  lvsim_memory_model model_;
};

}  // namespace

std::unique_ptr<FaultModel> make_plugin_fault_model(const FaultModelParams& params) {
  const std::string& path = params.plugin_path;
  // A bare name would make dlopen search the library path; a plug-in is a file.
  const std::string file = path.find('/') == std::string::npos ? "./" + path : path;
  std::shared_ptr<void> library(dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL), LibraryCloser());
  if (!library) {
    const char* why = dlerror();
    invalid(&FaultModelParams::plugin_path, "plug-in " + path,
            std::string(kExpected) + " (" + (why ? why : "dlopen failed") + ")");
  }
  dlerror();
  void* symbol = dlsym(library.get(), "lvsim_memory_model");
  if (symbol == nullptr)
    invalid(&FaultModelParams::plugin_path, "plug-in " + path,
            std::string(kExpected) + ", exporting the function lvsim_memory_model");
  lvsim_memory_model_fn entry = nullptr;
  static_assert(sizeof(entry) == sizeof(symbol), "function and data pointers differ in size");
  std::memcpy(&entry, &symbol, sizeof(entry));
  const lvsim_memory_model* model = nullptr;
  try {
    model = entry();
  } catch (const std::exception& e) {
    invalid(&FaultModelParams::plugin_path, "plug-in " + path,
            std::string(kExpected) + " whose lvsim_memory_model() returns a model (it threw '" +
                e.what() + "')");
  } catch (...) {
    invalid(&FaultModelParams::plugin_path, "plug-in " + path,
            std::string(kExpected) + " whose lvsim_memory_model() returns a model (it threw)");
  }
  if (model == nullptr)
    invalid(&FaultModelParams::plugin_path, "plug-in " + path,
            std::string(kExpected) + " whose lvsim_memory_model() returns a model, not null");
  if (model->api_version != LVSIM_PLUGIN_API_VERSION)
    invalid(&FaultModelParams::plugin_path, "plug-in " + path,
            "a plug-in of interface version " + std::to_string(LVSIM_PLUGIN_API_VERSION) +
                ", not " + std::to_string(model->api_version) +
                " (rebuild it against this lvsim's models/weight_sram/plugin/lvsim_plugin.h)");
  if (model->upset_probability == nullptr || model->weak_cell_fraction == nullptr)
    invalid(&FaultModelParams::plugin_path, "plug-in " + path,
            std::string(kExpected) + " that gives upset_probability and weak_cell_fraction");
  if (!(model->min_vdd_v > 0.0 && model->min_vdd_v <= model->max_vdd_v))
    invalid(&FaultModelParams::plugin_path, "plug-in " + path,
            std::string(kExpected) + " whose 0 < min_vdd_v <= max_vdd_v");
  return std::make_unique<PluginFaultModel>(path, std::move(library), *model);
}

}  // namespace lvsim
