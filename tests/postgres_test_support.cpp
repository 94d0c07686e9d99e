#include "postgres_test_support.h"

#include <unistd.h>

#include <cstdlib>
#include <random>

namespace macropipe::testing {
namespace {

// Replaces the database name (the URI's path) of `uri` with `database`.
std::string WithDatabase(const std::string& uri, const std::string& database) {
  size_t authority = uri.find("://") + 3;
  size_t path = uri.find_first_of("/?", authority);
  if (path == std::string::npos) return uri + "/" + database;
  size_t query = uri.find('?', path);
  std::string rest = query == std::string::npos ? "" : uri.substr(query);
  return uri.substr(0, path) + "/" + database + rest;
}

}  // namespace

std::optional<std::string> TestPostgresUri() {
  const char* uri = std::getenv("MACROPIPE_TEST_POSTGRES_URI");
  if (uri == nullptr || *uri == '\0') return std::nullopt;
  return std::string(uri);
}

std::string PostgresServerMissing() {
  return "no PostgreSQL server for this test: set MACROPIPE_TEST_POSTGRES_URI to the URI of a "
         "server where the user may create databases (scripts/test.sh starts a throwaway one)";
}

PostgresTestDatabase::PostgresTestDatabase() {
  std::random_device random;
  name_ = "macropipe_test_" + std::to_string(::getpid()) + "_" + std::to_string(random());
  PostgresConnection admin({*TestPostgresUri(), ""});
  admin.Execute("CREATE DATABASE " + name_);
  uri_ = WithDatabase(*TestPostgresUri(), name_);
}

PostgresTestDatabase::~PostgresTestDatabase() {
  try {
    PostgresConnection admin({*TestPostgresUri(), ""});
    admin.Execute("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception&) {
    // The server is throwaway: a database left behind goes with it.
  }
}

}  // namespace macropipe::testing
