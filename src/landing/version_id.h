// The version ids that macropipe makes itself, where the storage has no
// versions of its own (a local folder, an S3 bucket without versioning):
// "v<sequence of at least 6 digits>-<SHA-256 of the bytes in hex>".
//
//   FormatVersionId(12, sha256) == "v000012-" + sha256
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace macropipe {

std::string FormatVersionId(uint64_t sequence, const std::string& sha256);

// Parses "v000012-<sha>" into its sequence and hash; nullopt for other names.
std::optional<std::pair<uint64_t, std::string>> ParseVersionId(const std::string& name);

}  // namespace macropipe
