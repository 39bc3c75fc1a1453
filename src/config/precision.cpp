#include "trim/config/precision.hpp"

#include <array>

namespace trim::config {
namespace {

// Integer presets accumulate in 32 bits and keep 32-bit master weights for training. "mixed"
// is the mixed-precision training recipe of Micikevicius et al. (ICLR 2018): 16-bit weights,
// activations and gradients, 32-bit accumulation and a 32-bit master copy in the optimizer
// state. "bf16" accumulates in 32 bits (as bfloat16 matrix units do) but stores its optimizer
// state in 16 bits; "fp16" and "fp32" use one width for everything.
constexpr std::array<PrecisionPreset, 7> kPresets = {{
    {"template", 0, 0, 0, 0, 0, "keep the bits_* values of the hardware file"},
    {"int8", 8, 8, 32, 8, 32, "8-bit integer tensors, 32-bit accumulators and optimizer state"},
    {"int16", 16, 16, 32, 16, 32,
     "16-bit integer tensors, 32-bit accumulators and optimizer state"},
    {"fp16", 16, 16, 16, 16, 16, "IEEE half precision for everything"},
    {"bf16", 16, 16, 32, 16, 16, "bfloat16 tensors and optimizer state, 32-bit accumulation"},
    {"fp32", 32, 32, 32, 32, 32, "IEEE single precision for everything"},
    {"mixed", 16, 16, 32, 16, 32,
     "mixed-precision training: 16-bit tensors, 32-bit accumulation and master weights"},
}};

}  // namespace

std::span<const PrecisionPreset> PrecisionPresets() { return kPresets; }

const PrecisionPreset* FindPrecisionPreset(std::string_view name) {
  for (const auto& p : kPresets) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

}  // namespace trim::config
