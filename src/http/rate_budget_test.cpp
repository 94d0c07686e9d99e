#include "http/rate_budget.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/files.h"
#include "http/fake_clock.h"
#include "http/rate_budget_registry.h"
#include "test_support.h"

namespace macropipe {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using Duration = steady_clock::duration;

// 2024-05-01T13:00:00Z, a time of day far from midnight.
std::chrono::system_clock::time_point MayFirstAfternoon() {
  return std::chrono::sys_days(std::chrono::year{2024} / 5 / 1) + std::chrono::hours(13);
}

// The largest number of `grants` (sorted) that fall in any window of `window`.
size_t MaxInWindow(const std::vector<Duration>& grants, Duration window) {
  size_t max_count = 0;
  for (size_t first = 0; first < grants.size(); ++first) {
    size_t last = first;
    while (last < grants.size() && grants[last] < grants[first] + window) ++last;
    max_count = std::max(max_count, last - first);
  }
  return max_count;
}

// Acquires `count` times and returns the deadlines the budget slept until.
std::vector<Duration> AcquireTimes(RateBudget& budget, FakeClock& clock, int count) {
  for (int i = 0; i < count; ++i) budget.Acquire();
  return clock.Sleeps();
}

TEST(RateBudgetTest, SpacesRequestsByTightestLimit) {
  struct Case {
    const char* name;
    RateLimits limits;
    Duration interval;
  };
  const Case cases[] = {
      {"20 per second", {.per_second = 20}, milliseconds(50)},
      {"120 per minute", {.per_minute = 120}, milliseconds(500)},
      {"per minute tighter than per second",
       {.per_second = 20, .per_minute = 120},
       milliseconds(500)},
      {"per second tighter than per minute",
       {.per_second = 1, .per_minute = 120},
       milliseconds(1000)},
      {"3 per second rounds up", {.per_second = 3}, std::chrono::nanoseconds(333333334)},
      {"per day only", {.per_day = 25}, Duration::zero()},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    FakeClock clock(MayFirstAfternoon());
    RateBudget budget("source", c.limits, {}, clock);
    EXPECT_EQ(budget.Interval(), c.interval);
    std::vector<Duration> times = AcquireTimes(budget, clock, 5);
    ASSERT_EQ(times.size(), 5u);
    for (size_t i = 0; i < times.size(); ++i) {
      EXPECT_EQ(times[i], c.interval * static_cast<int>(i)) << "request " << i;
    }
  }
}

TEST(RateBudgetTest, NoWindowExceedsItsLimit) {
  struct Case {
    const char* name;
    RateLimits limits;
    Duration window;
    size_t limit;
  };
  const Case cases[] = {
      {"per second", {.per_second = 20}, std::chrono::seconds(1), 20},
      {"per minute", {.per_minute = 30}, std::chrono::minutes(1), 30},
      {"both, per second window",
       {.per_second = 10, .per_minute = 600},
       std::chrono::seconds(1),
       10},
      {"both, per minute window",
       {.per_second = 10, .per_minute = 600},
       std::chrono::minutes(1),
       600},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    FakeClock clock(MayFirstAfternoon());
    RateBudget budget("source", c.limits, {}, clock);
    std::vector<Duration> times = AcquireTimes(budget, clock, static_cast<int>(c.limit) * 3);
    EXPECT_EQ(MaxInWindow(times, c.window), c.limit);
  }
}

TEST(RateBudgetTest, QuotaExhaustedNamesResetTime) {
  FakeClock clock(MayFirstAfternoon());
  RateBudget budget("alphavantage", {.per_day = 3}, {}, clock);
  for (int i = 0; i < 3; ++i) budget.Acquire();
  Duration before = clock.Elapsed();
  try {
    budget.Acquire();
    FAIL() << "the fourth request of a quota of 3 was allowed";
  } catch (const Error& error) {
    std::string message = error.what();
    EXPECT_EQ(error.code(), ErrorCode::kQuotaExhausted);
    EXPECT_NE(message.find("'alphavantage'"), std::string::npos) << message;
    EXPECT_NE(message.find("quota of 3 requests per day"), std::string::npos) << message;
    EXPECT_NE(message.find("until 2024-05-02T00:00:00Z"), std::string::npos) << message;
  }
  EXPECT_EQ(clock.Elapsed(), before) << "an exhausted quota must fail at once, not wait";
  EXPECT_EQ(budget.UsedToday(), 3);
}

TEST(RateBudgetTest, QuotaResetsAtUtcMidnight) {
  FakeClock clock(MayFirstAfternoon());
  RateBudget budget("alphavantage", {.per_day = 2}, {}, clock);
  budget.Acquire();
  budget.Acquire();
  EXPECT_THROW(budget.Acquire(), Error);
  clock.Advance(std::chrono::hours(11));  // 2024-05-02T00:00:00Z.
  EXPECT_NO_THROW(budget.Acquire());
  EXPECT_EQ(budget.UsedToday(), 1);
}

TEST(RateBudgetTest, StateFileKeepsCountAcrossBudgets) {
  testing::ScratchDir dir;
  FakeClock clock(MayFirstAfternoon());
  RateBudgetOptions options{dir / "state" / "alphavantage.json"};
  {
    RateBudget first("alphavantage", {.per_day = 3}, options, clock);
    first.Acquire();
    first.Acquire();
  }
  RateBudget second("alphavantage", {.per_day = 3}, options, clock);
  EXPECT_EQ(second.UsedToday(), 2);
  EXPECT_NO_THROW(second.Acquire());
  EXPECT_THROW(second.Acquire(), Error);

  clock.Advance(std::chrono::hours(24));
  RateBudget next_day("alphavantage", {.per_day = 3}, options, clock);
  EXPECT_EQ(next_day.UsedToday(), 0);
}

TEST(RateBudgetTest, StateFileKeepsServerReportedExhaustion) {
  testing::ScratchDir dir;
  FakeClock clock(MayFirstAfternoon());
  RateBudgetOptions options{dir / "alphavantage.json"};
  RateBudget("alphavantage", {.per_day = 25}, options, clock).ExhaustForToday();
  RateBudget restarted("alphavantage", {.per_day = 25}, options, clock);
  try {
    restarted.Acquire();
    FAIL() << "a day marked exhausted allowed a request after a restart";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kQuotaExhausted);
    EXPECT_NE(std::string(error.what()).find("reported by the server"), std::string::npos)
        << error.what();
  }
}

TEST(RateBudgetTest, MalformedStateFileRejected) {
  const char* contents[] = {"not json", "[]", R"({"day": "2024-05-01"})",
                            R"({"day": 20240501, "count": 1})",
                            R"({"day": "2024-05-01", "count": "1"})"};
  for (const char* content : contents) {
    SCOPED_TRACE(content);
    testing::ScratchDir dir;
    testing::WriteText(dir / "state.json", content);
    FakeClock clock(MayFirstAfternoon());
    try {
      RateBudget budget("alphavantage", {.per_day = 25}, {dir / "state.json"}, clock);
      FAIL() << "a malformed state file was accepted";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
      EXPECT_NE(std::string(error.what()).find("state.json"), std::string::npos) << error.what();
    }
  }
}

TEST(RateBudgetTest, PauseDelaysNextRequest) {
  FakeClock clock(MayFirstAfternoon());
  RateBudget budget("fred", {.per_second = 10}, {}, clock);
  budget.Acquire();
  budget.PauseFor(std::chrono::seconds(5));
  budget.PauseFor(std::chrono::seconds(1));  // A shorter pause must not shorten the first.
  budget.Acquire();
  EXPECT_EQ(clock.Elapsed(), std::chrono::seconds(5));
  budget.Acquire();
  EXPECT_EQ(clock.Elapsed(), std::chrono::seconds(5) + milliseconds(100));
}

TEST(RateBudgetTest, ExhaustForTodayStopsRequests) {
  FakeClock clock(MayFirstAfternoon());
  RateBudget budget("alphavantage", {}, {}, clock);
  budget.Acquire();
  budget.ExhaustForToday();
  EXPECT_THROW(budget.Acquire(), Error);
  clock.Advance(std::chrono::hours(12));
  EXPECT_NO_THROW(budget.Acquire());
}

TEST(RateBudgetTest, InvalidLimitsRejected) {
  const RateLimits cases[] = {
      {.per_second = 0},
      {.per_minute = -1},
      {.per_day = std::nan("")},
      {.per_second = INFINITY},
  };
  for (const RateLimits& limits : cases) {
    SCOPED_TRACE(DescribeRateLimits(limits));
    FakeClock clock(MayFirstAfternoon());
    EXPECT_THROW(RateBudget("source", limits, {}, clock), Error);
  }
}

TEST(RateBudgetTest, ConcurrentAcquiresStaySpaced) {
  FakeClock clock(MayFirstAfternoon());
  RateBudget budget("fred", {.per_second = 20, .per_minute = 1200}, {}, clock);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) budget.Acquire();
    });
  }
  for (std::thread& thread : threads) thread.join();

  std::vector<Duration> times = clock.Sleeps();
  std::sort(times.begin(), times.end());
  ASSERT_EQ(times.size(), 200u);
  for (size_t i = 1; i < times.size(); ++i) {
    EXPECT_GE(times[i] - times[i - 1], milliseconds(50)) << "requests " << i - 1 << " and " << i;
  }
  EXPECT_LE(MaxInWindow(times, std::chrono::seconds(1)), 20u);
  EXPECT_EQ(budget.UsedToday(), 200);
}

// The real clock, recording each slot a budget waits for.
class RecordingClock : public SystemClock {
 public:
  void SleepUntil(steady_clock::time_point deadline) override {
    {
      std::lock_guard lock(mutex_);
      deadlines_.push_back(deadline);
    }
    SystemClock::SleepUntil(deadline);
  }
  std::vector<steady_clock::time_point> Deadlines() {
    std::lock_guard lock(mutex_);
    return deadlines_;
  }

 private:
  std::mutex mutex_;
  std::vector<steady_clock::time_point> deadlines_;
};

TEST(RateBudgetTest, ConcurrentAcquiresOnRealClock) {
  RecordingClock clock;
  RateBudget budget("fred", {.per_second = 100}, {}, clock);
  auto start = steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) budget.Acquire();
    });
  }
  for (std::thread& thread : threads) thread.join();
  auto elapsed = steady_clock::now() - start;

  std::vector<steady_clock::time_point> deadlines = clock.Deadlines();
  std::sort(deadlines.begin(), deadlines.end());
  ASSERT_EQ(deadlines.size(), 40u);
  for (size_t i = 1; i < deadlines.size(); ++i) {
    EXPECT_GE(deadlines[i] - deadlines[i - 1], milliseconds(10))
        << "requests " << i - 1 << ", " << i;
  }
  EXPECT_GE(elapsed, milliseconds(390));
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST(RateBudgetTest, ConcurrentQuotaNeverOverspent) {
  FakeClock clock(MayFirstAfternoon());
  RateBudget budget("alphavantage", {.per_day = 50}, {}, clock);
  std::atomic<int> granted = 0;
  std::atomic<int> rejected = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        try {
          budget.Acquire();
          ++granted;
        } catch (const Error& error) {
          if (error.code() == ErrorCode::kQuotaExhausted) ++rejected;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(granted.load(), 50);
  EXPECT_EQ(rejected.load(), 30);
}

TEST(RateBudgetRegistryTest, SameSourceSharesBudget) {
  FakeClock clock(MayFirstAfternoon());
  RateBudgetRegistry registry(clock);
  auto first = registry.Get("fred", {.per_minute = 120});
  auto second = registry.Get("fred", {.per_minute = 120});
  auto other = registry.Get("census", {.per_day = 500});
  EXPECT_EQ(first.get(), second.get());
  EXPECT_NE(first.get(), other.get());
}

TEST(RateBudgetRegistryTest, ConflictingLimitsRejected) {
  FakeClock clock(MayFirstAfternoon());
  RateBudgetRegistry registry(clock);
  registry.Get("fred", {.per_minute = 120});
  try {
    registry.Get("fred", {.per_minute = 60});
    FAIL() << "a second budget with other limits was allowed";
  } catch (const Error& error) {
    std::string message = error.what();
    EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
    EXPECT_NE(message.find("120/min"), std::string::npos) << message;
    EXPECT_NE(message.find("60/min"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace macropipe
