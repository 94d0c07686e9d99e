#include "http/clock.h"

#include <cstdio>
#include <thread>

namespace macropipe {

SystemClock& SystemClock::Instance() {
  static SystemClock clock;
  return clock;
}

std::chrono::steady_clock::time_point SystemClock::Now() {
  return std::chrono::steady_clock::now();
}

std::chrono::system_clock::time_point SystemClock::UtcNow() {
  return std::chrono::system_clock::now();
}

void SystemClock::SleepUntil(std::chrono::steady_clock::time_point deadline) {
  std::this_thread::sleep_until(deadline);
}

std::string FormatUtc(std::chrono::system_clock::time_point time) {
  auto seconds = std::chrono::floor<std::chrono::seconds>(time);
  auto day = std::chrono::floor<std::chrono::days>(seconds);
  std::chrono::year_month_day date(day);
  std::chrono::hh_mm_ss clock_time(seconds - day);
  char text[32];
  std::snprintf(text, sizeof(text), "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(clock_time.hours().count()),
                static_cast<int>(clock_time.minutes().count()),
                static_cast<int>(clock_time.seconds().count()));
  return text;
}

int64_t UtcDayNumber(std::chrono::system_clock::time_point time) {
  return std::chrono::floor<std::chrono::days>(time).time_since_epoch().count();
}

std::string FormatUtcDay(int64_t day) {
  return FormatUtc(std::chrono::sys_days(std::chrono::days(day))).substr(0, 10);
}

}  // namespace macropipe
