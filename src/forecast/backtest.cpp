#include "forecast/backtest.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>

#include "core/error.h"
#include "forecast/metrics.h"
#include "forecast/naive_forecasters.h"

namespace macropipe::forecast {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

int MonthIndex(const Date& date) { return date.year() * 12 + static_cast<int>(date.month()) - 1; }

// Forecast paths by origin row, for origins [first, first + paths.size()).
struct OriginPaths {
  size_t first = 0;
  std::vector<std::vector<QuantileForecast>> paths;

  const QuantileForecast& At(size_t origin, int horizon) const {
    return paths.at(origin - first).at(static_cast<size_t>(horizon - 1));
  }
};

struct RunPlan {
  size_t first_origin = 0;
  size_t last_origin = 0;
  int window_months = 0;
  int max_horizon = 0;
  int threads = 1;
};

void CheckPath(const std::vector<QuantileForecast>& path, const std::string& model, size_t origin,
               const Panel& panel, int max_horizon) {
  bool valid = path.size() == static_cast<size_t>(max_horizon);
  for (size_t i = 0; valid && i < path.size(); ++i) {
    valid = path[i].horizon == static_cast<int>(i + 1) && std::isfinite(path[i].p50);
  }
  if (!valid) {
    throw Error(ErrorCode::kInternal,
                "forecaster '" + model + "' returned an invalid path from origin " +
                    panel.months[origin].ToIso() + ": it must give horizons 1.." +
                    std::to_string(max_horizon) + " in order, each with a finite p50");
  }
}

// Forecasts every origin of the plan. Origins form groups of refit_months
// consecutive origins. Each group gets a fresh model fitted at its first
// origin, so the result does not depend on the number of threads.
OriginPaths ForecastOrigins(const Panel& panel, const BacktestModel& model, const RunPlan& plan) {
  const size_t count = plan.last_origin - plan.first_origin + 1;
  const size_t group_size = static_cast<size_t>(std::max(1, model.refit_months));
  const size_t groups = (count + group_size - 1) / group_size;
  OriginPaths result{plan.first_origin, std::vector<std::vector<QuantileForecast>>(count)};

  std::atomic<size_t> next_group{0};
  std::mutex error_mutex;
  std::exception_ptr error;
  auto work = [&] {
    for (size_t group = next_group++; group < groups; group = next_group++) {
      try {
        std::unique_ptr<Forecaster> forecaster = MakeForecaster(model.name, model.options);
        size_t fit_origin = plan.first_origin + group * group_size;
        size_t window = static_cast<size_t>(plan.window_months);
        size_t begin = fit_origin + 1 >= window ? fit_origin + 1 - window : 0;
        forecaster->Fit(panel, begin, fit_origin + 1);
        size_t last = std::min(fit_origin + group_size - 1, plan.last_origin);
        for (size_t origin = fit_origin; origin <= last; ++origin) {
          std::vector<QuantileForecast> path = forecaster->Predict(panel, origin, plan.max_horizon);
          CheckPath(path, model.name, origin, panel, plan.max_horizon);
          result.paths[origin - plan.first_origin] = std::move(path);
        }
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
        next_group = groups;
      }
    }
  };

  size_t threads = std::min<size_t>(static_cast<size_t>(std::max(1, plan.threads)), groups);
  std::vector<std::thread> pool;
  for (size_t i = 1; i < threads; ++i) pool.emplace_back(work);
  work();
  for (std::thread& thread : pool) thread.join();
  if (error) std::rethrow_exception(error);
  return result;
}

// The forecasts and outcomes of one column of one window.
struct Column {
  std::vector<double> p10, p50, p90;
  std::vector<double> outcomes;

  std::vector<double> Errors() const {
    std::vector<double> errors(p50.size());
    for (size_t i = 0; i < p50.size(); ++i) errors[i] = p50[i] - outcomes[i];
    return errors;
  }
};

class WindowScorer {
 public:
  WindowScorer(const Panel& panel, size_t first_target, size_t last_target)
      : target_(panel.columns[panel.target_column]),
        first_target_(first_target),
        last_target_(last_target) {}

  // The model's column; `paths` null means the random walk benchmark.
  Column Collect(const OriginPaths* paths, int horizon, bool accumulated) const {
    Column column;
    for (size_t t = first_target_; t <= last_target_; ++t) {
      size_t origin = t - static_cast<size_t>(horizon);
      double outcome = accumulated ? CompoundTarget(origin + 1, t) : target_[t];
      double p10 = kMissing, p50 = kMissing, p90 = kMissing;
      if (paths == nullptr) {
        p50 = accumulated ? CompoundTarget(origin + 1 - static_cast<size_t>(horizon), origin)
                          : target_[origin];
        p10 = p90 = p50;
      } else if (accumulated) {
        std::vector<double> rates;
        for (int h = 1; h <= horizon; ++h) rates.push_back(paths->At(origin, h).p50);
        p50 = Compound(rates);
        p10 = p90 = p50;
      } else {
        const QuantileForecast& forecast = paths->At(origin, horizon);
        p10 = forecast.p10;
        p50 = forecast.p50;
        p90 = forecast.p90;
      }
      column.p10.push_back(p10);
      column.p50.push_back(p50);
      column.p90.push_back(p90);
      column.outcomes.push_back(outcome);
    }
    return column;
  }

 private:
  double CompoundTarget(size_t first, size_t last) const {
    return Compound(std::vector<double>(target_.begin() + static_cast<std::ptrdiff_t>(first),
                                        target_.begin() + static_cast<std::ptrdiff_t>(last) + 1));
  }

  const std::vector<double>& target_;
  size_t first_target_;
  size_t last_target_;
};

bool HasQuantiles(const OriginPaths& paths) {
  for (const std::vector<QuantileForecast>& path : paths.paths) {
    for (const QuantileForecast& forecast : path) {
      if (forecast.p10 != forecast.p50 || forecast.p90 != forecast.p50) return true;
    }
  }
  return false;
}

Score ScoreColumn(const Column& model, const Column& random_walk, const Column& ao12, int horizon,
                  bool accumulated, bool is_ao12, bool has_quantiles) {
  Score score;
  score.horizon = horizon;
  score.accumulated = accumulated;
  score.count = model.p50.size();
  std::vector<double> errors = model.Errors();
  std::vector<double> benchmark_errors = random_walk.Errors();
  score.rmse = RootMeanSquaredError(errors);
  score.mae = MeanAbsoluteError(errors);
  score.rmse_ratio = score.rmse / RootMeanSquaredError(benchmark_errors);
  score.mae_ratio = score.mae / MeanAbsoluteError(benchmark_errors);

  score.dm_statistic = score.dm_p_value = kMissing;
  if (!is_ao12 && score.count >= 2) {
    DieboldMarianoResult test = DieboldMariano(errors, ao12.Errors(), horizon);
    score.dm_statistic = test.statistic;
    score.dm_p_value = test.p_value;
  }

  score.p50_loss = score.p90_loss = score.coverage80 = kMissing;
  if (has_quantiles && !accumulated) {
    score.p50_loss = MeanQuantileLoss(model.p50, model.outcomes, 0.5);
    score.p90_loss = MeanQuantileLoss(model.p90, model.outcomes, 0.9);
    score.coverage80 = Coverage(model.p10, model.p90, model.outcomes);
  }
  return score;
}

// Rows of the window's first and last target months, or an error naming it.
std::pair<size_t, size_t> TargetRows(const Panel& panel, EvaluationWindow& window) {
  int first_month = MonthIndex(panel.months.front());
  int last_month = MonthIndex(panel.months.back());
  int first = MonthIndex(window.first);
  int last = std::min(MonthIndex(window.last), last_month);
  if (first < first_month || first > last) {
    throw Error(ErrorCode::kInvalidInput,
                "evaluation window " + window.label + " (" + window.first.ToIso() + " to " +
                    window.last.ToIso() + ") lies outside the panel's months " +
                    panel.months.front().ToIso() + " to " + panel.months.back().ToIso() +
                    "; choose windows inside the data");
  }
  window.last = panel.months[static_cast<size_t>(last - first_month)];
  return {static_cast<size_t>(first - first_month), static_cast<size_t>(last - first_month)};
}

void CheckOptions(const BacktestOptions& options) {
  if (options.max_horizon < 1) {
    throw Error(ErrorCode::kInvalidInput, "the maximum horizon must be at least 1, not " +
                                              std::to_string(options.max_horizon));
  }
  for (int k : options.accumulated) {
    if (k < 1 || k > options.max_horizon) {
      throw Error(ErrorCode::kInvalidInput,
                  "accumulated horizon " + std::to_string(k) + " must lie in 1.." +
                      std::to_string(options.max_horizon) + ", the horizons forecast");
    }
  }
  if (options.window_months < 0) {
    throw Error(ErrorCode::kInvalidInput, "the estimation window must not be negative");
  }
}

WindowResult RunWindow(const Panel& panel, const std::vector<BacktestModel>& models,
                       const BacktestOptions& options, EvaluationWindow window) {
  auto [first_target, last_target] = TargetRows(panel, window);
  const int longest = options.max_horizon;
  int longest_accumulated = 0;
  for (int k : options.accumulated) longest_accumulated = std::max(longest_accumulated, k);
  // AO12 reads 12 months up to the earliest origin, t - H, and the random
  // walk's accumulated forecast reads 2k - 1 months before target t.
  size_t history = static_cast<size_t>(std::max(longest + 11, 2 * longest_accumulated - 1));
  if (first_target < history) {
    throw Error(ErrorCode::kInvalidInput,
                "evaluation window " + window.label + " starts " + std::to_string(first_target) +
                    " months into the panel, but needs " + std::to_string(history) +
                    " months before it; start it later");
  }

  WindowResult result;
  result.estimation_months = options.window_months > 0
                                 ? options.window_months
                                 : MonthIndex(window.first) - MonthIndex(options.sample_start);
  if (result.estimation_months < 1) {
    throw Error(ErrorCode::kInvalidInput,
                "evaluation window " + window.label + " starts before the sample start " +
                    options.sample_start.ToIso() + "; set the estimation window's length");
  }
  result.window = window;

  RunPlan plan{first_target - static_cast<size_t>(longest), last_target - 1,
               result.estimation_months, longest, options.threads};
  BacktestModel ao12_model{"ao12", {}, 1};
  for (const BacktestModel& model : models) {
    if (model.name == "ao12") ao12_model = model;
  }
  OriginPaths ao12 = ForecastOrigins(panel, ao12_model, plan);
  WindowScorer scorer(panel, first_target, last_target);

  for (const BacktestModel& model : models) {
    bool is_rw = model.name == "rw";
    bool is_ao12 = model.name == "ao12";
    OriginPaths paths;
    if (!is_rw && !is_ao12) paths = ForecastOrigins(panel, model, plan);
    const OriginPaths* own = is_rw ? nullptr : (is_ao12 ? &ao12 : &paths);

    ModelScores scores{model.name, own != nullptr && HasQuantiles(*own), model.refit_months, {}};
    auto add = [&](int horizon, bool accumulated) {
      scores.scores.push_back(ScoreColumn(scorer.Collect(own, horizon, accumulated),
                                          scorer.Collect(nullptr, horizon, accumulated),
                                          scorer.Collect(&ao12, horizon, accumulated), horizon,
                                          accumulated, is_ao12, scores.has_quantiles));
    };
    for (int h = 1; h <= longest; ++h) add(h, false);
    for (int k : options.accumulated) add(k, true);
    result.models.push_back(std::move(scores));
  }
  return result;
}

}  // namespace

std::vector<EvaluationWindow> DefaultEvaluationWindows() {
  return {{"1990-2000", Date(1990, 1, 1), Date(2000, 12, 1)},
          {"2001-2015", Date(2001, 1, 1), Date(2015, 12, 1)},
          {"2016-end", Date(2016, 1, 1), Date::Max()}};
}

double Compound(const std::vector<double>& rates) {
  double growth = 1;
  for (double rate : rates) growth *= 1 + rate;
  return growth - 1;
}

BacktestResult RunBacktest(const Panel& panel, const std::vector<BacktestModel>& models,
                           const BacktestOptions& options) {
  CheckOptions(options);
  if (panel.months.empty()) throw Error(ErrorCode::kInvalidInput, "the panel has no months");
  for (size_t t = 0; t < panel.months.size(); ++t) TargetAt(panel, t);

  BacktestResult result;
  result.first_month = panel.months.front().ToIso().substr(0, 7);
  result.last_month = panel.months.back().ToIso().substr(0, 7);
  for (const EvaluationWindow& window : options.windows) {
    result.windows.push_back(RunWindow(panel, models, options, window));
  }
  return result;
}

std::string HorizonLabel(const Score& score) {
  return (score.accumulated ? "acc" : "h") + std::to_string(score.horizon);
}

}  // namespace macropipe::forecast
