#include "secrets/private_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "test_support.h"

namespace macropipe {
namespace {

namespace fs = std::filesystem;

mode_t ModeOf(const fs::path& path) {
  struct stat status;
  if (::stat(path.c_str(), &status) != 0) return 0;
  return status.st_mode & 07777;
}

TEST(PrivateFileTest, WriteCreatesMode0600) {
  testing::ScratchDir scratch;
  fs::path path = scratch / "new" / "folder" / "file";
  WritePrivateFileAtomically(path, "content", PrivateFileWrite::kReplace);
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_EQ(ModeOf(path.parent_path()), 0700u);
  EXPECT_EQ(ReadPrivateFile(path, "test file"), "content");
}

TEST(PrivateFileTest, WriteUnderOpenUmaskStillMode0600) {
  testing::ScratchDir scratch;
  mode_t saved = ::umask(0);
  WritePrivateFileAtomically(scratch / "file", "content", PrivateFileWrite::kReplace);
  ::umask(saved);
  EXPECT_EQ(ModeOf(scratch / "file"), 0600u);
}

TEST(PrivateFileTest, ReplaceTightensExistingMode) {
  testing::ScratchDir scratch;
  testing::WriteText(scratch / "file", "old");
  fs::permissions(scratch / "file", fs::perms(0644));
  WritePrivateFileAtomically(scratch / "file", "new", PrivateFileWrite::kReplace);
  EXPECT_EQ(ModeOf(scratch / "file"), 0600u);
  EXPECT_EQ(ReadPrivateFile(scratch / "file", "test file"), "new");
}

TEST(PrivateFileTest, CreateNewKeepsExistingFile) {
  testing::ScratchDir scratch;
  WritePrivateFileAtomically(scratch / "file", "first", PrivateFileWrite::kCreateNew);
  try {
    WritePrivateFileAtomically(scratch / "file", "second", PrivateFileWrite::kCreateNew);
    FAIL() << "an existing file was replaced";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kFailedPrecondition);
  }
  EXPECT_EQ(ReadPrivateFile(scratch / "file", "test file"), "first");
  std::vector<fs::path> left;
  for (const auto& entry : fs::directory_iterator(scratch.path())) left.push_back(entry.path());
  EXPECT_EQ(left.size(), 1u) << "a temporary file was left behind";
}

TEST(PrivateFileTest, ModeCheckByBits) {
  // Tests run as root, which can read any file, so the check must look at the
  // mode bits rather than at whether the file can be opened.
  struct Case {
    mode_t mode;
    bool accepted;
  };
  const std::vector<Case> cases = {
      {0600, true},  {0400, true},  {0700, true},  {0644, false},
      {0640, false}, {0604, false}, {0660, false}, {0602, false},
  };
  testing::ScratchDir scratch;
  fs::path path = scratch / "file";
  testing::WriteText(path, "content");
  for (const Case& test_case : cases) {
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(test_case.mode));
    SCOPED_TRACE(std::string("mode ") + octal);
    ASSERT_EQ(::chmod(path.c_str(), test_case.mode), 0);
    if (test_case.accepted) {
      EXPECT_EQ(ReadPrivateFile(path, "test file"), "content");
      continue;
    }
    try {
      ReadPrivateFile(path, "test file");
      ADD_FAILURE() << "the file was read";
    } catch (const Error& error) {
      std::string message = error.what();
      EXPECT_EQ(error.code(), ErrorCode::kFailedPrecondition);
      EXPECT_NE(message.find("chmod 600 " + path.string()), std::string::npos) << message;
      EXPECT_NE(message.find(octal), std::string::npos) << message;
    }
  }
}

TEST(PrivateFileTest, MissingFileNotFound) {
  testing::ScratchDir scratch;
  try {
    ReadPrivateFile(scratch / "absent", "test file");
    FAIL() << "a missing file was read";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kNotFound);
  }
}

}  // namespace
}  // namespace macropipe
