// Fernet authenticated encryption, compatible with Python's cryptography.fernet
// and every other implementation of the Fernet specification, version 0x80.
//
// A token is base64url(version 0x80 | 64-bit big-endian timestamp | 128-bit IV |
// AES-128-CBC ciphertext with PKCS7 padding | HMAC-SHA256 of all before it).
// A key is base64url(16-byte signing key | 16-byte encryption key).
//
//   Fernet fernet(Fernet::GenerateKey());
//   std::string plaintext = fernet.Decrypt(fernet.Encrypt("value"));
//
// Thread-safety: a Fernet is immutable after construction, so one object may
// be used from several threads at once.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace macropipe {

class Fernet {
 public:
  static constexpr size_t kIvSize = 16;
  using Iv = std::array<unsigned char, kIvSize>;

  // A token may carry a timestamp at most this far ahead of the verifier's
  // clock when a TTL is checked; Python's cryptography allows the same.
  static constexpr std::chrono::seconds kMaxClockSkew{60};

  // Builds a Fernet from a base64url key of 32 bytes. Throws
  // Error(kInvalidInput) naming `key_origin` (for example "MACROPIPE_SECRETS_KEY"),
  // never the key itself, when the key is malformed.
  explicit Fernet(std::string_view key, std::string_view key_origin = "the Fernet key");
  ~Fernet();
  Fernet(const Fernet&) = default;
  Fernet& operator=(const Fernet&) = default;

  // Returns a new random key from OpenSSL's CSPRNG, base64url encoded (44 characters).
  static std::string GenerateKey();

  // Encrypts `plaintext` with the current time and a random IV.
  std::string Encrypt(std::string_view plaintext) const;

  // Encrypts `plaintext` with a given timestamp (seconds since the Unix epoch)
  // and IV. Reusing an IV with the same key weakens the encryption, so only
  // tests and test vectors call this.
  std::string EncryptAt(std::string_view plaintext, uint64_t unix_seconds, const Iv& iv) const;

  // Verifies and decrypts `token` at the current time. With a `ttl`, a token
  // older than `ttl` or dated more than kMaxClockSkew in the future is rejected.
  // Throws Error(kInvalidInput) for a malformed token and Error(kUnauthenticated)
  // for a token whose HMAC does not match this key (a wrong key or a modified
  // token) or whose age falls outside the TTL.
  std::string Decrypt(std::string_view token,
                      std::optional<std::chrono::seconds> ttl = std::nullopt) const;

  // Decrypt() with the verifier's clock set to `now_unix_seconds`.
  std::string DecryptAt(std::string_view token, std::optional<std::chrono::seconds> ttl,
                        int64_t now_unix_seconds) const;

 private:
  static constexpr size_t kKeySize = 16;

  std::array<unsigned char, kKeySize> signing_key_;
  std::array<unsigned char, kKeySize> encryption_key_;
};

}  // namespace macropipe
