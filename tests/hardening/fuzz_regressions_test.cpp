// Replays every input saved under tests/fuzz/regressions/<target>/ through its fuzz target
// (tests/fuzz/targets.hpp) in the normal build: an input that once crashed a parser, tripped a
// sanitizer or broke an invariant must now be handled (a ConfigError, or a valid result).
// The sanitizer build (.ci/test.sh, build-asan) runs these under ASan and UBSan too.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "targets.hpp"

namespace trim::fuzz {
namespace {
namespace fs = std::filesystem;

const fs::path kRegressions = fs::path(TRIM_SOURCE_DIR) / "tests/fuzz/regressions";
// Findings not fixed yet (tests/fuzz/pending/README.md).
const fs::path kPending = fs::path(TRIM_SOURCE_DIR) / "tests/fuzz/pending";

std::vector<fs::path> Inputs(const fs::path& base, const std::string& target) {
  std::vector<fs::path> out;
  const fs::path dir = base / target;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().filename().string()[0] != '.' &&
        e.path().extension() != ".md") {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::uint8_t> Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void ReplayAll(const std::string& target, void (*fn)(const std::uint8_t*, std::size_t),
               const fs::path& base = kRegressions) {
  for (const fs::path& p : Inputs(base, target)) {
    SCOPED_TRACE(p.string());
    const std::vector<std::uint8_t> bytes = Read(p);
    fn(bytes.data(), bytes.size());  // aborts (failing the test binary) on a regression
  }
}

TEST(FuzzRegressions, Job) { ReplayAll("job", FuzzJob); }
TEST(FuzzRegressions, NetworkFile) { ReplayAll("network_file", FuzzNetworkFile); }
TEST(FuzzRegressions, Onnx) {
  if (!OnnxFuzzingAvailable()) GTEST_SKIP() << "this build has no ONNX import";
  ReplayAll("onnx", FuzzOnnx);
}

// Run on demand (--gtest_also_run_disabled_tests): findings waiting in tests/fuzz/pending/
// fail until their causes are fixed (none wait today).
TEST(FuzzRegressions, DISABLED_Pending) {
  ReplayAll("job", FuzzJob, kPending);
  ReplayAll("network_file", FuzzNetworkFile, kPending);
  if (OnnxFuzzingAvailable()) ReplayAll("onnx", FuzzOnnx, kPending);
}

// The targets accept the seed inputs the fuzzers start from: the example jobs and network
// files of the tree parse, and the bad corpus fails cleanly.
TEST(FuzzRegressions, SeedsRunThroughTheTargets) {
  const fs::path src(TRIM_SOURCE_DIR);
  int n = 0;
  for (const auto& dir : {src / "jobs", src / "tests/data/bad/cases"}) {
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().extension() != ".toml") continue;
      const auto bytes = Read(e.path());
      FuzzJob(bytes.data(), bytes.size());
      ++n;
    }
  }
  for (const auto& dir : {src / "configs/networks", src / "tests/data/bad/nets"}) {
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().extension() != ".toml") continue;
      const auto bytes = Read(e.path());
      FuzzNetworkFile(bytes.data(), bytes.size());
      ++n;
    }
  }
  EXPECT_GT(n, 40);
}

}  // namespace
}  // namespace trim::fuzz
