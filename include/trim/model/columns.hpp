// The per-design results the model produces: one double column per ResultCol, plus a uint8
// status (Status) per design. The registry gives each column its HDF5 name, unit and
// description; io/ writes exactly these columns, in this order.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace trim::model {

enum class ResultCol : std::uint16_t {
  kLatencyS = 0,   ///< one inference batch, or one training step
  kCycles,         ///< kLatencyS in core cycles
  kThroughputSps,  ///< samples per second
  kEnergyPj,       ///< total energy of the batch / step
  kEnergyPerSamplePj,
  kEnergyMacPj,
  kEnergyRfPj,
  kEnergyNocPj,
  kEnergyGlbPj,
  kEnergyDramPj,
  kEnergyLeakPj,
  kEdpJs,  ///< energy (J) x latency (s)
  kDramBytes,
  kGlbAccesses,
  kRfAccesses,
  kNocTransfers,
  kMacs,
  kUtilization,  ///< MACs / (peak MACs per cycle x cycles)
  kRooflineS,    ///< max(compute, compulsory DRAM) lower bound, summed over layer-phases
  kAreaMm2,
  kPowerW,  ///< energy / latency, leakage included
  kDsp,     ///< FPGA target: DSP blocks (0 for ASIC)
  kBram,    ///< FPGA target: block RAMs (0 for ASIC)
  // Training phases (zero in inference, except FP which then equals the totals).
  kFpLatencyS,
  kBpLatencyS,
  kWgLatencyS,
  kWuLatencyS,
  kFpEnergyPj,
  kBpEnergyPj,
  kWgEnergyPj,
  kWuEnergyPj,
  kFpDramBytes,
  kBpDramBytes,
  kWgDramBytes,
  kWuDramBytes,
  kPeakOnchipBytes,   ///< largest GLB occupancy over the step
  kPeakOffchipBytes,  ///< largest DRAM footprint over the step (weights, state, stored acts)
  kCount
};

inline constexpr std::size_t kNumResultCols = static_cast<std::size_t>(ResultCol::kCount);

struct ResultColInfo {
  ResultCol id;
  std::string_view name;
  std::string_view unit;
  std::string_view description;
};

std::span<const ResultColInfo> ResultCols();
const ResultColInfo& Info(ResultCol c);
const ResultColInfo* FindResultCol(std::string_view name);

/// Why a design point has no valid result. kOk rows hold finite values in every column;
/// other rows hold zeros.
enum class Status : std::uint8_t {
  kOk = 0,
  kRfTooSmall,       ///< no mapping fits the register files
  kGlbTooSmall,      ///< no tiling fits the global buffer
  kShapeMismatch,    ///< the dataflow cannot map this layer shape onto the array
  kZeroBandwidth,    ///< a bandwidth or the clock is zero while traffic needs it
  kNumericOverflow,  ///< a result would not be finite
  kCount
};

inline constexpr std::size_t kNumStatus = static_cast<std::size_t>(Status::kCount);
std::string_view Name(Status s);
std::string_view Description(Status s);

/// The unit a column is reported in. With `normalized` energies (a technology table in
/// relative units, e.g. one unit = one 16-bit MAC) energies read "normalized", power
/// "1e12 normalized/s" and the energy-delay product "1e12 normalized*s" (they are computed
/// as from pJ); other units are unchanged.
std::string_view UnitFor(std::string_view unit, bool normalized);

}  // namespace trim::model
