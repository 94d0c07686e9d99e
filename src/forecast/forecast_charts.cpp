#include "forecast/forecast_charts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "forecast/svg_writer.h"

namespace macropipe::forecast {
namespace {

constexpr double kWidth = 720;
constexpr double kHeight = 400;
constexpr double kLeft = 64;
constexpr double kRight = 24;
constexpr double kTop = 48;
constexpr double kBottom = 56;
constexpr char kBandColor[] = "#4878b0";
constexpr char kGridColor[] = "#dddddd";

std::string Percent(double value, int decimals) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

// A tick step of 1, 2 or 5 times a power of ten that gives about `ticks` ticks.
double TickStep(double span, int ticks) {
  double raw = span / ticks;
  double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double factor : {1.0, 2.0, 5.0}) {
    if (factor * power >= raw) return factor * power;
  }
  return 10 * power;
}

// Maps months (0 = first history month) and percent values to the plot area.
struct Axes {
  double months = 1;
  double low = 0;
  double high = 1;
  SvgPoint At(double month, double value) const {
    double x = kLeft + (kWidth - kLeft - kRight) * month / std::max(1.0, months);
    double y = kTop + (kHeight - kTop - kBottom) * (high - value) / (high - low);
    return {x, y};
  }
};

Axes FitAxes(const ChartHistory& history, const ForecastRecord& record) {
  double low = HUGE_VAL;
  double high = -HUGE_VAL;
  auto include = [&](double value) {
    if (!std::isfinite(value)) return;
    low = std::min(low, 100 * value);
    high = std::max(high, 100 * value);
  };
  for (double value : history.values) include(value);
  for (const HorizonForecast& horizon : record.horizons) {
    include(horizon.p10);
    include(horizon.p90);
  }
  if (!(low <= high)) low = high = 0;
  double pad = std::max(0.05, 0.1 * (high - low));
  return {static_cast<double>(history.months.size() + record.horizons.size()) - 1, low - pad,
          high + pad};
}

void DrawGrid(SvgWriter& svg, const Axes& axes, const ChartHistory& history) {
  double step = TickStep(axes.high - axes.low, 5);
  int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step))));
  for (double tick = std::ceil(axes.low / step) * step; tick <= axes.high; tick += step) {
    if (std::abs(tick) < 1e-9 * step) tick = 0;  // Keeps rounding from printing "-0.0".
    SvgPoint left = axes.At(0, tick);
    svg.Line(left, {kWidth - kRight, left.y}, {kGridColor, 1, ""});
    svg.Text(kLeft - 6, left.y + 4, Percent(tick, decimals), {.size = 11, .anchor = "end"});
  }
  auto label_every = static_cast<size_t>(std::max(1.0, std::ceil((axes.months + 1) / 8)));
  for (size_t month = 0; month <= static_cast<size_t>(axes.months); month += label_every) {
    SvgPoint bottom = axes.At(static_cast<double>(month), axes.low);
    Date date =
        history.months.empty() ? Date() : history.months.front().AddMonths(static_cast<int>(month));
    svg.Line(bottom, {bottom.x, bottom.y + 4}, {"black", 1, ""});
    svg.Text(bottom.x, bottom.y + 18, date.ToIso().substr(0, 7), {.size = 11, .anchor = "middle"});
  }
  svg.Line(axes.At(0, axes.low), axes.At(axes.months, axes.low), {"black", 1, ""});
}

// Draws the history as polylines broken at missing months.
void DrawHistory(SvgWriter& svg, const Axes& axes, const ChartHistory& history) {
  std::vector<SvgPoint> segment;
  for (size_t i = 0; i <= history.values.size(); ++i) {
    bool present = i < history.values.size() && std::isfinite(history.values[i]);
    if (present) segment.push_back(axes.At(static_cast<double>(i), 100 * history.values[i]));
    if (!present && !segment.empty()) {
      svg.Polyline(segment, {"black", 1.5, ""});
      segment.clear();
    }
  }
}

void DrawForecast(SvgWriter& svg, const Axes& axes, const ChartHistory& history,
                  const ForecastRecord& record) {
  auto origin = static_cast<double>(history.months.size()) - 1;
  std::vector<SvgPoint> upper;
  std::vector<SvgPoint> lower;
  std::vector<SvgPoint> median;
  if (!history.values.empty() && std::isfinite(history.values.back())) {
    SvgPoint start = axes.At(origin, 100 * history.values.back());
    upper.push_back(start);
    median.push_back(start);
  }
  for (const HorizonForecast& horizon : record.horizons) {
    double month = origin + horizon.horizon;
    upper.push_back(axes.At(month, 100 * horizon.p90));
    lower.push_back(axes.At(month, 100 * horizon.p10));
    median.push_back(axes.At(month, 100 * horizon.p50));
  }
  std::vector<SvgPoint> band = upper;
  band.insert(band.end(), lower.rbegin(), lower.rend());
  svg.Polygon(band, kBandColor, 0.3);
  svg.Polyline(median, {kBandColor, 2, "5 3"});
}

}  // namespace

std::string FanChartSvg(const ChartHistory& history, const ForecastRecord& record) {
  SvgWriter svg(kWidth, kHeight);
  Axes axes = FitAxes(history, record);
  svg.Text(kLeft, 24,
           record.run.target_id + " monthly inflation, percent: forecast from " +
               record.run.origin_month.substr(0, 7) + " (run " + std::to_string(record.run.run_id) +
               ", data vintage " + record.run.data_vintage + ")",
           {.size = 14});
  DrawGrid(svg, axes, history);
  DrawHistory(svg, axes, history);
  DrawForecast(svg, axes, history, record);
  double legend_y = kHeight - 14;
  svg.Line({kLeft, legend_y - 4}, {kLeft + 24, legend_y - 4}, {"black", 1.5, ""});
  svg.Text(kLeft + 30, legend_y, "observed", {.size = 11});
  svg.Line({kLeft + 110, legend_y - 4}, {kLeft + 134, legend_y - 4}, {kBandColor, 2, "5 3"});
  svg.Text(kLeft + 140, legend_y, "P50 forecast", {.size = 11});
  svg.Rect(kLeft + 240, legend_y - 10, 24, 10, kBandColor, 0.3);
  svg.Text(kLeft + 270, legend_y, "P10 to P90", {.size = 11});
  return svg.Finish();
}

std::string ImportanceChartSvg(const ForecastRecord& record, size_t max_bars) {
  constexpr double kRow = 20;
  constexpr double kLabelWidth = 200;
  std::vector<std::pair<std::string, std::vector<ImportanceRecord>>> stages = {{"encoder", {}},
                                                                               {"decoder", {}}};
  for (const ImportanceRecord& row : record.importances) {
    for (auto& [stage, rows] : stages) {
      if (row.stage == stage) rows.push_back(row);
    }
  }
  for (auto& [stage, rows] : stages) {
    std::stable_sort(
        rows.begin(), rows.end(),
        [](const ImportanceRecord& a, const ImportanceRecord& b) { return a.weight > b.weight; });
    if (stage == "encoder" && rows.size() > max_bars) rows.resize(max_bars);
  }

  double height = kTop + 16;
  for (const auto& [stage, rows] : stages) height += 28 + kRow * static_cast<double>(rows.size());
  SvgWriter svg(kWidth, height);
  svg.Text(16, 24,
           record.run.target_id + " forecast run " + std::to_string(record.run.run_id) +
               ": mean variable selection weight",
           {.size = 14});
  double y = kTop;
  for (const auto& [stage, rows] : stages) {
    svg.Text(16, y + 12,
             stage == "encoder" ? "Past months (encoder), top " + std::to_string(rows.size())
                                : "Forecast months (decoder)",
             {.size = 12});
    y += 24;
    double largest = 0;
    for (const ImportanceRecord& row : rows) largest = std::max(largest, row.weight);
    double bar_space = kWidth - kLabelWidth - 80;
    for (const ImportanceRecord& row : rows) {
      double length = largest > 0 ? bar_space * row.weight / largest : 0;
      svg.Text(kLabelWidth - 8, y + 13, row.input, {.size = 11, .anchor = "end"});
      svg.Rect(kLabelWidth, y + 3, length, kRow - 6, kBandColor);
      svg.Text(kLabelWidth + length + 6, y + 13, Percent(row.weight, 3), {.size = 11});
      y += kRow;
    }
    y += 4;
  }
  return svg.Finish();
}

}  // namespace macropipe::forecast
