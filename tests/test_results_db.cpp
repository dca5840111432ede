// The results database's keys and its behaviour on bad files; the sweep
// end to end (kill, resume, shards, merge) is tests/sweep_test.sh.
#include <catch2/catch.hpp>

#include "sim/config.h"
#include "sim/results_db.h"
#include "sim/sweep.h"
#include "tests/helpers.h"

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
