#include "warehouse/sqlite_db.h"

#include <unistd.h>

#include <filesystem>

#include "core/error.h"

namespace macropipe {

void ThrowSqliteError(sqlite3* db, int code, std::string_view context) {
  std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  ErrorCode error_code = ErrorCode::kInternal;
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
      error_code = ErrorCode::kUnavailable;
      break;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      error_code = ErrorCode::kPermissionDenied;
      break;
    case SQLITE_CANTOPEN:
      error_code = ErrorCode::kNotFound;
      break;
    case SQLITE_ERROR:
    case SQLITE_MISMATCH:
    case SQLITE_CONSTRAINT:
    case SQLITE_RANGE:
      error_code = ErrorCode::kInvalidInput;
      break;
    default:
      break;
  }
  throw Error(error_code, "SQLite: " + message + " (in " + std::string(context) + ")");
}

SqliteStatement::SqliteStatement(sqlite3* db, std::string_view sql) : db_(db) {
  const char* tail = nullptr;
  int code = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &statement_, &tail);
  if (code != SQLITE_OK) ThrowSqliteError(db, code, sql);
  if (tail != nullptr) {
    std::string_view rest(tail, static_cast<size_t>(sql.data() + sql.size() - tail));
    if (rest.find_first_not_of(" \t\r\n;") != std::string_view::npos) {
      sqlite3_finalize(statement_);
      statement_ = nullptr;
      throw Error(ErrorCode::kInvalidInput,
                  "only one SQL statement may be run at a time; remove the text after the first "
                  "';'");
    }
  }
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(statement_); }

void SqliteStatement::Bind(int index, std::string_view text) {
  sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()),
                    SQLITE_TRANSIENT);
}
void SqliteStatement::BindStatic(int index, std::string_view text) {
  sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}
void SqliteStatement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(statement_, index, value);
}
void SqliteStatement::Bind(int index, double value) {
  sqlite3_bind_double(statement_, index, value);
}
void SqliteStatement::Bind(int index, const std::optional<double>& value) {
  if (value) {
    Bind(index, *value);
  } else {
    BindNull(index);
  }
}
void SqliteStatement::BindNull(int index) { sqlite3_bind_null(statement_, index); }

bool SqliteStatement::Step() {
  int code = sqlite3_step(statement_);
  if (code == SQLITE_ROW) return true;
  if (code == SQLITE_DONE) return false;
  std::string sql = sqlite3_sql(statement_) != nullptr ? sqlite3_sql(statement_) : "";
  sqlite3_reset(statement_);
  ThrowSqliteError(db_, code, sql);
}

void SqliteStatement::Run() {
  while (Step()) {
  }
  Reset();
}

void SqliteStatement::Reset() { sqlite3_reset(statement_); }

void SqliteStatement::Clear() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

int64_t SqliteStatement::Int(int column) const { return sqlite3_column_int64(statement_, column); }
double SqliteStatement::Double(int column) const {
  return sqlite3_column_double(statement_, column);
}
bool SqliteStatement::IsNull(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}
std::string_view SqliteStatement::Text(int column) const {
  auto text = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
  if (text == nullptr) return {};
  return std::string_view(text, static_cast<size_t>(sqlite3_column_bytes(statement_, column)));
}

Cell SqliteStatement::CellAt(int column) const {
  switch (sqlite3_column_type(statement_, column)) {
    case SQLITE_INTEGER:
      return Int(column);
    case SQLITE_FLOAT:
      return Double(column);
    case SQLITE_NULL:
      return std::monostate{};
    default:
      return std::string(Text(column));
  }
}

int SqliteStatement::ColumnCount() const { return sqlite3_column_count(statement_); }
std::string SqliteStatement::ColumnName(int column) const {
  return sqlite3_column_name(statement_, column);
}

SqliteDatabase::SqliteDatabase(const std::string& path, bool read_only) : path_(path) {
  int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  flags |= SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
  // A reader of a WAL database needs its shared-memory file, which SQLite
  // cannot create in a folder it may not write; such a database is opened as
  // immutable instead.
  std::string folder = std::filesystem::path(path).parent_path().string();
  bool immutable = read_only && ::access(folder.empty() ? "." : folder.c_str(), W_OK) != 0;
  std::string name = path;
  if (immutable) {
    name = "file:";
    for (char c : path) {
      if (c == '%' || c == '?' || c == '#') {
        char escaped[4];
        std::snprintf(escaped, sizeof escaped, "%%%02X", static_cast<unsigned char>(c));
        name += escaped;
      } else {
        name += c;
      }
    }
    name += "?immutable=1";
  }
  int code = sqlite3_open_v2(name.c_str(), &db_, flags, nullptr);
  if (code != SQLITE_OK) {
    std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(code);
    sqlite3_close(db_);
    db_ = nullptr;
    ErrorCode error_code = read_only ? ErrorCode::kNotFound : ErrorCode::kPermissionDenied;
    throw Error(error_code, "could not open the warehouse " + path + ": " + message +
                                (read_only ? "; run `macropipe run` or `macropipe load` first"
                                           : "; check that the data directory is writable"));
  }
  sqlite3_busy_timeout(db_, 30000);
}

SqliteDatabase::~SqliteDatabase() {
  cache_.clear();
  sqlite3_close_v2(db_);
}

SqliteStatement& SqliteDatabase::Cached(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    it = cache_.emplace(sql, std::make_unique<SqliteStatement>(db_, sql)).first;
  }
  it->second->Reset();
  return *it->second;
}

void SqliteDatabase::Execute(std::string_view sql) {
  char* message = nullptr;
  int code = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &message);
  if (code != SQLITE_OK) {
    std::string text = message != nullptr ? message : sqlite3_errstr(code);
    sqlite3_free(message);
    ThrowSqliteError(db_, code, sql.substr(0, 200));
  }
}

}  // namespace macropipe
