#include "secrets/fernet.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/error.h"
#include "test_support.h"

namespace macropipe {
namespace {

// The test vectors of the Fernet specification: generate.json, verify.json and
// invalid.json of github.com/fernet/spec (commit 20dead4). Times are the
// vectors' "now" values as Unix seconds.
constexpr char kSpecKey[] = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
constexpr char kSpecToken[] =
    "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4"
    "IwqDA==";
constexpr int64_t kSpecGenerateNow = 499162800;  // 1985-10-26T01:20:00-07:00
constexpr int64_t kSpecVerifyNow = 499162801;    // 1985-10-26T01:20:01-07:00
constexpr std::chrono::seconds kSpecTtl{60};

Fernet::Iv SequentialIv() {
  Fernet::Iv iv;
  for (size_t i = 0; i < iv.size(); ++i) iv[i] = static_cast<unsigned char>(i);
  return iv;
}

struct InvalidTokenCase {
  std::string description;
  std::string token;
  int64_t now;
  ErrorCode code;
  std::string message_part;
};

std::vector<InvalidTokenCase> SpecInvalidTokens() {
  return {
      {"incorrect mac",
       "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykQUFBQUF"
       "BQUFBQQ==",
       kSpecVerifyNow, ErrorCode::kUnauthenticated, "HMAC does not match"},
      {"too short", "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPA==", kSpecVerifyNow,
       ErrorCode::kInvalidInput, "fewer than"},
      {"invalid base64",
       "%%%%%%%%%%%%%AECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykRtfsH-p"
       "1YsUD2Q==",
       kSpecVerifyNow, ErrorCode::kInvalidInput, "base64url"},
      {"payload size not multiple of block size",
       "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPOm73QeoCk9uGib28Xe5vz6oxq5nmxbx_v7mrfy"
       "udzUm",
       kSpecVerifyNow, ErrorCode::kInvalidInput, "multiple of the 16-byte AES block"},
      {"payload padding error",
       "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0ODz4LEpdELGQAad7aNEHbf-JkLPIpuiYRLQ3RtXatOYREu2FWke6CnJNYIbk"
       "uKNqOhw==",
       kSpecVerifyNow, ErrorCode::kInvalidInput, "padding"},
      {"far-future TS (unacceptable clock skew)",
       "gAAAAAAdwStRAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAnja1xKYyhd-Y6mSkTOyTGJmw2Xc2a6kBd-iX9"
       "b_qXQcw==",
       kSpecVerifyNow, ErrorCode::kUnauthenticated, "in the future"},
      {"expired TTL",
       "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykRtfsH-p"
       "1YsUD2Q==",
       499162891,  // 1985-10-26T01:21:31-07:00
       ErrorCode::kUnauthenticated, "expired"},
      {"incorrect IV (causes padding error)",
       "gAAAAAAdwJ6xBQECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAkLhFLHpGtDBRLRTZeUfWgHSv49TF2AUEZ1TIv"
       "cZjK1zQ==",
       kSpecVerifyNow, ErrorCode::kInvalidInput, "padding"},
  };
}

TEST(FernetTest, SpecGenerateVector) {
  Fernet fernet(kSpecKey);
  EXPECT_EQ(fernet.EncryptAt("hello", kSpecGenerateNow, SequentialIv()), kSpecToken);
}

TEST(FernetTest, SpecVerifyVector) {
  Fernet fernet(kSpecKey);
  EXPECT_EQ(fernet.DecryptAt(kSpecToken, kSpecTtl, kSpecVerifyNow), "hello");
}

TEST(FernetTest, SpecInvalidVectorsRejected) {
  Fernet fernet(kSpecKey);
  for (const InvalidTokenCase& test_case : SpecInvalidTokens()) {
    SCOPED_TRACE(test_case.description);
    try {
      fernet.DecryptAt(test_case.token, kSpecTtl, test_case.now);
      ADD_FAILURE() << "the token was accepted";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), test_case.code);
      EXPECT_NE(std::string(error.what()).find(test_case.message_part), std::string::npos)
          << error.what();
    }
  }
}

TEST(FernetTest, RoundTripsPlaintexts) {
  Fernet fernet(Fernet::GenerateKey());
  const std::vector<std::string> plaintexts = {"",
                                               "a",
                                               std::string(15, 'x'),
                                               std::string(16, 'x'),
                                               std::string(17, 'x'),
                                               std::string("nul\0inside", 10),
                                               std::string(1000, '\xff'),
                                               "{\"FRED_API_KEY\":\"abc\"}"};
  for (const std::string& plaintext : plaintexts) {
    SCOPED_TRACE("plaintext of " + std::to_string(plaintext.size()) + " bytes");
    EXPECT_EQ(fernet.Decrypt(fernet.Encrypt(plaintext)), plaintext);
  }
}

TEST(FernetTest, EncryptUsesFreshIv) {
  Fernet fernet(Fernet::GenerateKey());
  EXPECT_NE(fernet.Encrypt("same"), fernet.Encrypt("same"));
}

TEST(FernetTest, GenerateKeyReturnsDistinctKeys) {
  std::string first = Fernet::GenerateKey();
  std::string second = Fernet::GenerateKey();
  EXPECT_EQ(first.size(), 44u);
  EXPECT_EQ(first.back(), '=');
  EXPECT_NE(first, second);
}

TEST(FernetTest, WrongKeyRejected) {
  std::string token = Fernet(Fernet::GenerateKey()).Encrypt("value");
  try {
    Fernet(Fernet::GenerateKey()).Decrypt(token);
    FAIL() << "a token was decrypted with another key";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kUnauthenticated);
  }
}

TEST(FernetTest, TamperedTokenRejected) {
  Fernet fernet(Fernet::GenerateKey());
  const std::string token = fernet.Encrypt("value");
  // The last four characters are left out because with '=' padding some bits
  // of the last group are unused, so changing them leaves the bytes unchanged.
  for (size_t position = 0; position + 4 < token.size(); ++position) {
    SCOPED_TRACE("character " + std::to_string(position) + " changed");
    std::string tampered = token;
    tampered[position] = tampered[position] == 'A' ? 'B' : 'A';
    EXPECT_THROW(fernet.Decrypt(tampered), Error);
  }
}

TEST(FernetTest, TtlBoundaries) {
  Fernet fernet(kSpecKey);
  const int64_t issued = 1'700'000'000;
  const std::string token = fernet.EncryptAt("value", issued, SequentialIv());
  struct Case {
    std::string description;
    int64_t now;
    bool accepted;
  };
  const std::vector<Case> cases = {
      {"issued now", issued, true},
      {"exactly at the TTL", issued + 60, true},
      {"one second past the TTL", issued + 61, false},
      {"issued at the maximum clock skew ahead", issued - 60, true},
      {"issued beyond the maximum clock skew ahead", issued - 61, false},
  };
  for (const Case& test_case : cases) {
    SCOPED_TRACE(test_case.description);
    if (test_case.accepted) {
      EXPECT_EQ(fernet.DecryptAt(token, std::chrono::seconds(60), test_case.now), "value");
    } else {
      EXPECT_THROW(fernet.DecryptAt(token, std::chrono::seconds(60), test_case.now), Error);
    }
  }
}

TEST(FernetTest, NoTtlAcceptsOldToken) {
  Fernet fernet(kSpecKey);
  EXPECT_EQ(fernet.DecryptAt(kSpecToken, std::nullopt, 2'000'000'000), "hello");
}

TEST(FernetTest, MalformedKeysRejectedWithoutEcho) {
  const std::vector<std::string> keys = {
      "",
      "c2hvcnQ=",                                      // 5 bytes
      "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4",   // padding missing
      "cw/0x689RpI+jtRR7oE8h/eQsKImvJapLeSbXpwF4e4=",  // standard, not URL-safe, alphabet
      "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4Q==",  // 31 bytes
  };
  for (const std::string& key : keys) {
    SCOPED_TRACE("key '" + key + "'");
    try {
      Fernet fernet(key, "TEST_KEY_ORIGIN");
      ADD_FAILURE() << "the key was accepted";
    } catch (const Error& error) {
      std::string message = error.what();
      EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
      EXPECT_NE(message.find("TEST_KEY_ORIGIN"), std::string::npos) << message;
      if (!key.empty()) {
        EXPECT_EQ(message.find(key), std::string::npos) << message;
      }
    }
  }
}

// Runs `python3 script arguments...` and returns its standard output.
testing::CommandResult RunPython(const testing::ScratchDir& scratch, const std::string& script,
                                 const std::string& arguments) {
  testing::WriteText(scratch / "fernet_check.py", script);
  std::string command = "python3 " + (scratch / "fernet_check.py").string() + " " + arguments +
                        " >" + (scratch / "out").string() + " 2>" + (scratch / "err").string();
  int status = std::system(command.c_str());
  testing::CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream out(scratch / "out");
  std::getline(out, result.out);
  std::ifstream err(scratch / "err");
  result.err.assign(std::istreambuf_iterator<char>(err), std::istreambuf_iterator<char>());
  return result;
}

TEST(FernetTest, PythonCryptographyCompatible) {
  if (std::system("python3 -c 'import cryptography' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "python3 with the cryptography package is not available; install the Debian "
                    "package python3-cryptography to check compatibility with cryptography.fernet";
  }
  testing::ScratchDir scratch;
  const std::string script =
      "import sys\n"
      "from cryptography.fernet import Fernet\n"
      "key, mode, text = sys.argv[1], sys.argv[2], sys.argv[3]\n"
      "f = Fernet(key.encode())\n"
      "if mode == 'decrypt':\n"
      "    print(f.decrypt(text.encode()).decode())\n"
      "else:\n"
      "    print(f.encrypt(text.encode()).decode())\n";
  const std::string key = Fernet::GenerateKey();
  Fernet fernet(key);

  testing::CommandResult decrypted =
      RunPython(scratch, script, "'" + key + "' decrypt '" + fernet.Encrypt("from C++") + "'");
  ASSERT_EQ(decrypted.exit_code, 0) << decrypted.err;
  EXPECT_EQ(decrypted.out, "from C++");

  testing::CommandResult encrypted =
      RunPython(scratch, script, "'" + key + "' encrypt 'from Python'");
  ASSERT_EQ(encrypted.exit_code, 0) << encrypted.err;
  EXPECT_EQ(fernet.Decrypt(encrypted.out), "from Python");
}

}  // namespace
}  // namespace macropipe
