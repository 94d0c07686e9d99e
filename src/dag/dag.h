// A DAG: tasks with ids, upstream dependencies, trigger rules, pools, retries
// and timeouts. The bodies are interfaces, so any step can be a task.
//
//   Dag dag("macropipe");
//   dag.AddTask({.id = "fred-cpi", .pool = "ingest", .body = ingest});
//   dag.AddTask({.id = "load", .upstream = {"fred-cpi"}, .trigger_rule = TriggerRule::kAllDone,
//                .body = load});
//   dag.Validate();  // Throws for an unknown upstream id or a cycle.
//
// Built once, then read-only: safe to share between threads after Validate.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "dag/retry.h"
#include "dag/task_body.h"
#include "dag/trigger_rule.h"

namespace macropipe::dag {

inline constexpr char kDefaultPool[] = "default_pool";

struct TaskSpec {
  std::string id = {};  // Letters, digits, '-', '_' and '.', as in Airflow task ids.
  std::vector<std::string> upstream = {};
  TriggerRule trigger_rule = TriggerRule::kAllSuccess;
  std::string pool = kDefaultPool;
  TaskRetryPolicy retry = {};
  // The longest one try may run; zero means no limit. On timeout the try
  // fails as a retryable error and the body's cancellation flag is set.
  std::chrono::milliseconds timeout{0};
  std::shared_ptr<TaskBody> body = {};
};

class Dag {
 public:
  explicit Dag(std::string id);

  // Adds a task. Throws Error(kInvalidInput) for an invalid or duplicate id, a
  // missing body or an invalid retry policy.
  void AddTask(TaskSpec task);

  // Checks that every upstream id names a task and that there is no cycle.
  // Throws Error(kInvalidInput) naming the unknown id, or the cycle as
  // "a -> b -> c -> a".
  void Validate() const;

  // The tasks ordered so that every task comes after its upstream tasks; ties
  // keep the order in which the tasks were added. Validates first.
  std::vector<const TaskSpec*> TopologicalOrder() const;

  const std::string& id() const { return id_; }
  const std::vector<TaskSpec>& tasks() const { return tasks_; }
  // Returns the task with `task_id`; throws Error(kNotFound) naming the DAG.
  const TaskSpec& Task(const std::string& task_id) const;
  // Returns the ids of the tasks that list `task_id` as upstream.
  std::vector<std::string> Downstream(const std::string& task_id) const;

 private:
  int IndexOf(const std::string& task_id) const;

  std::string id_;
  std::vector<TaskSpec> tasks_;
};

// Throws Error(kInvalidInput) when `id` is empty or holds characters other than
// letters, digits, '-', '_' and '.'; `what` names the kind of id in the message.
void ValidateId(const std::string& id, const std::string& what);

// Throws Error(kInvalidInput) unless `run_id` holds only letters, digits and
// '-', '_', '.', ':', '+', as in "scheduled__2024-05-15T12:30:00Z". Run ids
// name log folders, so they may not contain '/'.
void ValidateRunId(const std::string& run_id);

}  // namespace macropipe::dag
