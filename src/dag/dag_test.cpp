#include "dag/dag.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace macropipe::dag {
namespace {

class NoOpBody : public TaskBody {
 public:
  TaskOutcome Run(TaskContext&) override { return {}; }
};

TaskSpec Task(const std::string& id, std::vector<std::string> upstream = {}) {
  return TaskSpec{.id = id, .upstream = std::move(upstream), .body = std::make_shared<NoOpBody>()};
}

std::string ValidationMessage(const Dag& dag) {
  try {
    dag.Validate();
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

TEST(DagTest, CycleIsNamedInDataFlowOrder) {
  Dag dag("cycle");
  dag.AddTask(Task("a", {"c"}));
  dag.AddTask(Task("b", {"a"}));
  dag.AddTask(Task("c", {"b"}));
  std::string message = ValidationMessage(dag);
  EXPECT_NE(message.find("a -> b -> c -> a"), std::string::npos) << message;
}

TEST(DagTest, SelfDependencyIsACycle) {
  Dag dag("self");
  dag.AddTask(Task("a", {"a"}));
  EXPECT_NE(ValidationMessage(dag).find("a -> a"), std::string::npos);
}

TEST(DagTest, UnknownUpstreamIsNamed) {
  Dag dag("unknown");
  dag.AddTask(Task("load", {"fred-cpi"}));
  EXPECT_NE(ValidationMessage(dag).find("unknown upstream task 'fred-cpi'"), std::string::npos);
}

TEST(DagTest, RejectsDuplicateAndInvalidIds) {
  Dag dag("ids");
  dag.AddTask(Task("a"));
  EXPECT_THROW(dag.AddTask(Task("a")), Error);
  EXPECT_THROW(dag.AddTask(Task("a/b")), Error);
  EXPECT_THROW(dag.AddTask(Task("..")), Error);
  EXPECT_THROW(dag.AddTask(TaskSpec{.id = "no-body"}), Error);
}

TEST(DagTest, TopologicalOrderPutsUpstreamFirst) {
  Dag dag("order");
  dag.AddTask(Task("forecast", {"load"}));
  dag.AddTask(Task("load", {"b", "a"}));
  dag.AddTask(Task("a"));
  dag.AddTask(Task("b"));
  std::vector<std::string> ids;
  for (const TaskSpec* task : dag.TopologicalOrder()) ids.push_back(task->id);
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b", "load", "forecast"}));
}

TEST(DagTest, DownstreamListsDependents) {
  Dag dag("downstream");
  dag.AddTask(Task("a"));
  dag.AddTask(Task("b", {"a"}));
  dag.AddTask(Task("c", {"a"}));
  EXPECT_EQ(dag.Downstream("a"), (std::vector<std::string>{"b", "c"}));
  EXPECT_TRUE(dag.Downstream("c").empty());
}

TEST(DagTest, RunIdValidation) {
  EXPECT_NO_THROW(ValidateRunId("scheduled__2024-05-15T12:30:00Z"));
  EXPECT_NO_THROW(ValidateRunId("manual__2024-05-15T12:30:00+00:00"));
  EXPECT_THROW(ValidateRunId("../etc"), Error);
  EXPECT_THROW(ValidateRunId("a/b"), Error);
  EXPECT_THROW(ValidateRunId(""), Error);
}

}  // namespace
}  // namespace macropipe::dag
