#include "etl/normalized_csv.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/csv.h"
#include "core/error.h"

namespace macropipe {

NormalizedCsvStream::NormalizedCsvStream(std::istream& in, std::string origin)
    : in_(in), origin_(std::move(origin)) {
  if (!std::getline(in_, line_)) {
    throw Error(ErrorCode::kInvalidInput,
                "empty series file " + origin_ + ": expected a 'date,value' header");
  }
  SplitSimpleCsv(line_, fields_);
  // Known columns come first; any columns after them are kept in the landing
  // zone for reference and ignored here.
  bool has_value = fields_.size() >= 2 && fields_[0] == "date" && fields_[1] == "value";
  has_realtime_ = has_value && fields_.size() >= 4 && fields_[2] == "realtime_start" &&
                  fields_[3] == "realtime_end";
  if (!has_value) {
    throw Error(ErrorCode::kInvalidInput,
                "unexpected header '" + line_ + "' in " + origin_ + " line 1: expected " +
                    "'date,value' or 'date,value,realtime_start,realtime_end', optionally " +
                    "followed by more columns");
  }
  width_ = fields_.size();
}

void NormalizedCsvStream::Reject(const std::string& reason) {
  std::string text = line_;
  if (!text.empty() && text.back() == '\r') text.pop_back();
  rejected_.push_back(RejectedRow{line_number_, std::move(text), reason});
}

bool NormalizedCsvStream::FirstSighting(int64_t key) {
  if (seen_.empty() || (seen_sorted_ && key > seen_.back())) {
    seen_.push_back(key);
    return true;
  }
  if (!seen_sorted_) {
    std::sort(seen_.begin(), seen_.end());
    seen_sorted_ = true;
  }
  auto at = std::lower_bound(seen_.begin(), seen_.end(), key);
  if (at != seen_.end() && *at == key) return false;
  seen_.insert(at, key);
  return true;
}

bool NormalizedCsvStream::Next(ObservationRow& row) {
  while (std::getline(in_, line_)) {
    ++line_number_;
    if (line_.empty() || line_ == "\r") continue;
    SplitSimpleCsv(line_, fields_);
    if (fields_.size() != width_) {
      Reject("expected " + std::to_string(width_) + " fields, found " +
             std::to_string(fields_.size()));
      continue;
    }
    std::optional<Date> period = Date::TryParseIso(fields_[0]);
    if (!period) {
      Reject("invalid date '" + std::string(fields_[0]) + "' (expected YYYY-MM-DD)");
      continue;
    }
    row.period = *period;
    row.value.reset();
    row.realtime_start.reset();
    row.realtime_end.reset();
    std::string_view value = fields_[1];
    if (!value.empty() && value != ".") {
      double number = 0;
      if (!ParseFiniteDouble(value, number)) {
        Reject("non-numeric value '" + std::string(value) + "'");
        continue;
      }
      row.value = number;
    }
    int64_t key = period->days().time_since_epoch().count();
    if (has_realtime_) {
      row.realtime_start = Date::TryParseIso(fields_[2]);
      row.realtime_end = Date::TryParseIso(fields_[3]);
      if (!row.realtime_start || !row.realtime_end || *row.realtime_end < *row.realtime_start) {
        Reject("invalid real-time period '" + std::string(fields_[2]) + "' to '" +
               std::string(fields_[3]) + "'");
        continue;
      }
      key = key * 4000000 + row.realtime_start->days().time_since_epoch().count();
    }
    if (!FirstSighting(key)) {
      Reject(has_realtime_ ? "repeated date and realtime_start" : "repeated date");
      continue;
    }
    return true;
  }
  return false;
}

}  // namespace macropipe
