// Where a run's files go (sim/output_dir.h): the directory proved writable
// before the run, and the files written as one unit or not at all.
#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include "sim/output_dir.h"
#include "tests/support/helpers.h"
#include "workloads/common/error.h"

using namespace lvsim;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::set<std::string> names_in(const fs::path& dir) {
  std::set<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir))
    names.insert(entry.path().filename().string());
  return names;
}

// A file-size limit of `bytes` for this process, as `ulimit -f` sets it, with
// SIGXFSZ ignored as main() ignores it; both restored at the end of the scope.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved_);
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &limit);
    saved_handler_ = std::signal(SIGXFSZ, SIG_IGN);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, saved_handler_);
  }

 private:
  rlimit saved_{};
  void (*saved_handler_)(int) = nullptr;
};

}  // namespace

TEST_CASE("a report is written whole, its directory made, an earlier one replaced", "[report]") {
  test::ScratchDir dir;
  const std::string path = dir.file("run/a/report.json");
  write_file_atomically(path, "first");
  CHECK(read_text(path) == "first");
  write_file_atomically(path, "second");
  CHECK(read_text(path) == "second");
  CHECK(names_in(dir.file("run/a")) == std::set<std::string>{"report.json"});  // no temporary
  // A directory that cannot be made (a file is in the way) is one error naming it.
  test::write_bytes(dir.file("blocked"), {'x'});
  CHECK_THROWS_WITH(write_file_atomically(dir.file("blocked/report.json"), "text"),
                    Contains(dir.file("blocked")) && Contains("cannot"));
}

TEST_CASE("a run's files are replaced together and an earlier run's stale page removed",
          "[report]") {
  test::ScratchDir dir;
  write_files_atomically(dir.file("out"), {{"curve.csv", "c1"}, {"report.json", "r1"}});
  test::write_bytes(dir.file("out/report.html"), {'<'});
  write_files_atomically(dir.file("out"), {{"curve.csv", "c2"}, {"report.json", "r2"}},
                         {"report.html"});
  CHECK(read_text(dir.file("out/curve.csv")) == "c2");
  CHECK(read_text(dir.file("out/report.json")) == "r2");
  CHECK(names_in(dir.file("out")) == std::set<std::string>{"curve.csv", "report.json"});
  // A stale name that is not there is no error.
  CHECK_NOTHROW(write_files_atomically(dir.file("out"), {{"report.json", "r3"}}, {"report.html"}));
}

TEST_CASE("a write that does not fit leaves the earlier files as they were and no temporary",
          "[report]") {
  test::ScratchDir dir;
  write_files_atomically(dir.file("out"), {{"curve.csv", "old curve"}, {"report.json", "old"}});
  test::write_bytes(dir.file("out/report.html"), {'<'});
  {
    const FileSizeLimit limit(4096);  // the curve fits, the report does not: EFBIG
    CHECK_THROWS_WITH(
        write_files_atomically(
            dir.file("out"), {{"curve.csv", "new curve"}, {"report.json", std::string(8192, 'x')}},
            {"report.html"}),
        Contains(dir.file("out/report.json") + ": cannot write (File too large)") &&
            Contains("nothing in " + dir.file("out") + " was changed"));
  }
  CHECK(read_text(dir.file("out/curve.csv")) == "old curve");
  CHECK(read_text(dir.file("out/report.json")) == "old");
  CHECK(names_in(dir.file("out")) ==
        std::set<std::string>{"curve.csv", "report.json", "report.html"});
}

TEST_CASE("the output directory is made and proved writable before a run, or refused", "[report]") {
  test::ScratchDir dir;
  {
    const OutputDir out(dir.file("a/b"));
    CHECK(fs::is_directory(dir.file("a/b")));
    CHECK(names_in(dir.file("a/b")).empty());  // the probe is removed again
  }
  // Not committed (the run failed): the directories it made are removed again.
  CHECK_FALSE(fs::exists(dir.file("a")));
  {
    OutputDir out(dir.file("a/b"));
    out.commit({{"report.json", "r"}}, {});
  }
  CHECK(read_text(dir.file("a/b/report.json")) == "r");
  // A directory that was there before stays, even empty.
  fs::create_directories(dir.file("kept"));
  { const OutputDir out(dir.file("kept")); }
  CHECK(fs::is_directory(dir.file("kept")));

  test::write_bytes(dir.file("file"), {'x'});
  for (const std::string& bad : {dir.file("file"), std::string("/dev/full")})
    CHECK_THROWS_WITH(OutputDir(bad), Contains("output directory " + bad) &&
                                          Contains("expected a directory lvsim can create and "
                                                   "write report.json and curve.csv in") &&
                                          Contains(bad + " is not a directory"));
  CHECK_THROWS_WITH(OutputDir(dir.file("file/sub")),
                    Contains("cannot create it (Not a directory)"));
}
