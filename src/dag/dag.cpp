#include "dag/dag.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "core/error.h"

namespace macropipe::dag {
namespace {

enum class Mark { kUnvisited, kOnPath, kDone };

}  // namespace

void ValidateId(const std::string& id, const std::string& what) {
  bool valid = !id.empty() && id != "." && id != "..";
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      valid = false;
    }
  }
  if (!valid) {
    throw Error(ErrorCode::kInvalidInput,
                "invalid " + what + " '" + id +
                    "': use letters, digits, '-', '_' and '.' only, and not '.' or '..' alone");
  }
}

void ValidateRunId(const std::string& run_id) {
  bool valid = !run_id.empty() && run_id.front() != '.';
  for (char c : run_id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) &&
        std::string_view("-_.:+").find(c) == std::string_view::npos) {
      valid = false;
    }
  }
  if (!valid) {
    throw Error(ErrorCode::kInvalidInput,
                "invalid run id '" + run_id +
                    "': use letters, digits, '-', '_', '.', ':' and '+' only, not starting "
                    "with '.'");
  }
}

Dag::Dag(std::string id) : id_(std::move(id)) { ValidateId(id_, "DAG id"); }

void Dag::AddTask(TaskSpec task) {
  ValidateId(task.id, "task id");
  if (IndexOf(task.id) >= 0) {
    throw Error(ErrorCode::kInvalidInput, "DAG '" + id_ + "' already has a task '" + task.id +
                                              "'; give each task its own id");
  }
  if (!task.body) {
    throw Error(ErrorCode::kInvalidInput,
                "task '" + task.id + "' in DAG '" + id_ + "' has no body to run");
  }
  ValidateId(task.pool, "pool name for task '" + task.id + "'");
  task.retry.Validate(task.id);
  if (task.timeout.count() < 0) {
    throw Error(ErrorCode::kInvalidInput, "task '" + task.id + "': timeout " +
                                              std::to_string(task.timeout.count()) +
                                              " ms is negative; use 0 for no limit");
  }
  tasks_.push_back(std::move(task));
}

int Dag::IndexOf(const std::string& task_id) const {
  for (size_t i = 0; i < tasks_.size(); ++i) {
    if (tasks_[i].id == task_id) return static_cast<int>(i);
  }
  return -1;
}

const TaskSpec& Dag::Task(const std::string& task_id) const {
  int index = IndexOf(task_id);
  if (index < 0) {
    throw Error(ErrorCode::kNotFound,
                "DAG '" + id_ + "' has no task '" + task_id + "'; list its tasks to see the ids");
  }
  return tasks_[index];
}

std::vector<std::string> Dag::Downstream(const std::string& task_id) const {
  std::vector<std::string> downstream;
  for (const TaskSpec& task : tasks_) {
    if (std::ranges::find(task.upstream, task_id) != task.upstream.end()) {
      downstream.push_back(task.id);
    }
  }
  return downstream;
}

void Dag::Validate() const {
  for (const TaskSpec& task : tasks_) {
    for (const std::string& upstream : task.upstream) {
      if (IndexOf(upstream) < 0) {
        throw Error(ErrorCode::kInvalidInput, "task '" + task.id + "' in DAG '" + id_ +
                                                  "' lists unknown upstream task '" + upstream +
                                                  "'; add that task or remove the dependency");
      }
    }
  }

  // Depth-first search along upstream edges; meeting a task that is still on
  // the path closes a cycle, which is reported from that task around to itself.
  std::vector<Mark> marks(tasks_.size(), Mark::kUnvisited);
  std::vector<int> path;
  auto visit = [&](auto& self, int index) -> void {
    marks[index] = Mark::kOnPath;
    path.push_back(index);
    for (const std::string& upstream : tasks_[index].upstream) {
      int next = IndexOf(upstream);
      if (marks[next] == Mark::kOnPath) {
        // Each path entry is upstream of the one before it, so the reversed path
        // from `index` back to `next` follows the data flow around the cycle. It
        // is printed from the task added first, so the message does not depend
        // on where the search entered the cycle.
        std::vector<int> members;
        auto start = std::ranges::find(path, next);
        for (auto it = path.rbegin(); it.base() != start; ++it) members.push_back(*it);
        std::ranges::rotate(members, std::ranges::min_element(members));
        std::string cycle;
        for (int member : members) cycle += tasks_[member].id + " -> ";
        cycle += tasks_[members.front()].id;
        throw Error(ErrorCode::kInvalidInput, "DAG '" + id_ + "' has a cycle: " + cycle +
                                                  "; remove one of these dependencies");
      }
      if (marks[next] == Mark::kUnvisited) self(self, next);
    }
    path.pop_back();
    marks[index] = Mark::kDone;
  };
  for (size_t i = 0; i < tasks_.size(); ++i) {
    if (marks[i] == Mark::kUnvisited) visit(visit, static_cast<int>(i));
  }
}

std::vector<const TaskSpec*> Dag::TopologicalOrder() const {
  Validate();
  std::vector<const TaskSpec*> order;
  std::vector<bool> placed(tasks_.size(), false);
  while (order.size() < tasks_.size()) {
    for (size_t i = 0; i < tasks_.size(); ++i) {
      if (placed[i]) continue;
      bool ready = std::ranges::all_of(tasks_[i].upstream, [&](const std::string& upstream) {
        return placed[IndexOf(upstream)];
      });
      if (!ready) continue;
      placed[i] = true;
      order.push_back(&tasks_[i]);
    }
  }
  return order;
}

}  // namespace macropipe::dag
