#include "sources/edgar.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "core/error.h"
#include "etl/normalized_csv.h"
#include "sources/connector_test_support.h"
#include "sources/edgar_facts.h"
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

std::string RealtimeCsv(const EdgarSeries& series) {
  SeriesCsvLayout layout;
  layout.realtime = true;
  layout.extra_columns = EdgarReferenceColumns();
  return WriteSeriesCsv(series.rows, layout);
}

const EdgarSeries* FindSeries(const std::vector<EdgarSeries>& all, const std::string& id) {
  for (const EdgarSeries& series : all) {
    if (series.info.id == id) return &series;
  }
  return nullptr;
}

TEST(EdgarFactsTest, ClassifiesPeriods) {
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"", "2023-06-30", "instant"},           {"2023-04-01", "2023-06-30", "quarter"},
      {"2022-12-25", "2023-03-25", "quarter"}, {"2023-01-01", "2023-12-31", "year"},
      {"2022-09-25", "2023-09-30", "year"},    {"2023-01-01", "2023-06-30", "6month"},
      {"2023-01-01", "2023-09-30", "9month"},  {"2023-03-01", "2023-03-31", "1month"},
  };
  for (const auto& [start, end, expected] : cases) {
    SCOPED_TRACE(start + " to " + end);
    std::optional<Date> start_date;
    if (!start.empty()) start_date = Date::ParseIso(start);
    EXPECT_EQ(EdgarPeriodClass(start_date, Date::ParseIso(end)), expected);
  }
}

TEST(EdgarFactsTest, NormalizesCik) {
  EXPECT_EQ(NormalizeCik("320193"), "0000320193");
  EXPECT_EQ(NormalizeCik("0000320193"), "0000320193");
  EXPECT_EQ(NormalizeCik("CIK0001326801"), "0001326801");
  for (std::string_view bad : {"", "CIK", "12345678901", "32O193", "-1"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(NormalizeCik(bad).has_value());
  }
  EXPECT_EQ(
      EdgarSeriesId("0000320193", "us-gaap", "EarningsPerShareBasic", "USD/shares", "quarter"),
      "CIK0000320193/us-gaap/EarningsPerShareBasic/USD-per-shares/quarter");
}

TEST(EdgarFactsTest, BuildsRevisionsFromFilings) {
  EdgarFacts facts =
      ParseEdgarCompanyConcept(ReadFixture("edgar/companyconcept_revisions.json"), "concept");
  EXPECT_EQ(facts.cik, "0000320193");
  std::vector<EdgarSeries> series = BuildEdgarSeries(facts);
  ASSERT_EQ(series.size(), 4u);

  const EdgarSeries* quarter = FindSeries(series, "CIK0000320193/us-gaap/Revenues/USD/quarter");
  ASSERT_NE(quarter, nullptr);
  EXPECT_EQ(RealtimeCsv(*quarter),
            "date,value,realtime_start,realtime_end,start,end,fy,fp,form,accn,frame\n"
            "2023-03-01,1000,2023-05-01,2023-06-14,2023-01-01,2023-03-31,2023,Q1,10-Q,"
            "0000320193-23-000010,CY2023Q1\n"
            "2023-03-01,1050,2023-06-15,2024-05-01,2023-01-01,2023-03-31,2023,Q1,10-Q/A,"
            "0000320193-23-000020,\n"
            "2023-03-01,1000,2024-05-02,9999-12-31,2023-01-01,2023-03-31,2024,Q1,10-Q,"
            "0000320193-24-000011,\n"
            "2023-06-01,1120,2023-08-01,9999-12-31,2023-04-01,2023-06-30,2023,Q2,10-Q/A,"
            "0000320193-23-000031,\n");
  EXPECT_EQ(quarter->info.frequency, "Quarterly");
  EXPECT_EQ(quarter->info.title, "Example Corp.: Revenues");
  EXPECT_EQ(quarter->info.last_updated, "2024-05-02");

  const EdgarSeries* half = FindSeries(series, "CIK0000320193/us-gaap/Revenues/USD/6month");
  ASSERT_NE(half, nullptr);
  ASSERT_EQ(half->rows.size(), 1u);
  EXPECT_EQ(half->rows[0].value, "2150");

  const EdgarSeries* year = FindSeries(series, "CIK0000320193/us-gaap/Revenues/USD/year");
  ASSERT_NE(year, nullptr);
  ASSERT_EQ(year->rows.size(), 1u);
  EXPECT_EQ(year->rows[0].date, Date(2022, 12, 1));
  EXPECT_EQ(year->rows[0].value, "4000.5");

  EXPECT_NE(FindSeries(series, "CIK0000320193/us-gaap/Revenues/USD-per-shares/quarter"), nullptr);
}

TEST(EdgarFactsTest, ParsesInstantsAndFrames) {
  std::vector<EdgarSeries> instants = BuildEdgarSeries(
      ParseEdgarCompanyConcept(ReadFixture("edgar/companyconcept_instant.json"), "concept"));
  ASSERT_EQ(instants.size(), 1u);
  EXPECT_EQ(instants[0].info.id, "CIK0000789019/us-gaap/Assets/USD/instant");
  ASSERT_EQ(instants[0].rows.size(), 2u);
  EXPECT_EQ(instants[0].rows[1].date, Date(2023, 6, 1));
  EXPECT_EQ(instants[0].rows[1].realtime_start, Date(2023, 7, 27));
  EXPECT_EQ(instants[0].rows[1].realtime_end, Date::Max());

  std::vector<EdgarFacts> frame =
      ParseEdgarFrame(ReadFixture("edgar/frames_revenues_cy2023q2.json"), "frame");
  ASSERT_EQ(frame.size(), 3u);
  EXPECT_EQ(frame[1].cik, "0000789019");
  EXPECT_EQ(frame[1].facts.at(0).value, "56189000000");
}

TEST(EdgarFactsTest, RecordedCompanyFactsLoadCleanly) {
  const std::string file = "fixtures/sec/companyfacts_CIK0001326801.json";
  auto path = RecordedFile(file);
  if (!path) GTEST_SKIP() << RecordedDataMissing(file);
  EdgarFacts facts = ParseEdgarCompanyFacts(ReadWholeFile(*path), file);
  EXPECT_EQ(facts.cik, "0001326801");
  EXPECT_EQ(facts.entity_name, "Meta Platforms, Inc.");
  EXPECT_EQ(facts.facts.size(), 4799u + 2731u + 2522u + 1836u);
  std::vector<EdgarSeries> series = BuildEdgarSeries(facts);
  EXPECT_GT(series.size(), 300u);

  // Every series reads back through the loader's parser without a rejected
  // row, so no period and real-time start repeats.
  size_t rows = 0;
  for (const EdgarSeries& one : series) {
    SCOPED_TRACE(one.info.id);
    std::istringstream in(RealtimeCsv(one));
    NormalizedCsvStream stream(in, one.info.id);
    ObservationRow row;
    size_t read = 0;
    while (stream.Next(row)) ++read;
    EXPECT_TRUE(stream.rejected().empty());
    EXPECT_EQ(read, one.rows.size());
    rows += read;
  }
  EXPECT_LT(rows, facts.facts.size());

  // Q1 2013 revenue was reported in 2013 and repeated in 2014: one row.
  const EdgarSeries* revenue = FindSeries(series, "CIK0001326801/us-gaap/Revenues/USD/quarter");
  ASSERT_NE(revenue, nullptr);
  std::vector<SeriesRow> q1;
  for (const SeriesRow& row : revenue->rows) {
    if (row.date == Date(2013, 3, 1)) q1.push_back(row);
  }
  ASSERT_EQ(q1.size(), 1u);
  EXPECT_EQ(q1[0].value, "1458000000");
  EXPECT_EQ(q1[0].realtime_start, Date(2013, 5, 2));
  EXPECT_EQ(q1[0].realtime_end, Date::Max());
}

struct ClassifyCase {
  long status;
  std::string body;
  ErrorCode code;
};

TEST(EdgarClassifierTest, ClassifiesErrorStatuses) {
  const std::vector<ClassifyCase> cases = {
      {403, ReadFixture("edgar/error_403_undeclared_agent.html"), ErrorCode::kPermissionDenied},
      {404, "<Error><Code>NoSuchKey</Code></Error>", ErrorCode::kNotFound},
      {429, "", ErrorCode::kRateLimited},
      {500, "", ErrorCode::kUnavailable},
  };
  for (const ClassifyCase& test : cases) {
    SCOPED_TRACE(test.status);
    try {
      EdgarClassifier("companyfacts/CIK0000320193")(MakeResponse(test.status, test.body));
      ADD_FAILURE() << "no error";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), test.code) << error.what();
      EXPECT_NE(std::string(error.what()).find("CIK0000320193"), std::string::npos);
    }
  }
  EXPECT_NO_THROW(EdgarClassifier("x")(MakeResponse(200, "{}")));
}

std::unique_ptr<Source> MakeEdgar(const std::string& options) {
  return MakeSource(
      SourceFromToml("[[sources]]\nname = \"edgar\"\ntype = \"edgar\"\n"
                     "base_url = \"https://sec.test/api/xbrl\"\n" +
                     options));
}

TEST(EdgarSourceTest, RequiresUserAgentBeforeAnyRequest) {
  for (const std::string& agent : {std::string(""), std::string("user_agent = \"macropipe\"\n")}) {
    SCOPED_TRACE(agent);
    try {
      MakeEdgar(agent + "companies = [\"320193\"]\n");
      ADD_FAILURE() << "no error";
    } catch (const Error& error) {
      std::string message = error.what();
      EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
      EXPECT_NE(message.find("user_agent"), std::string::npos) << message;
      EXPECT_NE(message.find("test.toml"), std::string::npos) << message;
    }
  }
}

TEST(EdgarSourceTest, LandsConceptsAndFrames) {
  ConnectorHarness harness;
  harness.fetcher.Serve({"/companyconcept/CIK0000320193/us-gaap/Revenues.json"},
                        MakeResponse(200, ReadFixture("edgar/companyconcept_revisions.json")));
  harness.fetcher.Serve({"/companyconcept/CIK0000789019/us-gaap/Revenues.json"},
                        MakeResponse(404, "<Error><Code>NoSuchKey</Code></Error>", "text/xml"));
  harness.fetcher.Serve({"/frames/us-gaap/Revenues/USD/CY2023Q2.json"},
                        MakeResponse(200, ReadFixture("edgar/frames_revenues_cy2023q2.json")));
  auto source = MakeEdgar(
      "user_agent = \"Example Research research@example.org\"\n"
      "companies = [\"320193\", \"CIK0000789019\"]\nconcepts = [\"us-gaap/Revenues\"]\n"
      "frames = [\"us-gaap/Revenues/USD/CY2023Q2\"]\n");
  EXPECT_EQ(source->request_policy().limits.per_second, 10);

  FetchSummary summary = source->Fetch(harness.context);

  ASSERT_EQ(harness.fetcher.requests.size(), 3u);
  for (const FetchRequest& request : harness.fetcher.requests) {
    ASSERT_EQ(request.headers.size(), 1u);
    EXPECT_EQ(request.headers[0], "User-Agent: Example Research research@example.org");
  }
  // Four series from the concept, two companies from the frame; the frame's
  // row for 320193 is already in the concept's series.
  EXPECT_EQ(summary.series, 6);
  std::string from_concept =
      harness.SeriesCsv("edgar", "CIK0000320193/us-gaap/Revenues/USD/quarter");
  EXPECT_EQ(from_concept.substr(0, from_concept.find('\n')),
            "date,value,realtime_start,realtime_end,start,end,fy,fp,form,accn,frame");
  EXPECT_EQ(harness.SeriesCsv("edgar", "CIK0000789019/us-gaap/Revenues/USD/quarter"),
            "date,value,start,end,fy,fp,form,accn,frame\n"
            "2023-06-01,56189000000,2023-04-01,2023-06-30,,,,0000789019-23-000040,CY2023Q2\n");
  EXPECT_TRUE(
      harness.zone
          .Latest("edgar", "CIK0001326801/us-gaap/Revenues/USD/quarter", ObjectKind::kSeries)
          .has_value());
}

TEST(EdgarSourceTest, ForbiddenRequestFailsItsSeries) {
  ConnectorHarness harness;
  harness.fetcher.Serve(
      {"/companyfacts/"},
      MakeResponse(403, ReadFixture("edgar/error_403_undeclared_agent.html"), "text/html"));
  auto source = MakeEdgar("user_agent = \"A a@example.org\"\ncompanies = [\"320193\"]\n");
  FetchSummary summary = source->Fetch(harness.context);
  ASSERT_EQ(summary.failures.size(), 1u);
  EXPECT_EQ(summary.failures[0].series, "CIK0000320193.companyfacts");
  EXPECT_NE(summary.failures[0].message.find("403"), std::string::npos)
      << summary.failures[0].message;
  EXPECT_TRUE(harness.zone.Entries("edgar").empty());
}

TEST(EdgarSourceTest, RejectsInvalidOptions) {
  const std::string agent = "user_agent = \"A a@example.org\"\n";
  for (const std::string& options :
       {agent, agent + "companies = [\"x\"]\n", agent + "companies = [\"1\"]\nconcepts = [\"a\"]\n",
        agent + "frames = [\"us-gaap/Revenues\"]\n", agent + "companies = [\"1\"]\ncik = 1\n"}) {
    SCOPED_TRACE(options);
    EXPECT_THROW(MakeEdgar(options), Error);
  }
}

}  // namespace
}  // namespace macropipe
