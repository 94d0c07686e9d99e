// Parsers for SEC EDGAR XBRL JSON (data.sec.gov/api/xbrl) and the rules that
// turn facts into series.
//
//   EdgarFacts facts = ParseEdgarCompanyFacts(body, origin);
//   std::vector<EdgarSeries> series = BuildEdgarSeries(facts);
//
// Series: one per (CIK, taxonomy, tag, unit, period class), with the id
// "CIK0001326801/us-gaap/Revenues/USD/quarter". A '/' inside a unit is written
// "-per-" ("USD-per-shares"). The period class is "instant" for facts without
// a start, "quarter" for durations of 84 to 98 days, "year" for 350 to 380
// days and "<n>month" (rounded months) for other durations, such as the
// six- and nine-month totals of 10-Q filings.
//
// Period date: the first day of the month of `end`, so a quarter ending
// 2024-03-31 is dated 2024-03-01 and a fiscal year ending 2023-09-30 is dated
// 2023-09-01. The start and end dates, fy, fp, form, accn and frame stay in
// reference columns.
//
// Revisions: a fact repeats once per filing that reports it. For each period
// the facts are ordered by filing date (then accession number), repeats of the
// same value are dropped, and each value that differs from the one before
// opens a real-time period at its filing date; the latest filed value is
// current (real-time end 9999-12-31). When two facts of one series fall in the
// same month with different start or end dates, the period whose latest
// filing is newer is kept.
//
// Free functions; safe to call from any thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/series.h"
#include "http/fetcher.h"
#include "sources/series_csv.h"

namespace macropipe {

struct EdgarFact {
  std::string taxonomy;
  std::string tag;
  std::string unit;
  std::optional<Date> start;  // Unset for instants.
  Date end;
  std::string value;  // Decimal text of `val`.
  std::string accn;
  std::string fy;
  std::string fp;
  std::string form;
  std::string frame;  // Calendar period such as "CY2023Q2"; one copy of a fact carries it.
  Date filed;
};

struct EdgarConcept {
  std::string label;
  std::string description;
};

struct EdgarFacts {
  std::string cik;  // Ten digits.
  std::string entity_name;
  std::map<std::string, EdgarConcept> concepts;  // By "taxonomy/tag".
  std::vector<EdgarFact> facts;
};

struct EdgarSeries {
  SeriesInfo info;
  std::vector<SeriesRow> rows;  // Real-time rows, with the reference columns below.
};

// The reference columns of EDGAR series, after the real-time columns.
const std::vector<std::string>& EdgarReferenceColumns();

// Parses companyfacts/CIK##########.json.
EdgarFacts ParseEdgarCompanyFacts(std::string_view body, const std::string& origin);

// Parses companyconcept/CIK##########/<taxonomy>/<tag>.json.
EdgarFacts ParseEdgarCompanyConcept(std::string_view body, const std::string& origin);

// Parses frames/<taxonomy>/<tag>/<unit>/<period>.json into one EdgarFacts per
// company, with `filed` left at its default (frames carry no filing date).
std::vector<EdgarFacts> ParseEdgarFrame(std::string_view body, const std::string& origin);

// Returns "quarter", "year", "instant" or "<n>month" as described above.
std::string EdgarPeriodClass(const std::optional<Date>& start, Date end);

// Builds the series id described above.
std::string EdgarSeriesId(const std::string& cik, const std::string& taxonomy,
                          const std::string& tag, const std::string& unit,
                          const std::string& period_class);

// Returns the ten-digit CIK of "320193", "0000320193" or "CIK0000320193", or
// nullopt for anything else.
std::optional<std::string> NormalizeCik(std::string_view text);

// Groups facts into series and builds their real-time rows.
std::vector<EdgarSeries> BuildEdgarSeries(const EdgarFacts& facts);

// Returns a classifier for EDGAR responses: 403 (undeclared User-Agent, or an
// address blocked for exceeding 10 requests per second) is
// kPermissionDenied, 404 kNotFound, 429 kRateLimited, 5xx kUnavailable.
ResponseClassifier EdgarClassifier(std::string what);

}  // namespace macropipe
