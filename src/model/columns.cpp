#include "trim/model/columns.hpp"

#include <array>

namespace trim::model {
namespace {

using C = ResultCol;
constexpr std::array<ResultColInfo, kNumResultCols> kCols = {{
    {C::kLatencyS, "latency_s", "s", "time of one inference batch or one training step"},
    {C::kCycles, "cycles", "cycles", "latency in core clock cycles"},
    {C::kThroughputSps, "throughput_sps", "samples/s",
     "samples (inferences or training samples) per second"},
    {C::kEnergyPj, "energy_pj", "pJ", "total energy of the batch or training step"},
    {C::kEnergyPerSamplePj, "energy_per_sample_pj", "pJ", "energy per sample"},
    {C::kEnergyMacPj, "energy_mac_pj", "pJ", "energy of the MAC units"},
    {C::kEnergyRfPj, "energy_rf_pj", "pJ", "energy of register-file accesses"},
    {C::kEnergyNocPj, "energy_noc_pj", "pJ", "energy of array-network transfers"},
    {C::kEnergyGlbPj, "energy_glb_pj", "pJ", "energy of global-buffer accesses"},
    {C::kEnergyDramPj, "energy_dram_pj", "pJ", "energy of DRAM accesses"},
    {C::kEnergyLeakPj, "energy_leak_pj", "pJ",
     "leakage (and, physical model, clock network) energy over the latency"},
    {C::kEdpJs, "edp_js", "J*s", "energy-delay product"},
    {C::kDramBytes, "dram_bytes", "B", "bytes moved to and from DRAM"},
    {C::kGlbAccesses, "glb_accesses", "words", "global-buffer reads and writes"},
    {C::kRfAccesses, "rf_accesses", "words", "register-file reads and writes"},
    {C::kNocTransfers, "noc_transfers", "words", "array-network transfers"},
    {C::kMacs, "macs", "MAC", "multiply-accumulates executed"},
    {C::kUtilization, "utilization", "1", "MACs / (peak MACs per cycle x cycles)"},
    {C::kRooflineS, "roofline_s", "s",
     "sum over layer-phases of max(compute, compulsory DRAM) time"},
    {C::kAreaMm2, "area_mm2", "mm^2", "chip area (ASIC target)"},
    {C::kPowerW, "power_w", "W", "average power: energy / latency"},
    {C::kDsp, "dsp", "blocks", "FPGA DSP blocks (FPGA target)"},
    {C::kBram, "bram", "blocks", "FPGA block RAMs (FPGA target)"},
    {C::kFpLatencyS, "fp_latency_s", "s", "forward-pass time"},
    {C::kBpLatencyS, "bp_latency_s", "s", "backward-data time"},
    {C::kWgLatencyS, "wg_latency_s", "s", "weight-gradient time"},
    {C::kWuLatencyS, "wu_latency_s", "s", "weight-update time"},
    {C::kFpEnergyPj, "fp_energy_pj", "pJ", "forward-pass energy"},
    {C::kBpEnergyPj, "bp_energy_pj", "pJ", "backward-data energy"},
    {C::kWgEnergyPj, "wg_energy_pj", "pJ", "weight-gradient energy"},
    {C::kWuEnergyPj, "wu_energy_pj", "pJ", "weight-update energy"},
    {C::kFpDramBytes, "fp_dram_bytes", "B", "forward-pass DRAM traffic"},
    {C::kBpDramBytes, "bp_dram_bytes", "B", "backward-data DRAM traffic"},
    {C::kWgDramBytes, "wg_dram_bytes", "B", "weight-gradient DRAM traffic"},
    {C::kWuDramBytes, "wu_dram_bytes", "B", "weight-update DRAM traffic"},
    {C::kPeakOnchipBytes, "peak_onchip_bytes", "B", "largest global-buffer occupancy"},
    {C::kPeakOffchipBytes, "peak_offchip_bytes", "B", "largest DRAM footprint"},
}};

constexpr bool InOrder() {
  for (std::size_t i = 0; i < kCols.size(); ++i) {
    if (static_cast<std::size_t>(kCols[i].id) != i) return false;
  }
  return true;
}
static_assert(InOrder(), "kCols must be listed in ResultCol order");

constexpr std::array<std::string_view, kNumStatus> kStatusNames = {
    "ok", "rf_too_small", "glb_too_small", "shape_mismatch", "zero_bandwidth", "numeric_overflow"};
constexpr std::array<std::string_view, kNumStatus> kStatusText = {
    "feasible",
    "no mapping fits the per-PE register files",
    "no tiling fits the global buffer",
    "the dataflow cannot map a layer shape onto the array",
    "a bandwidth or the clock is zero while the work needs it",
    "a result would overflow or not be finite"};

}  // namespace

std::span<const ResultColInfo> ResultCols() { return kCols; }
const ResultColInfo& Info(ResultCol c) { return kCols[static_cast<std::size_t>(c)]; }
const ResultColInfo* FindResultCol(std::string_view name) {
  for (const auto& c : kCols) {
    if (c.name == name) return &c;
  }
  return nullptr;
}
std::string_view Name(Status s) { return kStatusNames[static_cast<std::size_t>(s)]; }
std::string_view Description(Status s) { return kStatusText[static_cast<std::size_t>(s)]; }

std::string_view UnitFor(std::string_view unit, bool normalized) {
  if (!normalized) return unit;
  if (unit == "pJ") return "normalized";
  // power_w and edp_js hold energy_pj * 1e-12 / or * latency: one unit of them is 1e12
  // normalized units per second (times a second).
  if (unit == "W") return "1e12 normalized/s";
  if (unit == "J*s") return "1e12 normalized*s";
  return unit;
}

}  // namespace trim::model
