// Synthetic panels shared by the forecasting tests.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "forecast/forecaster.h"

namespace macropipe::forecast::synthetic {

// Monthly dates from 2000-01 on.
inline std::vector<Date> MonthsFrom2000(size_t count) {
  std::vector<Date> months;
  for (size_t t = 0; t < count; ++t)
    months.push_back(Date(2000, 1, 1).AddMonths(static_cast<int>(t)));
  return months;
}

// A panel whose only column is the target.
inline Panel TargetOnlyPanel(const std::vector<double>& values) {
  Panel panel;
  panel.months = MonthsFrom2000(values.size());
  panel.names = {"CPIAUCSL"};
  panel.columns = {values};
  return panel;
}

// A panel of `indicators` independent standard normal indicators and a target that
// depends on the first indicator's lag plus noise; deterministic for a seed.
inline Panel RandomPanel(size_t months, size_t indicators, unsigned seed) {
  std::mt19937 generator(seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  Panel panel;
  panel.months = MonthsFrom2000(months);
  panel.columns.assign(indicators + 1, std::vector<double>(months));
  for (size_t j = 0; j < indicators; ++j) {
    panel.names.push_back("X" + std::to_string(j));
    for (size_t t = 0; t < months; ++t) panel.columns[j][t] = noise(generator);
  }
  panel.names.push_back("CPIAUCSL");
  panel.target_column = indicators;
  std::vector<double>& target = panel.columns[indicators];
  for (size_t t = 0; t < months; ++t) {
    double signal = t > 0 && indicators > 0 ? 0.002 * panel.columns[0][t - 1] : 0;
    target[t] = 0.002 + signal + 0.001 * noise(generator);
  }
  return panel;
}

}  // namespace macropipe::forecast::synthetic
