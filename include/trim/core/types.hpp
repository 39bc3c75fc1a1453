// Basic vocabulary types shared by every module: design indices, index ranges and the
// small enumerations (dataflow, mode, phase) that name the model's discrete choices.
// All types are plain values, safe to copy across threads and ranks.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace trim {

/// A design-point index: a row of the results file.
using Index = std::uint64_t;

/// Half-open range of design indices [begin, end).
struct IndexRange {
  Index begin = 0;
  Index end = 0;
  [[nodiscard]] Index size() const { return end > begin ? end - begin : 0; }
  [[nodiscard]] bool empty() const { return end <= begin; }
  friend bool operator==(const IndexRange&, const IndexRange&) = default;
};

/// The five dataflows of the Eyeriss taxonomy plus `kBest`, the per-layer best of the five.
enum class Dataflow : std::uint8_t { kWS = 0, kOS, kIS, kRS, kNLR, kBest };
inline constexpr int kNumDataflows = 6;

/// Inference evaluates the forward pass; training one full step (FP, BP, WG, WU).
enum class Mode : std::uint8_t { kInference = 0, kTraining };
inline constexpr int kNumModes = 2;

/// Training phases of one layer.
enum class Phase : std::uint8_t { kFP = 0, kBP, kWG, kWU };
inline constexpr int kNumPhases = 4;

/// Lower-case canonical names, as used in job files and in the HDF5 lookup tables.
std::string_view Name(Dataflow d);
std::string_view Name(Mode m);
std::string_view Name(Phase p);
std::optional<Dataflow> ParseDataflow(std::string_view s);
std::optional<Mode> ParseMode(std::string_view s);

/// Every dataflow name in code order ("ws", "os", ...), for did-you-mean hints and lookups.
std::span<const std::string_view> DataflowNames();
std::span<const std::string_view> ModeNames();

}  // namespace trim
