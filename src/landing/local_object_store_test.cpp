#include "landing/local_object_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "core/error.h"
#include "landing/object_store_conformance.h"
#include "test_support.h"

namespace macropipe::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(
    Local, ObjectStoreConformanceTest,
    ::testing::Values(ObjectStoreBackend{
        "local",
        [](const std::filesystem::path& scratch) -> std::unique_ptr<ObjectStore> {
          return std::make_unique<LocalObjectStore>(scratch / "landing");
        }}),
    [](const ::testing::TestParamInfo<ObjectStoreBackend>& info) { return info.param.name; });

TEST(LocalObjectStoreTest, NewestVersionIsPlainFile) {
  ScratchDir dir;
  LocalObjectStore store(dir.path());
  store.Put("fred-md/series/A-20250301.csv", "one");
  store.Put("fred-md/series/A-20250301.csv", "two");
  std::filesystem::path plain = dir.path() / "fred-md/series/A-20250301.csv";
  std::ifstream in(plain);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "two");

  // The plain file and the newest version share one inode, so nothing is stored twice.
  ObjectVersion newest = *store.Head("fred-md/series/A-20250301.csv");
  struct stat plain_stat {};
  struct stat version_stat {};
  ASSERT_EQ(::stat(plain.c_str(), &plain_stat), 0);
  std::filesystem::path version_path =
      dir.path() / ".versions/fred-md/series/A-20250301.csv" / newest.version_id;
  ASSERT_EQ(::stat(version_path.c_str(), &version_stat), 0);
  EXPECT_EQ(plain_stat.st_ino, version_stat.st_ino);
}

TEST(LocalObjectStoreTest, LeavesNoTemporaryFiles) {
  ScratchDir dir;
  LocalObjectStore store(dir.path());
  for (int i = 0; i < 5; ++i) store.Put("a/b.csv", std::to_string(i));
  store.Put("a/b.csv", "4");
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path())) {
    std::string name = entry.path().filename().string();
    EXPECT_EQ(name.find(".tmp-"), std::string::npos) << entry.path();
    EXPECT_EQ(name.find(".incoming-"), std::string::npos) << entry.path();
  }
}

TEST(LocalObjectStoreTest, UnwritableRootFailsClearly) {
  ScratchDir dir;
  WriteText(dir / "file", "not a folder");
  LocalObjectStore store(dir / "file" / "landing");
  try {
    store.Put("a/b.csv", "x");
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find((dir / "file").string()), std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace macropipe::testing
