// Registration of the baseline forecasters of macropipe_forecast_core:
//   "rw"    RandomWalkForecaster
//   "ao12"  MovingAverageForecaster
//   "ar4"   DirectArForecaster
//   "lasso" LassoForecaster
// The registry calls RegisterBaselineForecasters() once before its first
// lookup, so the baselines are linked from the static library without
// whole-archive linking.
#pragma once

namespace macropipe::forecast {

// Registers every baseline under its name; calling it again re-registers them.
void RegisterBaselineForecasters();

}  // namespace macropipe::forecast
