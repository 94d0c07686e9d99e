// The warehouse schema in SQLite's and in PostgreSQL's dialect. Both have the
// same tables, columns and views, so the same queries answer on either. The
// statements are idempotent: SQLite applies them on every open, PostgreSQL when
// the views or the backtest tables are missing.
//
// Views for the common questions:
//   observation_history  every stored row, with the series' source and id
//   latest_observations  the value of each period as known today
//   first_releases       the value of each period in its first vintage
//   revisions            each change of a period's value, beside the value before it
// As-of queries filter observation_history on the real-time period, which is
// inclusive at both ends:
//   SELECT date, value FROM observation_history
//   WHERE series_id = 'CPIAUCSL' AND realtime_start <= '2024-06-01'
//     AND realtime_end >= '2024-06-01' ORDER BY date;
//
// The forecast and backtest tables use only SQL that PostgreSQL also accepts:
// run ids are assigned by the application, and values are DOUBLE PRECISION,
// because PostgreSQL's REAL holds only single precision. A backtest score that
// could not be computed is NULL.
#pragma once

namespace macropipe {

inline constexpr char kSqliteSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS series (
  series_key INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  series_id TEXT NOT NULL,
  title TEXT NOT NULL DEFAULT '',
  units TEXT NOT NULL DEFAULT '',
  frequency TEXT NOT NULL DEFAULT '',
  seasonal_adjustment TEXT NOT NULL DEFAULT '',
  transform_code INTEGER,
  last_updated TEXT NOT NULL DEFAULT '',
  notes TEXT NOT NULL DEFAULT '',
  metadata_vintage TEXT NOT NULL DEFAULT '',  -- The vintage the metadata above came from.
  UNIQUE (source, series_id)
);

CREATE TABLE IF NOT EXISTS load_batches (
  batch_id INTEGER PRIMARY KEY,
  series_key INTEGER NOT NULL REFERENCES series (series_key),
  object_key TEXT NOT NULL,
  object_version TEXT NOT NULL,
  object_sha256 TEXT NOT NULL,
  vintage_date TEXT NOT NULL,
  fetched_at TEXT NOT NULL,
  loaded_at TEXT NOT NULL,
  inserted INTEGER NOT NULL DEFAULT 0,
  revised INTEGER NOT NULL DEFAULT 0,
  unchanged INTEGER NOT NULL DEFAULT 0,
  kept INTEGER NOT NULL DEFAULT 0,
  rejected INTEGER NOT NULL DEFAULT 0,
  UNIQUE (object_key, object_version, vintage_date)
);

CREATE TABLE IF NOT EXISTS observations (
  series_key INTEGER NOT NULL,
  date TEXT NOT NULL,
  realtime_start TEXT NOT NULL,
  realtime_end TEXT NOT NULL,
  value REAL,
  batch_id INTEGER NOT NULL,
  PRIMARY KEY (series_key, date, realtime_start)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS rejected_rows (
  batch_id INTEGER NOT NULL REFERENCES load_batches (batch_id),
  line INTEGER NOT NULL,
  raw TEXT NOT NULL,
  reason TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS forecast_runs (
  run_id INTEGER PRIMARY KEY,
  created_at TEXT NOT NULL,
  source TEXT NOT NULL,
  target_id TEXT NOT NULL,
  model TEXT NOT NULL,
  data_vintage TEXT NOT NULL,
  origin_month TEXT NOT NULL,
  training_first TEXT NOT NULL,
  training_last TEXT NOT NULL,
  settings TEXT NOT NULL,
  model_file TEXT NOT NULL,
  model_loaded INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS forecast_quantiles (
  run_id INTEGER NOT NULL REFERENCES forecast_runs (run_id),
  horizon INTEGER NOT NULL,
  target_month TEXT NOT NULL,
  p10 DOUBLE PRECISION NOT NULL,
  p50 DOUBLE PRECISION NOT NULL,
  p90 DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (run_id, horizon)
);
CREATE TABLE IF NOT EXISTS forecast_accumulated (
  run_id INTEGER NOT NULL REFERENCES forecast_runs (run_id),
  months INTEGER NOT NULL,
  value DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (run_id, months)
);
CREATE TABLE IF NOT EXISTS forecast_importances (
  run_id INTEGER NOT NULL REFERENCES forecast_runs (run_id),
  stage TEXT NOT NULL,
  input TEXT NOT NULL,
  weight DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (run_id, stage, input)
);
CREATE TABLE IF NOT EXISTS forecast_attention (
  run_id INTEGER NOT NULL REFERENCES forecast_runs (run_id),
  horizon INTEGER NOT NULL,
  relative_month INTEGER NOT NULL,
  weight DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (run_id, horizon, relative_month)
);
CREATE TABLE IF NOT EXISTS backtest_runs (
  run_id INTEGER PRIMARY KEY,
  created_at TEXT NOT NULL,
  source TEXT NOT NULL,
  target_id TEXT NOT NULL,
  data_vintage TEXT NOT NULL,
  panel_first TEXT NOT NULL,
  panel_last TEXT NOT NULL,
  models TEXT NOT NULL,
  windows TEXT NOT NULL,
  command TEXT NOT NULL,
  seconds DOUBLE PRECISION NOT NULL
);
CREATE TABLE IF NOT EXISTS backtest_scores (
  run_id INTEGER NOT NULL REFERENCES backtest_runs (run_id),
  position INTEGER NOT NULL,
  window_label TEXT NOT NULL,
  window_first TEXT NOT NULL,
  window_last TEXT NOT NULL,
  estimation_months INTEGER NOT NULL,
  model TEXT NOT NULL,
  refit_months INTEGER NOT NULL,
  horizon TEXT NOT NULL,
  targets INTEGER NOT NULL,
  rmse DOUBLE PRECISION,
  mae DOUBLE PRECISION,
  rmse_ratio DOUBLE PRECISION,
  mae_ratio DOUBLE PRECISION,
  dm_statistic DOUBLE PRECISION,
  dm_p_value DOUBLE PRECISION,
  p50_loss DOUBLE PRECISION,
  p90_loss DOUBLE PRECISION,
  coverage80 DOUBLE PRECISION,
  PRIMARY KEY (run_id, position),
  UNIQUE (run_id, window_label, model, horizon)
);

CREATE VIEW IF NOT EXISTS observation_history AS
SELECT s.source, s.series_id, o.date, o.realtime_start, o.realtime_end, o.value, o.batch_id
FROM observations o JOIN series s ON s.series_key = o.series_key;

CREATE VIEW IF NOT EXISTS latest_observations AS
SELECT s.source, s.series_id, o.date, o.value, o.realtime_start
FROM observations o JOIN series s ON s.series_key = o.series_key
WHERE o.realtime_end = '9999-12-31';

CREATE VIEW IF NOT EXISTS first_releases AS
SELECT source, series_id, date, value, realtime_start
FROM (
  SELECT s.source, s.series_id, o.date, o.value, o.realtime_start,
         row_number() OVER (PARTITION BY o.series_key, o.date ORDER BY o.realtime_start) AS n
  FROM observations o JOIN series s ON s.series_key = o.series_key
) AS ranked
WHERE n = 1;

CREATE VIEW IF NOT EXISTS revisions AS
SELECT source, series_id, date, realtime_start, previous_value, value,
       value - previous_value AS revision
FROM (
  SELECT s.source, s.series_id, o.date, o.realtime_start, o.value,
         lag(o.value) OVER (PARTITION BY o.series_key, o.date ORDER BY o.realtime_start)
           AS previous_value,
         row_number() OVER (PARTITION BY o.series_key, o.date ORDER BY o.realtime_start) AS n
  FROM observations o JOIN series s ON s.series_key = o.series_key
) AS ranked
WHERE n > 1;
)sql";

// PostgreSQL stores dates as `date`, which prints as YYYY-MM-DD like SQLite's
// text and covers the years 4713 BC to 5874897 AD. Observations are split into
// 16 partitions by a hash of the series: a load reads and writes the rows of
// one series only, so it works within one partition and its smaller indexes,
// however much history the other series hold.
inline constexpr char kPostgresSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS series (
  series_key BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  source TEXT NOT NULL,
  series_id TEXT NOT NULL,
  title TEXT NOT NULL DEFAULT '',
  units TEXT NOT NULL DEFAULT '',
  frequency TEXT NOT NULL DEFAULT '',
  seasonal_adjustment TEXT NOT NULL DEFAULT '',
  transform_code INTEGER,
  last_updated TEXT NOT NULL DEFAULT '',
  notes TEXT NOT NULL DEFAULT '',
  metadata_vintage TEXT NOT NULL DEFAULT '',
  UNIQUE (source, series_id)
);

CREATE TABLE IF NOT EXISTS load_batches (
  batch_id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  series_key BIGINT NOT NULL REFERENCES series (series_key),
  object_key TEXT NOT NULL,
  object_version TEXT NOT NULL,
  object_sha256 TEXT NOT NULL,
  vintage_date DATE NOT NULL,
  fetched_at TEXT NOT NULL,
  loaded_at TEXT NOT NULL,
  inserted BIGINT NOT NULL DEFAULT 0,
  revised BIGINT NOT NULL DEFAULT 0,
  unchanged BIGINT NOT NULL DEFAULT 0,
  kept BIGINT NOT NULL DEFAULT 0,
  rejected BIGINT NOT NULL DEFAULT 0,
  UNIQUE (object_key, object_version, vintage_date)
);

CREATE TABLE IF NOT EXISTS observations (
  series_key BIGINT NOT NULL,
  date DATE NOT NULL,
  realtime_start DATE NOT NULL,
  realtime_end DATE NOT NULL,
  value DOUBLE PRECISION,
  batch_id BIGINT NOT NULL,
  PRIMARY KEY (series_key, date, realtime_start)
) PARTITION BY HASH (series_key);

DO $$
BEGIN
  FOR remainder IN 0..15 LOOP
    EXECUTE format('CREATE TABLE IF NOT EXISTS observations_%s PARTITION OF observations '
                   'FOR VALUES WITH (MODULUS 16, REMAINDER %s)', remainder, remainder);
  END LOOP;
END $$;

CREATE TABLE IF NOT EXISTS rejected_rows (
  batch_id BIGINT NOT NULL REFERENCES load_batches (batch_id),
  line BIGINT NOT NULL,
  raw TEXT NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS rejected_rows_batch ON rejected_rows (batch_id);

CREATE TABLE IF NOT EXISTS forecast_runs (
  run_id BIGINT PRIMARY KEY,
  created_at TEXT NOT NULL,
  source TEXT NOT NULL,
  target_id TEXT NOT NULL,
  model TEXT NOT NULL,
  data_vintage TEXT NOT NULL,
  origin_month TEXT NOT NULL,
  training_first TEXT NOT NULL,
  training_last TEXT NOT NULL,
  settings TEXT NOT NULL,
  model_file TEXT NOT NULL,
  model_loaded INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS forecast_quantiles (
  run_id BIGINT NOT NULL REFERENCES forecast_runs (run_id),
  horizon INTEGER NOT NULL,
  target_month TEXT NOT NULL,
  p10 DOUBLE PRECISION NOT NULL,
  p50 DOUBLE PRECISION NOT NULL,
  p90 DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (run_id, horizon)
);
CREATE TABLE IF NOT EXISTS forecast_accumulated (
  run_id BIGINT NOT NULL REFERENCES forecast_runs (run_id),
  months INTEGER NOT NULL,
  value DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (run_id, months)
);
CREATE TABLE IF NOT EXISTS forecast_importances (
  run_id BIGINT NOT NULL REFERENCES forecast_runs (run_id),
  stage TEXT NOT NULL,
  input TEXT NOT NULL,
  weight DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (run_id, stage, input)
);
CREATE TABLE IF NOT EXISTS forecast_attention (
  run_id BIGINT NOT NULL REFERENCES forecast_runs (run_id),
  horizon INTEGER NOT NULL,
  relative_month INTEGER NOT NULL,
  weight DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (run_id, horizon, relative_month)
);
CREATE TABLE IF NOT EXISTS backtest_runs (
  run_id BIGINT PRIMARY KEY,
  created_at TEXT NOT NULL,
  source TEXT NOT NULL,
  target_id TEXT NOT NULL,
  data_vintage TEXT NOT NULL,
  panel_first TEXT NOT NULL,
  panel_last TEXT NOT NULL,
  models TEXT NOT NULL,
  windows TEXT NOT NULL,
  command TEXT NOT NULL,
  seconds DOUBLE PRECISION NOT NULL
);
CREATE TABLE IF NOT EXISTS backtest_scores (
  run_id BIGINT NOT NULL REFERENCES backtest_runs (run_id),
  position INTEGER NOT NULL,
  window_label TEXT NOT NULL,
  window_first TEXT NOT NULL,
  window_last TEXT NOT NULL,
  estimation_months INTEGER NOT NULL,
  model TEXT NOT NULL,
  refit_months INTEGER NOT NULL,
  horizon TEXT NOT NULL,
  targets BIGINT NOT NULL,
  rmse DOUBLE PRECISION,
  mae DOUBLE PRECISION,
  rmse_ratio DOUBLE PRECISION,
  mae_ratio DOUBLE PRECISION,
  dm_statistic DOUBLE PRECISION,
  dm_p_value DOUBLE PRECISION,
  p50_loss DOUBLE PRECISION,
  p90_loss DOUBLE PRECISION,
  coverage80 DOUBLE PRECISION,
  PRIMARY KEY (run_id, position),
  UNIQUE (run_id, window_label, model, horizon)
);

CREATE OR REPLACE VIEW observation_history AS
SELECT s.source, s.series_id, o.date, o.realtime_start, o.realtime_end, o.value, o.batch_id
FROM observations o JOIN series s ON s.series_key = o.series_key;

CREATE OR REPLACE VIEW latest_observations AS
SELECT s.source, s.series_id, o.date, o.value, o.realtime_start
FROM observations o JOIN series s ON s.series_key = o.series_key
WHERE o.realtime_end = '9999-12-31';

CREATE OR REPLACE VIEW first_releases AS
SELECT source, series_id, date, value, realtime_start
FROM (
  SELECT s.source, s.series_id, o.date, o.value, o.realtime_start,
         row_number() OVER (PARTITION BY o.series_key, o.date ORDER BY o.realtime_start) AS n
  FROM observations o JOIN series s ON s.series_key = o.series_key
) AS ranked
WHERE n = 1;

CREATE OR REPLACE VIEW revisions AS
SELECT source, series_id, date, realtime_start, previous_value, value,
       value - previous_value AS revision
FROM (
  SELECT s.source, s.series_id, o.date, o.realtime_start, o.value,
         lag(o.value) OVER (PARTITION BY o.series_key, o.date ORDER BY o.realtime_start)
           AS previous_value,
         row_number() OVER (PARTITION BY o.series_key, o.date ORDER BY o.realtime_start) AS n
  FROM observations o JOIN series s ON s.series_key = o.series_key
) AS ranked
WHERE n > 1;
)sql";

}  // namespace macropipe
