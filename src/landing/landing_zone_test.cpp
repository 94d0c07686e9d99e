#include "landing/landing_zone.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "landing/local_object_store.h"
#include "test_support.h"

namespace macropipe::testing {
namespace {

LandingEntry SeriesEntry(const std::string& series) {
  LandingEntry entry;
  entry.series = series;
  entry.kind = ObjectKind::kSeries;
  entry.request_url = "https://api.example.org/obs?series_id=" + series + "&api_key=SECRET123";
  entry.http_status = 200;
  entry.vintage_date = Date(2025, 2, 1);
  SeriesInfo info;
  info.title = "Title of " + series;
  info.transform_code = 5;
  entry.series_info = info;
  return entry;
}

TEST(LandingZoneTest, CommitMakesVersionsVisible) {
  ScratchDir dir;
  LocalObjectStore store(dir.path());
  LandingZone zone(store);
  LandingBatch batch = zone.Begin("fred-md", "2025-03-01T12:00:00Z");
  LandResult result = batch.Land(SeriesEntry("S&P 500"), "date,value\n2025-01-01,1\n");
  EXPECT_TRUE(result.created);
  EXPECT_EQ(result.entry.object.key, "fred-md/series/S%26P%20500-20250301.csv");
  EXPECT_TRUE(zone.Entries().empty()) << "nothing is visible before Commit";

  batch.Commit();
  LandingZone reopened(store);
  std::vector<LandingEntry> entries = reopened.Entries("fred-md");
  ASSERT_EQ(entries.size(), 1u);
  const LandingEntry& entry = entries[0];
  EXPECT_EQ(entry.source, "fred-md");
  EXPECT_EQ(entry.series, "S&P 500");
  EXPECT_EQ(entry.fetched_at, "2025-03-01T12:00:00Z");
  EXPECT_EQ(entry.http_status, 200);
  EXPECT_EQ(entry.vintage_date->ToIso(), "2025-02-01");
  EXPECT_EQ(entry.object.size, 24u);
  EXPECT_EQ(entry.object.sha256.size(), 64u);
  ASSERT_TRUE(entry.series_info.has_value());
  EXPECT_EQ(entry.series_info->title, "Title of S&P 500");
  EXPECT_EQ(entry.series_info->transform_code, 5);
}

TEST(LandingZoneTest, ManifestNeverHoldsKeys) {
  ScratchDir dir;
  LocalObjectStore store(dir.path());
  LandingZone zone(store);
  LandingBatch batch = zone.Begin("fred", "2025-03-01T12:00:00Z");
  batch.Land(SeriesEntry("GDP"), "date,value\n");
  batch.Commit();
  for (const ObjectVersion& object : store.List("fred/manifest/")) {
    std::string text = store.Get(object.key);
    EXPECT_EQ(text.find("SECRET123"), std::string::npos) << text;
    EXPECT_NE(text.find("api_key=REDACTED"), std::string::npos) << text;
  }
}

TEST(LandingZoneTest, IdenticalContentIsLandedOnce) {
  ScratchDir dir;
  LocalObjectStore store(dir.path());
  LandingZone zone(store);
  LandingBatch first = zone.Begin("fred-md", "2025-03-01T12:00:00Z");
  first.Land(SeriesEntry("A"), "date,value\n2025-01-01,1\n");
  first.Commit();

  // A day later the same bytes arrive under a new fetch date.
  LandingBatch second = zone.Begin("fred-md", "2025-03-02T12:00:00Z");
  LandResult again = second.Land(SeriesEntry("A"), "date,value\n2025-01-01,1\n");
  second.Commit();
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.entry.object.key, "fred-md/series/A-20250301.csv");
  EXPECT_EQ(zone.Entries().size(), 1u);
  EXPECT_EQ(store.List("fred-md/series/").size(), 1u);
  EXPECT_EQ(store.List("fred-md/manifest/").size(), 1u);

  LandingBatch third = zone.Begin("fred-md", "2025-03-02T13:00:00Z");
  LandResult changed = third.Land(SeriesEntry("A"), "date,value\n2025-01-01,2\n");
  third.Commit();
  EXPECT_TRUE(changed.created);
  EXPECT_EQ(changed.entry.object.key, "fred-md/series/A-20250302.csv");
  EXPECT_EQ(zone.Entries().size(), 2u);
  EXPECT_EQ(zone.Latest("fred-md", "A", ObjectKind::kSeries)->object.key,
            "fred-md/series/A-20250302.csv");
}

TEST(LandingZoneTest, SameDayChangeBecomesNewVersionOfSameName) {
  ScratchDir dir;
  LocalObjectStore store(dir.path());
  LandingZone zone(store);
  for (const char* value : {"1", "2"}) {
    LandingBatch batch = zone.Begin("fred-md", "2025-03-01T12:00:00Z");
    batch.Land(SeriesEntry("A"), std::string("date,value\n2025-01-01,") + value + "\n");
    batch.Commit();
  }
  EXPECT_EQ(store.ListVersions("fred-md/series/A-20250301.csv").size(), 2u);
  std::vector<LandingEntry> entries = zone.Entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_NE(entries[0].object.version_id, entries[1].object.version_id);
}

TEST(LandingZoneTest, UncommittedBatchIsInvisible) {
  ScratchDir dir;
  LocalObjectStore store(dir.path());
  {
    LandingZone zone(store);
    LandingBatch batch = zone.Begin("fred-md", "2025-03-01T12:00:00Z");
    batch.Land(SeriesEntry("A"), "date,value\n2025-01-01,1\n");
    // Dropped without Commit, as when the process dies mid-fetch.
  }
  LandingZone zone(store);
  EXPECT_TRUE(zone.Entries().empty());
  LandingBatch retry = zone.Begin("fred-md", "2025-03-01T12:05:00Z");
  LandResult result = retry.Land(SeriesEntry("A"), "date,value\n2025-01-01,1\n");
  retry.Commit();
  EXPECT_TRUE(result.created) << "a stray object does not count as landed";
  EXPECT_EQ(zone.Entries().size(), 1u);
}

TEST(LandingZoneTest, CorruptManifestLineIsReported) {
  ScratchDir dir;
  LocalObjectStore store(dir.path());
  store.Put("fred-md/manifest/20250301T120000Z-1.jsonl", "{not json}\n");
  LandingZone zone(store);
  try {
    zone.Entries();
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
    EXPECT_NE(std::string(error.what()).find("fred-md/manifest/20250301T120000Z-1.jsonl"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace macropipe::testing
