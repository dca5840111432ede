// What a run writes (sim/report.h): the accuracy curve as CSV, and files
// written whole or not at all.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "sim/report.h"
#include "tests/support/helpers.h"
#include "workloads/common/error.h"

using namespace lvsim;
using Catch::Matchers::Contains;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("the accuracy curve as CSV: a header and a row per window", "[report]") {
  AccuracyCurve curve;
  CurvePoint point;
  point.end_image = 100;
  point.windowed = {0.97, 0.01};
  point.cumulative = {0.975, 0.005};
  point.baseline_windowed = 0.98;
  point.faulty_bits = {12.5, 1.5};
  curve.points = {point};
  CHECK(curve_csv(curve) ==
        "end_image,windowed_accuracy,windowed_accuracy_ci95,cumulative_accuracy,"
        "cumulative_accuracy_ci95,baseline_windowed_accuracy,faulty_bits,faulty_bits_ci95\n"
        "100,0.97,0.01,0.975,0.005,0.98,12.5,1.5\n");
}

TEST_CASE("a report is written whole, its directory made, an earlier one replaced", "[report]") {
  test::ScratchDir dir;
  const std::string path = dir.file("run/a/report.json");
  write_file_atomically(path, "first");
  CHECK(read_text(path) == "first");
  write_file_atomically(path, "second");
  CHECK(read_text(path) == "second");
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));  // the temporary is renamed, not left
  // A directory that cannot be made (a file is in the way) is one error naming it.
  test::write_bytes(dir.file("blocked"), {'x'});
  CHECK_THROWS_WITH(write_file_atomically(dir.file("blocked/report.json"), "text"),
                    Contains(dir.file("blocked")) && Contains("cannot"));
}
