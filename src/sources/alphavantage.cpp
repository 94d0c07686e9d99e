#include "sources/alphavantage.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <regex>
#include <set>

#include "core/error.h"
#include "core/url.h"
#include "sources/api_client.h"
#include "sources/json_fields.h"
#include "sources/series_csv.h"
#include "sources/series_landing.h"
#include "sources/source_options.h"

namespace macropipe {
namespace {

constexpr char kDefaultBaseUrl[] = "https://www.alphavantage.co/query";
constexpr size_t kMaxQuotedText = 300;

[[noreturn]] void ThrowMalformed(const std::string& origin, const std::string& what) {
  throw Error(ErrorCode::kInvalidInput,
              "unexpected AlphaVantage response from " + origin + ": " + what);
}

// Reads "YYYY-MM-DD" with an optional time of day after it.
std::optional<Date> DatePrefix(std::string_view text) {
  if (text.size() > 10 && text[10] != ' ' && text[10] != 'T') return std::nullopt;
  return Date::TryParseIso(text.substr(0, 10));
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string Redact(std::string text, const std::string& api_key) {
  if (!api_key.empty()) {
    for (size_t at = text.find(api_key); at != std::string::npos; at = text.find(api_key, at)) {
      text.replace(at, api_key.size(), "REDACTED");
    }
  }
  // The daily-limit text reads "We have detected your API key as KEY and ...".
  static const std::regex kKeyEcho(R"((API key as )\S+)", std::regex::icase);
  text = std::regex_replace(text, kKeyEcho, "$1REDACTED");
  if (text.size() > kMaxQuotedText) text = text.substr(0, kMaxQuotedText) + "...";
  return text;
}

ErrorCode CodeForInformation(const std::string& text) {
  std::string lower = Lower(text);
  auto mentions = [&](std::string_view part) { return lower.find(part) != std::string::npos; };
  // Checked in this order because the burst text also names the daily limit
  // and the daily-limit text also names the premium plans.
  if (mentions("per second") || mentions("per minute") || mentions("sparingly")) {
    return ErrorCode::kRateLimited;
  }
  if (mentions("per day") || mentions("daily")) return ErrorCode::kQuotaExhausted;
  if (mentions("premium endpoint")) return ErrorCode::kPermissionDenied;
  if (mentions("frequency")) return ErrorCode::kRateLimited;
  if (mentions("demo") || mentions("api key") || mentions("apikey")) {
    return ErrorCode::kUnauthenticated;
  }
  if (mentions("premium")) return ErrorCode::kPermissionDenied;
  return ErrorCode::kInvalidInput;
}

std::string AdviceFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kQuotaExhausted:
      return "the key's daily quota is used up; retry after midnight US/Eastern or set "
             "requests_per_day for a paid key";
    case ErrorCode::kRateLimited:
      return "slow down: retry after a minute, or lower requests_per_minute";
    case ErrorCode::kPermissionDenied:
      return "this function needs a premium key; remove the symbol or upgrade the key";
    case ErrorCode::kUnauthenticated:
      return "check ALPHAVANTAGE_API_KEY";
    case ErrorCode::kUnavailable:
      return "retry later";
    default:
      return "check the symbol and function in the config";
  }
}

}  // namespace

std::string_view AlphaVantageDataKey(AlphaVantageFunction function) {
  return function == AlphaVantageFunction::kTimeSeriesMonthly
             ? "Monthly Time Series"
             : "Time Series (Digital Currency Monthly)";
}

MonthlyBars ParseAlphaVantageMonthly(std::string_view body, AlphaVantageFunction function,
                                     const std::string& market, const std::string& origin) {
  nlohmann::json json = ParseJsonBody(body, origin);
  const nlohmann::json& meta = RequireMember(json, "Meta Data", origin);
  const nlohmann::json& series = RequireMember(json, AlphaVantageDataKey(function), origin);
  if (!meta.is_object() || !series.is_object()) ThrowMalformed(origin, "expected JSON objects");

  MonthlyBars result;
  for (const auto& [key, value] : meta.items()) {
    if (!value.is_string()) continue;
    if (key.ends_with("Last Refreshed")) result.last_refreshed = value.get<std::string>();
    if (key.ends_with("Symbol") || key.ends_with("Digital Currency Code")) {
      result.symbol = value.get<std::string>();
    }
  }
  std::optional<Date> refreshed = DatePrefix(result.last_refreshed);
  if (!refreshed) ThrowMalformed(origin, "invalid Last Refreshed '" + result.last_refreshed + "'");

  const std::string old_close = "4a. close (" + market + ")";
  std::optional<Date> newest;
  for (const auto& [key, bar] : series.items()) {
    std::optional<Date> date = DatePrefix(key);
    if (!date) ThrowMalformed(origin, "invalid date key '" + key + "'");
    MonthlyBar parsed;
    parsed.source_date = *date;
    parsed.volume = RequireString(bar, "5. volume", origin);
    if (auto close = OptionalString(bar, "4. close")) {
      parsed.close = *close;
    } else if (auto old = OptionalString(bar, old_close)) {
      parsed.close = *old;
    } else {
      ThrowMalformed(origin, "the bar of " + key + " has neither '4. close' nor '" + old_close +
                                 "'; check the market");
    }
    result.bars.push_back(std::move(parsed));
    if (!newest || *date > *newest) newest = date;
  }

  std::sort(result.bars.begin(), result.bars.end(),
            [](const MonthlyBar& a, const MonthlyBar& b) { return a.source_date < b.source_date; });
  for (size_t i = 1; i < result.bars.size(); ++i) {
    if (result.bars[i].source_date.MonthStart() == result.bars[i - 1].source_date.MonthStart()) {
      ThrowMalformed(origin, "two bars in one month: " + result.bars[i - 1].source_date.ToIso() +
                                 " and " + result.bars[i].source_date.ToIso());
    }
  }
  if (!result.bars.empty() && result.bars.back().source_date == *refreshed) {
    result.bars.back().partial = true;
  }
  return result;
}

ResponseClassifier AlphaVantageClassifier(std::string what, std::string data_key,
                                          std::string api_key) {
  return [what = std::move(what), data_key = std::move(data_key),
          api_key = std::move(api_key)](const HttpResponse& response) {
    auto fail = [&](ErrorCode code, const std::string& detail) {
      throw Error(code, "AlphaVantage rejected " + what + ": " + Redact(detail, api_key) + "; " +
                            AdviceFor(code));
    };
    if (std::optional<ErrorCode> code = ErrorCodeForStatus(response.status)) {
      fail(*code, "HTTP " + std::to_string(response.status) + " '" +
                      response.body.substr(0, kMaxQuotedText) + "'");
    }
    nlohmann::json json = nlohmann::json::parse(response.body, nullptr, false);
    if (!json.is_object()) fail(ErrorCode::kInvalidInput, "the body is not a JSON object");
    if (json.contains(data_key)) return;

    if (auto note = OptionalString(json, "Note")) fail(ErrorCode::kRateLimited, "'" + *note + "'");
    if (auto information = OptionalString(json, "Information")) {
      fail(CodeForInformation(*information), "'" + *information + "'");
    }
    if (auto message = OptionalString(json, "Error Message")) {
      bool key_problem = Lower(*message).find("apikey") != std::string::npos;
      fail(key_problem ? ErrorCode::kUnauthenticated : ErrorCode::kInvalidInput,
           "'" + *message + "'");
    }
    fail(ErrorCode::kInvalidInput, "the response holds no '" + data_key + "'");
  };
}

namespace {

struct Request {
  std::string symbol;
  AlphaVantageFunction function;
};

struct Fetched {
  Request request;
  std::string url;
  HttpResponse response;
  MonthlyBars bars;
};

class AlphaVantageSource : public Source {
 public:
  explicit AlphaVantageSource(const SourceConfig& config) : name_(config.name) {
    OptionReader options = SourceOptions(config);
    base_url_ = ReadBaseUrl(options, kDefaultBaseUrl);
    market_ = options.String("market").value_or("USD");
    std::set<std::string> seen;
    auto add = [&](const std::string& key, AlphaVantageFunction function) {
      for (const std::string& symbol :
           options.StringList(key).value_or(std::vector<std::string>{})) {
        if (!seen.insert(symbol).second) {
          throw Error(ErrorCode::kInvalidInput, "symbol '" + symbol + "' appears twice at " +
                                                    options.Where(key) + ": list each symbol once");
        }
        requests_.push_back({symbol, function});
      }
    };
    add("symbols", AlphaVantageFunction::kTimeSeriesMonthly);
    add("digital_currencies", AlphaVantageFunction::kDigitalCurrencyMonthly);
    if (requests_.empty()) {
      throw Error(ErrorCode::kInvalidInput,
                  "source '" + name_ + "' in " + config.file +
                      " lists no symbols: set `symbols` or `digital_currencies`");
    }
    std::string current_month = options.String("current_month").value_or("exclude");
    if (current_month != "exclude" && current_month != "mark") {
      throw Error(ErrorCode::kInvalidInput, "invalid current_month '" + current_month + "' at " +
                                                options.Where("current_month") +
                                                ": write \"exclude\" or \"mark\"");
    }
    mark_current_month_ = current_month == "mark";
    policy_ = ReadRequestPolicy(options, {.per_day = 25});
    options.RejectUnknownKeys();
  }

  const std::string& name() const override { return name_; }
  RequestPolicy request_policy() const override { return policy_; }

  FetchSummary Fetch(FetchContext& context) override { return FetchRequests(context, requests_); }

  std::vector<std::string> Parts() const override {
    std::vector<std::string> symbols;
    for (const Request& request : requests_) symbols.push_back(request.symbol);
    return symbols;
  }

  FetchSummary FetchPart(FetchContext& context, const std::string& part) override {
    for (const Request& request : requests_) {
      if (request.symbol == part) return FetchRequests(context, {request});
    }
    throw Error(ErrorCode::kInvalidInput, "symbol '" + part + "' is not configured for source '" +
                                              name_ + "'; add it to `symbols`");
  }

 private:
  FetchSummary FetchRequests(FetchContext& context, const std::vector<Request>& requests) {
    std::string key = RequireSecret(context, name_, "ALPHAVANTAGE_API_KEY");
    ApiClient api(context);
    std::vector<Fetched> fetched;
    std::vector<SeriesFailure> failures;
    for (const Request& request : requests) {
      FetchOrRecordFailure(name_, request.symbol, failures,
                           [&] { fetched.push_back(FetchOne(api, request, key)); });
    }

    SeriesLanding landing(context, name_);
    for (const Fetched& item : fetched) LandOne(landing, item);
    FetchSummary summary = landing.Commit();
    summary.failures = std::move(failures);
    spdlog::info("source {}: fetched {} symbols, {} failed; {} objects landed, {} unchanged", name_,
                 fetched.size(), summary.failures.size(), summary.objects_landed,
                 summary.objects_unchanged);
    return summary;
  }

  Fetched FetchOne(ApiClient& api, const Request& request, const std::string& key) {
    bool digital = request.function == AlphaVantageFunction::kDigitalCurrencyMonthly;
    std::string url = AppendQuery(base_url_, "function",
                                  digital ? "DIGITAL_CURRENCY_MONTHLY" : "TIME_SERIES_MONTHLY");
    url = AppendQuery(url, "symbol", request.symbol);
    if (digital) url = AppendQuery(url, "market", market_);
    url = AppendQuery(url, "apikey", key);

    std::string what = "monthly bars of " + request.symbol;
    HttpResponse response = api.Get(
        url, "AlphaVantage " + what,
        AlphaVantageClassifier(what, std::string(AlphaVantageDataKey(request.function)), key));
    MonthlyBars bars =
        ParseAlphaVantageMonthly(response.body, request.function, market_, RedactUrl(url));
    return Fetched{request, url, std::move(response), std::move(bars)};
  }

  void LandOne(SeriesLanding& landing, const Fetched& item) {
    const std::string& symbol = item.request.symbol;
    std::optional<Date> refreshed = DatePrefix(item.bars.last_refreshed);
    LandingEntry raw = landing.LandRaw(symbol + ".monthly", item.url, item.response, "json");

    SeriesCsvLayout layout;
    layout.extra_columns = {"source_date"};
    if (mark_current_month_) layout.extra_columns.push_back("partial");
    std::vector<SeriesRow> close_rows;
    std::vector<SeriesRow> volume_rows;
    for (const MonthlyBar& bar : item.bars.bars) {
      if (bar.partial && !mark_current_month_) continue;
      std::vector<std::string> extra = {bar.source_date.ToIso()};
      if (mark_current_month_) extra.push_back(bar.partial ? "1" : "0");
      Date month = bar.source_date.MonthStart();
      close_rows.push_back({month, bar.close, {}, {}, extra});
      volume_rows.push_back({month, bar.volume, {}, {}, extra});
    }

    bool digital = item.request.function == AlphaVantageFunction::kDigitalCurrencyMonthly;
    SeriesInfo info;
    info.frequency = "Monthly";
    info.seasonal_adjustment = "NSA";
    info.last_updated = item.bars.last_refreshed;
    info.notes = std::string(digital ? "DIGITAL_CURRENCY_MONTHLY" : "TIME_SERIES_MONTHLY") +
                 " from AlphaVantage; each bar is dated on the first day of its month and "
                 "source_date holds the day AlphaVantage gave it";

    info.id = symbol + ".close";
    info.title = symbol + " monthly close";
    info.units = digital ? market_ : "Price in the listing currency";
    landing.LandSeries(info, WriteSeriesCsv(close_rows, layout), raw, refreshed);

    info.id = symbol + ".volume";
    info.title = symbol + " monthly volume";
    info.units = digital ? "Units of " + symbol : "Shares";
    landing.LandSeries(info, WriteSeriesCsv(volume_rows, layout), raw, refreshed);
  }

  std::string name_;
  std::string base_url_;
  std::string market_;
  std::vector<Request> requests_;
  bool mark_current_month_ = false;
  RequestPolicy policy_;
};

}  // namespace

REGISTER_SOURCE(kAlphaVantageSourceType, AlphaVantageSource);

}  // namespace macropipe
