// The results database's keys and its behaviour on bad files; the sweep
// end to end (kill, resume, shards, merge) is tests/sweep_test.sh.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "sim/config.h"
#include "sim/results_db.h"
#include "sim/sweep.h"
#include "tests/support/helpers.h"

using namespace lvsim;
using Catch::Matchers::Contains;

TEST_CASE("a config hash names what determines the results, nothing else", "[sweep]") {
  const auto values = Config::load("", {}).values();
  const std::string hash = config_hash(values);
  CHECK(hash.size() == 16);
  CHECK(config_hash(values) == hash);  // stable
  // Where results go, the host thread count and the data directory do not change them.
  for (const char* key : {"report.out_dir", "sim.threads", "workload.data_dir"}) {
    auto changed = values;
    changed[key] = "elsewhere";
    CHECK(config_hash(changed) == hash);
  }
  // Every other key does.
  for (const char* key : {"fault.p", "weight_sram.vdd_v", "sim.seed", "report.window_images"}) {
    auto changed = values;
    changed[key] += "1";
    CHECK(config_hash(changed) != hash);
  }
}

TEST_CASE("shard arguments and bad database files are clear errors", "[sweep]") {
  CHECK(parse_shard("2/8") == std::pair{2, 8});
  CHECK(parse_shard("1/1") == std::pair{1, 1});
  for (const char* bad : {"0/3", "4/3", "3", "a/b", "2/", "/2", "1/2x"})
    CHECK_THROWS_WITH(parse_shard(bad), Contains("--shard") && Contains("K/N"));
  test::ScratchDir dir;
  test::write_bytes(dir.file("junk.db"), std::vector<uint8_t>(4096, 'x'));
  CHECK_THROWS_WITH(ResultsDb(dir.file("junk.db")), Contains("junk.db"));
  ResultsDb fresh(dir.file("fresh.db"));
  CHECK(fresh.finished().empty());
  CHECK(fresh.export_csv("runs", false).rfind("config_hash,point,", 0) == 0);
  CHECK_THROWS_WITH(fresh.export_csv("nope", false), Contains("runs or series"));
}

namespace {

// Runs SQL on a database file directly, as another program would.
void sql(const std::string& path, const std::string& statements) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* message = nullptr;
  const int rc = sqlite3_exec(db, statements.c_str(), nullptr, nullptr, &message);
  INFO((message ? message : ""));
  sqlite3_free(message);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

int pragma_of(const std::string& path, const std::string& name) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, ("PRAGMA " + name).c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  const int value = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : -1;
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

}  // namespace

TEST_CASE("the results database has a schema version; others' files and newer ones are refused",
          "[sweep][results_db]") {
  test::ScratchDir dir;
  { ResultsDb fresh(dir.file("fresh.db")); }
  CHECK(pragma_of(dir.file("fresh.db"), "application_id") == 0x6C76736D);
  CHECK(pragma_of(dir.file("fresh.db"), "user_version") == ResultsDb::schema_version());
  // Another program's database: refused, and left as it was.
  sql(dir.file("other.db"), "CREATE TABLE t (x); INSERT INTO t VALUES (1);");
  for (const auto open : {ResultsDb::Open::kOrCreate, ResultsDb::Open::kExisting})
    CHECK_THROWS_WITH(ResultsDb(dir.file("other.db"), open),
                      Contains("other.db: not an lvsim results database (its tables: t)"));
  CHECK(pragma_of(dir.file("other.db"), "application_id") == 0);
  sql(dir.file("other.db"), "SELECT x FROM t;");  // still there
  sql(dir.file("app.db"), "PRAGMA application_id = 42; CREATE TABLE runs (config_hash TEXT);");
  CHECK_THROWS_WITH(ResultsDb(dir.file("app.db")), Contains("another application's"));
  // Export or optimize need a database to exist already.
  CHECK_THROWS_WITH(ResultsDb(dir.file("none.db"), ResultsDb::Open::kExisting),
                    Contains("none.db: cannot open"));
  // A newer lvsim's: refused, saying what to do.
  sql(dir.file("fresh.db"), "PRAGMA user_version = 99;");
  CHECK_THROWS_WITH(ResultsDb(dir.file("fresh.db")),
                    Contains("written by a newer lvsim (results schema 99") &&
                        Contains("expected it opened by that lvsim or a newer one"));
}

namespace {

// A database as lvsim wrote it before versioning (no application id or
// version), changed by `changes` (the columns and tables it lacked), one run.
void older_database(const std::string& path, const std::string& changes) {
  { ResultsDb fresh(path); }
  sql(path, "PRAGMA application_id = 0; PRAGMA user_version = 0;" + changes +
                "INSERT INTO runs (config_hash, point, axes, status, config, accuracy) "
                "VALUES ('aaaa', 0, '{}', 'done', '{}', 0.5);");
}

}  // namespace

TEST_CASE("a database an older lvsim wrote is migrated, and merges by column name",
          "[sweep][results_db]") {
  test::ScratchDir dir;
  const std::string old_db = dir.file("old.db"), new_db = dir.file("new.db");
  // Without the metric columns added since (here two of them).
  older_database(old_db,
                 "ALTER TABLE runs DROP COLUMN weight_sram_writeback_uj;"
                 "ALTER TABLE runs DROP COLUMN refresh_every_us;");
  {
    ResultsDb migrated(old_db, ResultsDb::Open::kExisting);
    CHECK(migrated.finished() == std::set<std::string>{"aaaa"});
    const std::set<std::string> columns = migrated.columns_of("runs");
    CHECK(columns.count("weight_sram_writeback_uj") == 1);
    CHECK(columns.count("refresh_every_us") == 1);
    CHECK_THAT(migrated.export_csv("runs", false), Contains("aaaa,0,"));
  }
  CHECK(pragma_of(old_db, "user_version") == ResultsDb::schema_version());
  CHECK(pragma_of(old_db, "application_id") == 0x6C76736D);
  // Its added columns sit at the end: a merge with a fresh database matches them by name.
  {
    ResultsDb fresh(new_db);
    fresh.merge_from(old_db);
    CHECK(fresh.finished() == std::set<std::string>{"aaaa"});
    const std::vector<nlohmann::json> runs = fresh.done_runs();
    REQUIRE(runs.size() == 1);
    CHECK(runs[0]["accuracy"] == 0.5);
    CHECK(runs[0]["weight_sram_writeback_uj"].is_null());
  }
}

namespace {

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("a refused database keeps every byte, and a refused merge leaves no output",
          "[sweep][results_db]") {
  test::ScratchDir dir;
  const std::string foreign = dir.file("foreign.db"), newer = dir.file("newer.db"),
                    good = dir.file("good.db"), out = dir.file("out.db");
  sql(foreign, "CREATE TABLE t (x); INSERT INTO t VALUES (1);");
  { ResultsDb fresh(newer); }
  sql(newer, "PRAGMA user_version = 99;");
  { ResultsDb fresh(good); }
  for (const std::string& path : {foreign, newer}) {
    INFO(path);
    const std::string before = file_bytes(path);
    REQUIRE(!before.empty());
    // Once switched to WAL and its change counter bumped before the refusal.
    for (const auto open :
         {ResultsDb::Open::kOrCreate, ResultsDb::Open::kExisting, ResultsDb::Open::kReadOnly})
      CHECK_THROWS_WITH(ResultsDb(path, open), Contains(path + ": "));
    CHECK_THROWS_WITH(merge_databases(out, {good, path}), Contains(path + ": "));
    CHECK(!std::filesystem::exists(out));  // the inputs are checked before it is created
    CHECK_THROWS_WITH(merge_databases(path, {good}), Contains(path + ": "));
    CHECK(file_bytes(path) == before);
  }
  CHECK(file_bytes(foreign).substr(0, 16) == std::string("SQLite format 3\0", 16));
}

TEST_CASE("merging a database into itself is refused at once, by any spelling of its path",
          "[sweep][results_db]") {
  test::ScratchDir dir;
  const std::string good = dir.file("good.db"), link = dir.file("link.db");
  { ResultsDb fresh(good); }
  std::filesystem::create_symlink(good, link);
  const std::string before = file_bytes(good);
  const auto start = std::chrono::steady_clock::now();
  for (const std::string& input : {good, link, (dir.path() / "." / "good.db").string()})
    CHECK_THROWS_WITH(merge_databases(good, {input}),
                      Contains("merge: --out " + good + " is the input " + input) &&
                          Contains("expected an output database other than the inputs"));
  {
    ResultsDb db(good);
    CHECK_THROWS_WITH(db.merge_from(link), Contains("is the database merged into"));
  }
  // Not the 60 s busy timeout on its own lock.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  CHECK(file_bytes(good) == before);
}

TEST_CASE("read-only opens never write: an older lvsim's database is exported and merged as it is",
          "[sweep][results_db]") {
  test::ScratchDir dir;
  const std::string old_db = dir.file("old.db"), merged = dir.file("merged.db");
  older_database(old_db, "ALTER TABLE runs DROP COLUMN refresh_every_us; DROP TABLE baselines;");
  const std::string before = file_bytes(old_db);
  {
    const ResultsDb read_only(old_db, ResultsDb::Open::kReadOnly);
    CHECK(read_only.columns_of("runs").count("refresh_every_us") == 0);
    CHECK_THAT(read_only.export_csv("runs", false), Contains("aaaa,0,"));
  }
  CHECK(merge_databases(merged, {old_db}) == 1);
  CHECK(file_bytes(old_db) == before);
  CHECK(pragma_of(old_db, "user_version") == 0);
  ResultsDb result(merged, ResultsDb::Open::kReadOnly);
  const std::vector<nlohmann::json> runs = result.done_runs();
  REQUIRE(runs.size() == 1);
  CHECK(runs[0]["accuracy"] == 0.5);
  CHECK(runs[0]["refresh_every_us"].is_null());
}
