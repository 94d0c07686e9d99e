#include "dag/cron.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <sstream>
#include <vector>

#include "core/error.h"

namespace macropipe::dag {
namespace {

struct FieldSpec {
  const char* name;
  int min;
  int max;
  std::vector<std::string> names;  // names[i] stands for min + i; empty when none.
};

const std::array<FieldSpec, 5>& Fields() {
  static const std::array<FieldSpec, 5> fields = {{
      {"minute", 0, 59, {}},
      {"hour", 0, 23, {}},
      {"day of month", 1, 31, {}},
      {"month",
       1,
       12,
       {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
      // 7 is accepted for Sunday and folded onto 0 after parsing.
      {"day of week", 0, 7, {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}},
  }};
  return fields;
}

std::string ExpandPreset(const std::string& text) {
  if (text == "@hourly") return "0 * * * *";
  if (text == "@daily" || text == "@midnight") return "0 0 * * *";
  if (text == "@weekly") return "0 0 * * 0";
  if (text == "@monthly") return "0 0 1 * *";
  if (text == "@yearly" || text == "@annually") return "0 0 1 1 *";
  if (!text.empty() && text.front() == '@') {
    throw Error(ErrorCode::kInvalidInput,
                "unknown schedule preset '" + text +
                    "'; use @once, @hourly, @daily, @weekly, @monthly or @yearly, or five cron "
                    "fields");
  }
  return text;
}

class FieldParser {
 public:
  FieldParser(const std::string& expression, const FieldSpec& spec)
      : expression_(expression), spec_(spec) {}

  // Returns the set values as bits indexed by value.
  std::vector<bool> Parse(const std::string& field) {
    std::vector<bool> values(spec_.max + 1, false);
    std::stringstream items(field);
    std::string item;
    while (std::getline(items, item, ',')) ParseItem(item, values);
    if (field.empty() || field.back() == ',') Reject(field, "an empty list item");
    return values;
  }

 private:
  void ParseItem(const std::string& item, std::vector<bool>& values) {
    std::string range = item;
    int step = 1;
    size_t slash = item.find('/');
    if (slash != std::string::npos) {
      range = item.substr(0, slash);
      step = Number(item.substr(slash + 1), item);
      if (step < 1) Reject(item, "a step below 1");
    }
    int low = spec_.min;
    int high = spec_.max;
    if (range != "*") {
      size_t dash = range.find('-');
      low = Value(range.substr(0, dash), item);
      // "5/15" means from 5 to the end of the range in steps of 15.
      high = dash != std::string::npos    ? Value(range.substr(dash + 1), item)
             : slash != std::string::npos ? spec_.max
                                          : low;
      if (low > high) Reject(item, "a range whose start is after its end");
    }
    for (int value = low; value <= high; value += step) values[value] = true;
  }

  int Value(const std::string& text, const std::string& item) {
    std::string upper = text;
    std::ranges::transform(upper, upper.begin(), [](unsigned char c) { return std::toupper(c); });
    auto name = std::ranges::find(spec_.names, upper);
    if (name != spec_.names.end()) return spec_.min + static_cast<int>(name - spec_.names.begin());
    int value = Number(text, item);
    if (value < spec_.min || value > spec_.max) {
      Reject(item,
             "a value outside " + std::to_string(spec_.min) + "-" + std::to_string(spec_.max));
    }
    return value;
  }

  int Number(const std::string& text, const std::string& item) {
    if (text.empty() || text.size() > 4 ||
        !std::ranges::all_of(text, [](unsigned char c) { return std::isdigit(c); })) {
      Reject(item, "'" + text + "', which is not a number or a name");
    }
    return std::stoi(text);
  }

  [[noreturn]] void Reject(const std::string& item, const std::string& problem) {
    throw Error(ErrorCode::kInvalidInput, "cron expression '" + expression_ + "': " + spec_.name +
                                              " field '" + item + "' has " + problem);
  }

  const std::string& expression_;
  const FieldSpec& spec_;
};

template <size_t N>
std::bitset<N> ToBits(const std::vector<bool>& values) {
  std::bitset<N> bits;
  for (size_t i = 0; i < N && i < values.size(); ++i) bits[i] = values[i];
  return bits;
}

}  // namespace

CronExpression CronExpression::Parse(const std::string& text) {
  CronExpression cron;
  cron.text_ = text;
  cron.fields_ = ExpandPreset(text);

  std::istringstream in(cron.fields_);
  std::vector<std::string> fields;
  for (std::string field; in >> field;) fields.push_back(field);
  if (fields.size() != 5) {
    throw Error(ErrorCode::kInvalidInput,
                "cron expression '" + text + "' has " + std::to_string(fields.size()) +
                    " fields; write five: minute hour day-of-month month day-of-week");
  }

  std::array<std::vector<bool>, 5> values;
  for (size_t i = 0; i < 5; ++i) values[i] = FieldParser(text, Fields()[i]).Parse(fields[i]);
  if (values[4][7]) values[4][0] = true;
  cron.minutes_ = ToBits<60>(values[0]);
  cron.hours_ = ToBits<24>(values[1]);
  cron.days_of_month_ = ToBits<32>(values[2]);
  cron.months_ = ToBits<13>(values[3]);
  cron.days_of_week_ = ToBits<7>(values[4]);
  cron.day_of_month_restricted_ = fields[2] != "*";
  cron.day_of_week_restricted_ = fields[4] != "*";
  return cron;
}

bool CronExpression::MatchesDay(date::year_month_day day) const {
  if (!months_[static_cast<unsigned>(day.month())]) return false;
  bool day_of_month = days_of_month_[static_cast<unsigned>(day.day())];
  bool day_of_week = days_of_week_[date::weekday(date::sys_days(day)).c_encoding()];
  if (day_of_month_restricted_ && day_of_week_restricted_) return day_of_month || day_of_week;
  return day_of_month && day_of_week;
}

std::chrono::system_clock::time_point CronExpression::Next(
    std::chrono::system_clock::time_point after, const TimeZone& zone) const {
  using std::chrono::hours;
  using std::chrono::minutes;
  // Start a day early: in a fall-back overlap the local date of `after` can
  // hold fire times whose UTC instants lie on either side of it.
  date::local_days day = date::floor<date::days>(zone.ToLocal(after)) - date::days(1);
  // Eight years cover every date a valid expression can name, 29 February included.
  constexpr int kMaxDays = 8 * 366 + 2;
  for (int i = 0; i < kMaxDays; ++i, day += date::days(1)) {
    if (!MatchesDay(date::year_month_day(date::sys_days(day.time_since_epoch())))) continue;
    std::optional<std::chrono::system_clock::time_point> best;
    for (int hour = 0; hour < 24; ++hour) {
      if (!hours_[hour]) continue;
      for (int minute = 0; minute < 60; ++minute) {
        if (!minutes_[minute]) continue;
        auto utc = zone.ToUtc(LocalSeconds(day) + hours(hour) + minutes(minute));
        // A gap moves its times forward, so the earliest match of a day need
        // not be its first wall-clock time; keep the minimum.
        if (utc > after && (!best || utc < *best)) best = utc;
      }
    }
    if (best) return *best;
  }
  throw Error(ErrorCode::kInvalidInput, "cron expression '" + text_ +
                                            "' matches no date in eight years; check the day "
                                            "and month fields");
}

}  // namespace macropipe::dag
