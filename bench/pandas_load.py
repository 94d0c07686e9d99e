#!/usr/bin/env python3
"""Loads the benchmark's landed series with pandas and sqlite3, as a Python ETL would.

Usage: pandas_load.py DATA_DIR DB_PATH

Reads every normalized CSV named in the landing manifest with pandas, drops
missing values, and appends the rows to the same observations schema with
DataFrame.to_sql, one transaction per series.
"""
import glob
import json
import os
import sqlite3
import sys
import time

import pandas as pd

SCHEMA = """
CREATE TABLE series (series_key INTEGER PRIMARY KEY, source TEXT NOT NULL,
  series_id TEXT NOT NULL, UNIQUE (source, series_id));
CREATE TABLE observations (series_key INTEGER NOT NULL, date TEXT NOT NULL,
  realtime_start TEXT NOT NULL, realtime_end TEXT NOT NULL, value REAL,
  batch_id INTEGER NOT NULL, PRIMARY KEY (series_key, date, realtime_start)) WITHOUT ROWID;
"""


def main():
    data_dir, db_path = sys.argv[1], sys.argv[2]
    if os.path.exists(db_path):
        os.remove(db_path)
    connection = sqlite3.connect(db_path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.executescript(SCHEMA)

    entries = []
    for manifest in sorted(glob.glob(os.path.join(data_dir, "landing", "*", "manifest", "*.jsonl"))):
        with open(manifest) as lines:
            entries.extend(json.loads(line) for line in lines if line.strip())

    start = time.perf_counter()
    rows = 0
    for batch_id, entry in enumerate(entries, start=1):
        frame = pd.read_csv(os.path.join(data_dir, "landing", entry["key"]),
                            dtype={"date": str, "value": float})
        frame = frame.dropna(subset=["value"])
        cursor = connection.execute(
            "INSERT INTO series (source, series_id) VALUES (?, ?)", (entry["source"], entry["series"]))
        frame["series_key"] = cursor.lastrowid
        frame["realtime_start"] = entry["vintage_date"]
        frame["realtime_end"] = "9999-12-31"
        frame["batch_id"] = batch_id
        frame.to_sql("observations", connection, if_exists="append", index=False)
        connection.commit()
        rows += len(frame)
    seconds = time.perf_counter() - start
    print(f"pandas and sqlite3: {rows} rows in {seconds:.2f} s, {rows / seconds:.0f} rows/s")


if __name__ == "__main__":
    main()
