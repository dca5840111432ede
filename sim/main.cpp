// lvsim: a cycle-approximate SystemC/TLM simulator of a DNN accelerator whose
// weight SRAM runs at low voltage. See README.md for the tour.
#include <malloc.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>
#include <systemc>
#include <tuple>

#include "sim/bench.h"
#include "sim/config.h"
#include "sim/curve.h"
#include "sim/optimize.h"
#include "sim/output_dir.h"
#include "sim/progress.h"
#include "sim/report.h"
#include "sim/results_db.h"
#include "sim/run.h"
#include "sim/settings.h"
#include "sim/sweep.h"
#include "workloads/common/error.h"
#include "workloads/common/printable.h"
#include "workloads/formats/onnx.h"

namespace po = boost::program_options;
using namespace lvsim;

namespace {

const char* const kUsage =
    "usage: lvsim <command> [options]\n"
    "\n"
    "commands:\n"
    "  run     simulate one configuration and write a report\n"
    "  sweep     run every point of a config's [sweep] grid into a results database\n"
    "            (parallel workers, resumable, shardable)\n"
    "  merge     combine sweep databases (shards) into one\n"
    "  export    write a sweep database's runs or series as CSV\n"
    "  optimize  refresh limits, least-energy operating point and Pareto front of a sweep\n"
    "  report    one self-contained HTML page of a sweep's or run's figures and tables\n"
    "            (runs analysis/report.py with Debian's python3)\n"
    "  bench     measure simulation speed (images/s, sweep points/s) and peak memory\n"
    "  keys    list every configuration key with its default and meaning\n"
    "  operators list the ONNX operators workload.network may use, and what of each\n"
    "\n"
    "`lvsim <command> --help` describes a command's options.\n";

struct CommonOptions {
  std::string config_file;
  std::vector<std::string> overrides;
};

po::options_description common_options(CommonOptions& common) {
  po::options_description options;
  // clang-format off
  options.add_options()
      ("help,h", "show this help")
      ("config,c", po::value(&common.config_file), "INI configuration file (configs/*.ini)")
      ("set,s", po::value(&common.overrides)->composing(),
       "override one key: --set section.key=value (repeatable)")
      ("images,n", po::value<std::string>(), "test images to run (workload.images)")
      ("data-dir,d", po::value<std::string>(), "dataset directory (workload.data_dir)")
      ("threads,j", po::value<std::string>(), "host threads, 0 = all cores (sim.threads)")
      ("trials,t", po::value<std::string>(), "independent fault streams (sim.trials)");
  // clang-format on
  return options;
}

// Flags that are shorthands for config keys win over the file; one that
// disagrees with a --set of the same key is an error.
void apply_shorthands(const po::variables_map& vm, CommonOptions& common) {
  const std::pair<const char*, const char*> shorthands[] = {{"images", "workload.images"},
                                                            {"data-dir", "workload.data_dir"},
                                                            {"threads", "sim.threads"},
                                                            {"trials", "sim.trials"},
                                                            {"out", "report.out_dir"}};
  for (const auto& [flag, key] : shorthands) {
    if (!vm.count(flag)) continue;
    const std::string value = vm[flag].as<std::string>(), prefix = std::string(key) + "=";
    for (const std::string& assignment : common.overrides)
      if (assignment.rfind(prefix, 0) == 0 && assignment.substr(prefix.size()) != value)
        throw Error(std::string("--") + flag + " " + value + " and --set " + assignment +
                    " disagree; expected one of them (or the same value)");
    common.overrides.push_back(prefix + value);
  }
}

po::variables_map parse(int argc, char** argv, const po::options_description& options,
                        const char* usage) {
  po::variables_map vm;
  po::store(po::command_line_parser(argc, argv).options(options).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << usage << "\n" << options;
    std::exit(0);
  }
  return vm;
}

int command_run(int argc, char** argv) {
  CommonOptions common;
  bool quiet = false;
  po::options_description options = common_options(common);
  options.add_options()("out,o", po::value<std::string>(),
                        "directory for report.json (report.out_dir)")(
      "quiet,q", po::bool_switch(&quiet), "no progress line and no summary");
  const po::variables_map vm =
      parse(argc, argv, options, "usage: lvsim run [--config FILE] [options]\n");
  apply_shorthands(vm, common);

  const Config config = Config::load(common.config_file, common.overrides);
  if (!config.sweep_axes().empty())
    throw Error(common.config_file + ": defines a [sweep] grid; run it with lvsim sweep");
  const RunSettings settings = settings_from(config);
  // A directory the files cannot go to is found before the run, not after it.
  std::unique_ptr<OutputDir> out;
  in_config_terms(config, [&] { out = std::make_unique<OutputDir>(settings.out_dir); });
  ProgressLine progress_line("images", !quiet && ProgressLine::stderr_is_terminal());
  RunResult result;  // what the platform refuses names its key (sweep.cpp does the same)
  in_config_terms(config, [&] {
    result = run_simulation(settings,
                            [&](size_t done, size_t total) { progress_line.update(done, total); });
  });
  progress_line.finish();

  const AccuracyCurve curve = accuracy_curve(result, settings.window_images, settings.target_drop);
  // report.html is `lvsim report`'s page of an earlier run's report.json: it
  // would no longer match the new one.
  out->commit({{"curve.csv", curve_csv(curve)},
               {"report.json", report_json(result, curve, config).dump(2) + "\n"}},
              {"report.html"});
  if (!quiet) print_summary(std::cout, result, curve, settings.out_dir + "/report.json");
  return 0;
}

int command_sweep(int argc, char** argv) {
  CommonOptions common;
  SweepOptions sweep;
  po::options_description options = common_options(common);
  options.add_options()("out,o", po::value<std::string>(),
                        "directory for the sweep's results (report.out_dir)")(
      "quiet,q", po::bool_switch(&sweep.quiet), "no progress line and no summary")(
      "jobs", po::value(&sweep.jobs)->default_value(0), "worker processes, 0 = one per core")(
      "shard", po::value<std::string>(), "run only slice K of N of the grid: --shard K/N")(
      "db", po::value(&sweep.db_path), "results database (default <out>/sweep.db)");
  const po::variables_map vm =
      parse(argc, argv, options, "usage: lvsim sweep --config FILE [options]\n");
  apply_shorthands(vm, common);
  sweep.config_file = common.config_file;
  sweep.overrides = common.overrides;
  if (sweep.jobs < 0) throw Error("--jobs: expected a non-negative integer");
  if (vm.count("shard"))
    std::tie(sweep.shard_index, sweep.shard_count) = parse_shard(vm["shard"].as<std::string>());
  run_sweep(sweep);
  return 0;
}

int command_merge(int argc, char** argv) {
  std::string out;
  std::vector<std::string> inputs;
  po::options_description options;
  options.add_options()("help,h", "show this help")("out,o", po::value(&out)->required(),
                                                    "database to merge into (created if missing)")(
      "input", po::value(&inputs)->composing(), "databases to merge from");
  po::positional_options_description positional;
  positional.add("input", -1);
  po::variables_map vm;
  po::store(po::command_line_parser(argc, argv).options(options).positional(positional).run(), vm);
  if (vm.count("help")) {
    std::cout << "usage: lvsim merge --out ALL.db SHARD.db ...\n\n" << options;
    return 0;
  }
  po::notify(vm);
  const size_t finished = merge_databases(out, inputs);
  std::cout << "merge        " << inputs.size() << " database(s) -> " << out << " (" << finished
            << " finished runs)\n";
  return 0;
}

std::string database_argument(int argc, char** argv, po::options_description& options,
                              const char* usage, po::variables_map& vm) {
  std::string path;
  options.add_options()("help,h", "show this help")("db", po::value(&path), "results database");
  po::positional_options_description positional;
  positional.add("db", 1);
  po::store(po::command_line_parser(argc, argv).options(options).positional(positional).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << usage << "\n" << options;
    std::exit(0);
  }
  if (path.empty()) throw Error(std::string("expected a results database: ") + usage);
  std::error_code error;  // a link loop is named, not thrown as std::filesystem's text
  if (!std::filesystem::exists(path, error))
    throw Error(path + ": " +
                (error ? "cannot reach the database (" + error.message() + ")"
                       : std::string("no such database")));
  return path;
}

int command_export(int argc, char** argv) {
  std::string table = "runs", out;
  bool no_host = false;
  po::options_description options;
  options.add_options()("table", po::value(&table), "runs (default) or series")(
      "out,o", po::value(&out), "CSV file (default: standard output)")(
      "no-host", po::bool_switch(&no_host),
      "leave out host wall-clock columns (deterministic output)");
  po::variables_map vm;
  const std::string path = database_argument(
      argc, argv, options, "usage: lvsim export SWEEP.db [--table runs|series] [--out FILE]", vm);
  const ResultsDb db(path, ResultsDb::Open::kReadOnly);
  const std::string csv = db.export_csv(table, !no_host);
  if (out.empty())
    std::cout << csv;
  else
    write_file_atomically(out, csv);
  return 0;
}

int command_optimize(int argc, char** argv) {
  po::options_description options;
  po::variables_map vm;
  const std::string path =
      database_argument(argc, argv, options, "usage: lvsim optimize SWEEP.db", vm);
  ResultsDb db(path, ResultsDb::Open::kExisting);
  optimize(db, std::cout);
  return 0;
}

int command_bench(int argc, char** argv) {
  CommonOptions common;
  BenchOptions bench;
  po::options_description options = common_options(common);
  options.add_options()("repeat,r", po::value(&bench.repeats)->default_value(3),
                        "number of timed runs")(
      "faults", po::bool_switch(&bench.faults),
      "also time per-word faults with `zero` at p = 1e-6 ... 1e-1")(
      "rates", po::value<std::string>(),
      "with --faults: the per-word rates to time, comma-separated (default 1e-6,...,1e-1)")(
      "sweep", po::bool_switch(&bench.sweep),
      "instead time a 12-point sweep on 1 and 2 worker processes (points/s)")(
      "mechanisms", po::bool_switch(&bench.mechanisms),
      "instead time weak-cell runs beside upset runs at equal fault counts")(
      "population", po::bool_switch(&bench.population),
      "instead time a population of chips beside the same chips as separate runs")(
      "chips", po::value(&bench.chips)->default_value(100), "with --population: the chips");
  const po::variables_map vm =
      parse(argc, argv, options, "usage: lvsim bench [--config FILE] [options]\n");
  apply_shorthands(vm, common);
  bench.config_file = common.config_file;
  bench.overrides = common.overrides;
  if (vm.count("rates")) {
    bench.rates.clear();
    std::istringstream list(vm["rates"].as<std::string>());
    for (std::string rate; std::getline(list, rate, ',');) {
      size_t used = 0;
      double value = -1;
      try {
        value = std::stod(rate, &used);
      } catch (const std::logic_error&) {
      }
      if (used != rate.size() || !(value >= 0.0 && value <= 1.0))
        throw Error("--rates: '" + rate + "' is not a probability in [0, 1]");
      bench.rates.push_back(rate);
    }
    if (bench.rates.empty()) throw Error("--rates: expected a comma-separated list");
  }
  if (bench.repeats < 1) throw Error("--repeat: expected a positive integer");
  if (bench.chips < 1) throw Error("--chips: expected a positive integer");
  run_bench(bench);
  return 0;
}

// `lvsim report` hands over to analysis/report.py: the figures are matplotlib's.
// The script is found in the source tree lvsim was built from, else beside the
// binary's parent (an installed tree); Debian's /usr/bin/python3 is preferred
// because a pyenv python3 on PATH lacks Debian's matplotlib.
int command_report(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::vector<fs::path> candidates = {fs::path(LVSIM_SOURCE_DIR) / "analysis" / "report.py"};
  std::error_code error;
  const fs::path exe = fs::read_symlink("/proc/self/exe", error);
  if (!error) candidates.push_back(exe.parent_path().parent_path() / "analysis" / "report.py");
  for (const fs::path& script : candidates) {
    if (!fs::exists(script)) continue;
    const std::string python = fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    std::vector<std::string> args = {python, script.string()};
    for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
    std::vector<char*> raw;
    for (std::string& arg : args) raw.push_back(arg.data());
    raw.push_back(nullptr);
    std::cout.flush();
    setenv("LVSIM_PROG", "lvsim report", 1);  // the name report.py's messages use
    execvp(raw[0], raw.data());
    throw Error("report: cannot run " + python + " (" + std::strerror(errno) + ")");
  }
  throw Error("report: analysis/report.py not found (looked in " + candidates.front().string() +
              ")");
}

int command_keys(int argc, char** argv) {
  bool ini = false, markdown = false;
  po::options_description options;
  options.add_options()("help,h", "show this help")(
      "ini", po::bool_switch(&ini), "as an INI file with every default (configs/default.ini)")(
      "markdown", po::bool_switch(&markdown), "as the README's Markdown table");
  parse(argc, argv, options, "usage: lvsim keys [--ini | --markdown]\n");
  std::cout << (ini ? keys_ini() : markdown ? keys_markdown() : keys_text());
  return 0;
}

int command_operators(int argc, char** argv) {
  bool markdown = false;
  po::options_description options;
  options.add_options()("help,h", "show this help")("markdown", po::bool_switch(&markdown),
                                                    "as the README's Markdown table");
  parse(argc, argv, options, "usage: lvsim operators [--markdown]\n");
  std::cout << (markdown ? onnx_operators_markdown() : onnx_operators_text());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  setenv("SYSC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  // A file-size limit (ulimit -f) would kill lvsim mid-write; ignored, it is a
  // write error (EFBIG) that the writers report and clean up like a full disk.
  signal(SIGXFSZ, SIG_IGN);
  // Eigen allocates its GEMM panels per call; keep freed blocks in the heap
  // instead of returning them to the kernel, which would fault them in again.
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  // One heap for every thread: the host engine's worker and the SystemC thread
  // allocate rarely, but each thread's own heap would keep its own peak (at
  // p = 1, a change log of 26 MB more: 258 MiB peak RSS where one heap keeps 211).
  mallopt(M_ARENA_MAX, 1);
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string command = argv[1];
  try {
    if (command == "run") return command_run(argc - 1, argv + 1);
    if (command == "bench") return command_bench(argc - 1, argv + 1);
    if (command == "sweep") return command_sweep(argc - 1, argv + 1);
    if (command == "merge") return command_merge(argc - 1, argv + 1);
    if (command == "export") return command_export(argc - 1, argv + 1);
    if (command == "optimize") return command_optimize(argc - 1, argv + 1);
    if (command == "report") return command_report(argc - 1, argv + 1);
    if (command == "keys") return command_keys(argc - 1, argv + 1);
    if (command == "operators") return command_operators(argc - 1, argv + 1);
    if (command == "--help" || command == "-h" || command == "help") {
      std::cout << kUsage;
      return 0;
    }
    if (command == "--version") {
      std::cout << "lvsim " << LVSIM_VERSION << "\n";
      return 0;
    }
    std::cerr << "lvsim: unknown command '" << command << "'\n" << kUsage;
    return 2;
  } catch (const po::error& e) {
    std::cerr << "lvsim " << command << ": " << printable(e.what()) << " (see lvsim " << command
              << " --help)\n";
    return 2;
  } catch (const std::exception& e) {
    // One line, whatever the message quotes (a --set value with a newline).
    std::cerr << "lvsim: error: " << printable(e.what()) << "\n";
    return 1;
  }
}

// libsystemc's own main() calls sc_main(); lvsim brings its own main(), so
// this definition only satisfies the library's reference and is never called.
int sc_main(int, char**) { return 1; }
