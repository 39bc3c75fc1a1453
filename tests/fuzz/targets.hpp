// The fuzz targets: each takes arbitrary bytes, feeds them to one parser, and checks what a
// parser may do with them. A bad input must end in trim::ConfigError (or trim::IoError); any
// other exception, a crash, a sanitizer report, or a parsed result that breaks an invariant
// (a layer with an empty output, a non-finite model result) is a bug, reported by aborting.
//
// The libFuzzer entry points (fuzz_*.cpp) call these; so does the regression test
// (tests/hardening/fuzz_regressions_test.cpp), which replays every input saved under
// tests/fuzz/regressions/<target>/ in the normal build.
#pragma once

#include <cstddef>
#include <cstdint>

namespace trim::fuzz {

/// The job parser (config::ParseJob) with an in-memory file reader holding a fixed hardware
/// preset "chip", a technology table "tech" and a network file "net.toml". A job that parses
/// is also turned into its design space, and its first point is evaluated.
void FuzzJob(const std::uint8_t* data, std::size_t size);

/// The network-file parser (net::ParseNetworkFile). A network that parses is checked layer by
/// layer and evaluated on one design.
void FuzzNetworkFile(const std::uint8_t* data, std::size_t size);

/// The ONNX importer (net::ParseOnnxNetwork), when the build has it; otherwise a no-op that
/// returns false from OnnxFuzzingAvailable().
void FuzzOnnx(const std::uint8_t* data, std::size_t size);
bool OnnxFuzzingAvailable();

}  // namespace trim::fuzz
