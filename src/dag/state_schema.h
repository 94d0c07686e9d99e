// The tables of the scheduler's state, in SQL that SQLite and PostgreSQL both
// accept: times are ISO 8601 text in UTC, and the statements are idempotent, so
// they run on every open.
#pragma once

namespace macropipe::dag {

inline constexpr char kStateSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY,
  pipeline TEXT NOT NULL,
  logical_date TEXT NOT NULL,
  state TEXT NOT NULL,
  start_time TEXT,
  end_time TEXT,
  duration_ms BIGINT,
  summary TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS task_instances (
  run_id TEXT NOT NULL REFERENCES runs (run_id),
  task_id TEXT NOT NULL,
  state TEXT NOT NULL,
  try_number INTEGER NOT NULL,
  start_time TEXT,
  end_time TEXT,
  duration_ms BIGINT,
  error TEXT NOT NULL,
  rows_landed BIGINT NOT NULL,
  rows_inserted BIGINT NOT NULL,
  rows_revised BIGINT NOT NULL,
  next_attempt TEXT,
  PRIMARY KEY (run_id, task_id)
);
CREATE TABLE IF NOT EXISTS task_tries (
  run_id TEXT NOT NULL REFERENCES runs (run_id),
  task_id TEXT NOT NULL,
  try_number INTEGER NOT NULL,
  state TEXT NOT NULL,
  start_time TEXT NOT NULL,
  end_time TEXT,
  duration_ms BIGINT,
  error TEXT NOT NULL,
  rows_landed BIGINT NOT NULL,
  rows_inserted BIGINT NOT NULL,
  rows_revised BIGINT NOT NULL,
  PRIMARY KEY (run_id, task_id, try_number)
);
)sql";

}  // namespace macropipe::dag
