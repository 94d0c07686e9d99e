// The rate budgets of the process, one per source name, so that every
// connector, task and thread that uses a source draws from one budget.
//
//   std::shared_ptr<RateBudget> budget =
//       RateBudgetRegistry::Global().Get("alphavantage", {.per_day = 25}, {state_path});
//
// Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "http/rate_budget.h"

namespace macropipe {

class RateBudgetRegistry {
 public:
  explicit RateBudgetRegistry(Clock& clock = SystemClock::Instance()) : clock_(clock) {}

  // The registry of the process.
  static RateBudgetRegistry& Global();

  // Returns the budget of `source`, creating it on first use. Throws
  // Error(kInvalidInput) when the source already has a budget with other
  // limits or another state file, since two budgets for one source would
  // let it exceed its limits.
  std::shared_ptr<RateBudget> Get(const std::string& source, const RateLimits& limits,
                                  const RateBudgetOptions& options = {});

  // Every budget created so far, ordered by source name.
  std::vector<std::shared_ptr<RateBudget>> List();

 private:
  Clock& clock_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<RateBudget>> budgets_;  // Guarded by mutex_.
};

// Describes limits for messages, e.g. "20/s, 120/min", or "no limits".
std::string DescribeRateLimits(const RateLimits& limits);

}  // namespace macropipe
