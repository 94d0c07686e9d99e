#include "secrets/secrets_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/files.h"
#include "secrets/fernet.h"
#include "secrets/scoped_environment_for_test.h"
#include "secrets/secrets_key.h"
#include "test_support.h"

namespace macropipe {
namespace {

namespace fs = std::filesystem;

constexpr char kValue[] = "value-7f3a9c-never-in-plain-text";

// A data directory and a key file outside it, with the environment pointing
// at that key file and without MACROPIPE_SECRETS_KEY.
class KeyedDataDir {
 public:
  KeyedDataDir() {
    environment_.Unset(kSecretsKeyVariable);
    environment_.Unset("MACROPIPE_TEST_SECRET");
    environment_.Set(kSecretsKeyFileVariable, key_file().string());
    CreateSecretsKeyFile(key_file(), data_dir());
  }
  fs::path data_dir() const { return scratch_ / "data"; }
  fs::path key_file() const { return scratch_ / "keys" / "secrets.key"; }
  testing::ScopedEnvironment& environment() { return environment_; }

 private:
  testing::ScratchDir scratch_;
  testing::ScopedEnvironment environment_;
};

TEST(SecretsStoreTest, SetThenGet) {
  KeyedDataDir dir;
  SecretsStore store(dir.data_dir());
  store.Set("FRED_API_KEY", kValue);
  store.Set("ALPHAVANTAGE_API_KEY", "other");
  EXPECT_EQ(store.Get("FRED_API_KEY"), kValue);
  EXPECT_EQ(store.Get("ALPHAVANTAGE_API_KEY"), "other");
  EXPECT_EQ(store.Get("CENSUS_API_KEY"), std::nullopt);
  EXPECT_EQ(store.Names(), (std::vector<std::string>{"ALPHAVANTAGE_API_KEY", "FRED_API_KEY"}));
}

TEST(SecretsStoreTest, SetReplacesValue) {
  KeyedDataDir dir;
  SecretsStore store(dir.data_dir());
  store.Set("FRED_API_KEY", "old");
  store.Set("FRED_API_KEY", "new");
  EXPECT_EQ(store.Get("FRED_API_KEY"), "new");
}

TEST(SecretsStoreTest, FileIsFernetTokenWithMode0600) {
  KeyedDataDir dir;
  SecretsStore store(dir.data_dir());
  store.Set("FRED_API_KEY", kValue);
  EXPECT_EQ(store.path(), dir.data_dir() / "secrets.fernet");
  struct stat status;
  ASSERT_EQ(::stat(store.path().c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 07777, 0600u);

  std::string token = ReadFile(store.path());
  EXPECT_EQ(token.find(kValue), std::string::npos);
  EXPECT_EQ(token.find("FRED_API_KEY"), std::string::npos);
  SecretsKey key = LoadSecretsKey(dir.data_dir());
  EXPECT_EQ(key.fernet.Decrypt(token), std::string("{\"FRED_API_KEY\":\"") + kValue + "\"}");
}

TEST(SecretsStoreTest, MissingFileIsEmpty) {
  KeyedDataDir dir;
  SecretsStore store(dir.data_dir());
  EXPECT_TRUE(store.Names().empty());
  EXPECT_EQ(store.Get("FRED_API_KEY"), std::nullopt);
  EXPECT_FALSE(store.Remove("FRED_API_KEY"));
}

TEST(SecretsStoreTest, RemoveDeletesOnlyThatName) {
  KeyedDataDir dir;
  SecretsStore store(dir.data_dir());
  store.Set("FRED_API_KEY", kValue);
  store.Set("CENSUS_API_KEY", "census");
  EXPECT_TRUE(store.Remove("FRED_API_KEY"));
  EXPECT_FALSE(store.Remove("FRED_API_KEY"));
  EXPECT_EQ(store.Names(), std::vector<std::string>{"CENSUS_API_KEY"});
}

TEST(SecretsStoreTest, OpenFileModeRejected) {
  KeyedDataDir dir;
  SecretsStore store(dir.data_dir());
  store.Set("FRED_API_KEY", kValue);
  fs::permissions(store.path(), fs::perms(0644));
  try {
    store.Get("FRED_API_KEY");
    FAIL() << "a secrets file with mode 0644 was read";
  } catch (const Error& error) {
    std::string message = error.what();
    EXPECT_EQ(error.code(), ErrorCode::kFailedPrecondition);
    EXPECT_NE(message.find("chmod 600 " + store.path().string()), std::string::npos) << message;
  }
  fs::permissions(store.path(), fs::perms(0600));
  EXPECT_EQ(store.Get("FRED_API_KEY"), kValue);
}

TEST(SecretsStoreTest, WrongKeyRejectedWithoutLeak) {
  KeyedDataDir dir;
  SecretsStore store(dir.data_dir());
  store.Set("FRED_API_KEY", kValue);
  std::string other_key = Fernet::GenerateKey();
  dir.environment().Set(kSecretsKeyVariable, other_key);
  try {
    store.Get("FRED_API_KEY");
    FAIL() << "the file was decrypted with another key";
  } catch (const Error& error) {
    std::string message = error.what();
    EXPECT_EQ(error.code(), ErrorCode::kUnauthenticated);
    EXPECT_NE(message.find(store.path().string()), std::string::npos) << message;
    EXPECT_NE(message.find(kSecretsKeyVariable), std::string::npos) << message;
    EXPECT_NE(message.find("check that this is the key"), std::string::npos) << message;
    EXPECT_EQ(message.find(other_key), std::string::npos) << message;
    EXPECT_EQ(message.find(kValue), std::string::npos) << message;
  }
}

TEST(SecretsStoreTest, TamperedFileRejected) {
  KeyedDataDir dir;
  SecretsStore store(dir.data_dir());
  store.Set("FRED_API_KEY", kValue);
  std::string token = ReadFile(store.path());
  token[token.size() / 2] = token[token.size() / 2] == 'A' ? 'B' : 'A';
  WriteFileAtomically(store.path(), token);
  fs::permissions(store.path(), fs::perms(0600));
  try {
    store.Get("FRED_API_KEY");
    FAIL() << "a modified secrets file was decrypted";
  } catch (const Error& error) {
    std::string message = error.what();
    EXPECT_EQ(error.code(), ErrorCode::kUnauthenticated);
    EXPECT_NE(message.find("modified"), std::string::npos) << message;
  }
}

TEST(SecretsStoreTest, InvalidNamesRejected) {
  KeyedDataDir dir;
  SecretsStore store(dir.data_dir());
  const std::vector<std::string> names = {"", "1KEY", "FRED API KEY", "KEY=1", "KEY-1", "ÄKEY"};
  for (const std::string& name : names) {
    SCOPED_TRACE("name '" + name + "'");
    try {
      store.Set(name, kValue);
      ADD_FAILURE() << "the name was accepted";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
    }
  }
  EXPECT_FALSE(fs::exists(store.path()));
}

TEST(LookupSecretTest, EnvironmentWinsOverFile) {
  KeyedDataDir dir;
  SecretsStore(dir.data_dir()).Set("MACROPIPE_TEST_SECRET", "from-file");
  dir.environment().Set("MACROPIPE_TEST_SECRET", "from-environment");
  EXPECT_EQ(LookupSecret(dir.data_dir(), "MACROPIPE_TEST_SECRET"), "from-environment");
}

TEST(LookupSecretTest, FileUsedWithoutEnvironment) {
  KeyedDataDir dir;
  SecretsStore(dir.data_dir()).Set("MACROPIPE_TEST_SECRET", "from-file");
  EXPECT_EQ(LookupSecret(dir.data_dir(), "MACROPIPE_TEST_SECRET"), "from-file");
  dir.environment().Set("MACROPIPE_TEST_SECRET", "");
  EXPECT_EQ(LookupSecret(dir.data_dir(), "MACROPIPE_TEST_SECRET"), "from-file");
}

TEST(LookupSecretTest, NoFileNeedsNoKey) {
  testing::ScratchDir scratch;
  testing::ScopedEnvironment environment;
  environment.Unset(kSecretsKeyVariable);
  environment.Unset("MACROPIPE_TEST_SECRET");
  environment.Set(kSecretsKeyFileVariable, (scratch / "absent.key").string());
  EXPECT_EQ(LookupSecret(scratch / "data", "MACROPIPE_TEST_SECRET"), std::nullopt);
}

}  // namespace
}  // namespace macropipe
