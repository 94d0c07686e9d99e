// The SQLite warehouse. Dates are stored as ISO 8601 text, which sorts in date
// order, represents any year from 0000 to 9999 and reads well in SQL.
#include <algorithm>
#include <chrono>
#include <mutex>
#include <unordered_map>

#include "core/error.h"
#include "warehouse/backtest_tables.h"
#include "warehouse/schema.h"
#include "warehouse/sqlite_db.h"
#include "warehouse/warehouse.h"

namespace macropipe {
namespace {

// One stored row of a period, in the form the load algorithm uses.
struct Interval {
  Date start;
  Date end;
  std::optional<double> value;
};

using PeriodHistory = std::unordered_map<int32_t, std::vector<Interval>>;

int32_t DayNumber(Date date) {
  return static_cast<int32_t>(date.days().time_since_epoch().count());
}

// Formats a date into a caller's buffer of at least 10 bytes, avoiding an
// allocation per row on the load path.
std::string_view FormatIso(Date date, char* buffer) {
  auto write = [](char* out, unsigned value, int width) {
    for (int i = width - 1; i >= 0; --i) {
      out[i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  write(buffer, static_cast<unsigned>(date.year()), 4);
  buffer[4] = '-';
  write(buffer + 5, date.month(), 2);
  buffer[7] = '-';
  write(buffer + 8, date.day(), 2);
  return std::string_view(buffer, 10);
}

class Transaction {
 public:
  explicit Transaction(SqliteDatabase& db) : db_(db) { db_.Execute("BEGIN IMMEDIATE"); }
  ~Transaction() {
    if (!done_) sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
  void Commit() {
    db_.Execute("COMMIT");
    done_ = true;
  }

 private:
  SqliteDatabase& db_;
  bool done_ = false;
};

// Denies statements that would reach outside the warehouse file or change
// connection settings, on top of the read-only connection.
int ReadOnlyAuthorizer(void*, int action, const char* first, const char* second, const char*,
                       const char*) {
  switch (action) {
    case SQLITE_ATTACH:
    case SQLITE_DETACH:
      return SQLITE_DENY;
    case SQLITE_PRAGMA:
      // A pragma with an argument sets something; reading a pragma is allowed.
      return second != nullptr ? SQLITE_DENY : SQLITE_OK;
    case SQLITE_FUNCTION:
      return first != nullptr &&
                     std::string_view(second != nullptr ? second : "") == "load_extension"
                 ? SQLITE_DENY
                 : SQLITE_OK;
    default:
      return SQLITE_OK;
  }
}

// Steps `sql` to the end of the page that `limits` asks for.
QueryResult ReadRows(SqliteDatabase& reader, const std::string& sql, const QueryLimits& limits) {
  SqliteStatement statement(reader.get(), sql);
  QueryResult result;
  for (int i = 0; i < statement.ColumnCount(); ++i) {
    result.columns.push_back(statement.ColumnName(i));
  }
  int64_t skipped = 0;
  while (statement.Step()) {
    if (skipped < limits.offset) {
      ++skipped;
      continue;
    }
    if (static_cast<int64_t>(result.rows.size()) >= limits.max_rows) {
      result.truncated = true;
      break;
    }
    std::vector<Cell> row;
    row.reserve(result.columns.size());
    for (int i = 0; i < statement.ColumnCount(); ++i) row.push_back(statement.CellAt(i));
    result.rows.push_back(std::move(row));
  }
  return result;
}

class SqliteWarehouse : public Warehouse {
 public:
  SqliteWarehouse(const std::string& path, bool read_only)
      : path_(path), read_only_(read_only), db_(path, read_only) {
    // A read-only warehouse may live on read-only storage: change nothing there.
    if (read_only) return;
    db_.Execute(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;");
    db_.Execute(kSqliteSchema);
  }

  LoadResult Load(const LoadRequest& request, ObservationStream& rows) override;
  bool IsLoaded(const std::string& object_key, const std::string& object_version,
                Date vintage_date) override;
  using Warehouse::Query;
  QueryResult Query(const std::string& sql, const QueryLimits& limits) override;
  std::vector<SeriesInfo> ListSeries() override;
  std::vector<SeriesInfo> FindSeries(const std::string& id, const std::string& source) override;
  std::vector<StoredObservation> Observations(const SeriesInfo& series,
                                              std::optional<Date> as_of) override;
  int64_t StoreForecast(const ForecastRecord& record) override;
  std::optional<ForecastRecord> ReadForecast(int64_t run_id) override;
  int64_t StoreBacktest(const BacktestRecord& record) override;
  std::optional<BacktestRecord> ReadBacktest(int64_t run_id) override;
  std::string Location() const override { return "sqlite://" + path_; }

 private:
  void RequireWritable(const char* operation) const;
  void InsertForecastRows(const ForecastRecord& record, int64_t run_id);
  int64_t UpsertSeries(const SeriesInfo& series, Date vintage);
  int64_t InsertBatch(const LoadRequest& request, int64_t series_key);
  PeriodHistory ReadHistory(int64_t series_key);
  std::vector<SeriesInfo> ReadSeries(SqliteStatement& statement);

  std::string path_;
  bool read_only_;
  std::mutex mutex_;
  SqliteDatabase db_;
};

// Applies rows to one series inside an open transaction.
class SeriesLoader {
 public:
  SeriesLoader(SqliteDatabase& db, int64_t series_key, int64_t batch_id, Date vintage,
               PeriodHistory history)
      : series_key_(series_key),
        batch_id_(batch_id),
        vintage_(vintage),
        history_(std::move(history)),
        insert_one_(db.Cached(InsertSql(1))),
        insert_chunk_(db.Cached(InsertSql(kInsertChunk))),
        set_end_(db.Cached(
            "UPDATE observations SET realtime_end = ?4 WHERE series_key = ?1 AND date = ?2 "
            "AND realtime_start = ?3")),
        set_value_(db.Cached("UPDATE observations SET value = ?4, realtime_end = ?5, batch_id = ?6 "
                             "WHERE series_key = ?1 AND date = ?2 AND realtime_start = ?3")),
        set_start_(db.Cached("UPDATE observations SET realtime_start = ?4, batch_id = ?5 "
                             "WHERE series_key = ?1 AND date = ?2 AND realtime_start = ?3")) {}

  void Apply(const ObservationRow& row, LoadCounts& counts) {
    if (row.realtime_start) {
      ApplyRealtime(row, counts);
    } else {
      ApplySnapshot(row, counts);
    }
  }

  // Writes the rows still waiting for a full chunk.
  void Finish() { Flush(); }

 private:
  // A row from a vintage snapshot: its value was known from the vintage date on.
  void ApplySnapshot(const ObservationRow& row, LoadCounts& counts) {
    auto found = history_.find(DayNumber(row.period));
    if (found == history_.end() || found->second.empty()) {
      if (!row.value) return;  // Empty and never seen: nothing to record.
      // Periods are unique within one load (a repeat violates the primary key),
      // so the new row need not enter the history.
      Insert(row.period, vintage_, Date::Max(), row.value);
      ++counts.inserted;
      return;
    }
    std::vector<Interval>& intervals = found->second;
    if (!row.value) {
      ++counts.kept;
      return;
    }
    auto covering = std::find_if(intervals.begin(), intervals.end(), [&](const Interval& i) {
      return i.start <= vintage_ && vintage_ <= i.end;
    });
    if (covering != intervals.end()) {
      if (covering->value == row.value) {
        ++counts.unchanged;
      } else if (covering->start == vintage_) {
        // The same vintage landed again with a different value: correct it.
        SetValue(row.period, covering->start, covering->end, row.value);
        covering->value = row.value;
        ++counts.revised;
      } else {
        Interval next{vintage_, covering->end, row.value};
        SetEnd(row.period, covering->start, vintage_.AddDays(-1));
        covering->end = vintage_.AddDays(-1);
        Insert(row.period, next.start, next.end, next.value);
        intervals.push_back(next);
        ++counts.revised;
      }
      return;
    }
    // The vintage lies outside every stored row: before the first known value
    // (an older vintage loaded late) or after a row that was closed.
    auto later = std::find_if(intervals.begin(), intervals.end(),
                              [&](const Interval& i) { return i.start > vintage_; });
    if (later == intervals.end()) {
      Insert(row.period, vintage_, Date::Max(), row.value);
      intervals.push_back({vintage_, Date::Max(), row.value});
    } else if (later->value == row.value) {
      // The same value was known earlier than stored: only its start moves.
      SetStart(row.period, later->start, vintage_);
      later->start = vintage_;
      ++counts.unchanged;
      return;
    } else {
      Insert(row.period, vintage_, later->start.AddDays(-1), row.value);
      intervals.push_back({vintage_, later->start.AddDays(-1), row.value});
    }
    std::sort(intervals.begin(), intervals.end(),
              [](const Interval& a, const Interval& b) { return a.start < b.start; });
    ++counts.inserted;
  }

  // A row with its own real-time period, stored as given.
  void ApplyRealtime(const ObservationRow& row, LoadCounts& counts) {
    Date start = *row.realtime_start;
    Date end = row.realtime_end.value_or(Date::Max());
    std::vector<Interval>& intervals = history_[DayNumber(row.period)];
    auto same = std::find_if(intervals.begin(), intervals.end(),
                             [&](const Interval& i) { return i.start == start; });
    if (same == intervals.end()) {
      Insert(row.period, start, end, row.value);
      intervals.push_back({start, end, row.value});
      ++counts.inserted;
    } else if (same->value == row.value && same->end == end) {
      ++counts.unchanged;
    } else {
      SetValue(row.period, start, end, row.value);
      same->value = row.value;
      same->end = end;
      ++counts.revised;
    }
  }

  // The hot path of a load. New rows wait in a buffer and go to SQLite in
  // statements of kInsertChunk rows, which costs SQLite far less per row than
  // one statement each. Updates touch rows stored before this load or
  // inserted by it, so the buffer is written out before any update.
  static constexpr int kInsertChunk = 64;
  static constexpr int kColumns = 6;

  static std::string InsertSql(int rows) {
    std::string sql =
        "INSERT INTO observations (series_key, date, realtime_start, realtime_end, value, "
        "batch_id) VALUES ";
    for (int i = 0; i < rows; ++i) sql += i == 0 ? "(?,?,?,?,?,?)" : ",(?,?,?,?,?,?)";
    return sql;
  }

  struct PendingRow {
    char period[10];
    char start[10];
    char end[10];
    std::optional<double> value;
  };

  void Insert(Date period, Date start, Date end, const std::optional<double>& value) {
    PendingRow& row = pending_[pending_count_++];
    FormatIso(period, row.period);
    FormatIso(start, row.start);
    FormatIso(end, row.end);
    row.value = value;
    if (pending_count_ == kInsertChunk) Flush();
  }

  void Flush() {
    if (pending_count_ == kInsertChunk) {
      for (int i = 0; i < kInsertChunk; ++i) BindPending(insert_chunk_, i * kColumns, pending_[i]);
      insert_chunk_.Run();
    } else {
      for (int i = 0; i < pending_count_; ++i) {
        BindPending(insert_one_, 0, pending_[i]);
        insert_one_.Run();
      }
    }
    pending_count_ = 0;
  }

  void BindPending(SqliteStatement& statement, int first, const PendingRow& row) {
    statement.Bind(first + 1, series_key_);
    statement.BindStatic(first + 2, std::string_view(row.period, 10));
    statement.BindStatic(first + 3, std::string_view(row.start, 10));
    statement.BindStatic(first + 4, std::string_view(row.end, 10));
    statement.Bind(first + 5, row.value);
    statement.Bind(first + 6, batch_id_);
  }

  void SetEnd(Date period, Date start, Date end) {
    Flush();
    char a[10], b[10], c[10];
    set_end_.Bind(1, series_key_);
    set_end_.Bind(2, FormatIso(period, a));
    set_end_.Bind(3, FormatIso(start, b));
    set_end_.Bind(4, FormatIso(end, c));
    set_end_.Run();
  }

  void SetValue(Date period, Date start, Date end, const std::optional<double>& value) {
    Flush();
    char a[10], b[10], c[10];
    set_value_.Bind(1, series_key_);
    set_value_.Bind(2, FormatIso(period, a));
    set_value_.Bind(3, FormatIso(start, b));
    set_value_.Bind(4, value);
    set_value_.Bind(5, FormatIso(end, c));
    set_value_.Bind(6, batch_id_);
    set_value_.Run();
  }

  void SetStart(Date period, Date old_start, Date new_start) {
    Flush();
    char a[10], b[10], c[10];
    set_start_.Bind(1, series_key_);
    set_start_.Bind(2, FormatIso(period, a));
    set_start_.Bind(3, FormatIso(old_start, b));
    set_start_.Bind(4, FormatIso(new_start, c));
    set_start_.Bind(5, batch_id_);
    set_start_.Run();
  }

  int64_t series_key_;
  int64_t batch_id_;
  Date vintage_;
  PeriodHistory history_;
  SqliteStatement& insert_one_;
  SqliteStatement& insert_chunk_;
  PendingRow pending_[kInsertChunk];
  int pending_count_ = 0;
  SqliteStatement& set_end_;
  SqliteStatement& set_value_;
  SqliteStatement& set_start_;
};

void SqliteWarehouse::RequireWritable(const char* operation) const {
  if (read_only_) {
    throw Error(
        ErrorCode::kFailedPrecondition,
        "the warehouse " + path_ + " was opened read-only; " + operation + " need write access");
  }
}

LoadResult SqliteWarehouse::Load(const LoadRequest& request, ObservationStream& rows) {
  RequireWritable("loads");
  std::lock_guard lock(mutex_);
  Transaction transaction(db_);
  LoadResult result;
  {
    SqliteStatement& check = db_.Cached(
        "SELECT batch_id FROM load_batches WHERE object_key = ?1 AND "
        "object_version = ?2 AND vintage_date = ?3");
    check.Bind(1, request.object_key);
    check.Bind(2, request.object_version);
    check.Bind(3, request.vintage_date.ToIso());
    bool found = check.Step();
    if (found) result.batch_id = check.Int(0);
    check.Reset();
    if (found) {
      result.already_loaded = true;
      return result;
    }
  }

  int64_t series_key = UpsertSeries(request.series, request.vintage_date);
  result.batch_id = InsertBatch(request, series_key);
  SeriesLoader loader(db_, series_key, result.batch_id, request.vintage_date,
                      ReadHistory(series_key));
  ObservationRow row;
  while (rows.Next(row)) loader.Apply(row, result.counts);
  loader.Finish();

  SqliteStatement& reject = db_.Cached(
      "INSERT INTO rejected_rows (batch_id, line, raw, reason) "
      "VALUES (?1, ?2, ?3, ?4)");
  for (const RejectedRow& rejected : rows.rejected()) {
    reject.Bind(1, result.batch_id);
    reject.Bind(2, rejected.line);
    reject.Bind(3, rejected.text);
    reject.Bind(4, rejected.reason);
    reject.Run();
  }
  result.counts.rejected = static_cast<int64_t>(rows.rejected().size());

  SqliteStatement& counts = db_.Cached(
      "UPDATE load_batches SET inserted = ?2, revised = ?3, unchanged = ?4, "
      "kept = ?5, rejected = ?6 WHERE batch_id = ?1");
  counts.Bind(1, result.batch_id);
  counts.Bind(2, result.counts.inserted);
  counts.Bind(3, result.counts.revised);
  counts.Bind(4, result.counts.unchanged);
  counts.Bind(5, result.counts.kept);
  counts.Bind(6, result.counts.rejected);
  counts.Run();
  transaction.Commit();
  return result;
}

// Metadata from an older vintage than the one stored does not replace it, so
// loading vintages out of order leaves the newest description in place.
int64_t SqliteWarehouse::UpsertSeries(const SeriesInfo& series, Date vintage) {
  SqliteStatement& upsert = db_.Cached(
      "INSERT INTO series (source, series_id, title, units, frequency, seasonal_adjustment, "
      "transform_code, last_updated, notes, metadata_vintage) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
      "ON CONFLICT (source, series_id) DO UPDATE SET "
      "title = coalesce(nullif(excluded.title, ''), title), "
      "units = coalesce(nullif(excluded.units, ''), units), "
      "frequency = coalesce(nullif(excluded.frequency, ''), frequency), "
      "seasonal_adjustment = coalesce(nullif(excluded.seasonal_adjustment, ''), "
      "seasonal_adjustment), "
      "transform_code = coalesce(excluded.transform_code, transform_code), "
      "last_updated = coalesce(nullif(excluded.last_updated, ''), last_updated), "
      "notes = coalesce(nullif(excluded.notes, ''), notes), "
      "metadata_vintage = excluded.metadata_vintage "
      "WHERE excluded.metadata_vintage >= series.metadata_vintage "
      "RETURNING series_key");
  upsert.Bind(1, series.source);
  upsert.Bind(2, series.id);
  upsert.Bind(3, series.title);
  upsert.Bind(4, series.units);
  upsert.Bind(5, series.frequency);
  upsert.Bind(6, series.seasonal_adjustment);
  if (series.transform_code) {
    upsert.Bind(7, static_cast<int64_t>(*series.transform_code));
  } else {
    upsert.BindNull(7);
  }
  upsert.Bind(8, series.last_updated);
  upsert.Bind(9, series.notes);
  upsert.Bind(10, vintage.ToIso());
  bool updated = upsert.Step();
  int64_t series_key = updated ? upsert.Int(0) : 0;
  upsert.Reset();
  if (updated) return series_key;

  // The stored metadata is newer: keep it and look the key up.
  SqliteStatement& select =
      db_.Cached("SELECT series_key FROM series WHERE source = ?1 AND series_id = ?2");
  select.Bind(1, series.source);
  select.Bind(2, series.id);
  if (!select.Step()) throw Error(ErrorCode::kInternal, "series upsert returned no key");
  series_key = select.Int(0);
  select.Reset();
  return series_key;
}

int64_t SqliteWarehouse::InsertBatch(const LoadRequest& request, int64_t series_key) {
  SqliteStatement& insert = db_.Cached(
      "INSERT INTO load_batches (series_key, object_key, object_version, "
      "object_sha256, vintage_date, fetched_at, loaded_at) VALUES "
      "(?1, ?2, ?3, ?4, ?5, ?6, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')) "
      "RETURNING batch_id");
  insert.Bind(1, series_key);
  insert.Bind(2, request.object_key);
  insert.Bind(3, request.object_version);
  insert.Bind(4, request.object_sha256);
  insert.Bind(5, request.vintage_date.ToIso());
  insert.Bind(6, request.fetched_at);
  if (!insert.Step()) throw Error(ErrorCode::kInternal, "load batch insert returned no id");
  int64_t batch_id = insert.Int(0);
  insert.Reset();
  return batch_id;
}

PeriodHistory SqliteWarehouse::ReadHistory(int64_t series_key) {
  PeriodHistory history;
  SqliteStatement& select = db_.Cached(
      "SELECT date, realtime_start, realtime_end, value FROM observations "
      "WHERE series_key = ?1 ORDER BY date, realtime_start");
  select.Bind(1, series_key);
  while (select.Step()) {
    Date period = Date::ParseIso(select.Text(0), "stored date");
    Interval interval{Date::ParseIso(select.Text(1), "stored realtime_start"),
                      Date::ParseIso(select.Text(2), "stored realtime_end"), std::nullopt};
    if (!select.IsNull(3)) interval.value = select.Double(3);
    history[DayNumber(period)].push_back(interval);
  }
  return history;
}

bool SqliteWarehouse::IsLoaded(const std::string& object_key, const std::string& object_version,
                               Date vintage_date) {
  std::lock_guard lock(mutex_);
  SqliteStatement& check = db_.Cached(
      "SELECT 1 FROM load_batches WHERE object_key = ?1 AND object_version = ?2 AND "
      "vintage_date = ?3");
  check.Bind(1, object_key);
  check.Bind(2, object_version);
  check.Bind(3, vintage_date.ToIso());
  bool found = check.Step();
  check.Reset();
  return found;
}

// Stops a query once its deadline passes; SQLite calls this every few
// thousand virtual machine steps.
int StopAfterDeadline(void* deadline) {
  return std::chrono::steady_clock::now() >
                 *static_cast<std::chrono::steady_clock::time_point*>(deadline)
             ? 1
             : 0;
}

QueryResult SqliteWarehouse::Query(const std::string& sql, const QueryLimits& limits) {
  SqliteDatabase reader(path_, true);
  reader.Execute("PRAGMA query_only = ON");
  sqlite3_set_authorizer(reader.get(), ReadOnlyAuthorizer, nullptr);
  auto deadline = std::chrono::steady_clock::now() + limits.time_limit;
  if (limits.time_limit.count() > 0) {
    sqlite3_progress_handler(reader.get(), 1000, StopAfterDeadline, &deadline);
  }
  try {
    return ReadRows(reader, sql, limits);
  } catch (const Error&) {
    bool timed_out = limits.time_limit.count() > 0 && std::chrono::steady_clock::now() > deadline;
    if (!timed_out) throw;
    throw Error(ErrorCode::kUnavailable,
                "query stopped at the time limit of " + std::to_string(limits.time_limit.count()) +
                    " ms; narrow it with WHERE or LIMIT, or aggregate in SQL");
  }
}

std::vector<SeriesInfo> SqliteWarehouse::ReadSeries(SqliteStatement& statement) {
  std::vector<SeriesInfo> series;
  while (statement.Step()) {
    SeriesInfo info;
    info.source = statement.Text(0);
    info.id = statement.Text(1);
    info.title = statement.Text(2);
    info.units = statement.Text(3);
    info.frequency = statement.Text(4);
    info.seasonal_adjustment = statement.Text(5);
    if (!statement.IsNull(6)) info.transform_code = static_cast<int>(statement.Int(6));
    info.last_updated = statement.Text(7);
    info.notes = statement.Text(8);
    series.push_back(std::move(info));
  }
  return series;
}

constexpr char kSeriesColumns[] =
    "SELECT source, series_id, title, units, frequency, seasonal_adjustment, transform_code, "
    "last_updated, notes FROM series ";

std::vector<SeriesInfo> SqliteWarehouse::ListSeries() {
  std::lock_guard lock(mutex_);
  SqliteStatement& select = db_.Cached(std::string(kSeriesColumns) + "ORDER BY source, series_id");
  return ReadSeries(select);
}

std::vector<SeriesInfo> SqliteWarehouse::FindSeries(const std::string& id,
                                                    const std::string& source) {
  std::lock_guard lock(mutex_);
  SqliteStatement& select = db_.Cached(std::string(kSeriesColumns) +
                                       "WHERE series_id = ?1 AND (?2 = '' OR source = ?2) "
                                       "ORDER BY source");
  select.Bind(1, id);
  select.Bind(2, source);
  return ReadSeries(select);
}

std::vector<StoredObservation> SqliteWarehouse::Observations(const SeriesInfo& series,
                                                             std::optional<Date> as_of) {
  std::lock_guard lock(mutex_);
  SqliteStatement& select = db_.Cached(
      "SELECT o.date, o.value, o.realtime_start, o.realtime_end FROM observations o "
      "JOIN series s ON s.series_key = o.series_key "
      "WHERE s.source = ?1 AND s.series_id = ?2 AND o.realtime_start <= ?3 "
      "AND o.realtime_end >= ?3 ORDER BY o.date");
  select.Bind(1, series.source);
  select.Bind(2, series.id);
  select.Bind(3, (as_of ? *as_of : Date::Max()).ToIso());
  std::vector<StoredObservation> observations;
  while (select.Step()) {
    StoredObservation observation;
    observation.period = Date::ParseIso(select.Text(0), "stored date");
    if (!select.IsNull(1)) observation.value = select.Double(1);
    observation.realtime_start = Date::ParseIso(select.Text(2), "stored realtime_start");
    observation.realtime_end = Date::ParseIso(select.Text(3), "stored realtime_end");
    observations.push_back(observation);
  }
  return observations;
}

int64_t SqliteWarehouse::StoreForecast(const ForecastRecord& record) {
  RequireWritable("forecasts");
  std::lock_guard lock(mutex_);
  Transaction transaction(db_);
  const ForecastRunInfo& run = record.run;
  SqliteStatement& insert = db_.Cached(
      "INSERT INTO forecast_runs (run_id, created_at, source, target_id, model, data_vintage, "
      "origin_month, training_first, training_last, settings, model_file, model_loaded) "
      "SELECT coalesce(max(run_id), 0) + 1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11 "
      "FROM forecast_runs RETURNING run_id");
  const std::string* texts[] = {
      &run.created_at,   &run.source,         &run.target_id,     &run.model,    &run.data_vintage,
      &run.origin_month, &run.training_first, &run.training_last, &run.settings, &run.model_file};
  for (int i = 0; i < 10; ++i) insert.Bind(i + 1, *texts[i]);
  insert.Bind(11, static_cast<int64_t>(run.model_loaded ? 1 : 0));
  if (!insert.Step()) throw Error(ErrorCode::kInternal, "forecast run insert returned no id");
  int64_t run_id = insert.Int(0);
  insert.Reset();
  InsertForecastRows(record, run_id);
  transaction.Commit();
  return run_id;
}

void SqliteWarehouse::InsertForecastRows(const ForecastRecord& record, int64_t run_id) {
  SqliteStatement& quantile = db_.Cached(
      "INSERT INTO forecast_quantiles (run_id, horizon, target_month, p10, p50, p90) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  for (const HorizonForecast& row : record.horizons) {
    quantile.Bind(1, run_id);
    quantile.Bind(2, static_cast<int64_t>(row.horizon));
    quantile.Bind(3, row.target_month);
    quantile.Bind(4, row.p10);
    quantile.Bind(5, row.p50);
    quantile.Bind(6, row.p90);
    quantile.Run();
  }
  SqliteStatement& accumulated =
      db_.Cached("INSERT INTO forecast_accumulated (run_id, months, value) VALUES (?1, ?2, ?3)");
  for (const AccumulatedForecast& row : record.accumulated) {
    accumulated.Bind(1, run_id);
    accumulated.Bind(2, static_cast<int64_t>(row.months));
    accumulated.Bind(3, row.value);
    accumulated.Run();
  }
  SqliteStatement& importance = db_.Cached(
      "INSERT INTO forecast_importances (run_id, stage, input, weight) VALUES (?1, ?2, ?3, ?4)");
  for (const ImportanceRecord& row : record.importances) {
    importance.Bind(1, run_id);
    importance.Bind(2, row.stage);
    importance.Bind(3, row.input);
    importance.Bind(4, row.weight);
    importance.Run();
  }
  SqliteStatement& attention = db_.Cached(
      "INSERT INTO forecast_attention (run_id, horizon, relative_month, weight) "
      "VALUES (?1, ?2, ?3, ?4)");
  for (const AttentionRecord& row : record.attention) {
    attention.Bind(1, run_id);
    attention.Bind(2, static_cast<int64_t>(row.horizon));
    attention.Bind(3, static_cast<int64_t>(row.relative_month));
    attention.Bind(4, row.weight);
    attention.Run();
  }
}

std::optional<ForecastRecord> SqliteWarehouse::ReadForecast(int64_t run_id) {
  std::lock_guard lock(mutex_);
  SqliteStatement& select_run = db_.Cached(
      "SELECT created_at, source, target_id, model, data_vintage, origin_month, training_first, "
      "training_last, settings, model_file, model_loaded FROM forecast_runs WHERE run_id = ?1");
  select_run.Bind(1, run_id);
  if (!select_run.Step()) {
    select_run.Reset();
    return std::nullopt;
  }
  ForecastRecord record;
  ForecastRunInfo& run = record.run;
  run.run_id = run_id;
  std::string* texts[] = {
      &run.created_at,   &run.source,         &run.target_id,     &run.model,    &run.data_vintage,
      &run.origin_month, &run.training_first, &run.training_last, &run.settings, &run.model_file};
  for (int i = 0; i < 10; ++i) *texts[i] = select_run.Text(i);
  run.model_loaded = select_run.Int(10) != 0;
  select_run.Reset();

  SqliteStatement& quantiles = db_.Cached(
      "SELECT horizon, target_month, p10, p50, p90 FROM forecast_quantiles WHERE run_id = ?1 "
      "ORDER BY horizon");
  quantiles.Bind(1, run_id);
  while (quantiles.Step()) {
    record.horizons.push_back({static_cast<int>(quantiles.Int(0)), std::string(quantiles.Text(1)),
                               quantiles.Double(2), quantiles.Double(3), quantiles.Double(4)});
  }
  SqliteStatement& accumulated = db_.Cached(
      "SELECT months, value FROM forecast_accumulated WHERE run_id = ?1 ORDER BY months");
  accumulated.Bind(1, run_id);
  while (accumulated.Step()) {
    record.accumulated.push_back({static_cast<int>(accumulated.Int(0)), accumulated.Double(1)});
  }
  SqliteStatement& importances = db_.Cached(
      "SELECT stage, input, weight FROM forecast_importances WHERE run_id = ?1 "
      "ORDER BY stage DESC, weight DESC, input");
  importances.Bind(1, run_id);
  while (importances.Step()) {
    record.importances.push_back({std::string(importances.Text(0)),
                                  std::string(importances.Text(1)), importances.Double(2)});
  }
  SqliteStatement& attention = db_.Cached(
      "SELECT horizon, relative_month, weight FROM forecast_attention WHERE run_id = ?1 "
      "ORDER BY horizon, relative_month");
  attention.Bind(1, run_id);
  while (attention.Step()) {
    record.attention.push_back({static_cast<int>(attention.Int(0)),
                                static_cast<int>(attention.Int(1)), attention.Double(2)});
  }
  return record;
}

int64_t SqliteWarehouse::StoreBacktest(const BacktestRecord& record) {
  RequireWritable("backtests");
  std::lock_guard lock(mutex_);
  Transaction transaction(db_);
  int64_t run_id = InsertBacktest(db_, record);
  transaction.Commit();
  return run_id;
}

std::optional<BacktestRecord> SqliteWarehouse::ReadBacktest(int64_t run_id) {
  std::lock_guard lock(mutex_);
  return SelectBacktest(db_, run_id);
}

}  // namespace

LoadCounts& LoadCounts::operator+=(const LoadCounts& other) {
  inserted += other.inserted;
  revised += other.revised;
  unchanged += other.unchanged;
  kept += other.kept;
  rejected += other.rejected;
  return *this;
}

std::unique_ptr<Warehouse> OpenSqliteWarehouse(const std::string& path, bool read_only) {
  return std::make_unique<SqliteWarehouse>(path, read_only);
}

}  // namespace macropipe
