// ONNX import in builds without ONNX support (-DTRIM_WITH_ONNX=OFF): every call reports how to
// enable it.
#include "trim/core/error.hpp"
#include "trim/net/onnx.hpp"

namespace trim::net {
namespace {

[[noreturn]] void Unsupported(const std::string& path) {
  throw ConfigError(SourcePos{path, 0, 0}, "this build of trim-sweep cannot import ONNX files",
                    "rebuild with -DTRIM_WITH_ONNX=ON (needs Debian's libonnx-dev and "
                    "libprotobuf-dev)");
}

}  // namespace

bool OnnxSupported() { return false; }

Network LoadOnnxNetwork(const std::string& path, const NetworkParams& /*params*/) {
  Unsupported(path);
}

Network ParseOnnxNetwork(std::string_view /*bytes*/, const std::string& path,
                         const NetworkParams& /*params*/) {
  Unsupported(path);
}

}  // namespace trim::net
