#include "warehouse/backtest_tables.h"

#include <array>
#include <charconv>
#include <string>

#include "core/error.h"

namespace macropipe {
namespace {

constexpr char kRunColumns[] =
    "created_at, source, target_id, data_vintage, panel_first, panel_last, models, windows, "
    "command, seconds";
constexpr int kRunTexts = 9;  // The columns before `seconds`.

constexpr char kScoreColumns[] =
    "window_label, window_first, window_last, estimation_months, model, refit_months, horizon, "
    "targets, rmse, mae, rmse_ratio, mae_ratio, dm_statistic, dm_p_value, p50_loss, p90_loss, "
    "coverage80";
constexpr int kScoreMetrics = 9;  // The last columns, each nullable.

std::array<const std::string*, kRunTexts> RunTexts(const BacktestRunInfo& run) {
  return {&run.created_at, &run.source, &run.target_id, &run.data_vintage, &run.panel_first,
          &run.panel_last, &run.models, &run.windows,   &run.command};
}

std::array<std::string*, kRunTexts> RunTexts(BacktestRunInfo& run) {
  return {&run.created_at, &run.source, &run.target_id, &run.data_vintage, &run.panel_first,
          &run.panel_last, &run.models, &run.windows,   &run.command};
}

template <typename Score>
auto Metrics(Score& score) {
  return std::array{&score.rmse,      &score.mae,          &score.rmse_ratio,
                    &score.mae_ratio, &score.dm_statistic, &score.dm_p_value,
                    &score.p50_loss,  &score.p90_loss,     &score.coverage80};
}

// Returns `count` numbered parameters from `first`, for example "?1, ?2" or
// "$3, $4, $5".
std::string Placeholders(char mark, int first, int count) {
  std::string text;
  for (int i = first; i < first + count; ++i) {
    if (!text.empty()) text += ", ";
    text += mark + std::to_string(i);
  }
  return text;
}

// PostgreSQL types the parameters of INSERT ... SELECT as text, so `seconds`
// is cast; SQLite takes the bound double as it is.
std::string InsertRunSql(char mark) {
  std::string seconds = mark + std::to_string(kRunTexts + 1);
  if (mark == '$') seconds += "::double precision";
  return std::string("INSERT INTO backtest_runs (run_id, ") + kRunColumns +
         ") SELECT coalesce(max(run_id), 0) + 1, " + Placeholders(mark, 1, kRunTexts) + ", " +
         seconds + " FROM backtest_runs RETURNING run_id";
}

std::string SelectRunSql(char mark) {
  return std::string("SELECT ") + kRunColumns + " FROM backtest_runs WHERE run_id = " + mark + "1";
}

std::string SelectScoresSql(char mark) {
  return std::string("SELECT ") + kScoreColumns + " FROM backtest_scores WHERE run_id = " + mark +
         "1 ORDER BY position";
}

}  // namespace

int64_t InsertBacktest(SqliteDatabase& db, const BacktestRecord& record) {
  SqliteStatement& run = db.Cached(InsertRunSql('?'));
  int index = 1;
  for (const std::string* text : RunTexts(record.run)) run.Bind(index++, *text);
  run.Bind(index, record.run.seconds);
  if (!run.Step()) throw Error(ErrorCode::kInternal, "backtest run insert returned no id");
  int64_t run_id = run.Int(0);
  run.Reset();

  SqliteStatement& score =
      db.Cached(std::string("INSERT INTO backtest_scores (run_id, position, ") + kScoreColumns +
                ") VALUES (" + Placeholders('?', 1, 10 + kScoreMetrics) + ")");
  int64_t position = 0;
  for (const BacktestScoreRecord& row : record.scores) {
    score.Bind(1, run_id);
    score.Bind(2, position++);
    score.Bind(3, row.window);
    score.Bind(4, row.window_first);
    score.Bind(5, row.window_last);
    score.Bind(6, int64_t{row.estimation_months});
    score.Bind(7, row.model);
    score.Bind(8, int64_t{row.refit_months});
    score.Bind(9, row.horizon);
    score.Bind(10, row.targets);
    index = 11;
    for (const std::optional<double>* metric : Metrics(row)) score.Bind(index++, *metric);
    score.Run();
  }
  return run_id;
}

std::optional<BacktestRecord> SelectBacktest(SqliteDatabase& db, int64_t run_id) {
  SqliteStatement& run = db.Cached(SelectRunSql('?'));
  run.Bind(1, run_id);
  if (!run.Step()) {
    run.Reset();
    return std::nullopt;
  }
  BacktestRecord record;
  record.run.run_id = run_id;
  int column = 0;
  for (std::string* text : RunTexts(record.run)) *text = run.Text(column++);
  record.run.seconds = run.Double(column);
  run.Reset();

  SqliteStatement& scores = db.Cached(SelectScoresSql('?'));
  scores.Bind(1, run_id);
  while (scores.Step()) {
    BacktestScoreRecord& row = record.scores.emplace_back();
    row.window = scores.Text(0);
    row.window_first = scores.Text(1);
    row.window_last = scores.Text(2);
    row.estimation_months = static_cast<int>(scores.Int(3));
    row.model = scores.Text(4);
    row.refit_months = static_cast<int>(scores.Int(5));
    row.horizon = scores.Text(6);
    row.targets = scores.Int(7);
    column = 8;
    for (std::optional<double>* metric : Metrics(row)) {
      if (!scores.IsNull(column)) *metric = scores.Double(column);
      ++column;
    }
  }
  return record;
}

int64_t InsertBacktest(PostgresConnection& db, const BacktestRecord& record) {
  std::vector<PostgresParam> params;
  for (const std::string* text : RunTexts(record.run)) params.push_back(*text);
  char seconds[32];
  auto [end, error] = std::to_chars(seconds, seconds + sizeof seconds, record.run.seconds);
  params.push_back(std::string(seconds, end));
  int64_t run_id = db.Execute(InsertRunSql('$'), params).Int(0, 0);

  PostgresCopy copy(
      db, std::string("COPY backtest_scores (run_id, position, ") + kScoreColumns + ") FROM STDIN");
  int64_t position = 0;
  for (const BacktestScoreRecord& row : record.scores) {
    copy.Add(run_id);
    copy.Add(position++);
    copy.Add(row.window);
    copy.Add(row.window_first);
    copy.Add(row.window_last);
    copy.Add(int64_t{row.estimation_months});
    copy.Add(row.model);
    copy.Add(int64_t{row.refit_months});
    copy.Add(row.horizon);
    copy.Add(row.targets);
    for (const std::optional<double>* metric : Metrics(row)) copy.Add(*metric);
    copy.EndRow();
  }
  copy.Finish();
  return run_id;
}

std::optional<BacktestRecord> SelectBacktest(PostgresConnection& db, int64_t run_id) {
  std::string id = std::to_string(run_id);
  PostgresResult run = db.Execute(SelectRunSql('$'), {id});
  if (run.Rows() == 0) return std::nullopt;
  BacktestRecord record;
  record.run.run_id = run_id;
  int column = 0;
  for (std::string* text : RunTexts(record.run)) *text = run.Text(0, column++);
  record.run.seconds = run.Double(0, column);

  PostgresResult scores = db.Execute(SelectScoresSql('$'), {id});
  for (int row_index = 0; row_index < scores.Rows(); ++row_index) {
    BacktestScoreRecord& row = record.scores.emplace_back();
    row.window = scores.Text(row_index, 0);
    row.window_first = scores.Text(row_index, 1);
    row.window_last = scores.Text(row_index, 2);
    row.estimation_months = static_cast<int>(scores.Int(row_index, 3));
    row.model = scores.Text(row_index, 4);
    row.refit_months = static_cast<int>(scores.Int(row_index, 5));
    row.horizon = scores.Text(row_index, 6);
    row.targets = scores.Int(row_index, 7);
    column = 8;
    for (std::optional<double>* metric : Metrics(row)) {
      *metric = scores.OptionalDouble(row_index, column++);
    }
  }
  return record;
}

}  // namespace macropipe
