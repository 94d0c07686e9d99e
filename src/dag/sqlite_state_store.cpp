#include "dag/sqlite_state_store.h"

#include <date/date.h>

#include <sstream>

#include "core/error.h"
#include "core/files.h"
#include "dag/state_schema.h"
#include "warehouse/sqlite_db.h"

namespace macropipe::dag {
namespace {

void BindTime(SqliteStatement& statement, int index, const std::optional<TimePoint>& time) {
  if (time) {
    statement.Bind(index, FormatTime(*time));
  } else {
    statement.BindNull(index);
  }
}

void BindDuration(SqliteStatement& statement, int index, const std::optional<TimePoint>& start,
                  const std::optional<TimePoint>& end) {
  std::optional<int64_t> duration = DurationMs(start, end);
  if (duration) {
    statement.Bind(index, *duration);
  } else {
    statement.BindNull(index);
  }
}

std::optional<TimePoint> ColumnTime(const SqliteStatement& statement, int column) {
  if (statement.IsNull(column)) return std::nullopt;
  return ParseTime(std::string(statement.Text(column)));
}

RunRecord ReadRun(const SqliteStatement& statement) {
  RunRecord run;
  run.run_id = statement.Text(0);
  run.pipeline = statement.Text(1);
  run.logical_date = ParseTime(std::string(statement.Text(2)));
  run.state = ParseStoredRunState(std::string(statement.Text(3)), run.run_id);
  run.start = ColumnTime(statement, 4);
  run.end = ColumnTime(statement, 5);
  run.summary = statement.Text(6);
  return run;
}

class Transaction {
 public:
  explicit Transaction(SqliteDatabase& db) : db_(db) { db_.Execute("BEGIN IMMEDIATE"); }
  ~Transaction() {
    if (!committed_) sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
  void Commit() {
    db_.Execute("COMMIT");
    committed_ = true;
  }

 private:
  SqliteDatabase& db_;
  bool committed_ = false;
};

}  // namespace

SqliteStateStore::SqliteStateStore(const std::filesystem::path& path)
    : claims_dir_(path.string() + ".claims"),
      db_(std::make_unique<SqliteDatabase>(path.string(), /*read_only=*/false)) {
  db_->Execute("PRAGMA journal_mode = WAL");
  db_->Execute("PRAGMA synchronous = FULL");
  db_->Execute(kStateSchema);
}

SqliteStateStore::~SqliteStateStore() = default;

namespace {

class FileClaim : public TaskClaim {
 public:
  explicit FileClaim(std::unique_ptr<FileLock> lock) : lock_(std::move(lock)) {}

 private:
  std::unique_ptr<FileLock> lock_;
};

}  // namespace

std::unique_ptr<TaskClaim> SqliteStateStore::TryClaimTask(const std::string& run_id,
                                                          const std::string& task_id) {
  std::unique_ptr<FileLock> lock = FileLock::TryLock(claims_dir_ / run_id / (task_id + ".lock"));
  if (!lock) return nullptr;
  return std::make_unique<FileClaim>(std::move(lock));
}

void SqliteStateStore::CreateRun(const RunRecord& run) {
  std::lock_guard lock(mutex_);
  SqliteStatement exists(db_->get(), "SELECT 1 FROM runs WHERE run_id = ?");
  exists.Bind(1, run.run_id);
  if (exists.Step()) {
    throw Error(ErrorCode::kInvalidInput, "run '" + run.run_id + "' already exists in " +
                                              db_->path() + "; resume it or choose another id");
  }
  SqliteStatement& insert = db_->Cached(
      "INSERT INTO runs (run_id, pipeline, logical_date, state, start_time, end_time, "
      "duration_ms, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  insert.Bind(1, run.run_id);
  insert.Bind(2, run.pipeline);
  insert.Bind(3, FormatTime(run.logical_date));
  insert.Bind(4, RunStateName(run.state));
  BindTime(insert, 5, run.start);
  BindTime(insert, 6, run.end);
  BindDuration(insert, 7, run.start, run.end);
  insert.Bind(8, run.summary);
  insert.Run();
}

void SqliteStateStore::UpdateRun(const RunRecord& run) {
  std::lock_guard lock(mutex_);
  SqliteStatement& update = db_->Cached(
      "UPDATE runs SET state = ?, start_time = ?, end_time = ?, duration_ms = ?, summary = ? "
      "WHERE run_id = ?");
  update.Bind(1, RunStateName(run.state));
  BindTime(update, 2, run.start);
  BindTime(update, 3, run.end);
  BindDuration(update, 4, run.start, run.end);
  update.Bind(5, run.summary);
  update.Bind(6, run.run_id);
  update.Run();
  if (sqlite3_changes(db_->get()) == 0) {
    throw Error(ErrorCode::kNotFound, "run '" + run.run_id + "' is not in " + db_->path());
  }
}

void SqliteStateStore::SaveTaskInstance(const TaskInstanceRecord& instance,
                                        const TryRecord* try_record) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  WriteTaskInstance(instance, try_record);
  transaction.Commit();
}

void SqliteStateStore::SaveTaskInstances(const std::vector<TaskInstanceUpdate>& updates) {
  if (updates.empty()) return;
  std::lock_guard lock(mutex_);
  Transaction transaction(*db_);
  for (const TaskInstanceUpdate& update : updates) {
    WriteTaskInstance(update.instance, update.try_record ? &*update.try_record : nullptr);
  }
  transaction.Commit();
}

void SqliteStateStore::WriteTaskInstance(const TaskInstanceRecord& instance,
                                         const TryRecord* try_record) {
  SqliteStatement& upsert = db_->Cached(
      "INSERT INTO task_instances (run_id, task_id, state, try_number, start_time, end_time, "
      "duration_ms, error, rows_landed, rows_inserted, rows_revised, next_attempt) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (run_id, task_id) DO UPDATE SET state = excluded.state, "
      "try_number = excluded.try_number, start_time = excluded.start_time, "
      "end_time = excluded.end_time, duration_ms = excluded.duration_ms, "
      "error = excluded.error, rows_landed = excluded.rows_landed, "
      "rows_inserted = excluded.rows_inserted, rows_revised = excluded.rows_revised, "
      "next_attempt = excluded.next_attempt");
  upsert.Bind(1, instance.run_id);
  upsert.Bind(2, instance.task_id);
  upsert.Bind(3, TaskStateName(instance.state));
  upsert.Bind(4, static_cast<int64_t>(instance.try_number));
  BindTime(upsert, 5, instance.start);
  BindTime(upsert, 6, instance.end);
  BindDuration(upsert, 7, instance.start, instance.end);
  upsert.Bind(8, instance.error);
  upsert.Bind(9, instance.outcome.rows_landed);
  upsert.Bind(10, instance.outcome.rows_inserted);
  upsert.Bind(11, instance.outcome.rows_revised);
  BindTime(upsert, 12, instance.next_attempt);
  upsert.Run();

  if (try_record != nullptr) {
    SqliteStatement& save_try = db_->Cached(
        "INSERT INTO task_tries (run_id, task_id, try_number, state, start_time, end_time, "
        "duration_ms, error, rows_landed, rows_inserted, rows_revised) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (run_id, task_id, try_number) DO UPDATE SET state = excluded.state, "
        "end_time = excluded.end_time, duration_ms = excluded.duration_ms, "
        "error = excluded.error, rows_landed = excluded.rows_landed, "
        "rows_inserted = excluded.rows_inserted, rows_revised = excluded.rows_revised");
    save_try.Bind(1, try_record->run_id);
    save_try.Bind(2, try_record->task_id);
    save_try.Bind(3, static_cast<int64_t>(try_record->try_number));
    save_try.Bind(4, TaskStateName(try_record->state));
    save_try.Bind(5, FormatTime(try_record->start));
    BindTime(save_try, 6, try_record->end);
    BindDuration(save_try, 7, try_record->start, try_record->end);
    save_try.Bind(8, try_record->error);
    save_try.Bind(9, try_record->outcome.rows_landed);
    save_try.Bind(10, try_record->outcome.rows_inserted);
    save_try.Bind(11, try_record->outcome.rows_revised);
    save_try.Run();
  }
}

std::optional<RunRecord> SqliteStateStore::FindRun(const std::string& run_id) {
  std::lock_guard lock(mutex_);
  SqliteStatement select(db_->get(),
                         "SELECT run_id, pipeline, logical_date, state, start_time, end_time, "
                         "summary FROM runs WHERE run_id = ?");
  select.Bind(1, run_id);
  if (!select.Step()) return std::nullopt;
  return ReadRun(select);
}

std::vector<RunRecord> SqliteStateStore::ListRuns() {
  std::lock_guard lock(mutex_);
  SqliteStatement select(db_->get(),
                         "SELECT run_id, pipeline, logical_date, state, start_time, end_time, "
                         "summary FROM runs ORDER BY logical_date DESC, start_time DESC");
  std::vector<RunRecord> runs;
  while (select.Step()) runs.push_back(ReadRun(select));
  return runs;
}

std::vector<TaskInstanceRecord> SqliteStateStore::ListTaskInstances(const std::string& run_id) {
  std::lock_guard lock(mutex_);
  SqliteStatement select(db_->get(),
                         "SELECT task_id, state, try_number, start_time, end_time, error, "
                         "rows_landed, rows_inserted, rows_revised, next_attempt "
                         "FROM task_instances WHERE run_id = ? ORDER BY task_id");
  select.Bind(1, run_id);
  std::vector<TaskInstanceRecord> instances;
  while (select.Step()) {
    TaskInstanceRecord instance;
    instance.run_id = run_id;
    instance.task_id = select.Text(0);
    instance.state = ParseStoredTaskState(std::string(select.Text(1)), run_id);
    instance.try_number = static_cast<int>(select.Int(2));
    instance.start = ColumnTime(select, 3);
    instance.end = ColumnTime(select, 4);
    instance.error = select.Text(5);
    instance.outcome = {select.Int(6), select.Int(7), select.Int(8)};
    instance.next_attempt = ColumnTime(select, 9);
    instances.push_back(std::move(instance));
  }
  return instances;
}

std::vector<TryRecord> SqliteStateStore::ListTries(const std::string& run_id,
                                                   const std::string& task_id) {
  std::lock_guard lock(mutex_);
  SqliteStatement select(db_->get(),
                         "SELECT try_number, state, start_time, end_time, error, rows_landed, "
                         "rows_inserted, rows_revised FROM task_tries "
                         "WHERE run_id = ? AND task_id = ? ORDER BY try_number");
  select.Bind(1, run_id);
  select.Bind(2, task_id);
  std::vector<TryRecord> tries;
  while (select.Step()) {
    TryRecord record;
    record.run_id = run_id;
    record.task_id = task_id;
    record.try_number = static_cast<int>(select.Int(0));
    record.state = ParseStoredTaskState(std::string(select.Text(1)), run_id);
    record.start = ParseTime(std::string(select.Text(2)));
    record.end = ColumnTime(select, 3);
    record.error = select.Text(4);
    record.outcome = {select.Int(5), select.Int(6), select.Int(7)};
    tries.push_back(std::move(record));
  }
  return tries;
}

}  // namespace macropipe::dag
