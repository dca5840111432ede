// One thread of its own that runs the jobs handed to it, one at a time: the
// host engine's arithmetic while the calling (SystemC) thread runs the next
// epoch's fault reads (host_engine.h). A simulator speed device.
#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

namespace lvsim {

class WorkerThread {
 public:
  WorkerThread() = default;
  WorkerThread(const WorkerThread&) = delete;
  WorkerThread& operator=(const WorkerThread&) = delete;
  ~WorkerThread() {
    if (!thread_.joinable()) return;
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      quit_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

  // Starts `job` on the thread (started on the first call); the last job must
  // have been waited for.
  void start(std::function<void()> job) {
    if (!thread_.joinable()) thread_ = std::thread([this] { serve(); });
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      job_ = std::move(job);
      running_ = true;
    }
    wake_.notify_all();
  }
  // Waits until the job started last is done; rethrows what it threw.
  void wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return !running_; });
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }

 private:
  void serve() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return quit_ || (running_ && job_); });
      if (quit_) return;
      std::function<void()> job = std::move(job_);
      job_ = nullptr;
      lock.unlock();
      std::exception_ptr error;
      try {
        job();
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      error_ = error;
      running_ = false;
      done_.notify_all();
    }
  }

  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::function<void()> job_;
  bool running_ = false, quit_ = false;
  std::exception_ptr error_;
};

}  // namespace lvsim
