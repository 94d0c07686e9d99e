#include "forecast/tft/fredmd_panel.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

#include "core/error.h"

namespace macropipe::forecast::tft {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

size_t FindSeries(const FredMdFile& file, const std::string& name) {
  for (size_t j = 0; j < file.names.size(); ++j) {
    if (file.names[j] == name) return j;
  }
  throw Error(ErrorCode::kInvalidInput,
              "FRED-MD series '" + name + "' is not in the vintage; name one of its columns");
}

std::vector<double> Numbers(const std::vector<std::string>& values) {
  std::vector<double> numbers;
  for (const std::string& text : values) {
    double value = kNaN;
    if (!text.empty()) std::from_chars(text.data(), text.data() + text.size(), value);
    numbers.push_back(value);
  }
  return numbers;
}

double Log(double x) { return x > 0 ? std::log(x) : kNaN; }

// Applies a FRED-MD transformation code at row t (t >= 2).
double Transform(int code, const std::vector<double>& x, size_t t) {
  switch (code) {
    case 1:
      return x[t];
    case 2:
      return x[t] - x[t - 1];
    case 3:
      return x[t] - 2 * x[t - 1] + x[t - 2];
    case 4:
      return Log(x[t]);
    case 5:
      return Log(x[t]) - Log(x[t - 1]);
    case 6:
      return Log(x[t]) - 2 * Log(x[t - 1]) + Log(x[t - 2]);
    case 7:
      return (x[t] / x[t - 1] - 1) - (x[t - 1] / x[t - 2] - 1);
    default:
      return kNaN;
  }
}

}  // namespace

Panel FredMdPanel(const FredMdFile& file, const std::string& target,
                  const std::vector<std::string>& indicators) {
  std::vector<size_t> columns = {FindSeries(file, target)};
  if (indicators.empty()) {
    for (size_t j = 0; j < file.names.size(); ++j) {
      if (j != columns[0]) columns.push_back(j);
    }
  } else {
    for (const std::string& name : indicators) columns.push_back(FindSeries(file, name));
  }

  Panel panel;
  for (size_t t = 2; t < file.dates.size(); ++t) panel.months.push_back(file.dates[t]);
  for (size_t c = 0; c < columns.size(); ++c) {
    size_t j = columns[c];
    std::optional<int> code = file.transform_codes[j];
    if (!code || *code < 1 || *code > 7) {
      throw Error(ErrorCode::kInvalidInput,
                  "FRED-MD series '" + file.names[j] + "' has no transformation code from 1 to 7");
    }
    std::vector<double> x = Numbers(file.values[j]);
    std::vector<double> column;
    for (size_t t = 2; t < x.size(); ++t) {
      double value = c == 0 ? 100.0 * Transform(5, x, t) : Transform(*code, x, t);
      // A ratio to a zero value is missing, not infinite.
      column.push_back(std::isfinite(value) ? value : kNaN);
    }
    panel.names.push_back(file.names[j]);
    panel.columns.push_back(std::move(column));
  }
  panel.target_column = 0;
  return panel;
}

}  // namespace macropipe::forecast::tft
