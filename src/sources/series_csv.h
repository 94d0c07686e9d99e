// Writes the normalized series CSV that connectors land and the loader reads:
// `date,value`, or `date,value,realtime_start,realtime_end` for sources with
// real-time periods, followed by any reference columns the source keeps
// (ignored by the loader, kept in the landing zone).
//
//   std::vector<SeriesRow> rows = ...;
//   std::string csv = WriteSeriesCsv(rows, layout);
//
// Free functions; safe to call from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"

namespace macropipe {

struct SeriesRow {
  Date date;          // The period, on its first day for monthly and quarterly data.
  std::string value;  // Decimal text as the source wrote it; empty when missing.
  std::optional<Date> realtime_start;  // Set for every row when the layout is real-time.
  std::optional<Date> realtime_end;
  std::vector<std::string> extra;  // One value per SeriesCsvLayout::extra_columns.
};

struct SeriesCsvLayout {
  bool realtime = false;                   // Write realtime_start and realtime_end.
  std::vector<std::string> extra_columns;  // Reference columns after the known ones.
};

// Returns the CSV text of `rows` in the order given. Commas, quotes and line
// breaks inside reference values are replaced by spaces because the loader
// splits rows on commas without quoting. Throws Error(kInternal) when a row
// lacks its real-time period or has the wrong number of reference values.
std::string WriteSeriesCsv(const std::vector<SeriesRow>& rows, const SeriesCsvLayout& layout);

// Sorts rows by date, then by real-time start.
void SortSeriesRows(std::vector<SeriesRow>& rows);

// Returns the number of data rows of a normalized series CSV: its non-empty
// lines after the header.
int64_t CountCsvRows(std::string_view csv);

}  // namespace macropipe
