#include "dag/time_zone.h"

#include "core/error.h"

namespace macropipe::dag {

TimeZone TimeZone::Locate(const std::string& name) {
  try {
    return TimeZone(date::locate_zone(name), name);
  } catch (const std::exception& error) {
    throw Error(ErrorCode::kInvalidInput,
                "unknown time zone '" + name + "' (" + error.what() +
                    "); use an IANA name such as 'America/New_York' or 'UTC'");
  }
}

std::chrono::system_clock::time_point TimeZone::ToUtc(LocalSeconds local) const {
  // For a unique time `first` is its only offset; in a gap it is the offset
  // before the change, which moves the time forward by the gap; in an overlap
  // it is the offset of the first occurrence. So one subtraction applies the rule.
  date::local_info info = zone_->get_info(local);
  return date::sys_seconds(local.time_since_epoch() - info.first.offset);
}

LocalSeconds TimeZone::ToLocal(std::chrono::system_clock::time_point utc) const {
  return zone_->to_local(std::chrono::floor<std::chrono::seconds>(utc));
}

}  // namespace macropipe::dag
