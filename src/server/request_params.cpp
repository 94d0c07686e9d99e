#include "server/request_params.h"

#include <algorithm>
#include <charconv>
#include <memory>

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

int64_t RunIdFromPath(const std::string& text, const std::string& resource) {
  int64_t run_id = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), run_id);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw Error(ErrorCode::kInvalidInput,
                "invalid " + resource + " id '" + text + "': expected an integer run id");
  }
  return run_id;
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

void SetUncompressedContent(httplib::Response& response, std::string content,
                            const std::string& content_type) {
  if (content.empty()) {
    response.set_content(content, content_type);
    return;
  }
  auto shared = std::make_shared<const std::string>(std::move(content));
  response.set_content_provider(shared->size(), content_type,
                                [shared](size_t offset, size_t length, httplib::DataSink& sink) {
                                  return sink.write(shared->data() + offset,
                                                    std::min(length, shared->size() - offset));
                                });
}

void WriteJson(httplib::Response& response, const nlohmann::json& body, int status) {
  response.status = status;
  SetUncompressedContent(response, body.dump(), "application/json");
}

}  // namespace macropipe::server
