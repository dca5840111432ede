// The results database of sweeps: one SQLite file (WAL mode) with
//   runs    one row per finished point: the config hash (the key), the point's
//           index and swept values, the full resolved config, the seed, the
//           status, host timings, every summary metric as a column, and the
//           whole report (JSON, host section left out so content is
//           deterministic);
//   series  the accuracy curve of each run: windowed and cumulative accuracy,
//           the fault-free reference and the faulty-bit count per window.
// A run and its series are written in one transaction, so a killed sweep
// leaves either the whole point or nothing. `lvsim optimize` adds the tables
// refresh_limits, pareto and operating_point. The table baselines is a cache of
// fault-free reference predictions (by baseline_key), shared by the workers.
// The file says what it is: PRAGMA application_id 0x6C76736D ("lvsm") and
// PRAGMA user_version, the schema version (ResultsDb::schema_version()).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "sim/run.h"

struct sqlite3;

namespace lvsim {

// A stable 64-bit FNV-1a hash (hex) of the resolved configuration that
// determines a run's results: every key except where results are written, the
// host thread count and the data directory (which may differ between hosts).
std::string config_hash(const std::map<std::string, std::string>& values);

class ResultsDb : public BaselineCache {
 public:
  // kOrCreate: creates the file and schema if needed (sweep, merge's output);
  // kExisting: the file must be a results database already, and is written
  // (optimize stores its tables in it); kReadOnly: the same, opened read-only
  // and never written (export, merge's inputs). Every way a file another
  // program wrote is refused, one a newer lvsim wrote (a higher schema
  // version) too, both decided on a read-only connection so that a refused
  // file keeps every byte; one an older lvsim wrote is migrated to this schema
  // (the metrics it lacks NULL), except read-only, where it is read as it is.
  enum class Open { kOrCreate, kExisting, kReadOnly };
  explicit ResultsDb(const std::string& path, Open open = Open::kOrCreate);
  static int schema_version();  // PRAGMA user_version of the databases this lvsim writes
  ~ResultsDb() override;
  ResultsDb(const ResultsDb&) = delete;
  ResultsDb& operator=(const ResultsDb&) = delete;

  const std::string& path() const { return path_; }
  // Hashes of the runs finished with status "done".
  std::set<std::string> finished() const;
  // Stores one point: its report (report_json's output), index, swept values
  // and resolved config, in a single transaction. Replaces an earlier failed
  // attempt of the same config.
  void insert_run(const nlohmann::json& report, int64_t point, const nlohmann::json& axes,
                  const std::map<std::string, std::string>& config, double wall_seconds);
  // Records a point that stopped with an error (status "failed", the message).
  void insert_failure(int64_t point, const nlohmann::json& axes,
                      const std::map<std::string, std::string>& config, const std::string& error);
  // Copies every run (and its series) of `other` that this database lacks;
  // `other` is opened read-only and must be another file than this one.
  void merge_from(const std::string& other);
  // The runs table (or series) as CSV, rows by point then end_image; swept
  // keys as columns. Without host columns the output is deterministic.
  std::string export_csv(const std::string& table, bool host_columns) const;
  // Every done run as a JSON object of its columns (for optimize).
  std::vector<nlohmann::json> done_runs() const;
  void exec(const std::string& sql);
  std::set<std::string> columns_of(const std::string& table) const;
  sqlite3* handle() const { return db_; }

  // BaselineCache: the reference predictions by baseline_key.
  bool find(const std::string& key, std::vector<uint8_t>& predictions) override;
  void store(const std::string& key, const std::vector<uint8_t>& predictions) override;

 private:
  void connect(int flags);
  bool check_what_it_is(Open open) const;
  int pragma(const std::string& name) const;
  void create_or_migrate();
  std::string path_;
  sqlite3* db_ = nullptr;
};

// `lvsim merge --out OUT INPUT...`: every input checked (read-only) before
// OUT is created or written; an input that is OUT itself (by any path
// spelling or link) refused at once; an OUT this call created removed again
// when the merge fails. Returns the finished runs OUT holds.
size_t merge_databases(const std::string& out, const std::vector<std::string>& inputs);

// The summary metrics stored as columns of `runs`: name and JSON pointer into
// the report.
struct MetricColumn {
  const char* name;
  const char* pointer;
};
const std::vector<MetricColumn>& metric_columns();

}  // namespace lvsim
