#include "row_checksum.hpp"

#include <cstring>

namespace trim::io {
namespace {

constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ULL;   // 2^64 / golden ratio, odd
constexpr std::uint64_t kSeed = 0x54524D2D524F5753ULL;  // "TRM-ROWS"

/// The stored bits of value i of a column, zero-extended to 64 bits.
std::uint64_t Bits(Dtype d, const void* column, std::size_t i) {
  const auto* p = static_cast<const unsigned char*>(column);
  switch (d) {
    case Dtype::kU8:
      return p[i];
    case Dtype::kU16: {
      std::uint16_t v;
      std::memcpy(&v, p + 2 * i, 2);
      return v;
    }
    case Dtype::kU32:
    case Dtype::kF32: {  // float32: the 4 bytes as they are stored
      std::uint32_t v;
      std::memcpy(&v, p + 4 * i, 4);
      return v;
    }
    default: {  // float64 and int64: the 8 bytes as they are stored
      std::uint64_t v;
      std::memcpy(&v, p + 8 * i, 8);
      return v;
    }
  }
}

}  // namespace

std::vector<std::uint64_t> RowChecksums(IndexRange r, std::span<const Dtype> dtypes,
                                        std::span<const void* const> data) {
  std::vector<std::uint64_t> h(r.size());
  for (std::size_t i = 0; i < h.size(); ++i) h[i] = ((r.begin + i) ^ kSeed) * kMul;
  for (std::size_t k = 0; k < dtypes.size(); ++k) {
    for (std::size_t i = 0; i < h.size(); ++i) {
      h[i] = (h[i] ^ Bits(dtypes[k], data[k], i)) * kMul + k + 1;
    }
  }
  for (std::uint64_t& v : h) v ^= v >> 32;
  return h;
}

}  // namespace trim::io
