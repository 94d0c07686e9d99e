#include "secrets/secrets_key.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/files.h"
#include "secrets/scoped_environment_for_test.h"
#include "test_support.h"

namespace macropipe {
namespace {

namespace fs = std::filesystem;

TEST(SecretsKeyTest, CreateKeyFileMode0600) {
  testing::ScratchDir scratch;
  fs::path key_file = scratch / "config" / "secrets.key";
  EXPECT_TRUE(CreateSecretsKeyFile(key_file, scratch / "data"));
  struct stat status;
  ASSERT_EQ(::stat(key_file.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 07777, 0600u);
}

TEST(SecretsKeyTest, CreateKeepsExistingKey) {
  testing::ScratchDir scratch;
  fs::path key_file = scratch / "secrets.key";
  ASSERT_TRUE(CreateSecretsKeyFile(key_file, scratch / "data"));
  std::string first = ReadFile(key_file);
  EXPECT_FALSE(CreateSecretsKeyFile(key_file, scratch / "data"));
  EXPECT_EQ(ReadFile(key_file), first);
}

TEST(SecretsKeyTest, KeyFileInsideDataDirRejected) {
  testing::ScratchDir scratch;
  fs::path data_dir = scratch / "data";
  CreateDirectories(data_dir);
  fs::create_directory_symlink(data_dir, scratch / "link-to-data");
  struct Case {
    std::string description;
    fs::path key_file;
    fs::path data_dir;
  };
  const std::vector<Case> cases = {
      {"directly inside", data_dir / "secrets.key", data_dir},
      {"in a subfolder", data_dir / "keys" / "secrets.key", data_dir},
      {"through '..'", scratch / "other" / ".." / "data" / "secrets.key", data_dir},
      {"through a link", scratch / "link-to-data" / "secrets.key", data_dir},
      {"data dir with a trailing slash", data_dir / "secrets.key", data_dir.string() + "/"},
  };
  for (const Case& test_case : cases) {
    SCOPED_TRACE(test_case.description);
    try {
      CheckKeyFileOutsideDataDir(test_case.key_file, test_case.data_dir);
      ADD_FAILURE() << "the key file was accepted";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kFailedPrecondition);
      EXPECT_NE(std::string(error.what()).find(kSecretsKeyFileVariable), std::string::npos);
    }
    EXPECT_THROW(CreateSecretsKeyFile(test_case.key_file, test_case.data_dir), Error);
  }
}

TEST(SecretsKeyTest, KeyFileBesideDataDirAccepted) {
  testing::ScratchDir scratch;
  // "data-keys" shares the prefix "data" but is not inside it.
  EXPECT_NO_THROW(CheckKeyFileOutsideDataDir(scratch / "data-keys" / "k", scratch / "data"));
}

TEST(SecretsKeyTest, LoadsKeyFileNamedByVariable) {
  testing::ScratchDir scratch;
  testing::ScopedEnvironment environment;
  environment.Unset(kSecretsKeyVariable);
  environment.Set(kSecretsKeyFileVariable, (scratch / "secrets.key").string());
  ASSERT_TRUE(CreateSecretsKeyFile(scratch / "secrets.key", scratch / "data"));
  SecretsKey key = LoadSecretsKey(scratch / "data");
  EXPECT_EQ(key.origin, "secrets key file " + (scratch / "secrets.key").string());
  EXPECT_EQ(key.fernet.Decrypt(key.fernet.Encrypt("x")), "x");
}

TEST(SecretsKeyTest, DefaultKeyFileUnderHome) {
  testing::ScratchDir scratch;
  testing::ScopedEnvironment environment;
  environment.Unset(kSecretsKeyFileVariable);
  environment.Set("HOME", scratch.path().string());
  EXPECT_EQ(SecretsKeyFilePath(), scratch / ".config" / "macropipe" / "secrets.key");
}

TEST(SecretsKeyTest, EnvironmentKeyWinsOverKeyFile) {
  testing::ScratchDir scratch;
  testing::ScopedEnvironment environment;
  environment.Set(kSecretsKeyFileVariable, (scratch / "secrets.key").string());
  ASSERT_TRUE(CreateSecretsKeyFile(scratch / "secrets.key", scratch / "data"));
  std::string environment_key = Fernet::GenerateKey();
  environment.Set(kSecretsKeyVariable, environment_key);
  SecretsKey key = LoadSecretsKey(scratch / "data");
  EXPECT_EQ(key.origin, kSecretsKeyVariable);
  EXPECT_EQ(Fernet(environment_key).Decrypt(key.fernet.Encrypt("x")), "x");
}

TEST(SecretsKeyTest, MissingKeyPointsToInit) {
  testing::ScratchDir scratch;
  testing::ScopedEnvironment environment;
  environment.Unset(kSecretsKeyVariable);
  environment.Set(kSecretsKeyFileVariable, (scratch / "absent.key").string());
  try {
    LoadSecretsKey(scratch / "data");
    FAIL() << "a key was loaded";
  } catch (const Error& error) {
    std::string message = error.what();
    EXPECT_EQ(error.code(), ErrorCode::kUnauthenticated);
    EXPECT_NE(message.find("macropipe secrets init"), std::string::npos) << message;
    EXPECT_NE(message.find((scratch / "absent.key").string()), std::string::npos) << message;
  }
}

TEST(SecretsKeyTest, OpenKeyFileModeRejected) {
  testing::ScratchDir scratch;
  testing::ScopedEnvironment environment;
  environment.Unset(kSecretsKeyVariable);
  environment.Set(kSecretsKeyFileVariable, (scratch / "secrets.key").string());
  ASSERT_TRUE(CreateSecretsKeyFile(scratch / "secrets.key", scratch / "data"));
  fs::permissions(scratch / "secrets.key", fs::perms(0644));
  try {
    LoadSecretsKey(scratch / "data");
    FAIL() << "a key file with mode 0644 was used";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kFailedPrecondition);
    EXPECT_NE(std::string(error.what()).find("chmod 600"), std::string::npos);
  }
}

TEST(SecretsKeyTest, MalformedKeyNotEchoed) {
  testing::ScratchDir scratch;
  testing::ScopedEnvironment environment;
  const std::string malformed = "not-a-fernet-key-but-secret-looking";
  environment.Set(kSecretsKeyVariable, malformed);
  try {
    LoadSecretsKey(scratch / "data");
    FAIL() << "a malformed key was accepted";
  } catch (const Error& error) {
    std::string message = error.what();
    EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
    EXPECT_NE(message.find(kSecretsKeyVariable), std::string::npos) << message;
    EXPECT_EQ(message.find(malformed), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace macropipe
