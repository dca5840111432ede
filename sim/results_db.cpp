#include "sim/results_db.h"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <sstream>

#include "models/energy.h"
#include "workloads/common/error.h"

namespace lvsim {
namespace {

// A prepared statement, finalized on scope exit.
// What to do when SQLite could not write: the disk, a size limit or the
// directory's permissions, and what the database still holds.
std::string write_hint(sqlite3* db) {
  const int code = sqlite3_errcode(db);
  if (code != SQLITE_FULL && code != SQLITE_IOERR && code != SQLITE_READONLY &&
      code != SQLITE_CANTOPEN)
    return "";
  return " (expected room to write the results: a full disk, a file-size limit or a read-only "
         "directory? Every point stored before is intact; rerun the sweep to resume)";
}

class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK)
      throw Error(std::string("results database: ") + sqlite3_errmsg(db) + " in: " + sql);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void bind(int index, const nlohmann::json& value) {
    if (value.is_null())
      sqlite3_bind_null(stmt_, index);
    else if (value.is_number_integer() || value.is_number_unsigned() || value.is_boolean())
      sqlite3_bind_int64(stmt_, index, value.get<int64_t>());
    else if (value.is_number())
      sqlite3_bind_double(stmt_, index, value.get<double>());
    else
      bind_text(index, value.is_string() ? value.get<std::string>() : value.dump());
  }
  void bind_text(int index, const std::string& text) {
    sqlite3_bind_text(stmt_, index, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw Error(std::string("results database: ") + sqlite3_errmsg(db_) + write_hint(db_));
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  void bind_blob(int index, const std::vector<uint8_t>& bytes) {
    sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  }
  bool blob(int i, std::vector<uint8_t>& bytes) const {
    if (sqlite3_column_type(stmt_, i) != SQLITE_BLOB) return false;
    const auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, i));
    bytes.assign(data, data + sqlite3_column_bytes(stmt_, i));
    return true;
  }
  int columns() const { return sqlite3_column_count(stmt_); }
  std::string name(int i) const { return sqlite3_column_name(stmt_, i); }
  nlohmann::json value(int i) const {
    switch (sqlite3_column_type(stmt_, i)) {
      case SQLITE_INTEGER:
        return sqlite3_column_int64(stmt_, i);
      case SQLITE_FLOAT:
        return sqlite3_column_double(stmt_, i);
      case SQLITE_NULL:
        return nullptr;
      default:
        return std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i)));
    }
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

std::string csv_field(const nlohmann::json& value) {
  std::string text;
  if (value.is_null()) return "";
  if (value.is_string()) {
    text = value.get<std::string>();
  } else if (value.is_number_float()) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.10g", value.get<double>());
    text = buffer;
  } else {
    text = value.dump();
  }
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

// Host columns: wall-clock facts that differ between two runs of the same point.
const std::vector<std::string> kHostColumns = {"wall_seconds", "images_per_second", "peak_rss_mib"};

}  // namespace

const std::vector<MetricColumn>& metric_columns() {
  static const std::vector<MetricColumn> columns = [] {
    std::vector<MetricColumn> c = {
        {"network", "/workload/network"},
        {"dataset", "/workload/dataset"},
        {"vdd_v", "/faults/vdd_v"},
        {"fault_model", "/faults/model"},
        {"fault_unit", "/faults/unit"},
        {"mitigation", "/faults/mitigation"},
        {"read_fault_probability", "/faults/read_fault_probability"},
        {"refresh_interval_images", "/faults/refresh_interval_images"},
        {"refresh_interval_us", "/faults/refresh_interval_us"},
        {"refresh_every_images", "/faults/refresh_every_images"},
        {"refresh_every_us", "/faults/refresh_every_us"},
        {"refreshes", "/faults/refreshes"},
        {"dataflow", "/timing/dataflow"},
        {"weight_format", "/weights/format"},
        {"weight_bytes", "/weights/stored_bytes"},
        {"pruned_fraction", "/weights/pruned_fraction"},
        {"skipped_macs_per_image", "/weights/skipped_macs_per_image"},
        {"images", "/accuracy/images"},
        {"trials", "/accuracy/trials"},
        {"accuracy", "/accuracy/accuracy"},
        {"accuracy_ci95", "/accuracy/accuracy_ci95"},
        {"fault_free_accuracy", "/accuracy/fault_free_accuracy"},
        {"trials_missing_target", "/accuracy/trials_missing_target"},
        {"first_image_missing_target", "/summary/first_image_missing_target"},
        {"final_faulty_bits", "/summary/final_faulty_bits"},
        {"cycles_per_inference", "/timing/cycles_per_inference"},
        {"latency_us", "/timing/latency_per_inference_us"},
        {"throughput_per_s", "/timing/throughput_inferences_per_s"},
        {"energy_per_inference_uj", "/energy/per_inference_uj"},
        {"edp_uj_ms", "/energy/energy_delay_product_uj_ms"},
        {"chips", "/accuracy/chips"},
        {"yield", "/accuracy/yield"},
        {"yield_ci95_low", "/accuracy/yield_ci95_low"},
        {"yield_ci95_high", "/accuracy/yield_ci95_high"},
        {"chip_accuracy_min", "/accuracy/chip_accuracy_min"},
        {"age_years", "/faults/chip/age_years"},
        {"temperature_c", "/faults/chip/temperature_c"},
        {"nominal_uj", "/energy/nominal_uj"},
        {"fault_free_vmin_v", "/energy/fault_free_vmin_v"},
        {"fault_free_vmin_uj", "/energy/fault_free_vmin_uj"},
        {"saving_guardband_uj", "/energy/saving_guardband_uj"},
        {"saving_fault_tolerance_uj", "/energy/saving_fault_tolerance_uj"},
        {"target_yield", "/accuracy/target_yield"},
        {"conditions", "/sweep/conditions"},  // swept keys that are conditions (sim/optimize.h)
    };
    static std::vector<std::string> names, pointers;  // storage for the component columns
    names.reserve(EnergyReport::components().size());
    pointers.reserve(EnergyReport::components().size());
    for (const std::string& component : EnergyReport::components()) {
      names.push_back(component + "_uj");
      pointers.push_back("/energy/breakdown_per_inference_uj/" + component);
      c.push_back({names.back().c_str(), pointers.back().c_str()});
    }
    return c;
  }();
  return columns;
}

std::string config_hash(const std::map<std::string, std::string>& values) {
  uint64_t hash = 14695981039346656037ull;  // FNV-1a 64
  auto mix = [&](const std::string& text) {
    for (unsigned char c : text) {
      hash ^= c;
      hash *= 1099511628211ull;
    }
  };
  for (const auto& [key, value] : values) {
    if (key == "report.out_dir" || key == "sim.threads" || key == "workload.data_dir") continue;
    mix(key);
    mix("=");
    mix(value);
    mix("\n");
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

namespace {

// PRAGMA application_id of an lvsim results database ("lvsm"), and the
// version of its schema (PRAGMA user_version). Version 1: the first with
// both; a file with a runs table keyed by config_hash but neither is one an
// lvsim from before versioning wrote (version 0).
constexpr int kApplicationId = 0x6C76736D;
// 2: the vector_uj energy column; 3: dram_stream_uj; 4: the population, chip
// condition and savings columns and the sweep's conditions.
constexpr int kSchemaVersion = 4;

}  // namespace

int ResultsDb::schema_version() { return kSchemaVersion; }

int ResultsDb::pragma(const std::string& name) const {
  Statement query(db_, "PRAGMA " + name);
  return query.step() ? static_cast<int>(query.value(0).get<int64_t>()) : 0;
}

std::set<std::string> ResultsDb::columns_of(const std::string& table) const {
  std::set<std::string> names;
  Statement query(db_, "PRAGMA table_info(" + table + ")");
  while (query.step()) names.insert(query.value(1).get<std::string>());
  return names;
}

// The tables of the current schema (CREATE ... IF NOT EXISTS), and what an
// older database lacks of them: metric columns added since (NULL in its rows).
void ResultsDb::create_or_migrate() {
  std::string columns;
  for (const MetricColumn& column : metric_columns()) columns += std::string(", ") + column.name;
  exec(
      "CREATE TABLE IF NOT EXISTS runs (config_hash TEXT PRIMARY KEY, point INTEGER NOT NULL, "
      "axes TEXT NOT NULL, seed INTEGER, status TEXT NOT NULL, error TEXT" +
      columns +
      ", wall_seconds REAL, images_per_second REAL, peak_rss_mib REAL, config TEXT NOT NULL, "
      "report TEXT)");
  exec(
      "CREATE TABLE IF NOT EXISTS series (config_hash TEXT NOT NULL, end_image INTEGER NOT NULL, "
      "windowed_accuracy REAL, windowed_accuracy_ci95 REAL, cumulative_accuracy REAL, "
      "cumulative_accuracy_ci95 REAL, baseline_windowed_accuracy REAL, faulty_bits REAL, "
      "faulty_bits_ci95 REAL, PRIMARY KEY (config_hash, end_image))");
  exec("CREATE TABLE IF NOT EXISTS baselines (key TEXT PRIMARY KEY, predictions BLOB NOT NULL)");
  const std::set<std::string> present = columns_of("runs");
  for (const MetricColumn& column : metric_columns())
    if (!present.count(column.name))
      exec(std::string("ALTER TABLE runs ADD COLUMN ") + column.name);
  exec("PRAGMA application_id = " + std::to_string(kApplicationId));
  exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
}

namespace {

// `path` as an SQLite URI ("file:/abs/path", '%', '?', '#' and the like
// escaped), so that a read-only ATTACH can say mode=ro and a path that happens
// to begin with "file:" is still a path.
std::string uri_of(const std::string& path) {
  const std::string absolute = std::filesystem::absolute(path).string();
  std::string uri = "file:";
  for (const unsigned char c : absolute) {
    if (std::isalnum(c) || std::strchr("/-._~", c)) {
      uri += static_cast<char>(c);
    } else {
      char escaped[4];
      std::snprintf(escaped, sizeof escaped, "%%%02X", c);
      uri += escaped;
    }
  }
  return uri;
}

}  // namespace

void ResultsDb::connect(int flags) {
  if (sqlite3_open_v2(uri_of(path_).c_str(), &db_, flags | SQLITE_OPEN_URI, nullptr) != SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error(path_ + ": cannot open the results database (" + message + ")");
  }
  sqlite3_busy_timeout(db_, 60000);  // workers of one sweep share the file
}

// Throws when the file is not one this lvsim may use; true when it lacks the
// current schema (empty, or an older lvsim's) and create_or_migrate() is due.
bool ResultsDb::check_what_it_is(Open open) const {
  const std::string expected = "; expected a sweep.db that lvsim sweep or lvsim merge wrote";
  const int application = pragma("application_id"), version = pragma("user_version");
  std::set<std::string> tables;
  {
    Statement query(db_, "SELECT name FROM sqlite_master WHERE type = 'table'");
    while (query.step()) tables.insert(query.value(0).get<std::string>());
  }
  if (application != 0 && application != kApplicationId)
    throw Error(path_ + ": not an lvsim results database (another application's)" + expected);
  if (application == 0 && tables.empty() && open != Open::kOrCreate)
    throw Error(path_ + ": not an lvsim results database (it is empty)" + expected);
  if (application == 0 && !tables.empty() &&
      !(tables.count("runs") && columns_of("runs").count("config_hash"))) {
    std::string names;
    for (const std::string& name : tables) names += (names.empty() ? "" : ", ") + name;
    throw Error(path_ + ": not an lvsim results database (its tables: " + names + ")" + expected);
  }
  if (version > kSchemaVersion)
    throw Error(path_ + ": written by a newer lvsim (results schema " + std::to_string(version) +
                "; this lvsim reads up to " + std::to_string(kSchemaVersion) +
                "); expected it opened by that lvsim or a newer one");
  return application != kApplicationId || version < kSchemaVersion;
}

ResultsDb::ResultsDb(const std::string& path, Open open) : path_(path) {
  try {
    // What the file is, decided on a read-only connection before anything is
    // written: a refused file keeps every byte (no switch to WAL, no change
    // counter bumped).
    std::error_code error;
    if (open != Open::kOrCreate || std::filesystem::exists(path, error)) {
      connect(SQLITE_OPEN_READONLY);
      check_what_it_is(open);
      if (open == Open::kReadOnly) return;
      sqlite3_close(db_);
      db_ = nullptr;
    }
    connect(SQLITE_OPEN_READWRITE | (open == Open::kOrCreate ? SQLITE_OPEN_CREATE : 0));
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
    // One process at a time decides what the file is and brings it up to date
    // (another sweep may have created it since the check above).
    exec("BEGIN IMMEDIATE");
    try {
      if (check_what_it_is(open)) create_or_migrate();
      exec("COMMIT");
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  } catch (const Error& e) {
    sqlite3_close(db_);
    db_ = nullptr;
    const std::string what = e.what();
    if (what.rfind(path + ":", 0) == 0) throw;
    throw Error(path + ": not a usable lvsim results database (" + what + ")");
  }
}

ResultsDb::~ResultsDb() { sqlite3_close(db_); }

void ResultsDb::exec(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    throw Error(path_ + ": " + text + write_hint(db_));
  }
}

std::set<std::string> ResultsDb::finished() const {
  std::set<std::string> hashes;
  Statement query(db_, "SELECT config_hash FROM runs WHERE status = 'done'");
  while (query.step()) hashes.insert(query.value(0).get<std::string>());
  return hashes;
}

namespace {

// The report as stored: without its host section (so content is
// deterministic), with a summary of what optimize and the columns need.
nlohmann::json stored_report(const nlohmann::json& report_in) {
  nlohmann::json report = report_in;
  report.erase("host");
  size_t first_miss = 0;
  for (const auto& trial : report["accuracy"]["per_trial"]) {
    const size_t image = trial["images_to_target"].get<size_t>();
    if (image > 0 && (first_miss == 0 || image < first_miss)) first_miss = image;
  }
  const nlohmann::json& curve = report["accuracy"]["curve"];
  report["summary"] = {
      {"first_image_missing_target", first_miss},
      {"final_faulty_bits", curve.empty() ? 0.0 : curve.back()["faulty_bits"].get<double>()}};
  return report;
}

void insert_series(sqlite3* db, const std::string& hash, const nlohmann::json& curve) {
  Statement series(db, "INSERT INTO series VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (const auto& window : curve) {
    series.reset();
    series.bind_text(1, hash);
    int j = 2;
    for (const char* key : {"end_image", "windowed_accuracy", "windowed_accuracy_ci95",
                            "cumulative_accuracy", "cumulative_accuracy_ci95",
                            "baseline_windowed_accuracy", "faulty_bits", "faulty_bits_ci95"})
      series.bind(j++, window[key]);
    series.step();
  }
}

}  // namespace

void ResultsDb::insert_run(const nlohmann::json& report_in, int64_t point,
                           const nlohmann::json& axes,
                           const std::map<std::string, std::string>& config, double wall_seconds) {
  const nlohmann::json host = report_in.value("host", nlohmann::json::object());
  const nlohmann::json report = stored_report(report_in);
  std::string names = "config_hash, point, axes, seed, status, error";
  std::string marks = "?, ?, ?, ?, 'done', NULL";
  for (const MetricColumn& column : metric_columns()) {
    names += std::string(", ") + column.name;
    marks += ", ?";
  }
  names += ", wall_seconds, images_per_second, peak_rss_mib, config, report";
  marks += ", ?, ?, ?, ?, ?";

  exec("BEGIN IMMEDIATE");
  try {
    const std::string hash = config_hash(config);
    Statement remove(db_, "DELETE FROM series WHERE config_hash = ?");
    remove.bind_text(1, hash);
    remove.step();
    Statement insert(db_, "INSERT OR REPLACE INTO runs (" + names + ") VALUES (" + marks + ")");
    int i = 1;
    insert.bind_text(i++, hash);
    insert.bind(i++, point);
    insert.bind_text(i++, axes.dump());
    insert.bind(i++, config.count("sim.seed") ? nlohmann::json(std::stoll(config.at("sim.seed")))
                                              : nlohmann::json(nullptr));
    for (const MetricColumn& column : metric_columns()) {
      const nlohmann::json::json_pointer pointer(column.pointer);
      insert.bind(i++, report.contains(pointer) ? report.at(pointer) : nlohmann::json(nullptr));
    }
    insert.bind(i++, wall_seconds);
    insert.bind(i++, host.value("images_per_second", 0.0));
    insert.bind(i++, host.value("peak_rss_mib", 0.0));
    insert.bind_text(i++, nlohmann::json(config).dump());
    insert.bind_text(i++, report.dump());
    insert.step();
    insert_series(db_, hash, report["accuracy"]["curve"]);
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void ResultsDb::insert_failure(int64_t point, const nlohmann::json& axes,
                               const std::map<std::string, std::string>& config,
                               const std::string& error) {
  Statement insert(db_,
                   "INSERT OR REPLACE INTO runs (config_hash, point, axes, status, error, config) "
                   "VALUES (?, ?, ?, 'failed', ?, ?)");
  insert.bind_text(1, config_hash(config));
  insert.bind(2, point);
  insert.bind_text(3, axes.dump());
  insert.bind_text(4, error);
  insert.bind_text(5, nlohmann::json(config).dump());
  insert.step();
}

namespace {

// Whether `a` and `b` name one file (a link, "./x.db" and "x.db"); false when
// either does not exist.
bool same_file(const std::string& a, const std::string& b) {
  std::error_code error;
  return std::filesystem::equivalent(a, b, error) && !error;
}

}  // namespace

void ResultsDb::merge_from(const std::string& other) {
  // Attached to itself, the merge would wait on its own lock.
  if (same_file(path_, other))
    throw Error(other + ": is the database merged into (" + path_ +
                "); expected another database to merge from");
  std::set<std::string> other_columns;
  bool other_has_baselines = false;
  {
    // A clear error for a file that is not a results database. Read as it is:
    // the columns an older lvsim's lacks stay NULL here, and it may predate
    // the baselines cache.
    const ResultsDb input(other, Open::kReadOnly);
    other_columns = input.columns_of("runs");
    other_has_baselines = !input.columns_of("baselines").empty();
  }
  Statement attach(db_, "ATTACH DATABASE ? AS other");
  attach.bind_text(1, uri_of(other) + "?mode=ro");
  attach.step();
  try {
    exec("BEGIN IMMEDIATE");
    // A finished run replaces a failed attempt; finished runs already here stay.
    exec(
        "DELETE FROM runs WHERE status != 'done' AND config_hash IN "
        "(SELECT config_hash FROM other.runs WHERE status = 'done')");
    // By name: an older database lacks the later columns, a migrated one has them at the end.
    std::string names;
    for (const std::string& name : columns_of("runs"))
      if (other_columns.count(name)) names += (names.empty() ? "" : ", ") + name;
    exec("INSERT OR IGNORE INTO runs (" + names + ") SELECT " + names + " FROM other.runs");
    exec("INSERT OR IGNORE INTO series SELECT * FROM other.series");
    if (other_has_baselines) exec("INSERT OR IGNORE INTO baselines SELECT * FROM other.baselines");
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    exec("DETACH DATABASE other");
    throw;
  }
  exec("DETACH DATABASE other");
}

size_t merge_databases(const std::string& out, const std::vector<std::string>& inputs) {
  if (inputs.empty()) throw Error("merge: expected at least one database to merge from");
  for (const std::string& input : inputs) {
    std::error_code error;
    if (!std::filesystem::exists(input, error)) throw Error(input + ": no such database");
    if (same_file(input, out))
      throw Error("merge: --out " + out + " is the input " + input +
                  "; expected an output database other than the inputs");
  }
  for (const std::string& input : inputs) {
    const ResultsDb checked(input, ResultsDb::Open::kReadOnly);  // before --out is touched
  }
  std::error_code error;
  const bool created = !std::filesystem::exists(out, error);
  try {
    ResultsDb db(out);
    for (const std::string& input : inputs) db.merge_from(input);
    return db.finished().size();
  } catch (...) {
    if (created)
      for (const char* suffix : {"", "-wal", "-shm", "-journal"})
        std::filesystem::remove(out + suffix, error);
    throw;
  }
}

std::string ResultsDb::export_csv(const std::string& table, bool host_columns) const {
  if (table != "runs" && table != "series")
    throw Error("--table: unknown table '" + table + "' (expected runs or series)");
  // The swept keys become columns of their own, in first-seen order.
  std::vector<std::string> axis_keys;
  {
    Statement axes(db_, "SELECT axes FROM runs ORDER BY point, config_hash");
    while (axes.step()) {
      const nlohmann::json parsed = nlohmann::json::parse(axes.value(0).get<std::string>());
      for (const auto& [key, value] : parsed.items())
        if (std::find(axis_keys.begin(), axis_keys.end(), key) == axis_keys.end())
          axis_keys.push_back(key);
    }
  }
  const std::string sql =
      table == "runs"
          ? "SELECT * FROM runs ORDER BY point, config_hash"
          : "SELECT runs.point, runs.axes, series.* FROM series JOIN runs USING (config_hash) "
            "ORDER BY runs.point, series.config_hash, series.end_image";
  Statement query(db_, sql);
  std::vector<int> shown;
  int axes_column = -1;
  for (int i = 0; i < query.columns(); ++i) {
    const std::string name = query.name(i);
    if (name == "axes") axes_column = i;
    const bool host =
        std::find(kHostColumns.begin(), kHostColumns.end(), name) != kHostColumns.end();
    if (name == "axes" || name == "config" || name == "report" || (host && !host_columns)) continue;
    if (table == "series" && name == "config_hash" && i > 1) continue;  // from the join, twice
    shown.push_back(i);
  }
  std::ostringstream out;
  bool first = true;
  for (int i : shown) {
    out << (first ? "" : ",") << csv_field(query.name(i));
    first = false;
    if (query.name(i) == "point")
      for (const std::string& key : axis_keys) out << "," << csv_field(key);
  }
  out << "\n";
  while (query.step()) {
    const nlohmann::json axes = nlohmann::json::parse(query.value(axes_column).get<std::string>());
    first = true;
    for (int i : shown) {
      out << (first ? "" : ",") << csv_field(query.value(i));
      first = false;
      if (query.name(i) == "point")
        for (const std::string& key : axis_keys)
          out << "," << csv_field(axes.contains(key) ? axes[key] : nlohmann::json(nullptr));
    }
    out << "\n";
  }
  return out.str();
}

bool ResultsDb::find(const std::string& key, std::vector<uint8_t>& predictions) {
  Statement query(db_, "SELECT predictions FROM baselines WHERE key = ?");
  query.bind_text(1, key);
  if (!query.step()) return false;
  return query.blob(0, predictions);
}

void ResultsDb::store(const std::string& key, const std::vector<uint8_t>& predictions) {
  Statement insert(db_, "INSERT OR IGNORE INTO baselines VALUES (?, ?)");
  insert.bind_text(1, key);
  insert.bind_blob(2, predictions);
  insert.step();
}

std::vector<nlohmann::json> ResultsDb::done_runs() const {
  std::vector<nlohmann::json> runs;
  Statement query(db_, "SELECT * FROM runs WHERE status = 'done' ORDER BY point, config_hash");
  while (query.step()) {
    nlohmann::json row = nlohmann::json::object();
    for (int i = 0; i < query.columns(); ++i)
      if (query.name(i) != "report") row[query.name(i)] = query.value(i);
    runs.push_back(std::move(row));
  }
  return runs;
}

}  // namespace lvsim
