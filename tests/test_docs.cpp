// The documentation against the code: the README's key reference is what the
// declarations write.
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <string>

#include "sim/settings.h"

using namespace lvsim;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("the README's key table is what the declarations write", "[config]") {
  const std::string readme = read_text(std::string(LVSIM_SOURCE_DIR) + "/README.md");
  const std::string begin = "<!-- keys:begin -->\n", end = "<!-- keys:end -->";
  const size_t start = readme.find(begin), stop = readme.find(end);
  REQUIRE(start != std::string::npos);
  REQUIRE(stop != std::string::npos);
  INFO("regenerate with scripts/update-key-docs");
  CHECK(readme.substr(start + begin.size(), stop - start - begin.size()) == keys_markdown());
  for (const ParamInfo& key : config_params()) {
    INFO(key.key);
    const std::string shown = key.default_text.empty() ? "(empty)" : "`" + key.default_text + "`";
    CHECK(readme.find("| `" + key.key + "` | " + shown + " |") != std::string::npos);
  }
}
