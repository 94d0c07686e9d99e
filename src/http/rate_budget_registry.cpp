#include "http/rate_budget_registry.h"

#include <sstream>

#include "core/error.h"

namespace macropipe {
namespace {

bool SameLimits(const RateLimits& a, const RateLimits& b) {
  return a.per_second == b.per_second && a.per_minute == b.per_minute && a.per_day == b.per_day;
}

}  // namespace

RateBudgetRegistry& RateBudgetRegistry::Global() {
  static RateBudgetRegistry registry;
  return registry;
}

std::vector<std::shared_ptr<RateBudget>> RateBudgetRegistry::List() {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<RateBudget>> budgets;
  for (const auto& [source, budget] : budgets_) budgets.push_back(budget);
  return budgets;
}

std::shared_ptr<RateBudget> RateBudgetRegistry::Get(const std::string& source,
                                                    const RateLimits& limits,
                                                    const RateBudgetOptions& options) {
  std::lock_guard lock(mutex_);
  auto it = budgets_.find(source);
  if (it == budgets_.end()) {
    auto budget = std::make_shared<RateBudget>(source, limits, options, clock_);
    budgets_.emplace(source, budget);
    return budget;
  }

  const RateBudget& existing = *it->second;
  if (!SameLimits(existing.limits(), limits)) {
    throw Error(ErrorCode::kInvalidInput,
                "source '" + source + "' already has a rate budget of " +
                    DescribeRateLimits(existing.limits()) + ", but another user asked for " +
                    DescribeRateLimits(limits) + "; give every user of the source the same limits");
  }
  if (existing.options().state_file != options.state_file) {
    throw Error(ErrorCode::kInvalidInput,
                "source '" + source + "' already has a rate budget with state file '" +
                    existing.options().state_file.string() + "', but another user asked for '" +
                    options.state_file.string() + "'; give every user of the source the same file");
  }
  return it->second;
}

std::string DescribeRateLimits(const RateLimits& limits) {
  std::ostringstream out;
  const char* separator = "";
  auto add = [&](const std::optional<double>& limit, const char* unit) {
    if (!limit) return;
    out << separator << *limit << unit;
    separator = ", ";
  };
  add(limits.per_second, "/s");
  add(limits.per_minute, "/min");
  add(limits.per_day, "/day");
  std::string text = out.str();
  return text.empty() ? "no limits" : text;
}

}  // namespace macropipe
