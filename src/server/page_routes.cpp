// Serves the page and its assets from the copies compiled into the binary.
#include "server/page_assets.h"
#include "server/problem.h"
#include "server/request_params.h"
#include "server/routes.h"

namespace macropipe::server {

void AddPageRoutes(httplib::Server& http) {
  for (const PageAsset& asset : PageAssets()) {
    http.Get(std::string(asset.url), [&asset](const httplib::Request&,
                                              httplib::Response& response) {
      response.set_header("Cache-Control", "no-cache");
      SetUncompressedContent(response, std::string(asset.content), std::string(asset.content_type));
    });
  }
}

}  // namespace macropipe::server
