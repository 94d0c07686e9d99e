#include "server/request_params.h"

#include <charconv>

#include "core/error.h"

namespace macropipe::server {

std::optional<std::string> Parameter(const httplib::Request& request, const std::string& name) {
  if (!request.has_param(name.c_str())) return std::nullopt;
  std::string value = request.get_param_value(name.c_str());
  if (value.empty()) return std::nullopt;
  return value;
}

std::optional<int64_t> IntegerParameter(const httplib::Request& request, const std::string& name,
                                        int64_t minimum, int64_t maximum) {
  std::optional<std::string> text = Parameter(request, name);
  if (!text) return std::nullopt;
  int64_t value = 0;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size() || value < minimum ||
      value > maximum) {
    throw Error(ErrorCode::kInvalidInput,
                "invalid " + name + " '" + *text + "': expected an integer from " +
                    std::to_string(minimum) + " to " + std::to_string(maximum));
  }
  return value;
}

Page ParsePage(const httplib::Request& request) {
  Page page;
  page.limit = IntegerParameter(request, "limit", 1, kMaxPageLimit).value_or(kDefaultPageLimit);
  page.offset = IntegerParameter(request, "offset", 0, INT64_MAX).value_or(0);
  return page;
}

nlohmann::json JsonBody(const httplib::Request& request) {
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    throw Error(ErrorCode::kInvalidInput,
                "the request body is not a JSON object; send Content-Type application/json "
                "with an object such as {\"sql\": \"SELECT 1\"}");
  }
  return body;
}

void WriteJson(httplib::Response& response, const nlohmann::json& body, int status) {
  response.status = status;
  response.set_content(body.dump(), "application/json");
}

}  // namespace macropipe::server
