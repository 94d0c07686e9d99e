#include "landing/landing_zone.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "core/error.h"
#include "core/sha256.h"
#include "core/url.h"

namespace macropipe {
namespace {

using nlohmann::json;

std::string StreamKey(ObjectKind kind, const std::string& series) {
  return std::string(ObjectKindName(kind)) + "/" + series;
}

std::string ManifestPrefix(const std::string& source) {
  return EncodeKeyComponent(source) + "/manifest/";
}

// "2025-03-01T12:00:00Z" -> "20250301".
std::string CompactFetchDate(const std::string& fetched_at) {
  std::string date = fetched_at.substr(0, 10);
  date.erase(std::remove(date.begin(), date.end(), '-'), date.end());
  return date;
}

json SeriesInfoToJson(const SeriesInfo& info) {
  json out = {{"title", info.title},
              {"units", info.units},
              {"frequency", info.frequency},
              {"seasonal_adjustment", info.seasonal_adjustment},
              {"last_updated", info.last_updated},
              {"notes", info.notes}};
  if (info.transform_code) out["transform_code"] = *info.transform_code;
  return out;
}

SeriesInfo SeriesInfoFromJson(const json& in, const std::string& source, const std::string& id) {
  SeriesInfo info;
  info.source = source;
  info.id = id;
  info.title = in.value("title", "");
  info.units = in.value("units", "");
  info.frequency = in.value("frequency", "");
  info.seasonal_adjustment = in.value("seasonal_adjustment", "");
  info.last_updated = in.value("last_updated", "");
  info.notes = in.value("notes", "");
  if (in.contains("transform_code")) info.transform_code = in["transform_code"].get<int>();
  return info;
}

}  // namespace

std::string_view ObjectKindName(ObjectKind kind) {
  return kind == ObjectKind::kRaw ? "raw" : "series";
}

std::string UtcTimestampNow() {
  auto now = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
  auto days = std::chrono::floor<std::chrono::days>(now);
  std::chrono::hh_mm_ss time(now - days);
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%sT%02d:%02d:%02d.%03dZ", Date(days).ToIso().c_str(),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()),
                static_cast<int>(time.subseconds().count()));
  return buffer;
}

std::string ManifestLine(const LandingEntry& entry) {
  json line = {{"source", entry.source},
               {"series", entry.series},
               {"kind", ObjectKindName(entry.kind)},
               {"key", entry.object.key},
               {"version_id", entry.object.version_id},
               {"size", entry.object.size},
               {"sha256", entry.object.sha256},
               {"request_url", RedactUrl(entry.request_url)},
               {"fetched_at", entry.fetched_at},
               {"http_status", entry.http_status}};
  if (entry.vintage_date) line["vintage_date"] = entry.vintage_date->ToIso();
  if (entry.series_info) line["series_info"] = SeriesInfoToJson(*entry.series_info);
  if (!entry.raw_key.empty()) {
    line["raw_key"] = entry.raw_key;
    line["raw_version_id"] = entry.raw_version_id;
  }
  return line.dump();
}

LandingEntry ParseManifestLine(std::string_view text, const std::string& where) {
  try {
    json line = json::parse(text);
    LandingEntry entry;
    entry.source = line.at("source").get<std::string>();
    entry.series = line.at("series").get<std::string>();
    entry.kind =
        line.at("kind").get<std::string>() == "raw" ? ObjectKind::kRaw : ObjectKind::kSeries;
    entry.object.key = line.at("key").get<std::string>();
    entry.object.version_id = line.at("version_id").get<std::string>();
    entry.object.size = line.at("size").get<uint64_t>();
    entry.object.sha256 = line.at("sha256").get<std::string>();
    entry.request_url = line.value("request_url", "");
    entry.fetched_at = line.at("fetched_at").get<std::string>();
    entry.http_status = line.value("http_status", 0);
    if (line.contains("vintage_date")) {
      entry.vintage_date = Date::ParseIso(line["vintage_date"].get<std::string>(), "vintage_date");
    }
    if (line.contains("series_info")) {
      entry.series_info = SeriesInfoFromJson(line["series_info"], entry.source, entry.series);
    }
    entry.raw_key = line.value("raw_key", "");
    entry.raw_version_id = line.value("raw_version_id", "");
    return entry;
  } catch (const json::exception& error) {
    throw Error(ErrorCode::kInvalidInput,
                "corrupt landing manifest line in " + where + ": " + error.what());
  }
}

LandingBatch::LandingBatch(LandingZone& zone, std::string source, std::string fetched_at)
    : zone_(zone), source_(std::move(source)), fetched_at_(std::move(fetched_at)) {}

LandResult LandingBatch::Land(LandingEntry entry, std::string_view bytes,
                              std::string_view extension) {
  entry.source = source_;
  entry.fetched_at = fetched_at_;
  entry.request_url = RedactUrl(entry.request_url);

  // Identical to the newest landed version of this series: keep that one.
  // The same bytes published as another vintage are new information: they
  // get their own manifest entry, pointing at the stored version.
  auto latest = zone_.Latest(source_, entry.series, entry.kind);
  if (latest && latest->object.sha256 == Sha256Hex(bytes) &&
      latest->vintage_date == entry.vintage_date) {
    return LandResult{*latest, false};
  }
  // A batch may land the same series twice (a retried request): keep the last.
  std::erase_if(pending_, [&](const LandingEntry& e) {
    return e.kind == entry.kind && e.series == entry.series;
  });

  PutResult put = zone_.store_.Put(LandingZone::ObjectKey(entry, extension), bytes);
  entry.object = put.version;
  pending_.push_back(entry);
  return LandResult{std::move(entry), true};
}

void LandingBatch::Commit() {
  if (pending_.empty()) return;
  zone_.WriteManifest(source_, fetched_at_, pending_);
  pending_.clear();
}

LandingZone::LandingZone(ObjectStore& store) : store_(store) {}

LandingBatch LandingZone::Begin(const std::string& source, std::string fetched_at) {
  return LandingBatch(*this, source, std::move(fetched_at));
}

std::string LandingZone::ObjectKey(const LandingEntry& entry, std::string_view extension) {
  std::string folder = entry.kind == ObjectKind::kRaw ? "/raw/" : "/series/";
  return EncodeKeyComponent(entry.source) + folder + EncodeKeyComponent(entry.series) + "-" +
         CompactFetchDate(entry.fetched_at) + "." + std::string(extension);
}

void LandingZone::WriteManifest(const std::string& source, const std::string& fetched_at,
                                const std::vector<LandingEntry>& entries) {
  std::string text;
  for (const LandingEntry& entry : entries) text += ManifestLine(entry) + "\n";

  // Manifest names sort by fetch time; the suffix keeps concurrent batches apart.
  thread_local std::mt19937_64 random(std::random_device{}());
  std::string stamp = fetched_at;
  stamp.erase(
      std::remove_if(stamp.begin(), stamp.end(), [](char c) { return c == '-' || c == ':'; }),
      stamp.end());
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, "%010d-%06llu", static_cast<int>(::getpid()),
                static_cast<unsigned long long>(random() % 1000000));
  store_.Put(ManifestPrefix(source) + stamp + "-" + suffix + ".jsonl", text);

  std::lock_guard lock(cache_mutex_);
  LoadManifest(source);
  for (const LandingEntry& entry : entries) {
    latest_[source][StreamKey(entry.kind, entry.series)] = entry;
  }
}

void LandingZone::LoadManifest(const std::string& source) const {
  if (latest_.count(source) != 0) return;
  auto& streams = latest_[source];
  for (const LandingEntry& entry : Entries(source)) {
    streams[StreamKey(entry.kind, entry.series)] = entry;
  }
}

std::optional<LandingEntry> LandingZone::Latest(const std::string& source,
                                                const std::string& series, ObjectKind kind) const {
  std::lock_guard lock(cache_mutex_);
  LoadManifest(source);
  const auto& streams = latest_[source];
  auto it = streams.find(StreamKey(kind, series));
  if (it == streams.end()) return std::nullopt;
  return it->second;
}

std::vector<LandingEntry> LandingZone::Entries(std::string_view source) const {
  std::vector<LandingEntry> entries;
  std::vector<ObjectVersion> manifests;
  if (source.empty()) {
    for (const ObjectVersion& object : store_.List("")) {
      if (object.key.find("/manifest/") != std::string::npos) manifests.push_back(object);
    }
  } else {
    manifests = store_.List(ManifestPrefix(std::string(source)));
  }
  for (const ObjectVersion& manifest : manifests) {
    std::istringstream lines(store_.Get(manifest.key, manifest.version_id));
    std::string line;
    while (std::getline(lines, line)) {
      if (!line.empty()) entries.push_back(ParseManifestLine(line, manifest.key));
    }
  }
  std::stable_sort(
      entries.begin(), entries.end(), [](const LandingEntry& a, const LandingEntry& b) {
        return std::tie(a.fetched_at, a.object.key) < std::tie(b.fetched_at, b.object.key);
      });
  return entries;
}

}  // namespace macropipe
