// Thin RAII wrappers over the SQLite C API, turning failures into Error.
// A Database is thread-compatible: one connection per thread, or a lock.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "warehouse/warehouse.h"

namespace macropipe {

class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, std::string_view sql);
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  void Bind(int index, std::string_view text);
  // Binds text without copying it; `text` must stay valid until the next Reset.
  void BindStatic(int index, std::string_view text);
  void Bind(int index, int64_t value);
  void Bind(int index, double value);
  void Bind(int index, const std::optional<double>& value);
  void BindNull(int index);

  // Steps once; returns true while a row is available.
  bool Step();
  // Steps to completion of a statement that returns no rows, then resets it.
  // Bindings stay in place for the next run.
  void Run();
  void Reset();
  // Resets and removes every binding.
  void Clear();

  int64_t Int(int column) const;
  double Double(int column) const;
  bool IsNull(int column) const;
  std::string_view Text(int column) const;
  Cell CellAt(int column) const;
  int ColumnCount() const;
  std::string ColumnName(int column) const;

  sqlite3_stmt* get() { return statement_; }

 private:
  sqlite3* db_;
  sqlite3_stmt* statement_ = nullptr;
};

class SqliteDatabase {
 public:
  // Opens `path`; `read_only` opens without write access at the connection level.
  SqliteDatabase(const std::string& path, bool read_only);
  ~SqliteDatabase();
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  // Runs one or more statements that return no rows.
  void Execute(std::string_view sql);
  // Returns a statement prepared once per connection and reset for reuse.
  // Bindings from an earlier use remain until overwritten.
  SqliteStatement& Cached(const std::string& sql);
  sqlite3* get() { return db_; }
  const std::string& path() const { return path_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
  std::map<std::string, std::unique_ptr<SqliteStatement>> cache_;
};

// Throws Error naming the database and the statement for an SQLite result code.
[[noreturn]] void ThrowSqliteError(sqlite3* db, int code, std::string_view context);

}  // namespace macropipe
