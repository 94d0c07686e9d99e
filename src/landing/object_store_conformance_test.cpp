#include "landing/object_store_conformance.h"

#include <random>
#include <set>
#include <thread>

#include "core/error.h"
#include "core/sha256.h"

namespace macropipe::testing {

void ObjectStoreConformanceTest::SetUp() {
  std::random_device random;
  scratch_ = std::filesystem::temp_directory_path() /
             ("macropipe-store-" + std::to_string(random()) + std::to_string(random()));
  std::filesystem::create_directories(scratch_);
  store_ = GetParam().make(scratch_);
}

void ObjectStoreConformanceTest::TearDown() {
  store_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(scratch_, ignored);
}

namespace {

TEST_P(ObjectStoreConformanceTest, PutThenGetReturnsBytes) {
  PutResult put = store().Put("fred-md/raw/a-20250301.csv", "date,value\n");
  EXPECT_TRUE(put.created);
  EXPECT_EQ(put.version.size, 11u);
  EXPECT_EQ(put.version.sha256, Sha256Hex("date,value\n"));
  EXPECT_EQ(store().Get("fred-md/raw/a-20250301.csv"), "date,value\n");
  EXPECT_EQ(store().Get("fred-md/raw/a-20250301.csv", put.version.version_id), "date,value\n");
}

TEST_P(ObjectStoreConformanceTest, IdenticalBytesAreStoredOnce) {
  PutResult first = store().Put("k/x.csv", "same");
  PutResult second = store().Put("k/x.csv", "same");
  EXPECT_TRUE(first.created);
  EXPECT_FALSE(second.created);
  EXPECT_EQ(second.version.version_id, first.version.version_id);
  EXPECT_EQ(store().ListVersions("k/x.csv").size(), 1u);
}

TEST_P(ObjectStoreConformanceTest, ChangedBytesBecomeNewVersion) {
  PutResult v1 = store().Put("k/x.csv", "one");
  PutResult v2 = store().Put("k/x.csv", "two");
  ASSERT_TRUE(v2.created);
  EXPECT_NE(v1.version.version_id, v2.version.version_id);
  std::vector<ObjectVersion> versions = store().ListVersions("k/x.csv");
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].version_id, v1.version.version_id);
  EXPECT_EQ(versions[1].version_id, v2.version.version_id);
  EXPECT_EQ(store().Get("k/x.csv", v1.version.version_id), "one");
  EXPECT_EQ(store().Get("k/x.csv"), "two");
  EXPECT_EQ(store().Head("k/x.csv")->version_id, v2.version.version_id);
}

TEST_P(ObjectStoreConformanceTest, RevertedBytesBecomeNewestVersion) {
  store().Put("k/x.csv", "one");
  store().Put("k/x.csv", "two");
  PutResult back = store().Put("k/x.csv", "one");
  EXPECT_TRUE(back.created);
  EXPECT_EQ(store().Get("k/x.csv"), "one");
  EXPECT_EQ(store().ListVersions("k/x.csv").size(), 3u);
}

TEST_P(ObjectStoreConformanceTest, ListsNewestVersionByPrefix) {
  store().Put("a/1.csv", "x");
  store().Put("a/2.csv", "y");
  store().Put("a/2.csv", "yy");
  store().Put("b/1.csv", "z");
  std::vector<ObjectVersion> listed = store().List("a/");
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].key, "a/1.csv");
  EXPECT_EQ(listed[1].key, "a/2.csv");
  EXPECT_EQ(listed[1].size, 2u);
  EXPECT_EQ(store().List("").size(), 3u);
  EXPECT_TRUE(store().List("c/").empty());
}

TEST_P(ObjectStoreConformanceTest, MissingObjectIsNotFound) {
  EXPECT_FALSE(store().Head("no/such.csv").has_value());
  EXPECT_TRUE(store().ListVersions("no/such.csv").empty());
  try {
    store().Get("no/such.csv");
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(error.what()).find("no/such.csv"), std::string::npos);
  }
  store().Put("no/such.csv", "x");
  EXPECT_THROW(store().Get("no/such.csv", "v999999-unknown"), Error);
}

TEST_P(ObjectStoreConformanceTest, KeepsUnusualKeyCharacters) {
  const std::string keys[] = {"src/S&P 500-20250301.csv", "src/a+b.csv", "src/100%.csv",
                              "src/caf\xC3\xA9/\xE2\x82\xAC.csv", "deep/a/b/c/d.csv"};
  for (const std::string& key : keys) {
    SCOPED_TRACE(key);
    store().Put(key, "bytes of " + key);
    EXPECT_EQ(store().Get(key), "bytes of " + key);
    ASSERT_TRUE(store().Head(key).has_value());
    EXPECT_EQ(store().Head(key)->key, key);
  }
  EXPECT_EQ(store().List("src/").size(), 4u);
}

TEST_P(ObjectStoreConformanceTest, RejectsInvalidKeys) {
  const std::string keys[] = {"", "/abs.csv", "a//b.csv", "a/../b.csv", "./a.csv", "a/"};
  for (const std::string& key : keys) {
    SCOPED_TRACE(key);
    try {
      store().Put(key, "x");
      FAIL() << "expected an error";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
    }
  }
}

TEST_P(ObjectStoreConformanceTest, StreamsLargeAndEmptyObjects) {
  std::string large(8 << 20, '\0');
  std::mt19937 random(7);
  for (char& c : large) c = static_cast<char>(random());
  PutResult put = store().Put("big/blob.bin", large);
  EXPECT_EQ(put.version.size, large.size());
  std::unique_ptr<std::istream> in = store().Open("big/blob.bin");
  std::string read((std::istreambuf_iterator<char>(*in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(read.size(), large.size());
  EXPECT_TRUE(read == large);

  store().Put("empty/e.csv", "");
  EXPECT_EQ(store().Get("empty/e.csv"), "");
  EXPECT_EQ(store().Head("empty/e.csv")->size, 0u);
}

TEST_P(ObjectStoreConformanceTest, ConcurrentPutsKeepEveryVersion) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 10;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < kPerThread; ++i) {
        store().Put("race/k.csv", "writer " + std::to_string(t) + " put " + std::to_string(i));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::vector<ObjectVersion> versions = store().ListVersions("race/k.csv");
  std::set<std::string> contents;
  for (const ObjectVersion& version : versions) {
    contents.insert(store().Get("race/k.csv", version.version_id));
  }
  // Consecutive identical puts are folded, and no two writers put the same bytes.
  EXPECT_EQ(versions.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(contents.size(), static_cast<size_t>(kThreads * kPerThread));
}

}  // namespace
}  // namespace macropipe::testing
