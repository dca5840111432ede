// The threads that share the host engine's arithmetic (host_engine.h): a
// simulator speed device, not hardware. The engine's worker thread drives
// each layer's loop over its items (chunks of images, blocks of rows); the
// team's own extra threads take items from the start, and the calling thread
// (the SystemC thread) joins once it has read the next epoch's weights. A
// thread takes the next item left until none is, so no core waits for the
// reads and none spins while they run: OpenMP's idle threads spin for
// milliseconds, which on two cores took a third of the reading thread's core.
// Each item's result depends only on the item, never on who computes it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace lvsim {

class LoopTeam {
 public:
  using Work = std::function<void(size_t thread, int item)>;

  // A team of `threads` (at least 2): the driver (thread 0), the helper that
  // joins late (thread 1) and threads - 2 threads of its own (2 and up).
  explicit LoopTeam(int threads);
  LoopTeam(const LoopTeam&) = delete;
  LoopTeam& operator=(const LoopTeam&) = delete;
  ~LoopTeam();

  int threads() const { return static_cast<int>(extras_.size()) + 2; }
  // The driver: work(thread, item) for items [0, items), each once, on the
  // driver and whichever helpers are there; returns when all are done.
  void run(int items, const Work& work);
  // Before the driver starts an epoch; then help() helps until end_epoch().
  void start_epoch();
  void end_epoch();
  // The late helper: takes items of every loop the driver runs until the
  // driver's end_epoch().
  void help();

 private:
  // Takes items of loop `loop` until none is left (or another loop started).
  // What an item throws ends the program, as it would in an OpenMP loop.
  void take_items(size_t thread, uint32_t loop, const Work& work, int items) noexcept;
  void serve(size_t thread);  // an extra thread's life
  // Takes items of each loop the driver publishes until `leave`.
  void follow(size_t thread, const std::atomic<bool>& leave);
  // How long a helper waits for the next loop before it sleeps until one is published.
  static constexpr std::chrono::microseconds kSpinBeforeSleeping{50};

  std::mutex mutex_;
  std::condition_variable wake_;
  const Work* work_ = nullptr;  // the loop being run, or none
  uint32_t loop_ = 0;           // loops run so far
  int items_ = 0;
  std::atomic<uint32_t> active_{0};  // the loop being run, 0 between loops
  std::atomic<uint64_t> next_{0};    // loop_ << 32 | the next item to take
  std::atomic<int> done_{0};         // items of the loop done
  std::atomic<bool> epoch_over_{true}, quit_{false};
  std::vector<std::thread> extras_;
};

}  // namespace lvsim
