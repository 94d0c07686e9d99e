#include "dag/sqlite_state_store.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "dag/state_store_conformance.h"
#include "test_support.h"
#include "warehouse/sqlite_db.h"

namespace macropipe::dag {
namespace {

TEST(SqliteStateStoreTest, UsesWriteAheadLog) {
  testing::ScratchDir dir;
  SqliteStateStore store(dir / "state.db");
  SqliteDatabase db((dir / "state.db").string(), /*read_only=*/true);
  SqliteStatement mode(db.get(), "PRAGMA journal_mode");
  ASSERT_TRUE(mode.Step());
  EXPECT_EQ(mode.Text(0), "wal");
}

TEST(SqliteStateStoreTest, ParseTimeRejectsOtherForms) {
  const std::string cases[] = {"2024-05-01", "2024-05-01T00:00:00", "2024-13-01T00:00:00Z",
                               "2024-05-01T00:00:00Zjunk"};
  for (const std::string& text : cases) {
    SCOPED_TRACE(text);
    EXPECT_THROW(ParseTime(text), Error);
  }
}

}  // namespace
}  // namespace macropipe::dag

namespace macropipe::testing {
namespace {

using dag::StateStore;

std::unique_ptr<StateStore> OpenInScratch(const std::filesystem::path& scratch) {
  return std::make_unique<dag::SqliteStateStore>(scratch / "state.db");
}

INSTANTIATE_TEST_SUITE_P(
    Sqlite, StateStoreConformanceTest,
    ::testing::Values(StateStoreBackend{"sqlite", OpenInScratch, OpenInScratch}),
    [](const ::testing::TestParamInfo<StateStoreBackend>& info) { return info.param.name; });

}  // namespace
}  // namespace macropipe::testing
