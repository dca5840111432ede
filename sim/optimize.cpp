#include "sim/optimize.h"

#include <algorithm>
#include <iomanip>
#include <map>

#include "workloads/error.h"

namespace lvsim {
namespace {

bool feasible(const nlohmann::json& run) {
  return run["trials_missing_target"].is_number() &&
         run["trials_missing_target"].get<double>() == 0;
}

double number(const nlohmann::json& value) { return value.is_number() ? value.get<double>() : 0.0; }

// 0 (never) is the longest interval.
double interval_rank(const nlohmann::json& run) {
  const double interval = number(run["refresh_interval_images"]);
  return interval == 0 ? 1e300 : interval;
}

std::string interval_text(const nlohmann::json& run) {
  const double interval = number(run["refresh_interval_images"]);
  return interval == 0 ? "never" : std::to_string(static_cast<uint64_t>(interval));
}

std::string axes_text(const nlohmann::json& axes, const std::string& skip = "") {
  std::string text;
  for (const auto& [key, value] : axes.items())
    if (key != skip) text += (text.empty() ? "" : " ") + key + "=" + value.get<std::string>();
  return text.empty() ? "(no swept keys)" : text;
}

}  // namespace

void optimize(ResultsDb& db, std::ostream& out) {
  const std::vector<nlohmann::json> runs = db.done_runs();
  if (runs.empty()) throw Error(db.path() + ": no finished runs to optimize over");
  std::vector<nlohmann::json> parsed_axes;
  for (const nlohmann::json& run : runs)
    parsed_axes.push_back(nlohmann::json::parse(run["axes"].get<std::string>()));

  // 1. Largest refresh interval per group.
  const std::string refresh_key = "refresh.interval_images";
  std::map<std::string, std::vector<size_t>> groups;
  for (size_t i = 0; i < runs.size(); ++i) {
    nlohmann::json key = parsed_axes[i];
    key.erase(refresh_key);
    groups[key.dump()].push_back(i);
  }
  struct Limit {
    std::string group;
    const nlohmann::json* best = nullptr;  // null when no interval kept the target
  };
  std::vector<Limit> limits;
  for (const auto& [group, members] : groups) {
    Limit limit{group, nullptr};
    for (size_t i : members)
      if (feasible(runs[i]) && (!limit.best || interval_rank(runs[i]) > interval_rank(*limit.best)))
        limit.best = &runs[i];
    limits.push_back(limit);
  }

  // 2. The least energy among runs that kept the target.
  const nlohmann::json* chosen = nullptr;
  for (const nlohmann::json& run : runs)
    if (feasible(run) && (!chosen || number(run["energy_per_inference_uj"]) <
                                         number((*chosen)["energy_per_inference_uj"])))
      chosen = &run;

  // 3. Pareto front: by energy, keep each run more accurate than all cheaper ones.
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

  // Store.
  db.exec("BEGIN IMMEDIATE");
  try {
    db.exec("DROP TABLE IF EXISTS refresh_limits");
    db.exec("DROP TABLE IF EXISTS operating_point");
    db.exec("DROP TABLE IF EXISTS pareto");
    db.exec(
        "CREATE TABLE refresh_limits (grp TEXT PRIMARY KEY, config_hash TEXT, "
        "max_refresh_interval_images INTEGER, energy_per_inference_uj REAL, accuracy REAL)");
    db.exec(
        "CREATE TABLE operating_point (config_hash TEXT, point INTEGER, axes TEXT, "
        "energy_per_inference_uj REAL, accuracy REAL)");
    db.exec(
        "CREATE TABLE pareto (rank INTEGER PRIMARY KEY, config_hash TEXT, point INTEGER, "
        "axes TEXT, energy_per_inference_uj REAL, accuracy REAL)");
    auto quote = [](const std::string& text) {
      std::string q = "'";
      for (char c : text) q += c == '\'' ? std::string("''") : std::string(1, c);
      return q + "'";
    };
    auto real = [](const nlohmann::json& value) {
      return value.is_number() ? std::to_string(value.get<double>()) : std::string("NULL");
    };
    for (const Limit& limit : limits)
      db.exec("INSERT INTO refresh_limits VALUES (" + quote(limit.group) + ", " +
              (limit.best ? quote((*limit.best)["config_hash"].get<std::string>()) + ", " +
                                real((*limit.best)["refresh_interval_images"]) + ", " +
                                real((*limit.best)["energy_per_inference_uj"]) + ", " +
                                real((*limit.best)["accuracy"])
                          : std::string("NULL, NULL, NULL, NULL")) +
              ")");
    if (chosen)
      db.exec("INSERT INTO operating_point VALUES (" +
              quote((*chosen)["config_hash"].get<std::string>()) + ", " + real((*chosen)["point"]) +
              ", " + quote((*chosen)["axes"].get<std::string>()) + ", " +
              real((*chosen)["energy_per_inference_uj"]) + ", " + real((*chosen)["accuracy"]) +
              ")");
    for (size_t r = 0; r < front.size(); ++r) {
      const nlohmann::json& run = runs[front[r]];
      db.exec("INSERT INTO pareto VALUES (" + std::to_string(r + 1) + ", " +
              quote(run["config_hash"].get<std::string>()) + ", " + real(run["point"]) + ", " +
              quote(run["axes"].get<std::string>()) + ", " + real(run["energy_per_inference_uj"]) +
              ", " + real(run["accuracy"]) + ")");
    }
    db.exec("COMMIT");
  } catch (...) {
    db.exec("ROLLBACK");
    throw;
  }

  // Print.
  out << std::fixed;
  out << "Largest refresh interval that keeps the target in every trial, per group of "
         "swept values\n";
  out << "  " << std::left << std::setw(12) << "refresh" << std::setw(12) << "uJ/inf"
      << std::setw(10) << "accuracy"
      << "group\n";
  for (const Limit& limit : limits) {
    const nlohmann::json group = nlohmann::json::parse(limit.group);
    out << "  " << std::setw(12) << (limit.best ? interval_text(*limit.best) : "none")
        << std::setw(12)
        << (limit.best
                ? std::to_string(number((*limit.best)["energy_per_inference_uj"])).substr(0, 8)
                : "-")
        << std::setw(10)
        << (limit.best ? std::to_string(100 * number((*limit.best)["accuracy"])).substr(0, 5) + "%"
                       : "-")
        << axes_text(group) << "\n";
  }
  out << "\nOperating point (least energy per inference keeping the target)\n  ";
  if (chosen)
    out << std::setprecision(1) << number((*chosen)["energy_per_inference_uj"]) << " uJ, "
        << std::setprecision(2) << 100 * number((*chosen)["accuracy"]) << " %, point "
        << (*chosen)["point"] << ": "
        << axes_text(nlohmann::json::parse((*chosen)["axes"].get<std::string>())) << "\n";
  else
    out << "none: no run kept the target in every trial\n";
  out << "\nPareto front, energy per inference versus accuracy\n";
  for (size_t i : front)
    out << "  " << std::setprecision(1) << std::right << std::setw(9)
        << number(runs[i]["energy_per_inference_uj"]) << " uJ  " << std::setprecision(2)
        << std::setw(6) << 100 * number(runs[i]["accuracy"]) << " %  " << std::left
        << axes_text(parsed_axes[i]) << "\n";
}

}  // namespace lvsim
