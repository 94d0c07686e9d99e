#include "sources/fred_response.h"

#include <pugixml.hpp>

#include "core/error.h"
#include "sources/api_client.h"
#include "sources/json_fields.h"

namespace macropipe {
namespace {

// FRED error bodies are short; larger bodies are data and are not parsed twice.
constexpr size_t kMaxErrorBodySize = 4096;

[[noreturn]] void ThrowMalformed(const std::string& origin, const std::string& what) {
  throw Error(ErrorCode::kInvalidInput, "unexpected FRED response from " + origin + ": " + what +
                                            "; check the source's URL and file_type");
}

Date ParseDate(std::string_view text, std::string_view field, const std::string& origin) {
  std::optional<Date> date = Date::TryParseIso(text);
  if (!date) {
    ThrowMalformed(origin, "invalid " + std::string(field) + " '" + std::string(text) +
                               "' (expected YYYY-MM-DD)");
  }
  return *date;
}

FredObservation MakeObservation(std::string_view date, std::string_view value,
                                std::string_view realtime_start, std::string_view realtime_end,
                                const std::string& origin) {
  FredObservation observation;
  observation.date = ParseDate(date, "date", origin);
  observation.realtime_start = ParseDate(realtime_start, "realtime_start", origin);
  observation.realtime_end = ParseDate(realtime_end, "realtime_end", origin);
  if (value != ".") observation.value = std::string(value);
  return observation;
}

pugi::xml_node XmlRoot(pugi::xml_document& document, std::string_view body,
                       const char* expected_root, const std::string& origin) {
  pugi::xml_parse_result result = document.load_buffer(body.data(), body.size());
  if (!result) ThrowMalformed(origin, std::string("invalid XML: ") + result.description());
  pugi::xml_node root = document.document_element();
  if (std::string_view(root.name()) != expected_root) {
    ThrowMalformed(origin, "the XML root element is <" + std::string(root.name()) +
                               ">, expected <" + expected_root + ">");
  }
  return root;
}

int64_t XmlInteger(const pugi::xml_node& node, const char* name, const std::string& origin) {
  pugi::xml_attribute attribute = node.attribute(name);
  if (!attribute) ThrowMalformed(origin, std::string("the attribute '") + name + "' is missing");
  return attribute.as_llong();
}

FredObservationPage ParseObservationsXml(std::string_view body, const std::string& origin) {
  pugi::xml_document document;
  pugi::xml_node root = XmlRoot(document, body, "observations", origin);
  FredObservationPage page;
  page.count = XmlInteger(root, "count", origin);
  page.offset = XmlInteger(root, "offset", origin);
  page.limit = XmlInteger(root, "limit", origin);
  if (pugi::xml_attribute start = root.attribute("realtime_start")) {
    page.realtime_start = ParseDate(start.value(), "realtime_start", origin);
  }
  for (pugi::xml_node node : root.children("observation")) {
    page.observations.push_back(MakeObservation(
        node.attribute("date").value(), node.attribute("value").value(),
        node.attribute("realtime_start").value(), node.attribute("realtime_end").value(), origin));
  }
  return page;
}

FredObservationPage ParseObservationsJson(std::string_view body, const std::string& origin) {
  nlohmann::json json = ParseJsonBody(body, origin);
  FredObservationPage page;
  page.count = RequireInteger(json, "count", origin);
  page.offset = RequireInteger(json, "offset", origin);
  page.limit = RequireInteger(json, "limit", origin);
  if (auto start = OptionalString(json, "realtime_start")) {
    page.realtime_start = ParseDate(*start, "realtime_start", origin);
  }
  const nlohmann::json& observations = RequireMember(json, "observations", origin);
  if (!observations.is_array()) ThrowMalformed(origin, "'observations' is not an array");
  page.observations.reserve(observations.size());
  for (const nlohmann::json& row : observations) {
    page.observations.push_back(
        MakeObservation(RequireString(row, "date", origin), RequireString(row, "value", origin),
                        RequireString(row, "realtime_start", origin),
                        RequireString(row, "realtime_end", origin), origin));
  }
  return page;
}

SeriesInfo SeriesFromXml(std::string_view body, const std::string& origin) {
  pugi::xml_document document;
  pugi::xml_node root = XmlRoot(document, body, "seriess", origin);
  pugi::xml_node series = root.child("series");
  if (!series) ThrowMalformed(origin, "<seriess> holds no <series>");
  SeriesInfo info;
  info.id = series.attribute("id").value();
  info.title = series.attribute("title").value();
  info.units = series.attribute("units").value();
  info.frequency = series.attribute("frequency").value();
  info.seasonal_adjustment = series.attribute("seasonal_adjustment_short").value();
  info.last_updated = series.attribute("last_updated").value();
  info.notes = series.attribute("notes").value();
  return info;
}

SeriesInfo SeriesFromJson(std::string_view body, const std::string& origin) {
  nlohmann::json json = ParseJsonBody(body, origin);
  const nlohmann::json& list = RequireMember(json, "seriess", origin);
  if (!list.is_array() || list.empty()) {
    ThrowMalformed(origin, "'seriess' is not a non-empty array");
  }
  const nlohmann::json& series = list.front();
  SeriesInfo info;
  info.id = RequireString(series, "id", origin);
  info.title = OptionalString(series, "title").value_or("");
  info.units = OptionalString(series, "units").value_or("");
  info.frequency = OptionalString(series, "frequency").value_or("");
  info.seasonal_adjustment = OptionalString(series, "seasonal_adjustment_short").value_or("");
  info.last_updated = OptionalString(series, "last_updated").value_or("");
  info.notes = OptionalString(series, "notes").value_or("");
  return info;
}

std::string AdviceFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUnauthenticated:
      return "check that FRED_API_KEY holds a registered FRED API key";
    case ErrorCode::kRateLimited:
      return "wait a minute and retry; FRED allows 120 requests per minute per key";
    case ErrorCode::kUnavailable:
      return "retry later";
    case ErrorCode::kNotFound:
      return "check the source's base URL";
    default:
      return "check the series id and the source's options in the config";
  }
}

}  // namespace

FredObservationPage ParseFredObservations(std::string_view body, FredFormat format,
                                          const std::string& origin) {
  return format == FredFormat::kXml ? ParseObservationsXml(body, origin)
                                    : ParseObservationsJson(body, origin);
}

SeriesInfo ParseFredSeries(std::string_view body, FredFormat format, const std::string& origin) {
  return format == FredFormat::kXml ? SeriesFromXml(body, origin) : SeriesFromJson(body, origin);
}

FredVintageDatesPage ParseFredVintageDates(std::string_view body, FredFormat format,
                                           const std::string& origin) {
  FredVintageDatesPage page;
  if (format == FredFormat::kXml) {
    pugi::xml_document document;
    pugi::xml_node root = XmlRoot(document, body, "vintage_dates", origin);
    page.count = XmlInteger(root, "count", origin);
    page.offset = XmlInteger(root, "offset", origin);
    for (pugi::xml_node node : root.children("vintage_date")) {
      page.vintage_dates.push_back(ParseDate(node.text().get(), "vintage date", origin));
    }
    return page;
  }
  nlohmann::json json = ParseJsonBody(body, origin);
  page.count = RequireInteger(json, "count", origin);
  page.offset = RequireInteger(json, "offset", origin);
  const nlohmann::json& dates = RequireMember(json, "vintage_dates", origin);
  if (!dates.is_array()) ThrowMalformed(origin, "'vintage_dates' is not an array");
  for (const nlohmann::json& date : dates) {
    if (!date.is_string()) ThrowMalformed(origin, "a vintage date is not a string");
    page.vintage_dates.push_back(ParseDate(date.get<std::string>(), "vintage date", origin));
  }
  return page;
}

std::optional<FredApiError> ParseFredError(std::string_view body) {
  size_t start = body.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return std::nullopt;
  if (body[start] == '{') {
    nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (!json.is_object() || !json.contains("error_message")) return std::nullopt;
    FredApiError error;
    const nlohmann::json& code = json.value("error_code", nlohmann::json());
    error.code = code.is_number_integer() ? code.get<int>() : 0;
    error.message = json["error_message"].is_string() ? json["error_message"].get<std::string>()
                                                      : json["error_message"].dump();
    return error;
  }
  pugi::xml_document document;
  if (!document.load_buffer(body.data(), body.size())) return std::nullopt;
  pugi::xml_node root = document.document_element();
  if (std::string_view(root.name()) != "error") return std::nullopt;
  return FredApiError{root.attribute("code").as_int(), root.attribute("message").value()};
}

ResponseClassifier FredClassifier(std::string what) {
  return [what = std::move(what)](const HttpResponse& response) {
    std::optional<FredApiError> error;
    if (response.status >= 400 || response.body.size() <= kMaxErrorBodySize) {
      error = ParseFredError(response.body);
    }
    if (response.status < 400 && !error) return;

    long status = response.status >= 400 ? response.status : error->code;
    ErrorCode code = ErrorCodeForStatus(status).value_or(ErrorCode::kInvalidInput);
    std::string message = error ? error->message : response.body.substr(0, 200);
    if (code == ErrorCode::kInvalidInput && message.find("api_key") != std::string::npos) {
      code = ErrorCode::kUnauthenticated;
    }
    throw Error(code, "FRED rejected " + what + ": HTTP " + std::to_string(status) + " '" +
                          message + "'; " + AdviceFor(code));
  };
}

}  // namespace macropipe
