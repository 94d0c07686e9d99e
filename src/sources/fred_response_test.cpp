#include "sources/fred_response.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "sources/connector_test_support.h"
#include "test_support.h"

namespace macropipe {
namespace {

using testing::MakeResponse;
using testing::ReadFixture;
using testing::ReadWholeFile;
using testing::RecordedDataMissing;
using testing::RecordedFile;

struct ObservationCase {
  std::string file;
  FredFormat format;
  int64_t count;
  size_t rows;
  size_t missing;
  std::string first_date;
  std::string last_value;
};

TEST(FredResponseTest, ParsesRecordedObservations) {
  const std::vector<ObservationCase> cases = {
      {"fixtures/fred/observations_CPILFESL_monthly.json", FredFormat::kJson, 816, 816, 0,
       "1957-01-01", "323.383"},
      {"fixtures/fred/observations_GDP.json", FredFormat::kJson, 315, 315, 4, "1946-01-01",
       "29374.914"},
      {"fixtures/fred/observations_GDP_alfred_all_vintages.json", FredFormat::kJson, 3201, 3201,
       245, "1946-01-01", "29374.914"},
      {"fixtures/fred/observations_GNPCA_limit10_fredr.json", FredFormat::kJson, 91, 10, 0,
       "1929-01-01", "1138.989"},
      {"fixtures/fred/observations_GNPCA_limit20_page1_fredr.json", FredFormat::kJson, 91, 20, 0,
       "1929-01-01", "2134.291"},
      {"fixtures/fred/observations_empty_future_start_fredr.json", FredFormat::kJson, 0, 0, 0, "",
       ""},
      {"fixtures/fred/observations_GNPCA_docs_example.xml", FredFormat::kXml, 84, 84, 0,
       "1929-01-01", "15693.1"},
  };
  for (const ObservationCase& test : cases) {
    SCOPED_TRACE(test.file);
    auto path = RecordedFile(test.file);
    if (!path) GTEST_SKIP() << RecordedDataMissing(test.file);
    FredObservationPage page = ParseFredObservations(ReadWholeFile(*path), test.format, test.file);
    EXPECT_EQ(page.count, test.count);
    ASSERT_EQ(page.observations.size(), test.rows);
    size_t missing = 0;
    for (const FredObservation& row : page.observations) missing += row.value.empty() ? 1 : 0;
    EXPECT_EQ(missing, test.missing);
    if (test.rows == 0) continue;
    EXPECT_EQ(page.observations.front().date.ToIso(), test.first_date);
    EXPECT_EQ(page.observations.back().value, test.last_value);
  }
}

TEST(FredResponseTest, ParsesOwnObservationsInBothFormats) {
  FredObservationPage json =
      ParseFredObservations(ReadFixture("fred/observations_page_0.json"), FredFormat::kJson, "t");
  EXPECT_EQ(json.count, 5);
  EXPECT_EQ(json.limit, 3);
  ASSERT_EQ(json.observations.size(), 3u);
  EXPECT_EQ(json.observations[1].value, "");
  EXPECT_EQ(json.realtime_start, Date(2025, 2, 14));

  FredObservationPage xml =
      ParseFredObservations(ReadFixture("fred/observations_cpiaucns.xml"), FredFormat::kXml, "t");
  EXPECT_EQ(xml.count, 3);
  ASSERT_EQ(xml.observations.size(), 3u);
  EXPECT_EQ(xml.observations[0].date, Date(2024, 10, 1));
  EXPECT_EQ(xml.observations[0].value, "315.664");
  EXPECT_EQ(xml.observations[1].value, "");
  EXPECT_EQ(xml.observations[2].realtime_end, Date(2025, 2, 14));
}

struct SeriesCase {
  std::string file;
  bool recorded;
  FredFormat format;
  std::string id;
  std::string frequency;
  std::string seasonal_adjustment;
  std::string last_updated;
};

TEST(FredResponseTest, ParsesSeriesMetadata) {
  const std::vector<SeriesCase> cases = {
      {"fixtures/fred/series_GDP.json", true, FredFormat::kJson, "GDP", "Quarterly", "SAAR",
       "2024-12-19 07:55:01-06"},
      {"fixtures/fred/series_CPILFESL.json", true, FredFormat::kJson, "CPILFESL", "Monthly", "SA",
       ""},
      {"fixtures/fred/series_GNPCA_fredr.json", true, FredFormat::kJson, "GNPCA", "Annual", "NSA",
       "2020-03-26 08:10:46-05"},
      {"fred/series_cpiaucns.json", false, FredFormat::kJson, "CPIAUCNS", "Monthly", "NSA",
       "2025-01-15 07:39:02-06"},
      {"fred/series_cpiaucns.xml", false, FredFormat::kXml, "CPIAUCNS", "Monthly", "NSA",
       "2025-01-15 07:39:02-06"},
  };
  for (const SeriesCase& test : cases) {
    SCOPED_TRACE(test.file);
    std::string body;
    if (test.recorded) {
      auto path = RecordedFile(test.file);
      if (!path) GTEST_SKIP() << RecordedDataMissing(test.file);
      body = ReadWholeFile(*path);
    } else {
      body = ReadFixture(test.file);
    }
    SeriesInfo info = ParseFredSeries(body, test.format, test.file);
    EXPECT_EQ(info.id, test.id);
    EXPECT_EQ(info.frequency, test.frequency);
    EXPECT_EQ(info.seasonal_adjustment, test.seasonal_adjustment);
    if (!test.last_updated.empty()) {
      EXPECT_EQ(info.last_updated, test.last_updated);
    }
    EXPECT_FALSE(info.title.empty());
    EXPECT_FALSE(info.units.empty());
  }
}

TEST(FredResponseTest, ParsesVintageDates) {
  const std::string file = "fixtures/fred/series_vintagedates_GDP.json";
  auto path = RecordedFile(file);
  if (!path) GTEST_SKIP() << RecordedDataMissing(file);
  FredVintageDatesPage page = ParseFredVintageDates(ReadWholeFile(*path), FredFormat::kJson, file);
  EXPECT_EQ(page.count, 395);
  ASSERT_EQ(page.vintage_dates.size(), 395u);
  EXPECT_EQ(page.vintage_dates.front(), Date(1991, 12, 4));
  EXPECT_EQ(page.vintage_dates.back(), Date(2024, 12, 19));

  const std::string paged = "fixtures/fred/series_vintagedates_GNPCA_limit10_fredr.json";
  auto paged_path = RecordedFile(paged);
  if (!paged_path) GTEST_SKIP() << RecordedDataMissing(paged);
  FredVintageDatesPage first =
      ParseFredVintageDates(ReadWholeFile(*paged_path), FredFormat::kJson, paged);
  EXPECT_EQ(first.count, 176);
  EXPECT_EQ(first.vintage_dates.size(), 10u);

  FredVintageDatesPage xml =
      ParseFredVintageDates(ReadFixture("fred/vintagedates_cpiaucns.xml"), FredFormat::kXml, "t");
  EXPECT_EQ(xml.count, 3);
  ASSERT_EQ(xml.vintage_dates.size(), 3u);
  EXPECT_EQ(xml.vintage_dates[2], Date(2025, 1, 15));
}

TEST(FredResponseTest, RejectsMalformedBodies) {
  const std::vector<std::pair<std::string, FredFormat>> cases = {
      {"not json", FredFormat::kJson},
      {R"({"count":1,"offset":0,"limit":10})", FredFormat::kJson},
      {R"({"count":1,"offset":0,"limit":10,"observations":[{"date":"2024-13-01","value":"1",)"
       R"("realtime_start":"2024-01-01","realtime_end":"2024-01-01"}]})",
       FredFormat::kJson},
      {"<observations count='1' offset='0' limit='1'><observation", FredFormat::kXml},
      {"<seriess/>", FredFormat::kXml},
  };
  for (const auto& [body, format] : cases) {
    SCOPED_TRACE(body);
    try {
      if (body.find("seriess") != std::string::npos) {
        ParseFredSeries(body, format, "test body");
      } else {
        ParseFredObservations(body, format, "test body");
      }
      ADD_FAILURE() << "no error";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
      EXPECT_NE(std::string(error.what()).find("test body"), std::string::npos);
    }
  }
}

struct ErrorCase {
  std::string file;
  bool recorded;
  long status;
  ErrorCode code;
  std::string message_part;
};

TEST(FredResponseTest, ClassifiesEveryErrorBody) {
  const std::vector<ErrorCase> cases = {
      {"fixtures/fred/error_400_invalid_series_id_fredr.json", true, 400, ErrorCode::kInvalidInput,
       "Series IDs should be 25 or less"},
      {"fixtures/fred/error_400_realtime_end_after_today.json", true, 400, ErrorCode::kInvalidInput,
       "realtime_end can not be after"},
      {"fixtures/fred/error_400_series_id_not_set.json", true, 400, ErrorCode::kInvalidInput,
       "series_id has not been set"},
      {"fixtures/fred/error_400_series_id_not_set_fredr.json", true, 400, ErrorCode::kInvalidInput,
       "series_id has not been set"},
      {"fixtures/fred/error_429_too_many_requests.json", true, 429, ErrorCode::kRateLimited,
       "Exceeded Rate Limit"},
      {"fixtures/fred/error_500_internal_server_error.json", true, 500, ErrorCode::kUnavailable,
       "Internal Server Error"},
      {"fixtures/fred/error_400_series_does_not_exist_fredapi.xml", true, 400,
       ErrorCode::kInvalidInput, "The series does not exist"},
      // The same XML error delivered with HTTP 200 is still an error.
      {"fixtures/fred/error_400_series_does_not_exist_fredapi.xml", true, 200,
       ErrorCode::kInvalidInput, "The series does not exist"},
      {"fred/error_400_api_key_not_registered.json", false, 400, ErrorCode::kUnauthenticated,
       "api_key is not registered"},
  };
  for (const ErrorCase& test : cases) {
    SCOPED_TRACE(test.file + " HTTP " + std::to_string(test.status));
    std::string body;
    if (test.recorded) {
      auto path = RecordedFile(test.file);
      if (!path) GTEST_SKIP() << RecordedDataMissing(test.file);
      body = ReadWholeFile(*path);
    } else {
      body = ReadFixture(test.file);
    }
    ResponseClassifier classify = FredClassifier("observations of GDP");
    try {
      classify(MakeResponse(test.status, body));
      ADD_FAILURE() << "no error";
    } catch (const Error& error) {
      std::string message = error.what();
      EXPECT_EQ(error.code(), test.code) << message;
      EXPECT_NE(message.find(test.message_part), std::string::npos) << message;
      EXPECT_NE(message.find("observations of GDP"), std::string::npos) << message;
    }
  }
}

TEST(FredResponseTest, AcceptsDataBodies) {
  ResponseClassifier classify = FredClassifier("observations of CPIAUCNS");
  EXPECT_NO_THROW(classify(MakeResponse(200, ReadFixture("fred/observations_page_0.json"))));
  EXPECT_NO_THROW(classify(MakeResponse(0, ReadFixture("fred/observations_cpiaucns.xml"))));
  EXPECT_THROW(classify(MakeResponse(503, "<html>Service Unavailable</html>")), Error);
}

}  // namespace
}  // namespace macropipe
