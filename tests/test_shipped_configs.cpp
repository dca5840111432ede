// The configurations shipped in configs/: default.ini is what the key
// declarations write, and every file parses and validates as a run would
// read it.
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <string>

#include "sim/config.h"
#include "sim/settings.h"

using namespace lvsim;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("configs/default.ini is what the declarations write, and states every default",
          "[config]") {
  const std::string path = std::string(LVSIM_SOURCE_DIR) + "/configs/default.ini";
  INFO("regenerate with scripts/update-key-docs");
  CHECK(read_text(path) == keys_ini());
  const Config file = Config::load(path, {});
  for (const ParamInfo& key : config_params()) {
    INFO(key.key);
    CHECK(file.get(key.key) == key.default_text);
    CHECK(file.source(key.key) != "default");  // every key is written out in the file
  }
}

TEST_CASE("every shipped config is valid", "[config]") {
  for (const char* name : {"default.ini", "fashion_mnist.ini"}) {
    INFO(name);
    const Config config = Config::load(std::string(LVSIM_SOURCE_DIR) + "/configs/" + name, {});
    CHECK_NOTHROW(settings_from(config));
  }
}
