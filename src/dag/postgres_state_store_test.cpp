#include "dag/postgres_state_store.h"

#include <gtest/gtest.h>

#include <map>

#include "dag/state_store_conformance.h"
#include "postgres_test_support.h"

namespace macropipe::testing {
namespace {

using dag::StateStore;

// The database of each test, by its scratch folder, so that a second store of
// the test opens the same one; dropped when the test program exits.
std::map<std::filesystem::path, std::unique_ptr<PostgresTestDatabase>>& Databases() {
  static std::map<std::filesystem::path, std::unique_ptr<PostgresTestDatabase>> databases;
  return databases;
}

void SkipWithoutServer() { GTEST_SKIP() << PostgresServerMissing(); }

std::unique_ptr<StateStore> OpenInDatabase(const std::filesystem::path& scratch) {
  if (!TestPostgresUri()) {
    SkipWithoutServer();
    return nullptr;
  }
  std::unique_ptr<PostgresTestDatabase>& database = Databases()[scratch];
  if (!database) database = std::make_unique<PostgresTestDatabase>();
  return std::make_unique<dag::PostgresStateStore>(database->options());
}

INSTANTIATE_TEST_SUITE_P(
    Postgres, StateStoreConformanceTest,
    ::testing::Values(StateStoreBackend{"postgres", OpenInDatabase, OpenInDatabase}),
    [](const ::testing::TestParamInfo<StateStoreBackend>& info) { return info.param.name; });

}  // namespace
}  // namespace macropipe::testing
