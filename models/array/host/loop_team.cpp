#include "models/array/host/loop_team.h"

#include <algorithm>
#include <chrono>

namespace lvsim {

LoopTeam::LoopTeam(int threads) {
  for (int t = 2; t < threads; ++t)
    extras_.emplace_back([this, t] { serve(static_cast<size_t>(t)); });
}

LoopTeam::~LoopTeam() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    quit_.store(true, std::memory_order_release);
  }
  wake_.notify_all();
  for (std::thread& thread : extras_) thread.join();
}

void LoopTeam::take_items(size_t thread, uint32_t loop, const Work& work, int items) noexcept {
  for (uint64_t at = next_.load(std::memory_order_acquire);;) {
    const auto item = static_cast<uint32_t>(at);
    if (at >> 32 != loop || item >= static_cast<uint32_t>(items)) return;
    // Taken only while it is still this loop's next item.
    if (!next_.compare_exchange_weak(at, at + 1, std::memory_order_acq_rel)) continue;
    work(thread, static_cast<int>(item));
    done_.fetch_add(1, std::memory_order_acq_rel);
    at = next_.load(std::memory_order_acquire);
  }
}

void LoopTeam::run(int items, const Work& work) {
  if (items <= 1) {
    if (items == 1) work(0, 0);  // nothing to share
    return;
  }
  // Published even when nobody helps yet: a helper may join the loop as it runs.
  uint32_t loop = 0;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    loop = ++loop_;
    if (loop == 0) loop = ++loop_;  // 0 stands for no loop (help())
    work_ = &work;
    items_ = items;
    done_.store(0, std::memory_order_relaxed);
    next_.store(uint64_t{loop} << 32, std::memory_order_release);
    active_.store(loop, std::memory_order_release);
  }
  wake_.notify_all();
  take_items(0, loop, work, items);
  // The helpers' items in progress (a helper that took none touches nothing more).
  while (done_.load(std::memory_order_acquire) < items) std::this_thread::yield();
  const std::lock_guard<std::mutex> lock(mutex_);
  work_ = nullptr;
  active_.store(0, std::memory_order_release);
}

void LoopTeam::start_epoch() {
  const std::lock_guard<std::mutex> lock(mutex_);
  epoch_over_.store(false, std::memory_order_release);
}

void LoopTeam::end_epoch() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    epoch_over_.store(true, std::memory_order_release);
  }
  wake_.notify_all();
}

void LoopTeam::help() { follow(1, epoch_over_); }

void LoopTeam::serve(size_t thread) { follow(thread, quit_); }

void LoopTeam::follow(size_t thread, const std::atomic<bool>& leave) {
  // A loop published before this thread got here is joined too (a loop number is never 0).
  for (uint32_t seen = 0;;) {
    // The driver's serial work between two loops is short: the next loop is
    // waited for awhile before sleeping until it is published.
    const auto until = std::chrono::steady_clock::now() + kSpinBeforeSleeping;
    for (uint32_t active = active_.load(std::memory_order_acquire);
         (active == 0 || active == seen) && !leave.load(std::memory_order_acquire) &&
         std::chrono::steady_clock::now() < until;
         active = active_.load(std::memory_order_acquire))
      std::this_thread::yield();
    std::unique_lock<std::mutex> lock(mutex_);
    wake_.wait(lock, [&] {
      return leave.load(std::memory_order_acquire) || (work_ != nullptr && loop_ != seen);
    });
    if (leave.load(std::memory_order_acquire)) return;
    seen = loop_;
    const Work& work = *work_;
    const int items = items_;
    lock.unlock();
    take_items(thread, seen, work, items);
  }
}

}  // namespace lvsim
