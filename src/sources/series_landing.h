// Lands one fetch of a connector: each raw response and the normalized series
// parsed from it, in one LandingBatch, counting new and unchanged versions.
// Connectors parse every response before they land anything, so a malformed
// response lands nothing.
//
//   SeriesLanding landing(context, name_);
//   LandingEntry raw = landing.LandRaw("GDP.observations", url, response, "json");
//   landing.LandSeries(info, csv, raw, vintage);
//   FetchSummary summary = landing.Commit();
//
// Thread-compatible: one per Fetch call.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/date.h"
#include "core/series.h"
#include "http/http_client.h"
#include "landing/landing_zone.h"
#include "sources/source.h"

namespace macropipe {

class SeriesLanding {
 public:
  SeriesLanding(FetchContext& context, std::string source);

  // Lands a response body under `name` (unique within the fetch). The request
  // URL is stored redacted. Returns the entry that series parsed from it name.
  LandingEntry LandRaw(const std::string& name, const std::string& request_url,
                       const HttpResponse& response, std::string_view extension,
                       std::optional<Date> vintage = std::nullopt);

  // Lands one normalized series CSV parsed from `raw`. `info.id` names the
  // series; `vintage` is when the values became known, for rows without their
  // own real-time period.
  void LandSeries(SeriesInfo info, std::string_view csv, const LandingEntry& raw,
                  std::optional<Date> vintage);

  // Makes everything landed visible to loaders and returns the counts.
  FetchSummary Commit();

 private:
  void Count(const LandResult& result);

  std::string source_;
  LandingBatch batch_;
  FetchSummary summary_;
};

}  // namespace macropipe
