// End-to-end tests of `macropipe secrets` through the built binary.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/files.h"
#include "secrets/scoped_environment_for_test.h"
#include "secrets/secrets_key.h"
#include "secrets/secrets_store.h"
#include "test_support.h"

namespace macropipe {
namespace {

namespace fs = std::filesystem;

constexpr char kValue[] = "cli-value-5d1e88-never-printed";

// A data directory and key file in a scratch folder, with the environment
// that the macropipe child processes inherit pointing at them.
class SecretsCli {
 public:
  SecretsCli() {
    environment_.Unset(kSecretsKeyVariable);
    environment_.Unset("FRED_API_KEY");
    environment_.Set(kSecretsKeyFileVariable, key_file().string());
    environment_.Set("HOME", (scratch_ / "home").string());
  }
  fs::path data_dir() const { return scratch_ / "data"; }
  fs::path key_file() const { return scratch_ / "keys" / "secrets.key"; }

  // Runs `macropipe --data-dir DATA secrets ARGUMENTS` and keeps its output.
  testing::CommandResult Run(const std::string& arguments) {
    testing::CommandResult result =
        testing::RunMacropipe("--data-dir " + data_dir().string() + " secrets " + arguments);
    outputs_.push_back(result.out + result.err);
    return result;
  }

  // Runs `secrets set NAME` with `value` on standard input.
  testing::CommandResult Set(const std::string& name, const std::string& value) {
    fs::path input = scratch_ / "input";
    testing::WriteText(input, value);
    testing::CommandResult result = Run("set " + name + " <" + input.string());
    fs::remove(input);
    return result;
  }

  const std::vector<std::string>& outputs() const { return outputs_; }

 private:
  testing::ScratchDir scratch_;
  testing::ScopedEnvironment environment_;
  std::vector<std::string> outputs_;
};

TEST(SecretsCommandsTest, InitCreatesKeyFileOnce) {
  SecretsCli cli;
  testing::CommandResult first = cli.Run("init");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find(cli.key_file().string()), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("back it up"), std::string::npos) << first.out;
  std::string key = ReadFile(cli.key_file());

  testing::CommandResult second = cli.Run("init");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("already exists"), std::string::npos) << second.out;
  EXPECT_EQ(ReadFile(cli.key_file()), key);
  EXPECT_EQ(first.out.find(key.substr(0, 43)), std::string::npos);
}

TEST(SecretsCommandsTest, InitRejectsKeyFileInDataDir) {
  SecretsCli cli;
  testing::ScopedEnvironment environment;
  environment.Set(kSecretsKeyFileVariable, (cli.data_dir() / "secrets.key").string());
  testing::CommandResult result = cli.Run("init");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("inside the data directory"), std::string::npos) << result.err;
  EXPECT_FALSE(fs::exists(cli.data_dir() / "secrets.key"));
}

TEST(SecretsCommandsTest, SetListRemove) {
  SecretsCli cli;
  ASSERT_EQ(cli.Run("init").exit_code, 0);

  testing::CommandResult set = cli.Set("FRED_API_KEY", std::string(kValue) + "\n");
  ASSERT_EQ(set.exit_code, 0) << set.err;
  testing::CommandResult list = cli.Run("list");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out, "FRED_API_KEY\n");

  testing::CommandResult removed = cli.Run("remove FRED_API_KEY");
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  testing::CommandResult empty = cli.Run("list");
  ASSERT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_EQ(empty.out, "");

  testing::CommandResult missing = cli.Run("remove FRED_API_KEY");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("not found"), std::string::npos) << missing.err;
}

TEST(SecretsCommandsTest, TrailingNewlineStripped) {
  SecretsCli cli;
  ASSERT_EQ(cli.Run("init").exit_code, 0);
  struct Case {
    std::string description;
    std::string input;
  };
  const std::vector<Case> cases = {
      {"no newline", kValue},
      {"one newline", std::string(kValue) + "\n"},
      {"CRLF", std::string(kValue) + "\r\n"},
  };
  for (const Case& test_case : cases) {
    SCOPED_TRACE(test_case.description);
    ASSERT_EQ(cli.Set("FRED_API_KEY", test_case.input).exit_code, 0);
    EXPECT_EQ(SecretsStore(cli.data_dir()).Get("FRED_API_KEY"), kValue);
  }
}

TEST(SecretsCommandsTest, EmptyValueRejected) {
  SecretsCli cli;
  ASSERT_EQ(cli.Run("init").exit_code, 0);
  testing::CommandResult result = cli.Set("FRED_API_KEY", "\n");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("standard input"), std::string::npos) << result.err;
}

TEST(SecretsCommandsTest, ValueArgumentRejected) {
  SecretsCli cli;
  ASSERT_EQ(cli.Run("init").exit_code, 0);
  testing::CommandResult result = cli.Run(std::string("set FRED_API_KEY ") + kValue);
  EXPECT_NE(result.exit_code, 0);
  EXPECT_FALSE(fs::exists(cli.data_dir() / "secrets.fernet"));
}

TEST(SecretsCommandsTest, SetWithoutKeyPointsToInit) {
  SecretsCli cli;
  testing::CommandResult result = cli.Set("FRED_API_KEY", kValue);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("macropipe secrets init"), std::string::npos) << result.err;
}

TEST(SecretsCommandsTest, HelpForEachCommand) {
  SecretsCli cli;
  const std::vector<std::string> commands = {"", "init", "set", "list", "remove"};
  for (const std::string& command : commands) {
    SCOPED_TRACE("secrets " + command + " --help");
    testing::CommandResult result = cli.Run(command + " --help");
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_NE(result.out.find("Usage:"), std::string::npos) << result.out;
  }
}

TEST(SecretsCommandsTest, ValueNeverInFileOrOutput) {
  SecretsCli cli;
  ASSERT_EQ(cli.Run("init").exit_code, 0);
  ASSERT_EQ(cli.Set("FRED_API_KEY", kValue).exit_code, 0);
  ASSERT_EQ(cli.Set("CENSUS_API_KEY", "census-value").exit_code, 0);
  cli.Run("list");
  cli.Run("remove CENSUS_API_KEY");
  cli.Run("init");
  // Failures print messages too: a wrong key and an open file mode.
  {
    testing::ScopedEnvironment environment;
    environment.Set(kSecretsKeyVariable, "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=");
    EXPECT_EQ(cli.Run("list").exit_code, 1);
  }
  fs::permissions(cli.data_dir() / "secrets.fernet", fs::perms(0644));
  EXPECT_EQ(cli.Run("list").exit_code, 1);
  fs::permissions(cli.data_dir() / "secrets.fernet", fs::perms(0600));

  std::string key = ReadFile(cli.key_file());
  key.pop_back();  // The newline after the key.
  for (const auto& entry : fs::recursive_directory_iterator(cli.data_dir())) {
    SCOPED_TRACE(entry.path().string());
    if (!entry.is_regular_file()) continue;
    std::string content = ReadFile(entry.path());
    EXPECT_EQ(content.find(kValue), std::string::npos);
    EXPECT_EQ(content.find(key), std::string::npos);
  }
  for (size_t i = 0; i < cli.outputs().size(); ++i) {
    SCOPED_TRACE("output of command " + std::to_string(i));
    EXPECT_EQ(cli.outputs()[i].find(kValue), std::string::npos) << cli.outputs()[i];
    EXPECT_EQ(cli.outputs()[i].find(key), std::string::npos) << cli.outputs()[i];
  }
}

}  // namespace
}  // namespace macropipe
