// Serves the page and its assets from the copies compiled into the binary.
#include "server/page_assets.h"
#include "server/problem.h"
#include "server/routes.h"

namespace macropipe::server {

void AddPageRoutes(httplib::Server& http) {
  for (const PageAsset& asset : PageAssets()) {
    http.Get(std::string(asset.url),
             [&asset](const httplib::Request&, httplib::Response& response) {
               response.set_header("Cache-Control", "no-cache");
               response.set_content(asset.content.data(), asset.content.size(),
                                    std::string(asset.content_type).c_str());
             });
  }
}

}  // namespace macropipe::server
