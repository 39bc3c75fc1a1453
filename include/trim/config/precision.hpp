// The precision presets a job's [workload].precision axis may name. Each preset fixes the bits
// of every tensor class (the bits_* hardware parameters); "template" fixes none and keeps the
// hardware file's values. docs/job-format.md lists the same table. Immutable; thread-safe.
#pragma once

#include <span>
#include <string_view>

namespace trim::config {

struct PrecisionPreset {
  std::string_view name;
  /// Bits per tensor class; 0 everywhere for "template" (keep the hardware's bits).
  int bits_weight, bits_act, bits_psum, bits_grad, bits_opt;
  std::string_view description;
};

/// Every preset, "template" first.
std::span<const PrecisionPreset> PrecisionPresets();
/// nullptr when no preset has this name.
const PrecisionPreset* FindPrecisionPreset(std::string_view name);

}  // namespace trim::config
