// The request budget of one source: per-second, per-minute and per-day limits
// enforced together for every user of the source in the process.
//
//   std::shared_ptr<RateBudget> budget = RateBudgetRegistry::Global().Get("fred", limits);
//   budget->Acquire();  // Blocks until a request may go, then counts it.
//
// Requests are spaced evenly, never sent in bursts: 20 per second means one
// every 50 ms, and with several limits the longest spacing applies. So any
// window of one second (or one minute) holds at most the limit. The per-day
// limit is a quota counted per UTC calendar day: when it is used up, Acquire
// throws Error(kQuotaExhausted) at once instead of blocking until midnight.
// With a state file the day's count survives a restart of the process.
//
// Thread-safe: threads that call Acquire together get distinct, spaced slots.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include "http/clock.h"
#include "http/fetcher.h"

namespace macropipe {

struct RateBudgetOptions {
  // A JSON file that stores the count of the current UTC day, written
  // atomically after each request; empty keeps the count in memory only.
  // NOTE: two processes sharing one file overwrite each other's counts; one
  // process per data directory is assumed.
  std::filesystem::path state_file;
};

class RateBudget {
 public:
  // Throws Error(kInvalidInput) for a limit that is not positive and finite,
  // and the errors of reading `options.state_file` when it exists but is malformed.
  RateBudget(std::string name, RateLimits limits, RateBudgetOptions options = {},
             Clock& clock = SystemClock::Instance());
  RateBudget(const RateBudget&) = delete;
  RateBudget& operator=(const RateBudget&) = delete;

  // Blocks until one more request fits the per-second and per-minute limits
  // and any pause, then counts it against the day. Throws
  // Error(kQuotaExhausted) without blocking when the day's quota is used up.
  void Acquire();

  // Delays every request not yet started until `duration` from now, as a
  // server's Retry-After asks. A shorter pause never shortens a longer one.
  void PauseFor(std::chrono::steady_clock::duration duration);

  // Marks the rest of the UTC day as used up, for a server that reports its
  // daily quota exhausted before this budget counted it so.
  void ExhaustForToday();

  // The spacing between two requests: zero when no per-second or per-minute limit is set.
  std::chrono::steady_clock::duration Interval() const { return interval_; }
  // The longest of the per-second and per-minute windows that are limited, or nullopt.
  std::optional<std::chrono::seconds> Window() const;
  // Requests counted in the current UTC day.
  int64_t UsedToday();

  const std::string& name() const { return name_; }
  const RateLimits& limits() const { return limits_; }
  const RateBudgetOptions& options() const { return options_; }

 private:
  // The UTC day number (days since 1970-01-01) of the clock's current time.
  int64_t CurrentDay();
  // Resets the count when the UTC day changed since it was last read.
  void RollDay();
  [[noreturn]] void ThrowQuotaExhausted();
  void LoadState();
  void SaveState();

  const std::string name_;
  const RateLimits limits_;
  const RateBudgetOptions options_;
  Clock& clock_;
  const std::chrono::steady_clock::duration interval_;

  std::mutex mutex_;
  std::chrono::steady_clock::time_point next_slot_;     // Guarded by mutex_.
  std::chrono::steady_clock::time_point paused_until_;  // Guarded by mutex_.
  int64_t day_ = 0;             // Days since 1970-01-01 (UTC) of day_count_; guarded by mutex_.
  int64_t day_count_ = 0;       // Guarded by mutex_.
  bool day_exhausted_ = false;  // Set by ExhaustForToday; guarded by mutex_.
  int64_t reserved_ = 0;        // Slots handed out but not yet counted; guarded by mutex_.
};

}  // namespace macropipe
