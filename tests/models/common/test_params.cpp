// Declared parameters (models/common/params.h): one declaration gives the struct's
// default, the parsing and range checks of its configuration text, and the
// check of a struct built in code.
#include <catch2/catch.hpp>
#include <string>
#include <utility>

#include "models/array/mac_array.h"
#include "models/common/params.h"

using namespace lvsim;
using Catch::Matchers::Contains;

namespace {

// A small struct with one declaration of each kind, to test the machinery itself.
struct Knobs {
  int count{};
  uint64_t bytes{};
  double volts{};
  bool enabled{};
  std::string mode;
  double level{};
  std::string preset;
  double speed{};

  Knobs() { table().apply_defaults(*this); }
  static const ParamTable<Knobs>& table() {
    static const ParamTable<Knobs> table = [] {
      ParamTable<Knobs> t;
      t.integer("knobs.count", &Knobs::count, 3, 1, 9).help("a count");
      t.integer("knobs.size_kib", &Knobs::bytes, 2, 1, 64, 1024).unit("KiB").help("a size");
      t.number("knobs.volts", &Knobs::volts, 0.0718, 0.01, 5.0).unit("V").help("a voltage");
      t.boolean("knobs.enabled", &Knobs::enabled, true).help("a switch");
      t.choice<std::string>("knobs.mode", &Knobs::mode, "b", {{"a", "a"}, {"b", "b"}})
          .help("a choice");
      t.preset("knobs.preset", &Knobs::preset, "slow", {"slow", "fast"},
               [](Knobs& k, const std::string& name) {
                 k.preset = name;
                 k.speed = name == "fast" ? 10.0 : 1.0;
               })
          .help("a preset");
      t.number("knobs.speed", &Knobs::speed, 1.0, 0.0, 100.0)
          .or_preset("knobs.preset")
          .help("the preset's, or this");
      return t;
    }();
    return table;
  }
};

void parse(Knobs& knobs, const std::string& key, const std::string& text) {
  const auto* entry = Knobs::table().find(key);
  REQUIRE(entry != nullptr);
  entry->parse(knobs, text);
}

}  // namespace

TEST_CASE("a declaration gives the struct its default and reads its text", "[params]") {
  Knobs knobs;
  CHECK(knobs.count == 3);
  CHECK(knobs.bytes == 2048);  // 2 KiB in the member's unit
  CHECK(knobs.volts == 0.0718);
  CHECK(knobs.enabled);
  CHECK(knobs.mode == "b");
  CHECK(knobs.preset == "slow");
  CHECK(knobs.speed == 1.0);
  parse(knobs, "knobs.count", "9");
  parse(knobs, "knobs.size_kib", "64");
  parse(knobs, "knobs.enabled", "off");
  CHECK(knobs.count == 9);
  CHECK(knobs.bytes == 65536);
  CHECK_FALSE(knobs.enabled);
  // A preset sets its members; a later key overrides one, an empty one keeps it.
  parse(knobs, "knobs.preset", "fast");
  parse(knobs, "knobs.speed", "");
  CHECK(knobs.speed == 10.0);
  parse(knobs, "knobs.speed", "42");
  CHECK(knobs.speed == 42.0);
  const auto* size = Knobs::table().find("knobs.size_kib");
  CHECK(size->format(knobs) == "64");
  CHECK(size->info.allowed == "1 to 64 KiB");
  CHECK(Knobs::table().find("knobs.mode")->info.allowed == "a or b");
}

TEST_CASE("a declaration refuses text it does not allow, naming its key", "[params]") {
  Knobs knobs;
  const std::pair<const char*, const char*> bad[] = {
      {"knobs.count", "0"},       {"knobs.count", "10"},    {"knobs.count", "3x"},
      {"knobs.count", ""},        {"knobs.size_kib", "65"}, {"knobs.volts", "nan"},
      {"knobs.volts", "inf"},     {"knobs.volts", "0.001"}, {"knobs.volts", "1 V"},
      {"knobs.enabled", "maybe"}, {"knobs.mode", "c"},      {"knobs.preset", "warp"},
      {"knobs.speed", "-1"}};
  for (const auto& [key, text] : bad) {
    INFO(key << " = '" << text << "'");
    CHECK_THROWS_AS(parse(knobs, key, text), ParameterError);
    try {
      parse(knobs, key, text);
    } catch (const ParameterError& error) {
      CHECK(Knobs::table().owner(error) == Knobs::table().find(key));
      CHECK(std::string(error.what()).find(key) == 0);
    }
  }
  CHECK_THROWS_WITH(parse(knobs, "knobs.count", "0"),
                    Contains("knobs.count: expected an integer in [1, 9]"));
  CHECK_THROWS_WITH(parse(knobs, "knobs.mode", "c"), Contains("expected one of a b"));
}

TEST_CASE("a struct built in code is checked against the same declarations", "[params]") {
  Knobs knobs;
  CHECK_NOTHROW(Knobs::table().check(knobs));
  knobs.volts = 7.0;
  CHECK_THROWS_WITH(Knobs::table().check(knobs), Contains("knobs.volts"));
  knobs.volts = 1.0;
  knobs.bytes = 64;  // finer than the text's unit can say: allowed in code
  CHECK_NOTHROW(Knobs::table().check(knobs));
  knobs.bytes = 0;
  CHECK_THROWS(Knobs::table().check(knobs));

  MacArrayParams array;
  array.rows = 0;
  CHECK_THROWS_WITH(MacArrayParams::table().check(array), Contains("mac_array.rows"));
}
