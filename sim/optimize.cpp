#include "sim/optimize.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <map>
#include <set>

#include "sim/population.h"
#include "workloads/common/error.h"

namespace lvsim {
namespace {

using nlohmann::json;

double number(const json& value) { return value.is_number() ? value.get<double>() : 0.0; }

const std::set<std::string>& refresh_keys() {
  static const std::set<std::string> keys = {"refresh.interval_images", "refresh.interval_us"};
  return keys;
}

// A population meets the target when its yield reaches the target yield; a
// run of one chip when no trial missed it.
bool meets(const json& run) {
  if (number(run["chips"]) > 1 && run["yield"].is_number())
    return number(run["yield"]) >= number(run["target_yield"]) - 1e-12;
  return run["trials_missing_target"].is_number() && number(run["trials_missing_target"]) == 0;
}

// How close a run is to failing, lower is closer: the yield, or for one chip
// whether it met the target, then its accuracy below fault-free.
double margin(const json& run) {
  if (number(run["chips"]) > 1 && run["yield"].is_number()) return number(run["yield"]);
  return (meets(run) ? 1.0 : 0.0) + number(run["accuracy"]) - number(run["fault_free_accuracy"]);
}

std::string axes_text(const json& axes, const std::set<std::string>& skip = {}) {
  std::string text;
  for (const auto& [key, value] : axes.items())
    if (!skip.count(key)) text += (text.empty() ? "" : " ") + key + "=" + value.get<std::string>();
  return text;
}

// One knob setting: the runs alike in every knob, one per condition.
// (nlohmann::json asserts its invariant in its noexcept move, which clang-tidy
// cannot prove never throws.)
struct Setting {  // NOLINT(bugprone-exception-escape)
  json knobs;
  std::vector<size_t> runs;
  bool feasible = true;
  double energy = 0.0;    // worst over the conditions
  double accuracy = 1.0;  // worst over the conditions
  size_t binding = 0;     // the run closest to failing
};

struct Sweep {
  std::vector<json> runs;
  std::vector<json> axes;
  std::set<std::string> conditions;  // swept keys that are conditions
  std::vector<Setting> settings;
};

// The conditions: what the sweep marked, and the chip, age and temperature.
std::set<std::string> condition_keys(const Sweep& sweep) {
  std::set<std::string> keys;
  for (const json& run : sweep.runs)
    if (run["conditions"].is_string())
      for (const json& key : json::parse(run["conditions"].get<std::string>()))
        keys.insert(key.get<std::string>());
  for (const json& axes : sweep.axes)
    for (const auto& [key, value] : axes.items())
      if (key == "fault.chip_seed" || key == "chip.age_years" || key == "chip.temperature_c")
        keys.insert(key);
  return keys;
}

// In the order of their first runs (the runs come by point).
std::vector<Setting> knob_settings(const Sweep& sweep) {
  std::vector<Setting> settings;
  std::map<std::string, size_t> index_of;
  for (size_t i = 0; i < sweep.runs.size(); ++i) {
    json knobs = json::object();
    for (const auto& [key, value] : sweep.axes[i].items())
      if (!sweep.conditions.count(key)) knobs[key] = value;
    const auto [at, fresh] = index_of.try_emplace(knobs.dump(), settings.size());
    if (fresh) {
      settings.emplace_back();
      settings.back().knobs = knobs;
      settings.back().binding = i;
    }
    settings[at->second].runs.push_back(i);
  }
  for (Setting& s : settings)
    for (size_t i : s.runs) {
      const json& run = sweep.runs[i];
      s.feasible = s.feasible && meets(run);
      s.energy = std::max(s.energy, number(run["energy_per_inference_uj"]));
      s.accuracy = std::min(s.accuracy, number(run["accuracy"]));
      if (margin(run) < margin(sweep.runs[s.binding])) s.binding = i;
    }
  return settings;
}

bool never_refreshed(const json& run) {
  return number(run["refresh_interval_images"]) == 0 && number(run["refresh_interval_us"]) == 0;
}

// Longer is better; never is the longest. Intervals in images and in time
// compare by the simulated time they had (refresh_every_us).
double interval_rank(const json& run) {
  if (never_refreshed(run)) return 1e300;
  const double us = number(run["refresh_every_us"]);
  return us > 0 ? us : number(run["refresh_interval_images"]);
}

std::string interval_text(const json& run) {
  if (never_refreshed(run)) return "never";
  const double images = number(run["refresh_interval_images"]);
  if (images > 0) return std::to_string(static_cast<uint64_t>(images));
  return std::to_string(static_cast<uint64_t>(number(run["refresh_interval_us"]))) + " us";
}

// The largest refresh interval that meets the target, per group of knob
// settings alike but for the refresh interval.
struct Limit {
  std::string group;
  const Setting* best = nullptr;  // null when no interval met it
};

std::vector<Limit> refresh_limits(const Sweep& sweep) {
  std::map<std::string, std::vector<const Setting*>> groups;
  for (const Setting& s : sweep.settings) {
    json key = s.knobs;
    for (const std::string& refresh : refresh_keys()) key.erase(refresh);
    groups[key.dump()].push_back(&s);
  }
  std::vector<Limit> limits;
  for (const auto& [group, members] : groups) {
    Limit limit{group, nullptr};
    for (const Setting* s : members)
      if (s->feasible && (!limit.best || interval_rank(sweep.runs[s->binding]) >
                                             interval_rank(sweep.runs[limit.best->binding])))
        limit.best = s;
    limits.push_back(limit);
  }
  return limits;
}

// The least worst-case energy among the settings that meet the target under
// the conditions `counts` admits.
template <typename Counts>
const Setting* cheapest(const Sweep& sweep, Counts counts, double* energy = nullptr) {
  const Setting* chosen = nullptr;
  double chosen_energy = 0.0;
  for (const Setting& s : sweep.settings) {
    bool feasible = true, any = false;
    double worst = 0.0;
    for (size_t i : s.runs) {
      if (!counts(sweep.runs[i], sweep.axes[i])) continue;
      any = true;
      feasible = feasible && meets(sweep.runs[i]);
      worst = std::max(worst, number(sweep.runs[i]["energy_per_inference_uj"]));
    }
    if (any && feasible && (!chosen || worst < chosen_energy)) {
      chosen = &s;
      chosen_energy = worst;
    }
  }
  if (energy) *energy = chosen_energy;
  return chosen;
}

// By worst-case energy, each setting more accurate (at worst) than all cheaper ones.
std::vector<const Setting*> pareto_front(const Sweep& sweep) {
  std::vector<const Setting*> order;
  for (const Setting& s : sweep.settings) order.push_back(&s);
  std::stable_sort(order.begin(), order.end(), [](const Setting* a, const Setting* b) {
    return a->energy != b->energy ? a->energy < b->energy : a->accuracy > b->accuracy;
  });
  std::vector<const Setting*> front;
  double best_accuracy = -1.0;
  for (const Setting* s : order)
    if (s->accuracy > best_accuracy) {
      front.push_back(s);
      best_accuracy = s->accuracy;
    }
  return front;
}

// The lowest supply meeting the target, per setting of the other knobs.
struct LowestVoltage {
  std::string group;
  const Setting* best = nullptr;
};

std::vector<LowestVoltage> lowest_voltages(const Sweep& sweep) {
  std::map<std::string, LowestVoltage> groups;
  for (const Setting& s : sweep.settings) {
    if (!s.knobs.contains("weight_sram.vdd_v")) return {};
    json key = s.knobs;
    key.erase("weight_sram.vdd_v");
    LowestVoltage& group = groups[key.dump()];
    group.group = key.dump();
    const auto vdd = [](const Setting* x) {
      return std::stod(x->knobs["weight_sram.vdd_v"].get<std::string>());
    };
    if (s.feasible && (!group.best || vdd(&s) < vdd(group.best))) group.best = &s;
  }
  std::vector<LowestVoltage> result;
  for (const auto& [key, group] : groups) result.push_back(group);
  return result;
}

std::string quote(const std::string& text) {
  std::string q = "'";
  for (char c : text) q += c == '\'' ? std::string("''") : std::string(1, c);
  return q + "'";
}

std::string real(const json& value) {
  return value.is_number() ? std::to_string(value.get<double>()) : std::string("NULL");
}

// The conditions of a setting's binding run, as text ("" without conditions).
std::string binding_text(const Sweep& sweep, const Setting& s) {
  std::string text;
  for (const auto& [key, value] : sweep.axes[s.binding].items())
    if (sweep.conditions.count(key))
      text += (text.empty() ? "" : " ") + key + "=" + value.get<std::string>();
  return text;
}

// A setting's columns: the binding run's config hash and point, the knobs,
// worst energy and accuracy.
std::string setting_values(const Sweep& sweep, const Setting& s) {
  const json& run = sweep.runs[s.binding];
  return quote(run["config_hash"].get<std::string>()) + ", " + real(run["point"]) + ", " +
         quote(s.knobs.dump()) + ", " + std::to_string(s.energy) + ", " +
         std::to_string(s.accuracy);
}

void create_tables(ResultsDb& db) {
  for (const char* table : {"refresh_limits", "operating_point", "lowest_voltage", "pareto"})
    db.exec(std::string("DROP TABLE IF EXISTS ") + table);
  db.exec(
      "CREATE TABLE refresh_limits (grp TEXT PRIMARY KEY, config_hash TEXT, "
      "max_refresh_interval_images INTEGER, max_refresh_interval_us REAL, "
      "energy_per_inference_uj REAL, accuracy REAL)");
  db.exec(
      "CREATE TABLE operating_point (config_hash TEXT, point INTEGER, axes TEXT, "
      "energy_per_inference_uj REAL, accuracy REAL, binding TEXT)");
  db.exec(
      "CREATE TABLE lowest_voltage (grp TEXT PRIMARY KEY, vdd_v REAL, config_hash TEXT, "
      "energy_per_inference_uj REAL, yield REAL, yield_ci95_low REAL, yield_ci95_high REAL, "
      "chips INTEGER, binding TEXT)");
  db.exec(
      "CREATE TABLE pareto (rank INTEGER PRIMARY KEY, config_hash TEXT, point INTEGER, "
      "axes TEXT, energy_per_inference_uj REAL, accuracy REAL)");
}

void store_limits(ResultsDb& db, const Sweep& sweep) {
  for (const Limit& limit : refresh_limits(sweep)) {
    const json* best = limit.best ? &sweep.runs[limit.best->binding] : nullptr;
    db.exec("INSERT INTO refresh_limits VALUES (" + quote(limit.group) + ", " +
            (best ? quote((*best)["config_hash"].get<std::string>()) + ", " +
                        real((*best)["refresh_interval_images"]) + ", " +
                        real((*best)["refresh_interval_us"]) + ", " +
                        std::to_string(limit.best->energy) + ", " +
                        std::to_string(limit.best->accuracy)
                  : std::string("NULL, NULL, NULL, NULL, NULL")) +
            ")");
  }
}

void store(ResultsDb& db, const Sweep& sweep) {
  db.exec("BEGIN IMMEDIATE");
  try {
    create_tables(db);
    store_limits(db, sweep);
    if (const Setting* chosen = cheapest(sweep, [](const json&, const json&) { return true; }))
      db.exec("INSERT INTO operating_point VALUES (" + setting_values(sweep, *chosen) + ", " +
              quote(binding_text(sweep, *chosen)) + ")");
    for (const LowestVoltage& lowest : lowest_voltages(sweep)) {
      if (!lowest.best) continue;
      const json& run = sweep.runs[lowest.best->binding];
      db.exec("INSERT INTO lowest_voltage VALUES (" + quote(lowest.group) + ", " +
              lowest.best->knobs["weight_sram.vdd_v"].get<std::string>() + ", " +
              quote(run["config_hash"].get<std::string>()) + ", " +
              std::to_string(lowest.best->energy) + ", " + real(run["yield"]) + ", " +
              real(run["yield_ci95_low"]) + ", " + real(run["yield_ci95_high"]) + ", " +
              real(run["chips"]) + ", " + quote(binding_text(sweep, *lowest.best)) + ")");
    }
    const std::vector<const Setting*> front = pareto_front(sweep);
    for (size_t r = 0; r < front.size(); ++r)
      db.exec("INSERT INTO pareto VALUES (" + std::to_string(r + 1) + ", " +
              setting_values(sweep, *front[r]) + ")");
    db.exec("COMMIT");
  } catch (...) {
    db.exec("ROLLBACK");
    throw;
  }
}

void print_limits(std::ostream& out, const Sweep& sweep) {
  out << "Largest refresh interval that meets the target under every condition, per group of "
         "knob settings\n";
  out << "  " << std::left << std::setw(12) << "refresh" << std::setw(12) << "uJ/inf"
      << std::setw(10) << "accuracy"
      << "group\n";
  for (const Limit& limit : refresh_limits(sweep)) {
    const Setting* best = limit.best;
    const std::string group = axes_text(json::parse(limit.group));
    out << "  " << std::setw(12) << (best ? interval_text(sweep.runs[best->binding]) : "none")
        << std::setw(12) << (best ? std::to_string(best->energy).substr(0, 8) : "-")
        << std::setw(10) << (best ? std::to_string(100 * best->accuracy).substr(0, 5) + "%" : "-")
        << (group.empty() ? "(no knobs swept)" : group) << "\n";
  }
}

// "2.0 uJ, 98.00 %, point 1: knobs", and the binding condition.
void print_setting(std::ostream& out, const Sweep& sweep, const Setting& s) {
  const json& run = sweep.runs[s.binding];
  const std::string knobs = axes_text(s.knobs);
  out << std::setprecision(1) << s.energy << " uJ, " << std::setprecision(2) << 100 * s.accuracy
      << " %, point " << run["point"] << ": " << (knobs.empty() ? "(no knobs swept)" : knobs)
      << "\n";
  const std::string binding = binding_text(sweep, s);
  if (binding.empty()) return;
  out << "  binding condition " << binding;
  if (number(run["chips"]) > 1)
    out << ": yield " << std::setprecision(1) << 100 * number(run["yield"]) << " % (95 % CI "
        << 100 * number(run["yield_ci95_low"]) << "-" << 100 * number(run["yield_ci95_high"])
        << " %, " << static_cast<int64_t>(number(run["chips"])) << " chips)";
  else
    out << ": accuracy " << std::setprecision(2) << 100 * number(run["accuracy"]) << " %";
  out << "\n";
}

void print_lowest(std::ostream& out, const Sweep& sweep) {
  const std::vector<LowestVoltage> lowest = lowest_voltages(sweep);
  if (lowest.empty()) return;
  out << "\nLowest supply meeting the target under every condition, per setting of the other "
         "knobs\n";
  for (const LowestVoltage& group : lowest) {
    const std::string knobs = axes_text(json::parse(group.group));
    out << "  " << (knobs.empty() ? "(no other knobs)" : knobs) << ": ";
    if (!group.best) {
      out << "none\n";
      continue;
    }
    const json& run = sweep.runs[group.best->binding];
    out << group.best->knobs["weight_sram.vdd_v"].get<std::string>() << " V, "
        << std::setprecision(1) << group.best->energy << " uJ";
    if (number(run["chips"]) > 1) {
      const double target = number(run["target_yield"]);
      out << ", yield " << 100 * number(run["yield"]) << " % (95 % CI "
          << 100 * number(run["yield_ci95_low"]) << "-" << 100 * number(run["yield_ci95_high"])
          << " % of " << static_cast<int64_t>(number(run["chips"])) << " chips; "
          << chips_to_show(target) << " chips all meeting it would show " << std::setprecision(0)
          << 100 * target << " % at 95 % confidence)";
    }
    const std::string binding = binding_text(sweep, *group.best);
    out << (binding.empty() ? "" : ", binding " + binding) << "\n";
  }
}

// The operating-point table: nominal, fault-free Vmin, the operating point at
// age 0 and under every condition, each with the saving from the row before.
void print_table(std::ostream& out, const Sweep& sweep) {
  const Setting* held = cheapest(sweep, [](const json&, const json&) { return true; });
  if (!held) return;
  double nominal = 0.0, vmin = 0.0, vmin_uj = 0.0;
  for (size_t i : held->runs) {
    const json& run = sweep.runs[i];
    if (!run["fault_free_vmin_v"].is_number()) return;
    nominal = std::max(nominal, number(run["nominal_uj"]));
    if (number(run["fault_free_vmin_v"]) > vmin) {
      vmin = number(run["fault_free_vmin_v"]);
      vmin_uj = number(run["fault_free_vmin_uj"]);
    }
  }
  double young_uj = 0.0;
  const Setting* young = cheapest(
      sweep,
      [](const json&, const json& axes) {
        return !axes.contains("chip.age_years") ||
               std::stod(axes["chip.age_years"].get<std::string>()) == 0.0;
      },
      &young_uj);
  struct Row {
    std::string name, setting;
    double uj;
  };
  std::vector<Row> rows = {{"nominal supply", "", nominal},
                           {"fault-free Vmin", std::to_string(vmin).substr(0, 5) + " V", vmin_uj}};
  if (young) rows.push_back({"operating point, age 0", axes_text(young->knobs), young_uj});
  rows.push_back({"operating point, every condition", axes_text(held->knobs), held->energy});
  out << "\nOperating points (worst case over the conditions; saving from the row before)\n";
  for (size_t r = 0; r < rows.size(); ++r) {
    out << "  " << std::left << std::setw(34) << rows[r].name << std::right << std::setw(8)
        << std::setprecision(1) << rows[r].uj << " uJ";
    if (r > 0) out << std::setw(9) << rows[r - 1].uj - rows[r].uj << " uJ saved";
    out << (rows[r].setting.empty() ? "" : "  " + rows[r].setting) << "\n";
  }
}

void print(std::ostream& out, const Sweep& sweep) {
  out << std::fixed;
  if (!sweep.conditions.empty()) {
    out << "Conditions (a choice must hold across them):";
    for (const std::string& key : sweep.conditions) out << " " << key;
    out << "\n\n";
  }
  print_limits(out, sweep);
  out << "\nOperating point (least energy per inference meeting the target)\n  ";
  if (const Setting* chosen = cheapest(sweep, [](const json&, const json&) { return true; }))
    print_setting(out, sweep, *chosen);
  else
    out << "none: no knob setting met the target under every condition\n";
  print_lowest(out, sweep);
  print_table(out, sweep);
  out << "\nPareto front, worst-case energy per inference versus accuracy\n";
  for (const Setting* s : pareto_front(sweep)) {
    const std::string knobs = axes_text(s->knobs);
    out << "  " << std::setprecision(1) << std::right << std::setw(9) << s->energy << " uJ  "
        << std::setprecision(2) << std::setw(6) << 100 * s->accuracy << " %  " << std::left
        << (knobs.empty() ? "(no knobs swept)" : knobs) << "\n";
  }
}

}  // namespace

void optimize(ResultsDb& db, std::ostream& out) {
  Sweep sweep;
  sweep.runs = db.done_runs();
  if (sweep.runs.empty()) throw Error(db.path() + ": no finished runs to optimize over");
  for (const json& run : sweep.runs)
    sweep.axes.push_back(json::parse(run["axes"].get<std::string>()));
  sweep.conditions = condition_keys(sweep);
  sweep.settings = knob_settings(sweep);
  store(db, sweep);
  print(out, sweep);
}

}  // namespace lvsim
