// A one-line progress display (done/total, rate, ETA) for long runs. It draws
// only when stderr is a terminal, so logs and pipes stay clean.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace lvsim {

class ProgressLine {
 public:
  // `enabled` false keeps it silent; by default it draws on a terminal only.
  explicit ProgressLine(std::string unit, bool enabled = stderr_is_terminal());
  ~ProgressLine();

  void update(size_t done, size_t total);
  void finish();

  static bool stderr_is_terminal();

 private:
  std::string unit_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace lvsim
