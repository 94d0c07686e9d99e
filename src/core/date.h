// Calendar dates without time zones, for observation periods and vintages.
//
//   Date d = Date::ParseIso("1959-01-01");   // dates before 1970 are ordinary
//   d.ToIso();                               // "1959-01-01"
//
// A Date is a value type; it is safe to share between threads.
#pragma once

#include <chrono>
#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace macropipe {

class Date {
 public:
  constexpr Date() = default;
  explicit constexpr Date(std::chrono::sys_days days) : days_(days) {}
  Date(int year, unsigned month, unsigned day);

  // Parses `YYYY-MM-DD`. Returns nullopt on any other text or an impossible day.
  static std::optional<Date> TryParseIso(std::string_view text);
  // Parses `M/D/YYYY` as written in FRED-MD files (leading zeros allowed).
  static std::optional<Date> TryParseUs(std::string_view text);
  // Parses `YYYY-MM` as the first day of that month.
  static std::optional<Date> TryParseYearMonth(std::string_view text);

  // As TryParseIso, but throws Error(kInvalidInput) naming `what` on failure.
  static Date ParseIso(std::string_view text, std::string_view what = "date");

  // Today's date in UTC.
  static Date Today();

  // The last representable day, used as the open end of a real-time period.
  static constexpr Date Max() {
    return Date(std::chrono::sys_days(std::chrono::year(9999) / 12 / 31));
  }

  std::chrono::year_month_day ymd() const { return std::chrono::year_month_day(days_); }
  std::chrono::sys_days days() const { return days_; }
  int year() const;
  unsigned month() const;
  unsigned day() const;

  Date MonthStart() const;
  Date AddDays(int n) const { return Date(days_ + std::chrono::days(n)); }
  Date AddMonths(int n) const;

  // Formats as `YYYY-MM-DD`, always ten characters for years 0..9999.
  std::string ToIso() const;
  // Formats as `YYYYMMDD`, as used in landing object names.
  std::string ToCompact() const;

  auto operator<=>(const Date&) const = default;

 private:
  std::chrono::sys_days days_{};
};

// The current UTC time as ISO 8601 to the second, for example 2026-12-05T02:10:00Z.
std::string UtcNowIso();

}  // namespace macropipe
