#include "dag/airflow_export.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "core/files.h"
#include "dag/state_store.h"
#include "test_support.h"

namespace macropipe::dag {
namespace {

class NoOpBody : public TaskBody {
 public:
  TaskOutcome Run(TaskContext&) override { return {}; }
};

Dag PipelineDag() {
  auto body = std::make_shared<NoOpBody>();
  Dag dag("macropipe");
  TaskRetryPolicy ingest_retry{.retries = 2,
                               .retry_delay = std::chrono::minutes(5),
                               .exponential_backoff = true,
                               .max_retry_delay = std::chrono::minutes(30)};
  dag.AddTask({.id = "fred-cpiaucsl", .pool = "ingest", .retry = ingest_retry, .body = body});
  dag.AddTask({.id = "fred-md", .pool = "ingest", .retry = ingest_retry, .body = body});
  dag.AddTask({.id = "load",
               .upstream = {"fred-cpiaucsl", "fred-md"},
               .trigger_rule = TriggerRule::kAllDone,
               .timeout = std::chrono::minutes(10),
               .body = body});
  dag.AddTask({.id = "forecast", .upstream = {"load"}, .body = body});
  return dag;
}

std::string Export() {
  return ExportAirflowDag(PipelineDag(), Schedule::Parse("30 8 15 * *", "America/New_York"),
                          {.command = "macropipe --config /etc/macropipe.toml",
                           .start_date = ParseTime("2024-01-01T00:00:00Z"),
                           .pools = {{"ingest", 10}}});
}

TEST(AirflowExportTest, ContainsTasksAndSettings) {
  std::string text = Export();
  const std::string expected[] = {
      "dag_id=\"macropipe\"",
      "schedule=\"30 8 15 * *\"",
      ".in_timezone(\"America/New_York\")",
      "task_id=\"fred-cpiaucsl\"",
      "task_id=\"forecast\"",
      "bash_command=\"macropipe --config /etc/macropipe.toml task run '{{ run_id }}' load "
      "--logical-date '{{ ts }}'\"",
      "pool=\"ingest\"",
      "pool=\"default_pool\"",
      "retries=2",
      "retry_delay=datetime.timedelta(seconds=300)",
      "retry_exponential_backoff=True",
      "max_retry_delay=datetime.timedelta(seconds=1800)",
      "trigger_rule=\"all_done\"",
      "execution_timeout=datetime.timedelta(seconds=600)",
      "tasks[\"fred-cpiaucsl\"] >> tasks[\"load\"]",
      "tasks[\"fred-md\"] >> tasks[\"load\"]",
      "tasks[\"load\"] >> tasks[\"forecast\"]",
      "airflow pools set ingest 10",
  };
  for (const std::string& line : expected) {
    SCOPED_TRACE(line);
    EXPECT_NE(text.find(line), std::string::npos) << text;
  }
}

TEST(AirflowExportTest, PythonCompilesIt) {
  testing::ScratchDir dir;
  std::filesystem::path path = dir / "macropipe_dag.py";
  WriteAirflowDag(path, PipelineDag(), Schedule::Parse("@daily", "UTC"),
                  {.start_date = ParseTime("2024-01-01T00:00:00Z")});
  std::string command = "python3 -m py_compile '" + path.string() + "' 2>&1";
  EXPECT_EQ(std::system(command.c_str()), 0) << ReadFile(path);
}

}  // namespace
}  // namespace macropipe::dag
