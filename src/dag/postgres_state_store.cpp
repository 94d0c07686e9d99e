#include "dag/postgres_state_store.h"

#include "core/error.h"
#include "dag/state_schema.h"

namespace macropipe::dag {
namespace {

// Serializes the creation of the tables between processes that open an empty
// database at the same time; an arbitrary constant that names this lock.
constexpr char kSchemaLockId[] = "7262535102";

constexpr char kRunColumns[] =
    "SELECT run_id, pipeline, logical_date, state, start_time, end_time, summary FROM runs ";

PostgresParam TimeParam(const std::optional<TimePoint>& time) {
  if (!time) return std::nullopt;
  return FormatTime(*time);
}

PostgresParam DurationParam(const std::optional<TimePoint>& start,
                            const std::optional<TimePoint>& end) {
  std::optional<int64_t> duration = DurationMs(start, end);
  if (!duration) return std::nullopt;
  return std::to_string(*duration);
}

std::optional<TimePoint> TimeAt(const PostgresResult& result, int row, int column) {
  if (result.IsNull(row, column)) return std::nullopt;
  return ParseTime(std::string(result.Text(row, column)));
}

RunRecord RunAt(const PostgresResult& result, int row) {
  RunRecord run;
  run.run_id = result.Text(row, 0);
  run.pipeline = result.Text(row, 1);
  run.logical_date = ParseTime(std::string(result.Text(row, 2)));
  run.state = ParseStoredRunState(std::string(result.Text(row, 3)), run.run_id);
  run.start = TimeAt(result, row, 4);
  run.end = TimeAt(result, row, 5);
  run.summary = result.Text(row, 6);
  return run;
}

TaskOutcome OutcomeAt(const PostgresResult& result, int row, int first_column) {
  return {result.Int(row, first_column), result.Int(row, first_column + 1),
          result.Int(row, first_column + 2)};
}

}  // namespace

PostgresStateStore::PostgresStateStore(const PostgresOptions& options) : db_(options) {
  PostgresResult present = db_.Execute("SELECT to_regclass('task_tries') IS NOT NULL");
  if (present.Text(0, 0) == "t") return;
  PostgresTransaction transaction(db_);
  db_.Execute(std::string("SELECT pg_advisory_xact_lock(") + kSchemaLockId + ")");
  db_.Execute(kStateSchema);
  transaction.Commit();
}

void PostgresStateStore::CreateRun(const RunRecord& run) {
  std::lock_guard lock(mutex_);
  PostgresResult inserted = db_.Execute(
      "INSERT INTO runs (run_id, pipeline, logical_date, state, start_time, end_time, "
      "duration_ms, summary) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
      "ON CONFLICT (run_id) DO NOTHING",
      {run.run_id, run.pipeline, FormatTime(run.logical_date), std::string(RunStateName(run.state)),
       TimeParam(run.start), TimeParam(run.end), DurationParam(run.start, run.end), run.summary});
  if (inserted.AffectedRows() == 0) {
    throw Error(ErrorCode::kInvalidInput, "run '" + run.run_id + "' already exists in " +
                                              db_.location() + "; resume it or choose another id");
  }
}

void PostgresStateStore::UpdateRun(const RunRecord& run) {
  std::lock_guard lock(mutex_);
  PostgresResult updated = db_.Execute(
      "UPDATE runs SET state = $1, start_time = $2, end_time = $3, duration_ms = $4, "
      "summary = $5 WHERE run_id = $6",
      {std::string(RunStateName(run.state)), TimeParam(run.start), TimeParam(run.end),
       DurationParam(run.start, run.end), run.summary, run.run_id});
  if (updated.AffectedRows() == 0) {
    throw Error(ErrorCode::kNotFound, "run '" + run.run_id + "' is not in " + db_.location());
  }
}

void PostgresStateStore::SaveTaskInstance(const TaskInstanceRecord& instance,
                                          const TryRecord* try_record) {
  std::lock_guard lock(mutex_);
  PostgresTransaction transaction(db_);
  db_.Execute(
      "INSERT INTO task_instances (run_id, task_id, state, try_number, start_time, end_time, "
      "duration_ms, error, rows_landed, rows_inserted, rows_revised, next_attempt) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
      "ON CONFLICT (run_id, task_id) DO UPDATE SET state = excluded.state, "
      "try_number = excluded.try_number, start_time = excluded.start_time, "
      "end_time = excluded.end_time, duration_ms = excluded.duration_ms, "
      "error = excluded.error, rows_landed = excluded.rows_landed, "
      "rows_inserted = excluded.rows_inserted, rows_revised = excluded.rows_revised, "
      "next_attempt = excluded.next_attempt",
      {instance.run_id, instance.task_id, std::string(TaskStateName(instance.state)),
       std::to_string(instance.try_number), TimeParam(instance.start), TimeParam(instance.end),
       DurationParam(instance.start, instance.end), instance.error,
       std::to_string(instance.outcome.rows_landed), std::to_string(instance.outcome.rows_inserted),
       std::to_string(instance.outcome.rows_revised), TimeParam(instance.next_attempt)});
  if (try_record != nullptr) {
    db_.Execute(
        "INSERT INTO task_tries (run_id, task_id, try_number, state, start_time, end_time, "
        "duration_ms, error, rows_landed, rows_inserted, rows_revised) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
        "ON CONFLICT (run_id, task_id, try_number) DO UPDATE SET state = excluded.state, "
        "end_time = excluded.end_time, duration_ms = excluded.duration_ms, "
        "error = excluded.error, rows_landed = excluded.rows_landed, "
        "rows_inserted = excluded.rows_inserted, rows_revised = excluded.rows_revised",
        {try_record->run_id, try_record->task_id, std::to_string(try_record->try_number),
         std::string(TaskStateName(try_record->state)), FormatTime(try_record->start),
         TimeParam(try_record->end), DurationParam(try_record->start, try_record->end),
         try_record->error, std::to_string(try_record->outcome.rows_landed),
         std::to_string(try_record->outcome.rows_inserted),
         std::to_string(try_record->outcome.rows_revised)});
  }
  transaction.Commit();
}

std::optional<RunRecord> PostgresStateStore::FindRun(const std::string& run_id) {
  std::lock_guard lock(mutex_);
  PostgresResult found = db_.Execute(std::string(kRunColumns) + "WHERE run_id = $1", {run_id});
  if (found.Rows() == 0) return std::nullopt;
  return RunAt(found, 0);
}

std::vector<RunRecord> PostgresStateStore::ListRuns() {
  std::lock_guard lock(mutex_);
  PostgresResult found =
      db_.Execute(std::string(kRunColumns) + "ORDER BY logical_date DESC, start_time DESC");
  std::vector<RunRecord> runs;
  for (int row = 0; row < found.Rows(); ++row) runs.push_back(RunAt(found, row));
  return runs;
}

std::vector<TaskInstanceRecord> PostgresStateStore::ListTaskInstances(const std::string& run_id) {
  std::lock_guard lock(mutex_);
  PostgresResult found = db_.Execute(
      "SELECT task_id, state, try_number, start_time, end_time, error, rows_landed, "
      "rows_inserted, rows_revised, next_attempt FROM task_instances WHERE run_id = $1 "
      "ORDER BY task_id",
      {run_id});
  std::vector<TaskInstanceRecord> instances;
  for (int row = 0; row < found.Rows(); ++row) {
    TaskInstanceRecord instance;
    instance.run_id = run_id;
    instance.task_id = found.Text(row, 0);
    instance.state = ParseStoredTaskState(std::string(found.Text(row, 1)), run_id);
    instance.try_number = static_cast<int>(found.Int(row, 2));
    instance.start = TimeAt(found, row, 3);
    instance.end = TimeAt(found, row, 4);
    instance.error = found.Text(row, 5);
    instance.outcome = OutcomeAt(found, row, 6);
    instance.next_attempt = TimeAt(found, row, 9);
    instances.push_back(std::move(instance));
  }
  return instances;
}

std::vector<TryRecord> PostgresStateStore::ListTries(const std::string& run_id,
                                                     const std::string& task_id) {
  std::lock_guard lock(mutex_);
  PostgresResult found = db_.Execute(
      "SELECT try_number, state, start_time, end_time, error, rows_landed, rows_inserted, "
      "rows_revised FROM task_tries WHERE run_id = $1 AND task_id = $2 ORDER BY try_number",
      {run_id, task_id});
  std::vector<TryRecord> tries;
  for (int row = 0; row < found.Rows(); ++row) {
    TryRecord record;
    record.run_id = run_id;
    record.task_id = task_id;
    record.try_number = static_cast<int>(found.Int(row, 0));
    record.state = ParseStoredTaskState(std::string(found.Text(row, 1)), run_id);
    record.start = ParseTime(std::string(found.Text(row, 2)));
    record.end = TimeAt(found, row, 3);
    record.error = found.Text(row, 4);
    record.outcome = OutcomeAt(found, row, 5);
    tries.push_back(std::move(record));
  }
  return tries;
}

// Holds the advisory lock on `key` until destroyed.
class PostgresStateStore::Claim : public TaskClaim {
 public:
  Claim(PostgresStateStore& store, std::string key) : store_(store), key_(std::move(key)) {}
  ~Claim() override {
    std::lock_guard lock(store_.mutex_);
    store_.claimed_.erase(key_);
    try {
      store_.db_.Execute("SELECT pg_advisory_unlock(hashtextextended($1, 0))", {key_});
    } catch (const Error&) {
      // A lost connection has dropped the lock already.
    }
  }

 private:
  PostgresStateStore& store_;
  std::string key_;
};

std::unique_ptr<TaskClaim> PostgresStateStore::TryClaimTask(const std::string& run_id,
                                                            const std::string& task_id) {
  std::lock_guard lock(mutex_);
  // A newline cannot occur in a run or task id, so the key names one pair.
  std::string key = run_id + "\n" + task_id;
  if (claimed_.contains(key)) return nullptr;
  PostgresResult taken = db_.Execute("SELECT pg_try_advisory_lock(hashtextextended($1, 0))", {key});
  if (taken.Text(0, 0) != "t") return nullptr;
  claimed_.insert(key);
  return std::make_unique<Claim>(*this, std::move(key));
}

}  // namespace macropipe::dag
