#include "forecast/panel.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "core/error.h"
#include "forecast/transform.h"

namespace macropipe::forecast {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

int MonthIndex(const Date& date) { return date.year() * 12 + static_cast<int>(date.month()) - 1; }

// One series' values by month index.
using MonthlyValues = std::map<int, double>;

MonthlyValues ReadSeries(Warehouse& warehouse, const SeriesInfo& series,
                         const std::optional<Date>& as_of) {
  MonthlyValues values;
  for (const StoredObservation& observation : warehouse.Observations(series, as_of)) {
    if (observation.value) values[MonthIndex(observation.period)] = *observation.value;
  }
  return values;
}

std::string VintageText(const PanelOptions& options) {
  return options.as_of ? " as of " + options.as_of->ToIso() : "";
}

Date MonthStart(int index) { return Date(index / 12, static_cast<unsigned>(index % 12) + 1, 1); }

// Transforms a series over all its months up to `last`, so that differences
// at the grid's first rows see the months before, and returns the rows of
// the grid [first, last]. Months the series lacks are NaN.
std::vector<double> TransformOnGrid(const MonthlyValues& values, int code, const std::string& id,
                                    int first, int last) {
  std::vector<double> grid(static_cast<size_t>(last - first + 1), kMissing);
  int start = values.begin()->first;
  if (start > last) return grid;

  std::vector<Date> months;
  std::vector<double> levels;
  for (int month = start; month <= last; ++month) {
    months.push_back(MonthStart(month));
    auto it = values.find(month);
    levels.push_back(it == values.end() ? kMissing : it->second);
  }
  std::vector<double> transformed = ApplyTransform(levels, code, {id, months});
  for (int month = std::max(start, first); month <= last; ++month) {
    grid[static_cast<size_t>(month - first)] = transformed[static_cast<size_t>(month - start)];
  }
  return grid;
}

// Throws on a gap in the target, which no model could fill.
void CheckTargetComplete(const MonthlyValues& target, const PanelOptions& options) {
  int expected = target.begin()->first;
  for (const auto& [month, value] : target) {
    if (month != expected) {
      Date missing = MonthStart(expected);
      throw Error(ErrorCode::kInvalidInput,
                  "target " + options.target_id + " of source " + options.source +
                      " has no value for " + missing.ToIso() + VintageText(options) +
                      "; the target must be complete from its first month to its last");
    }
    ++expected;
  }
}

}  // namespace

Panel BuildPanel(Warehouse& warehouse, const PanelOptions& options) {
  std::vector<SeriesInfo> catalogue;
  for (SeriesInfo& info : warehouse.ListSeries()) {
    if (info.source == options.source) catalogue.push_back(std::move(info));
  }
  if (catalogue.empty()) {
    throw Error(ErrorCode::kNotFound, "source '" + options.source + "' has no series in " +
                                          warehouse.Location() +
                                          "; load it with `macropipe run` first");
  }
  std::sort(catalogue.begin(), catalogue.end(),
            [](const SeriesInfo& a, const SeriesInfo& b) { return a.id < b.id; });

  auto target_info = std::find_if(catalogue.begin(), catalogue.end(), [&](const SeriesInfo& info) {
    return info.id == options.target_id;
  });
  MonthlyValues target;
  if (target_info != catalogue.end()) target = ReadSeries(warehouse, *target_info, options.as_of);
  if (target.size() < 2) {
    throw Error(ErrorCode::kNotFound,
                "target " + options.target_id + " of source " + options.source + " has " +
                    std::to_string(target.size()) + " observations" + VintageText(options) +
                    " in " + warehouse.Location() +
                    "; it needs at least two, so load the source or choose another target");
  }
  CheckTargetComplete(target, options);

  // The first target level gives no rate, so the grid starts a month later.
  int first = target.begin()->first + 1;
  int last = target.rbegin()->first;
  Panel panel;
  for (int month = first; month <= last; ++month) panel.months.push_back(MonthStart(month));

  for (const SeriesInfo& info : catalogue) {
    bool is_target = info.id == options.target_id;
    MonthlyValues values = is_target ? target : ReadSeries(warehouse, info, options.as_of);
    if (values.empty()) continue;
    if (!is_target && !info.transform_code) {
      throw Error(ErrorCode::kInvalidInput,
                  "series " + info.id + " of source " + options.source +
                      " has no transformation code; reload it from a FRED-MD file");
    }
    int code = is_target ? 5 : PanelTransformCode(*info.transform_code);
    if (is_target) panel.target_column = panel.columns.size();
    panel.names.push_back(info.id);
    panel.columns.push_back(TransformOnGrid(values, code, info.id, first, last));
  }
  return panel;
}

std::string DataVintage(Warehouse& warehouse, const std::string& source,
                        std::optional<Date> as_of) {
  if (as_of) return as_of->ToIso();
  std::string quoted = source;
  for (size_t at = quoted.find('\''); at != std::string::npos; at = quoted.find('\'', at + 2)) {
    quoted.insert(at, 1, '\'');
  }
  QueryResult result = warehouse.Query(
      "SELECT max(b.vintage_date) FROM load_batches b JOIN series s "
      "ON s.series_key = b.series_key WHERE s.source = '" +
          quoted + "'",
      1);
  if (result.rows.empty() || !std::holds_alternative<std::string>(result.rows[0][0])) return "";
  return std::get<std::string>(result.rows[0][0]);
}

}  // namespace macropipe::forecast
