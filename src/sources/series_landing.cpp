#include "sources/series_landing.h"

#include "core/url.h"
#include "sources/series_csv.h"

namespace macropipe {

SeriesLanding::SeriesLanding(FetchContext& context, std::string source)
    : source_(std::move(source)), batch_(context.landing.Begin(source_, context.fetched_at)) {}

LandingEntry SeriesLanding::LandRaw(const std::string& name, const std::string& request_url,
                                    const HttpResponse& response, std::string_view extension,
                                    std::optional<Date> vintage) {
  LandingEntry entry;
  entry.series = name;
  entry.kind = ObjectKind::kRaw;
  entry.request_url = RedactUrl(request_url);
  entry.http_status = static_cast<int>(response.status);
  entry.vintage_date = vintage;
  LandResult result = batch_.Land(entry, response.body, extension);
  Count(result);
  return result.entry;
}

void SeriesLanding::LandSeries(SeriesInfo info, std::string_view csv, const LandingEntry& raw,
                               std::optional<Date> vintage) {
  LandingEntry entry;
  entry.series = info.id;
  entry.kind = ObjectKind::kSeries;
  entry.request_url = raw.request_url;
  entry.http_status = raw.http_status;
  entry.vintage_date = vintage;
  entry.raw_key = raw.object.key;
  entry.raw_version_id = raw.object.version_id;
  info.source = source_;
  entry.series_info = std::move(info);
  LandResult result = batch_.Land(entry, csv);
  Count(result);
  if (result.created) summary_.rows_landed += CountCsvRows(csv);
  ++summary_.series;
}

FetchSummary SeriesLanding::Commit() {
  batch_.Commit();
  return summary_;
}

void SeriesLanding::Count(const LandResult& result) {
  if (result.created) {
    ++summary_.objects_landed;
  } else {
    ++summary_.objects_unchanged;
  }
}

}  // namespace macropipe
