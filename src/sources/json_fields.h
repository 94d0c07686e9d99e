// Typed access to JSON response bodies for the connectors, with errors that
// name the response they came from.
//
//   nlohmann::json body = ParseJsonBody(response.body, "FRED series GDP (https://...)");
//   std::string title = RequireString(body, "title", origin);
//
// Free functions without state; safe to call from any thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace macropipe {

// Parses `body` as JSON. Throws Error(kInvalidInput) naming `origin` and the
// parser's message when it is not valid JSON.
nlohmann::json ParseJsonBody(std::string_view body, const std::string& origin);

// Returns the member `key` of `object`. Throws Error(kInvalidInput) naming the
// key and `origin` when `object` is not an object or lacks the key.
const nlohmann::json& RequireMember(const nlohmann::json& object, std::string_view key,
                                    const std::string& origin);

// Returns the string member `key`. Throws Error(kInvalidInput) when it is
// missing or not a string.
std::string RequireString(const nlohmann::json& object, std::string_view key,
                          const std::string& origin);

// Returns the string member `key`, or nullopt when it is missing, null or not a string.
std::optional<std::string> OptionalString(const nlohmann::json& object, std::string_view key);

// Returns the integer member `key`, which may also be written as a string of
// digits. Throws Error(kInvalidInput) when it is missing or not an integer.
int64_t RequireInteger(const nlohmann::json& object, std::string_view key,
                       const std::string& origin);

// Formats a JSON number as its shortest exact decimal text ("1974000000",
// "0.25"). Throws Error(kInvalidInput) naming `origin` for anything else.
std::string FormatJsonNumber(const nlohmann::json& number, const std::string& origin);

}  // namespace macropipe
