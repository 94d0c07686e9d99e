#include "sources/census.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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

CensusSeriesSpec Spec(const std::string& id, const std::string& category,
                      const std::string& data_type, const std::string& adjusted = "yes") {
  CensusSeriesSpec spec;
  spec.id = id;
  spec.dataset = "test";
  spec.key_columns = {
      {"category_code", category}, {"data_type_code", data_type}, {"seasonally_adj", adjusted}};
  return spec;
}

std::string Csv(const std::vector<SeriesRow>& rows) {
  return WriteSeriesCsv(rows, SeriesCsvLayout());
}

TEST(CensusParseTest, ParsesRecordedExcerpts) {
  const std::string file = "fixtures/census/eits_observed_excerpts.json";
  auto path = RecordedFile(file);
  if (!path) GTEST_SKIP() << RecordedDataMissing(file);
  nlohmann::json excerpts = nlohmann::json::parse(ReadWholeFile(*path));
  ASSERT_EQ(excerpts["responses"].size(), 5u);
  for (const nlohmann::json& response : excerpts["responses"]) {
    std::string dataset = response["dataset"];
    SCOPED_TRACE(dataset);
    nlohmann::json body = nlohmann::json::array({response["header"], response["first_row"]});
    CensusTable table = ParseCensusTable(body.dump(), file);
    ASSERT_EQ(table.rows.size(), 1u);
    const std::vector<std::string>& row = table.rows[0];
    CensusSeriesSpec spec = Spec(dataset, row[2], row[3], row[4]);
    std::vector<SeriesRow> rows = SelectCensusSeries(table, spec, file);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].date, *Date::TryParseYearMonth(row[5]));
    EXPECT_EQ(rows[0].value, row[0]);
  }
}

TEST(CensusParseTest, ParsesTimes) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"2024-03", "2024-03-01"}, {"2024-Q1", "2024-01-01"}, {"2024-Q4", "2024-10-01"},
      {"2024", "2024-01-01"},    {"1992-12", "1992-12-01"},
  };
  for (const auto& [text, date] : cases) {
    SCOPED_TRACE(text);
    std::optional<Date> parsed = ParseCensusTime(text);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->ToIso(), date);
  }
  for (std::string_view bad : {"2024-13", "2024-Q5", "24-01", "2024-03-01", ""}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(ParseCensusTime(bad).has_value());
  }
}

TEST(CensusParseTest, SortsAndDeduplicatesRows) {
  CensusTable table = ParseCensusTable(ReadFixture("census/advm3_unordered.json"), "advm3");
  EXPECT_EQ(Csv(SelectCensusSeries(table, Spec("shipments", "MTM", "VS"), "advm3")),
            "date,value\n2024-09-01,592512\n2024-10-01,593611\n2024-11-01,598364\n"
            "2024-12-01,\n");
  EXPECT_EQ(Csv(SelectCensusSeries(table, Spec("change", "MTM", "MPCVS"), "advm3")),
            "date,value\n2024-10-01,0.2\n2024-11-01,-1.2\n");
}

TEST(CensusParseTest, RejectsConflictingDuplicates) {
  CensusTable table = ParseCensusTable(ReadFixture("census/resconst_conflicting_rows.json"), "r");
  try {
    SelectCensusSeries(table, Spec("permits", "APERMITS", "TOTAL"), "resconst");
    ADD_FAILURE() << "no error";
  } catch (const Error& error) {
    std::string message = error.what();
    EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
    EXPECT_NE(message.find("permits"), std::string::npos) << message;
    EXPECT_NE(message.find("2022-11"), std::string::npos) << message;
    EXPECT_NE(message.find("1289"), std::string::npos) << message;
    EXPECT_NE(message.find("1351"), std::string::npos) << message;
  }
  // The other category in the same response has one row per time.
  EXPECT_EQ(SelectCensusSeries(table, Spec("starts", "ASTARTS", "TOTAL"), "r").size(), 1u);
}

TEST(CensusParseTest, RejectsMalformedTables) {
  const std::vector<std::string> bodies = {
      "[]",
      R"({"a": 1})",
      R"([["cell_value","time"],["1"]])",
      R"([["cell_value","time","category_code","data_type_code","seasonally_adj"],)"
      R"(["x","2024-01","A","B","yes"]])",
      R"([["cell_value","time","category_code","data_type_code","seasonally_adj"],)"
      R"(["1","2024-1","A","B","yes"]])",
      R"([["cell_value","time","category_code"],["1","2024-01","A"]])",
  };
  for (const std::string& body : bodies) {
    SCOPED_TRACE(body);
    EXPECT_THROW(SelectCensusSeries(ParseCensusTable(body, "t"), Spec("s", "A", "B"), "t"), Error);
  }
  CensusTable table = ParseCensusTable(ReadFixture("census/advm3_unordered.json"), "t");
  try {
    SelectCensusSeries(table, Spec("nothing", "XYZ", "VS"), "t");
    ADD_FAILURE() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kNotFound);
  }
}

struct ClassifyCase {
  std::string name;
  HttpResponse response;
  std::optional<ErrorCode> code;  // Unset: the response passes.
  std::string message_part;
};

TEST(CensusClassifierTest, ClassifiesResponses) {
  HttpResponse key_header = MakeResponse(200, "[]");
  key_header.headers["x-datawebapi-keyerror"] = "true";
  const std::vector<ClassifyCase> cases = {
      {"data", MakeResponse(200, ReadFixture("census/advm3_unordered.json")), std::nullopt, ""},
      {"no data", MakeResponse(204, "", ""), std::nullopt, ""},
      {"bad variable",
       MakeResponse(400, ReadFixture("census/error_400_unknown_variable.txt"), "text/plain"),
       ErrorCode::kInvalidInput, "unknown variable 'cell_valu'"},
      {"key page", MakeResponse(200, ReadFixture("census/key_error.html"), "text/html"),
       ErrorCode::kUnauthenticated, "Invalid Key"},
      {"key header", key_header, ErrorCode::kUnauthenticated, "CENSUS_API_KEY"},
      {"server error", MakeResponse(503, "busy", "text/plain"), ErrorCode::kUnavailable, "503"},
  };
  for (const ClassifyCase& test : cases) {
    SCOPED_TRACE(test.name);
    ResponseClassifier classify = CensusClassifier("dataset advm3", "CENSUSKEY");
    if (!test.code) {
      EXPECT_NO_THROW(classify(test.response));
      continue;
    }
    try {
      classify(test.response);
      ADD_FAILURE() << "no error";
    } catch (const Error& error) {
      std::string message = error.what();
      EXPECT_EQ(error.code(), *test.code) << message;
      EXPECT_NE(message.find(test.message_part), std::string::npos) << message;
      EXPECT_NE(message.find("dataset advm3"), std::string::npos) << message;
    }
  }
}

constexpr char kCensusConfig[] = R"(
[[sources]]
name = "census"
type = "census"
base_url = "https://census.test/eits"
start = "2020"

[[sources.series]]
id = "sup_val"
dataset = "advm3"
category_code = "MTM"
data_type_code = "VS"
seasonally_adj = "yes"
title = "Manufacturers' shipments"
units = "Millions of Dollars"

[[sources.series]]
id = "sup_val_change"
dataset = "advm3"
category_code = "MTM"
data_type_code = "MPCVS"
seasonally_adj = "yes"

[[sources.series]]
id = "taxes"
dataset = "qtax"
category_code = "TOTAL"
data_type_code = "T01"
seasonally_adj = "no"
)";

TEST(CensusSourceTest, FetchesOneRequestPerDataset) {
  ConnectorHarness harness;
  harness.fetcher.Serve({"/advm3?"}, MakeResponse(200, ReadFixture("census/advm3_unordered.json")));
  harness.fetcher.Serve({"/qtax?"}, MakeResponse(200, ReadFixture("census/qtax_quarterly.json")));
  FetchSummary summary = MakeSource(SourceFromToml(kCensusConfig))->Fetch(harness.context);

  EXPECT_EQ(summary.series, 3);
  ASSERT_EQ(harness.fetcher.requests.size(), 2u);
  const std::string& url = harness.fetcher.requests[0].url;
  EXPECT_NE(url.find("get=cell_value,time_slot_id&category_code&data_type_code"),
            std::string::npos);
  EXPECT_NE(url.find("seasonally_adj=yes&for=us&time=from+2020"), std::string::npos) << url;
  EXPECT_EQ(url.find("key="), std::string::npos) << url;
  EXPECT_EQ(harness.SeriesCsv("census", "taxes"),
            "date,value\n2023-10-01,121840\n2024-01-01,113220\n2024-04-01,118907\n");
  std::optional<LandingEntry> entry = harness.zone.Latest("census", "sup_val", ObjectKind::kSeries);
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->series_info->title, "Manufacturers' shipments");
  EXPECT_EQ(entry->series_info->seasonal_adjustment, "SA");
  std::optional<LandingEntry> taxes = harness.zone.Latest("census", "taxes", ObjectKind::kSeries);
  ASSERT_TRUE(taxes.has_value());
  EXPECT_EQ(taxes->series_info->frequency, "Quarterly");
}

TEST(CensusSourceTest, SendsKeyWithoutLandingIt) {
  ConnectorHarness harness;
  harness.secrets["CENSUS_API_KEY"] = "CENSUSKEY123";
  harness.fetcher.Serve({"/advm3?"}, MakeResponse(200, ReadFixture("census/advm3_unordered.json")));
  harness.fetcher.Serve({"/qtax?"}, MakeResponse(200, ReadFixture("census/qtax_quarterly.json")));
  MakeSource(SourceFromToml(kCensusConfig))->Fetch(harness.context);
  EXPECT_NE(harness.fetcher.requests[0].url.find("key=CENSUSKEY123"), std::string::npos);
  std::string manifest = harness.ManifestText();
  EXPECT_FALSE(manifest.empty());
  EXPECT_EQ(manifest.find("CENSUSKEY123"), std::string::npos);
}

TEST(CensusSourceTest, LandsNothingForNoContent) {
  ConnectorHarness harness;
  harness.fetcher.Serve({"/advm3?"}, MakeResponse(204, "", ""));
  harness.fetcher.Serve({"/qtax?"}, MakeResponse(200, ReadFixture("census/qtax_quarterly.json")));
  FetchSummary summary = MakeSource(SourceFromToml(kCensusConfig))->Fetch(harness.context);
  EXPECT_EQ(summary.series, 1);
  EXPECT_FALSE(harness.zone.Latest("census", "sup_val", ObjectKind::kSeries).has_value());
  EXPECT_TRUE(harness.zone.Latest("census", "taxes", ObjectKind::kSeries).has_value());
}

TEST(CensusSourceTest, RejectsInvalidSeriesTables) {
  const std::vector<std::string> configs = {
      "[[sources]]\ntype = \"census\"\n",
      "[[sources]]\ntype = \"census\"\n[[sources.series]]\nid = \"a\"\ndataset = \"advm3\"\n",
      "[[sources]]\ntype = \"census\"\n[[sources.series]]\nid = \"a\"\ndataset = \"d\"\n"
      "category_code = \"A\"\ndata_type_code = \"B\"\nseasonally_adj = \"no\"\ncolour = 1\n",
      "[[sources]]\ntype = \"census\"\nstart = \"92\"\n[[sources.series]]\nid = \"a\"\n"
      "dataset = \"d\"\ncategory_code = \"A\"\ndata_type_code = \"B\"\nseasonally_adj = \"no\"\n",
  };
  for (const std::string& config : configs) {
    SCOPED_TRACE(config);
    EXPECT_THROW(MakeSource(SourceFromToml(config)), Error);
  }
}

}  // namespace
}  // namespace macropipe
