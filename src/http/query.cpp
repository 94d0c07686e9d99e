#include "http/query.h"

#include "core/url.h"

namespace macropipe {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void ReplaceAll(std::string& text, const std::string& from, std::string_view to) {
  if (from.empty()) return;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

}  // namespace

std::string PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+' && plus_is_space) {
      out.push_back(' ');
      continue;
    }
    if (c == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
        HexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
      continue;
    }
    out.push_back(c);
  }
  return out;
}

QueryParameters ParseQuery(std::string_view query) {
  QueryParameters parameters;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view name = pair.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    parameters.emplace_back(PercentDecode(name), PercentDecode(value));
  }
  return parameters;
}

std::string_view QueryOf(std::string_view url) {
  size_t question = url.find('?');
  if (question == std::string_view::npos) return {};
  std::string_view query = url.substr(question + 1);
  return query.substr(0, query.find('#'));
}

bool IsCredentialParameter(std::string_view name) {
  // Ask RedactUrl itself, so that the two never disagree on what a credential is.
  std::string probe = "http://host/?" + std::string(name) + "=value";
  return RedactUrl(probe) != probe;
}

std::string RedactCredentials(std::string_view text, std::string_view url, size_t min_length) {
  std::string out(text);
  std::string_view query = QueryOf(url);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos || !IsCredentialParameter(PercentDecode(pair.substr(0, eq)))) {
      continue;
    }
    std::string raw(pair.substr(eq + 1));
    std::string decoded = PercentDecode(raw);
    if (decoded.size() < min_length) continue;
    ReplaceAll(out, raw, "REDACTED");
    ReplaceAll(out, decoded, "REDACTED");
  }
  return out;
}

}  // namespace macropipe
