// Thin RAII wrappers over libpq, PostgreSQL's C client, turning failures into
// Error with a code that tells a retry (connection lost, serialization failure,
// deadlock) from a final failure (invalid SQL, missing table, access denied).
//
//   PostgresConnection db({.uri = "postgresql://macropipe@db.internal/macropipe",
//                          .password = password});
//   PostgresResult result = db.Execute("SELECT count(*) FROM series WHERE source = $1",
//                                      {"fred"});
//
// A connection is thread-compatible: one per thread, or a lock around it.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"

namespace macropipe {

// Where a PostgreSQL database is and how to log in. The password is kept apart
// from the URI because the URI comes from the config file, which must never
// hold it.
struct PostgresOptions {
  std::string uri;       // postgresql://user@host:port/dbname?sslmode=...
  std::string password;  // Empty: libpq looks in PGPASSWORD and ~/.pgpass itself.
};

// True for `postgresql://` and `postgres://` URIs.
bool IsPostgresUri(std::string_view location);

// Throws Error(kInvalidInput) when `uri` is not a valid PostgreSQL URI or carries
// a password; `where` names its origin, for example "pipeline.toml line 3".
void ValidatePostgresUri(const std::string& uri, const std::string& where);

// Returns `uri` with any password removed, for messages and logs.
std::string RedactPostgresUri(std::string_view uri);

using PostgresParam = std::optional<std::string>;  // nullopt binds SQL NULL.

// One statement with $1, $2, ... bound to `params` as text.
struct PostgresStatement {
  std::string sql;
  std::vector<PostgresParam> params;
};

class PostgresResult {
 public:
  PostgresResult() = default;
  explicit PostgresResult(PGresult* result) : result_(result, &PQclear) {}

  int Rows() const { return PQntuples(result_.get()); }
  int Columns() const { return PQnfields(result_.get()); }
  std::string ColumnName(int column) const { return PQfname(result_.get(), column); }
  Oid ColumnType(int column) const { return PQftype(result_.get(), column); }
  bool IsNull(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::string_view Text(int row, int column) const;
  int64_t Int(int row, int column) const;
  double Double(int row, int column) const;
  std::optional<double> OptionalDouble(int row, int column) const;
  Date DateAt(int row, int column) const;
  // Rows changed by an INSERT, UPDATE or DELETE.
  int64_t AffectedRows() const;
  PGresult* get() const { return result_.get(); }

 private:
  std::shared_ptr<PGresult> result_;
};

class PostgresConnection {
 public:
  // Connects and sets the session to ISO dates, UTC and UTF-8. Throws
  // Error(kUnavailable) when the server cannot be reached and
  // Error(kUnauthenticated) when it rejects the login.
  explicit PostgresConnection(const PostgresOptions& options);
  ~PostgresConnection();
  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  // Runs one or more statements without parameters.
  PostgresResult Execute(std::string_view sql);
  // Runs one statement with $1, $2, ... bound to `params` as text.
  PostgresResult Execute(const std::string& sql, const std::vector<PostgresParam>& params);
  // Runs `statements` in order in one pipeline, which costs one round trip to
  // the server instead of one each, and returns their results. Throws Error
  // naming the first statement that failed; the server skips the ones after it.
  std::vector<PostgresResult> ExecutePipeline(const std::vector<PostgresStatement>& statements);

  // Throws Error for a failed `result` (or a lost connection when it is null),
  // naming the server's message, its SQLSTATE, the database and `context`.
  [[noreturn]] void ThrowError(const PGresult* result, std::string_view context) const;

  PGconn* get() { return connection_; }
  // The URI without its password, for messages.
  const std::string& location() const { return location_; }

 private:
  PGconn* connection_ = nullptr;
  std::string location_;
};

// A transaction that rolls back unless committed.
class PostgresTransaction {
 public:
  explicit PostgresTransaction(PostgresConnection& db, std::string_view begin = "BEGIN");
  ~PostgresTransaction();
  PostgresTransaction(const PostgresTransaction&) = delete;
  PostgresTransaction& operator=(const PostgresTransaction&) = delete;
  void Commit();
  // Runs `statements` and then COMMIT in one pipeline and returns the results
  // of `statements`.
  std::vector<PostgresResult> CommitAfter(std::vector<PostgresStatement> statements);

 private:
  PostgresConnection& db_;
  bool done_ = false;
};

// Rows sent with COPY ... FROM STDIN in the text format: tab-separated fields,
// \N for NULL. An unfinished copy is aborted on destruction, which fails the
// surrounding transaction.
//
//   PostgresCopy copy(db, "COPY staging (date, value) FROM STDIN");
//   copy.Add(date); copy.Add(value); copy.EndRow();
//   copy.Finish();
class PostgresCopy {
 public:
  PostgresCopy(PostgresConnection& db, const std::string& copy_sql);
  ~PostgresCopy();
  PostgresCopy(const PostgresCopy&) = delete;
  PostgresCopy& operator=(const PostgresCopy&) = delete;

  void Add(std::string_view text);
  void Add(int64_t value);
  void Add(const std::optional<double>& value);
  void Add(Date date);
  void AddNull();
  void EndRow();
  // Sends the rest and ends the copy; returns the number of rows copied.
  int64_t Finish();

 private:
  void Separate();
  void Flush();

  PostgresConnection& db_;
  std::string copy_sql_;
  std::string buffer_;
  bool row_started_ = false;
  bool finished_ = false;
};

}  // namespace macropipe
