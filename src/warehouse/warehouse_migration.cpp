#include "warehouse/warehouse_migration.h"

#include <filesystem>

#include "core/error.h"
#include "warehouse/postgres_warehouse.h"
#include "warehouse/sqlite_db.h"

namespace macropipe {
namespace {

struct TableCopy {
  const char* table;
  const char* columns;  // The same names on both sides.
  int64_t MigrationCounts::*count;
};

// Parents before children, for the foreign keys.
constexpr TableCopy kTables[] = {
    {"series",
     "series_key, source, series_id, title, units, frequency, seasonal_adjustment, "
     "transform_code, last_updated, notes, metadata_vintage",
     &MigrationCounts::series},
    {"load_batches",
     "batch_id, series_key, object_key, object_version, object_sha256, vintage_date, "
     "fetched_at, loaded_at, inserted, revised, unchanged, kept, rejected",
     &MigrationCounts::load_batches},
    {"observations", "series_key, date, realtime_start, realtime_end, value, batch_id",
     &MigrationCounts::observations},
    {"rejected_rows", "batch_id, line, raw, reason", &MigrationCounts::rejected_rows},
    {"forecast_runs",
     "run_id, created_at, source, target_id, model, data_vintage, origin_month, training_first, "
     "training_last, settings, model_file, model_loaded",
     &MigrationCounts::forecast_runs},
    {"forecast_quantiles", "run_id, horizon, target_month, p10, p50, p90",
     &MigrationCounts::forecast_rows},
    {"forecast_accumulated", "run_id, months, value", &MigrationCounts::forecast_rows},
    {"forecast_importances", "run_id, stage, input, weight", &MigrationCounts::forecast_rows},
    {"forecast_attention", "run_id, horizon, relative_month, weight",
     &MigrationCounts::forecast_rows},
    {"backtest_runs",
     "run_id, created_at, source, target_id, data_vintage, panel_first, panel_last, models, "
     "windows, command, seconds",
     &MigrationCounts::backtest_runs},
    {"backtest_scores",
     "run_id, position, window_label, window_first, window_last, estimation_months, model, "
     "refit_months, horizon, targets, rmse, mae, rmse_ratio, mae_ratio, dm_statistic, "
     "dm_p_value, p50_loss, p90_loss, coverage80",
     &MigrationCounts::backtest_scores},
};

// Streams every row of one table from SQLite into PostgreSQL's COPY, each value
// in the form SQLite stored it; PostgreSQL parses ISO dates into `date`.
int64_t CopyTable(SqliteDatabase& source, PostgresConnection& target, const TableCopy& copy) {
  SqliteStatement select(source.get(),
                         std::string("SELECT ") + copy.columns + " FROM " + copy.table);
  PostgresCopy writer(target,
                      std::string("COPY ") + copy.table + " (" + copy.columns + ") FROM STDIN");
  while (select.Step()) {
    for (int column = 0; column < select.ColumnCount(); ++column) {
      switch (sqlite3_column_type(select.get(), column)) {
        case SQLITE_NULL:
          writer.AddNull();
          break;
        case SQLITE_INTEGER:
          writer.Add(select.Int(column));
          break;
        case SQLITE_FLOAT:
          writer.Add(std::optional<double>(select.Double(column)));
          break;
        default:
          writer.Add(select.Text(column));
      }
    }
    writer.EndRow();
  }
  return writer.Finish();
}

// False for the forecast and backtest tables of a warehouse written before
// they existed.
bool HasTable(SqliteDatabase& source, const char* table) {
  SqliteStatement select(source.get(),
                         "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1");
  select.Bind(1, std::string(table));
  select.Step();
  return select.Int(0) > 0;
}

int64_t CountRows(PostgresConnection& target, const char* table) {
  return target.Execute(std::string("SELECT count(*) FROM ") + table).Int(0, 0);
}

}  // namespace

MigrationCounts MigrateSqliteToPostgres(const std::string& sqlite_path,
                                        const PostgresOptions& target) {
  if (!std::filesystem::exists(sqlite_path)) {
    throw Error(ErrorCode::kNotFound, "no SQLite warehouse at " + sqlite_path +
                                          "; pass the data directory that holds warehouse.db");
  }
  SqliteDatabase source(sqlite_path, /*read_only=*/true);
  OpenPostgresWarehouse(target);  // Creates the schema when it is missing.
  PostgresConnection db(target);
  PostgresTransaction transaction(db);
  // Loads that start meanwhile wait for the copy, and the copy for them.
  db.Execute(
      "LOCK TABLE series, load_batches, observations, rejected_rows, forecast_runs, "
      "backtest_runs IN EXCLUSIVE MODE");
  if (CountRows(db, "series") > 0 || CountRows(db, "load_batches") > 0 ||
      CountRows(db, "forecast_runs") > 0 || CountRows(db, "backtest_runs") > 0) {
    throw Error(ErrorCode::kFailedPrecondition,
                "the PostgreSQL warehouse " + db.location() +
                    " already holds series, forecasts or backtests; migrate into an empty "
                    "database");
  }

  MigrationCounts counts;
  for (const TableCopy& table : kTables) {
    if (!HasTable(source, table.table)) continue;
    int64_t copied = CopyTable(source, db, table);
    counts.*table.count += copied;
    SqliteStatement total(source.get(), std::string("SELECT count(*) FROM ") + table.table);
    total.Step();
    if (total.Int(0) != copied || CountRows(db, table.table) != total.Int(0)) {
      throw Error(ErrorCode::kInternal, std::string("the copy of table ") + table.table + " from " +
                                            sqlite_path +
                                            " lost rows; nothing was "
                                            "committed");
    }
  }
  // New keys continue after the copied ones.
  db.Execute(
      "SELECT setval(pg_get_serial_sequence('series', 'series_key'), "
      "coalesce(max(series_key), 0) + 1, false) FROM series");
  db.Execute(
      "SELECT setval(pg_get_serial_sequence('load_batches', 'batch_id'), "
      "coalesce(max(batch_id), 0) + 1, false) FROM load_batches");
  transaction.Commit();
  return counts;
}

}  // namespace macropipe
