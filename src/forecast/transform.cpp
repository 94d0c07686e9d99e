#include "forecast/transform.h"

#include <cmath>
#include <limits>

#include "core/error.h"

namespace macropipe::forecast {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

std::vector<double> Logs(const std::vector<double>& levels, const TransformContext& context) {
  std::vector<double> logs(levels.size(), kMissing);
  for (size_t t = 0; t < levels.size(); ++t) {
    if (std::isnan(levels[t])) continue;
    if (levels[t] <= 0) {
      throw Error(ErrorCode::kInvalidInput,
                  "series " + context.series + " has the value " + std::to_string(levels[t]) +
                      " in " + context.months.at(t).ToIso() +
                      ", but its transformation takes a log; correct the series' transformation "
                      "code or leave the series out");
    }
    logs[t] = std::log(levels[t]);
  }
  return logs;
}

// NaN propagates through the subtraction, so a gap stays a gap.
std::vector<double> Difference(const std::vector<double>& values) {
  std::vector<double> result(values.size(), kMissing);
  for (size_t t = 1; t < values.size(); ++t) result[t] = values[t] - values[t - 1];
  return result;
}

std::vector<double> GrowthRates(const std::vector<double>& levels) {
  std::vector<double> result(levels.size(), kMissing);
  for (size_t t = 1; t < levels.size(); ++t) result[t] = levels[t] / levels[t - 1] - 1;
  return result;
}

}  // namespace

std::vector<double> ApplyTransform(const std::vector<double>& levels, int code,
                                   const TransformContext& context) {
  switch (code) {
    case 1:
      return levels;
    case 2:
      return Difference(levels);
    case 3:
      return Difference(Difference(levels));
    case 4:
      return Logs(levels, context);
    case 5:
      return Difference(Logs(levels, context));
    case 6:
      return Difference(Difference(Logs(levels, context)));
    case 7:
      return Difference(GrowthRates(levels));
    default:
      throw Error(ErrorCode::kInvalidInput,
                  "series " + context.series + " has the transformation code " +
                      std::to_string(code) + "; FRED-MD codes are 1 to 7");
  }
}

int PanelTransformCode(int stored) { return stored == 6 ? 5 : stored; }

}  // namespace macropipe::forecast
