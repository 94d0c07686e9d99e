// SHA-256 digests as lower-case hex, computed with OpenSSL.
//
//   Sha256 hash; hash.Update(part1); hash.Update(part2); hash.HexDigest();
//
// Not thread-safe; use one object per thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace macropipe {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view bytes);
  // Finishes the digest and returns it as 64 hex characters.
  std::string HexDigest();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

// Returns the hex SHA-256 of `bytes`.
std::string Sha256Hex(std::string_view bytes);

}  // namespace macropipe
