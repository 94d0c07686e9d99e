// Landing throughput: puts and reads back objects through the ObjectStore
// interface on the local folder store and on an S3 server, and prints one
// Markdown table row per store and workload.
//
//   landing_benchmark ENDPOINT SCRATCH_DIR [SMALL_COUNT] [LARGE_COUNT]
//
// ENDPOINT is an S3 server that accepts any credentials (bench/landing.sh
// starts moto_server for it); the benchmark creates its own buckets there.
// Workloads: SMALL_COUNT objects of 64 KiB (the size of a landed series) and
// LARGE_COUNT objects of 96 MiB (multipart uploads in 16 MiB parts, read in
// 8 MiB ranges).
#include <chrono>
#include <filesystem>
#include <functional>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "landing/local_object_store.h"
#include "landing/s3_object_store.h"

namespace {

using macropipe::ObjectStore;

struct Workload {
  std::string name;
  int count;
  size_t size;
};

std::string RandomBytes(size_t size, uint32_t seed) {
  std::string bytes(size, '\0');
  std::mt19937 random(seed);
  for (size_t i = 0; i + 4 <= size; i += 4) {
    uint32_t value = random();
    bytes.replace(i, 4, reinterpret_cast<const char*>(&value), 4);
  }
  return bytes;
}

double Seconds(std::chrono::steady_clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

// Puts then reads every object of `workload`, and prints the row.
void Measure(const std::string& store_name, ObjectStore& store, const Workload& workload) {
  std::vector<std::string> payloads;
  for (int i = 0; i < workload.count; ++i) {
    payloads.push_back(RandomBytes(workload.size, static_cast<uint32_t>(i + 1)));
  }
  auto key = [&](int i) { return "bench/" + workload.name + "/object-" + std::to_string(i); };

  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < workload.count; ++i) store.Put(key(i), payloads[i]);
  double put_seconds = Seconds(std::chrono::steady_clock::now() - start);

  start = std::chrono::steady_clock::now();
  size_t read = 0;
  std::vector<char> buffer(1 << 20);
  for (int i = 0; i < workload.count; ++i) {
    std::unique_ptr<std::istream> in = store.Open(key(i));
    std::string bytes;
    while (*in) {
      in->read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      bytes.append(buffer.data(), static_cast<size_t>(in->gcount()));
    }
    if (bytes != payloads[i]) throw std::runtime_error("read back other bytes for " + key(i));
    read += bytes.size();
  }
  double get_seconds = Seconds(std::chrono::steady_clock::now() - start);

  double mebibytes = static_cast<double>(read) / (1 << 20);
  std::string size = workload.size >= (1 << 20) ? std::to_string(workload.size >> 20) + " MiB"
                                                : std::to_string(workload.size >> 10) + " KiB";
  std::printf("| %s | %s | %d x %s | %.2f s | %.2f | %.1f | %.2f s | %.1f |\n", store_name.c_str(),
              workload.name.c_str(), workload.count, size.c_str(), put_seconds,
              workload.count / put_seconds, mebibytes / put_seconds, get_seconds,
              mebibytes / get_seconds);
  std::fflush(stdout);
}

macropipe::S3Options BucketOptions(const std::string& endpoint, const std::string& bucket,
                                   bool versioning) {
  macropipe::S3Options options;
  options.endpoint = endpoint;
  options.bucket = bucket;
  options.credentials = {"bench-access-key", "bench-secret-key", ""};
  macropipe::S3Client client(options);
  client.Send({.method = "PUT"});
  if (versioning) {
    client.Send({.method = "PUT",
                 .query = {{"versioning", ""}},
                 .body = "<VersioningConfiguration><Status>Enabled</Status>"
                         "</VersioningConfiguration>"});
  }
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: landing_benchmark ENDPOINT SCRATCH_DIR [SMALL_COUNT] [LARGE_COUNT]\n";
    return 2;
  }
  std::string endpoint = argv[1];
  std::filesystem::path scratch = argv[2];
  int small_count = argc > 3 ? std::stoi(argv[3]) : 500;
  int large_count = argc > 4 ? std::stoi(argv[4]) : 3;
  const Workload workloads[] = {{"small", small_count, 64 << 10}, {"large", large_count, 96 << 20}};

  std::printf(
      "| store | workload | objects | put time | puts/s | put MiB/s | read time |"
      " read MiB/s |\n|---|---|---|---|---|---|---|---|\n");
  std::filesystem::remove_all(scratch / "local");
  macropipe::LocalObjectStore local(scratch / "local");
  for (const Workload& workload : workloads) Measure("local folder", local, workload);

  macropipe::S3ObjectStore versioned(BucketOptions(endpoint, "bench-versioned", true));
  for (const Workload& workload : workloads) Measure("S3, versioned bucket", versioned, workload);
  macropipe::S3ObjectStore unversioned(BucketOptions(endpoint, "bench-unversioned", false));
  for (const Workload& workload : workloads) {
    Measure("S3, unversioned bucket", unversioned, workload);
  }
  std::filesystem::remove_all(scratch / "local");
  return 0;
}
