// Writing and reading the backtest tables (backtest_runs, backtest_scores) on
// an open connection of either back end. The warehouses call these inside
// their own transaction and lock, which make a store all-or-nothing.
//
//   int64_t run_id = InsertBacktest(db, record);  // inside BEGIN ... COMMIT
//
// Thread-compatible, like the connections they use.
#pragma once

#include <cstdint>
#include <optional>

#include "warehouse/backtest_record.h"
#include "warehouse/postgres_db.h"
#include "warehouse/sqlite_db.h"

namespace macropipe {

// Inserts the run under the largest stored run id plus one, then its scores
// in order, and returns the new id. Throws Error when any row fails.
int64_t InsertBacktest(SqliteDatabase& db, const BacktestRecord& record);
int64_t InsertBacktest(PostgresConnection& db, const BacktestRecord& record);

// The run stored as `run_id` with its scores in stored order, or nullopt.
std::optional<BacktestRecord> SelectBacktest(SqliteDatabase& db, int64_t run_id);
std::optional<BacktestRecord> SelectBacktest(PostgresConnection& db, int64_t run_id);

}  // namespace macropipe
