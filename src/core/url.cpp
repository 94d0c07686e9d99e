#include "core/url.h"

#include <algorithm>
#include <cctype>

namespace macropipe {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool IsSecretParameter(std::string_view name) {
  std::string lower = Lower(name);
  auto ends_with = [&](std::string_view suffix) {
    return lower.size() >= suffix.size() &&
           lower.compare(lower.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends_with("key") || ends_with("token") || lower == "password" || lower == "secret" ||
         lower == "signature" || lower == "x-amz-signature" || lower == "x-amz-credential";
}

}  // namespace

std::string RedactUrl(std::string_view url) {
  std::string out;
  out.reserve(url.size());

  // Drop user information ("user:password@") from the authority.
  size_t scheme_end = url.find("://");
  if (scheme_end != std::string_view::npos) {
    size_t authority = scheme_end + 3;
    size_t authority_end = url.find_first_of("/?#", authority);
    if (authority_end == std::string_view::npos) authority_end = url.size();
    size_t at = url.rfind('@', authority_end);
    out.append(url.substr(0, authority));
    if (at != std::string_view::npos && at >= authority) authority = at + 1;
    url = url.substr(authority);
  }

  size_t query = url.find('?');
  if (query == std::string_view::npos) {
    out.append(url);
    return out;
  }
  out.append(url.substr(0, query + 1));
  std::string_view rest = url.substr(query + 1);
  size_t fragment = rest.find('#');
  std::string_view tail = fragment == std::string_view::npos ? "" : rest.substr(fragment);
  rest = rest.substr(0, fragment);

  bool first = true;
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? "" : rest.substr(amp + 1);
    if (!first) out.push_back('&');
    first = false;
    size_t eq = pair.find('=');
    std::string_view name = pair.substr(0, eq);
    if (eq != std::string_view::npos && IsSecretParameter(name)) {
      out.append(name).append("=REDACTED");
    } else {
      out.append(pair);
    }
  }
  out.append(tail);
  return out;
}

std::string EncodeKeyComponent(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '.' || c == '_' || c == '-') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

std::string UrlFileName(std::string_view url) {
  size_t end = url.find_first_of("?#");
  if (end != std::string_view::npos) url = url.substr(0, end);
  size_t slash = url.rfind('/');
  return std::string(slash == std::string_view::npos ? url : url.substr(slash + 1));
}

std::string FileUrlToPath(std::string_view url) {
  constexpr std::string_view kPrefix = "file://";
  if (url.substr(0, kPrefix.size()) != kPrefix) return {};
  std::string_view rest = url.substr(kPrefix.size());
  // Accept file://localhost/path and file:///path.
  if (rest.substr(0, 9) == "localhost") rest = rest.substr(9);
  std::string path;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%' && i + 2 < rest.size() &&
        std::isxdigit(static_cast<unsigned char>(rest[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(rest[i + 2]))) {
      path.push_back(static_cast<char>(std::stoi(std::string(rest.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      path.push_back(rest[i]);
    }
  }
  return path;
}

}  // namespace macropipe
