#include "secrets/fernet.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <memory>

#include "core/error.h"

namespace macropipe {
namespace {

constexpr unsigned char kVersion = 0x80;
constexpr size_t kTimestampSize = 8;
constexpr size_t kHmacSize = 32;
constexpr size_t kBlockSize = 16;
constexpr size_t kHeaderSize = 1 + kTimestampSize + Fernet::kIvSize;
constexpr size_t kMinTokenSize = kHeaderSize + kHmacSize;
constexpr char kBase64UrlAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string EncodeBase64Url(std::string_view bytes) {
  std::string text;
  text.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    size_t count = std::min<size_t>(3, bytes.size() - i);
    uint32_t group = 0;
    for (size_t j = 0; j < 3; ++j) {
      uint32_t byte = j < count ? static_cast<unsigned char>(bytes[i + j]) : 0;
      group = (group << 8) | byte;
    }
    for (size_t j = 0; j < 4; ++j) {
      text += j <= count ? kBase64UrlAlphabet[(group >> (18 - 6 * j)) & 0x3f] : '=';
    }
  }
  return text;
}

int Base64UrlValue(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// Decodes padded base64url. Returns nullopt for a wrong length, a character
// outside the alphabet or '=' anywhere but the last one or two places.
std::optional<std::string> DecodeBase64Url(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  size_t padding = 0;
  while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') {
    ++padding;
  }

  std::string bytes;
  bytes.reserve(text.size() / 4 * 3);
  uint32_t group = 0;
  for (size_t i = 0; i < text.size() - padding; ++i) {
    int value = Base64UrlValue(text[i]);
    if (value < 0) return std::nullopt;
    group = (group << 6) | static_cast<uint32_t>(value);
    if (i % 4 == 3) {
      bytes += static_cast<char>(group >> 16);
      bytes += static_cast<char>(group >> 8);
      bytes += static_cast<char>(group);
      group = 0;
    }
  }
  if (padding == 1) {
    bytes += static_cast<char>(group >> 10);
    bytes += static_cast<char>(group >> 2);
  } else if (padding == 2) {
    bytes += static_cast<char>(group >> 4);
  }
  return bytes;
}

const unsigned char* Bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

std::string HmacSha256(const std::array<unsigned char, 16>& key, std::string_view data) {
  std::string digest(kHmacSize, '\0');
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), Bytes(data), data.size(),
           reinterpret_cast<unsigned char*>(digest.data()), &length) == nullptr ||
      length != kHmacSize) {
    throw Error(ErrorCode::kInternal, "OpenSSL HMAC-SHA256 failed");
  }
  return digest;
}

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

// Runs AES-128-CBC with PKCS7 padding. Returns nullopt when decryption finds
// invalid padding.
std::optional<std::string> RunAes128Cbc(bool encrypt, const std::array<unsigned char, 16>& key,
                                        const unsigned char* iv, std::string_view input) {
  CipherContext context(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!context || EVP_CipherInit_ex(context.get(), EVP_aes_128_cbc(), nullptr, key.data(), iv,
                                    encrypt ? 1 : 0) != 1) {
    throw Error(ErrorCode::kInternal, "OpenSSL AES-128-CBC setup failed");
  }
  std::string output(input.size() + kBlockSize, '\0');
  auto* out = reinterpret_cast<unsigned char*>(output.data());
  int written = 0;
  if (EVP_CipherUpdate(context.get(), out, &written, Bytes(input),
                       static_cast<int>(input.size())) != 1) {
    throw Error(ErrorCode::kInternal, "OpenSSL AES-128-CBC update failed");
  }
  int final_written = 0;
  if (EVP_CipherFinal_ex(context.get(), out + written, &final_written) != 1) {
    if (encrypt) throw Error(ErrorCode::kInternal, "OpenSSL AES-128-CBC finalization failed");
    OPENSSL_cleanse(output.data(), output.size());
    return std::nullopt;
  }
  output.resize(static_cast<size_t>(written + final_written));
  return output;
}

uint64_t ReadBigEndian64(std::string_view bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < kTimestampSize; ++i) value = (value << 8) | Bytes(bytes)[i];
  return value;
}

[[noreturn]] void ThrowInvalidToken(ErrorCode code, const std::string& reason) {
  throw Error(code, "invalid Fernet token: " + reason);
}

// Rejects a token outside [now - ttl, now + kMaxClockSkew].
void CheckTimestamp(uint64_t timestamp, std::chrono::seconds ttl, int64_t now) {
  // Compare in 128 bits so that no timestamp, TTL or clock value can overflow.
  __int128 issued = timestamp;
  if (issued + ttl.count() < now) {
    ThrowInvalidToken(ErrorCode::kUnauthenticated,
                      "it expired: issued at " + std::to_string(timestamp) + " (Unix seconds), " +
                          std::to_string(now - static_cast<int64_t>(timestamp)) +
                          " s ago, beyond its TTL of " + std::to_string(ttl.count()) + " s");
  }
  if (issued > static_cast<__int128>(now) + Fernet::kMaxClockSkew.count()) {
    ThrowInvalidToken(ErrorCode::kUnauthenticated,
                      "its timestamp " + std::to_string(timestamp) +
                          " (Unix seconds) is more than " +
                          std::to_string(Fernet::kMaxClockSkew.count()) +
                          " s in the future; check the system clock");
  }
}

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Fernet::Fernet(std::string_view key, std::string_view key_origin) {
  std::optional<std::string> decoded = DecodeBase64Url(key);
  if (!decoded || decoded->size() != 2 * kKeySize) {
    size_t decoded_size = decoded ? decoded->size() : 0;
    if (decoded) OPENSSL_cleanse(decoded->data(), decoded->size());
    throw Error(ErrorCode::kInvalidInput,
                std::string(key_origin) + " is not a valid Fernet key: expected 32 bytes in " +
                    "padded base64url (44 characters), got " +
                    (decoded ? std::to_string(decoded_size) + " bytes"
                             : std::to_string(key.size()) + " characters that are not base64url") +
                    "; generate a key with `macropipe secrets init`");
  }
  std::copy_n(Bytes(*decoded), kKeySize, signing_key_.begin());
  std::copy_n(Bytes(*decoded) + kKeySize, kKeySize, encryption_key_.begin());
  OPENSSL_cleanse(decoded->data(), decoded->size());
}

Fernet::~Fernet() {
  OPENSSL_cleanse(signing_key_.data(), signing_key_.size());
  OPENSSL_cleanse(encryption_key_.data(), encryption_key_.size());
}

std::string Fernet::GenerateKey() {
  std::string key(2 * kKeySize, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1) {
    throw Error(ErrorCode::kInternal, "OpenSSL RAND_bytes failed to generate a Fernet key");
  }
  std::string encoded = EncodeBase64Url(key);
  OPENSSL_cleanse(key.data(), key.size());
  return encoded;
}

std::string Fernet::Encrypt(std::string_view plaintext) const {
  Iv iv;
  if (RAND_bytes(iv.data(), static_cast<int>(iv.size())) != 1) {
    throw Error(ErrorCode::kInternal, "OpenSSL RAND_bytes failed to generate a Fernet IV");
  }
  return EncryptAt(plaintext, static_cast<uint64_t>(UnixNow()), iv);
}

std::string Fernet::EncryptAt(std::string_view plaintext, uint64_t unix_seconds,
                              const Iv& iv) const {
  std::string token(1, static_cast<char>(kVersion));
  for (int shift = 56; shift >= 0; shift -= 8) {
    token += static_cast<char>((unix_seconds >> shift) & 0xff);
  }
  token.append(reinterpret_cast<const char*>(iv.data()), iv.size());
  token += *RunAes128Cbc(true, encryption_key_, iv.data(), plaintext);
  token += HmacSha256(signing_key_, token);
  return EncodeBase64Url(token);
}

std::string Fernet::Decrypt(std::string_view token, std::optional<std::chrono::seconds> ttl) const {
  return DecryptAt(token, ttl, UnixNow());
}

std::string Fernet::DecryptAt(std::string_view token, std::optional<std::chrono::seconds> ttl,
                              int64_t now_unix_seconds) const {
  std::optional<std::string> decoded = DecodeBase64Url(token);
  if (!decoded) ThrowInvalidToken(ErrorCode::kInvalidInput, "it is not padded base64url");
  std::string_view bytes = *decoded;
  if (bytes.size() < kMinTokenSize) {
    ThrowInvalidToken(ErrorCode::kInvalidInput, "it has " + std::to_string(bytes.size()) +
                                                    " bytes, fewer than the " +
                                                    std::to_string(kMinTokenSize) +
                                                    " that version, timestamp, IV and HMAC take");
  }
  if (static_cast<unsigned char>(bytes[0]) != kVersion) {
    ThrowInvalidToken(ErrorCode::kInvalidInput,
                      "its version byte is " + std::to_string(Bytes(bytes)[0]) + ", not 128");
  }

  // Authenticate before looking at anything else, so a modified token is
  // reported as such and no unauthenticated ciphertext reaches AES.
  std::string_view signed_part = bytes.substr(0, bytes.size() - kHmacSize);
  std::string expected = HmacSha256(signing_key_, signed_part);
  if (CRYPTO_memcmp(expected.data(), bytes.data() + signed_part.size(), kHmacSize) != 0) {
    ThrowInvalidToken(ErrorCode::kUnauthenticated,
                      "its HMAC does not match: the key is wrong or the token was modified");
  }
  if (ttl) CheckTimestamp(ReadBigEndian64(bytes.substr(1)), *ttl, now_unix_seconds);

  std::string_view ciphertext = signed_part.substr(kHeaderSize);
  if (ciphertext.empty() || ciphertext.size() % kBlockSize != 0) {
    ThrowInvalidToken(ErrorCode::kInvalidInput,
                      "its ciphertext of " + std::to_string(ciphertext.size()) +
                          " bytes is not a positive multiple of the 16-byte AES block");
  }
  std::optional<std::string> plaintext =
      RunAes128Cbc(false, encryption_key_, Bytes(bytes.substr(1 + kTimestampSize)), ciphertext);
  if (!plaintext) ThrowInvalidToken(ErrorCode::kInvalidInput, "its PKCS7 padding is invalid");
  return std::move(*plaintext);
}

}  // namespace macropipe
