#include "sources/series_csv.h"

#include <algorithm>
#include <tuple>

#include "core/error.h"

namespace macropipe {
namespace {

void AppendField(std::string& csv, std::string_view text) {
  csv += ',';
  for (char c : text) {
    bool separator = c == ',' || c == '"' || c == '\n' || c == '\r';
    csv += separator ? ' ' : c;
  }
}

}  // namespace

std::string WriteSeriesCsv(const std::vector<SeriesRow>& rows, const SeriesCsvLayout& layout) {
  std::string csv = layout.realtime ? "date,value,realtime_start,realtime_end" : "date,value";
  for (const std::string& column : layout.extra_columns) AppendField(csv, column);
  csv += '\n';
  csv.reserve(rows.size() * (layout.realtime ? 40 : 20));

  for (const SeriesRow& row : rows) {
    if (row.extra.size() != layout.extra_columns.size()) {
      throw Error(ErrorCode::kInternal, "series row for " + row.date.ToIso() + " has " +
                                            std::to_string(row.extra.size()) +
                                            " reference values but the layout names " +
                                            std::to_string(layout.extra_columns.size()));
    }
    csv += row.date.ToIso();
    AppendField(csv, row.value);
    if (layout.realtime) {
      if (!row.realtime_start || !row.realtime_end) {
        throw Error(ErrorCode::kInternal,
                    "series row for " + row.date.ToIso() + " lacks its real-time period");
      }
      AppendField(csv, row.realtime_start->ToIso());
      AppendField(csv, row.realtime_end->ToIso());
    }
    for (const std::string& value : row.extra) AppendField(csv, value);
    csv += '\n';
  }
  return csv;
}

void SortSeriesRows(std::vector<SeriesRow>& rows) {
  std::stable_sort(rows.begin(), rows.end(), [](const SeriesRow& a, const SeriesRow& b) {
    Date a_start = a.realtime_start.value_or(Date());
    Date b_start = b.realtime_start.value_or(Date());
    return std::tie(a.date, a_start) < std::tie(b.date, b_start);
  });
}

int64_t CountCsvRows(std::string_view csv) {
  int64_t lines = 0;
  size_t start = 0;
  while (start < csv.size()) {
    size_t end = csv.find('\n', start);
    if (end == std::string_view::npos) end = csv.size();
    if (end > start) ++lines;
    start = end + 1;
  }
  return lines > 0 ? lines - 1 : 0;
}

}  // namespace macropipe
