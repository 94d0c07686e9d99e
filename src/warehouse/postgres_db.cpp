#include "warehouse/postgres_db.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "core/error.h"
#include "core/url.h"

namespace macropipe {
namespace {

// Sends what the COPY buffer holds once it reaches this size.
constexpr size_t kCopyChunkBytes = 1 << 20;

// Maps an SQLSTATE to the project's error codes. Classes 08 (connection),
// 53 (resources), 57 (operator intervention) and 40 (serialization failure,
// deadlock) clear on a retry; classes 22, 23 and 42 are faults of the statement
// or its data.
ErrorCode CodeForSqlState(std::string_view state) {
  std::string_view kind = state.substr(0, 2);
  if (state == "25006" || state == "42501") return ErrorCode::kPermissionDenied;
  if (kind == "08" || kind == "40" || kind == "53" || kind == "57") return ErrorCode::kUnavailable;
  if (kind == "28") return ErrorCode::kUnauthenticated;
  if (kind == "22" || kind == "23" || kind == "42") return ErrorCode::kInvalidInput;
  if (state == "3D000") return ErrorCode::kNotFound;  // The database does not exist.
  return ErrorCode::kInternal;
}

std::string Shorten(std::string_view text) {
  constexpr size_t kLimit = 160;
  if (text.size() <= kLimit) return std::string(text);
  return std::string(text.substr(0, kLimit)) + "...";
}

std::string TrimLineEnds(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

void LogNotice(void*, const char* message) {
  spdlog::debug("PostgreSQL: {}", TrimLineEnds(message));
}

}  // namespace

bool IsPostgresUri(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

void ValidatePostgresUri(const std::string& uri, const std::string& where) {
  if (!IsPostgresUri(uri)) {
    throw Error(ErrorCode::kInvalidInput, "invalid PostgreSQL URI at " + where +
                                              ": it must start with postgresql://, for example "
                                              "postgresql://macropipe@db.internal:5432/macropipe");
  }
  char* message = nullptr;
  PQconninfoOption* options = PQconninfoParse(uri.c_str(), &message);
  if (options == nullptr) {
    std::string reason = message != nullptr ? TrimLineEnds(message) : "out of memory";
    PQfreemem(message);
    throw Error(ErrorCode::kInvalidInput, "invalid PostgreSQL URI " + RedactPostgresUri(uri) +
                                              " at " + where + ": " + reason);
  }
  bool has_password = false;
  for (PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    if (std::string_view(option->keyword) == "password" && option->val != nullptr &&
        option->val[0] != '\0') {
      has_password = true;
    }
  }
  PQconninfoFree(options);
  if (has_password) {
    throw Error(ErrorCode::kInvalidInput,
                "the PostgreSQL URI at " + where +
                    " contains a password; remove it from the config and set PGPASSWORD in the "
                    "environment or store it with `macropipe secrets set PGPASSWORD`");
  }
}

std::string RedactPostgresUri(std::string_view uri) {
  // RedactUrl drops the whole user information; put the user name back.
  std::string redacted = RedactUrl(uri);
  size_t scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) return redacted;
  size_t authority = scheme_end + 3;
  size_t authority_end = uri.find_first_of("/?#", authority);
  if (authority_end == std::string_view::npos) authority_end = uri.size();
  size_t at = uri.rfind('@', authority_end);
  if (at == std::string_view::npos || at < authority) return redacted;
  std::string_view user = uri.substr(authority, at - authority);
  user = user.substr(0, user.find(':'));
  if (user.empty()) return redacted;
  return redacted.insert(authority, std::string(user) + "@");
}

std::string_view PostgresResult::Text(int row, int column) const {
  return std::string_view(PQgetvalue(result_.get(), row, column),
                          static_cast<size_t>(PQgetlength(result_.get(), row, column)));
}

int64_t PostgresResult::Int(int row, int column) const {
  std::string_view text = Text(row, column);
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw Error(ErrorCode::kInternal, "PostgreSQL returned '" + std::string(text) +
                                          "' where an integer was expected in column " +
                                          PQfname(result_.get(), column));
  }
  return value;
}

double PostgresResult::Double(int row, int column) const {
  // The text is NUL-terminated; strtod also reads Infinity and NaN as PostgreSQL writes them.
  const char* text = PQgetvalue(result_.get(), row, column);
  char* end = nullptr;
  double value = std::strtod(text, &end);
  if (end == text || *end != '\0') {
    throw Error(ErrorCode::kInternal, "PostgreSQL returned '" + std::string(text) +
                                          "' where a number was expected in column " +
                                          PQfname(result_.get(), column));
  }
  return value;
}

std::optional<double> PostgresResult::OptionalDouble(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Double(row, column);
}

Date PostgresResult::DateAt(int row, int column) const {
  return Date::ParseIso(Text(row, column), PQfname(result_.get(), column));
}

int64_t PostgresResult::AffectedRows() const {
  const char* count = PQcmdTuples(result_.get());
  return count[0] == '\0' ? 0 : std::strtoll(count, nullptr, 10);
}

PostgresConnection::PostgresConnection(const PostgresOptions& options)
    : location_(RedactPostgresUri(options.uri)) {
  // libpq applies keywords in order and the URI's own settings replace the
  // ones before it, so these two are defaults that the URI may override.
  std::vector<const char*> keywords = {"connect_timeout", "fallback_application_name", "dbname"};
  std::vector<const char*> values = {"10", "macropipe", options.uri.c_str()};
  if (!options.password.empty()) {
    keywords.push_back("password");
    values.push_back(options.password.c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  connection_ = PQconnectdbParams(keywords.data(), values.data(), /*expand_dbname=*/1);
  if (connection_ == nullptr) {
    throw Error(ErrorCode::kUnavailable, "out of memory connecting to PostgreSQL " + location_);
  }
  if (PQstatus(connection_) != CONNECTION_OK) {
    std::string reason = TrimLineEnds(PQerrorMessage(connection_));
    PQfinish(connection_);
    connection_ = nullptr;
    bool login = reason.find("password") != std::string::npos ||
                 reason.find("authentication") != std::string::npos;
    throw Error(login ? ErrorCode::kUnauthenticated : ErrorCode::kUnavailable,
                "cannot connect to PostgreSQL " + location_ + ": " + reason +
                    (login ? "; set PGPASSWORD or store it with `macropipe secrets set PGPASSWORD`"
                           : "; check that the server runs and the URI's host and port"));
  }
  PQsetNoticeProcessor(connection_, LogNotice, nullptr);
  Execute(
      "SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; SET client_encoding = 'UTF8'; "
      "SET extra_float_digits = 1");
}

PostgresConnection::~PostgresConnection() {
  if (connection_ != nullptr) PQfinish(connection_);
}

void PostgresConnection::ThrowError(const PGresult* result, std::string_view context) const {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary =
      result != nullptr ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  const char* hint = result != nullptr ? PQresultErrorField(result, PG_DIAG_MESSAGE_HINT) : nullptr;
  std::string message = primary != nullptr ? primary : TrimLineEnds(PQerrorMessage(connection_));
  ErrorCode code = state != nullptr ? CodeForSqlState(state) : ErrorCode::kUnavailable;
  if (PQstatus(connection_) == CONNECTION_BAD) code = ErrorCode::kUnavailable;
  std::string text = "PostgreSQL " + location_ + ": " + message;
  if (state != nullptr) text += " (SQLSTATE " + std::string(state) + ")";
  if (hint != nullptr) text += "; " + std::string(hint);
  text += " in: " + Shorten(context);
  throw Error(code, text);
}

PostgresResult PostgresConnection::Execute(std::string_view sql) {
  PostgresResult result(PQexec(connection_, std::string(sql).c_str()));
  ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) ThrowError(result.get(), sql);
  return result;
}

PostgresResult PostgresConnection::Execute(const std::string& sql,
                                           const std::vector<PostgresParam>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const PostgresParam& param : params) values.push_back(param ? param->c_str() : nullptr);
  PostgresResult result(PQexecParams(connection_, sql.c_str(), static_cast<int>(values.size()),
                                     nullptr, values.data(), nullptr, nullptr, 0));
  ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) ThrowError(result.get(), sql);
  return result;
}

std::vector<PostgresResult> PostgresConnection::ExecutePipeline(
    const std::vector<PostgresStatement>& statements) {
  if (PQenterPipelineMode(connection_) != 1) ThrowError(nullptr, "entering pipeline mode");
  for (const PostgresStatement& statement : statements) {
    std::vector<const char*> values;
    values.reserve(statement.params.size());
    for (const PostgresParam& param : statement.params) {
      values.push_back(param ? param->c_str() : nullptr);
    }
    if (PQsendQueryParams(connection_, statement.sql.c_str(), static_cast<int>(values.size()),
                          nullptr, values.data(), nullptr, nullptr, 0) != 1) {
      ThrowError(nullptr, statement.sql);
    }
  }
  if (PQpipelineSync(connection_) != 1) ThrowError(nullptr, "sending a pipeline");

  // Every statement's results end with a null result, and the sync's result
  // ends the pipeline. All of them are read, even after a failure, because
  // the connection leaves pipeline mode only once nothing is pending.
  std::vector<PostgresResult> results;
  std::optional<size_t> failed;
  while (true) {
    PGresult* raw = PQgetResult(connection_);
    if (raw == nullptr) {
      if (PQstatus(connection_) == CONNECTION_BAD) ThrowError(nullptr, "reading a pipeline");
      continue;
    }
    PostgresResult result(raw);
    ExecStatusType status = PQresultStatus(raw);
    if (status == PGRES_PIPELINE_SYNC) break;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && !failed) {
      failed = results.size();
    }
    results.push_back(std::move(result));
  }
  if (PQexitPipelineMode(connection_) != 1) ThrowError(nullptr, "leaving pipeline mode");
  if (failed) {
    size_t at = std::min(*failed, statements.size() - 1);
    ThrowError(results[*failed].get(), statements[at].sql);
  }
  return results;
}

PostgresTransaction::PostgresTransaction(PostgresConnection& db, std::string_view begin) : db_(db) {
  db_.Execute(begin);
}

PostgresTransaction::~PostgresTransaction() {
  if (done_) return;
  // A failed ROLLBACK means the connection is gone, which ends the transaction too.
  PQclear(PQexec(db_.get(), "ROLLBACK"));
}

void PostgresTransaction::Commit() {
  done_ = true;
  db_.Execute("COMMIT");
}

std::vector<PostgresResult> PostgresTransaction::CommitAfter(
    std::vector<PostgresStatement> statements) {
  statements.push_back({"COMMIT", {}});
  // A COMMIT that the server skips after a failed statement leaves the
  // transaction open, and the destructor then rolls it back.
  std::vector<PostgresResult> results = db_.ExecutePipeline(statements);
  done_ = true;
  results.pop_back();
  return results;
}

PostgresCopy::PostgresCopy(PostgresConnection& db, const std::string& copy_sql)
    : db_(db), copy_sql_(copy_sql) {
  PostgresResult result(PQexec(db_.get(), copy_sql.c_str()));
  if (PQresultStatus(result.get()) != PGRES_COPY_IN) db_.ThrowError(result.get(), copy_sql);
  buffer_.reserve(kCopyChunkBytes + 4096);
}

PostgresCopy::~PostgresCopy() {
  if (finished_) return;
  PQputCopyEnd(db_.get(), "the client stopped the copy after an error");
  while (PGresult* result = PQgetResult(db_.get())) PQclear(result);
}

void PostgresCopy::Separate() {
  if (row_started_) buffer_.push_back('\t');
  row_started_ = true;
}

void PostgresCopy::Add(std::string_view text) {
  Separate();
  for (char c : text) {
    switch (c) {
      case '\\':
        buffer_ += "\\\\";
        break;
      case '\t':
        buffer_ += "\\t";
        break;
      case '\n':
        buffer_ += "\\n";
        break;
      case '\r':
        buffer_ += "\\r";
        break;
      default:
        buffer_.push_back(c);
    }
  }
}

void PostgresCopy::Add(int64_t value) {
  Separate();
  char digits[24];
  auto [end, error] = std::to_chars(digits, digits + sizeof digits, value);
  buffer_.append(digits, end);
}

void PostgresCopy::Add(const std::optional<double>& value) {
  if (!value) {
    AddNull();
    return;
  }
  Separate();
  // The shortest text that reads back as the same double; PostgreSQL reads
  // "inf", "-inf" and "nan" as well.
  char digits[32];
  auto [end, error] = std::to_chars(digits, digits + sizeof digits, *value);
  buffer_.append(digits, end);
}

void PostgresCopy::Add(Date date) {
  Separate();
  buffer_ += date.ToIso();
}

void PostgresCopy::AddNull() {
  Separate();
  buffer_ += "\\N";
}

void PostgresCopy::EndRow() {
  buffer_.push_back('\n');
  row_started_ = false;
  if (buffer_.size() >= kCopyChunkBytes) Flush();
}

void PostgresCopy::Flush() {
  if (buffer_.empty()) return;
  if (PQputCopyData(db_.get(), buffer_.data(), static_cast<int>(buffer_.size())) != 1) {
    db_.ThrowError(nullptr, copy_sql_);
  }
  buffer_.clear();
}

int64_t PostgresCopy::Finish() {
  Flush();
  finished_ = true;
  if (PQputCopyEnd(db_.get(), nullptr) != 1) db_.ThrowError(nullptr, copy_sql_);
  PostgresResult result(PQgetResult(db_.get()));
  while (PGresult* extra = PQgetResult(db_.get())) PQclear(extra);
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) db_.ThrowError(result.get(), copy_sql_);
  return result.AffectedRows();
}

}  // namespace macropipe
