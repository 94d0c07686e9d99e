// The files of the page, compiled into the binary from web/ and from the
// chart library that scripts/setup.sh installs with npm, so that the server
// fetches nothing at run time.
#pragma once

#include <string_view>
#include <vector>

namespace macropipe::server {

struct PageAsset {
  std::string_view url;  // For example "/assets/app.js".
  std::string_view content_type;
  std::string_view content;
};

// Every embedded asset; "/" is the page itself.
const std::vector<PageAsset>& PageAssets();

}  // namespace macropipe::server
