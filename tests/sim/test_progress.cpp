// The progress line (sim/progress.h): what it draws on stderr, and nothing at
// all when it is off.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "sim/progress.h"
#include "tests/support/helpers.h"

using namespace lvsim;
using Catch::Matchers::Contains;
using Catch::Matchers::EndsWith;
using Catch::Matchers::StartsWith;

namespace {

// What `work` writes on stderr, caught in a file.
template <typename Work>
std::string stderr_of(Work work) {
  test::ScratchDir dir;
  const std::string path = dir.file("stderr");
  std::fflush(stderr);
  const int saved = dup(STDERR_FILENO);
  const int file = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(saved >= 0);
  REQUIRE(file >= 0);
  dup2(file, STDERR_FILENO);
  close(file);
  work();
  std::fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("a progress line draws done/total and clears itself, and draws nothing when off",
          "[progress]") {
  const std::string drawn = stderr_of([] {
    CHECK_FALSE(ProgressLine::stderr_is_terminal());  // a file
    ProgressLine line("images", true);
    line.update(5, 10);
    line.update(10, 10);  // the last always draws
  });                     // and the line is cleared when it goes
  CHECK_THAT(drawn, StartsWith("\r       5/10 images   50.0 %"));
  CHECK_THAT(drawn, Contains("\r      10/10 images  100.0 %"));
  CHECK_THAT(drawn, EndsWith("\r\033[K"));
  const std::string silent = stderr_of([] {
    ProgressLine line("images", false);
    line.update(5, 10);
    line.finish();
  });
  CHECK(silent.empty());
}
