// libFuzzer entry point for the ONNX importer (net::ParseOnnxNetwork); see targets.hpp.
#include <cstddef>
#include <cstdint>

#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  trim::fuzz::FuzzOnnx(data, size);
  return 0;
}
