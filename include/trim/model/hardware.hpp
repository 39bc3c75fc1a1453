// The accelerator template: every numeric knob of one design, addressed by HwParam.
//
// A design is a flat array of doubles so that a batch of designs is a structure of arrays
// (one column per parameter) and any parameter can be a sweep axis. Choice parameters
// (interconnect, target) hold the index of their choice. The registry (HwParams()) gives each
// parameter its name, section in the hardware file, unit, description, limits and default;
// config/ parses hardware files against it and docs/job-format.md lists it.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace trim::model {

enum class HwParam : std::uint16_t {
  // [array]
  kPeRows = 0,
  kPeCols,
  kMacsPerPe,
  kInterconnect,  ///< 0 = multicast buses (Eyeriss), 1 = systolic (per-fold fill and drain)
  // [rf] per PE
  kRfWeightBytes,
  kRfInputBytes,
  kRfPsumBytes,
  // [glb]
  kGlbKib,        ///< total global buffer
  kGlbWeightKib,  ///< 0 for all three = one shared buffer of glb_kib
  kGlbInputKib,
  kGlbOutputKib,
  // [bandwidth]
  kGlbWordsPerCycle,
  kNocWordsPerCycle,
  kDramGbps,
  kClockMhz,
  // [precision] bits per tensor class
  kBitsWeight,
  kBitsAct,
  kBitsPsum,
  kBitsGrad,
  kBitsOpt,
  // [energy] pJ per access of an energy_ref_bits-wide word, and per MAC at that width
  kEnergyRefBits,
  kEnergyMacPj,
  kEnergyRfPj,
  kEnergyNocPj,
  kEnergyGlbPj,
  kEnergyDramPj,
  kLeakageMw,
  // [area]
  kTarget,  ///< 0 = ASIC (mm^2), 1 = FPGA (DSP and BRAM counts)
  kAreaMacUm2,
  kAreaRfUm2PerByte,
  kAreaSramMm2PerKib,
  kAreaNocUm2PerPe,
  kAreaFixedMm2,
  kDspPerMac,
  kBramKbits,
  // Physical technology model (docs/model.md, section 23)
  kEnergyModel,   ///< [energy] 0 = table of e_*_pj constants, 1 = physical
  kTechNode,      ///< [energy] index into 65, 45, 28, 16, 7 nm
  kVddV,          ///< [energy] supply; 0 = the node's nominal
  kNumberFormat,  ///< [precision] 0 = integer, 1 = IEEE float, 2 = bfloat
  kGlbBanks,      ///< [glb] banks per buffer (or per partition)
  kDramType,      ///< [bandwidth] 0 = table (e_dram_pj, dram_gbps), else a DRAM preset
  kDramChannels,  ///< [bandwidth] channels of the DRAM preset
  // [bandwidth] buffer-to-array networks, one per operand class (0 width: not modelled)
  kBusWeightBits,
  kBusInputBits,
  kBusOutputBits,
  kBusMhz,  ///< their clock; 0 = the core clock
  kCount
};

inline constexpr std::size_t kNumHwParams = static_cast<std::size_t>(HwParam::kCount);

enum class ParamType : std::uint8_t { kInt, kReal, kChoice };

struct HwParamInfo {
  HwParam id;
  std::string_view name;     ///< key in hardware files and sweep axes, e.g. "pe_rows"
  std::string_view section;  ///< table in the hardware file, e.g. "array"
  std::string_view unit;     ///< "" for counts, "B", "KiB", "GB/s", "MHz", "pJ", ...
  std::string_view description;
  ParamType type;
  double min;  ///< inclusive lower limit
  double max;  ///< inclusive upper limit
  double default_value;
  std::span<const std::string_view> choices;  ///< kChoice only
};

/// The registry, indexed by HwParam.
std::span<const HwParamInfo> HwParams();
const HwParamInfo& Info(HwParam p);
/// nullptr when no parameter has this name.
const HwParamInfo* FindHwParam(std::string_view name);

/// One design: a value per parameter.
struct Hardware {
  std::array<double, kNumHwParams> v{};
  [[nodiscard]] double operator[](HwParam p) const { return v[static_cast<std::size_t>(p)]; }
  double& operator[](HwParam p) { return v[static_cast<std::size_t>(p)]; }
  /// All parameters at their registry defaults.
  static Hardware Defaults();
};

}  // namespace trim::model
