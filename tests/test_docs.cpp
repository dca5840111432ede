// The documentation against the code: the README's key reference is what the
// declarations write, and every repository path README.md and docs/*.md name
// exists.
#include <glob.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "sim/settings.h"
#include "workloads/formats/onnx.h"

using namespace lvsim;
namespace fs = std::filesystem;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The repository's folders a path in the documentation starts with.
const char* const kFolders[] = {"models/",  "workloads/", "sim/",  "tests/", "scripts/",
                                "configs/", "analysis/",  "docs/", ".ci/"};

// Files the documentation shows for the reader to write (the README's new
// fault model in "A new model in code"), not files the repository holds.
const std::set<std::string> kExamplesToWrite = {"models/weight_sram/fault_models/exponential.cpp"};

bool in_path(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("_./*?-+<>$", c);
}

struct NamedPath {
  size_t line;
  std::string path;
};

// The words of `text` that start with a repository folder at a word's start
// ("sim/config.{h,cpp}", "configs/*.ini", "models/<name>.cpp", "sim/run"),
// without a sentence's final full stop, and their lines.
std::vector<NamedPath> repository_paths(const std::string& text) {
  std::vector<NamedPath> paths;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i > 0 &&
        (std::isalnum(static_cast<unsigned char>(text[i - 1])) || std::strchr("_./-", text[i - 1])))
      continue;
    const bool starts = std::any_of(
        std::begin(kFolders), std::end(kFolders),
        [&](const char* folder) { return text.compare(i, std::strlen(folder), folder) == 0; });
    if (!starts) continue;
    size_t end = i;
    for (int braces = 0; end < text.size(); ++end) {
      const char c = text[end];
      if (c == '{') {
        ++braces;
      } else if (c == '}' && braces > 0) {
        --braces;
      } else if (!(c == ',' && braces > 0) && !in_path(c)) {
        break;
      }
    }
    std::string path = text.substr(i, end - i);
    while (!path.empty() && path.back() == '.') path.pop_back();
    paths.push_back(
        {static_cast<size_t>(std::count(text.begin(), text.begin() + i, '\n')) + 1, path});
    i = end;
  }
  return paths;
}

// "a.{h,cpp}" -> "a.h", "a.cpp"; each brace pair in turn.
std::vector<std::string> expand_braces(const std::string& path) {
  const size_t open = path.find('{'), close = path.find('}', open);
  if (open == std::string::npos || close == std::string::npos) return {path};
  std::vector<std::string> expanded;
  const std::string choices = path.substr(open + 1, close - open - 1);
  for (size_t begin = 0;;) {
    const size_t comma = choices.find(',', begin);
    const std::string choice = choices.substr(begin, comma - begin);
    for (const std::string& rest :
         expand_braces(path.substr(0, open) + choice + path.substr(close + 1)))
      expanded.push_back(rest);
    if (comma == std::string::npos) break;
    begin = comma + 1;
  }
  return expanded;
}

// A placeholder (<name>, $m) or what a run writes (results/, build/).
bool placeholder_or_output(const std::string& path) {
  if (path.find_first_of("<>$") != std::string::npos) return true;
  for (const fs::path& part : fs::path(path))
    if (part == "results" || part == "build") return true;
  return false;
}

// The README's generated block NAME, between <!-- NAME:begin --> and <!-- NAME:end -->.
std::string readme_block(const std::string& name) {
  const std::string readme = read_text(std::string(LVSIM_SOURCE_DIR) + "/README.md");
  const std::string begin = "<!-- " + name + ":begin -->\n", end = "<!-- " + name + ":end -->";
  const size_t start = readme.find(begin), stop = readme.find(end);
  REQUIRE(start != std::string::npos);
  REQUIRE(stop != std::string::npos);
  return readme.substr(start + begin.size(), stop - start - begin.size());
}

// `path` names something in the repository: a file or folder, at least one
// match of a glob, or the stem of files ("sim/config" for sim/config.{h,cpp},
// an output prefix such as "workloads/networks/onnx/lenet5").
bool names_something(const fs::path& root, const std::string& path) {
  if (path.find_first_of("*?[") != std::string::npos) {
    glob_t matches{};
    const int status = glob((root / path).c_str(), 0, nullptr, &matches);
    const bool found = status == 0 && matches.gl_pathc > 0;
    globfree(&matches);
    return found;
  }
  const fs::path full = root / path;
  if (fs::exists(full)) return true;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(full.parent_path(), error))
    if (entry.path().filename().string().rfind(full.filename().string() + ".", 0) == 0) return true;
  return false;
}

}  // namespace

TEST_CASE("the README's key table is what the declarations write", "[config]") {
  const std::string readme = read_text(std::string(LVSIM_SOURCE_DIR) + "/README.md");
  INFO("regenerate with scripts/update-key-docs");
  CHECK(readme_block("keys") == keys_markdown());
  for (const ParamInfo& key : config_params()) {
    INFO(key.key);
    const std::string shown = key.default_text.empty() ? "(empty)" : "`" + key.default_text + "`";
    CHECK(readme.find("| `" + key.key + "` | " + shown + " |") != std::string::npos);
  }
}

TEST_CASE("every repository path the README and docs/ name exists", "[docs]") {
  const fs::path root = LVSIM_SOURCE_DIR;
  std::vector<fs::path> documents = {root / "README.md"};
  for (const auto& entry : fs::directory_iterator(root / "docs"))
    if (entry.path().extension() == ".md") documents.push_back(entry.path());
  std::sort(documents.begin() + 1, documents.end());
  std::vector<std::string> missing;
  size_t checked = 0;
  for (const fs::path& document : documents)
    for (const auto& [line, named] : repository_paths(read_text(document.string()))) {
      if (placeholder_or_output(named) || kExamplesToWrite.count(named)) continue;
      for (const std::string& path : expand_braces(named)) {
        ++checked;
        if (!names_something(root, path))
          missing.push_back(fs::relative(document, root).string() + ":" + std::to_string(line) +
                            ": " + path + (path == named ? "" : " (of " + named + ")"));
      }
    }
  CHECK(checked > 100);  // the search found the documentation's paths
  std::string report;
  for (const std::string& line : missing) report += "\n  " + line;
  INFO("paths named in the documentation that the repository lacks:" << report);
  CHECK(missing.empty());
}

TEST_CASE("the README's ONNX operator table is what the importer's table writes",
          "[config][onnx]") {
  const std::string readme = read_text(std::string(LVSIM_SOURCE_DIR) + "/README.md");
  INFO("regenerate with scripts/update-key-docs");
  CHECK(readme_block("onnx-operators") == onnx_operators_markdown());
  // One row per operator, each with something said of it.
  for (const OnnxOperator& op : onnx_operators()) {
    INFO(op.name);
    CHECK(!op.support.empty());
    CHECK(readme.find("| `" + op.name + "` | ") != std::string::npos);
  }
}
