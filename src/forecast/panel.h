// Builds the forecasting panel from the warehouse: every series of one source
// (FRED-MD by default) on one grid of months, each in stationary form, with
// monthly CPI inflation as the target.
//
//   Panel panel = BuildPanel(warehouse, PanelOptions{});
//
// The rules:
//   - Each series gets its stored FRED-MD transformation code, except that
//     code 6 (the price series) becomes code 5, first difference of log;
//     see PanelTransformCode in transform.h.
//   - The target (CPIAUCSL by default) is log CPI_t - log CPI_{t-1} whatever
//     its stored code.
//   - The grid runs without gaps from the first month with a target value
//     through the target's last month. Values of other series outside it are
//     dropped. Months a series lacks, at either end or inside, are NaN, which
//     keeps the ragged edge at the end of the data for the models to handle.
//   - Series with no observations as of the vintage are left out.
// Thread-safe when the warehouse is.
#pragma once

#include <optional>
#include <string>

#include "core/date.h"
#include "forecast/forecaster.h"
#include "warehouse/warehouse.h"

namespace macropipe::forecast {

struct PanelOptions {
  std::string source = "fred-md";
  std::string target_id = "CPIAUCSL";
  // The vintage: values as known on this date. Unset means the latest values.
  std::optional<Date> as_of;
};

// Throws Error(kNotFound) when the source has no series or the target is
// missing, and Error(kInvalidInput) when the target has a gap, a series has no
// transformation code, or a log of a value that is not positive is needed.
Panel BuildPanel(Warehouse& warehouse, const PanelOptions& options);

// The vintage of the data a panel of `source` reads: `as_of` as an ISO date
// when set, else the newest vintage loaded for the source, or "" when none is.
std::string DataVintage(Warehouse& warehouse, const std::string& source, std::optional<Date> as_of);

}  // namespace macropipe::forecast
