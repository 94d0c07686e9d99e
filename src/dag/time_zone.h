// An IANA time zone from the system's tz database (/usr/share/zoneinfo),
// read through Howard Hinnant's date/tz library, with one rule for local
// times that a daylight-saving change skips or repeats.
//
//   TimeZone zone = TimeZone::Locate("America/New_York");
//   TimePoint utc = zone.ToUtc(date::local_days{date::year{2024} / 3 / 15} + 8h + 30min);
//
// Immutable and safe to share between threads.
#pragma once

#include <date/tz.h>

#include <chrono>
#include <string>

namespace macropipe::dag {

using LocalSeconds = date::local_time<std::chrono::seconds>;

class TimeZone {
 public:
  // Throws Error(kInvalidInput) naming `name` when the tz database lacks it.
  static TimeZone Locate(const std::string& name);
  static TimeZone Utc() { return Locate("UTC"); }

  const std::string& name() const { return name_; }

  // Converts a wall-clock time in this zone to UTC.
  // - A time in a spring-forward gap does not exist; it maps to the instant
  //   the same distance past the change, so 02:30 on the day New York skips
  //   02:00-03:00 becomes 03:30 EDT. A schedule due in the gap runs late by
  //   the gap's length instead of being lost.
  // - A time in a fall-back overlap exists twice; it maps to the first
  //   occurrence (daylight time), so a schedule due in the overlap runs once.
  std::chrono::system_clock::time_point ToUtc(LocalSeconds local) const;

  // Converts a UTC time to the wall-clock time in this zone, to the second.
  LocalSeconds ToLocal(std::chrono::system_clock::time_point utc) const;

 private:
  TimeZone(const date::time_zone* zone, std::string name) : zone_(zone), name_(std::move(name)) {}

  const date::time_zone* zone_;
  std::string name_;
};

}  // namespace macropipe::dag
