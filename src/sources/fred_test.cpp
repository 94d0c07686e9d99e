#include "sources/fred.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/error.h"
#include "etl/loader.h"
#include "sources/connector_test_support.h"
#include "sources/fred_response.h"
#include "test_support.h"
#include "warehouse/warehouse.h"

namespace macropipe {
namespace {

using testing::ConnectorHarness;
using testing::MakeResponse;
using testing::ReadFixture;
using testing::ReadWholeFile;
using testing::RecordedDataMissing;
using testing::RecordedFile;
using testing::SourceFromToml;

constexpr char kKey[] = "0123456789abcdef0123456789abcdef";

std::unique_ptr<Source> MakeFred(const std::string& options) {
  return MakeSource(
      SourceFromToml("[[sources]]\nname = \"fred\"\ntype = \"fred\"\n"
                     "base_url = \"https://fred.test/fred\"\n" +
                     options));
}

TEST(FredSourceTest, FetchesEveryPage) {
  ConnectorHarness harness;
  harness.secrets["FRED_API_KEY"] = kKey;
  harness.fetcher.Serve({"/fred/series?"},
                        MakeResponse(200, ReadFixture("fred/series_cpiaucns.json")));
  harness.fetcher.Serve({"series/observations", "offset=0"},
                        MakeResponse(200, ReadFixture("fred/observations_page_0.json")));
  harness.fetcher.Serve({"series/observations", "offset=3"},
                        MakeResponse(200, ReadFixture("fred/observations_page_3.json")));
  auto source = MakeFred("series = [\"CPIAUCNS\"]\npage_size = 3\n");

  FetchSummary summary = source->Fetch(harness.context);

  EXPECT_EQ(summary.series, 1);
  ASSERT_EQ(harness.fetcher.requests.size(), 3u);
  EXPECT_NE(harness.fetcher.requests[1].url.find("limit=3&offset=0"), std::string::npos);
  EXPECT_NE(harness.fetcher.requests[2].url.find("limit=3&offset=3"), std::string::npos);
  EXPECT_EQ(harness.SeriesCsv("fred", "CPIAUCNS"),
            "date,value\n2024-08-01,314.796\n2024-09-01,\n2024-10-01,315.664\n"
            "2024-11-01,315.493\n2024-12-01,315.605\n");
  std::optional<LandingEntry> entry = harness.zone.Latest("fred", "CPIAUCNS", ObjectKind::kSeries);
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->vintage_date, Date(2025, 2, 14));
  ASSERT_TRUE(entry->series_info.has_value());
  EXPECT_EQ(entry->series_info->units, "Index 1982-1984=100");
  EXPECT_EQ(entry->series_info->seasonal_adjustment, "NSA");
  EXPECT_EQ(entry->series_info->last_updated, "2025-01-15 07:39:02-06");
}

TEST(FredSourceTest, KeepsKeyOutOfManifest) {
  ConnectorHarness harness;
  harness.secrets["FRED_API_KEY"] = kKey;
  harness.fetcher.Serve({"/fred/series?"},
                        MakeResponse(200, ReadFixture("fred/series_cpiaucns.json")));
  harness.fetcher.Serve({"offset=0"},
                        MakeResponse(200, ReadFixture("fred/observations_page_0.json")));
  harness.fetcher.Serve({"offset=3"},
                        MakeResponse(200, ReadFixture("fred/observations_page_3.json")));
  MakeFred("series = [\"CPIAUCNS\"]\npage_size = 3\n")->Fetch(harness.context);

  std::string manifest = harness.ManifestText();
  EXPECT_NE(manifest.find("api_key=REDACTED"), std::string::npos);
  EXPECT_EQ(manifest.find(kKey), std::string::npos);
  EXPECT_NE(harness.fetcher.requests[0].url.find(kKey), std::string::npos);
}

TEST(FredSourceTest, ReadsXml) {
  ConnectorHarness harness;
  harness.secrets["FRED_API_KEY"] = kKey;
  harness.fetcher.Serve({"/fred/series?", "file_type=xml"},
                        MakeResponse(200, ReadFixture("fred/series_cpiaucns.xml"), "text/xml"));
  harness.fetcher.Serve(
      {"series/observations", "file_type=xml"},
      MakeResponse(200, ReadFixture("fred/observations_cpiaucns.xml"), "text/xml"));
  MakeFred("series = [\"CPIAUCNS\"]\nfile_type = \"xml\"\n")->Fetch(harness.context);

  EXPECT_EQ(harness.SeriesCsv("fred", "CPIAUCNS"),
            "date,value\n2024-10-01,315.664\n2024-11-01,\n2024-12-01,315.605\n");
}

TEST(FredSourceTest, FetchesVintageAsOfDate) {
  ConnectorHarness harness;
  harness.secrets["FRED_API_KEY"] = kKey;
  harness.fetcher.Serve(
      {"series/observations", "realtime_start=2024-12-20&realtime_end=2024-12-20"},
      MakeResponse(200, ReadFixture("fred/observations_cpiaucns.xml")));
  MakeFred(
      "series = [\"CPIAUCNS\"]\nfile_type = \"xml\"\nmetadata = false\n"
      "vintages = \"as_of\"\nas_of = \"2024-12-20\"\n")
      ->Fetch(harness.context);

  ASSERT_EQ(harness.fetcher.requests.size(), 1u);
  std::optional<LandingEntry> entry = harness.zone.Latest("fred", "CPIAUCNS", ObjectKind::kSeries);
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->vintage_date, Date(2024, 12, 20));
  EXPECT_EQ(harness.SeriesCsv("fred", "CPIAUCNS"),
            "date,value\n2024-10-01,315.664\n2024-11-01,\n2024-12-01,315.605\n");
}

TEST(FredSourceTest, RejectsShortPages) {
  ConnectorHarness harness;
  harness.secrets["FRED_API_KEY"] = kKey;
  harness.fetcher.Serve({"offset=0"},
                        MakeResponse(200, ReadFixture("fred/observations_page_0.json")));
  harness.fetcher.Serve({"offset=3"},
                        MakeResponse(200, R"({"count":5,"offset":3,"limit":3,"observations":[]})"));
  FetchSummary summary = MakeFred("series = [\"CPIAUCNS\"]\npage_size = 3\nmetadata = false\n")
                             ->Fetch(harness.context);
  ASSERT_EQ(summary.failures.size(), 1u);
  EXPECT_EQ(summary.failures[0].series, "CPIAUCNS");
  EXPECT_NE(summary.failures[0].message.find("offset 3 of 5"), std::string::npos)
      << summary.failures[0].message;
  EXPECT_TRUE(harness.zone.Entries("fred").empty());
}

TEST(FredSourceTest, SkipsWithoutKey) {
  ConnectorHarness harness;
  auto source = MakeFred("series = [\"CPIAUCNS\"]\n");
  try {
    source->Fetch(harness.context);
    ADD_FAILURE() << "no error";
  } catch (const SourceSkipped& skipped) {
    EXPECT_NE(std::string(skipped.what()).find("FRED_API_KEY"), std::string::npos);
  }
  EXPECT_TRUE(harness.fetcher.requests.empty());
}

TEST(FredSourceTest, FailedSeriesLandsNothingOfItsOwn) {
  ConnectorHarness harness;
  harness.secrets["FRED_API_KEY"] = kKey;
  harness.fetcher.Serve({"series_id=CPIAUCNS"},
                        MakeResponse(200, ReadFixture("fred/observations_cpiaucns.xml")));
  harness.fetcher.Serve({"series_id=BAD"},
                        MakeResponse(400, R"({"error_code":400,"error_message":"Bad Request."})"));
  auto source =
      MakeFred("series = [\"BAD\", \"CPIAUCNS\"]\nfile_type = \"xml\"\nmetadata = false\n");
  FetchSummary summary = source->Fetch(harness.context);

  ASSERT_EQ(summary.failures.size(), 1u);
  EXPECT_EQ(summary.failures[0].series, "BAD");
  EXPECT_NE(summary.failures[0].message.find("Bad Request."), std::string::npos)
      << summary.failures[0].message;
  EXPECT_EQ(summary.series, 1);
  EXPECT_TRUE(harness.zone.Latest("fred", "CPIAUCNS", ObjectKind::kSeries).has_value());
  for (const LandingEntry& entry : harness.zone.Entries("fred")) {
    EXPECT_EQ(entry.series.find("BAD"), std::string::npos) << entry.series;
  }
}

TEST(FredSourceTest, RejectedKeyFailsWholeSource) {
  ConnectorHarness harness;
  harness.secrets["FRED_API_KEY"] = kKey;
  harness.fetcher.Serve(
      {"series_id="}, MakeResponse(400, ReadFixture("fred/error_400_api_key_not_registered.json")));
  auto source = MakeFred("series = [\"CPIAUCNS\", \"GDP\"]\nmetadata = false\n");
  try {
    source->Fetch(harness.context);
    ADD_FAILURE() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kUnauthenticated) << error.what();
  }
  EXPECT_EQ(harness.fetcher.requests.size(), 1u) << "the second series must not be requested";
}

struct ConfigCase {
  std::string options;
  std::string message_part;
};

TEST(FredSourceTest, RejectsInvalidOptions) {
  const std::vector<ConfigCase> cases = {
      {"", "series"},
      {"series = [\"GDP\"]\nfile_type = \"csv\"\n", "file_type"},
      {"series = [\"GDP\"]\nvintages = \"some\"\n", "vintages"},
      {"series = [\"GDP\"]\nvintages = \"as_of\"\n", "as_of"},
      {"series = [\"GDP\"]\nas_of = \"2020-01-01\"\n", "as_of"},
      {"series = [\"GDP\"]\nvintages = \"as_of\"\nas_of = \"2020-13-01\"\n", "as_of"},
      {"series = [\"GDP\"]\npage_size = 0\n", "page_size"},
      {"series = [\"GDP\"]\nmax_vintage_dates = 2001\n", "max_vintage_dates"},
      {"series = [\"GDP\"]\nrequests_per_minute = 0\n", "requests_per_minute"},
      {"series = [\"GDP\"]\nurl = \"https://a.test\"\n", "base_url"},
      {"series = [\"GDP\"]\nseries_typo = 1\n", "series_typo"},
      {"series = [\"GDP\"]\nmax_attempts = 0\n", "max_attempts"},
      {"series = [\"GDP\"]\ntimeout_seconds = 0\n", "timeout_seconds"},
      {"series = [\"GDP\"]\nretry_delay_seconds = 2\nmax_retry_delay_seconds = 1\n",
       "max_retry_delay_seconds"},
      {"series = [\"GDP\"]\nmax_response_mb = 0\n", "max_response_mb"},
  };
  for (const ConfigCase& test : cases) {
    SCOPED_TRACE(test.options);
    try {
      MakeFred(test.options);
      ADD_FAILURE() << "no error";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
      EXPECT_NE(std::string(error.what()).find(test.message_part), std::string::npos)
          << error.what();
    }
  }
}

TEST(FredSourceTest, DeclaresRateLimits) {
  EXPECT_EQ(MakeFred("series = [\"GDP\"]\n")->request_policy().limits.per_minute, 120);
  EXPECT_EQ(MakeFred("series = [\"GDP\"]\nrequests_per_minute = 30\n")
                ->request_policy()
                .limits.per_minute,
            30);
}

TEST(FredSourceTest, ReadsRequestPolicy) {
  RequestPolicy policy =
      MakeFred(
          "series = [\"GDP\"]\nmax_attempts = 2\nretry_delay_seconds = 0.05\n"
          "max_retry_delay_seconds = 0.5\ntimeout_seconds = 1.5\nmax_response_mb = 2\n")
          ->request_policy();
  EXPECT_EQ(policy.retry.max_attempts, 2);
  EXPECT_EQ(policy.retry.initial_delay, std::chrono::milliseconds(50));
  EXPECT_EQ(policy.retry.max_delay, std::chrono::milliseconds(500));
  EXPECT_EQ(policy.timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(policy.max_response_bytes, size_t{2} << 20);
}

// Serves the recorded ALFRED history of GDP the way ALFRED does: each window's
// rows clipped to that window.
class AlfredGdpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto rows_path = RecordedFile(kRowsFile);
    auto dates_path = RecordedFile(kDatesFile);
    if (!rows_path) GTEST_SKIP() << RecordedDataMissing(kRowsFile);
    if (!dates_path) GTEST_SKIP() << RecordedDataMissing(kDatesFile);
    rows_body_ = ReadWholeFile(*rows_path);
    rows_ = ParseFredObservations(rows_body_, FredFormat::kJson, kRowsFile).observations;
    harness_.secrets["FRED_API_KEY"] = kKey;
    harness_.fetcher.Serve({"series/vintagedates"}, MakeResponse(200, ReadWholeFile(*dates_path)));
    harness_.fetcher.Serve(
        {"series/observations", "realtime_start=1776-07-04&realtime_end=9999-12-31"},
        MakeResponse(200, rows_body_));
    harness_.fetcher.Handle([this](const FetchRequest& request) -> std::optional<HttpResponse> {
      return ServeWindow(request.url);
    });
  }

  std::optional<HttpResponse> ServeWindow(const std::string& url) {
    size_t start = url.find("realtime_start=");
    size_t end = url.find("realtime_end=");
    if (start == std::string::npos || end == std::string::npos) return std::nullopt;
    Date window_start = Date::ParseIso(url.substr(start + 15, 10));
    Date window_end = Date::ParseIso(url.substr(end + 13, 10));
    bool first_release = url.find("output_type=4") != std::string::npos;
    nlohmann::json body = {{"count", 0}, {"offset", 0}, {"limit", 100000}};
    nlohmann::json observations = nlohmann::json::array();
    std::set<Date> released;
    for (const FredObservation& row : rows_) {
      if (row.realtime_end < window_start || row.realtime_start > window_end) continue;
      if (first_release && !released.insert(row.date).second) continue;
      observations.push_back(
          {{"date", row.date.ToIso()},
           {"value", row.value.empty() ? "." : row.value},
           {"realtime_start", std::max(row.realtime_start, window_start).ToIso()},
           {"realtime_end", std::min(row.realtime_end, window_end).ToIso()}});
    }
    body["count"] = observations.size();
    body["observations"] = observations;
    return MakeResponse(200, body.dump());
  }

  static constexpr char kRowsFile[] = "fixtures/fred/observations_GDP_alfred_all_vintages.json";
  static constexpr char kDatesFile[] = "fixtures/fred/series_vintagedates_GDP.json";
  ConnectorHarness harness_;
  std::string rows_body_;
  std::vector<FredObservation> rows_;
};

std::optional<double> ValueOf(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return std::stod(text);
}

TEST_F(AlfredGdpTest, AsOfQueriesMatchAlfred) {
  MakeFred("series = [\"GDP\"]\nvintages = \"all\"\nmetadata = false\n")->Fetch(harness_.context);
  auto warehouse = OpenSqliteWarehouse((harness_.dir / "warehouse.db").string());
  Loader loader(harness_.zone, *warehouse);
  LoadSummary loaded = loader.LoadPending("fred");
  EXPECT_EQ(loaded.objects_loaded, 1);
  EXPECT_EQ(loaded.counts.inserted, static_cast<int64_t>(rows_.size()));
  EXPECT_EQ(loaded.counts.rejected, 0);

  // Every boundary of every real-time period, the days around it, and some plain days.
  std::set<Date> days = {Date(1776, 7, 4), Date(1980, 1, 1), Date(2000, 6, 15), Date::Max()};
  for (const FredObservation& row : rows_) {
    for (Date day : {row.realtime_start, row.realtime_end}) {
      days.insert(day);
      if (day > Date(1776, 7, 4)) days.insert(day.AddDays(-1));
      if (day < Date::Max()) days.insert(day.AddDays(1));
    }
  }
  SeriesInfo gdp;
  gdp.source = "fred";
  gdp.id = "GDP";
  for (Date day : days) {
    SCOPED_TRACE("as of " + day.ToIso());
    std::vector<FredObservation> expected;
    for (const FredObservation& row : rows_) {
      if (row.realtime_start <= day && day <= row.realtime_end) expected.push_back(row);
    }
    std::vector<StoredObservation> stored = warehouse->Observations(gdp, day);
    ASSERT_EQ(stored.size(), expected.size());
    for (size_t i = 0; i < stored.size(); ++i) {
      EXPECT_EQ(stored[i].period, expected[i].date);
      EXPECT_EQ(stored[i].value, ValueOf(expected[i].value));
      EXPECT_EQ(stored[i].realtime_start, expected[i].realtime_start);
      EXPECT_EQ(stored[i].realtime_end, expected[i].realtime_end);
    }
  }

  std::map<Date, FredObservation> first;
  for (const FredObservation& row : rows_) {
    auto [it, inserted] = first.emplace(row.date, row);
    if (!inserted && row.realtime_start < it->second.realtime_start) it->second = row;
  }
  QueryResult releases = warehouse->Query(
      "SELECT date, value, realtime_start FROM first_releases WHERE source = 'fred' AND "
      "series_id = 'GDP' ORDER BY date",
      100000);
  ASSERT_EQ(releases.rows.size(), first.size());
  auto expected = first.begin();
  for (const std::vector<Cell>& row : releases.rows) {
    SCOPED_TRACE("first release of " + expected->first.ToIso());
    EXPECT_EQ(std::get<std::string>(row[0]), expected->first.ToIso());
    std::optional<double> value = ValueOf(expected->second.value);
    if (value) {
      ASSERT_TRUE(std::holds_alternative<double>(row[1]));
      EXPECT_EQ(std::get<double>(row[1]), *value);
    } else {
      EXPECT_TRUE(std::holds_alternative<std::monostate>(row[1]));
    }
    EXPECT_EQ(std::get<std::string>(row[2]), expected->second.realtime_start.ToIso());
    ++expected;
  }
}

TEST_F(AlfredGdpTest, SplitsRequestsAtVintageDateCap) {
  MakeFred("series = [\"GDP\"]\nvintages = \"all\"\nmetadata = false\nmax_vintage_dates = 100\n")
      ->Fetch(harness_.context);
  // One vintage-date request and four windows for 395 vintage dates.
  ASSERT_EQ(harness_.fetcher.requests.size(), 5u);
  std::string csv = harness_.SeriesCsv("fred", "GDP");
  std::string expected = "date,value,realtime_start,realtime_end\n";
  for (const FredObservation& row : rows_) {
    expected += row.date.ToIso() + "," + row.value + "," + row.realtime_start.ToIso() + "," +
                row.realtime_end.ToIso() + "\n";
  }
  EXPECT_EQ(csv, expected);
}

TEST_F(AlfredGdpTest, KeepsFirstReleasesAcrossWindows) {
  MakeFred(
      "series = [\"GDP\"]\nvintages = \"first_release\"\nmetadata = false\n"
      "max_vintage_dates = 50\n")
      ->Fetch(harness_.context);
  std::map<Date, Date> first_start;
  for (const FredObservation& row : rows_) first_start.emplace(row.date, row.realtime_start);
  std::string csv = harness_.SeriesCsv("fred", "GDP");
  size_t lines = 0;
  for (size_t at = csv.find('\n'); at != std::string::npos && at + 1 < csv.size();
       at = csv.find('\n', at + 1)) {
    ++lines;
    Date date = Date::ParseIso(csv.substr(at + 1, 10));
    size_t third = csv.find(',', csv.find(',', at + 1) + 1);
    EXPECT_EQ(csv.substr(third + 1, 10), first_start[date].ToIso()) << date.ToIso();
  }
  EXPECT_EQ(lines, first_start.size());
}

}  // namespace
}  // namespace macropipe
