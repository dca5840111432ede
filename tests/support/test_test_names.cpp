// The test cases' names as ctest meets them. catch_discover_tests (Catch2 v2)
// passes the names through a CMake list: a '[' or ']' in one swallows the
// names after it (ctest would silently lose those tests), and a ';' cuts one
// in two names that match no test (ctest would pass them without running
// them, unless tests/CMakeLists.txt runs the case under a name of its own).
#include <catch2/catch.hpp>
#include <set>
#include <string>

TEST_CASE("every test case's name survives ctest's test discovery", "[tests]") {
  const std::set<std::string> run_by_name_in_cmake = {
      "npy: images in either layout become HWC; labels of any integer type",
      "the results database has a schema version; others' files and newer ones are refused"};
  const auto& tests = Catch::getRegistryHub().getTestCaseRegistry().getAllTests();
  CHECK(tests.size() > 100);
  for (const Catch::TestCase& test : tests) {
    const std::string& name = test.getTestCaseInfo().name;
    INFO(name);
    CHECK(name.find_first_of("[]") == std::string::npos);
    if (name.find(';') != std::string::npos) CHECK(run_by_name_in_cmake.count(name) == 1);
  }
}
