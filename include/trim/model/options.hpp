// Model switches: every modelling choice the TRIM paper leaves open is a named option with a
// documented default (docs/model.md). Options are set in a job's [model] table and are the
// same for every design point of a job. All options are choices among named values.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace trim::model {

enum class Option : std::uint16_t {
  kEngine = 0,  ///< "trim" (the dataflow model) or "roofline" (the lower bound alone)
  /// "overlap": latency = max(compute, memory); "serial": their sum; "double_buffer": ping-pong
  /// GLB halves, max(compute + first reads + last writes, DRAM)
  kOverlap,
  kSelect,      ///< criterion for dataflow "best": "edp", "energy", "latency" or "dram"
  kMacScaling,  ///< MAC energy vs operand width: "quadratic", "linear" or "none"
  kInterLayer,  ///< "keep": a layer's output stays in the GLB when it fits; "spill": never
  kOptimizer,   ///< training: "sgd", "momentum" (default) or "adam" (state and ops per parameter)
  kBpStride,    ///< training: BP of strided layers "sparse" (= FP MACs, default) or "dense"
  kStash,       ///< training: GLB share for tensors saved for backward: "half", "quarter", "none"
  /// systolic fold fill and drain over the whole "array" (SCALE-Sim v2) or the "mapped" PEs
  kSystolicFill,
  /// element-wise layers and pooling in their producer's output path: "none", "activation", "all"
  kFusion,
  /// row stationary: per-pass scratch-pad loads and psum drains "exposed" or "none"
  kPassOverhead,
  kCount
};

inline constexpr std::size_t kNumOptions = static_cast<std::size_t>(Option::kCount);

struct OptionInfo {
  Option id;
  std::string_view name;
  std::string_view description;
  std::span<const std::string_view> choices;  ///< choices[0] need not be the default
  std::uint8_t default_choice;
};

std::span<const OptionInfo> Options();
const OptionInfo* FindOption(std::string_view name);

/// The chosen value of every option, as an index into its choices.
struct ModelOptions {
  std::array<std::uint8_t, kNumOptions> choice{};
  [[nodiscard]] std::uint8_t operator[](Option o) const {
    return choice[static_cast<std::size_t>(o)];
  }
  std::uint8_t& operator[](Option o) { return choice[static_cast<std::size_t>(o)]; }
  static ModelOptions Defaults();
};

}  // namespace trim::model
