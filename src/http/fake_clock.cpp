#include "http/fake_clock.h"

namespace macropipe {

FakeClock::FakeClock(std::chrono::system_clock::time_point utc_start)
    : steady_start_(std::chrono::steady_clock::now()), utc_start_(utc_start) {}

std::chrono::steady_clock::time_point FakeClock::Now() {
  std::lock_guard lock(mutex_);
  return steady_start_ + elapsed_;
}

std::chrono::system_clock::time_point FakeClock::UtcNow() {
  std::lock_guard lock(mutex_);
  return utc_start_ + std::chrono::duration_cast<std::chrono::system_clock::duration>(elapsed_);
}

void FakeClock::SleepUntil(std::chrono::steady_clock::time_point deadline) {
  std::lock_guard lock(mutex_);
  std::chrono::steady_clock::duration target = deadline - steady_start_;
  sleeps_.push_back(target);
  if (target > elapsed_) elapsed_ = target;
}

void FakeClock::Advance(std::chrono::steady_clock::duration duration) {
  std::lock_guard lock(mutex_);
  elapsed_ += duration;
}

std::chrono::steady_clock::duration FakeClock::Elapsed() {
  std::lock_guard lock(mutex_);
  return elapsed_;
}

std::vector<std::chrono::steady_clock::duration> FakeClock::Sleeps() {
  std::lock_guard lock(mutex_);
  return sleeps_;
}

}  // namespace macropipe
