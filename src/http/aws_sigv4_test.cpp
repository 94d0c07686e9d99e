#include "http/aws_sigv4.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/files.h"
#include "core/sha256.h"
#include "http/query.h"
#include "test_support.h"

namespace macropipe {
namespace {

using testing::RecordedDataMissing;
using testing::RecordedFile;
namespace fs = std::filesystem;

constexpr char kVectorsFolder[] = "fixtures/sigv4";

// 2015-08-30T12:36:00Z and 2013-05-24T00:00:00Z, the times of the reference vectors.
const auto kSuiteTime = std::chrono::system_clock::from_time_t(1440938160);
const auto kS3DocsTime = std::chrono::system_clock::from_time_t(1369353600);

const AwsCredentials kSuiteCredentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                       ""};
const AwsCredentials kS3DocsCredentials{"AKIAIOSFODNN7EXAMPLE",
                                        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};

// How a raw request's folded header lines (obs-fold) are read: joined to the
// header's value with a space (RFC 7230), or taken as repeated values.
enum class FoldedLines { kJoinWithSpace, kRepeatHeader };

struct RawRequest {
  SigV4Request request;
  std::string request_line;
  std::string header_section;  // The header lines as written, without the final newline.
  std::string body;
};

// Parses a request as the vector files write it: "METHOD target HTTP/1.1",
// "Name:value" lines, then an empty line and the body. The target's path is
// taken literally and its query is percent-decoded ('+' stays '+').
RawRequest ParseRawRequest(const std::string& text, FoldedLines folding) {
  RawRequest raw;
  size_t blank = text.find("\n\n");
  std::string head = text.substr(0, blank);
  if (head.ends_with('\n')) head.pop_back();
  if (blank != std::string::npos) raw.body = text.substr(blank + 2);
  size_t line_end = head.find('\n');
  raw.request_line = head.substr(0, line_end);
  raw.header_section = line_end == std::string::npos ? "" : head.substr(line_end + 1);

  std::string target = raw.request_line.substr(raw.request_line.find(' ') + 1);
  target = target.substr(0, target.rfind(' '));
  raw.request.method = raw.request_line.substr(0, raw.request_line.find(' '));
  size_t question = target.find('?');
  raw.request.path = target.substr(0, question);
  if (question != std::string::npos) {
    std::string_view query = std::string_view(target).substr(question + 1);
    while (!query.empty()) {
      std::string_view pair = query.substr(0, query.find('&'));
      query.remove_prefix(std::min(query.size(), pair.size() + 1));
      size_t eq = pair.find('=');
      std::string_view value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
      raw.request.query.emplace_back(PercentDecode(pair.substr(0, eq), false),
                                     PercentDecode(value, false));
    }
  }

  std::istringstream lines(raw.header_section);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      if (folding == FoldedLines::kJoinWithSpace) {
        raw.request.headers.back().second += " " + line;
      } else {
        raw.request.headers.emplace_back(raw.request.headers.back().first, line);
      }
      continue;
    }
    size_t colon = line.find(':');
    raw.request.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  raw.request.payload_sha256 = Sha256Hex(raw.body);
  return raw;
}

// The lines of a signed request's head, sorted, so that two signers that
// write the same headers in another order compare equal.
std::vector<std::string> SortedHeadLines(const std::string& signed_request) {
  std::vector<std::string> lines;
  std::istringstream in(signed_request.substr(0, signed_request.find("\n\n")));
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  std::sort(lines.begin(), lines.end());
  return lines;
}

std::string HeaderLines(const HeaderList& headers) {
  std::string out;
  for (const auto& [name, value] : headers) out += name + ":" + value + "\n";
  return out;
}

// The case folders under `root` that hold a file ending in `marker`.
std::vector<fs::path> CaseFolders(const fs::path& root, const std::string& marker) {
  std::vector<fs::path> folders;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::string name = entry.path().filename().string();
    if (name.size() >= marker.size() && name.ends_with(marker)) {
      folders.push_back(entry.path().parent_path());
    }
  }
  std::sort(folders.begin(), folders.end());
  return folders;
}

TEST(AwsUriEncodeTest, EncodesReservedBytes) {
  struct Case {
    std::string text;
    bool keep_slash;
    std::string encoded;
  };
  const Case cases[] = {
      {"a b", true, "a%20b"},
      {"S&P 500+x", true, "S%26P%20500%2Bx"},
      {"100%", true, "100%25"},
      {"caf\xC3\xA9/\xE2\x82\xAC", true, "caf%C3%A9/%E2%82%AC"},
      {"a/b//c", true, "a/b//c"},
      {"a/b", false, "a%2Fb"},
      {"-._~AZaz09", false, "-._~AZaz09"},
      {"*'()!$=", false, "%2A%27%28%29%21%24%3D"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(AwsUriEncode(c.text, c.keep_slash), c.encoded);
  }
}

TEST(CanonicalUriTest, KeepsS3KeysAndNormalizesOthers) {
  struct Case {
    std::string path;
    bool normalize;
    std::string canonical;
  };
  const Case cases[] = {
      {"/bucket/src/S&P 500-20250301.csv", false, "/bucket/src/S%26P%20500-20250301.csv"},
      {"/bucket/a+b.csv", false, "/bucket/a%2Bb.csv"},
      {"/bucket/100%.csv", false, "/bucket/100%25.csv"},
      {"/bucket/caf\xC3\xA9/\xE2\x82\xAC.csv", false, "/bucket/caf%C3%A9/%E2%82%AC.csv"},
      {"/bucket/deep//a/./b/../c", false, "/bucket/deep//a/./b/../c"},
      {"", false, "/"},
      {"/deep//a/./b/../c", true, "/deep/a/c"},
      {"/a/b/", true, "/a/b/"},
      {"/a/..", true, "/"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.path);
    EXPECT_EQ(CanonicalUri(c.path, c.normalize), c.canonical);
  }
}

TEST(CanonicalQueryTest, EncodesAndSorts) {
  EXPECT_EQ(CanonicalQuery({{"prefix", "src/S&P 500/"}, {"list-type", "2"}, {"a", "x+y%"}}),
            "a=x%2By%25&list-type=2&prefix=src%2FS%26P%20500%2F");
  EXPECT_EQ(CanonicalQuery({{"versions", ""}, {"b", "2"}, {"b", "1"}}), "b=1&b=2&versions=");
}

// An S3 request for a key with every awkward character: the canonical
// request shows the key encoded once, slashes kept, '+' and '%' escaped.
TEST(SigV4SignerTest, SignsS3KeysWithUnusualCharacters) {
  SigV4Signer signer(kS3DocsCredentials, {.region = "us-east-1",
                                          .service = "s3",
                                          .normalize_path = false,
                                          .add_content_sha256 = true});
  SigV4Request request{"PUT", "/bucket/src/S&P 500+caf\xC3\xA9 100%//x.csv", {}, {{"Host", "h"}}};
  SigV4Signature signature = signer.SignHeaders(request, kS3DocsTime);
  EXPECT_EQ(signature.canonical_request,
            "PUT\n/bucket/src/S%26P%20500%2Bcaf%C3%A9%20100%25//x.csv\n\nhost:h\n"
            "x-amz-content-sha256:" +
                std::string(kEmptyPayloadSha256) +
                "\nx-amz-date:20130524T000000Z\n\nhost;x-amz-content-sha256;x-amz-date\n" +
                kEmptyPayloadSha256);
  ASSERT_EQ(request.headers.size(), 4u);
  EXPECT_EQ(request.headers[3].first, "Authorization");
  EXPECT_EQ(request.headers[3].second.find("wJalr"), std::string::npos);
}

TEST(SigV4SignerTest, SignsSessionTokenWhenConfigured) {
  AwsCredentials credentials = kSuiteCredentials;
  credentials.session_token = "token+/=";
  for (bool sign_token : {true, false}) {
    SCOPED_TRACE(sign_token);
    SigV4Signer signer(
        credentials,
        {.region = "us-east-1", .service = "service", .sign_session_token = sign_token});
    SigV4Request request{"GET", "/", {}, {{"Host", "example.amazonaws.com"}}};
    SigV4Signature signature = signer.SignHeaders(request, kSuiteTime);
    bool signed_token =
        signature.canonical_request.find("x-amz-security-token:token+/=") != std::string::npos;
    EXPECT_EQ(signed_token, sign_token);
    EXPECT_EQ(
        HeaderLines(request.headers).find("X-Amz-Security-Token:token+/=") != std::string::npos,
        true);
  }
}

// The AWS "Signature Version 4 Test Suite" (2015): every case's canonical
// request, string to sign, Authorization value and signed request, byte for byte.
TEST(SigV4SignerTest, MatchesClassicTestSuite) {
  const std::string relative = std::string(kVectorsFolder) + "/aws-sig-v4-test-suite";
  std::optional<fs::path> root = RecordedFile(relative);
  if (!root) GTEST_SKIP() << RecordedDataMissing(relative);

  std::vector<fs::path> folders = CaseFolders(*root, ".req");
  EXPECT_GE(folders.size(), 30u);
  for (const fs::path& folder : folders) {
    std::string name = folder.filename().string();
    bool zip_variant = name == "original-aws-zip-variant";
    if (zip_variant) name = folder.parent_path().filename().string();
    SCOPED_TRACE(folder.string());
    auto read = [&](const std::string& extension) { return ReadFile(folder / (name + extension)); };

    // Two cases take their session token from the newer suite's context: one
    // signs it, the other sends it unsigned after signing.
    AwsCredentials credentials = kSuiteCredentials;
    bool token_after = name == "post-sts-header-after";
    if (name == "get-vanilla-with-session-token" || token_after) {
      std::optional<fs::path> context = RecordedFile(
          std::string(kVectorsFolder) + "/aws-signing-test-suite-v4/" + name + "/context.json");
      ASSERT_TRUE(context.has_value());
      credentials.session_token = nlohmann::json::parse(ReadFile(*context))
                                      .at("credentials")
                                      .at("token")
                                      .get<std::string>();
    }
    SigV4Signer signer(
        credentials,
        {.region = "us-east-1", .service = "service", .sign_session_token = !token_after});
    RawRequest raw = ParseRawRequest(
        read(".req"), zip_variant ? FoldedLines::kRepeatHeader : FoldedLines::kJoinWithSpace);
    size_t given_headers = raw.request.headers.size();
    SigV4Signature signature = signer.SignHeaders(raw.request, kSuiteTime);

    EXPECT_EQ(signature.canonical_request, read(".creq"));
    EXPECT_EQ(signature.string_to_sign, read(".sts"));
    EXPECT_EQ(signature.authorization, read(".authz"));

    // The signed request: the request as given, the headers the signer added,
    // and Authorization written with a space after the colon.
    HeaderList added(raw.request.headers.begin() + static_cast<long>(given_headers),
                     raw.request.headers.end() - 1);
    std::string signed_request = raw.request_line + "\n" + raw.header_section + "\n" +
                                 HeaderLines(added) + "Authorization: " + signature.authorization;
    if (!raw.body.empty()) signed_request += "\n\n" + raw.body;
    std::string expected = read(".sreq");
    if (name == "get-vanilla-with-session-token") {
      // This case's .sreq carries get-vanilla's signature instead of the one
      // its own .sts and .authz give, so only the lines before Authorization
      // are compared.
      expected = expected.substr(0, expected.find("Authorization:"));
      signed_request = signed_request.substr(0, signed_request.find("Authorization:"));
    }
    EXPECT_EQ(signed_request, expected);
  }
}

// The AWS CRT signing test suite: each case signed in headers and presigned
// as a query, with the options of its context.json.
TEST(SigV4SignerTest, MatchesSigningTestSuite) {
  const std::string relative = std::string(kVectorsFolder) + "/aws-signing-test-suite-v4";
  std::optional<fs::path> root = RecordedFile(relative);
  if (!root) GTEST_SKIP() << RecordedDataMissing(relative);

  std::vector<fs::path> folders = CaseFolders(*root, "context.json");
  EXPECT_GE(folders.size(), 35u);
  for (const fs::path& folder : folders) {
    SCOPED_TRACE(folder.string());
    nlohmann::json context = nlohmann::json::parse(ReadFile(folder / "context.json"));
    AwsCredentials credentials{context["credentials"]["access_key_id"],
                               context["credentials"]["secret_access_key"],
                               context["credentials"].value("token", "")};
    SigV4Options options{.region = context["region"],
                         .service = context["service"],
                         .normalize_path = context["normalize"],
                         .add_content_sha256 = context["sign_body"],
                         .sign_session_token = !context.value("omit_session_token", false)};
    SigV4Signer signer(credentials, options);
    std::string request_text = ReadFile(folder / "request.txt");
    auto read = [&](const std::string& file) { return ReadFile(folder / file); };

    RawRequest header_request = ParseRawRequest(request_text, FoldedLines::kJoinWithSpace);
    size_t given_headers = header_request.request.headers.size();
    SigV4Signature header = signer.SignHeaders(header_request.request, kSuiteTime);
    EXPECT_EQ(header.canonical_request, read("header-canonical-request.txt"));
    EXPECT_EQ(header.string_to_sign, read("header-string-to-sign.txt"));
    EXPECT_EQ(header.signature, read("header-signature.txt"));
    HeaderList added(header_request.request.headers.begin() + static_cast<long>(given_headers),
                     header_request.request.headers.end());
    std::string header_signed = header_request.request_line + "\n" + header_request.header_section +
                                "\n" + HeaderLines(added) + "\n" + header_request.body;
    EXPECT_EQ(SortedHeadLines(header_signed), SortedHeadLines(read("header-signed-request.txt")));

    RawRequest query_request = ParseRawRequest(request_text, FoldedLines::kJoinWithSpace);
    SigV4Options query_options = options;
    query_options.add_content_sha256 = false;
    SigV4Signer query_signer(credentials, query_options);
    SigV4Signature query =
        query_signer.Presign(query_request.request, kSuiteTime,
                             std::chrono::seconds(context["expiration_in_seconds"].get<int64_t>()));
    EXPECT_EQ(query.canonical_request, read("query-canonical-request.txt"));
    EXPECT_EQ(query.string_to_sign, read("query-string-to-sign.txt"));
    EXPECT_EQ(query.signature, read("query-signature.txt"));

    // The presigned request line, its parameters compared as a sorted set.
    RawRequest expected =
        ParseRawRequest(read("query-signed-request.txt"), FoldedLines::kJoinWithSpace);
    auto expected_query = expected.request.query;
    auto actual_query = query_request.request.query;
    std::sort(expected_query.begin(), expected_query.end());
    std::sort(actual_query.begin(), actual_query.end());
    EXPECT_EQ(actual_query, expected_query);
    EXPECT_EQ(query_request.request.path, expected.request.path);
    EXPECT_EQ(CanonicalQuery(actual_query), CanonicalQuery(expected_query));
  }
}

struct S3DocExample {
  nlohmann::json example;
  fs::path folder;
  std::string name;
};

// The worked examples of the S3 API Reference: four header-signed requests,
// one presigned URL and one aws-chunked upload.
TEST(SigV4SignerTest, MatchesS3DocumentationExamples) {
  const std::string relative = std::string(kVectorsFolder) + "/s3-doc-examples";
  std::optional<fs::path> root = RecordedFile(relative);
  if (!root) GTEST_SKIP() << RecordedDataMissing(relative);
  nlohmann::json examples = nlohmann::json::parse(ReadFile(*root / "examples.json"))["examples"];
  SigV4Signer signer(kS3DocsCredentials,
                     {.region = "us-east-1", .service = "s3", .normalize_path = false});

  for (const std::string name :
       {"get-object", "put-object", "get-bucket-lifecycle", "list-objects"}) {
    SCOPED_TRACE(name);
    auto read = [&](const std::string& extension) {
      return ReadFile(*root / name / (name + extension));
    };
    RawRequest raw = ParseRawRequest(read(".req"), FoldedLines::kJoinWithSpace);
    for (const auto& [header, value] : raw.request.headers) {
      if (header == "x-amz-content-sha256") {
        raw.request.payload_sha256 = value.substr(value.find_first_not_of(' '));
      }
    }
    EXPECT_EQ(raw.request.payload_sha256, Sha256Hex(raw.body));
    SigV4Signature signature = signer.SignHeaders(raw.request, kS3DocsTime);
    EXPECT_EQ(signature.canonical_request, read(".creq"));
    EXPECT_EQ(Sha256Hex(signature.canonical_request),
              examples[name]["creq_sha256"].get<std::string>());
    EXPECT_EQ(signature.string_to_sign, read(".sts"));
    EXPECT_EQ(signature.signature, read(".signature"));
    // The documentation prints the Authorization value without the spaces
    // after its commas; S3 accepts both forms.
    std::string compact = signature.authorization;
    for (size_t at = compact.find(", "); at != std::string::npos; at = compact.find(", ")) {
      compact.erase(at + 1, 1);
    }
    EXPECT_EQ(compact, read(".authz"));
  }

  {
    SCOPED_TRACE("presigned-get-object");
    fs::path folder = *root / "presigned-get-object";
    RawRequest raw =
        ParseRawRequest(ReadFile(folder / "presigned-get-object.req"), FoldedLines::kJoinWithSpace);
    raw.request.payload_sha256 = kUnsignedPayload;
    SigV4Signature signature =
        signer.Presign(raw.request, kS3DocsTime, std::chrono::seconds(86400));
    EXPECT_EQ(signature.canonical_request, ReadFile(folder / "presigned-get-object.creq"));
    EXPECT_EQ(signature.string_to_sign, ReadFile(folder / "presigned-get-object.sts"));
    EXPECT_EQ(signature.signature, ReadFile(folder / "presigned-get-object.signature"));
    std::string url = "https://examplebucket.s3.amazonaws.com" +
                      CanonicalUri(raw.request.path, false) + "?" + signature.query;
    EXPECT_EQ(url, ReadFile(folder / "presigned-get-object.url"));
  }

  {
    SCOPED_TRACE("streaming-put-object");
    fs::path folder = *root / "streaming-put-object";
    SigV4Request seed{"PUT",
                      "/examplebucket/chunkObject.txt",
                      {},
                      {{"Host", "s3.amazonaws.com"},
                       {"x-amz-date", "20130524T000000Z"},
                       {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                       {"Content-Encoding", "aws-chunked"},
                       {"x-amz-decoded-content-length", "66560"},
                       {"Content-Length", "66824"},
                       {"x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"}},
                      "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"};
    SigV4Signature signature = signer.SignHeaders(seed, kS3DocsTime);
    EXPECT_EQ(signature.canonical_request, ReadFile(folder / "seed.creq"));
    EXPECT_EQ(signature.string_to_sign, ReadFile(folder / "seed.sts"));
    EXPECT_EQ(signature.signature, ReadFile(folder / "seed.signature"));

    std::istringstream expected(ReadFile(folder / "chunk-signatures.txt"));
    std::string previous = signature.signature;
    for (size_t size : {65536u, 1024u, 0u}) {
      SCOPED_TRACE(size);
      std::string expected_signature;
      ASSERT_TRUE(std::getline(expected, expected_signature));
      previous = signer.SignChunk(kS3DocsTime, previous, std::string(size, 'a'));
      EXPECT_EQ(previous, expected_signature);
    }
  }
}

}  // namespace
}  // namespace macropipe
