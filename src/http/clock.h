// The time source of the HTTP layer, so rate budgets and retries can be tested
// with a fake clock that never sleeps.
//
//   SystemClock& clock = SystemClock::Instance();
//   clock.SleepUntil(clock.Now() + std::chrono::milliseconds(50));
//
// Implementations are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace macropipe {

class Clock {
 public:
  virtual ~Clock() = default;
  // A monotonic time for spacing and waiting.
  virtual std::chrono::steady_clock::time_point Now() = 0;
  // The wall-clock time, for the UTC day of a daily quota and HTTP dates.
  virtual std::chrono::system_clock::time_point UtcNow() = 0;
  // Blocks the calling thread until Now() >= `deadline`; returns at once for a past deadline.
  virtual void SleepUntil(std::chrono::steady_clock::time_point deadline) = 0;

  void SleepFor(std::chrono::steady_clock::duration duration) { SleepUntil(Now() + duration); }
};

// The real clocks of the process.
class SystemClock : public Clock {
 public:
  static SystemClock& Instance();

  std::chrono::steady_clock::time_point Now() override;
  std::chrono::system_clock::time_point UtcNow() override;
  void SleepUntil(std::chrono::steady_clock::time_point deadline) override;
};

// Formats a time as `YYYY-MM-DDTHH:MM:SSZ`, to the second.
std::string FormatUtc(std::chrono::system_clock::time_point time);

// Returns the UTC calendar day of `time` as days since 1970-01-01.
int64_t UtcDayNumber(std::chrono::system_clock::time_point time);

// Formats a day number from UtcDayNumber as `YYYY-MM-DD`.
std::string FormatUtcDay(int64_t day);

}  // namespace macropipe
