// Copies an SQLite warehouse into an empty PostgreSQL warehouse: every series,
// load batch, observation row with its real-time period, rejected row, and
// forecast and backtest run with its rows. Keys are copied, so batch ids, run
// ids and every as-of answer stay the same.
//
//   MigrationCounts counts = MigrateSqliteToPostgres("data/warehouse.db", options);
//
// The copy is one transaction: it lands whole or not at all. It is checked by
// counting the rows of each table on both sides before the commit.
#pragma once

#include <cstdint>
#include <string>

#include "warehouse/postgres_db.h"

namespace macropipe {

struct MigrationCounts {
  int64_t series = 0;
  int64_t load_batches = 0;
  int64_t observations = 0;
  int64_t rejected_rows = 0;
  int64_t forecast_runs = 0;
  int64_t forecast_rows = 0;  // Quantiles, accumulated values, importances and attention.
  int64_t backtest_runs = 0;
  int64_t backtest_scores = 0;
};

// Throws Error(kFailedPrecondition) when the target already holds series, load
// batches, forecast runs or backtest runs, because merging two warehouses
// could join unrelated keys.
MigrationCounts MigrateSqliteToPostgres(const std::string& sqlite_path,
                                        const PostgresOptions& target);

}  // namespace macropipe
