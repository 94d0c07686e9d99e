// Loads a parsed FRED-MD vintage straight into a warehouse for the tests of
// the forecast job, which run without the landing zone.
#pragma once

#include <string>
#include <vector>

#include "core/date.h"
#include "sources/fredmd.h"
#include "warehouse/warehouse.h"

namespace macropipe::forecast::tft {

// Rows of one FRED-MD column.
class FredMdColumnStream : public ObservationStream {
 public:
  FredMdColumnStream(const FredMdFile& file, size_t column) : file_(file), column_(column) {}

  bool Next(ObservationRow& row) override {
    const std::vector<std::string>& values = file_.values[column_];
    for (; next_ < values.size(); ++next_) {
      if (values[next_].empty()) continue;
      row = {file_.dates[next_], std::stod(values[next_]), std::nullopt, std::nullopt};
      ++next_;
      return true;
    }
    return false;
  }
  const std::vector<RejectedRow>& rejected() const override { return rejected_; }

 private:
  const FredMdFile& file_;
  size_t column_;
  size_t next_ = 0;
  std::vector<RejectedRow> rejected_;
};

// Loads every column of `file` as a series of source "fred-md" at `vintage`.
inline void LoadFredMd(Warehouse& warehouse, const FredMdFile& file, Date vintage) {
  for (size_t column = 0; column < file.names.size(); ++column) {
    LoadRequest request;
    request.series.source = "fred-md";
    request.series.id = file.names[column];
    request.series.frequency = "Monthly";
    request.series.transform_code = file.transform_codes[column];
    request.object_key = "fred-md/" + file.names[column];
    request.object_version = "v1";
    request.object_sha256 = "0";
    request.vintage_date = vintage;
    request.fetched_at = vintage.ToIso() + "T00:00:00Z";
    FredMdColumnStream rows(file, column);
    warehouse.Load(request, rows);
  }
}

}  // namespace macropipe::forecast::tft
