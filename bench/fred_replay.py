"""Writes replay-server recordings of FRED observations for N series, S0000
to S(N-1), twelve monthly values each, and a macropipe config that fetches
them from a replay server.

Usage: python3 bench/fred_replay.py DIR SERIES REQUESTS_PER_SECOND POOL_SLOTS
Writes DIR/replay/replay.json and DIR/pipeline.toml, whose url is
"@BASE_URL@/fred" for the caller to replace once the server's port is known.
"""
import json
import os
import sys


def observations_body(index):
    rows = [{"realtime_start": "2025-02-14", "realtime_end": "2025-02-14",
             "date": "2024-%02d-01" % month, "value": "%d.%d" % (100 + index, month)}
            for month in range(1, 13)]
    return json.dumps({"realtime_start": "2025-02-14", "realtime_end": "2025-02-14",
                       "count": len(rows), "offset": 0, "limit": 100000,
                       "observations": rows})


def main():
    folder, count, rate, slots = sys.argv[1:5]
    count = int(count)
    ids = ["S%04d" % i for i in range(count)]
    recordings = [{
        "request": {"uri": "/fred/series/observations?series_id=%s"
                           "&file_type=json&limit=100000&offset=0" % series_id},
        "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                     "body": observations_body(i)},
    } for i, series_id in enumerate(ids)]
    os.makedirs(os.path.join(folder, "replay"), exist_ok=True)
    with open(os.path.join(folder, "replay", "replay.json"), "w") as out:
        json.dump({"recordings": recordings}, out)
    with open(os.path.join(folder, "pipeline.toml"), "w") as out:
        out.write("[dag]\nworker_threads = %s\n\n[pools]\ningest = %s\n\n" % (slots, slots))
        out.write("[[sources]]\nname = \"fred\"\ntype = \"fred\"\nurl = \"@BASE_URL@/fred\"\n")
        # FRED's own limit is 120 requests a minute; the benchmark sets the
        # per-minute budget to the per-second rate's equivalent instead.
        out.write("metadata = false\nrequests_per_second = %s\n" % rate)
        out.write("requests_per_minute = %d\npool = \"ingest\"\n" % (int(rate) * 60))
        out.write("series = [%s]\n" % ", ".join('"%s"' % s for s in ids))


if __name__ == "__main__":
    main()
