#include "warehouse/postgres_warehouse.h"

#include <mutex>

#include "core/error.h"
#include "warehouse/backtest_tables.h"
#include "warehouse/schema.h"

namespace macropipe {
namespace {

// Type OIDs from PostgreSQL's catalog (pg_type.dat), stable across versions.
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

// Serializes the creation of the schema between processes that open an empty
// database at the same time; an arbitrary constant that names this lock.
constexpr char kSchemaLockId[] = "7262535101";

// Serializes forecast stores between processes, because each run takes the
// largest stored run id plus one; an arbitrary constant that names this lock.
constexpr char kForecastLockId[] = "7262535102";

// The same for backtest stores.
constexpr char kBacktestLockId[] = "7262535103";

// The per-connection table that a load copies its rows into. It is emptied
// at every commit.
constexpr char kLoadTables[] = R"sql(
CREATE TEMPORARY TABLE IF NOT EXISTS load_staging (
  line BIGINT NOT NULL,
  date DATE NOT NULL,
  value DOUBLE PRECISION,
  realtime_start DATE,
  realtime_end DATE
) ON COMMIT DELETE ROWS;
)sql";

// Each plan below is a query that classifies staged rows against the stored
// rows of series $1. It returns one row per action: the date, the value, the
// real-time start and end of the row written, and the start of the stored row
// that the action changes (old_start).
//
// The snapshot plan ($4 vintage) classifies rows without a real-time period
// with the rules of the Warehouse interface:
//   insert     a new period, or a vintage outside every stored row
//   kept       empty in the vintage while the period has a stored value
//   unchanged  equal to the value in force at the vintage
//   correct    the vintage itself stored a different value: overwrite it
//   close      a revision: end the row in force the day before, insert anew
//   move       the value was known earlier than stored: move the row's start
// A period repeated within one object counts once, with its last value.
//
// One ordered scan of the series' stored rows within the staged dates picks,
// for each period, the row in force at the vintage when there is one, else
// the earliest row starting after it, else any older row (which only proves
// the period was seen). A row in force starts before every later row, so
// ordering by "ends before the vintage", then by start, finds it first.
constexpr char kSnapshotPlan[] = R"sql(
SELECT date, value, $4::date AS new_start,
       CASE action WHEN 'insert' THEN coalesce(later_start - 1, DATE '9999-12-31')
                   ELSE covering_end END AS new_end,
       CASE action WHEN 'move' THEN later_start ELSE covering_start END AS old_start,
       action
FROM (
  SELECT *,
    CASE
      WHEN NOT seen THEN 'insert'
      WHEN value IS NULL THEN 'kept'
      WHEN covering_start IS NOT NULL AND covering_value IS NOT DISTINCT FROM value
        THEN 'unchanged'
      WHEN covering_start = $4::date THEN 'correct'
      WHEN covering_start IS NOT NULL THEN 'close'
      WHEN later_start IS NOT NULL AND later_value IS NOT DISTINCT FROM value THEN 'move'
      ELSE 'insert'
    END AS action
  FROM (
    SELECT s.date, s.value, o.date IS NOT NULL AS seen,
           CASE WHEN o.realtime_start <= $4::date AND o.realtime_end >= $4::date
                THEN o.realtime_start END AS covering_start,
           CASE WHEN o.realtime_start <= $4::date AND o.realtime_end >= $4::date
                THEN o.realtime_end END AS covering_end,
           CASE WHEN o.realtime_start <= $4::date AND o.realtime_end >= $4::date
                THEN o.value END AS covering_value,
           CASE WHEN o.realtime_start > $4::date THEN o.realtime_start END AS later_start,
           CASE WHEN o.realtime_start > $4::date THEN o.value END AS later_value
    FROM (SELECT DISTINCT ON (date) date, value FROM load_staging
          WHERE realtime_start IS NULL ORDER BY date, line DESC) s
    LEFT JOIN (
      SELECT DISTINCT ON (date) date, realtime_start, realtime_end, value FROM observations
      WHERE series_key = $1
        AND date BETWEEN (SELECT min(date) FROM load_staging)
                     AND (SELECT max(date) FROM load_staging)
      ORDER BY date, realtime_end < $4::date, realtime_start) o USING (date)
  ) facts
  WHERE seen OR value IS NOT NULL
) classified
)sql";

// The real-time plan classifies rows that carry their own real-time period: a
// new start is inserted, a stored one is corrected when its value or end
// differs.
constexpr char kRealtimePlan[] = R"sql(
SELECT s.date, s.value, s.realtime_start AS new_start, s.realtime_end AS new_end,
       o.realtime_start AS old_start,
       CASE WHEN o.realtime_start IS NULL THEN 'insert'
            WHEN o.value IS NOT DISTINCT FROM s.value AND o.realtime_end = s.realtime_end
              THEN 'unchanged'
            ELSE 'correct' END AS action
FROM (SELECT DISTINCT ON (date, realtime_start) date, value, realtime_start,
             coalesce(realtime_end, DATE '9999-12-31') AS realtime_end
      FROM load_staging WHERE realtime_start IS NOT NULL
      ORDER BY date, realtime_start, line DESC) s
LEFT JOIN observations o
  ON o.series_key = $1 AND o.date = s.date AND o.realtime_start = s.realtime_start
)sql";

// Applies a plan in one statement ($1 series key, $2 batch id, $3 rejected
// rows), adds its tally to the batch row and returns the tally. A move counts
// as unchanged because the value is. All parts of the statement see the
// stored rows as they were before it. PostgreSQL requires that one statement
// changes a row at most once, and each plan names any stored row at most once.
// The rows that a plan inserts never share a key with a row that it changes,
// because a closed row keeps its older start and a moved row takes the
// vintage as start only where nothing is inserted.
std::string ApplyPlanSql(std::string_view plan) {
  return std::string("WITH plan AS MATERIALIZED (") + std::string(plan) + R"sql(),
closed AS (
  UPDATE observations o SET realtime_end = p.new_start - 1 FROM plan p
  WHERE p.action = 'close' AND o.series_key = $1 AND o.date = p.date
    AND o.realtime_start = p.old_start),
corrected AS (
  UPDATE observations o SET value = p.value, realtime_end = p.new_end, batch_id = $2
  FROM plan p
  WHERE p.action = 'correct' AND o.series_key = $1 AND o.date = p.date
    AND o.realtime_start = p.old_start),
moved AS (
  UPDATE observations o SET realtime_start = p.new_start, batch_id = $2 FROM plan p
  WHERE p.action = 'move' AND o.series_key = $1 AND o.date = p.date
    AND o.realtime_start = p.old_start),
inserted AS (
  INSERT INTO observations (series_key, date, realtime_start, realtime_end, value, batch_id)
  SELECT $1, date, new_start, new_end, value, $2 FROM plan
  WHERE action IN ('insert', 'close')),
tally AS (
  SELECT count(*) FILTER (WHERE action = 'insert') AS inserted,
         count(*) FILTER (WHERE action IN ('close', 'correct')) AS revised,
         count(*) FILTER (WHERE action IN ('unchanged', 'move')) AS unchanged,
         count(*) FILTER (WHERE action = 'kept') AS kept
  FROM plan)
UPDATE load_batches b
SET inserted = b.inserted + t.inserted, revised = b.revised + t.revised,
    unchanged = b.unchanged + t.unchanged, kept = b.kept + t.kept, rejected = $3
FROM tally t
WHERE b.batch_id = $2
RETURNING t.inserted, t.revised, t.unchanged, t.kept
)sql";
}

constexpr char kSeriesColumns[] =
    "SELECT source, series_id, title, units, frequency, seasonal_adjustment, transform_code, "
    "last_updated, notes FROM series ";

std::string IntText(int64_t value) { return std::to_string(value); }

Cell CellOf(const PostgresResult& result, int row, int column) {
  if (result.IsNull(row, column)) return std::monostate{};
  switch (result.ColumnType(column)) {
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kOidOid:
      return result.Int(row, column);
    case kFloat4Oid:
    case kFloat8Oid:
    case kNumericOid:
      return result.Double(row, column);
    case kBoolOid:
      return int64_t{result.Text(row, column) == "t" ? 1 : 0};
    default:
      return std::string(result.Text(row, column));
  }
}

class PostgresWarehouse : public Warehouse {
 public:
  PostgresWarehouse(const PostgresOptions& options, bool read_only)
      : options_(options), read_only_(read_only), db_(options) {
    if (read_only) {
      db_.Execute("SET default_transaction_read_only = on");
      return;
    }
    CreateSchema();
    db_.Execute(kLoadTables);
  }

  LoadResult Load(const LoadRequest& request, ObservationStream& rows) override;
  bool IsLoaded(const std::string& object_key, const std::string& object_version,
                Date vintage_date) override;
  QueryResult Query(const std::string& sql, const QueryLimits& limits) override;
  std::vector<SeriesInfo> ListSeries() override;
  std::vector<SeriesInfo> FindSeries(const std::string& id, const std::string& source) override;
  std::vector<StoredObservation> Observations(const SeriesInfo& series,
                                              std::optional<Date> as_of) override;
  int64_t StoreForecast(const ForecastRecord& record) override;
  std::optional<ForecastRecord> ReadForecast(int64_t run_id) override;
  int64_t StoreBacktest(const BacktestRecord& record) override;
  std::optional<BacktestRecord> ReadBacktest(int64_t run_id) override;
  std::string Location() const override { return db_.location(); }

 private:
  // The batch row of a load and the key of its series.
  struct NewBatch {
    int64_t batch_id = 0;
    int64_t series_key = 0;
  };
  // Staged rows of one load: snapshot rows carry no real-time period.
  struct StagedRows {
    int64_t snapshot = 0;
    int64_t realtime = 0;
  };

  void RequireWritable(const char* operation) const;
  void CreateSchema();
  void CopyForecastRows(const ForecastRecord& record, int64_t run_id);
  std::optional<NewBatch> LockSeriesAndInsertBatch(const LoadRequest& request);
  int64_t FindBatch(const LoadRequest& request);
  StagedRows StageRows(ObservationStream& rows);
  void ApplyAndCommit(PostgresTransaction& transaction, const StagedRows& staged,
                      const NewBatch& batch, Date vintage, LoadCounts& counts);
  void StoreRejectedRows(int64_t batch_id, const std::vector<RejectedRow>& rejected);

  PostgresOptions options_;
  bool read_only_;
  std::mutex mutex_;
  PostgresConnection db_;  // Guarded by mutex_.
};

void PostgresWarehouse::CreateSchema() {
  // The backtest tables came later than the rest: a warehouse without them
  // gets them here.
  PostgresResult present = db_.Execute(
      "SELECT to_regclass('revisions') IS NOT NULL AND to_regclass('backtest_scores') IS NOT NULL");
  if (present.Text(0, 0) == "t") return;
  PostgresTransaction transaction(db_);
  db_.Execute(std::string("SELECT pg_advisory_xact_lock(") + kSchemaLockId + ")");
  db_.Execute(kPostgresSchema);
  transaction.Commit();
}

void PostgresWarehouse::RequireWritable(const char* operation) const {
  if (read_only_) {
    throw Error(ErrorCode::kFailedPrecondition, "the warehouse " + db_.location() +
                                                    " was opened read-only; " + operation +
                                                    " need write access");
  }
}

LoadResult PostgresWarehouse::Load(const LoadRequest& request, ObservationStream& rows) {
  RequireWritable("loads");
  std::lock_guard lock(mutex_);
  PostgresTransaction transaction(db_);
  LoadResult result;
  std::optional<NewBatch> batch = LockSeriesAndInsertBatch(request);
  if (!batch) {
    result.batch_id = FindBatch(request);
    result.already_loaded = true;
    return result;
  }

  result.batch_id = batch->batch_id;
  StagedRows staged = StageRows(rows);
  StoreRejectedRows(result.batch_id, rows.rejected());
  result.counts.rejected = static_cast<int64_t>(rows.rejected().size());
  ApplyAndCommit(transaction, staged, *batch, request.vintage_date, result.counts);
  return result;
}

// Upserts the catalogue row and inserts the batch row in one round trip. The
// series row is locked first and stays locked until the transaction ends, so
// that a load of the same object by another process either has committed
// (and its batch row stops this insert) or waits. Metadata from an older
// vintage than the stored one does not replace the stored metadata, and ON
// CONFLICT locks the row even when its WHERE skips the update. Returns
// nothing when the object is already loaded.
std::optional<PostgresWarehouse::NewBatch> PostgresWarehouse::LockSeriesAndInsertBatch(
    const LoadRequest& request) {
  const SeriesInfo& series = request.series;
  PostgresParam transform_code;
  if (series.transform_code) transform_code = std::to_string(*series.transform_code);
  PostgresStatement upsert_series{
      "INSERT INTO series AS s (source, series_id, title, units, frequency, seasonal_adjustment, "
      "transform_code, last_updated, notes, metadata_vintage) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
      "ON CONFLICT (source, series_id) DO UPDATE SET "
      "title = coalesce(nullif(excluded.title, ''), s.title), "
      "units = coalesce(nullif(excluded.units, ''), s.units), "
      "frequency = coalesce(nullif(excluded.frequency, ''), s.frequency), "
      "seasonal_adjustment = coalesce(nullif(excluded.seasonal_adjustment, ''), "
      "s.seasonal_adjustment), "
      "transform_code = coalesce(excluded.transform_code, s.transform_code), "
      "last_updated = coalesce(nullif(excluded.last_updated, ''), s.last_updated), "
      "notes = coalesce(nullif(excluded.notes, ''), s.notes), "
      "metadata_vintage = excluded.metadata_vintage "
      "WHERE excluded.metadata_vintage >= s.metadata_vintage",
      {series.source, series.id, series.title, series.units, series.frequency,
       series.seasonal_adjustment, transform_code, series.last_updated, series.notes,
       request.vintage_date.ToIso()}};
  PostgresStatement insert_batch{
      "INSERT INTO load_batches (series_key, object_key, object_version, object_sha256, "
      "vintage_date, fetched_at, loaded_at) "
      "SELECT series_key, $3, $4, $5, $6, $7, "
      "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
      "FROM series WHERE source = $1 AND series_id = $2 "
      "ON CONFLICT (object_key, object_version, vintage_date) DO NOTHING "
      "RETURNING batch_id, series_key",
      {series.source, series.id, request.object_key, request.object_version, request.object_sha256,
       request.vintage_date.ToIso(), request.fetched_at}};
  std::vector<PostgresResult> results = db_.ExecutePipeline({upsert_series, insert_batch});
  const PostgresResult& inserted = results[1];
  if (inserted.Rows() == 0) return std::nullopt;
  return NewBatch{inserted.Int(0, 0), inserted.Int(0, 1)};
}

int64_t PostgresWarehouse::FindBatch(const LoadRequest& request) {
  PostgresResult found = db_.Execute(
      "SELECT batch_id FROM load_batches WHERE object_key = $1 AND object_version = $2 "
      "AND vintage_date = $3",
      {request.object_key, request.object_version, request.vintage_date.ToIso()});
  if (found.Rows() == 0) {
    throw Error(ErrorCode::kInternal, "the batch of " + request.object_key +
                                          " conflicted with a stored batch that is not found");
  }
  return found.Int(0, 0);
}

PostgresWarehouse::StagedRows PostgresWarehouse::StageRows(ObservationStream& rows) {
  PostgresCopy copy(db_,
                    "COPY load_staging (line, date, value, realtime_start, realtime_end) "
                    "FROM STDIN");
  StagedRows staged;
  ObservationRow row;
  int64_t line = 0;
  while (rows.Next(row)) {
    copy.Add(++line);
    copy.Add(row.period);
    copy.Add(row.value);
    if (row.realtime_start) {
      copy.Add(*row.realtime_start);
      ++staged.realtime;
    } else {
      copy.AddNull();
      ++staged.snapshot;
    }
    if (row.realtime_end) {
      copy.Add(*row.realtime_end);
    } else {
      copy.AddNull();
    }
    copy.EndRow();
  }
  copy.Finish();
  return staged;
}

// Applies the staged rows, stores the tally in the batch row and commits, all
// in one round trip. An object with rows of both kinds applies its snapshot
// rows first, and its real-time rows then see the result.
void PostgresWarehouse::ApplyAndCommit(PostgresTransaction& transaction, const StagedRows& staged,
                                       const NewBatch& batch, Date vintage, LoadCounts& counts) {
  std::vector<PostgresParam> params = {IntText(batch.series_key), IntText(batch.batch_id),
                                       IntText(counts.rejected)};
  std::vector<PostgresStatement> statements;
  // An object without rows still records its rejected rows in the batch row.
  if (staged.snapshot > 0 || staged.realtime == 0) {
    std::vector<PostgresParam> snapshot_params = params;
    snapshot_params.push_back(vintage.ToIso());
    statements.push_back({ApplyPlanSql(kSnapshotPlan), snapshot_params});
  }
  if (staged.realtime > 0) statements.push_back({ApplyPlanSql(kRealtimePlan), params});

  for (const PostgresResult& tally : transaction.CommitAfter(std::move(statements))) {
    counts.inserted += tally.Int(0, 0);
    counts.revised += tally.Int(0, 1);
    counts.unchanged += tally.Int(0, 2);
    counts.kept += tally.Int(0, 3);
  }
}

void PostgresWarehouse::StoreRejectedRows(int64_t batch_id,
                                          const std::vector<RejectedRow>& rejected) {
  if (rejected.empty()) return;
  PostgresCopy copy(db_, "COPY rejected_rows (batch_id, line, raw, reason) FROM STDIN");
  for (const RejectedRow& row : rejected) {
    copy.Add(batch_id);
    copy.Add(row.line);
    copy.Add(row.text);
    copy.Add(row.reason);
    copy.EndRow();
  }
  copy.Finish();
}

bool PostgresWarehouse::IsLoaded(const std::string& object_key, const std::string& object_version,
                                 Date vintage_date) {
  std::lock_guard lock(mutex_);
  PostgresResult found = db_.Execute(
      "SELECT 1 FROM load_batches WHERE object_key = $1 AND object_version = $2 AND "
      "vintage_date = $3",
      {object_key, object_version, vintage_date.ToIso()});
  return found.Rows() > 0;
}

// Runs `sql` in a read-only transaction on a connection of its own, so that
// nothing the statement sets outlives it. The extended query protocol accepts
// exactly one statement, single-row mode stops reading at the end of the page,
// and statement_timeout enforces the time limit on the server.
QueryResult PostgresWarehouse::Query(const std::string& sql, const QueryLimits& limits) {
  PostgresConnection reader(options_);
  reader.Execute("BEGIN TRANSACTION READ ONLY");
  if (limits.time_limit.count() > 0) {
    reader.Execute("SET LOCAL statement_timeout = " + std::to_string(limits.time_limit.count()));
  }
  if (PQsendQueryParams(reader.get(), sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0) != 1 ||
      PQsetSingleRowMode(reader.get()) != 1) {
    reader.ThrowError(nullptr, sql);
  }
  QueryResult result;
  bool have_columns = false;
  int64_t skipped = 0;
  while (PGresult* raw = PQgetResult(reader.get())) {
    PostgresResult part(raw);
    ExecStatusType status = PQresultStatus(raw);
    if (status != PGRES_SINGLE_TUPLE && status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      const char* state = PQresultErrorField(raw, PG_DIAG_SQLSTATE);
      if (state != nullptr && std::string_view(state) == "57014") {
        throw Error(ErrorCode::kUnavailable,
                    "query stopped at the time limit of " +
                        std::to_string(limits.time_limit.count()) +
                        " ms; narrow it with WHERE or LIMIT, or aggregate in SQL");
      }
      reader.ThrowError(raw, sql);
    }
    if (!have_columns) {
      for (int i = 0; i < part.Columns(); ++i) result.columns.push_back(part.ColumnName(i));
      have_columns = true;
    }
    if (status != PGRES_SINGLE_TUPLE) continue;
    if (skipped < limits.offset) {
      ++skipped;
      continue;
    }
    if (static_cast<int64_t>(result.rows.size()) >= limits.max_rows) {
      // Closing the connection ends the statement on the server.
      result.truncated = true;
      break;
    }
    std::vector<Cell> row;
    row.reserve(result.columns.size());
    for (int i = 0; i < part.Columns(); ++i) row.push_back(CellOf(part, 0, i));
    result.rows.push_back(std::move(row));
  }
  return result;
}

std::vector<SeriesInfo> ReadSeries(const PostgresResult& result) {
  std::vector<SeriesInfo> series;
  for (int row = 0; row < result.Rows(); ++row) {
    SeriesInfo info;
    info.source = result.Text(row, 0);
    info.id = result.Text(row, 1);
    info.title = result.Text(row, 2);
    info.units = result.Text(row, 3);
    info.frequency = result.Text(row, 4);
    info.seasonal_adjustment = result.Text(row, 5);
    if (!result.IsNull(row, 6)) info.transform_code = static_cast<int>(result.Int(row, 6));
    info.last_updated = result.Text(row, 7);
    info.notes = result.Text(row, 8);
    series.push_back(std::move(info));
  }
  return series;
}

std::vector<SeriesInfo> PostgresWarehouse::ListSeries() {
  std::lock_guard lock(mutex_);
  return ReadSeries(db_.Execute(std::string(kSeriesColumns) + "ORDER BY source, series_id"));
}

std::vector<SeriesInfo> PostgresWarehouse::FindSeries(const std::string& id,
                                                      const std::string& source) {
  std::lock_guard lock(mutex_);
  return ReadSeries(db_.Execute(std::string(kSeriesColumns) +
                                    "WHERE series_id = $1 AND ($2 = '' OR source = $2) "
                                    "ORDER BY source",
                                {id, source}));
}

std::vector<StoredObservation> PostgresWarehouse::Observations(const SeriesInfo& series,
                                                               std::optional<Date> as_of) {
  std::lock_guard lock(mutex_);
  PostgresResult rows = db_.Execute(
      "SELECT o.date, o.value, o.realtime_start, o.realtime_end FROM observations o "
      "JOIN series s ON s.series_key = o.series_key "
      "WHERE s.source = $1 AND s.series_id = $2 AND o.realtime_start <= $3::date "
      "AND o.realtime_end >= $3::date ORDER BY o.date",
      {series.source, series.id, (as_of ? *as_of : Date::Max()).ToIso()});
  std::vector<StoredObservation> observations;
  observations.reserve(static_cast<size_t>(rows.Rows()));
  for (int row = 0; row < rows.Rows(); ++row) {
    observations.push_back({rows.DateAt(row, 0), rows.OptionalDouble(row, 1), rows.DateAt(row, 2),
                            rows.DateAt(row, 3)});
  }
  return observations;
}

int64_t PostgresWarehouse::StoreForecast(const ForecastRecord& record) {
  RequireWritable("forecasts");
  std::lock_guard lock(mutex_);
  PostgresTransaction transaction(db_);
  db_.Execute(std::string("SELECT pg_advisory_xact_lock(") + kForecastLockId + ")");
  const ForecastRunInfo& run = record.run;
  PostgresResult inserted = db_.Execute(
      "INSERT INTO forecast_runs (run_id, created_at, source, target_id, model, data_vintage, "
      "origin_month, training_first, training_last, settings, model_file, model_loaded) "
      "SELECT coalesce(max(run_id), 0) + 1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
      "$11::integer FROM forecast_runs RETURNING run_id",
      {run.created_at, run.source, run.target_id, run.model, run.data_vintage, run.origin_month,
       run.training_first, run.training_last, run.settings, run.model_file,
       std::string(run.model_loaded ? "1" : "0")});
  int64_t run_id = inserted.Int(0, 0);
  CopyForecastRows(record, run_id);
  transaction.Commit();
  return run_id;
}

void PostgresWarehouse::CopyForecastRows(const ForecastRecord& record, int64_t run_id) {
  PostgresCopy quantiles(
      db_, "COPY forecast_quantiles (run_id, horizon, target_month, p10, p50, p90) FROM STDIN");
  for (const HorizonForecast& row : record.horizons) {
    quantiles.Add(run_id);
    quantiles.Add(int64_t{row.horizon});
    quantiles.Add(row.target_month);
    quantiles.Add(std::optional<double>(row.p10));
    quantiles.Add(std::optional<double>(row.p50));
    quantiles.Add(std::optional<double>(row.p90));
    quantiles.EndRow();
  }
  quantiles.Finish();

  PostgresCopy accumulated(db_, "COPY forecast_accumulated (run_id, months, value) FROM STDIN");
  for (const AccumulatedForecast& row : record.accumulated) {
    accumulated.Add(run_id);
    accumulated.Add(int64_t{row.months});
    accumulated.Add(std::optional<double>(row.value));
    accumulated.EndRow();
  }
  accumulated.Finish();

  PostgresCopy importances(db_,
                           "COPY forecast_importances (run_id, stage, input, weight) FROM STDIN");
  for (const ImportanceRecord& row : record.importances) {
    importances.Add(run_id);
    importances.Add(row.stage);
    importances.Add(row.input);
    importances.Add(std::optional<double>(row.weight));
    importances.EndRow();
  }
  importances.Finish();

  PostgresCopy attention(
      db_, "COPY forecast_attention (run_id, horizon, relative_month, weight) FROM STDIN");
  for (const AttentionRecord& row : record.attention) {
    attention.Add(run_id);
    attention.Add(int64_t{row.horizon});
    attention.Add(int64_t{row.relative_month});
    attention.Add(std::optional<double>(row.weight));
    attention.EndRow();
  }
  attention.Finish();
}

// Reads the run and its rows in the order of the SQLite warehouse. Ties in
// importance weight are ordered by input in byte order (COLLATE "C"), which
// is SQLite's order, whatever the database's collation.
std::optional<ForecastRecord> PostgresWarehouse::ReadForecast(int64_t run_id) {
  std::lock_guard lock(mutex_);
  std::string id = IntText(run_id);
  PostgresResult runs = db_.Execute(
      "SELECT created_at, source, target_id, model, data_vintage, origin_month, training_first, "
      "training_last, settings, model_file, model_loaded FROM forecast_runs WHERE run_id = $1",
      {id});
  if (runs.Rows() == 0) return std::nullopt;
  ForecastRecord record;
  ForecastRunInfo& run = record.run;
  run.run_id = run_id;
  std::string* texts[] = {
      &run.created_at,   &run.source,         &run.target_id,     &run.model,    &run.data_vintage,
      &run.origin_month, &run.training_first, &run.training_last, &run.settings, &run.model_file};
  for (int i = 0; i < 10; ++i) *texts[i] = runs.Text(0, i);
  run.model_loaded = runs.Int(0, 10) != 0;

  PostgresResult quantiles = db_.Execute(
      "SELECT horizon, target_month, p10, p50, p90 FROM forecast_quantiles WHERE run_id = $1 "
      "ORDER BY horizon",
      {id});
  for (int row = 0; row < quantiles.Rows(); ++row) {
    record.horizons.push_back({static_cast<int>(quantiles.Int(row, 0)),
                               std::string(quantiles.Text(row, 1)), quantiles.Double(row, 2),
                               quantiles.Double(row, 3), quantiles.Double(row, 4)});
  }
  PostgresResult accumulated = db_.Execute(
      "SELECT months, value FROM forecast_accumulated WHERE run_id = $1 ORDER BY months", {id});
  for (int row = 0; row < accumulated.Rows(); ++row) {
    record.accumulated.push_back(
        {static_cast<int>(accumulated.Int(row, 0)), accumulated.Double(row, 1)});
  }
  PostgresResult importances = db_.Execute(
      "SELECT stage, input, weight FROM forecast_importances WHERE run_id = $1 "
      "ORDER BY stage COLLATE \"C\" DESC, weight DESC, input COLLATE \"C\"",
      {id});
  for (int row = 0; row < importances.Rows(); ++row) {
    record.importances.push_back({std::string(importances.Text(row, 0)),
                                  std::string(importances.Text(row, 1)),
                                  importances.Double(row, 2)});
  }
  PostgresResult attention = db_.Execute(
      "SELECT horizon, relative_month, weight FROM forecast_attention WHERE run_id = $1 "
      "ORDER BY horizon, relative_month",
      {id});
  for (int row = 0; row < attention.Rows(); ++row) {
    record.attention.push_back({static_cast<int>(attention.Int(row, 0)),
                                static_cast<int>(attention.Int(row, 1)), attention.Double(row, 2)});
  }
  return record;
}

int64_t PostgresWarehouse::StoreBacktest(const BacktestRecord& record) {
  RequireWritable("backtests");
  std::lock_guard lock(mutex_);
  PostgresTransaction transaction(db_);
  db_.Execute(std::string("SELECT pg_advisory_xact_lock(") + kBacktestLockId + ")");
  int64_t run_id = InsertBacktest(db_, record);
  transaction.Commit();
  return run_id;
}

std::optional<BacktestRecord> PostgresWarehouse::ReadBacktest(int64_t run_id) {
  std::lock_guard lock(mutex_);
  return SelectBacktest(db_, run_id);
}

}  // namespace

std::unique_ptr<Warehouse> OpenPostgresWarehouse(const PostgresOptions& options, bool read_only) {
  return std::make_unique<PostgresWarehouse>(options, read_only);
}

}  // namespace macropipe
