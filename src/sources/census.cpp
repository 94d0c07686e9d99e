#include "sources/census.h"

#include <spdlog/spdlog.h>
#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/error.h"
#include "core/url.h"
#include "sources/api_client.h"
#include "sources/json_fields.h"
#include "sources/series_landing.h"
#include "sources/source.h"
#include "sources/source_options.h"

namespace macropipe {
namespace {

constexpr char kDefaultBaseUrl[] = "https://api.census.gov/data/timeseries/eits";
constexpr size_t kMaxQuotedText = 300;

[[noreturn]] void ThrowMalformed(const std::string& origin, const std::string& what) {
  throw Error(ErrorCode::kInvalidInput, "unexpected Census response from " + origin + ": " + what);
}

bool IsNumber(std::string_view text) {
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && error == std::errc() && end == text.data() + text.size() &&
         std::isfinite(value);
}

std::string ReplaceAll(std::string text, const std::string& what, const std::string& with) {
  if (what.empty()) return text;
  for (size_t at = text.find(what); at != std::string::npos;
       at = text.find(what, at + with.size())) {
    text.replace(at, what.size(), with);
  }
  return text;
}

std::string HtmlTitle(const std::string& body) {
  size_t start = body.find("<title>");
  size_t end = body.find("</title>");
  if (start == std::string::npos || end == std::string::npos || end < start) return "";
  return body.substr(start + 7, end - start - 7);
}

std::string GeographyColumn(const std::string& geography) {
  return geography.substr(0, geography.find(':'));
}

}  // namespace

CensusTable ParseCensusTable(std::string_view body, const std::string& origin) {
  nlohmann::json json = ParseJsonBody(body, origin);
  if (!json.is_array() || json.empty()) ThrowMalformed(origin, "expected an array of rows");
  CensusTable table;
  for (size_t i = 0; i < json.size(); ++i) {
    const nlohmann::json& row = json[i];
    if (!row.is_array()) ThrowMalformed(origin, "row " + std::to_string(i) + " is not an array");
    std::vector<std::string> cells;
    for (const nlohmann::json& cell : row) {
      // Every cell is a string in EITS. A null cell is read as a missing value.
      cells.push_back(cell.is_string() ? cell.get<std::string>()
                      : cell.is_null() ? ""
                                       : cell.dump());
    }
    if (i == 0) {
      table.header = std::move(cells);
      continue;
    }
    if (cells.size() != table.header.size()) {
      ThrowMalformed(origin, "row " + std::to_string(i) + " has " + std::to_string(cells.size()) +
                                 " cells but the header has " +
                                 std::to_string(table.header.size()));
    }
    table.rows.push_back(std::move(cells));
  }
  return table;
}

std::optional<Date> ParseCensusTime(std::string_view text) {
  if (text.size() == 7 && text[4] == '-' && text[5] == 'Q' && text[6] >= '1' && text[6] <= '4') {
    std::optional<Date> year = Date::TryParseYearMonth(std::string(text.substr(0, 4)) + "-01");
    if (!year) return std::nullopt;
    return year->AddMonths(3 * (text[6] - '1'));
  }
  if (text.size() == 4) return Date::TryParseYearMonth(std::string(text) + "-01");
  return Date::TryParseYearMonth(text);
}

std::vector<SeriesRow> SelectCensusSeries(const CensusTable& table, const CensusSeriesSpec& spec,
                                          const std::string& origin) {
  auto column = [&](const std::string& name) {
    auto found = std::find(table.header.begin(), table.header.end(), name);
    if (found == table.header.end()) {
      ThrowMalformed(origin, "the column '" + name + "' needed by series '" + spec.id +
                                 "' is missing; the header is " +
                                 nlohmann::json(table.header).dump());
    }
    return static_cast<size_t>(found - table.header.begin());
  };
  size_t value_column = column("cell_value");
  size_t time_column = column("time");
  std::vector<std::pair<size_t, std::string>> filters;
  for (const auto& [name, value] : spec.key_columns) filters.emplace_back(column(name), value);

  std::vector<std::pair<SeriesRow, std::string>> selected;  // Row and its time as written.
  for (const std::vector<std::string>& cells : table.rows) {
    bool match = std::all_of(filters.begin(), filters.end(), [&](const auto& filter) {
      return cells[filter.first] == filter.second;
    });
    if (!match) continue;
    const std::string& time = cells[time_column];
    std::optional<Date> date = ParseCensusTime(time);
    if (!date) ThrowMalformed(origin, "invalid time '" + time + "' for series '" + spec.id + "'");
    std::string value = cells[value_column];
    if (value.size() > 2 && value.front() == '(' && value.back() == ')') value.clear();
    if (!value.empty() && !IsNumber(value)) {
      ThrowMalformed(origin, "non-numeric cell_value '" + value + "' for series '" + spec.id +
                                 "' at time " + time);
    }
    selected.push_back({SeriesRow{*date, value, {}, {}, {}}, time});
  }
  if (selected.empty()) {
    throw Error(ErrorCode::kNotFound, "no rows of " + origin + " match series '" + spec.id + "' (" +
                                          nlohmann::json(spec.key_columns).dump() +
                                          "); check its key column values in the config");
  }

  std::stable_sort(selected.begin(), selected.end(),
                   [](const auto& a, const auto& b) { return a.first.date < b.first.date; });
  std::vector<SeriesRow> rows;
  for (size_t i = 0; i < selected.size(); ++i) {
    if (i > 0 && selected[i].first.date == selected[i - 1].first.date) {
      if (selected[i].first.value == selected[i - 1].first.value) continue;
      throw Error(ErrorCode::kInvalidInput,
                  "series '" + spec.id + "' has two rows for time " + selected[i].second +
                      " with different values '" + selected[i - 1].first.value + "' and '" +
                      selected[i].first.value + "' in " + origin +
                      "; add the key column that tells them apart (such as time_slot_id) to "
                      "the series in the config");
    }
    rows.push_back(selected[i].first);
  }
  return rows;
}

ResponseClassifier CensusClassifier(std::string what, std::string api_key) {
  return [what = std::move(what), api_key = std::move(api_key)](const HttpResponse& response) {
    auto fail = [&](ErrorCode code, const std::string& detail, const std::string& advice) {
      throw Error(code,
                  ReplaceAll("the Census API rejected " + what + ": " + detail + "; " + advice,
                             api_key, "REDACTED"));
    };
    if (response.status == 204) return;
    std::string content_type = response.Header("content-type");
    bool html = content_type.find("text/html") != std::string::npos;
    if (!response.Header("x-datawebapi-keyerror").empty() || (html && response.status < 400)) {
      fail(ErrorCode::kUnauthenticated,
           "an HTML page ('" + HtmlTitle(response.body) + "') instead of data",
           "check CENSUS_API_KEY, or unset it to send requests without a key");
    }
    std::optional<ErrorCode> code = ErrorCodeForStatus(response.status);
    if (!code) return;
    std::string text = html ? HtmlTitle(response.body) : response.body.substr(0, kMaxQuotedText);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    std::string advice = *code == ErrorCode::kInvalidInput
                             ? "check the dataset and key column names in the config"
                             : "retry later";
    fail(*code, "HTTP " + std::to_string(response.status) + " '" + text + "'", advice);
  };
}

namespace {

CensusSeriesSpec ReadSeriesSpec(OptionReader& options) {
  CensusSeriesSpec spec;
  spec.id = options.RequireString("id");
  spec.dataset = options.RequireString("dataset");
  for (const char* key : {"category_code", "data_type_code", "seasonally_adj"}) {
    spec.key_columns[key] = options.RequireString(key);
  }
  if (auto slot = options.String("time_slot_id")) spec.key_columns["time_slot_id"] = *slot;
  spec.geography = options.String("geography").value_or("us");
  size_t colon = spec.geography.find(':');
  if (colon != std::string::npos && spec.geography.substr(colon + 1) != "*") {
    spec.key_columns[GeographyColumn(spec.geography)] = spec.geography.substr(colon + 1);
  }
  spec.title = options.String("title").value_or("");
  spec.units = options.String("units").value_or("");
  options.RejectUnknownKeys();
  return spec;
}

// The series that one request serves.
struct RequestGroup {
  std::string dataset;
  std::string seasonally_adj;
  std::string geography;
  std::vector<const CensusSeriesSpec*> series;
};

class CensusSource : public Source {
 public:
  explicit CensusSource(const SourceConfig& config) : name_(config.name) {
    OptionReader options = SourceOptions(config);
    base_url_ = ReadBaseUrl(options, kDefaultBaseUrl);
    start_ = options.String("start").value_or("1992");
    if (start_.size() != 4 || !IsNumber(start_)) {
      throw Error(ErrorCode::kInvalidInput, "invalid start '" + start_ + "' at " +
                                                options.Where("start") + ": write a year, YYYY");
    }
    policy_ = ReadRequestPolicy(options, {.per_day = 500});
    ReadSeries(config, options);
    options.RejectUnknownKeys();
    for (const CensusSeriesSpec& spec : series_) AddToGroup(spec);
  }

  const std::string& name() const override { return name_; }
  RequestPolicy request_policy() const override { return policy_; }

  FetchSummary Fetch(FetchContext& context) override {
    std::string key;
    if (context.secret) key = context.secret("CENSUS_API_KEY").value_or("");
    if (key.empty()) {
      spdlog::info(
          "source {}: CENSUS_API_KEY is not set; sending requests without a key, "
          "limited to 500 per day per address",
          name_);
    }
    ApiClient api(context);

    struct Fetched {
      std::string url;
      HttpResponse response;
      const RequestGroup* group;
      std::vector<std::vector<SeriesRow>> rows;  // One per series of the group.
    };
    std::vector<Fetched> fetched;
    std::vector<SeriesFailure> failures;
    for (const RequestGroup& group : groups_) {
      FetchOrRecordFailure(name_, SeriesNames(group), failures, [&] {
        std::string url = GroupUrl(group, key);
        std::string what = "dataset " + group.dataset + " (" + RedactUrl(url) + ")";
        HttpResponse response = api.Get(url, "Census " + what, CensusClassifier(what, key));
        if (response.status == 204) {
          spdlog::warn("source {}: no data for dataset {} (HTTP 204) from {}; series {} not landed",
                       name_, group.dataset, RedactUrl(url), SeriesNames(group));
          return;
        }
        CensusTable table = ParseCensusTable(response.body, RedactUrl(url));
        Fetched item{url, std::move(response), &group, {}};
        for (const CensusSeriesSpec* spec : group.series) {
          item.rows.push_back(SelectCensusSeries(table, *spec, RedactUrl(url)));
        }
        fetched.push_back(std::move(item));
      });
    }

    SeriesLanding landing(context, name_);
    for (const Fetched& item : fetched) {
      const RequestGroup& group = *item.group;
      LandingEntry raw = landing.LandRaw(
          group.dataset + "." + group.seasonally_adj + "." + GeographyColumn(group.geography),
          item.url, item.response, "json");
      for (size_t i = 0; i < group.series.size(); ++i) {
        landing.LandSeries(Info(*group.series[i], item.rows[i]),
                           WriteSeriesCsv(item.rows[i], SeriesCsvLayout()), raw, std::nullopt);
      }
    }
    FetchSummary summary = landing.Commit();
    summary.failures = std::move(failures);
    spdlog::info("source {}: {} requests, {} series, {} failed; {} objects landed, {} unchanged",
                 name_, api.requests(), summary.series, summary.failures.size(),
                 summary.objects_landed, summary.objects_unchanged);
    return summary;
  }

 private:
  void ReadSeries(const SourceConfig& config, OptionReader& options) {
    std::vector<OptionReader> tables =
        options.TableList("series").value_or(std::vector<OptionReader>{});
    if (tables.empty()) {
      throw Error(ErrorCode::kInvalidInput,
                  "source '" + name_ + "' in " + config.file +
                      " needs its series as [[sources.series]] tables with id, dataset, "
                      "category_code, data_type_code and seasonally_adj");
    }
    for (OptionReader& series_options : tables) {
      CensusSeriesSpec spec = ReadSeriesSpec(series_options);
      for (const CensusSeriesSpec& other : series_) {
        if (other.id == spec.id) {
          throw Error(ErrorCode::kInvalidInput,
                      "series id '" + spec.id + "' at " + series_options.Where("id") +
                          " appears twice in source '" + name_ + "': give each series its own id");
        }
      }
      series_.push_back(std::move(spec));
    }
  }

  void AddToGroup(const CensusSeriesSpec& spec) {
    const std::string& adjustment = spec.key_columns.at("seasonally_adj");
    for (RequestGroup& group : groups_) {
      if (group.dataset == spec.dataset && group.seasonally_adj == adjustment &&
          group.geography == spec.geography) {
        group.series.push_back(&spec);
        return;
      }
    }
    groups_.push_back({spec.dataset, adjustment, spec.geography, {&spec}});
  }

  std::string GroupUrl(const RequestGroup& group, const std::string& key) const {
    std::string url = base_url_ + "/" + EncodeQueryValue(group.dataset) +
                      "?get=cell_value,time_slot_id&category_code&data_type_code";
    url = AppendQuery(url, "seasonally_adj", group.seasonally_adj);
    url = AppendQuery(url, "for", group.geography);
    url += "&time=from+" + start_;
    if (!key.empty()) url = AppendQuery(url, "key", key);
    return url;
  }

  static std::string SeriesNames(const RequestGroup& group) {
    std::string names;
    for (const CensusSeriesSpec* spec : group.series)
      names += (names.empty() ? "" : ", ") + spec->id;
    return names;
  }

  static SeriesInfo Info(const CensusSeriesSpec& spec, const std::vector<SeriesRow>& rows) {
    SeriesInfo info;
    info.id = spec.id;
    info.title = spec.title.empty()
                     ? "Census EITS " + spec.dataset + " " + spec.key_columns.at("category_code") +
                           " " + spec.key_columns.at("data_type_code")
                     : spec.title;
    info.units = spec.units;
    info.seasonal_adjustment = spec.key_columns.at("seasonally_adj") == "yes" ? "SA" : "NSA";
    bool quarterly = rows.size() > 1 && rows[1].date.AddMonths(-3) >= rows[0].date;
    info.frequency = quarterly ? "Quarterly" : "Monthly";
    info.notes = "EITS dataset " + spec.dataset + ", rows selected on " +
                 nlohmann::json(spec.key_columns).dump();
    return info;
  }

  std::string name_;
  std::string base_url_;
  std::string start_;
  RequestPolicy policy_;
  std::vector<CensusSeriesSpec> series_;
  std::vector<RequestGroup> groups_;
};

}  // namespace

REGISTER_SOURCE(kCensusSourceType, CensusSource);

}  // namespace macropipe
