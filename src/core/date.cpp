#include "core/date.h"

#include <charconv>
#include <ctime>

#include "core/error.h"

namespace macropipe {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

// Parses an unsigned decimal of 1..max_digits digits filling `text` exactly.
std::optional<unsigned> ParseDigits(std::string_view text, size_t max_digits) {
  if (text.empty() || text.size() > max_digits) return std::nullopt;
  unsigned value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value;
}

std::optional<Date> MakeDate(unsigned y, unsigned m, unsigned d) {
  std::chrono::year_month_day ymd{year(static_cast<int>(y)), month(m), day(d)};
  if (!ymd.ok()) return std::nullopt;
  return Date(std::chrono::sys_days(ymd));
}

void WriteDigits(char* out, unsigned value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

Date::Date(int y, unsigned m, unsigned d)
    : days_(std::chrono::sys_days(std::chrono::year(y) / std::chrono::month(m) /
                                  std::chrono::day(d))) {}

std::optional<Date> Date::TryParseIso(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto y = ParseDigits(text.substr(0, 4), 4);
  auto m = ParseDigits(text.substr(5, 2), 2);
  auto d = ParseDigits(text.substr(8, 2), 2);
  if (!y || !m || !d) return std::nullopt;
  return MakeDate(*y, *m, *d);
}

std::optional<Date> Date::TryParseUs(std::string_view text) {
  size_t first = text.find('/');
  if (first == std::string_view::npos) return std::nullopt;
  size_t second = text.find('/', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  auto m = ParseDigits(text.substr(0, first), 2);
  auto d = ParseDigits(text.substr(first + 1, second - first - 1), 2);
  std::string_view year_text = text.substr(second + 1);
  if (year_text.size() != 4) return std::nullopt;
  auto y = ParseDigits(year_text, 4);
  if (!y || !m || !d) return std::nullopt;
  return MakeDate(*y, *m, *d);
}

std::optional<Date> Date::TryParseYearMonth(std::string_view text) {
  if (text.size() != 7 || text[4] != '-') return std::nullopt;
  auto y = ParseDigits(text.substr(0, 4), 4);
  auto m = ParseDigits(text.substr(5, 2), 2);
  if (!y || !m) return std::nullopt;
  return MakeDate(*y, *m, 1);
}

Date Date::ParseIso(std::string_view text, std::string_view what) {
  auto date = TryParseIso(text);
  if (!date) {
    throw Error(ErrorCode::kInvalidInput, "invalid " + std::string(what) + " '" +
                                              std::string(text) + "': expected YYYY-MM-DD");
  }
  return *date;
}

Date Date::Today() {
  return Date(std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()));
}

int Date::year() const { return static_cast<int>(ymd().year()); }
unsigned Date::month() const { return static_cast<unsigned>(ymd().month()); }
unsigned Date::day() const { return static_cast<unsigned>(ymd().day()); }

Date Date::MonthStart() const {
  auto v = ymd();
  return Date(std::chrono::sys_days(v.year() / v.month() / std::chrono::day(1)));
}

Date Date::AddMonths(int n) const {
  auto v = ymd();
  auto shifted = std::chrono::year_month(v.year(), v.month()) + std::chrono::months(n);
  auto result = shifted / v.day();
  if (!result.ok()) result = shifted / std::chrono::last;
  return Date(std::chrono::sys_days(result));
}

std::string Date::ToIso() const {
  std::string out(10, '-');
  WriteDigits(out.data(), static_cast<unsigned>(year()), 4);
  WriteDigits(out.data() + 5, month(), 2);
  WriteDigits(out.data() + 8, day(), 2);
  return out;
}

std::string Date::ToCompact() const {
  std::string out(8, '0');
  WriteDigits(out.data(), static_cast<unsigned>(year()), 4);
  WriteDigits(out.data() + 4, month(), 2);
  WriteDigits(out.data() + 6, day(), 2);
  return out;
}

std::string UtcNowIso() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

}  // namespace macropipe
