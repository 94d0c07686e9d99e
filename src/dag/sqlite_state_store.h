// The StateStore in an SQLite file, normally `<data_dir>/state.db`.
//
//   SqliteStateStore store(data_dir / "state.db");
//
// The file is in WAL mode with synchronous=FULL: each transaction is on disk
// when its call returns, and a process killed at any point (SIGKILL, power
// loss) leaves the last committed transaction. The SQL is kept to what
// PostgreSQL also accepts (INSERT ... ON CONFLICT, TEXT times in ISO 8601).
// A task claim is an flock on `<path>.claims/<run_id>/<task_id>.lock`, which
// the kernel drops when its process dies; the lock files are left in place.
// Thread-safe: one connection behind a mutex.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>

#include "dag/state_store.h"

namespace macropipe {
class SqliteDatabase;
}

namespace macropipe::dag {

class SqliteStateStore : public StateStore {
 public:
  // Opens or creates the file and its tables. Throws Error naming the path.
  explicit SqliteStateStore(const std::filesystem::path& path);
  ~SqliteStateStore() override;

  void CreateRun(const RunRecord& run) override;
  void UpdateRun(const RunRecord& run) override;
  void SaveTaskInstance(const TaskInstanceRecord& instance, const TryRecord* try_record) override;
  // Writes every update in one transaction.
  void SaveTaskInstances(const std::vector<TaskInstanceUpdate>& updates) override;
  std::optional<RunRecord> FindRun(const std::string& run_id) override;
  std::vector<RunRecord> ListRuns() override;
  std::vector<TaskInstanceRecord> ListTaskInstances(const std::string& run_id) override;
  std::vector<TryRecord> ListTries(const std::string& run_id, const std::string& task_id) override;
  std::unique_ptr<TaskClaim> TryClaimTask(const std::string& run_id,
                                          const std::string& task_id) override;

 private:
  // Writes one task instance and its try; the caller holds mutex_ and a transaction.
  void WriteTaskInstance(const TaskInstanceRecord& instance, const TryRecord* try_record);

  std::filesystem::path claims_dir_;
  std::mutex mutex_;
  std::unique_ptr<SqliteDatabase> db_;  // Guarded by mutex_.
};

}  // namespace macropipe::dag
