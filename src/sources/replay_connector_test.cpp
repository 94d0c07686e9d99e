// Every connector against the replay server, through the RequestExecutor that
// a pipeline run uses. Each of the project's fixtures and each recorded body
// (when the recorded data is present) either lands its series or fails with
// the error class that its body calls for.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/date.h"
#include "http/rate_budget.h"
#include "http/request_executor.h"
#include "replay_server.h"
#include "sources/connector_test_support.h"

namespace macropipe {
namespace {

using testing::ConnectorHarness;
using testing::ReadFixture;
using testing::RecordedDataMissing;
using testing::RecordedFile;
using testing::ScratchDir;
using testing::SourceFromToml;

constexpr char kUserAgent[] = "user_agent = \"Example Research research@example.org\"\n";

// One recorded exchange. Its body comes from the project's fixtures, from the
// recorded data when `file` starts with "recorded:", from a local file when it
// starts with "path:", or is the rest of `file` when it starts with "body:".
struct Served {
  std::string uri;
  std::string file;  // Empty for an empty body.
  int status = 200;
  std::string content_type = "application/json";
};

struct ReplayCase {
  std::string name;
  // A [[sources]] table. The test adds base_url when base_path is set, and
  // replaces "{origin}" with the server's "http://127.0.0.1:PORT".
  std::string source;
  std::string base_path;
  std::vector<Served> served;
  int series = 0;                                   // Series expected to land.
  std::optional<ErrorCode> failure = std::nullopt;  // The class of the one expected failure.
  bool deferred = false;                            // The failure is a deferral.
  bool thrown = false;                              // The failure stops the whole source.
  std::optional<int64_t> rows = std::nullopt;       // Data rows expected to land, if checked.
};

// Reads the body of `served`, or returns nullopt when recorded data is absent.
std::optional<std::string> BodyOf(const Served& served) {
  if (served.file.empty()) return std::string();
  if (served.file.starts_with("path:")) return testing::ReadWholeFile(served.file.substr(5));
  if (served.file.starts_with("body:")) return served.file.substr(5);
  if (!served.file.starts_with("recorded:")) return ReadFixture(served.file);
  std::string relative = "fixtures/" + served.file.substr(9);
  std::optional<std::filesystem::path> path = RecordedFile(relative);
  if (!path) return std::nullopt;
  return testing::ReadWholeFile(*path);
}

// Fetches `c.source` from a replay server serving `c.served`, through a
// RequestExecutor with short waits, and checks the outcome.
void RunCase(const ReplayCase& c) {
  SCOPED_TRACE(c.name);
  ScratchDir dir;
  nlohmann::json recordings = nlohmann::json::array();
  for (const Served& served : c.served) {
    std::optional<std::string> body = BodyOf(served);
    if (!body) {
      std::cout << "skipped " << c.name << ": "
                << RecordedDataMissing("fixtures/" + served.file.substr(9)) << "\n";
      return;
    }
    // A body file keeps bytes that are not UTF-8, which a JSON string cannot hold.
    std::string body_file = "body-" + std::to_string(recordings.size());
    testing::WriteText(dir / body_file, *body);
    recordings.push_back({{"request", {{"uri", served.uri}}},
                          {"response",
                           {{"status", served.status},
                            {"headers", {{"Content-Type", served.content_type}}},
                            {"body_file", body_file}}}});
  }
  testing::WriteText(dir / "replay.json", nlohmann::json({{"recordings", recordings}}).dump());
  testing::ReplayServer server(dir.path());

  ConnectorHarness harness;
  harness.secrets = {{"FRED_API_KEY", "0123456789abcdef0123456789abcdef"},
                     {"ALPHAVANTAGE_API_KEY", "DEMOKEY123"}};
  RequestExecutorOptions options;
  options.retry = {.max_attempts = 2,
                   .initial_delay = std::chrono::milliseconds(1),
                   .multiplier = 2.0,
                   .max_delay = std::chrono::milliseconds(5),
                   .jitter = 0.0};
  options.rate_limited_wait = std::chrono::milliseconds(5);
  options.max_server_wait = std::chrono::milliseconds(10);
  RequestExecutor executor(std::make_shared<RateBudget>(c.name, RateLimits{}), options);
  harness.context.fetcher = &executor;

  std::string table = c.source;
  for (size_t at = table.find("{origin}"); at != std::string::npos; at = table.find("{origin}")) {
    table.replace(at, 8, server.Url(""));
  }
  if (!c.base_path.empty()) table = "base_url = \"" + server.Url(c.base_path) + "\"\n" + table;
  std::unique_ptr<Source> source =
      MakeSource(SourceFromToml("[[sources]]\nname = \"s\"\n" + table));
  FetchSummary summary;
  try {
    summary = source->Fetch(harness.context);
  } catch (const Error& error) {
    EXPECT_TRUE(c.thrown) << error.what();
    EXPECT_EQ(error.code(), c.failure) << error.what();
    EXPECT_TRUE(harness.zone.Entries("s").empty());
    return;
  }
  EXPECT_FALSE(c.thrown) << "the source did not stop";
  EXPECT_EQ(summary.series, c.series);
  if (c.rows) {
    EXPECT_EQ(summary.rows_landed, *c.rows);
  }
  // An error body or a partial fetch lands nothing, not even its raw bytes.
  if (c.series == 0) {
    EXPECT_TRUE(harness.zone.Entries("s").empty());
  }
  if (c.failure) {
    ASSERT_EQ(summary.failures.size(), 1u);
    EXPECT_EQ(summary.failures[0].code, *c.failure) << summary.failures[0].message;
    EXPECT_EQ(summary.failures[0].deferred, c.deferred);
  } else {
    EXPECT_TRUE(summary.failures.empty()) << summary.failures[0].message;
  }
  EXPECT_EQ(server.Stats()["unmatched"], 0) << server.Stats().dump();
}

std::vector<ReplayCase> FredCases() {
  const std::string fred = "type = \"fred\"\nseries = [\"CPIAUCNS\"]\n";
  const std::string gdp = "type = \"fred\"\nseries = [\"GDP\"]\n";
  const std::string obs = "/fred/series/observations?series_id=";
  return {
      {"fred json pages",
       fred + "page_size = 3\n",
       "/fred",
       {{"/fred/series?series_id=CPIAUCNS&file_type=json", "fred/series_cpiaucns.json"},
        {obs + "CPIAUCNS&file_type=json&limit=3&offset=0", "fred/observations_page_0.json"},
        {obs + "CPIAUCNS&file_type=json&limit=3&offset=3", "fred/observations_page_3.json"}},
       1},
      {"fred xml",
       fred + "file_type = \"xml\"\n",
       "/fred",
       {{"/fred/series?series_id=CPIAUCNS&file_type=xml", "fred/series_cpiaucns.xml", 200,
         "text/xml"},
        {obs + "CPIAUCNS&file_type=xml&limit=100000&offset=0", "fred/observations_cpiaucns.xml",
         200, "text/xml"}},
       1},
      {"alfred all vintages",
       fred + "vintages = \"all\"\nmetadata = false\n",
       "/fred",
       {{"/fred/series/vintagedates?series_id=CPIAUCNS&file_type=json&limit=10000&offset=0",
         "fred/vintagedates_cpiaucns.json"},
        {obs + "CPIAUCNS&file_type=json&realtime_start=1776-07-04&realtime_end=9999-12-31&"
               "limit=100000&offset=0",
         "fred/observations_cpiaucns_all_vintages.json"}},
       1},
      {"fred key not registered",
       fred + "metadata = false\n",
       "/fred",
       {{obs + "CPIAUCNS&file_type=json&limit=100000&offset=0",
         "fred/error_400_api_key_not_registered.json", 400}},
       0,
       ErrorCode::kUnauthenticated,
       false,
       true},
      {"recorded GDP",
       gdp,
       "/fred",
       {{"/fred/series?series_id=GDP&file_type=json", "recorded:fred/series_GDP.json"},
        {obs + "GDP&file_type=json&limit=100000&offset=0", "recorded:fred/observations_GDP.json"}},
       1},
      {"recorded CPILFESL",
       "type = \"fred\"\nseries = [\"CPILFESL\"]\n",
       "/fred",
       {{"/fred/series?series_id=CPILFESL&file_type=json", "recorded:fred/series_CPILFESL.json"},
        {obs + "CPILFESL&file_type=json&limit=100000&offset=0",
         "recorded:fred/observations_CPILFESL_monthly.json"}},
       1},
      {"recorded GDP all vintages",
       gdp + "vintages = \"all\"\nmetadata = false\n",
       "/fred",
       {{"/fred/series/vintagedates?series_id=GDP&file_type=json&limit=10000&offset=0",
         "recorded:fred/series_vintagedates_GDP.json"},
        {obs + "GDP&file_type=json&realtime_start=1776-07-04&realtime_end=9999-12-31&"
               "limit=100000&offset=0",
         "recorded:fred/observations_GDP_alfred_all_vintages.json"}},
       1},
      {"recorded empty result",
       gdp + "metadata = false\n",
       "/fred",
       {{obs + "GDP&file_type=json&limit=100000&offset=0",
         "recorded:fred/observations_empty_future_start_fredr.json"}},
       1},
      {"recorded invalid series id",
       gdp + "metadata = false\n",
       "/fred",
       {{obs + "GDP&file_type=json&limit=100000&offset=0",
         "recorded:fred/error_400_invalid_series_id_fredr.json", 400}},
       0,
       ErrorCode::kInvalidInput},
      {"recorded series id not set",
       gdp,
       "/fred",
       {{"/fred/series?series_id=GDP&file_type=json",
         "recorded:fred/error_400_series_id_not_set.json", 400}},
       0,
       ErrorCode::kInvalidInput},
      {"recorded realtime end after today",
       gdp + "vintages = \"all\"\nmetadata = false\n",
       "/fred",
       {{"/fred/series/vintagedates?series_id=GDP&file_type=json&limit=10000&offset=0",
         "recorded:fred/error_400_realtime_end_after_today.json", 400}},
       0,
       ErrorCode::kInvalidInput},
      {"recorded series id not set, second recording",
       gdp,
       "/fred",
       {{"/fred/series?series_id=GDP&file_type=json",
         "recorded:fred/error_400_series_id_not_set_fredr.json", 400}},
       0,
       ErrorCode::kInvalidInput},
      {"recorded GNPCA in xml",
       "type = \"fred\"\nseries = [\"GNPCA\"]\nfile_type = \"xml\"\nmetadata = false\n",
       "/fred",
       {{obs + "GNPCA&file_type=xml&limit=100000&offset=0",
         "recorded:fred/observations_GNPCA_docs_example.xml", 200, "text/xml"}},
       1,
       std::nullopt,
       false,
       false,
       84},
      // The single-vintage XML fixture is served as the all-vintages body.
      {"alfred vintage dates in xml",
       fred + "file_type = \"xml\"\nvintages = \"all\"\nmetadata = false\n",
       "/fred",
       {{"/fred/series/vintagedates?series_id=CPIAUCNS&file_type=xml&limit=10000&offset=0",
         "fred/vintagedates_cpiaucns.xml", 200, "text/xml"},
        {obs + "CPIAUCNS&file_type=xml&realtime_start=1776-07-04&realtime_end=9999-12-31&"
               "limit=100000&offset=0",
         "fred/observations_cpiaucns.xml", 200, "text/xml"}},
       1,
       std::nullopt,
       false,
       false,
       3},
      {"recorded series does not exist in xml",
       gdp + "file_type = \"xml\"\n",
       "/fred",
       {{"/fred/series?series_id=GDP&file_type=xml",
         "recorded:fred/error_400_series_does_not_exist_fredapi.xml", 400, "text/xml"}},
       0,
       ErrorCode::kInvalidInput},
      {"recorded too many requests",
       gdp + "metadata = false\n",
       "/fred",
       {{obs + "GDP&file_type=json&limit=100000&offset=0",
         "recorded:fred/error_429_too_many_requests.json", 429}},
       0,
       ErrorCode::kRateLimited},
      {"recorded internal server error",
       gdp + "metadata = false\n",
       "/fred",
       {{obs + "GDP&file_type=json&limit=100000&offset=0",
         "recorded:fred/error_500_internal_server_error.json", 500}},
       0,
       ErrorCode::kUnavailable},
  };
}

// A FRED observations page in the shape of the recorded GNPCA pages: rows
// `offset` to `offset + limit` of `count` annual rows from 1929, with made-up
// values. It serves the pages after a recorded first page.
std::string GnpcaObservationsPage(int count, int offset, int limit) {
  nlohmann::json observations = nlohmann::json::array();
  for (int row = offset; row < std::min(count, offset + limit); ++row) {
    observations.push_back({{"realtime_start", "2020-05-20"},
                            {"realtime_end", "2020-05-20"},
                            {"date", std::to_string(1929 + row) + "-01-01"},
                            {"value", std::to_string(1000 + row) + ".5"}});
  }
  nlohmann::json page = {{"realtime_start", "2020-05-20"},
                         {"realtime_end", "2020-05-20"},
                         {"count", count},
                         {"offset", offset},
                         {"limit", limit},
                         {"observations", observations}};
  return "body:" + page.dump();
}

// A FRED vintage dates page holding dates `offset` to `count` of a made-up
// list: the 15th of each month from July 1963, after the recorded first page.
std::string GnpcaVintageDatesPage(int count, int offset) {
  nlohmann::json dates = nlohmann::json::array();
  for (int index = offset; index < count; ++index) {
    int month = 6 + index - offset;  // Months after January 1963.
    dates.push_back(Date(1963 + month / 12, month % 12 + 1, 15).ToIso());
  }
  nlohmann::json page = {{"realtime_start", "1776-07-04"},
                         {"realtime_end", "9999-12-31"},
                         {"count", count},
                         {"offset", offset},
                         {"limit", 10000},
                         {"vintage_dates", dates}};
  return "body:" + page.dump();
}

// The recorded GNPCA observations are first pages (page sizes 10 and 20) of
// 91 rows, and the recorded vintage dates a first page of 10 of 176. The
// connector must read `count` from them and request each later page by limit
// and offset. The test serves those later pages.
std::vector<ReplayCase> FredPagingCases() {
  const std::string gnpca = "type = \"fred\"\nseries = [\"GNPCA\"]\n";
  const std::string obs = "/fred/series/observations?series_id=GNPCA&file_type=json&limit=";
  constexpr int kRows = 91;
  std::vector<ReplayCase> cases;
  const std::pair<int, std::string> first_pages[] = {
      {10, "recorded:fred/observations_GNPCA_limit10_fredr.json"},
      {20, "recorded:fred/observations_GNPCA_limit20_page1_fredr.json"}};
  for (const auto& [size, first_page] : first_pages) {
    std::string limit = std::to_string(size);
    ReplayCase c{
        "recorded GNPCA in pages of " + limit,
        gnpca + "page_size = " + limit + "\n",
        "/fred",
        {{"/fred/series?series_id=GNPCA&file_type=json", "recorded:fred/series_GNPCA_fredr.json"},
         {obs + limit + "&offset=0", first_page}},
        1};
    for (int offset = size; offset < kRows; offset += size) {
      c.served.push_back({obs + limit + "&offset=" + std::to_string(offset),
                          GnpcaObservationsPage(kRows, offset, size)});
    }
    c.rows = kRows;
    cases.push_back(std::move(c));
  }
  cases.push_back(
      {"recorded GNPCA page fails midway",
       gnpca + "page_size = 10\nmetadata = false\n",
       "/fred",
       {{obs + "10&offset=0", "recorded:fred/observations_GNPCA_limit10_fredr.json"},
        {obs + "10&offset=10", "recorded:fred/error_500_internal_server_error.json", 500}},
       0,
       ErrorCode::kUnavailable});
  cases.push_back(
      {"recorded GNPCA vintage dates in pages",
       gnpca + "vintages = \"all\"\nmetadata = false\n",
       "/fred",
       {{"/fred/series/vintagedates?series_id=GNPCA&file_type=json&limit=10000&offset=0",
         "recorded:fred/series_vintagedates_GNPCA_limit10_fredr.json"},
        {"/fred/series/vintagedates?series_id=GNPCA&file_type=json&limit=10000&"
         "offset=10",
         GnpcaVintageDatesPage(176, 10)},
        {"/fred/series/observations?series_id=GNPCA&file_type=json&"
         "realtime_start=1776-07-04&realtime_end=9999-12-31&limit=100000&offset=0",
         "fred/observations_cpiaucns_all_vintages.json"}},
       1,
       std::nullopt,
       false,
       false,
       4});
  return cases;
}

std::vector<ReplayCase> FredMdCases() {
  return {
      {"fred-md with appendix",
       "type = \"fred-md\"\nurl = \"{origin}/fred-md/1959-06.csv\"\n"
       "appendix_url = \"{origin}/fred-md/appendix.csv\"\n",
       "",
       {{"/fred-md/1959-06.csv", "fredmd/1959-06.csv", 200, "text/csv"},
        {"/fred-md/appendix.csv", "fredmd/appendix.csv", 200, "text/csv"}},
       4},
      {"fred-md file missing",
       "type = \"fred-md\"\nurl = \"{origin}/fred-md/1959-07.csv\"\n",
       "",
       {{"/fred-md/1959-07.csv", "", 404, "text/html"}},
       0,
       ErrorCode::kNotFound,
       false,
       true},
  };
}

std::vector<ReplayCase> AlphaVantageCases() {
  const std::string voo = "type = \"alphavantage\"\nsymbols = [\"VOO\"]\n";
  const std::string voo_uri = "/query?function=TIME_SERIES_MONTHLY&symbol=VOO";
  auto body_case = [&](std::string name, std::string file, std::optional<ErrorCode> failure,
                       bool deferred = false, bool thrown = false) {
    return ReplayCase{std::move(name), voo,      "/query", {{voo_uri, std::move(file)}}, 0,
                      failure,         deferred, thrown};
  };
  return {
      {"alphavantage monthly",
       voo,
       "/query",
       {{voo_uri, "alphavantage/time_series_monthly_voo.json"}},
       2},
      {"alphavantage digital old shape",
       "type = \"alphavantage\"\ndigital_currencies = [\"BTC\"]\nmarket = \"CNY\"\n",
       "/query",
       {{"/query?function=DIGITAL_CURRENCY_MONTHLY&symbol=BTC&market=CNY",
         "alphavantage/digital_currency_monthly_btc_cny_old_shape.json"}},
       2},
      {"alphavantage digital new shape",
       "type = \"alphavantage\"\ndigital_currencies = [\"XAG\"]\n",
       "/query",
       {{"/query?function=DIGITAL_CURRENCY_MONTHLY&symbol=XAG&market=USD",
         "alphavantage/digital_currency_monthly_xag_usd.json"}},
       2},
      body_case("alphavantage invalid key", "alphavantage/error_message_invalid_apikey.json",
                ErrorCode::kUnauthenticated, false, true),
      body_case("alphavantage per-second note", "alphavantage/information_per_second.json",
                ErrorCode::kRateLimited),
      body_case("alphavantage per-minute note", "alphavantage/note_per_minute.json",
                ErrorCode::kRateLimited),
      body_case("alphavantage premium endpoint", "alphavantage/information_premium_endpoint.json",
                ErrorCode::kPermissionDenied),
      body_case("alphavantage missing data key", "alphavantage/missing_data_key.json",
                ErrorCode::kInvalidInput),
      {"recorded MSFT monthly",
       "type = \"alphavantage\"\nsymbols = [\"MSFT\"]\n",
       "/query",
       {{"/query?function=TIME_SERIES_MONTHLY&symbol=MSFT",
         "recorded:alphavantage/time_series_monthly_MSFT_2018-06-08.json"}},
       2},
      {"recorded digital new shape",
       "type = \"alphavantage\"\ndigital_currencies = [\"BTC\"]\nmarket = \"EUR\"\n",
       "/query",
       {{"/query?function=DIGITAL_CURRENCY_MONTHLY&symbol=BTC&market=EUR",
         "recorded:alphavantage/digital_currency_monthly_BTC_EUR_2025_newshape_trimmed.json"}},
       2},
      body_case("recorded invalid API call",
                "recorded:alphavantage/error_message_invalid_api_call_FX_DAILY.json",
                ErrorCode::kInvalidInput),
      body_case("recorded daily limit", "recorded:alphavantage/information_daily_limit_25.json",
                ErrorCode::kQuotaExhausted, true),
  };
}

std::vector<ReplayCase> CensusCases() {
  auto series = [](const std::string& dataset, const std::string& category,
                   const std::string& data_type, const std::string& adjusted) {
    return "type = \"census\"\n[[sources.series]]\nid = \"x\"\ndataset = \"" + dataset +
           "\"\ncategory_code = \"" + category + "\"\ndata_type_code = \"" + data_type +
           "\"\nseasonally_adj = \"" + adjusted + "\"\n";
  };
  auto uri = [](const std::string& dataset, const std::string& adjusted) {
    return "/eits/" + dataset +
           "?get=cell_value,time_slot_id&category_code&data_type_code&seasonally_adj=" + adjusted +
           "&for=us&time=from+1992";
  };
  return {
      {"census unordered monthly",
       series("advm3", "MTM", "VS", "yes"),
       "/eits",
       {{uri("advm3", "yes"), "census/advm3_unordered.json"}},
       1},
      {"census quarterly",
       series("qtax", "TOTAL", "T01", "no"),
       "/eits",
       {{uri("qtax", "no"), "census/qtax_quarterly.json"}},
       1},
      {"census conflicting rows",
       series("resconst", "APERMITS", "TOTAL", "yes"),
       "/eits",
       {{uri("resconst", "yes"), "census/resconst_conflicting_rows.json"}},
       0,
       ErrorCode::kInvalidInput},
      {"census unknown variable",
       series("advm3", "MTM", "VS", "yes"),
       "/eits",
       {{uri("advm3", "yes"), "census/error_400_unknown_variable.txt", 400, "text/plain"}},
       0,
       ErrorCode::kInvalidInput},
      {"census key error page",
       series("advm3", "MTM", "VS", "yes"),
       "/eits",
       {{uri("advm3", "yes"), "census/key_error.html", 200, "text/html"}},
       0,
       ErrorCode::kUnauthenticated,
       false,
       true},
      {"census no content",
       series("advm3", "MTM", "VS", "yes"),
       "/eits",
       {{uri("advm3", "yes"), "", 204, "text/plain"}},
       0},
  };
}

std::vector<ReplayCase> EdgarCases() {
  const std::string edgar = std::string("type = \"edgar\"\n") + kUserAgent;
  return {
      {"edgar concept revisions",
       edgar + "companies = [\"320193\"]\nconcepts = [\"us-gaap/Revenues\"]\n",
       "/xbrl",
       {{"/xbrl/companyconcept/CIK0000320193/us-gaap/Revenues.json",
         "edgar/companyconcept_revisions.json"}},
       4},
      {"edgar concept instant",
       edgar + "companies = [\"789019\"]\nconcepts = [\"us-gaap/Assets\"]\n",
       "/xbrl",
       {{"/xbrl/companyconcept/CIK0000789019/us-gaap/Assets.json",
         "edgar/companyconcept_instant.json"}},
       1},
      {"edgar frame",
       edgar + "frames = [\"us-gaap/Revenues/USD/CY2023Q2\"]\n",
       "/xbrl",
       {{"/xbrl/frames/us-gaap/Revenues/USD/CY2023Q2.json", "edgar/frames_revenues_cy2023q2.json"}},
       3},
      {"edgar undeclared agent",
       edgar + "companies = [\"320193\"]\n",
       "/xbrl",
       {{"/xbrl/companyfacts/CIK0000320193.json", "edgar/error_403_undeclared_agent.html", 403,
         "text/html"}},
       0,
       ErrorCode::kPermissionDenied},
      {"recorded companyfacts",
       edgar + "companies = [\"1326801\"]\n",
       "/xbrl",
       {{"/xbrl/companyfacts/CIK0001326801.json", "recorded:sec/companyfacts_CIK0001326801.json"}},
       729},
  };
}

TEST(ReplayConnectorTest, Fred) {
  for (const ReplayCase& c : FredCases()) RunCase(c);
}

TEST(ReplayConnectorTest, FredPaging) {
  for (const ReplayCase& c : FredPagingCases()) RunCase(c);
}

TEST(ReplayConnectorTest, FredMd) {
  for (const ReplayCase& c : FredMdCases()) RunCase(c);
}

TEST(ReplayConnectorTest, AlphaVantage) {
  for (const ReplayCase& c : AlphaVantageCases()) RunCase(c);
}

TEST(ReplayConnectorTest, Census) {
  for (const ReplayCase& c : CensusCases()) RunCase(c);
}

TEST(ReplayConnectorTest, Edgar) {
  for (const ReplayCase& c : EdgarCases()) RunCase(c);
}

// Each recorded EITS excerpt (a header and one row per dataset) lands the one
// series that its row belongs to.
TEST(ReplayConnectorTest, RecordedCensusExcerpts) {
  const char kFile[] = "fixtures/census/eits_observed_excerpts.json";
  std::optional<std::filesystem::path> path = RecordedFile(kFile);
  if (!path) GTEST_SKIP() << RecordedDataMissing(kFile);
  nlohmann::json excerpts = nlohmann::json::parse(testing::ReadWholeFile(*path));
  ASSERT_FALSE(excerpts["responses"].empty());
  for (const nlohmann::json& response : excerpts["responses"]) {
    std::vector<std::string> header = response["header"];
    std::vector<std::string> row = response["first_row"];
    auto cell = [&](const std::string& column) {
      return row[std::find(header.begin(), header.end(), column) - header.begin()];
    };
    std::string dataset = response["dataset"];
    SCOPED_TRACE(dataset);
    ScratchDir dir;
    testing::WriteText(dir / "excerpt.json", nlohmann::json({header, row}).dump());
    ReplayCase c{"recorded excerpt " + dataset,
                 "type = \"census\"\n[[sources.series]]\nid = \"x\"\ndataset = \"" + dataset +
                     "\"\ncategory_code = \"" + cell("category_code") + "\"\ndata_type_code = \"" +
                     cell("data_type_code") + "\"\nseasonally_adj = \"" + cell("seasonally_adj") +
                     "\"\ntime_slot_id = \"" + cell("time_slot_id") + "\"\n",
                 "/eits",
                 {},
                 1};
    c.served.push_back({"/eits/" + dataset +
                            "?get=cell_value,time_slot_id&category_code&data_type_code&"
                            "seasonally_adj=" +
                            cell("seasonally_adj") + "&for=us&time=from+1992",
                        "path:" + (dir / "excerpt.json").string()});
    RunCase(c);
  }
}

}  // namespace
}  // namespace macropipe
