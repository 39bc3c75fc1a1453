// libFuzzer entry point for the job parser (config::ParseJob); see targets.hpp.
#include <cstddef>
#include <cstdint>

#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  trim::fuzz::FuzzJob(data, size);
  return 0;
}
