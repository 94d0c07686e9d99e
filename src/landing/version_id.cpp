#include "landing/version_id.h"

#include <algorithm>

namespace macropipe {
namespace {

constexpr size_t kSequenceDigits = 6;

}  // namespace

std::string FormatVersionId(uint64_t sequence, const std::string& sha256) {
  std::string number = std::to_string(sequence);
  std::string padded =
      std::string(kSequenceDigits - std::min(kSequenceDigits, number.size()), '0') + number;
  return "v" + padded + "-" + sha256;
}

std::optional<std::pair<uint64_t, std::string>> ParseVersionId(const std::string& name) {
  size_t dash = name.find('-');
  if (name.size() < 3 || name[0] != 'v' || dash == std::string::npos) return std::nullopt;
  uint64_t sequence = 0;
  for (size_t i = 1; i < dash; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    sequence = sequence * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  return std::make_pair(sequence, name.substr(dash + 1));
}

}  // namespace macropipe
