// Formats backtest results as Markdown tables: RMSE and MAE ratios to the
// random walk, Diebold-Mariano tests against AO12, and quantile scores for
// models that give quantiles.
//
//   std::cout << FormatBacktestReport(result, {"macropipe backtest", 12.5});
//
// Stateless; thread-safe.
#pragma once

#include <string>

#include "forecast/backtest.h"

namespace macropipe::forecast {

struct ReportContext {
  std::string command;  // The command line that produced the results.
  double seconds = 0;   // Wall-clock time of the backtest.
};

// Returns the whole report: a heading, how it was produced, then the tables of
// each evaluation window.
std::string FormatBacktestReport(const BacktestResult& result, const ReportContext& context);

}  // namespace macropipe::forecast
