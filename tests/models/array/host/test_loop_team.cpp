// The host engine's team of threads (models/array/host/loop_team.h): every
// item of every loop runs once, the late helper and the team's own threads
// take items, and help() returns when the driver's epoch ends.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <random>
#include <thread>
#include <vector>

#include "models/array/host/loop_team.h"

using namespace lvsim;

namespace {

// Waits up to 10 s for `flag` (a test that fails must not hang).
bool wait_for(const std::atomic<bool>& flag) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!flag.load() && std::chrono::steady_clock::now() < until) std::this_thread::yield();
  return flag.load();
}

}  // namespace

TEST_CASE("a loop team runs every item of every loop once", "[host]") {
  for (int threads : {2, 3, 4}) {
    LoopTeam team(threads);
    CHECK(team.threads() == threads);
    const std::vector<int> sizes = {0, 1, 2, 7, 64, 1000, 3};
    std::vector<std::vector<std::atomic<int>>> runs;
    for (int size : sizes) runs.emplace_back(static_cast<size_t>(size));
    std::vector<std::atomic<int>> by_thread(static_cast<size_t>(threads));
    team.start_epoch();
    std::thread driver([&] {
      for (size_t loop = 0; loop < sizes.size(); ++loop)
        team.run(sizes[loop], [&](size_t thread, int item) {
          runs[loop][static_cast<size_t>(item)].fetch_add(1);
          by_thread[thread].fetch_add(1);
          std::this_thread::sleep_for(std::chrono::microseconds(20));
        });
      team.end_epoch();
    });
    team.help();  // returns once the driver's epoch is over
    driver.join();
    for (size_t loop = 0; loop < sizes.size(); ++loop)
      for (const std::atomic<int>& count : runs[loop]) CHECK(count.load() == 1);
    int total = 0;
    for (const std::atomic<int>& count : by_thread) total += count.load();
    CHECK(total == 1077);
  }
}

TEST_CASE("the late helper and the team's own threads take items", "[host]") {
  SECTION("the helper joins a loop already running") {
    LoopTeam team(2);
    std::atomic<bool> helper_took{false}, driver_waited{false};
    team.start_epoch();
    std::thread driver([&] {
      team.run(2, [&](size_t thread, int) {
        if (thread == 1) helper_took = true;
        // The driver's item waits for the helper's: the helper must take the other.
        if (thread == 0) driver_waited = wait_for(helper_took);
      });
      team.end_epoch();
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // joins late
    team.help();
    driver.join();
    CHECK(helper_took.load());
    CHECK(driver_waited.load());
  }
  SECTION("a team of three shares with its own thread before the helper comes") {
    LoopTeam team(3);
    std::atomic<bool> own_took{false}, driver_waited{false};
    team.start_epoch();
    team.run(2, [&](size_t thread, int) {
      if (thread == 2) own_took = true;
      if (thread == 0) driver_waited = wait_for(own_took);
    });
    team.end_epoch();
    team.help();  // the epoch is over: returns at once
    CHECK(own_took.load());
    CHECK(driver_waited.load());
  }
}

TEST_CASE("a loop team stays exact over many epochs joined at any moment", "[host]") {
  // The engine's pattern: an epoch of loops driven by one thread, the helper
  // joining after work of its own of any length, epoch after epoch.
  for (int threads : {2, 3}) {
    LoopTeam team(threads);
    std::mt19937 rng(static_cast<unsigned>(threads));
    for (int epoch = 0; epoch < 200; ++epoch) {
      std::vector<int> sizes(1 + rng() % 6);
      for (int& size : sizes) size = static_cast<int>(rng() % 40);
      const auto helper_delay = std::chrono::microseconds(rng() % 300);
      std::vector<std::vector<std::atomic<int>>> runs;
      for (int size : sizes) runs.emplace_back(static_cast<size_t>(size));
      team.start_epoch();
      std::thread driver([&] {
        for (size_t loop = 0; loop < sizes.size(); ++loop)
          team.run(sizes[loop],
                   [&](size_t, int item) { runs[loop][static_cast<size_t>(item)].fetch_add(1); });
        team.end_epoch();
      });
      std::this_thread::sleep_for(helper_delay);
      team.help();
      driver.join();
      for (size_t loop = 0; loop < sizes.size(); ++loop)
        for (const std::atomic<int>& count : runs[loop]) REQUIRE(count.load() == 1);
    }
  }
}
