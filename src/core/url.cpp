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

// Decodes %XX escapes, so that "api_ke%79" is recognized as "api_key".
std::string PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

bool IsSecretParameter(std::string_view raw_name) {
  std::string lower = Lower(PercentDecode(raw_name));
  // Array-style names such as "api_key[]" count as their base name.
  while (!lower.empty() && (lower.back() == ']' || lower.back() == '[')) lower.pop_back();
  auto ends_with = [&](std::string_view suffix) {
    return lower.size() >= suffix.size() &&
           lower.compare(lower.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends_with("key") || ends_with("token") || ends_with("secret") || ends_with("password") ||
         lower == "pwd" || lower == "passwd" || lower == "auth" || lower == "authorization" ||
         lower == "signature" || lower == "x-amz-signature" || lower == "x-amz-credential" ||
         lower == "x-amz-security-token";
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

  size_t query = url.find_first_of("?#");
  if (query == std::string_view::npos) {
    out.append(url);
    return out;
  }
  out.append(url.substr(0, query + 1));
  // Query and fragment are redacted alike: both may carry a key.
  std::string_view rest = url.substr(query + 1);
  size_t start = 0;
  while (start <= rest.size()) {
    size_t end = rest.find_first_of("&;#?", start);
    std::string_view pair = rest.substr(start, end == std::string_view::npos ? end : end - start);
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && IsSecretParameter(pair.substr(0, eq))) {
      out.append(pair.substr(0, eq)).append("=REDACTED");
    } else {
      out.append(pair);
    }
    if (end == std::string_view::npos) break;
    out.push_back(rest[end]);
    start = end + 1;
  }
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
  // A file URL's query or fragment is not part of the path.
  rest = rest.substr(0, rest.find_first_of("?#"));
  return PercentDecode(rest);
}

}  // namespace macropipe
