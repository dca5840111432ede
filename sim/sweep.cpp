#include "sim/sweep.h"

#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "sim/config.h"
#include "sim/curve.h"
#include "sim/output_dir.h"
#include "sim/progress.h"
#include "sim/report.h"
#include "sim/results_db.h"
#include "sim/run.h"
#include "workloads/common/error.h"
#include "workloads/network.h"

namespace lvsim {
namespace fs = std::filesystem;

namespace {

using Point = std::vector<std::pair<std::string, std::string>>;

std::vector<Point> expand(
    const std::vector<std::pair<std::string, std::vector<std::string>>>& axes) {
  std::vector<Point> points = {{}};
  for (const auto& [key, values] : axes) {
    std::vector<Point> next;
    for (const Point& point : points)
      for (const std::string& value : values) {
        Point extended = point;
        extended.emplace_back(key, value);
        next.push_back(std::move(extended));
      }
    points = std::move(next);
  }
  return points;
}

struct PlannedPoint {
  int64_t index = 0;
  nlohmann::json axes;
  nlohmann::json conditions;  // the swept keys that are conditions (Config::is_condition)
  Config config;
  RunSettings settings;
};

// Runs one point and stores it; a point that stops with an error is stored as failed.
bool run_point(const PlannedPoint& point, int threads, ResultsDb& db) {
  try {
    const auto start = std::chrono::steady_clock::now();
    RunSettings settings = point.settings;
    settings.accelerator.host.threads = threads;
    RunResult result;
    in_config_terms(point.config, [&] { result = run_simulation(settings, nullptr, &db); });
    const AccuracyCurve curve =
        accuracy_curve(result, settings.window_images, settings.target_drop);
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    nlohmann::json report = report_json(result, curve, point.config);
    report["sweep"] = {{"conditions", point.conditions}};
    db.insert_run(report, point.index, point.axes, point.config.values(), wall);
    return true;
  } catch (const std::exception& e) {
    db.insert_failure(point.index, point.axes, point.config.values(), e.what());
    return false;
  }
}

bool write_all(int fd, const void* data, size_t bytes) {
  const char* p = static_cast<const char*>(data);
  while (bytes > 0) {
    const ssize_t n = write(fd, p, bytes);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    bytes -= static_cast<size_t>(n);
  }
  return true;
}

// A worker process: takes task numbers (4-byte records, written atomically)
// from `tasks` - a point of `todo`, or past its end a fault-free reference of
// `references` - runs them, reports each on `done` (the number, negated minus
// one when it failed). Never returns.
[[noreturn]] void worker(const std::vector<PlannedPoint>& todo,
                         const std::vector<RunSettings>& references, int threads,
                         const std::string& db_path, int tasks, int done) {
  prctl(PR_SET_PDEATHSIG, SIGTERM);  // no orphans when the sweep is killed
  int status = 0;
  try {
    ResultsDb db(db_path);
    int32_t task = 0;
    for (;;) {
      const ssize_t n = read(tasks, &task, sizeof task);
      if (n < 0 && errno == EINTR) continue;
      if (n != static_cast<ssize_t>(sizeof task)) break;
      bool ok = true;
      if (static_cast<size_t>(task) < todo.size()) {
        ok = run_point(todo[static_cast<size_t>(task)], threads, db);
      } else {
        RunSettings reference = references[static_cast<size_t>(task) - todo.size()];
        reference.accelerator.host.threads = threads;
        try {
          fault_free_predictions(reference, &db);
        } catch (const std::exception&) {
          ok = false;  // the points that need it will simulate it, or fail with the reason
        }
      }
      const int32_t report = ok ? task : -task - 1;
      if (!write_all(done, &report, sizeof report)) break;
    }
  } catch (const std::exception& e) {
    std::cerr << "lvsim sweep worker: " << e.what() << "\n";
    status = 1;
  }
  std::cout.flush();
  _exit(status);
}

}  // namespace

std::pair<int, int> parse_shard(const std::string& text) {
  const size_t slash = text.find('/');
  try {
    size_t used_k = 0, used_n = 0;
    const int k = std::stoi(text.substr(0, slash), &used_k);
    const int n = slash == std::string::npos ? 0 : std::stoi(text.substr(slash + 1), &used_n);
    if (used_k == slash && used_n == text.size() - slash - 1 && n >= 1 && k >= 1 && k <= n)
      return {k, n};
  } catch (const std::logic_error&) {
  }
  throw Error("--shard " + text + ": expected K/N with 1 <= K <= N, e.g. 2/8");
}

namespace {

// Every point of the grid, each validated before any runs, so a typo in the
// last value does not surface after an hour.
std::vector<PlannedPoint> plan_points(const Config& base) {
  std::vector<PlannedPoint> planned;
  const std::vector<Point> points = expand(base.sweep_axes());
  for (size_t n = 0; n < points.size(); ++n) {
    PlannedPoint point;
    point.index = static_cast<int64_t>(n);
    point.axes = nlohmann::json::object();
    point.conditions = nlohmann::json::array();
    for (const auto& [key, value] : points[n]) {
      point.axes[key] = value;
      if (base.is_condition(key)) point.conditions.push_back(key);
    }
    point.config = base.at_point(points[n]);
    point.settings = settings_from(point.config);
    planned.push_back(std::move(point));
  }
  return planned;
}

// The points of this shard that no earlier invocation finished.
std::vector<PlannedPoint> points_to_run(const SweepOptions& options,
                                        const std::vector<PlannedPoint>& planned,
                                        SweepOutcome& outcome) {
  std::vector<PlannedPoint> todo;
  ResultsDb db(outcome.db_path);
  const std::set<std::string> finished = db.finished();
  for (const PlannedPoint& point : planned) {
    if (point.index % options.shard_count != options.shard_index - 1) continue;
    outcome.selected += 1;
    if (finished.count(config_hash(point.config.values())))
      outcome.skipped += 1;
    else
      todo.push_back(point);
  }
  return todo;
}

// Points whose faults change weights compare with a fault-free run of the same
// images. With several workers, the references shared by several points are
// simulated first, as tasks of their own, so workers find them in the database
// instead of each simulating them.
std::vector<RunSettings> shared_references(const std::vector<PlannedPoint>& todo, int jobs,
                                           const std::string& db_path) {
  std::vector<RunSettings> references;
  if (jobs <= 1) return references;
  std::map<std::string, std::pair<size_t, RunSettings>> shared;
  for (const PlannedPoint& point : todo) {
    auto [entry, fresh] = shared.try_emplace(baseline_key(point.settings), 0, point.settings);
    entry->second.first += 1;
  }
  ResultsDb db(db_path);
  std::vector<uint8_t> known;
  for (const auto& [key, entry] : shared)
    if (entry.first >= 2 && !db.find(key, known)) references.push_back(entry.second);
  return references;
}

// Longest first, so the expensive points do not end the sweep on one worker.
// A point's cost is about images x trials x (1 + word changes per image /
// 2000): on the 2-core reference machine 320 changed words per image cost
// +16 %, 32,000 about 17x (lvsim bench --faults).
std::vector<size_t> longest_first(const std::vector<PlannedPoint>& todo) {
  std::map<std::string, double> words_of;  // per network file
  std::vector<double> cost(todo.size());
  std::vector<size_t> order(todo.size());
  for (size_t i = 0; i < todo.size(); ++i) {
    const RunSettings& settings = todo[i].settings;
    const WeightSramParams& sram = settings.accelerator.weight_sram;
    double& words = words_of[settings.network_path];
    if (words == 0.0)
      words = static_cast<double>(Network::load(settings.network_path).parameter_count());
    double p = sram.mechanisms.upset || sram.mechanisms.weak_cells
                   ? make_fault_model(sram.fault_model)->probability(sram.vdd_v)
                   : 0.0;
    if (sram.fault_unit == FaultUnit::kPerBit) p = std::min(1.0, 32.0 * p);
    cost[i] = static_cast<double>(settings.images) * settings.trials * (1.0 + words * p / 2000.0);
    order[i] = i;
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return cost[a] > cost[b]; });
  return order;
}

// The worker processes of a sweep and the pipes that feed them task numbers.
struct Workers {
  std::vector<pid_t> pids;
  int tasks = -1;  // write end: task numbers to the workers
  int done = -1;   // read end: their reports
};

Workers start_workers(const std::vector<PlannedPoint>& todo,
                      const std::vector<RunSettings>& references, int jobs, int threads,
                      const std::string& db_path) {
  int tasks[2], done[2];
  if (pipe(tasks) != 0 || pipe(done) != 0) throw Error("sweep: cannot create pipes");
  std::cout.flush();
  std::cerr.flush();
  Workers workers;
  for (int w = 0; w < jobs; ++w) {
    const pid_t pid = fork();
    if (pid < 0) throw Error("sweep: cannot start a worker process");
    if (pid == 0) {
      close(tasks[1]);
      close(done[0]);
      worker(todo, references, threads, db_path, tasks[0], done[1]);
    }
    workers.pids.push_back(pid);
  }
  close(tasks[0]);
  close(done[1]);
  workers.tasks = tasks[1];
  workers.done = done[0];
  return workers;
}

// Feeds the references, then the points longest first, to the workers and
// counts what they report; returns the points finished.
size_t dispatch(Workers& workers, size_t points, size_t references,
                const std::vector<size_t>& order, SweepOutcome& outcome, ProgressLine& progress) {
  const size_t tasks_total = references + points;
  size_t sent = 0, finished = 0, tasks_done = 0;
  while (tasks_done < tasks_total) {
    pollfd fds[2] = {{workers.done, POLLIN, 0}, {workers.tasks, POLLOUT, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents & POLLOUT) {
      const auto task =
          static_cast<int32_t>(sent < references ? points + sent : order[sent - references]);
      if (write_all(workers.tasks, &task, sizeof task)) ++sent;
      if (sent == tasks_total) {
        close(workers.tasks);
        workers.tasks = -1;  // poll ignores a negative descriptor
      }
    }
    if (fds[0].revents & (POLLIN | POLLHUP)) {
      int32_t report = 0;
      const ssize_t n = read(workers.done, &report, sizeof report);
      if (n == 0) break;  // every worker is gone
      if (n != static_cast<ssize_t>(sizeof report)) continue;
      ++tasks_done;
      if ((report < 0 ? -report - 1 : report) >= static_cast<int32_t>(points)) continue;
      ++finished;
      if (report < 0) outcome.failed += 1;
      progress.update(outcome.skipped + finished, outcome.selected);
    }
  }
  return finished;
}

// Waits for every worker; returns how many did not exit cleanly.
int stop_workers(Workers& workers) {
  if (workers.tasks >= 0) close(workers.tasks);
  close(workers.done);
  int failures = 0;
  for (pid_t pid : workers.pids) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    failures += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  return failures;
}

// Runs `todo` on `jobs` worker processes into the database.
void run_points(const std::vector<PlannedPoint>& todo, int jobs, int threads, SweepOutcome& outcome,
                ProgressLine& progress) {
  const std::vector<RunSettings> references = shared_references(todo, jobs, outcome.db_path);
  const std::vector<size_t> order = longest_first(todo);
  Workers workers = start_workers(todo, references, jobs, threads, outcome.db_path);
  outcome.ran = dispatch(workers, todo.size(), references.size(), order, outcome, progress);
  const int worker_failures = stop_workers(workers);
  if (outcome.ran < todo.size())
    throw Error("sweep: " + std::to_string(worker_failures) + " worker(s) stopped early; " +
                std::to_string(todo.size() - outcome.ran) +
                " point(s) not run (the same command resumes)");
}

// The whole database as CSV beside it, for plots and spreadsheets, both files
// as one unit. Once points were added, an earlier `lvsim report` page there
// (report.html) no longer matches the database and goes.
void export_tables(const std::string& db_path, bool points_added) {
  ResultsDb db(db_path);
  const fs::path parent = fs::path(db_path).parent_path();
  write_files_atomically(
      parent.empty() ? std::string(".") : parent.string(),
      {{"summary.csv", db.export_csv("runs", true)}, {"curves.csv", db.export_csv("series", true)}},
      points_added ? std::vector<std::string>{"report.html"} : std::vector<std::string>{});
}

}  // namespace

SweepOutcome run_sweep(const SweepOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const Config base = Config::load(options.config_file, options.overrides);
  if (base.sweep_axes().empty())
    throw Error(
        (options.config_file.empty() ? std::string("the configuration") : options.config_file) +
        ": no [sweep] section (expected lines such as fault.p = 1e-6, 1e-4)");
  const RunSettings base_settings = settings_from(base);
  const std::vector<PlannedPoint> planned = plan_points(base);

  SweepOutcome outcome;
  outcome.points = planned.size();
  outcome.db_path = options.db_path.empty() ? base_settings.out_dir + "/sweep.db" : options.db_path;
  const fs::path db_parent = fs::path(outcome.db_path).parent_path();
  std::error_code ec;
  if (!db_parent.empty()) fs::create_directories(db_parent, ec);
  if (ec) throw Error(db_parent.string() + ": cannot create directory (" + ec.message() + ")");
  const std::vector<PlannedPoint> todo = points_to_run(options, planned, outcome);

  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int jobs = std::max(
      1, std::min<int>(options.jobs > 0 ? options.jobs : cores, static_cast<int>(todo.size())));
  // Results do not depend on the thread count; share the cores between workers
  // unless the config asks for a number.
  const int configured = base_settings.accelerator.host.threads;
  const int threads = configured > 0 ? configured : std::max(1, cores / jobs);
  ProgressLine progress("points", !options.quiet && ProgressLine::stderr_is_terminal());
  if (!todo.empty()) run_points(todo, jobs, threads, outcome, progress);
  progress.finish();

  export_tables(outcome.db_path, outcome.ran > 0);
  outcome.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!options.quiet)
    std::cout << "sweep        " << outcome.selected << " of " << outcome.points << " points ("
              << outcome.skipped << " already done, " << outcome.ran << " run on " << jobs
              << " worker(s), " << outcome.failed << " failed) -> " << outcome.db_path
              << ", summary.csv, curves.csv\n";
  if (outcome.failed > 0)
    throw Error("sweep: " + std::to_string(outcome.failed) +
                " point(s) failed; their errors are in the runs table (status 'failed')");
  return outcome;
}

}  // namespace lvsim
