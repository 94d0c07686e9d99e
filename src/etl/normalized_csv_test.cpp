#include "etl/normalized_csv.h"

#include <gtest/gtest.h>

#include <sstream>

#include "core/error.h"

namespace macropipe {
namespace {

TEST(NormalizedCsvStreamTest, ReadsRowsAndRejectsBadOnes) {
  std::istringstream in(
      "date,value\n"
      "2024-01-01,1.5\n"
      "2024-02-01,\n"
      "2024-03-01,.\n"
      "2024-13-01,2\n"
      "2024-04-01,abc\n"
      "2024-05-01,1,2\n"
      "2024-01-01,9\n"
      "2024-06-01,inf\n"
      "2024-07-01,-3e2\r\n");
  NormalizedCsvStream stream(in, "obj.csv");
  std::vector<ObservationRow> rows;
  ObservationRow row;
  while (stream.Next(row)) rows.push_back(row);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].value, 1.5);
  EXPECT_FALSE(rows[1].value.has_value());
  EXPECT_FALSE(rows[2].value.has_value());
  EXPECT_EQ(rows[3].value, -300.0);

  const std::vector<std::pair<int64_t, std::string>> expected = {{5, "invalid date"},
                                                                 {6, "non-numeric"},
                                                                 {7, "expected 2 fields"},
                                                                 {8, "repeated date"},
                                                                 {9, "non-numeric"}};
  ASSERT_EQ(stream.rejected().size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(expected[i].second);
    EXPECT_EQ(stream.rejected()[i].line, expected[i].first);
    EXPECT_NE(stream.rejected()[i].reason.find(expected[i].second), std::string::npos);
  }
}

TEST(NormalizedCsvStreamTest, ReadsRealtimeColumnsAndIgnoresExtras) {
  std::istringstream in(
      "date,value,realtime_start,realtime_end,source_date\n"
      "2024-01-01,1,2024-02-01,2024-02-28,2024-01-31\n"
      "2024-01-01,2,2024-03-01,9999-12-31,2024-01-31\n"
      "2024-01-01,3,2024-03-01,9999-12-31,2024-01-31\n"
      "2024-02-01,4,2024-03-05,2024-03-01,2024-02-29\n");
  NormalizedCsvStream stream(in, "obj.csv");
  std::vector<ObservationRow> rows;
  ObservationRow row;
  while (stream.Next(row)) rows.push_back(row);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].realtime_start->ToIso(), "2024-03-01");
  EXPECT_EQ(rows[1].realtime_end->ToIso(), "9999-12-31");
  ASSERT_EQ(stream.rejected().size(), 2u);
  EXPECT_NE(stream.rejected()[0].reason.find("repeated"), std::string::npos);
  EXPECT_NE(stream.rejected()[1].reason.find("real-time period"), std::string::npos);
}

TEST(NormalizedCsvStreamTest, RejectsUnknownHeader) {
  for (const char* text : {"", "day,value\n", "date\n", "value,date\n"}) {
    SCOPED_TRACE(text);
    std::istringstream in(text);
    EXPECT_THROW(NormalizedCsvStream(in, "obj.csv"), Error);
  }
}

}  // namespace
}  // namespace macropipe
