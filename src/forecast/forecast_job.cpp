#include "forecast/forecast_job.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <tuple>

#include "core/error.h"
#include "core/files.h"
#include "forecast/backtest.h"
#include "forecast/explained_forecaster.h"
#include "forecast/forecast_charts.h"
#include "forecast/panel.h"
#include "forecast/registry.h"

namespace macropipe::forecast {
namespace {

constexpr char kModel[] = "tft";
constexpr int kAccumulatedMonths[] = {3, 6, 12};
constexpr size_t kHistoryMonths = 36;  // Observed months before the forecast in the fan chart.

// Keeps the target and the configured inputs, in the order the panel has them.
Panel SelectInputs(Panel panel, const ForecastJobSettings& settings) {
  if (settings.inputs.empty()) return panel;
  for (const std::string& input : settings.inputs) {
    if (std::find(panel.names.begin(), panel.names.end(), input) == panel.names.end()) {
      throw Error(ErrorCode::kNotFound,
                  "forecast input '" + input + "' is not a series of source '" + settings.source +
                      "' with observations in the warehouse; fix [forecast] inputs or load it");
    }
  }
  Panel selected;
  selected.months = std::move(panel.months);
  for (size_t j = 0; j < panel.names.size(); ++j) {
    bool keep = j == panel.target_column ||
                std::find(settings.inputs.begin(), settings.inputs.end(), panel.names[j]) !=
                    settings.inputs.end();
    if (!keep) continue;
    if (j == panel.target_column) selected.target_column = selected.names.size();
    selected.names.push_back(std::move(panel.names[j]));
    selected.columns.push_back(std::move(panel.columns[j]));
  }
  return selected;
}

std::unique_ptr<ExplainedForecaster> MakeModel(const ForecastJobSettings& settings) {
  std::unique_ptr<Forecaster> model = MakeForecaster(kModel, ForecastModelOptions(settings));
  auto* explained = dynamic_cast<ExplainedForecaster*>(model.get());
  if (explained == nullptr) {
    throw Error(ErrorCode::kInternal,
                std::string("forecaster '") + kModel + "' cannot explain or save its forecasts");
  }
  model.release();
  return std::unique_ptr<ExplainedForecaster>(explained);
}

std::filesystem::path Resolve(const std::filesystem::path& base, const std::string& path) {
  std::filesystem::path resolved = path;
  return resolved.is_absolute() ? resolved : base / resolved;
}

// Loads the saved model unless a new fit is requested or the saved one no
// longer fits; returns true when it was loaded.
bool TryLoad(ExplainedForecaster& model, const std::filesystem::path& file, const Panel& panel,
             bool retrain) {
  if (retrain || !std::filesystem::exists(file)) return false;
  try {
    model.Load(file, panel);
    return true;
  } catch (const Error& error) {
    if (error.code() != ErrorCode::kFailedPrecondition) throw;
    spdlog::info("forecast: fitting a new model, because {}", error.what());
    return false;
  }
}

std::string SettingsJson(const ExplainedForecaster& model, const ForecastJobSettings& settings) {
  nlohmann::ordered_json json;
  json["model"] = kModel;
  for (const auto& [name, value] : model.setting_values()) json[name] = value;
  json["training_months"] = settings.training_months;
  json["inputs"] = settings.inputs;
  return json.dump();
}

ForecastRecord BuildRecord(const ExplainedForecaster& model,
                           const std::vector<QuantileForecast>& forecasts, const Panel& panel,
                           size_t origin) {
  ForecastRecord record;
  Date origin_month = panel.months[origin];
  std::vector<double> medians;
  for (const QuantileForecast& forecast : forecasts) {
    record.horizons.push_back({forecast.horizon, origin_month.AddMonths(forecast.horizon).ToIso(),
                               forecast.p10, forecast.p50, forecast.p90});
    medians.push_back(forecast.p50);
  }
  for (int months : kAccumulatedMonths) {
    record.accumulated.push_back(
        {months, Compound(std::vector<double>(medians.begin(), medians.begin() + months))});
  }
  for (const InputImportance& input : model.encoder_importance()) {
    record.importances.push_back({"encoder", input.name, input.weight});
  }
  for (const InputImportance& input : model.decoder_importance()) {
    record.importances.push_back({"decoder", input.name, input.weight});
  }
  // The order ReadForecast returns: encoder first, then by weight.
  std::stable_sort(record.importances.begin(), record.importances.end(),
                   [](const ImportanceRecord& a, const ImportanceRecord& b) {
                     return std::tie(b.stage, b.weight, a.input) <
                            std::tie(a.stage, a.weight, b.input);
                   });
  const AttentionMap& attention = model.last_attention();
  for (size_t h = 0; h < attention.weights.size(); ++h) {
    for (size_t i = 0; i < attention.offsets.size(); ++i) {
      record.attention.push_back(
          {static_cast<int>(h) + 1, attention.offsets[i], attention.weights[h][i]});
    }
  }
  return record;
}

ChartHistory RecentHistory(const Panel& panel, size_t origin) {
  ChartHistory history;
  size_t first = origin + 1 > kHistoryMonths ? origin + 1 - kHistoryMonths : 0;
  for (size_t row = first; row <= origin; ++row) {
    history.months.push_back(panel.months[row]);
    history.values.push_back(panel.columns[panel.target_column][row]);
  }
  return history;
}

std::string Percent(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%7.3f", 100 * value);
  return buffer;
}

}  // namespace

Panel BuildForecastPanel(Warehouse& warehouse, const ForecastJobSettings& settings) {
  PanelOptions options{settings.source, settings.target, settings.as_of};
  return SelectInputs(BuildPanel(warehouse, options), settings);
}

ForecasterOptions ForecastModelOptions(const ForecastJobSettings& settings) {
  ForecasterOptions options;
  options.seed = settings.seed;
  options.settings = settings.model_settings;
  options.settings["max_horizon"] = kForecastHorizons;
  return options;
}

bool ForecastingAvailable() {
  std::vector<std::string> types = ForecasterTypes();
  return std::find(types.begin(), types.end(), kModel) != types.end();
}

void RequireForecasting() {
  if (!ForecastingAvailable()) {
    throw Error(ErrorCode::kFailedPrecondition,
                "this build of macropipe has no forecasting: it was built with "
                "-DMACROPIPE_WITH_TORCH=OFF; install libtorch-dev and rebuild with "
                "-DMACROPIPE_WITH_TORCH=ON");
  }
}

ForecastJobResult RunForecastJob(Warehouse& warehouse, const ForecastJobSettings& settings,
                                 const ForecastJobOptions& options) {
  RequireForecasting();
  std::unique_ptr<ExplainedForecaster> model = MakeModel(settings);

  Panel panel = BuildForecastPanel(warehouse, settings);
  size_t end = panel.months.size();
  size_t begin = settings.training_months > 0 && end > static_cast<size_t>(settings.training_months)
                     ? end - static_cast<size_t>(settings.training_months)
                     : 0;
  size_t origin = end - 1;

  std::filesystem::path output_dir = Resolve(options.data_dir, settings.output_dir);
  CreateDirectories(output_dir);
  ForecastJobResult result;
  result.model_file = Resolve(output_dir, settings.model_file);
  bool loaded = TryLoad(*model, result.model_file, panel, options.retrain);
  if (loaded) {
    spdlog::info("forecast: loaded the saved model {}", result.model_file.string());
  } else {
    spdlog::info("forecast: fitting {} on {} inputs, {} to {}", kModel, panel.names.size(),
                 panel.months[begin].ToIso().substr(0, 7),
                 panel.months[origin].ToIso().substr(0, 7));
    auto start = std::chrono::steady_clock::now();
    model->Fit(panel, begin, end);
    std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
    spdlog::info("forecast: fitted in {:.1f} s", seconds.count());
    model->Save(result.model_file);
  }
  std::vector<QuantileForecast> forecasts = model->Predict(panel, origin, kForecastHorizons);

  ForecastRecord record = BuildRecord(*model, forecasts, panel, origin);
  record.run.created_at = options.created_at.empty() ? UtcNowIso() : options.created_at;
  record.run.source = settings.source;
  record.run.target_id = settings.target;
  record.run.model = kModel;
  record.run.data_vintage = DataVintage(warehouse, settings.source, settings.as_of);
  record.run.origin_month = panel.months[origin].ToIso();
  // A loaded model's fit window was recorded by the run that fitted it.
  if (!loaded) {
    record.run.training_first = panel.months[begin].ToIso();
    record.run.training_last = panel.months[origin].ToIso();
  }
  record.run.settings = SettingsJson(*model, settings);
  record.run.model_file = result.model_file.string();
  record.run.model_loaded = loaded;
  record.run.run_id = warehouse.StoreForecast(record);
  spdlog::info("forecast: stored run {} in {}", record.run.run_id, warehouse.Location());

  std::string prefix = "run-" + std::to_string(record.run.run_id);
  result.fan_chart = output_dir / (prefix + "-fan.svg");
  result.importance_chart = output_dir / (prefix + "-importance.svg");
  WriteFileAtomically(result.fan_chart, FanChartSvg(RecentHistory(panel, origin), record));
  WriteFileAtomically(result.importance_chart, ImportanceChartSvg(record));
  result.record = std::move(record);
  return result;
}

std::string FormatForecastTable(const ForecastRecord& record) {
  const ForecastRunInfo& run = record.run;
  std::string text = "Forecast run " + std::to_string(run.run_id) + ": " + run.target_id +
                     " monthly inflation in percent (100 x log change), from " +
                     run.origin_month.substr(0, 7) + ", data vintage " + run.data_vintage +
                     (run.model_loaded ? ", saved model" : ", new fit") + "\n";

  text += "horizon  month        P10      P50      P90\n";
  for (const HorizonForecast& row : record.horizons) {
    char line[96];
    std::snprintf(line, sizeof line, "%7d  %s  %s  %s  %s\n", row.horizon,
                  row.target_month.substr(0, 7).c_str(), Percent(row.p10).c_str(),
                  Percent(row.p50).c_str(), Percent(row.p90).c_str());
    text += line;
  }

  text += "Accumulated inflation, percent (compounded P50):";
  for (const AccumulatedForecast& row : record.accumulated) {
    text += " " + std::to_string(row.months) + " months" + Percent(row.value);
  }

  std::vector<ImportanceRecord> encoder;
  for (const ImportanceRecord& row : record.importances) {
    if (row.stage == "encoder") encoder.push_back(row);
  }
  std::stable_sort(
      encoder.begin(), encoder.end(),
      [](const ImportanceRecord& a, const ImportanceRecord& b) { return a.weight > b.weight; });
  text += "\nMost important inputs over past months (selection weight):";
  for (size_t i = 0; i < encoder.size() && i < 5; ++i) {
    char weight[32];
    std::snprintf(weight, sizeof weight, " %.3f", encoder[i].weight);
    text += (i == 0 ? " " : ", ") + encoder[i].input + weight;
  }
  return text + "\n";
}

}  // namespace macropipe::forecast
