// The landing zone: every fetched response kept as raw bytes, with one
// normalized CSV per series beside it, and a manifest describing each version.
//
//   LandingZone zone(store);
//   LandingBatch batch = zone.Begin("fred-md", FetchTime::Now());
//   batch.Land(entry, bytes);   // once per object
//   batch.Commit();             // makes the batch's versions visible to loaders
//
// Object names: `<source>/raw/<name>-<YYYYMMDD>.<ext>` for raw responses and
// `<source>/series/<series>-<YYYYMMDD>.csv` for normalized series, dated by the
// fetch. The manifest is append-only: each committed batch adds one object
// `<source>/manifest/<fetch time>-<id>.jsonl` with one JSON line per new
// version. A version becomes visible only through a committed manifest line,
// so a crash before Commit leaves stray objects that nothing loads, and the
// next fetch lands them again. Landing identical content twice is detected by
// SHA-256 against the newest manifest entry of the same series and stored
// once; the same content under another vintage date gets a manifest entry of
// its own that points at the stored version.
//
// A LandingZone is thread-safe when its ObjectStore is: several threads may
// land batches through one zone, which shares its cache of the newest entries
// between them. A LandingBatch belongs to one thread.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/date.h"
#include "core/series.h"
#include "landing/object_store.h"

namespace macropipe {

enum class ObjectKind { kRaw, kSeries };

// One manifest line: what a landed version is and where it came from.
struct LandingEntry {
  std::string source;
  std::string series;  // The series id; for raw objects, the response's name.
  ObjectKind kind = ObjectKind::kSeries;
  ObjectVersion object;
  std::string request_url;           // Always redacted: no key or credential.
  std::string fetched_at;            // UTC, ISO 8601 with milliseconds: "2025-03-01T12:00:00.123Z".
  int http_status = 0;               // 0 for file URLs.
  std::optional<Date> vintage_date;  // When the values became known, if one date applies.
  std::optional<SeriesInfo> series_info;  // Catalogue metadata for series objects.
  std::string raw_key;  // For series objects: the raw object they were parsed from.
  std::string raw_version_id;
};

struct LandResult {
  LandingEntry entry;    // The entry for the bytes, new or already stored.
  bool created = false;  // False when identical content was already landed.
};

class LandingZone;

class LandingBatch {
 public:
  LandingBatch(LandingZone& zone, std::string source, std::string fetched_at);

  // Stores `bytes` under a name built from `entry` (source, series, kind and
  // fetch date; `extension` for raw objects), unless the newest manifest entry of
  // the same series and kind has the same SHA-256. Fills in entry.object.
  LandResult Land(LandingEntry entry, std::string_view bytes, std::string_view extension = "csv");

  // Writes the manifest object for every version landed since Begin. A batch
  // that landed nothing new writes nothing.
  void Commit();

  const std::vector<LandingEntry>& pending() const { return pending_; }

 private:
  LandingZone& zone_;
  std::string source_;
  std::string fetched_at_;
  std::vector<LandingEntry> pending_;
};

class LandingZone {
 public:
  explicit LandingZone(ObjectStore& store);

  LandingBatch Begin(const std::string& source, std::string fetched_at);

  // All committed manifest entries, of one source or of all when `source` is
  // empty, ordered by fetch time, then key.
  std::vector<LandingEntry> Entries(std::string_view source = {}) const;

  // The newest committed entry for one series and kind, if any.
  std::optional<LandingEntry> Latest(const std::string& source, const std::string& series,
                                     ObjectKind kind) const;

  ObjectStore& store() { return store_; }

  // Builds the object key for an entry landed at `fetched_at`.
  static std::string ObjectKey(const LandingEntry& entry, std::string_view extension);

 private:
  friend class LandingBatch;

  void WriteManifest(const std::string& source, const std::string& fetched_at,
                     const std::vector<LandingEntry>& entries);
  // Loads a source's manifest into `latest_`, once. The caller holds cache_mutex_.
  void LoadManifest(const std::string& source) const;

  ObjectStore& store_;
  mutable std::mutex cache_mutex_;
  // Newest entry per (source, kind, series), filled lazily from the manifest;
  // guarded by cache_mutex_.
  mutable std::map<std::string, std::map<std::string, LandingEntry>> latest_;
};

// Returns the current UTC time as "YYYY-MM-DDTHH:MM:SS.mmmZ". Entries are
// ordered by it, so two fetches in one second still load in fetch order.
std::string UtcTimestampNow();

// Serializes and parses one manifest line.
std::string ManifestLine(const LandingEntry& entry);
LandingEntry ParseManifestLine(std::string_view line, const std::string& where);

std::string_view ObjectKindName(ObjectKind kind);

}  // namespace macropipe
