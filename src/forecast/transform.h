// The FRED-MD transformation codes of McCracken and Ng, "FRED-MD: A Monthly
// Database for Macroeconomic Research" (Journal of Business and Economic
// Statistics 34(4), 2016), which turn a monthly series into stationary form:
//   1 x_t                          5 log x_t - log x_{t-1}
//   2 x_t - x_{t-1}                6 second difference of log x_t
//   3 second difference of x_t     7 (x_t / x_{t-1} - 1) - (x_{t-1} / x_{t-2} - 1)
//   4 log x_t
//
//   std::vector<double> rates = ApplyTransform(levels, 5, {"CPIAUCSL", months});
//
// Stateless functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/date.h"

namespace macropipe::forecast {

// What the messages of ApplyTransform name: the series and the month of each value.
struct TransformContext {
  std::string series;
  const std::vector<Date>& months;
};

// Applies transformation `code` to `levels` (one value a month, NaN where
// missing). The result has the same length; a value whose inputs are missing,
// or that lies before the differences can start, is NaN. Throws
// Error(kInvalidInput) for a code outside 1..7 and for a log of a value that
// is not positive, naming the series and the month.
std::vector<double> ApplyTransform(const std::vector<double>& levels, int code,
                                   const TransformContext& context);

// The code the panel applies to a series stored with FRED-MD code `stored`.
// Code 6 (second difference of log) marks the price series of FRED-MD; they
// enter as monthly inflation rates, first differences of log (code 5), as in
// Medeiros, Vasconcelos, Veiga and Zilberman (2021). FRED-MD also gives code 6
// to some money, credit and earnings series, which this rule turns into growth
// rates too. Other codes are kept.
int PanelTransformCode(int stored);

}  // namespace macropipe::forecast
