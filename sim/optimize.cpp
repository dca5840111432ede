#include "sim/optimize.h"

#include <algorithm>
#include <iomanip>
#include <map>

#include "workloads/common/error.h"

namespace lvsim {
namespace {

bool feasible(const nlohmann::json& run) {
  return run["trials_missing_target"].is_number() &&
         run["trials_missing_target"].get<double>() == 0;
}

double number(const nlohmann::json& value) { return value.is_number() ? value.get<double>() : 0.0; }

bool never_refreshed(const nlohmann::json& run) {
  return number(run["refresh_interval_images"]) == 0 && number(run["refresh_interval_us"]) == 0;
}

// Longer is better; never is the longest. Intervals in images and in time
// compare by the simulated time they had (refresh_every_us).
double interval_rank(const nlohmann::json& run) {
  if (never_refreshed(run)) return 1e300;
  const double us = number(run["refresh_every_us"]);
  return us > 0 ? us : number(run["refresh_interval_images"]);
}

std::string interval_text(const nlohmann::json& run) {
  if (never_refreshed(run)) return "never";
  const double images = number(run["refresh_interval_images"]);
  if (images > 0) return std::to_string(static_cast<uint64_t>(images));
  return std::to_string(static_cast<uint64_t>(number(run["refresh_interval_us"]))) + " us";
}

std::string axes_text(const nlohmann::json& axes, const std::string& skip = "") {
  std::string text;
  for (const auto& [key, value] : axes.items())
    if (key != skip) text += (text.empty() ? "" : " ") + key + "=" + value.get<std::string>();
  return text.empty() ? "(no swept keys)" : text;
}

// The largest refresh interval that kept the target, per group of runs alike
// in every swept value but the refresh interval.
struct Limit {
  std::string group;
  const nlohmann::json* best = nullptr;  // null when no interval kept the target
};

struct Optimum {
  std::vector<Limit> limits;
  const nlohmann::json* chosen = nullptr;  // the operating point, or null
  std::vector<size_t> front;               // the Pareto front, cheapest first
};

std::vector<Limit> refresh_limits(const std::vector<nlohmann::json>& runs,
                                  const std::vector<nlohmann::json>& axes) {
  std::map<std::string, std::vector<size_t>> groups;
  for (size_t i = 0; i < runs.size(); ++i) {
    nlohmann::json key = axes[i];
    key.erase("refresh.interval_images");
    key.erase("refresh.interval_us");
    groups[key.dump()].push_back(i);
  }
  std::vector<Limit> limits;
  for (const auto& [group, members] : groups) {
    Limit limit{group, nullptr};
    for (size_t i : members)
      if (feasible(runs[i]) && (!limit.best || interval_rank(runs[i]) > interval_rank(*limit.best)))
        limit.best = &runs[i];
    limits.push_back(limit);
  }
  return limits;
}

// The least energy among runs that kept the target.
const nlohmann::json* operating_point(const std::vector<nlohmann::json>& runs) {
  const nlohmann::json* chosen = nullptr;
  for (const nlohmann::json& run : runs)
    if (feasible(run) && (!chosen || number(run["energy_per_inference_uj"]) <
                                         number((*chosen)["energy_per_inference_uj"])))
      chosen = &run;
  return chosen;
}

// By energy, each run more accurate than all cheaper ones.
std::vector<size_t> pareto_front(const std::vector<nlohmann::json>& runs) {
  std::vector<size_t> order(runs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const double ea = number(runs[a]["energy_per_inference_uj"]);
    const double eb = number(runs[b]["energy_per_inference_uj"]);
    return ea != eb ? ea < eb : number(runs[a]["accuracy"]) > number(runs[b]["accuracy"]);
  });
  std::vector<size_t> front;
  double best_accuracy = -1.0;
  for (size_t i : order)
    if (number(runs[i]["accuracy"]) > best_accuracy) {
      front.push_back(i);
      best_accuracy = number(runs[i]["accuracy"]);
    }
  return front;
}

std::string quote(const std::string& text) {
  std::string q = "'";
  for (char c : text) q += c == '\'' ? std::string("''") : std::string(1, c);
  return q + "'";
}

std::string real(const nlohmann::json& value) {
  return value.is_number() ? std::to_string(value.get<double>()) : std::string("NULL");
}

// One run's columns: config hash, point, axes, energy, accuracy.
std::string run_values(const nlohmann::json& run) {
  return quote(run["config_hash"].get<std::string>()) + ", " + real(run["point"]) + ", " +
         quote(run["axes"].get<std::string>()) + ", " + real(run["energy_per_inference_uj"]) +
         ", " + real(run["accuracy"]);
}

void create_tables(ResultsDb& db) {
  db.exec("DROP TABLE IF EXISTS refresh_limits");
  db.exec("DROP TABLE IF EXISTS operating_point");
  db.exec("DROP TABLE IF EXISTS pareto");
  db.exec(
      "CREATE TABLE refresh_limits (grp TEXT PRIMARY KEY, config_hash TEXT, "
      "max_refresh_interval_images INTEGER, max_refresh_interval_us REAL, "
      "energy_per_inference_uj REAL, accuracy REAL)");
  db.exec(
      "CREATE TABLE operating_point (config_hash TEXT, point INTEGER, axes TEXT, "
      "energy_per_inference_uj REAL, accuracy REAL)");
  db.exec(
      "CREATE TABLE pareto (rank INTEGER PRIMARY KEY, config_hash TEXT, point INTEGER, "
      "axes TEXT, energy_per_inference_uj REAL, accuracy REAL)");
}

void store(ResultsDb& db, const std::vector<nlohmann::json>& runs, const Optimum& optimum) {
  db.exec("BEGIN IMMEDIATE");
  try {
    create_tables(db);
    for (const Limit& limit : optimum.limits) {
      const nlohmann::json* best = limit.best;
      db.exec("INSERT INTO refresh_limits VALUES (" + quote(limit.group) + ", " +
              (best
                   ? quote((*best)["config_hash"].get<std::string>()) + ", " +
                         real((*best)["refresh_interval_images"]) + ", " +
                         real((*best)["refresh_interval_us"]) + ", " +
                         real((*best)["energy_per_inference_uj"]) + ", " + real((*best)["accuracy"])
                   : std::string("NULL, NULL, NULL, NULL, NULL")) +
              ")");
    }
    if (optimum.chosen)
      db.exec("INSERT INTO operating_point VALUES (" + run_values(*optimum.chosen) + ")");
    for (size_t r = 0; r < optimum.front.size(); ++r)
      db.exec("INSERT INTO pareto VALUES (" + std::to_string(r + 1) + ", " +
              run_values(runs[optimum.front[r]]) + ")");
    db.exec("COMMIT");
  } catch (...) {
    db.exec("ROLLBACK");
    throw;
  }
}

void print_limits(std::ostream& out, const std::vector<Limit>& limits) {
  out << "Largest refresh interval that keeps the target in every trial, per group of "
         "swept values\n";
  out << "  " << std::left << std::setw(12) << "refresh" << std::setw(12) << "uJ/inf"
      << std::setw(10) << "accuracy"
      << "group\n";
  for (const Limit& limit : limits) {
    const nlohmann::json group = nlohmann::json::parse(limit.group);
    const nlohmann::json* best = limit.best;
    out << "  " << std::setw(12) << (best ? interval_text(*best) : "none") << std::setw(12)
        << (best ? std::to_string(number((*best)["energy_per_inference_uj"])).substr(0, 8) : "-")
        << std::setw(10)
        << (best ? std::to_string(100 * number((*best)["accuracy"])).substr(0, 5) + "%" : "-")
        << axes_text(group) << "\n";
  }
}

void print(std::ostream& out, const std::vector<nlohmann::json>& runs,
           const std::vector<nlohmann::json>& axes, const Optimum& optimum) {
  out << std::fixed;
  print_limits(out, optimum.limits);
  out << "\nOperating point (least energy per inference keeping the target)\n  ";
  if (const nlohmann::json* chosen = optimum.chosen)
    out << std::setprecision(1) << number((*chosen)["energy_per_inference_uj"]) << " uJ, "
        << std::setprecision(2) << 100 * number((*chosen)["accuracy"]) << " %, point "
        << (*chosen)["point"] << ": "
        << axes_text(nlohmann::json::parse((*chosen)["axes"].get<std::string>())) << "\n";
  else
    out << "none: no run kept the target in every trial\n";
  out << "\nPareto front, energy per inference versus accuracy\n";
  for (size_t i : optimum.front)
    out << "  " << std::setprecision(1) << std::right << std::setw(9)
        << number(runs[i]["energy_per_inference_uj"]) << " uJ  " << std::setprecision(2)
        << std::setw(6) << 100 * number(runs[i]["accuracy"]) << " %  " << std::left
        << axes_text(axes[i]) << "\n";
}

}  // namespace

void optimize(ResultsDb& db, std::ostream& out) {
  const std::vector<nlohmann::json> runs = db.done_runs();
  if (runs.empty()) throw Error(db.path() + ": no finished runs to optimize over");
  std::vector<nlohmann::json> axes;
  for (const nlohmann::json& run : runs)
    axes.push_back(nlohmann::json::parse(run["axes"].get<std::string>()));
  Optimum optimum;
  optimum.limits = refresh_limits(runs, axes);
  optimum.chosen = operating_point(runs);
  optimum.front = pareto_front(runs);
  store(db, runs, optimum);
  print(out, runs, axes, optimum);
}

}  // namespace lvsim
