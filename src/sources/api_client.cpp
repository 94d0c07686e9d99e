#include "sources/api_client.h"

namespace macropipe {

ApiClient::ApiClient(FetchContext& context, std::string user_agent) {
  // Headers travel with each FetchRequest, so both fetchers send them alike.
  if (!user_agent.empty()) headers_.push_back("User-Agent: " + user_agent);
  if (context.fetcher != nullptr) {
    fetcher_ = context.fetcher;
    return;
  }
  direct_ = std::make_unique<DirectFetcher>(context.http);
  fetcher_ = direct_.get();
}

HttpResponse ApiClient::Get(const std::string& url, const std::string& what,
                            const ResponseClassifier& classify) {
  ++requests_;
  return fetcher_->Fetch(FetchRequest{url, headers_, what}, classify);
}

std::string EncodeQueryValue(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == '~' || c == '-';
    if (plain) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string AppendQuery(std::string url, std::string_view name, std::string_view value) {
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += name;
  url += '=';
  url += EncodeQueryValue(value);
  return url;
}

}  // namespace macropipe
