// `macropipe backtest`: builds the FRED-MD panel from the warehouse, runs the
// out-of-sample backtest of the chosen models, prints the tables, writes them
// as a Markdown report and stores the scores in the warehouse.
// `macropipe forecast`: runs the forecast job on the latest data, stores the
// run in the warehouse, prints its table and writes its charts.
#include <spdlog/spdlog.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include "cli/command.h"
#include "cli/pipeline.h"
#include "core/error.h"
#include "core/files.h"
#include "forecast/backtest.h"
#include "forecast/backtest_report.h"
#include "forecast/backtest_store.h"
#include "forecast/forecast_job.h"
#include "forecast/panel.h"

namespace macropipe {
namespace {

struct BacktestCommandOptions {
  std::string models = "rw,ao12,ar4,lasso";
  std::string windows;
  std::string output;
  std::string source = "fred-md";
  std::string target = "CPIAUCSL";
  std::string as_of;
  int window_months = 0;
  int threads = 0;
  uint64_t seed = 0;
  std::vector<std::string> refit;
  std::vector<std::string> settings;
};

// Re-estimation every 12 months for the models too slow to refit monthly.
const std::map<std::string, int> kDefaultRefitMonths = {{"tft", 12}};

std::vector<std::string> SplitList(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  for (std::string part; std::getline(stream, part, separator);) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

Date ParseMonth(const std::string& text, const std::string& what) {
  std::optional<Date> month = Date::TryParseYearMonth(text);
  if (!month) {
    throw Error(ErrorCode::kInvalidInput,
                "invalid month '" + text + "' in " + what + ": write YYYY-MM, for example 1990-01");
  }
  return *month;
}

// Parses "1990-01:2000-12,2016-01:end"; empty means the default windows.
std::vector<forecast::EvaluationWindow> ParseWindows(const std::string& text) {
  if (text.empty()) return forecast::DefaultEvaluationWindows();
  std::vector<forecast::EvaluationWindow> windows;
  for (const std::string& part : SplitList(text, ',')) {
    size_t colon = part.find(':');
    if (colon == std::string::npos) {
      throw Error(ErrorCode::kInvalidInput,
                  "invalid window '" + part +
                      "' in --windows: write FIRST:LAST as YYYY-MM:YYYY-MM "
                      "or YYYY-MM:end");
    }
    std::string first = part.substr(0, colon);
    std::string last = part.substr(colon + 1);
    forecast::EvaluationWindow window;
    window.first = ParseMonth(first, "--windows");
    window.last = last == "end" ? Date::Max() : ParseMonth(last, "--windows");
    window.label = first.substr(0, 4) + "-" + (last == "end" ? "end" : last.substr(0, 4));
    windows.push_back(window);
  }
  return windows;
}

// Parses "MODEL=VALUE" into its two parts, naming `option` on failure.
std::pair<std::string, std::string> SplitAssignment(const std::string& text,
                                                    const std::string& option) {
  size_t equals = text.find('=');
  if (equals == std::string::npos || equals == 0 || equals + 1 == text.size()) {
    throw Error(ErrorCode::kInvalidInput, "invalid " + option + " '" + text +
                                              "': write NAME=VALUE, for example " +
                                              (option == "--refit" ? "tft=12" : "lasso.lags=6"));
  }
  return {text.substr(0, equals), text.substr(equals + 1)};
}

double ParseNumber(const std::string& text, const std::string& option) {
  try {
    size_t used = 0;
    double value = std::stod(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  throw Error(ErrorCode::kInvalidInput,
              "invalid number '" + text + "' in " + option + "; write a decimal number");
}

std::vector<forecast::BacktestModel> ParseModels(const BacktestCommandOptions& options) {
  std::vector<forecast::BacktestModel> models;
  for (const std::string& name : SplitList(options.models, ',')) {
    forecast::BacktestModel model;
    model.name = name;
    model.options.seed = options.seed;
    auto refit = kDefaultRefitMonths.find(name);
    if (refit != kDefaultRefitMonths.end()) model.refit_months = refit->second;
    models.push_back(model);
  }
  if (models.empty()) throw Error(ErrorCode::kInvalidInput, "--models names no model");

  auto find = [&](const std::string& name, const std::string& option) {
    for (forecast::BacktestModel& model : models) {
      if (model.name == name) return &model;
    }
    throw Error(ErrorCode::kInvalidInput,
                option + " names model '" + name + "', which is not in --models " + options.models);
  };
  for (const std::string& text : options.refit) {
    auto [name, value] = SplitAssignment(text, "--refit");
    double months = ParseNumber(value, "--refit");
    if (months < 1 || months != static_cast<int>(months)) {
      throw Error(ErrorCode::kInvalidInput,
                  "--refit " + text + ": give a whole number of months of at least 1");
    }
    find(name, "--refit")->refit_months = static_cast<int>(months);
  }
  for (const std::string& text : options.settings) {
    auto [key, value] = SplitAssignment(text, "--set");
    size_t dot = key.find('.');
    if (dot == std::string::npos) {
      throw Error(
          ErrorCode::kInvalidInput,
          "invalid --set '" + text + "': write MODEL.SETTING=VALUE, for example lasso.lags=6");
    }
    find(key.substr(0, dot), "--set")->options.settings[key.substr(dot + 1)] =
        ParseNumber(value, "--set");
  }

  // Creating each model once checks names and settings before any work.
  for (const forecast::BacktestModel& model : models) {
    if (model.name != "rw") forecast::MakeForecaster(model.name, model.options);
  }
  return models;
}

std::string CommandLine(const GlobalOptions& global, const BacktestCommandOptions& options) {
  std::string line = "macropipe";
  if (!global.data_dir.empty()) line += " --data-dir " + global.data_dir;
  line += " backtest --models " + options.models;
  if (!options.windows.empty()) line += " --windows " + options.windows;
  if (!options.as_of.empty()) line += " --as-of " + options.as_of;
  if (options.source != "fred-md") line += " --source " + options.source;
  if (options.target != "CPIAUCSL") line += " --target " + options.target;
  if (options.window_months > 0)
    line += " --window-months " + std::to_string(options.window_months);
  if (options.seed != 0) line += " --seed " + std::to_string(options.seed);
  for (const std::string& refit : options.refit) line += " --refit " + refit;
  for (const std::string& setting : options.settings) line += " --set " + setting;
  if (!options.output.empty()) line += " --output " + options.output;
  return line;
}

// Writes the report to `path`, unless it is empty.
void WriteReport(const std::string& path, const std::string& report) {
  if (path.empty()) return;
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << report;
  file.close();
  if (!file) {
    throw Error(ErrorCode::kPermissionDenied, "could not write the report to " + path +
                                                  "; check the folder exists and is "
                                                  "writable");
  }
  spdlog::info("backtest: wrote the report to {}", path);
}

int RunBacktestCommand(const GlobalOptions& global, const BacktestCommandOptions& options) {
  std::vector<forecast::BacktestModel> models = ParseModels(options);
  forecast::BacktestOptions backtest;
  backtest.windows = ParseWindows(options.windows);
  backtest.window_months = options.window_months;
  backtest.threads = options.threads > 0
                         ? options.threads
                         : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  forecast::PanelOptions panel_options;
  panel_options.source = options.source;
  panel_options.target_id = options.target;
  if (!options.as_of.empty()) panel_options.as_of = Date::ParseIso(options.as_of, "--as-of date");

  Workspace workspace(ExistingDataDir(global), LoadConfigOrEmpty(global));
  forecast::Panel panel = forecast::BuildPanel(workspace.warehouse(), panel_options);
  spdlog::info("backtest: panel of {} series, {} to {}; models {} on {} threads",
               panel.names.size(), panel.months.front().ToIso().substr(0, 7),
               panel.months.back().ToIso().substr(0, 7), options.models, backtest.threads);

  auto start = std::chrono::steady_clock::now();
  forecast::BacktestResult result = forecast::RunBacktest(panel, models, backtest);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  spdlog::info("backtest: finished {} windows in {:.1f} s", result.windows.size(), seconds);

  std::string command = CommandLine(global, options);
  std::string report = forecast::FormatBacktestReport(result, {command, seconds});
  std::cout << report;
  WriteReport(options.output, report);

  BacktestRunInfo run;
  run.created_at = UtcNowIso();
  run.source = options.source;
  run.target_id = options.target;
  run.data_vintage =
      forecast::DataVintage(workspace.warehouse(), options.source, panel_options.as_of);
  run.command = command;
  run.seconds = seconds;
  int64_t run_id =
      workspace.warehouse().StoreBacktest(forecast::MakeBacktestRecord(result, std::move(run)));
  spdlog::info("backtest: stored as backtest run {} in {}", run_id,
               workspace.warehouse().Location());
  return 0;
}

int RunForecastCommand(const GlobalOptions& global, bool retrain) {
  // Check the build first, so a build without LibTorch fails before any work.
  forecast::RequireForecasting();
  Config config = LoadConfigOrEmpty(global);
  forecast::ForecastJobSettings settings = forecast::ReadForecastSettings(config);
  std::filesystem::path data_dir = ExistingDataDir(global);
  DataDirLock lock(data_dir);
  Workspace workspace(data_dir, config);
  forecast::ForecastJobResult result =
      forecast::RunForecastJob(workspace.warehouse(), settings, {data_dir, retrain, ""});
  std::cout << forecast::FormatForecastTable(result.record);
  spdlog::info("forecast: wrote {} and {}", result.fan_chart.string(),
               result.importance_chart.string());
  return 0;
}

}  // namespace

void AddForecastCommands(CLI::App& app, const GlobalOptions& options,
                         std::vector<CommandRegistration>& commands) {
  auto backtest = std::make_shared<BacktestCommandOptions>();
  auto* command = app.add_subcommand(
      "backtest",
      "Backtest inflation forecasts out of sample, report accuracy ratios and store them in "
      "the warehouse");
  command->add_option("--models", backtest->models,
                      "Comma-separated forecasters, for example rw,ao12,ar4,lasso,tft "
                      "(default rw,ao12,ar4,lasso)");
  command->add_option("--windows", backtest->windows,
                      "Comma-separated evaluation windows of target months FIRST:LAST, as "
                      "YYYY-MM:YYYY-MM or YYYY-MM:end (default "
                      "1990-01:2000-12,2001-01:2015-12,2016-01:end)");
  command->add_option("--output", backtest->output, "Also write the report to this Markdown file");
  command->add_option("--as-of", backtest->as_of,
                      "Use the data as known on this date (YYYY-MM-DD); default the latest");
  command->add_option("--source", backtest->source,
                      "Source of the panel's series (default fred-md)");
  command->add_option("--target", backtest->target,
                      "Series whose monthly log change is forecast (default CPIAUCSL)");
  command
      ->add_option("--window-months", backtest->window_months,
                   "Months in each rolling estimation window; default: from 1960-01 to the "
                   "month before each evaluation window")
      ->check(CLI::NonNegativeNumber);
  command
      ->add_option("--threads", backtest->threads,
                   "Threads for the model fits (default: the number of CPU cores)")
      ->check(CLI::NonNegativeNumber);
  command->add_option("--seed", backtest->seed, "Seed passed to every model (default 0)");
  command->add_option("--refit", backtest->refit,
                      "MODEL=MONTHS: re-estimate MODEL every MONTHS origins (default 1; tft 12); "
                      "repeatable");
  command->add_option("--set", backtest->settings,
                      "MODEL.SETTING=VALUE: a numeric model setting, for example lasso.lags=6; "
                      "repeatable");
  commands.push_back(
      {command, [&options, backtest] { return RunBacktestCommand(options, *backtest); }});

  auto retrain = std::make_shared<bool>(false);
  auto* forecast_command = app.add_subcommand(
      "forecast",
      "Forecast monthly inflation 1 to 12 months ahead with the TFT, store the run in the "
      "warehouse and write its fan and importance charts as SVG; settings come from the "
      "[forecast] table of --config");
  forecast_command->add_flag("--retrain", *retrain,
                             "Fit a new model even when the saved one fits the settings and data");
  commands.push_back(
      {forecast_command, [&options, retrain] { return RunForecastCommand(options, *retrain); }});
}

}  // namespace macropipe
