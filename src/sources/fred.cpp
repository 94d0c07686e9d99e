#include "sources/fred.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/error.h"
#include "core/url.h"
#include "sources/alfred_windows.h"
#include "sources/api_client.h"
#include "sources/fred_response.h"
#include "sources/series_csv.h"
#include "sources/series_landing.h"
#include "sources/source_options.h"

namespace macropipe {
namespace {

constexpr char kDefaultBaseUrl[] = "https://api.stlouisfed.org/fred";
constexpr int64_t kMaxPageSize = 100000;
constexpr int64_t kMaxVintageDates = 2000;
constexpr int64_t kMaxVintageDatesPage = 10000;

enum class VintageMode { kLatest, kAsOf, kAll, kFirstRelease };

struct FredOptions {
  std::string base_url;
  std::vector<std::string> series;
  FredFormat format = FredFormat::kJson;
  VintageMode mode = VintageMode::kLatest;
  std::optional<Date> as_of;
  std::optional<Date> observation_start;
  bool metadata = true;
  int64_t page_size = kMaxPageSize;
  int64_t max_vintage_dates = kMaxVintageDates;
  RequestPolicy policy;
};

struct RawResponse {
  std::string name;
  std::string url;
  HttpResponse response;
};

// Everything fetched and parsed for one series, ready to land.
struct FetchedSeries {
  std::string api_key;  // Sent with each request; tasks of one source fetch concurrently.
  SeriesInfo info;
  std::vector<RawResponse> raw;
  std::vector<SeriesRow> rows;
  bool realtime = false;
  std::optional<Date> vintage;
};

std::optional<Date> ReadDate(OptionReader& options, const std::string& key) {
  std::optional<std::string> text = options.String(key);
  if (!text) return std::nullopt;
  std::optional<Date> date = Date::TryParseIso(*text);
  if (!date) {
    throw Error(ErrorCode::kInvalidInput,
                "invalid date '" + *text + "' at " + options.Where(key) + ": write YYYY-MM-DD");
  }
  return date;
}

int64_t ReadBoundedInteger(OptionReader& options, const std::string& key, int64_t fallback,
                           int64_t max) {
  int64_t value = options.Integer(key).value_or(fallback);
  if (value < 1 || value > max) {
    throw Error(ErrorCode::kInvalidInput, "invalid " + options.Where(key) + ": " +
                                              std::to_string(value) + " is not between 1 and " +
                                              std::to_string(max));
  }
  return value;
}

FredOptions ReadFredOptions(const SourceConfig& config) {
  OptionReader options = SourceOptions(config);
  FredOptions fred;
  fred.base_url = ReadBaseUrl(options, kDefaultBaseUrl);
  fred.series = options.StringList("series").value_or(std::vector<std::string>{});
  if (fred.series.empty()) {
    throw Error(ErrorCode::kInvalidInput, "missing or empty key 'series' in source '" +
                                              config.name + "' of " + config.file +
                                              ": list the FRED series ids to fetch");
  }

  std::string file_type = options.String("file_type").value_or("json");
  if (file_type != "json" && file_type != "xml") {
    throw Error(ErrorCode::kInvalidInput, "invalid file_type '" + file_type + "' at " +
                                              options.Where("file_type") +
                                              ": write \"json\" or \"xml\"");
  }
  fred.format = file_type == "xml" ? FredFormat::kXml : FredFormat::kJson;

  std::string mode = options.String("vintages").value_or("latest");
  if (mode == "latest") {
    fred.mode = VintageMode::kLatest;
  } else if (mode == "as_of") {
    fred.mode = VintageMode::kAsOf;
  } else if (mode == "all") {
    fred.mode = VintageMode::kAll;
  } else if (mode == "first_release") {
    fred.mode = VintageMode::kFirstRelease;
  } else {
    throw Error(ErrorCode::kInvalidInput,
                "invalid vintages '" + mode + "' at " + options.Where("vintages") +
                    ": write \"latest\", \"as_of\", \"all\" or \"first_release\"");
  }
  fred.as_of = ReadDate(options, "as_of");
  if ((fred.mode == VintageMode::kAsOf) != fred.as_of.has_value()) {
    throw Error(ErrorCode::kInvalidInput,
                "source '" + config.name + "' in " + config.file +
                    ": set as_of = \"YYYY-MM-DD\" exactly when vintages = \"as_of\"");
  }
  fred.observation_start = ReadDate(options, "observation_start");
  fred.metadata = options.Boolean("metadata").value_or(true);
  fred.page_size = ReadBoundedInteger(options, "page_size", kMaxPageSize, kMaxPageSize);
  fred.max_vintage_dates =
      ReadBoundedInteger(options, "max_vintage_dates", kMaxVintageDates, kMaxVintageDates);
  fred.policy = ReadRequestPolicy(options, {.per_minute = 120});
  options.RejectUnknownKeys();
  return fred;
}

class FredSource : public Source {
 public:
  explicit FredSource(const SourceConfig& config)
      : name_(config.name), options_(ReadFredOptions(config)) {}

  const std::string& name() const override { return name_; }
  RequestPolicy request_policy() const override { return options_.policy; }

  FetchSummary Fetch(FetchContext& context) override {
    return FetchSeriesList(context, options_.series);
  }

  std::vector<std::string> Parts() const override { return options_.series; }

  FetchSummary FetchPart(FetchContext& context, const std::string& part) override {
    if (std::find(options_.series.begin(), options_.series.end(), part) == options_.series.end()) {
      throw Error(ErrorCode::kInvalidInput, "series '" + part + "' is not configured for source '" +
                                                name_ + "'; add it to `series`");
    }
    return FetchSeriesList(context, {part});
  }

  // A latest-vintage fetch can be replaced by the vintage known on a date;
  // the other modes already carry every real-time period or a fixed date.
  bool fetches_as_of() const override { return options_.mode == VintageMode::kLatest; }

 private:
  FetchSummary FetchSeriesList(FetchContext& context, const std::vector<std::string>& ids) {
    std::string key = RequireSecret(context, name_, "FRED_API_KEY");
    std::optional<Date> as_of = options_.as_of;
    if (context.as_of && fetches_as_of()) as_of = context.as_of;
    ApiClient api(context);
    std::vector<FetchedSeries> fetched;
    std::vector<SeriesFailure> failures;
    for (const std::string& id : ids) {
      FetchOrRecordFailure(name_, id, failures,
                           [&] { fetched.push_back(FetchSeries(api, key, id, as_of)); });
    }

    SeriesLanding landing(context, name_);
    std::string extension = options_.format == FredFormat::kXml ? "xml" : "json";
    for (const FetchedSeries& series : fetched) {
      LandingEntry raw;
      for (const RawResponse& response : series.raw) {
        raw = landing.LandRaw(response.name, response.url, response.response, extension);
      }
      SeriesCsvLayout layout;
      layout.realtime = series.realtime;
      std::string csv = WriteSeriesCsv(series.rows, layout);
      landing.LandSeries(series.info, csv, raw, series.vintage);
    }
    FetchSummary summary = landing.Commit();
    summary.failures = std::move(failures);
    spdlog::info(
        "source {}: fetched {} series in {} requests, {} failed; {} objects landed, {} unchanged",
        name_, summary.series, api.requests(), summary.failures.size(), summary.objects_landed,
        summary.objects_unchanged);
    return summary;
  }

  std::string Url(std::string_view path, const FetchedSeries& series) const {
    std::string url = options_.base_url + "/" + std::string(path);
    url = AppendQuery(url, "series_id", series.info.id);
    url = AppendQuery(url, "api_key", series.api_key);
    return AppendQuery(url, "file_type", options_.format == FredFormat::kXml ? "xml" : "json");
  }

  FetchedSeries FetchSeries(ApiClient& api, const std::string& key, const std::string& id,
                            std::optional<Date> as_of) {
    FetchedSeries series;
    series.api_key = key;
    series.info.id = id;
    if (options_.metadata) {
      std::string url = Url("series", series);
      HttpResponse response = api.Get(url, "FRED series " + id, FredClassifier("series " + id));
      series.info = ParseFredSeries(response.body, options_.format, RedactUrl(url));
      series.info.id = id;
      series.raw.push_back({id + ".series", url, std::move(response)});
    }

    switch (options_.mode) {
      case VintageMode::kLatest:
      case VintageMode::kAsOf:
        FetchSnapshot(api, series, as_of);
        break;
      case VintageMode::kAll:
      case VintageMode::kFirstRelease:
        FetchRealtime(api, series);
        break;
    }
    return series;
  }

  // One vintage: today's, or the one in force on `as_of`.
  void FetchSnapshot(ApiClient& api, FetchedSeries& series, std::optional<Date> as_of) {
    std::string query;
    if (as_of) query = "&realtime_start=" + as_of->ToIso() + "&realtime_end=" + as_of->ToIso();
    std::optional<Date> envelope_start;
    std::vector<FredObservation> rows =
        FetchObservations(api, series, query, "observations", &envelope_start);
    series.vintage = as_of ? as_of : envelope_start;
    for (const FredObservation& row : rows)
      series.rows.push_back({row.date, row.value, {}, {}, {}});
  }

  // Every real-time period, in windows of at most max_vintage_dates vintage dates.
  void FetchRealtime(ApiClient& api, FetchedSeries& series) {
    std::vector<RealtimeWindow> windows = PlanRealtimeWindows(
        FetchVintageDates(api, series), static_cast<size_t>(options_.max_vintage_dates));
    std::vector<FredObservation> rows;
    for (size_t i = 0; i < windows.size(); ++i) {
      std::string query =
          "&realtime_start=" + windows[i].start.ToIso() + "&realtime_end=" + windows[i].end.ToIso();
      if (options_.mode == VintageMode::kFirstRelease) query += "&output_type=4";
      std::vector<FredObservation> window_rows =
          FetchObservations(api, series, query, "observations.w" + std::to_string(i), nullptr);
      rows.insert(rows.end(), window_rows.begin(), window_rows.end());
    }
    rows = MergeWindowRows(std::move(rows), windows, "ALFRED series " + series.info.id);
    if (options_.mode == VintageMode::kFirstRelease) rows = KeepFirstReleases(rows);

    series.realtime = true;
    for (const FredObservation& row : rows) {
      series.rows.push_back({row.date, row.value, row.realtime_start, row.realtime_end, {}});
    }
  }

  std::vector<Date> FetchVintageDates(ApiClient& api, FetchedSeries& series) {
    const std::string& id = series.info.id;
    std::vector<Date> dates;
    for (int64_t offset = 0;;) {
      std::string url = Url("series/vintagedates", series) +
                        "&limit=" + std::to_string(kMaxVintageDatesPage) +
                        "&offset=" + std::to_string(offset);
      HttpResponse response =
          api.Get(url, "FRED vintage dates of " + id, FredClassifier("vintage dates of " + id));
      FredVintageDatesPage page =
          ParseFredVintageDates(response.body, options_.format, RedactUrl(url));
      series.raw.push_back(
          {id + ".vintagedates." + std::to_string(offset), url, std::move(response)});
      dates.insert(dates.end(), page.vintage_dates.begin(), page.vintage_dates.end());
      offset += static_cast<int64_t>(page.vintage_dates.size());
      if (offset >= page.count) break;
      if (page.vintage_dates.empty()) ThrowShortPage(url, offset, page.count);
    }
    return dates;
  }

  // Fetches every page of one observations request.
  std::vector<FredObservation> FetchObservations(ApiClient& api, FetchedSeries& series,
                                                 const std::string& query,
                                                 const std::string& raw_name,
                                                 std::optional<Date>* envelope_start) {
    const std::string& id = series.info.id;
    std::vector<FredObservation> rows;
    for (int64_t offset = 0;;) {
      std::string url = Url("series/observations", series) + query +
                        "&limit=" + std::to_string(options_.page_size) +
                        "&offset=" + std::to_string(offset);
      if (options_.observation_start) {
        url += "&observation_start=" + options_.observation_start->ToIso();
      }
      HttpResponse response =
          api.Get(url, "FRED observations of " + id, FredClassifier("observations of " + id));
      FredObservationPage page =
          ParseFredObservations(response.body, options_.format, RedactUrl(url));
      series.raw.push_back(
          {id + "." + raw_name + "." + std::to_string(offset), url, std::move(response)});
      if (envelope_start && offset == 0) *envelope_start = page.realtime_start;
      rows.insert(rows.end(), page.observations.begin(), page.observations.end());
      offset += static_cast<int64_t>(page.observations.size());
      if (offset >= page.count) break;
      if (page.observations.empty()) ThrowShortPage(url, offset, page.count);
    }
    return rows;
  }

  [[noreturn]] static void ThrowShortPage(const std::string& url, int64_t received, int64_t count) {
    throw Error(ErrorCode::kUnavailable,
                "FRED returned an empty page at offset " + std::to_string(received) + " of " +
                    std::to_string(count) + " rows from " + RedactUrl(url) + "; retry later");
  }

  std::string name_;
  FredOptions options_;
};

}  // namespace

REGISTER_SOURCE(kFredSourceType, FredSource);

}  // namespace macropipe
