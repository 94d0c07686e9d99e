#include "sources/json_fields.h"

#include <charconv>

#include "core/error.h"

namespace macropipe {
namespace {

[[noreturn]] void ThrowMalformed(const std::string& origin, const std::string& what) {
  throw Error(ErrorCode::kInvalidInput, "unexpected response from " + origin + ": " + what +
                                            "; check the source's URL and request options");
}

}  // namespace

nlohmann::json ParseJsonBody(std::string_view body, const std::string& origin) {
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    std::string start(body.substr(0, 80));
    ThrowMalformed(origin, "the body is not valid JSON (it starts with '" + start + "')");
  }
  return parsed;
}

const nlohmann::json& RequireMember(const nlohmann::json& object, std::string_view key,
                                    const std::string& origin) {
  if (!object.is_object()) {
    ThrowMalformed(origin, "expected a JSON object containing '" + std::string(key) + "'");
  }
  auto found = object.find(key);
  if (found == object.end()) {
    ThrowMalformed(origin, "the member '" + std::string(key) + "' is missing");
  }
  return *found;
}

std::string RequireString(const nlohmann::json& object, std::string_view key,
                          const std::string& origin) {
  const nlohmann::json& member = RequireMember(object, key, origin);
  if (!member.is_string()) {
    ThrowMalformed(origin, "the member '" + std::string(key) + "' is not a string");
  }
  return member.get<std::string>();
}

std::optional<std::string> OptionalString(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return std::nullopt;
  auto found = object.find(key);
  if (found == object.end() || !found->is_string()) return std::nullopt;
  return found->get<std::string>();
}

int64_t RequireInteger(const nlohmann::json& object, std::string_view key,
                       const std::string& origin) {
  const nlohmann::json& member = RequireMember(object, key, origin);
  if (member.is_number_integer()) return member.get<int64_t>();
  if (member.is_string()) {
    const std::string& text = member.get_ref<const std::string&>();
    int64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error == std::errc() && end == text.data() + text.size()) return value;
  }
  ThrowMalformed(origin, "the member '" + std::string(key) + "' is not an integer");
}

std::string FormatJsonNumber(const nlohmann::json& number, const std::string& origin) {
  if (!number.is_number()) ThrowMalformed(origin, "expected a number, found " + number.dump());
  return number.dump();
}

}  // namespace macropipe
