#include "sources/edgar_facts.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <tuple>

#include "core/error.h"
#include "sources/api_client.h"
#include "sources/json_fields.h"

namespace macropipe {
namespace {

constexpr size_t kMaxQuotedText = 200;

[[noreturn]] void ThrowMalformed(const std::string& origin, const std::string& what) {
  throw Error(ErrorCode::kInvalidInput, "unexpected EDGAR response from " + origin + ": " + what);
}

Date RequireDate(const nlohmann::json& object, std::string_view key, const std::string& origin) {
  std::string text = RequireString(object, key, origin);
  std::optional<Date> date = Date::TryParseIso(text);
  if (!date) ThrowMalformed(origin, "invalid " + std::string(key) + " '" + text + "'");
  return *date;
}

// Returns a member that may be a string, a number or null, as text.
std::string LooseText(const nlohmann::json& object, std::string_view key) {
  auto found = object.find(key);
  if (found == object.end() || found->is_null()) return "";
  return found->is_string() ? found->get<std::string>() : found->dump();
}

std::string CikOf(const nlohmann::json& json, const std::string& origin) {
  std::optional<std::string> cik = NormalizeCik(LooseText(json, "cik"));
  if (!cik) ThrowMalformed(origin, "invalid cik '" + LooseText(json, "cik") + "'");
  return *cik;
}

// Reads the fields that company facts and frame rows share.
EdgarFact ReadFact(const nlohmann::json& json, const std::string& taxonomy, const std::string& tag,
                   const std::string& unit, const std::string& origin) {
  EdgarFact fact;
  fact.taxonomy = taxonomy;
  fact.tag = tag;
  fact.unit = unit;
  if (json.contains("start")) fact.start = RequireDate(json, "start", origin);
  fact.end = RequireDate(json, "end", origin);
  fact.value = FormatJsonNumber(RequireMember(json, "val", origin), origin);
  fact.accn = LooseText(json, "accn");
  return fact;
}

// Reads `units` of one concept: {"USD": [fact, ...], ...}.
void ReadUnits(const nlohmann::json& concept_json, const std::string& taxonomy,
               const std::string& tag, const std::string& origin, EdgarFacts& out) {
  const nlohmann::json& units = RequireMember(concept_json, "units", origin);
  if (!units.is_object()) ThrowMalformed(origin, "'units' of " + tag + " is not an object");
  out.concepts[taxonomy + "/" + tag] = {LooseText(concept_json, "label"),
                                        LooseText(concept_json, "description")};
  for (const auto& [unit, facts] : units.items()) {
    if (!facts.is_array()) {
      ThrowMalformed(origin, "facts of " + tag + " in " + unit + " are not a list");
    }
    for (const nlohmann::json& fact : facts) {
      EdgarFact parsed = ReadFact(fact, taxonomy, tag, unit, origin);
      parsed.fy = LooseText(fact, "fy");
      parsed.fp = LooseText(fact, "fp");
      parsed.form = LooseText(fact, "form");
      parsed.frame = LooseText(fact, "frame");
      parsed.filed = RequireDate(fact, "filed", origin);
      out.facts.push_back(std::move(parsed));
    }
  }
}

std::string UnitForId(std::string unit) {
  for (size_t at = unit.find('/'); at != std::string::npos; at = unit.find('/', at)) {
    unit.replace(at, 1, "-per-");
  }
  return unit;
}

// The facts of one period of one series, and the rows built from them.
struct PeriodFacts {
  std::optional<Date> start;
  Date end;
  std::vector<const EdgarFact*> facts;
  Date latest_filed;
};

std::vector<SeriesRow> RevisionRows(const PeriodFacts& period) {
  std::vector<const EdgarFact*> facts = period.facts;
  std::stable_sort(facts.begin(), facts.end(), [](const EdgarFact* a, const EdgarFact* b) {
    return std::tie(a->filed, a->accn) < std::tie(b->filed, b->accn);
  });
  std::vector<SeriesRow> rows;
  for (const EdgarFact* fact : facts) {
    if (!rows.empty() && rows.back().value == fact->value) continue;
    SeriesRow row;
    row.date = fact->end.MonthStart();
    row.value = fact->value;
    row.realtime_start = fact->filed;
    row.extra = {fact->start ? fact->start->ToIso() : "",
                 fact->end.ToIso(),
                 fact->fy,
                 fact->fp,
                 fact->form,
                 fact->accn,
                 fact->frame};
    if (!rows.empty() && rows.back().realtime_start == fact->filed) {
      // Two filings on one day: the value of the later accession number is kept.
      rows.pop_back();
      if (!rows.empty() && rows.back().value == fact->value) continue;
    }
    rows.push_back(std::move(row));
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    rows[i].realtime_end =
        i + 1 < rows.size() ? rows[i + 1].realtime_start->AddDays(-1) : Date::Max();
  }
  return rows;
}

std::string FrequencyOf(const std::string& period_class) {
  if (period_class == "quarter") return "Quarterly";
  if (period_class == "year") return "Annual";
  if (period_class == "instant") return "Instant";
  return "Cumulative " + period_class.substr(0, period_class.find('m')) + " months";
}

}  // namespace

const std::vector<std::string>& EdgarReferenceColumns() {
  static const std::vector<std::string> kColumns = {"start", "end",  "fy",   "fp",
                                                    "form",  "accn", "frame"};
  return kColumns;
}

EdgarFacts ParseEdgarCompanyFacts(std::string_view body, const std::string& origin) {
  nlohmann::json json = ParseJsonBody(body, origin);
  EdgarFacts out;
  out.cik = CikOf(json, origin);
  out.entity_name = LooseText(json, "entityName");
  const nlohmann::json& taxonomies = RequireMember(json, "facts", origin);
  if (!taxonomies.is_object()) ThrowMalformed(origin, "'facts' is not an object");
  for (const auto& [taxonomy, tags] : taxonomies.items()) {
    if (!tags.is_object()) ThrowMalformed(origin, "taxonomy " + taxonomy + " is not an object");
    for (const auto& [tag, concept_json] : tags.items()) {
      ReadUnits(concept_json, taxonomy, tag, origin, out);
    }
  }
  return out;
}

EdgarFacts ParseEdgarCompanyConcept(std::string_view body, const std::string& origin) {
  nlohmann::json json = ParseJsonBody(body, origin);
  EdgarFacts out;
  out.cik = CikOf(json, origin);
  out.entity_name = LooseText(json, "entityName");
  ReadUnits(json, RequireString(json, "taxonomy", origin), RequireString(json, "tag", origin),
            origin, out);
  return out;
}

std::vector<EdgarFacts> ParseEdgarFrame(std::string_view body, const std::string& origin) {
  nlohmann::json json = ParseJsonBody(body, origin);
  std::string taxonomy = RequireString(json, "taxonomy", origin);
  std::string tag = RequireString(json, "tag", origin);
  std::string unit = RequireString(json, "uom", origin);
  std::string period = RequireString(json, "ccp", origin);
  const nlohmann::json& data = RequireMember(json, "data", origin);
  if (!data.is_array()) ThrowMalformed(origin, "'data' is not a list");

  std::vector<EdgarFacts> companies;
  for (const nlohmann::json& row : data) {
    EdgarFacts company;
    company.cik = CikOf(row, origin);
    company.entity_name = LooseText(row, "entityName");
    company.concepts[taxonomy + "/" + tag] = {LooseText(json, "label"),
                                              LooseText(json, "description")};
    EdgarFact fact = ReadFact(row, taxonomy, tag, unit, origin);
    fact.frame = period;
    company.facts.push_back(std::move(fact));
    companies.push_back(std::move(company));
  }
  return companies;
}

std::string EdgarPeriodClass(const std::optional<Date>& start, Date end) {
  if (!start) return "instant";
  int64_t days = (end.days() - start->days()).count() + 1;
  if (days >= 84 && days <= 98) return "quarter";
  if (days >= 350 && days <= 380) return "year";
  long months = std::lround(static_cast<double>(days) / 30.44);
  return std::to_string(std::max(1L, months)) + "month";
}

std::string EdgarSeriesId(const std::string& cik, const std::string& taxonomy,
                          const std::string& tag, const std::string& unit,
                          const std::string& period_class) {
  return "CIK" + cik + "/" + taxonomy + "/" + tag + "/" + UnitForId(unit) + "/" + period_class;
}

std::optional<std::string> NormalizeCik(std::string_view text) {
  if (text.starts_with("CIK")) text.remove_prefix(3);
  if (text.empty() || text.size() > 10) return std::nullopt;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::string(10 - text.size(), '0') + std::string(text);
}

std::vector<EdgarSeries> BuildEdgarSeries(const EdgarFacts& facts) {
  // Series id -> period month -> the facts of each (start, end) in that month.
  std::map<std::string, std::map<Date, std::vector<PeriodFacts>>> grouped;
  std::map<std::string, const EdgarFact*> first_fact;
  for (const EdgarFact& fact : facts.facts) {
    std::string id = EdgarSeriesId(facts.cik, fact.taxonomy, fact.tag, fact.unit,
                                   EdgarPeriodClass(fact.start, fact.end));
    first_fact.emplace(id, &fact);
    std::vector<PeriodFacts>& periods = grouped[id][fact.end.MonthStart()];
    auto same = std::find_if(periods.begin(), periods.end(), [&](const PeriodFacts& p) {
      return p.start == fact.start && p.end == fact.end;
    });
    if (same == periods.end()) {
      periods.push_back({fact.start, fact.end, {}, fact.filed});
      same = periods.end() - 1;
    }
    same->facts.push_back(&fact);
    same->latest_filed = std::max(same->latest_filed, fact.filed);
  }

  std::vector<EdgarSeries> result;
  for (const auto& [id, months] : grouped) {
    const EdgarFact& sample = *first_fact.at(id);
    EdgarSeries series;
    Date last_filed;
    for (const auto& [month, periods] : months) {
      const PeriodFacts* kept = &periods.front();
      for (const PeriodFacts& period : periods) {
        if (period.latest_filed > kept->latest_filed) kept = &period;
      }
      if (periods.size() > 1) {
        spdlog::warn(
            "EDGAR series {}: {} periods end in {}; keeping the one ending {}, filed "
            "last on {}",
            id, periods.size(), month.ToIso().substr(0, 7), kept->end.ToIso(),
            kept->latest_filed.ToIso());
      }
      std::vector<SeriesRow> rows = RevisionRows(*kept);
      series.rows.insert(series.rows.end(), rows.begin(), rows.end());
      last_filed = std::max(last_filed, kept->latest_filed);
    }
    std::string period_class = id.substr(id.rfind('/') + 1);
    const EdgarConcept& concept_info = facts.concepts.count(sample.taxonomy + "/" + sample.tag)
                                           ? facts.concepts.at(sample.taxonomy + "/" + sample.tag)
                                           : EdgarConcept{};
    series.info.id = id;
    series.info.title =
        facts.entity_name + ": " + (concept_info.label.empty() ? sample.tag : concept_info.label);
    series.info.units = sample.unit;
    series.info.frequency = FrequencyOf(period_class);
    series.info.seasonal_adjustment = "NSA";
    series.info.last_updated = last_filed.ToIso();
    series.info.notes = concept_info.description;
    result.push_back(std::move(series));
  }
  return result;
}

ResponseClassifier EdgarClassifier(std::string what) {
  return [what = std::move(what)](const HttpResponse& response) {
    std::optional<ErrorCode> code = ErrorCodeForStatus(response.status);
    if (!code) return;
    std::string advice;
    switch (*code) {
      case ErrorCode::kPermissionDenied:
        advice =
            "set user_agent to a name and contact address, such as \"Name "
            "name@example.org\"; SEC also blocks an address for about 10 minutes after "
            "more than 10 requests per second";
        break;
      case ErrorCode::kNotFound:
        advice = "check the CIK, taxonomy, tag and unit in the config";
        break;
      case ErrorCode::kRateLimited:
        advice = "slow down to at most 10 requests per second";
        break;
      default:
        advice = "retry later";
    }
    std::string text = response.body.substr(0, kMaxQuotedText);
    std::replace(text.begin(), text.end(), '\n', ' ');
    throw Error(*code, "SEC EDGAR rejected " + what + ": HTTP " + std::to_string(response.status) +
                           " '" + text + "'; " + advice);
  };
}

}  // namespace macropipe
