// Writes an Airflow 2 DAG file that runs each task of a DAG through the
// macropipe command line, so a deployment can stay on Airflow while the
// pipeline's steps live in macropipe.
//
//   std::string python = ExportAirflowDag(dag, schedule, {.start_date = start});
//
// Each task becomes one BashOperator running
// `macropipe task run '{{ run_id }}' TASK --logical-date '{{ ts }}'`, with the
// task's pool, retries, retry_delay, retry_exponential_backoff,
// max_retry_delay, trigger_rule and execution_timeout, and the DAG's upstream
// dependencies and schedule. Pure functions; safe from any thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>

#include "dag/dag.h"
#include "dag/schedule.h"

namespace macropipe::dag {

struct AirflowExportOptions {
  // The command that starts macropipe on the Airflow workers, with any global
  // options, for example "macropipe --config /etc/macropipe/pipeline.toml".
  std::string command = "macropipe";
  std::chrono::system_clock::time_point start_date = {};  // The DAG's start_date.
  bool catchup = true;
  // Pool sizes, written as a comment with the `airflow pools set` commands
  // that create them, because Airflow keeps pools outside DAG files.
  std::map<std::string, int> pools = {};
};

// Returns the Python source of the Airflow DAG. Throws Error(kInvalidInput)
// when the DAG is invalid.
std::string ExportAirflowDag(const Dag& dag, const Schedule& schedule,
                             const AirflowExportOptions& options);

// Writes ExportAirflowDag's text to `path` atomically.
void WriteAirflowDag(const std::filesystem::path& path, const Dag& dag, const Schedule& schedule,
                     const AirflowExportOptions& options);

}  // namespace macropipe::dag
