// Opens the landing zone's object store that the config names: the data
// directory's `landing` folder, another folder (file://), or an S3 bucket.
//
//   std::unique_ptr<ObjectStore> store = OpenLandingStore(config.landing, data_dir);
//
// S3 credentials are AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and, for
// temporary credentials, AWS_SESSION_TOKEN, each taken from the environment
// or else from the secrets file of `data_dir`.
#pragma once

#include <filesystem>
#include <memory>

#include "core/config.h"
#include "landing/object_store.h"
#include "landing/s3_client.h"

namespace macropipe {

std::unique_ptr<ObjectStore> OpenLandingStore(const LandingConfig& landing,
                                              const std::filesystem::path& data_dir);

// Builds the S3 options of an s3:// landing, filling the endpoint, region
// and addressing from the environment where the config leaves them out.
// Throws Error(kUnauthenticated) when the credentials are missing.
S3Options S3OptionsFor(const LandingConfig& landing, const std::filesystem::path& data_dir);

}  // namespace macropipe
