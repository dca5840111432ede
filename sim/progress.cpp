#include "sim/progress.h"

#include <unistd.h>

#include <cstdio>

namespace lvsim {

bool ProgressLine::stderr_is_terminal() { return isatty(STDERR_FILENO) == 1; }

ProgressLine::ProgressLine(std::string unit, bool enabled)
    : unit_(std::move(unit)), enabled_(enabled), start_(std::chrono::steady_clock::now()) {}

ProgressLine::~ProgressLine() { finish(); }

void ProgressLine::update(size_t done, size_t total) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && done < total && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? done / elapsed : 0.0;
  const double eta = rate > 0 ? (total - done) / rate : 0.0;
  std::fprintf(stderr, "\r%8zu/%zu %s  %5.1f %%  %8.0f %s/s  ETA %5.0f s ", done, total,
               unit_.c_str(), total ? 100.0 * done / total : 100.0, rate, unit_.c_str(), eta);
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressLine::finish() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\033[K");  // clear the line for the summary that follows
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace lvsim
