#include "http/rate_budget.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/files.h"

namespace macropipe {
namespace {

void CheckLimit(const std::string& budget, const char* what, const std::optional<double>& limit) {
  if (!limit) return;
  if (!std::isfinite(*limit) || *limit <= 0) {
    throw Error(ErrorCode::kInvalidInput, "rate budget '" + budget + "': " + what + " limit " +
                                              std::to_string(*limit) +
                                              " is invalid; set a positive number or leave it out");
  }
}

// The spacing that keeps `limit` requests inside each `window`.
std::chrono::steady_clock::duration Spacing(const std::optional<double>& limit,
                                            std::chrono::seconds window) {
  if (!limit) return std::chrono::steady_clock::duration::zero();
  std::chrono::duration<double> spacing = window / *limit;
  return std::chrono::ceil<std::chrono::steady_clock::duration>(spacing);
}

std::chrono::steady_clock::duration IntervalOf(const RateLimits& limits) {
  return std::max(Spacing(limits.per_second, std::chrono::seconds(1)),
                  Spacing(limits.per_minute, std::chrono::minutes(1)));
}

}  // namespace

RateBudget::RateBudget(std::string name, RateLimits limits, RateBudgetOptions options, Clock& clock)
    : name_(std::move(name)),
      limits_(limits),
      options_(std::move(options)),
      clock_(clock),
      interval_(IntervalOf(limits)) {
  CheckLimit(name_, "per-second", limits_.per_second);
  CheckLimit(name_, "per-minute", limits_.per_minute);
  CheckLimit(name_, "per-day", limits_.per_day);
  next_slot_ = clock_.Now();
  paused_until_ = next_slot_;
  day_ = CurrentDay();
  if (options_.state_file.empty()) return;
  if (options_.state_file.has_parent_path()) CreateDirectories(options_.state_file.parent_path());
  LoadState();
}

void RateBudget::Acquire() {
  std::unique_lock lock(mutex_);
  while (true) {
    RollDay();
    if (day_exhausted_ || (limits_.per_day && day_count_ + reserved_ >= *limits_.per_day)) {
      ThrowQuotaExhausted();
    }

    // Reserve the next free slot while holding the lock, so that concurrent
    // callers are spaced by the interval, then wait for it without the lock.
    std::chrono::steady_clock::time_point slot =
        std::max({clock_.Now(), next_slot_, paused_until_});
    next_slot_ = slot + interval_;
    ++reserved_;
    lock.unlock();
    clock_.SleepUntil(slot);
    lock.lock();
    --reserved_;

    // A pause that began while this caller waited (a 429 seen by another
    // thread) moves it behind the pause.
    if (paused_until_ > clock_.Now()) continue;
    RollDay();
    ++day_count_;
    if (!options_.state_file.empty()) SaveState();
    return;
  }
}

void RateBudget::PauseFor(std::chrono::steady_clock::duration duration) {
  std::lock_guard lock(mutex_);
  paused_until_ = std::max(paused_until_, clock_.Now() + duration);
}

void RateBudget::ExhaustForToday() {
  std::lock_guard lock(mutex_);
  RollDay();
  day_exhausted_ = true;
  if (!options_.state_file.empty()) SaveState();
}

std::optional<std::chrono::seconds> RateBudget::Window() const {
  if (limits_.per_minute) return std::chrono::minutes(1);
  if (limits_.per_second) return std::chrono::seconds(1);
  return std::nullopt;
}

int64_t RateBudget::UsedToday() {
  std::lock_guard lock(mutex_);
  RollDay();
  return day_count_;
}

int64_t RateBudget::CurrentDay() { return UtcDayNumber(clock_.UtcNow()); }

void RateBudget::RollDay() {
  int64_t today = CurrentDay();
  if (today == day_) return;
  day_ = today;
  day_count_ = 0;
  day_exhausted_ = false;
}

void RateBudget::ThrowQuotaExhausted() {
  std::string reset = FormatUtc(std::chrono::sys_days(std::chrono::days(day_ + 1)));
  std::string quota = limits_.per_day
                          ? "quota of " + std::to_string(static_cast<int64_t>(*limits_.per_day)) +
                                " requests per day"
                          : "daily quota";
  std::string reason = day_exhausted_ ? " (reported by the server)" : "";
  throw Error(ErrorCode::kQuotaExhausted, "rate budget '" + name_ + "': " + quota + reason +
                                              " exhausted until " + reset +
                                              "; run again after that time");
}

void RateBudget::LoadState() {
  if (!std::filesystem::exists(options_.state_file)) return;
  std::string text = ReadFile(options_.state_file);
  nlohmann::json state = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!state.is_object() || !state.contains("day") || !state["day"].is_string() ||
      !state.contains("count") || !state["count"].is_number_integer()) {
    throw Error(ErrorCode::kInvalidInput,
                "rate budget '" + name_ + "': state file " + options_.state_file.string() +
                    " is not a JSON object with \"day\" and \"count\"; delete it to start the "
                    "day's count from zero");
  }
  if (state["day"].get<std::string>() != FormatUtcDay(day_)) return;
  day_count_ = state["count"].get<int64_t>();
  day_exhausted_ = state.value("exhausted", false);
}

void RateBudget::SaveState() {
  nlohmann::json state = {
      {"day", FormatUtcDay(day_)}, {"count", day_count_}, {"exhausted", day_exhausted_}};
  WriteFileAtomically(options_.state_file, state.dump() + "\n");
}

}  // namespace macropipe
