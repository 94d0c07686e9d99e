// A forecasting Panel from one parsed FRED-MD vintage, each series made
// stationary by its transformation code, for the TFT's recorded-data test and
// benchmark. The warehouse-based panel builder in src/forecast is the
// production path; this one reads a single CSV and nothing else.
//
//   Panel panel = FredMdPanel(ParseFredMd(bytes, "2025-02.csv"), "CPIAUCSL", {});
//
// A pure function; safe to call from any thread.
#pragma once

#include <string>
#include <vector>

#include "forecast/forecaster.h"
#include "sources/fredmd.h"

namespace macropipe::forecast::tft {

// Returns a panel with `target` as 100 * (log x_t - log x_{t-1}) in column 0,
// followed by the series named in `indicators` (all other series when it is
// empty), each transformed by its code: 1 x, 2 first difference, 3 second
// difference, 4 log, 5 first difference of log, 6 second difference of log,
// 7 first difference of x_t / x_{t-1} - 1. The first two rows, which second
// differences leave empty, are dropped; other missing values are NaN, as is
// any result that is not finite, such as the log of a value that is not
// positive. Throws Error(kInvalidInput) for an
// unknown series or a series without a transformation code.
Panel FredMdPanel(const FredMdFile& file, const std::string& target,
                  const std::vector<std::string>& indicators);

}  // namespace macropipe::forecast::tft
