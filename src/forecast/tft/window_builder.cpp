#include "forecast/tft/window_builder.h"

#include <cmath>
#include <numbers>

#include "core/error.h"

namespace macropipe::forecast::tft {
namespace {

// Months since January of year 0, so consecutive months differ by one.
int64_t MonthCount(const Date& date) {
  return static_cast<int64_t>(date.year()) * 12 + static_cast<int64_t>(date.month()) - 1;
}

std::string MonthText(const Date& date) { return date.ToIso().substr(0, 7); }

ColumnScaler FitScaler(const std::vector<double>& values, size_t begin, size_t end) {
  double sum = 0.0;
  size_t count = 0;
  for (size_t t = begin; t < end; ++t) {
    if (!std::isfinite(values[t])) continue;
    sum += values[t];
    ++count;
  }
  if (count == 0) return {};
  double mean = sum / static_cast<double>(count);
  double squares = 0.0;
  for (size_t t = begin; t < end; ++t) {
    if (std::isfinite(values[t])) squares += (values[t] - mean) * (values[t] - mean);
  }
  double deviation = std::sqrt(squares / static_cast<double>(count));
  // A constant column (up to rounding) is centred but not divided.
  bool constant = !(deviation > 1e-12 * std::max(1.0, std::abs(mean)));
  return {mean, constant ? 1.0 : deviation};
}

}  // namespace

std::vector<std::string> KnownInputNames() { return {"month_sin", "month_cos", "time_index"}; }

void ValidatePanel(const Panel& panel) {
  if (panel.columns.size() != panel.names.size() || panel.columns.empty()) {
    throw Error(ErrorCode::kInvalidInput,
                "panel has " + std::to_string(panel.columns.size()) + " columns and " +
                    std::to_string(panel.names.size()) +
                    " names; give at least one column and one name per column");
  }
  if (panel.target_column >= panel.columns.size()) {
    throw Error(ErrorCode::kInvalidInput, "panel target column " +
                                              std::to_string(panel.target_column) +
                                              " is out of range: the panel has " +
                                              std::to_string(panel.columns.size()) + " columns");
  }
  for (size_t j = 0; j < panel.columns.size(); ++j) {
    if (panel.columns[j].size() != panel.months.size()) {
      throw Error(ErrorCode::kInvalidInput,
                  "panel column '" + panel.names[j] + "' has " +
                      std::to_string(panel.columns[j].size()) + " values for " +
                      std::to_string(panel.months.size()) + " months; give one value per month");
    }
  }
  for (size_t t = 0; t < panel.months.size(); ++t) {
    if (panel.months[t].day() != 1 ||
        (t > 0 && MonthCount(panel.months[t]) != MonthCount(panel.months[t - 1]) + 1)) {
      throw Error(ErrorCode::kInvalidInput,
                  "panel month " + panel.months[t].ToIso() + " at row " + std::to_string(t) +
                      " is not the first day of the month after the previous row; panel rows "
                      "must be consecutive months without gaps");
    }
  }
}

WindowBuilder WindowBuilder::Fit(const Panel& panel, size_t begin, size_t end, int encoder_length,
                                 int decoder_length) {
  ValidatePanel(panel);
  if (begin >= end || end > panel.months.size()) {
    throw Error(ErrorCode::kInvalidInput, "training rows [" + std::to_string(begin) + ", " +
                                              std::to_string(end) +
                                              ") are empty or outside the panel's " +
                                              std::to_string(panel.months.size()) + " rows");
  }
  WindowBuilder builder;
  builder.encoder_length_ = encoder_length;
  builder.decoder_length_ = decoder_length;
  for (const std::vector<double>& column : panel.columns) {
    builder.scalers_.push_back(FitScaler(column, begin, end));
  }
  std::vector<double> time_index(end);
  for (size_t t = begin; t < end; ++t)
    time_index[t] = static_cast<double>(MonthCount(panel.months[t]));
  builder.time_scaler_ = FitScaler(time_index, begin, end);
  return builder;
}

WindowBuilder WindowBuilder::Restore(std::vector<ColumnScaler> scalers, ColumnScaler time_scaler,
                                     int encoder_length, int decoder_length) {
  WindowBuilder builder;
  builder.scalers_ = std::move(scalers);
  builder.time_scaler_ = time_scaler;
  builder.encoder_length_ = encoder_length;
  builder.decoder_length_ = decoder_length;
  return builder;
}

PreparedRows WindowBuilder::Prepare(const Panel& panel, size_t first, size_t last) const {
  PreparedRows rows;
  rows.first = first;
  for (size_t j = 0; j < panel.columns.size(); ++j) {
    const std::vector<double>& column = panel.columns[j];
    const ColumnScaler& scaler = scalers_[j];
    std::vector<float> value(last - first);
    std::vector<float> missing(last - first);
    float carried = 0.0f;  // The training mean, before the first observation.
    for (size_t t = first; t < last; ++t) {
      double x = column[t];
      if (std::isinf(x)) {
        throw Error(ErrorCode::kInvalidInput,
                    "panel column '" + panel.names[j] + "' has an infinite value at " +
                        MonthText(panel.months[t]) +
                        "; mark a missing value as NaN or fix the transformation that produced it");
      }
      if (std::isnan(x)) {
        missing[t - first] = 1.0f;
      } else {
        carried = static_cast<float>((x - scaler.mean) / scaler.scale);
      }
      value[t - first] = carried;
    }
    rows.value.push_back(std::move(value));
    rows.missing.push_back(std::move(missing));
  }
  return rows;
}

void WindowBuilder::Append(const Panel& panel, const PreparedRows& rows, size_t origin,
                           int64_t entity, size_t target_column, size_t label_end,
                           WindowData& out) const {
  auto encoder_length = static_cast<size_t>(encoder_length_);
  size_t prepared = rows.value.empty() ? 0 : rows.value[0].size();
  if (origin + 1 < rows.first + encoder_length || origin >= rows.first + prepared) {
    throw Error(ErrorCode::kInternal,
                "window at row " + std::to_string(origin) + " needs rows " +
                    std::to_string(origin + 1) + " - " + std::to_string(encoder_length) + " .. " +
                    std::to_string(origin) + ", but only rows " + std::to_string(rows.first) +
                    " .. " + std::to_string(rows.first + prepared) + " (exclusive) were prepared");
  }

  size_t start = origin + 1 - encoder_length;
  for (size_t t = start; t <= origin; ++t) {
    for (size_t j = 0; j < rows.value.size(); ++j) {
      out.observed.push_back(rows.value[j][t - rows.first]);
      out.observed.push_back(rows.missing[j][t - rows.first]);
    }
  }

  int64_t origin_month = MonthCount(panel.months[origin]);
  for (int64_t step = -(encoder_length_ - 1); step <= decoder_length_; ++step) {
    int64_t month = origin_month + step;
    double angle = 2.0 * std::numbers::pi * static_cast<double>(month % 12) / 12.0;
    out.known.push_back(static_cast<float>(std::sin(angle)));
    out.known.push_back(static_cast<float>(std::cos(angle)));
    out.known.push_back(
        static_cast<float>((static_cast<double>(month) - time_scaler_.mean) / time_scaler_.scale));
  }

  const std::vector<double>& target = panel.columns[target_column];
  const ColumnScaler& scaler = scalers_[target_column];
  for (int h = 1; h <= decoder_length_; ++h) {
    size_t row = origin + static_cast<size_t>(h);
    bool usable = row < label_end && row < target.size() && std::isfinite(target[row]);
    out.target.push_back(usable ? static_cast<float>((target[row] - scaler.mean) / scaler.scale)
                                : 0.0f);
    out.target_mask.push_back(usable ? 1.0f : 0.0f);
  }
  out.entity.push_back(entity);
  ++out.count;
}

double WindowBuilder::Unscale(size_t column, double scaled) const {
  return scaled * scalers_[column].scale + scalers_[column].mean;
}

}  // namespace macropipe::forecast::tft
