#include "fault_plan.h"

#include <algorithm>
#include <array>
#include <utility>

#include "core/error.h"

namespace macropipe::replay {
namespace {

constexpr std::array<std::pair<FaultKind, const char*>, 7> kKinds = {{
    {FaultKind::kStatus, "status"},
    {FaultKind::kSlow, "slow"},
    {FaultKind::kTruncate, "truncate"},
    {FaultKind::kReset, "reset"},
    {FaultKind::kEmpty, "empty"},
    {FaultKind::kThrottle, "throttle"},
    {FaultKind::kHtml, "html"},
}};

[[noreturn]] void ThrowInvalid(const std::string& what) {
  throw Error(ErrorCode::kInvalidInput, "invalid fault: " + what);
}

FaultKind KindFromName(const std::string& name) {
  for (const auto& [kind, kind_name] : kKinds) {
    if (name == kind_name) return kind;
  }
  ThrowInvalid("kind '" + name +
               "' is unknown; use status, slow, truncate, reset, empty, throttle or html");
}

int IntegerField(const nlohmann::json& json, const char* field, int fallback, int min, int max) {
  auto it = json.find(field);
  if (it == json.end()) return fallback;
  if (!it->is_number_integer() || it->get<int64_t>() < min || it->get<int64_t>() > max) {
    ThrowInvalid(std::string(field) + " must be an integer from " + std::to_string(min) + " to " +
                 std::to_string(max) + ", not " + it->dump());
  }
  return it->get<int>();
}

std::string StringField(const nlohmann::json& json, const char* field) {
  auto it = json.find(field);
  if (it == json.end()) return "";
  if (!it->is_string()) ThrowInvalid(std::string(field) + " must be a string, not " + it->dump());
  return it->get<std::string>();
}

// Turns "a=1,b=x" into {"a": 1, "b": "x"}, numbers as JSON integers.
nlohmann::json ShortFormToJson(const std::string& text) {
  nlohmann::json json = nlohmann::json::object();
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string pair =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? text.size() + 1 : comma + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    if (eq == std::string::npos) ThrowInvalid("'" + pair + "' in '" + text + "' is not name=value");
    std::string name = pair.substr(0, eq);
    std::string value = pair.substr(eq + 1);
    bool numeric =
        !value.empty() && value.size() < 10 &&
        std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); });
    json[name] = numeric ? nlohmann::json(std::stoi(value)) : nlohmann::json(value);
  }
  return json;
}

}  // namespace

std::string FaultKindName(FaultKind kind) {
  for (const auto& [known, name] : kKinds) {
    if (known == kind) return name;
  }
  return "unknown";
}

Fault ParseFault(const nlohmann::json& json) {
  if (!json.is_object()) ThrowInvalid("expected a JSON object, got " + json.dump());
  static const std::array<const char*, 9> kFields = {"kind",         "count",   "path",
                                                     "parameter",    "status",  "body",
                                                     "content_type", "headers", "delay_ms"};
  for (const auto& [name, value] : json.items()) {
    if (std::find(kFields.begin(), kFields.end(), name) == kFields.end()) {
      ThrowInvalid("field '" + name + "' is unknown");
    }
  }
  if (!json.contains("kind")) ThrowInvalid("field 'kind' is missing");

  Fault fault;
  fault.kind = KindFromName(StringField(json, "kind"));
  fault.count = IntegerField(json, "count", 1, 1, 1000000);
  fault.path = StringField(json, "path");
  fault.parameter = StringField(json, "parameter");
  if (!fault.parameter.empty() && fault.parameter.find('=') == std::string::npos) {
    ThrowInvalid("parameter '" + fault.parameter + "' is not name=value");
  }
  int default_status = fault.kind == FaultKind::kHtml ? 200 : 500;
  fault.status = IntegerField(json, "status", default_status, 100, 599);
  if (json.contains("body")) fault.body = StringField(json, "body");
  fault.content_type = StringField(json, "content_type");
  fault.delay_ms = IntegerField(json, "delay_ms", 2000, 0, 600000);
  if (json.contains("headers")) {
    if (!json["headers"].is_object()) ThrowInvalid("headers must be an object of strings");
    for (const auto& [name, value] : json["headers"].items()) {
      if (!value.is_string()) ThrowInvalid("header '" + name + "' must be a string");
      fault.headers[name] = value.get<std::string>();
    }
  }
  return fault;
}

Fault ParseFaultArgument(const std::string& text) {
  if (!text.empty() && text.front() == '{') {
    nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) ThrowInvalid("'" + text + "' is not valid JSON");
    return ParseFault(json);
  }
  return ParseFault(ShortFormToJson(text));
}

std::vector<Fault> ParseFaultList(const nlohmann::json& json) {
  const nlohmann::json& list = json.is_object() && json.contains("faults") ? json["faults"] : json;
  std::vector<Fault> faults;
  if (!list.is_array()) {
    faults.push_back(ParseFault(list));
    return faults;
  }
  for (const nlohmann::json& entry : list) faults.push_back(ParseFault(entry));
  return faults;
}

void FaultPlan::Add(Fault fault) {
  std::lock_guard lock(mutex_);
  faults_.push_back(std::move(fault));
}

void FaultPlan::Clear() {
  std::lock_guard lock(mutex_);
  faults_.clear();
}

std::optional<Fault> FaultPlan::Take(const std::string& path, const QueryParameters& parameters) {
  std::lock_guard lock(mutex_);
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (!path.starts_with(it->path)) continue;
    if (!it->parameter.empty()) {
      size_t eq = it->parameter.find('=');
      std::pair<std::string, std::string> wanted(it->parameter.substr(0, eq),
                                                 it->parameter.substr(eq + 1));
      if (std::find(parameters.begin(), parameters.end(), wanted) == parameters.end()) continue;
    }
    Fault taken = *it;
    if (--it->count == 0) faults_.erase(it);
    return taken;
  }
  return std::nullopt;
}

nlohmann::json FaultPlan::Pending() {
  std::lock_guard lock(mutex_);
  nlohmann::json list = nlohmann::json::array();
  for (const Fault& fault : faults_) {
    list.push_back({{"kind", FaultKindName(fault.kind)},
                    {"count", fault.count},
                    {"path", fault.path},
                    {"parameter", fault.parameter}});
  }
  return list;
}

}  // namespace macropipe::replay
