#include "etl/loader.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "core/error.h"
#include "core/metrics.h"
#include "etl/normalized_csv.h"
#include "etl/parse_ahead.h"

namespace macropipe {

namespace {

// The vintage of an entry: its own date, or the day it was fetched.
Date VintageOf(const LandingEntry& entry) {
  return entry.vintage_date.value_or(
      Date::ParseIso(entry.fetched_at.substr(0, 10), "fetch date in the landing manifest"));
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The process's load latencies, as /metrics reports them.
struct LoadMetrics {
  Histogram& object;
  Histogram& pass;
};

LoadMetrics& Metrics() {
  MetricsRegistry& registry = MetricsRegistry::Global();
  static LoadMetrics metrics{
      registry.AddHistogram("macropipe_load_object_duration_seconds",
                            "Time to parse one landed object and apply it to the warehouse in "
                            "this process, by source."),
      registry.AddHistogram("macropipe_load_duration_seconds",
                            "Time of one load of every pending landed object in this process.")};
  return metrics;
}

}  // namespace

Loader::Loader(LandingZone& landing, Warehouse& warehouse)
    : landing_(landing), warehouse_(warehouse) {}

LoadResult Loader::LoadEntry(const LandingEntry& entry) {
  std::unique_ptr<std::istream> in =
      landing_.store().Open(entry.object.key, entry.object.version_id);
  NormalizedCsvStream rows(*in, OriginOf(entry));
  return Apply(entry, rows);
}

std::string Loader::OriginOf(const LandingEntry& entry) const {
  return landing_.store().Location() + "/" + entry.object.key;
}

LoadResult Loader::Apply(const LandingEntry& entry, ObservationStream& rows) {
  LoadRequest request;
  request.series = entry.series_info.value_or(SeriesInfo{});
  request.series.source = entry.source;
  request.series.id = entry.series;
  request.object_key = entry.object.key;
  request.object_version = entry.object.version_id;
  request.object_sha256 = entry.object.sha256;
  request.vintage_date = VintageOf(entry);
  request.fetched_at = entry.fetched_at;
  LoadResult result = warehouse_.Load(request, rows);
  for (const RejectedRow& rejected : rows.rejected()) {
    spdlog::warn("rejected row in {} line {}: {} ('{}')", OriginOf(entry), rejected.line,
                 rejected.reason, rejected.text);
  }
  return result;
}

LoadSummary Loader::LoadPending(const std::string& source) {
  auto start = std::chrono::steady_clock::now();
  std::vector<LandingEntry> entries = landing_.Entries(source);
  std::erase_if(entries, [](const LandingEntry& e) { return e.kind != ObjectKind::kSeries; });
  // Older vintages first, so each period's history is built forwards.
  std::stable_sort(entries.begin(), entries.end(),
                   [](const LandingEntry& a, const LandingEntry& b) {
                     Date va = VintageOf(a);
                     Date vb = VintageOf(b);
                     return std::tie(va, a.fetched_at) < std::tie(vb, b.fetched_at);
                   });

  LoadSummary summary;
  std::erase_if(entries, [&](const LandingEntry& entry) {
    bool loaded = warehouse_.IsLoaded(entry.object.key, entry.object.version_id, VintageOf(entry));
    if (loaded) ++summary.objects_skipped;
    return loaded;
  });

  ParseAhead ahead(landing_, entries);
  for (const LandingEntry& entry : entries) {
    auto object_start = std::chrono::steady_clock::now();
    ParsedObjectStream rows(ahead);
    LoadResult result = Apply(entry, rows);
    // Another process may have loaded the object meanwhile; its rows are skipped.
    rows.Drain();
    Metrics().object.Observe({{"source", entry.source}}, SecondsSince(object_start));
    if (result.already_loaded) {
      ++summary.objects_skipped;
      continue;
    }
    ++summary.objects_loaded;
    summary.counts += result.counts;
    spdlog::debug("loaded {} version {}: {} inserted, {} revised, {} unchanged, {} rejected",
                  entry.object.key, entry.object.version_id, result.counts.inserted,
                  result.counts.revised, result.counts.unchanged, result.counts.rejected);
  }
  Metrics().pass.Observe({}, SecondsSince(start));
  return summary;
}

}  // namespace macropipe
