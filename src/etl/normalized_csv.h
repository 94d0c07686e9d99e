// Reads a landing zone's normalized series CSV as a stream of observations.
//
// The header is `date,value`, optionally followed by `realtime_start,
// realtime_end`, then by any columns the source keeps for reference (such as
// the original date of a bar), which are ignored. Dates are YYYY-MM-DD; an empty value or "." is
// missing. Rows that cannot be used (a bad date, a non-numeric or infinite value, a wrong number of
// fields, a repeated period) are collected in `rejected()` with the reason instead of stopping the
// load. A missing or unknown header is an error. Not thread-safe.
#pragma once

#include <istream>
#include <string>
#include <vector>

#include "warehouse/warehouse.h"

namespace macropipe {

class NormalizedCsvStream : public ObservationStream {
 public:
  // `origin` names the object in messages; `in` must outlive the stream.
  NormalizedCsvStream(std::istream& in, std::string origin);

  bool Next(ObservationRow& row) override;
  const std::vector<RejectedRow>& rejected() const override { return rejected_; }

 private:
  void Reject(const std::string& reason);

  std::istream& in_;
  std::string origin_;
  std::string line_;
  std::vector<std::string_view> fields_;
  int64_t line_number_ = 1;
  bool has_realtime_ = false;
  size_t width_ = 0;  // Fields per row, from the header.
  // Returns true the first time `key` is seen. Files are usually in date
  // order, so a key above every earlier one is accepted without a lookup.
  bool FirstSighting(int64_t key);

  std::vector<int64_t> seen_;  // Period (and real-time start) keys read so far.
  bool seen_sorted_ = true;
  std::vector<RejectedRow> rejected_;
};

}  // namespace macropipe
