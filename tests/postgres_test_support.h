// The PostgreSQL server of the tests. scripts/test.sh starts a throwaway one
// and names it in MACROPIPE_TEST_POSTGRES_URI; tests that need a server skip
// with PostgresServerMissing() when the variable is unset.
//
//   if (!TestPostgresUri()) GTEST_SKIP() << PostgresServerMissing();
//   PostgresTestDatabase database;
//   auto warehouse = OpenPostgresWarehouse(database.options());
#pragma once

#include <optional>
#include <string>

#include "warehouse/postgres_db.h"

namespace macropipe::testing {

// The URI of the test server's maintenance database, or nullopt when unset.
// Its password, if the server wants one, comes from PGPASSWORD.
std::optional<std::string> TestPostgresUri();
std::string PostgresServerMissing();

// A new, empty database on the test server, dropped (with its connections
// ended) on destruction. Needs TestPostgresUri().
class PostgresTestDatabase {
 public:
  PostgresTestDatabase();
  ~PostgresTestDatabase();
  PostgresTestDatabase(const PostgresTestDatabase&) = delete;
  PostgresTestDatabase& operator=(const PostgresTestDatabase&) = delete;

  const std::string& uri() const { return uri_; }
  PostgresOptions options() const { return {uri_, ""}; }

 private:
  std::string name_;
  std::string uri_;
};

}  // namespace macropipe::testing
