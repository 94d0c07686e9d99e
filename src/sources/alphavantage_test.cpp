#include "sources/alphavantage.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "sources/connector_test_support.h"
#include "test_support.h"

namespace macropipe {
namespace {

using testing::ConnectorHarness;
using testing::MakeResponse;
using testing::ReadFixture;
using testing::ReadWholeFile;
using testing::RecordedDataMissing;
using testing::RecordedFile;
using testing::SourceFromToml;

constexpr char kKey[] = "AVKEY0123456789";

std::string Body(const std::string& file, bool recorded) {
  if (!recorded) return ReadFixture(file);
  auto path = RecordedFile(file);
  return path ? ReadWholeFile(*path) : std::string();
}

struct ParseCase {
  std::string file;
  bool recorded;
  AlphaVantageFunction function;
  std::string market;
  size_t bars;
  std::string last_refreshed;
  std::string oldest_date;
  std::string oldest_close;
  std::string newest_volume;
};

TEST(AlphaVantageParseTest, ParsesEveryShape) {
  const std::vector<ParseCase> cases = {
      {"fixtures/alphavantage/time_series_monthly_MSFT_2018-06-08.json", true,
       AlphaVantageFunction::kTimeSeriesMonthly, "USD", 221, "2018-06-08", "2000-02-29", "89.3700",
       "150971891"},
      {"fixtures/alphavantage/digital_currency_monthly_BTC_EUR_2025_newshape_trimmed.json", true,
       AlphaVantageFunction::kDigitalCurrencyMonthly, "EUR", 3, "2025-08-24 00:00:00", "2025-06-30",
       "90926.69000000", "4419.35305768"},
      {"alphavantage/digital_currency_monthly_btc_cny_old_shape.json", false,
       AlphaVantageFunction::kDigitalCurrencyMonthly, "CNY", 3, "2023-03-14 00:00:00", "2023-01-31",
       "159553.66", "4912.03"},
      {"alphavantage/time_series_monthly_voo.json", false, AlphaVantageFunction::kTimeSeriesMonthly,
       "USD", 3, "2025-02-14", "2024-12-31", "538.8100", "48532811"},
  };
  for (const ParseCase& test : cases) {
    SCOPED_TRACE(test.file);
    std::string body = Body(test.file, test.recorded);
    if (body.empty()) GTEST_SKIP() << RecordedDataMissing(test.file);
    MonthlyBars bars = ParseAlphaVantageMonthly(body, test.function, test.market, test.file);
    ASSERT_EQ(bars.bars.size(), test.bars);
    EXPECT_EQ(bars.last_refreshed, test.last_refreshed);
    EXPECT_EQ(bars.bars.front().source_date.ToIso(), test.oldest_date);
    EXPECT_EQ(bars.bars.front().close, test.oldest_close);
    EXPECT_EQ(bars.bars.back().volume, test.newest_volume);
    EXPECT_TRUE(bars.bars.back().partial);
    EXPECT_FALSE(bars.bars.front().partial);
  }
}

TEST(AlphaVantageParseTest, RejectsWrongMarketAndDuplicateMonths) {
  std::string old_shape =
      ReadFixture("alphavantage/digital_currency_monthly_btc_cny_old_shape.json");
  EXPECT_THROW(ParseAlphaVantageMonthly(old_shape, AlphaVantageFunction::kDigitalCurrencyMonthly,
                                        "EUR", "test"),
               Error);
  std::string two_in_one_month = R"({"Meta Data": {"3. Last Refreshed": "2025-02-14"},
    "Monthly Time Series": {
      "2025-02-14": {"4. close": "1", "5. volume": "2"},
      "2025-02-07": {"4. close": "1", "5. volume": "2"}}})";
  EXPECT_THROW(ParseAlphaVantageMonthly(two_in_one_month, AlphaVantageFunction::kTimeSeriesMonthly,
                                        "USD", "test"),
               Error);
}

struct ClassifyCase {
  std::string file;
  bool recorded;
  long status;
  ErrorCode code;
};

TEST(AlphaVantageClassifierTest, ClassifiesEveryErrorBody) {
  const std::vector<ClassifyCase> cases = {
      {"fixtures/alphavantage/error_message_invalid_api_call_FX_DAILY.json", true, 200,
       ErrorCode::kInvalidInput},
      {"fixtures/alphavantage/information_daily_limit_25.json", true, 200,
       ErrorCode::kQuotaExhausted},
      {"alphavantage/note_per_minute.json", false, 200, ErrorCode::kRateLimited},
      {"alphavantage/information_per_second.json", false, 200, ErrorCode::kRateLimited},
      {"alphavantage/information_premium_endpoint.json", false, 200, ErrorCode::kPermissionDenied},
      {"alphavantage/error_message_invalid_apikey.json", false, 200, ErrorCode::kUnauthenticated},
      {"alphavantage/missing_data_key.json", false, 200, ErrorCode::kInvalidInput},
      {"alphavantage/time_series_monthly_voo.json", false, 503, ErrorCode::kUnavailable},
  };
  for (const ClassifyCase& test : cases) {
    SCOPED_TRACE(test.file);
    std::string body = Body(test.file, test.recorded);
    if (body.empty()) GTEST_SKIP() << RecordedDataMissing(test.file);
    ResponseClassifier classify =
        AlphaVantageClassifier("monthly bars of VOO", "Monthly Time Series", kKey);
    try {
      classify(MakeResponse(test.status, body));
      ADD_FAILURE() << "no error";
    } catch (const Error& error) {
      std::string message = error.what();
      EXPECT_EQ(error.code(), test.code) << message;
      EXPECT_NE(message.find("monthly bars of VOO"), std::string::npos) << message;
    }
  }
}

TEST(AlphaVantageClassifierTest, RedactsKeyInMessages) {
  std::string body = std::string(R"({"Information": "We have detected your API key as )") + kKey +
                     R"( and our standard API rate limit is 25 requests per day."})";
  ResponseClassifier classify = AlphaVantageClassifier("bars", "Monthly Time Series", kKey);
  try {
    classify(MakeResponse(200, body));
    ADD_FAILURE() << "no error";
  } catch (const Error& error) {
    std::string message = error.what();
    EXPECT_EQ(message.find(kKey), std::string::npos) << message;
    EXPECT_NE(message.find("API key as REDACTED"), std::string::npos) << message;
  }
  // A key the classifier was not told about is still hidden.
  ResponseClassifier other = AlphaVantageClassifier("bars", "Monthly Time Series", "");
  try {
    other(MakeResponse(200, body));
    ADD_FAILURE() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()).find(kKey), std::string::npos) << error.what();
  }
}

TEST(AlphaVantageClassifierTest, AcceptsDataBodies) {
  ResponseClassifier classify = AlphaVantageClassifier("bars", "Monthly Time Series", kKey);
  EXPECT_NO_THROW(
      classify(MakeResponse(200, ReadFixture("alphavantage/time_series_monthly_voo.json"))));
}

std::unique_ptr<Source> MakeAlphaVantage(const std::string& options) {
  return MakeSource(
      SourceFromToml("[[sources]]\nname = \"av\"\ntype = \"alphavantage\"\n"
                     "base_url = \"https://av.test/query\"\n" +
                     options));
}

class AlphaVantageSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    harness_.secrets["ALPHAVANTAGE_API_KEY"] = kKey;
    harness_.fetcher.Serve(
        {"function=TIME_SERIES_MONTHLY", "symbol=VOO"},
        MakeResponse(200, ReadFixture("alphavantage/time_series_monthly_voo.json")));
    harness_.fetcher.Serve(
        {"function=DIGITAL_CURRENCY_MONTHLY", "symbol=BTC", "market=CNY"},
        MakeResponse(200,
                     ReadFixture("alphavantage/digital_currency_monthly_btc_cny_old_shape.json")));
  }

  ConnectorHarness harness_;
};

TEST_F(AlphaVantageSourceTest, ExcludesCurrentMonth) {
  FetchSummary summary = MakeAlphaVantage("symbols = [\"VOO\"]\n")->Fetch(harness_.context);
  EXPECT_EQ(summary.series, 2);
  EXPECT_EQ(harness_.SeriesCsv("av", "VOO.close"),
            "date,value,source_date\n2024-12-01,538.8100,2024-12-31\n"
            "2025-01-01,554.4600,2025-01-31\n");
  EXPECT_EQ(harness_.SeriesCsv("av", "VOO.volume"),
            "date,value,source_date\n2024-12-01,99318377,2024-12-31\n"
            "2025-01-01,112343298,2025-01-31\n");
}

TEST_F(AlphaVantageSourceTest, MarksCurrentMonth) {
  MakeAlphaVantage("digital_currencies = [\"BTC\"]\nmarket = \"CNY\"\ncurrent_month = \"mark\"\n")
      ->Fetch(harness_.context);
  EXPECT_EQ(harness_.SeriesCsv("av", "BTC.close"),
            "date,value,source_date,partial\n2023-01-01,159553.66,2023-01-31,0\n"
            "2023-02-01,159960.01,2023-02-28,0\n2023-03-01,169620.11,2023-03-14,1\n");
  std::optional<LandingEntry> entry = harness_.zone.Latest("av", "BTC.close", ObjectKind::kSeries);
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->vintage_date, Date(2023, 3, 14));
  EXPECT_EQ(entry->series_info->units, "CNY");
}

TEST_F(AlphaVantageSourceTest, ThrottledSymbolFailsAlone) {
  harness_.fetcher.Serve({"symbol=XLP"},
                         MakeResponse(200, ReadFixture("alphavantage/note_per_minute.json")));
  FetchSummary summary =
      MakeAlphaVantage("symbols = [\"XLP\", \"VOO\"]\n")->Fetch(harness_.context);
  ASSERT_EQ(summary.failures.size(), 1u);
  EXPECT_EQ(summary.failures[0].series, "XLP");
  EXPECT_FALSE(summary.failures[0].deferred);
  EXPECT_NE(summary.failures[0].message.find("AlphaVantage rejected"), std::string::npos)
      << summary.failures[0].message;
  EXPECT_EQ(summary.series, 2);
  EXPECT_FALSE(harness_.zone.Latest("av", "XLP.close", ObjectKind::kSeries).has_value());
  EXPECT_TRUE(harness_.zone.Latest("av", "VOO.close", ObjectKind::kSeries).has_value());
}

TEST_F(AlphaVantageSourceTest, DailyLimitDefersSymbol) {
  harness_.fetcher.Serve(
      {"symbol=XLP"},
      MakeResponse(200,
                   R"({"Information": "Our standard API rate limit is 25 requests per day."})"));
  FetchSummary summary =
      MakeAlphaVantage("symbols = [\"VOO\", \"XLP\"]\n")->Fetch(harness_.context);
  ASSERT_EQ(summary.failures.size(), 1u);
  EXPECT_EQ(summary.failures[0].series, "XLP");
  EXPECT_TRUE(summary.failures[0].deferred);
  EXPECT_TRUE(harness_.zone.Latest("av", "VOO.close", ObjectKind::kSeries).has_value());
}

TEST_F(AlphaVantageSourceTest, KeepsKeyOutOfManifest) {
  MakeAlphaVantage("symbols = [\"VOO\"]\n")->Fetch(harness_.context);
  std::string manifest = harness_.ManifestText();
  EXPECT_NE(manifest.find("apikey=REDACTED"), std::string::npos);
  EXPECT_EQ(manifest.find(kKey), std::string::npos);
}

TEST_F(AlphaVantageSourceTest, SkipsWithoutKey) {
  harness_.secrets.clear();
  EXPECT_THROW(MakeAlphaVantage("symbols = [\"VOO\"]\n")->Fetch(harness_.context), SourceSkipped);
  EXPECT_TRUE(harness_.fetcher.requests.empty());
}

TEST(AlphaVantageConfigTest, ReadsLimitsAndRejectsBadOptions) {
  RateLimits free = MakeAlphaVantage("symbols = [\"VOO\"]\n")->request_policy().limits;
  EXPECT_EQ(free.per_day, 25);
  EXPECT_FALSE(free.per_minute.has_value());
  RateLimits paid =
      MakeAlphaVantage("symbols = [\"VOO\"]\nrequests_per_day = 10000\nrequests_per_minute = 75\n")
          ->request_policy()
          .limits;
  EXPECT_EQ(paid.per_day, 10000);
  EXPECT_EQ(paid.per_minute, 75);

  for (const std::string& options : {std::string(""), std::string("symbols = [\"VOO\", \"VOO\"]\n"),
                                     std::string("symbols = [\"VOO\"]\ncurrent_month = \"keep\"\n"),
                                     std::string("symbols = [\"VOO\"]\nfunction = \"X\"\n")}) {
    SCOPED_TRACE(options);
    EXPECT_THROW(MakeAlphaVantage(options), Error);
  }
}

}  // namespace
}  // namespace macropipe
