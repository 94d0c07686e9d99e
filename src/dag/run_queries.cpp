#include "dag/run_queries.h"

#include "core/error.h"
#include "core/files.h"
#include "dag/executor.h"

namespace macropipe::dag {

std::string ReadTryLog(const std::filesystem::path& data_dir, StateStore& store,
                       const std::string& run_id, const std::string& task_id,
                       std::optional<int> try_number) {
  if (!store.FindRun(run_id)) {
    throw Error(ErrorCode::kNotFound,
                "run '" + run_id + "' is not in the state database; list the runs to see the ids");
  }
  std::vector<TryRecord> tries = store.ListTries(run_id, task_id);
  if (tries.empty()) {
    throw Error(ErrorCode::kNotFound, "task '" + task_id + "' of run '" + run_id +
                                          "' has no tries; list the run's tasks to see the ids");
  }
  int chosen = try_number.value_or(tries.back().try_number);
  if (chosen < 1 || chosen > tries.back().try_number) {
    throw Error(ErrorCode::kNotFound, "task '" + task_id + "' of run '" + run_id + "' has no try " +
                                          std::to_string(chosen) + "; its tries are 1 to " +
                                          std::to_string(tries.back().try_number));
  }
  return ReadFile(TryLogPath(data_dir, run_id, task_id, chosen));
}

}  // namespace macropipe::dag
