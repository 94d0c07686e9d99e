// A Clock for tests: time moves only when a test advances it or a caller
// sleeps, and a sleep returns at once after moving time to its deadline.
//
//   FakeClock clock(std::chrono::sys_days(std::chrono::year{2024} / 5 / 1));
//   RateBudget budget("fred", {.per_second = 20}, {}, clock);
//
// Thread-safe. Every deadline passed to SleepUntil is recorded, so a test can
// read the schedule that a rate budget produced.
#pragma once

#include <chrono>
#include <mutex>
#include <vector>

#include "http/clock.h"

namespace macropipe {

class FakeClock : public Clock {
 public:
  // Starts at the wall-clock time `utc_start`.
  explicit FakeClock(std::chrono::system_clock::time_point utc_start);

  std::chrono::steady_clock::time_point Now() override;
  std::chrono::system_clock::time_point UtcNow() override;
  void SleepUntil(std::chrono::steady_clock::time_point deadline) override;

  void Advance(std::chrono::steady_clock::duration duration);
  // The time elapsed since the clock was created.
  std::chrono::steady_clock::duration Elapsed();
  // The deadlines of every SleepUntil call so far, as times since the clock was created.
  std::vector<std::chrono::steady_clock::duration> Sleeps();

 private:
  std::mutex mutex_;
  std::chrono::steady_clock::time_point steady_start_;
  std::chrono::system_clock::time_point utc_start_;
  std::chrono::steady_clock::duration elapsed_{0};
  std::vector<std::chrono::steady_clock::duration> sleeps_;
};

}  // namespace macropipe
