// Turns backtest results into the record the warehouse stores: one score row
// per window, model and horizon, in the order of the report's tables.
//
//   BacktestRecord record = MakeBacktestRecord(result, run);
//   int64_t run_id = warehouse.StoreBacktest(record);
//
// Stateless; thread-safe.
#pragma once

#include "forecast/backtest.h"
#include "warehouse/backtest_record.h"

namespace macropipe::forecast {

// Returns `run` completed with the panel's months, the models and the window
// labels of `result`, and the scores of every window. A score that is NaN or
// infinite in `result` becomes nullopt.
BacktestRecord MakeBacktestRecord(const BacktestResult& result, BacktestRunInfo run);

}  // namespace macropipe::forecast
