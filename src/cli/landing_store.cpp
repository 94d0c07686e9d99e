#include "cli/landing_store.h"

#include <cstdlib>

#include "core/error.h"
#include "core/url.h"
#include "landing/local_object_store.h"
#include "landing/s3_object_store.h"
#include "secrets/secrets_store.h"

namespace macropipe {
namespace {

// Returns the first of the environment variables `names` that is set and not empty.
std::string FirstEnvironment(std::initializer_list<const char*> names) {
  for (const char* name : names) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') return value;
  }
  return "";
}

// Splits "s3://bucket/some/prefix/" into the bucket and "some/prefix".
std::pair<std::string, std::string> SplitS3Url(const std::string& url) {
  std::string rest = url.substr(5);
  size_t slash = rest.find('/');
  if (slash == std::string::npos) return {rest, ""};
  std::string prefix = rest.substr(slash + 1);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  return {rest.substr(0, slash), prefix};
}

}  // namespace

S3Options S3OptionsFor(const LandingConfig& landing, const std::filesystem::path& data_dir) {
  S3Options options;
  options.bucket = SplitS3Url(landing.url).first;
  options.region = landing.region;
  if (options.region.empty())
    options.region = FirstEnvironment({"AWS_REGION", "AWS_DEFAULT_REGION"});
  if (options.region.empty()) options.region = "us-east-1";
  options.endpoint = landing.endpoint;
  if (options.endpoint.empty()) {
    options.endpoint = FirstEnvironment({"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"});
  }
  bool aws = options.endpoint.empty();
  if (aws) options.endpoint = "https://s3." + options.region + ".amazonaws.com";
  std::string addressing = landing.addressing;
  if (addressing.empty()) addressing = aws ? "virtual" : "path";
  options.addressing = addressing == "virtual" ? S3Addressing::kVirtualHosted : S3Addressing::kPath;

  std::optional<std::string> access_key = LookupSecret(data_dir, "AWS_ACCESS_KEY_ID");
  std::optional<std::string> secret_key = LookupSecret(data_dir, "AWS_SECRET_ACCESS_KEY");
  if (!access_key || !secret_key) {
    throw Error(ErrorCode::kUnauthenticated,
                "no S3 credentials for landing " + landing.url + " (" + landing.where +
                    "): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment, or "
                    "store them with `macropipe secrets set`");
  }
  options.credentials = {*access_key, *secret_key,
                         LookupSecret(data_dir, "AWS_SESSION_TOKEN").value_or("")};
  return options;
}

std::unique_ptr<ObjectStore> OpenLandingStore(const LandingConfig& landing,
                                              const std::filesystem::path& data_dir) {
  if (landing.url.empty()) return std::make_unique<LocalObjectStore>(data_dir / "landing");
  if (!landing.IsS3()) return std::make_unique<LocalObjectStore>(FileUrlToPath(landing.url));
  return std::make_unique<S3ObjectStore>(S3OptionsFor(landing, data_dir),
                                         S3StoreOptions{.prefix = SplitS3Url(landing.url).second});
}

}  // namespace macropipe
