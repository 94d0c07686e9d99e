#include "sources/edgar.h"

#include <spdlog/spdlog.h>

#include <set>

#include "core/error.h"
#include "core/url.h"
#include "sources/api_client.h"
#include "sources/edgar_facts.h"
#include "sources/series_csv.h"
#include "sources/series_landing.h"
#include "sources/source_options.h"

namespace macropipe {
namespace {

constexpr char kDefaultBaseUrl[] = "https://data.sec.gov/api/xbrl";

enum class EdgarEndpoint { kCompanyFacts, kCompanyConcept, kFrame };

struct EdgarRequest {
  EdgarEndpoint endpoint;
  std::string path;  // Below the base URL.
  std::string name;  // Names the raw object.
};

struct Fetched {
  EdgarRequest request;
  std::string url;
  HttpResponse response;
  std::vector<EdgarSeries> series;
};

std::vector<std::string> SplitPath(const std::string& text) {
  std::vector<std::string> parts;
  size_t begin = 0;
  for (size_t slash = text.find('/'); slash != std::string::npos; slash = text.find('/', begin)) {
    parts.push_back(text.substr(begin, slash - begin));
    begin = slash + 1;
  }
  parts.push_back(text.substr(begin));
  return parts;
}

// Builds the snapshot series of a frame: one row per company.
std::vector<EdgarSeries> FrameSeries(const std::vector<EdgarFacts>& companies) {
  std::vector<EdgarSeries> result;
  for (const EdgarFacts& company : companies) {
    for (const EdgarFact& fact : company.facts) {
      EdgarSeries series;
      series.info.id = EdgarSeriesId(company.cik, fact.taxonomy, fact.tag, fact.unit,
                                     EdgarPeriodClass(fact.start, fact.end));
      const EdgarConcept& concept_info = company.concepts.begin()->second;
      series.info.title = company.entity_name + ": " + concept_info.label;
      series.info.units = fact.unit;
      series.info.notes = concept_info.description;
      series.rows.push_back({fact.end.MonthStart(),
                             fact.value,
                             {},
                             {},
                             {fact.start ? fact.start->ToIso() : "", fact.end.ToIso(), "", fact.fp,
                              "", fact.accn, fact.frame}});
      result.push_back(std::move(series));
    }
  }
  return result;
}

class EdgarSource : public Source {
 public:
  explicit EdgarSource(const SourceConfig& config) : name_(config.name) {
    OptionReader options = SourceOptions(config);
    base_url_ = ReadBaseUrl(options, kDefaultBaseUrl);
    user_agent_ = options.String("user_agent").value_or("");
    if (user_agent_.find('@') == std::string::npos || user_agent_.find(' ') == std::string::npos) {
      throw Error(ErrorCode::kInvalidInput,
                  "source '" + name_ + "' in " + config.file +
                      (user_agent_.empty() ? " lacks" : " has an invalid") +
                      " user_agent: SEC EDGAR requires a declared User-Agent with a name and a "
                      "contact address; set user_agent = \"Name name@example.org\"");
    }
    ReadRequests(options);
    policy_ = ReadRequestPolicy(options, {.per_second = 10});
    options.RejectUnknownKeys();
  }

  const std::string& name() const override { return name_; }
  RequestPolicy request_policy() const override { return policy_; }

  FetchSummary Fetch(FetchContext& context) override {
    ApiClient api(context, user_agent_);
    std::vector<Fetched> fetched;
    std::vector<SeriesFailure> failures;
    for (const EdgarRequest& request : requests_) {
      FetchOrRecordFailure(name_, request.name, failures, [&] {
        std::optional<Fetched> item = FetchOne(api, request);
        if (item) fetched.push_back(std::move(*item));
      });
    }

    // Series from company requests take precedence over frame snapshots.
    std::set<std::string> from_companies;
    for (const Fetched& item : fetched) {
      if (item.request.endpoint == EdgarEndpoint::kFrame) continue;
      for (const EdgarSeries& series : item.series) from_companies.insert(series.info.id);
    }
    std::map<std::string, std::pair<EdgarSeries, const Fetched*>> frame_series;
    for (const Fetched& item : fetched) {
      if (item.request.endpoint != EdgarEndpoint::kFrame) continue;
      for (const EdgarSeries& series : item.series) {
        if (from_companies.contains(series.info.id)) continue;
        auto [it, inserted] = frame_series.try_emplace(series.info.id, series, &item);
        if (!inserted) {
          it->second.first.rows.insert(it->second.first.rows.end(), series.rows.begin(),
                                       series.rows.end());
        }
      }
    }

    SeriesLanding landing(context, name_);
    std::map<const Fetched*, LandingEntry> raw_entries;
    for (const Fetched& item : fetched) {
      raw_entries[&item] = landing.LandRaw(item.request.name, item.url, item.response, "json");
    }
    SeriesCsvLayout realtime;
    realtime.realtime = true;
    realtime.extra_columns = EdgarReferenceColumns();
    for (const Fetched& item : fetched) {
      if (item.request.endpoint == EdgarEndpoint::kFrame) continue;
      for (const EdgarSeries& series : item.series) {
        landing.LandSeries(series.info, WriteSeriesCsv(series.rows, realtime), raw_entries[&item],
                           std::nullopt);
      }
    }
    SeriesCsvLayout snapshot;
    snapshot.extra_columns = EdgarReferenceColumns();
    for (auto& [id, entry] : frame_series) {
      SortSeriesRows(entry.first.rows);
      landing.LandSeries(entry.first.info, WriteSeriesCsv(entry.first.rows, snapshot),
                         raw_entries[entry.second], std::nullopt);
    }
    FetchSummary summary = landing.Commit();
    summary.failures = std::move(failures);
    spdlog::info("source {}: {} requests, {} series, {} failed; {} objects landed, {} unchanged",
                 name_, api.requests(), summary.series, summary.failures.size(),
                 summary.objects_landed, summary.objects_unchanged);
    return summary;
  }

 private:
  void ReadRequests(OptionReader& options) {
    std::vector<std::string> concepts =
        options.StringList("concepts").value_or(std::vector<std::string>{});
    for (const std::string& concept_name : concepts) {
      if (SplitPath(concept_name).size() != 2) {
        throw Error(ErrorCode::kInvalidInput, "invalid concept '" + concept_name + "' at " +
                                                  options.Where("concepts") +
                                                  ": write taxonomy/tag, e.g. us-gaap/Revenues");
      }
    }
    for (const std::string& text :
         options.StringList("companies").value_or(std::vector<std::string>{})) {
      std::optional<std::string> cik = NormalizeCik(text);
      if (!cik) {
        throw Error(ErrorCode::kInvalidInput, "invalid CIK '" + text + "' at " +
                                                  options.Where("companies") +
                                                  ": write up to ten digits, e.g. \"320193\"");
      }
      if (concepts.empty()) {
        requests_.push_back({EdgarEndpoint::kCompanyFacts, "/companyfacts/CIK" + *cik + ".json",
                             "CIK" + *cik + ".companyfacts"});
      }
      for (const std::string& concept_name : concepts) {
        requests_.push_back({EdgarEndpoint::kCompanyConcept,
                             "/companyconcept/CIK" + *cik + "/" + concept_name + ".json",
                             "CIK" + *cik + "." + concept_name});
      }
    }
    for (const std::string& frame :
         options.StringList("frames").value_or(std::vector<std::string>{})) {
      if (SplitPath(frame).size() != 4) {
        throw Error(ErrorCode::kInvalidInput,
                    "invalid frame '" + frame + "' at " + options.Where("frames") +
                        ": write taxonomy/tag/unit/period, e.g. us-gaap/Revenues/USD/CY2024Q2");
      }
      requests_.push_back({EdgarEndpoint::kFrame, "/frames/" + frame + ".json", "frames." + frame});
    }
    if (requests_.empty()) {
      throw Error(ErrorCode::kInvalidInput,
                  "source '" + name_ + "' requests nothing: set `companies` or `frames`");
    }
  }

  std::optional<Fetched> FetchOne(ApiClient& api, const EdgarRequest& request) {
    std::string url = base_url_ + request.path;
    std::string what = request.path.substr(1, request.path.size() - 6);
    HttpResponse response;
    try {
      response = api.Get(url, "EDGAR " + what, EdgarClassifier(what));
    } catch (const Error& error) {
      // A company that never reported a concept has no companyconcept document.
      if (error.code() != ErrorCode::kNotFound ||
          request.endpoint != EdgarEndpoint::kCompanyConcept) {
        throw;
      }
      spdlog::warn("source {}: {} not found at {}; the company may not report this concept: {}",
                   name_, what, RedactUrl(url), error.what());
      return std::nullopt;
    }
    std::string origin = RedactUrl(url);
    std::vector<EdgarSeries> series;
    switch (request.endpoint) {
      case EdgarEndpoint::kCompanyFacts:
        series = BuildEdgarSeries(ParseEdgarCompanyFacts(response.body, origin));
        break;
      case EdgarEndpoint::kCompanyConcept:
        series = BuildEdgarSeries(ParseEdgarCompanyConcept(response.body, origin));
        break;
      case EdgarEndpoint::kFrame:
        series = FrameSeries(ParseEdgarFrame(response.body, origin));
        break;
    }
    return Fetched{request, url, std::move(response), std::move(series)};
  }

  std::string name_;
  std::string base_url_;
  std::string user_agent_;
  std::vector<EdgarRequest> requests_;
  RequestPolicy policy_;
};

}  // namespace

REGISTER_SOURCE(kEdgarSourceType, EdgarSource);

}  // namespace macropipe
