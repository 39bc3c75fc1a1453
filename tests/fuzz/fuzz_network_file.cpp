// libFuzzer entry point for the network-file parser (net::ParseNetworkFile); see targets.hpp.
#include <cstddef>
#include <cstdint>

#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  trim::fuzz::FuzzNetworkFile(data, size);
  return 0;
}
