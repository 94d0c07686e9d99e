#include "etl/parse_ahead.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "landing/local_object_store.h"
#include "test_support.h"

namespace macropipe::testing {
namespace {

// A normalized series CSV with `rows` monthly values from 1960 on.
std::string SeriesCsv(int rows) {
  std::string text = "date,value\n";
  for (int i = 0; i < rows; ++i) {
    text += Date(1960 + i / 12, 1 + i % 12, 1).ToIso() + "," + std::to_string(i) + "\n";
  }
  return text;
}

struct ObjectCase {
  std::string series;
  std::string content;
  size_t rows;      // Rows the stream yields.
  size_t rejected;  // Rows it rejects.
  bool fails;       // Whether reading it throws.
};

// A landing zone in a scratch folder holding one committed object per case.
struct LandedObjects {
  explicit LandedObjects(const std::vector<ObjectCase>& cases) {
    LandingBatch batch = zone.Begin("test", "2025-03-01T12:00:00Z");
    for (const ObjectCase& c : cases) {
      LandingEntry entry;
      entry.series = c.series;
      entry.kind = ObjectKind::kSeries;
      entry.vintage_date = Date(2025, 2, 1);
      entries.push_back(batch.Land(entry, c.content).entry);
    }
    batch.Commit();
  }

  ScratchDir dir;
  LocalObjectStore store{dir.path()};
  LandingZone zone{store};
  std::vector<LandingEntry> entries;
};

TEST(ParseAheadTest, DeliversEveryObjectInOrder) {
  // Sizes around the block size (2048 rows) and an empty object.
  const std::vector<ObjectCase> cases = {
      {"EMPTY", "date,value\n", 0, 0, false},
      {"ONE", "date,value\n2024-01-01,1.5\n", 1, 0, false},
      {"BLOCK", SeriesCsv(2048), 2048, 0, false},
      {"LONG", SeriesCsv(5000), 5000, 0, false},
      {"BAD_ROW", "date,value\n2024-01-01,x\n2024-02-01,2\n", 1, 1, false},
      {"NO_HEADER", "2024-01-01,1\n", 0, 0, true},
      {"AFTER", SeriesCsv(3), 3, 0, false},
  };
  LandedObjects landed(cases);
  ParseAhead ahead(landed.zone, landed.entries);
  for (const ObjectCase& c : cases) {
    SCOPED_TRACE(c.series);
    ParsedObjectStream stream(ahead);
    std::vector<ObservationRow> rows;
    ObservationRow row;
    if (c.fails) {
      try {
        while (stream.Next(row)) rows.push_back(row);
        ADD_FAILURE() << "expected an error";
      } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find(c.series), std::string::npos) << error.what();
      }
    } else {
      while (stream.Next(row)) rows.push_back(row);
    }
    ASSERT_EQ(rows.size(), c.rows);
    EXPECT_EQ(stream.rejected().size(), c.rejected);
    for (size_t i = 0; i < rows.size() && c.series != "ONE" && c.series != "BAD_ROW"; ++i) {
      ASSERT_EQ(rows[i].value, static_cast<double>(i)) << "row " << i;
    }
  }
}

TEST(ParseAheadTest, DrainSkipsUnreadRows) {
  const std::vector<ObjectCase> cases = {
      {"FIRST", SeriesCsv(4000), 4000, 0, false},
      {"SECOND", SeriesCsv(2), 2, 0, false},
  };
  LandedObjects landed(cases);
  ParseAhead ahead(landed.zone, landed.entries);
  {
    ParsedObjectStream first(ahead);
    ObservationRow row;
    ASSERT_TRUE(first.Next(row));
    first.Drain();
  }
  ParsedObjectStream second(ahead);
  ObservationRow row;
  int count = 0;
  while (second.Next(row)) ++count;
  EXPECT_EQ(count, 2);
}

TEST(ParseAheadTest, StopsWhenTheReaderGoesAway) {
  // Far more rows than the queue holds: the parser must not wait forever.
  std::vector<ObjectCase> cases;
  for (int i = 0; i < 8; ++i)
    cases.push_back({"S" + std::to_string(i), SeriesCsv(6000), 0, 0, false});
  LandedObjects landed(cases);
  {
    ParseAhead ahead(landed.zone, landed.entries);
    ParsedObjectStream stream(ahead);
    ObservationRow row;
    ASSERT_TRUE(stream.Next(row));
  }
  SUCCEED() << "the destructor joined the parsing thread";
}

}  // namespace
}  // namespace macropipe::testing
