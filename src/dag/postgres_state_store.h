// The StateStore in a PostgreSQL database, so that `macropipe task run`
// processes on several hosts record one run's state in one place. It has the
// tables of SqliteStateStore and may share the warehouse's database.
//
//   PostgresStateStore store({.uri = "postgresql://macropipe@db/macropipe",
//                             .password = password});
//
// Each call is one transaction. CreateRun is atomic across processes: when two
// create the same run, one succeeds and the other gets Error(kInvalidInput).
// A task claim is a session advisory lock on a hash of the run and task ids,
// which the server drops when the connection closes, also when its process
// was killed.
// Thread-safe: one connection behind a mutex.
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "dag/state_store.h"
#include "warehouse/postgres_db.h"

namespace macropipe::dag {

class PostgresStateStore : public StateStore {
 public:
  // Connects and creates the tables when they are missing.
  explicit PostgresStateStore(const PostgresOptions& options);

  void CreateRun(const RunRecord& run) override;
  void UpdateRun(const RunRecord& run) override;
  void SaveTaskInstance(const TaskInstanceRecord& instance, const TryRecord* try_record) override;
  std::optional<RunRecord> FindRun(const std::string& run_id) override;
  std::vector<RunRecord> ListRuns() override;
  std::vector<TaskInstanceRecord> ListTaskInstances(const std::string& run_id) override;
  std::vector<TryRecord> ListTries(const std::string& run_id, const std::string& task_id) override;
  std::unique_ptr<TaskClaim> TryClaimTask(const std::string& run_id,
                                          const std::string& task_id) override;

 private:
  class Claim;

  std::mutex mutex_;
  PostgresConnection db_;  // Guarded by mutex_.
  // The keys of the claims on this connection. Advisory locks are re-entrant
  // within a session, so the store itself rejects a second claim on a task.
  std::set<std::string> claimed_;  // Guarded by mutex_.
};

}  // namespace macropipe::dag
