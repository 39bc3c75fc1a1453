#include "trim/model/hardware.hpp"

#include <array>

namespace trim::model {
namespace {

constexpr std::array<std::string_view, 2> kInterconnects = {"multicast", "systolic"};
constexpr std::array<std::string_view, 2> kTargets = {"asic", "fpga"};
constexpr double kBig = 1e15;

using P = HwParam;
using T = ParamType;

// Defaults describe Eyeriss v1 (Chen et al., JSSC 2017) where the chip has a value; energy
// defaults are the Eyeriss normalized costs (ISCA 2016, Fig. 4: MAC 1, RF 1, NoC 2, GLB 6,
// DRAM 200) expressed per 16-bit access. configs/energy/ holds the tables users should name.
constexpr std::array<HwParamInfo, kNumHwParams> kParams = {{
    {P::kPeRows, "pe_rows", "array", "", "PE array rows", T::kInt, 1, 65536, 12, {}},
    {P::kPeCols, "pe_cols", "array", "", "PE array columns", T::kInt, 1, 65536, 14, {}},
    {P::kMacsPerPe, "macs_per_pe", "array", "", "MAC units per PE (vector width)", T::kInt, 1,
     1024, 1, {}},
    {P::kInterconnect, "interconnect", "array", "",
     "array interconnect: multicast buses (Eyeriss) or systolic (neighbour links, fill and "
     "drain per fold)",
     T::kChoice, 0, 1, 0, kInterconnects},
    {P::kRfWeightBytes, "rf_weight_bytes", "rf", "B", "register file for weights, per PE",
     T::kReal, 0, kBig, 448, {}},
    {P::kRfInputBytes, "rf_input_bytes", "rf", "B", "register file for input activations, per PE",
     T::kReal, 0, kBig, 24, {}},
    {P::kRfPsumBytes, "rf_psum_bytes", "rf", "B", "register file for partial sums, per PE",
     T::kReal, 0, kBig, 48, {}},
    {P::kGlbKib, "glb_kib", "glb", "KiB", "global buffer capacity (shared by all tensors)",
     T::kReal, 0, kBig, 108, {}},
    {P::kGlbWeightKib, "glb_weight_kib", "glb", "KiB",
     "global buffer partition for weights (0 with the other two partitions 0: shared)", T::kReal,
     0, kBig, 0, {}},
    {P::kGlbInputKib, "glb_input_kib", "glb", "KiB", "global buffer partition for inputs",
     T::kReal, 0, kBig, 0, {}},
    {P::kGlbOutputKib, "glb_output_kib", "glb", "KiB",
     "global buffer partition for outputs and partial sums", T::kReal, 0, kBig, 0, {}},
    {P::kGlbWordsPerCycle, "glb_words_per_cycle", "bandwidth", "words/cycle",
     "global buffer bandwidth to the array", T::kReal, 0, kBig, 32, {}},
    {P::kNocWordsPerCycle, "noc_words_per_cycle", "bandwidth", "words/cycle",
     "array network deliveries per cycle (multicast counts once per destination group)",
     T::kReal, 0, kBig, 64, {}},
    {P::kDramGbps, "dram_gbps", "bandwidth", "GB/s", "off-chip DRAM bandwidth (10^9 B/s)",
     T::kReal, 0, kBig, 2.4, {}},
    {P::kClockMhz, "clock_mhz", "bandwidth", "MHz", "core clock", T::kReal, 0, kBig, 200, {}},
    {P::kBitsWeight, "bits_weight", "precision", "bit", "weight precision", T::kInt, 1, 64, 16,
     {}},
    {P::kBitsAct, "bits_act", "precision", "bit", "activation precision", T::kInt, 1, 64, 16, {}},
    {P::kBitsPsum, "bits_psum", "precision", "bit", "partial-sum (accumulator) precision",
     T::kInt, 1, 64, 16, {}},
    {P::kBitsGrad, "bits_grad", "precision", "bit", "gradient precision (training)", T::kInt, 1,
     64, 16, {}},
    {P::kBitsOpt, "bits_opt", "precision", "bit", "optimizer state precision (training)",
     T::kInt, 1, 64, 32, {}},
    {P::kEnergyRefBits, "energy_ref_bits", "energy", "bit",
     "word width at which the energy costs below are quoted", T::kInt, 1, 64, 16, {}},
    {P::kEnergyMacPj, "e_mac_pj", "energy", "pJ", "energy per MAC", T::kReal, 0, kBig, 1, {}},
    {P::kEnergyRfPj, "e_rf_pj", "energy", "pJ", "energy per register-file access", T::kReal, 0,
     kBig, 1, {}},
    {P::kEnergyNocPj, "e_noc_pj", "energy", "pJ", "energy per array-network transfer", T::kReal,
     0, kBig, 2, {}},
    {P::kEnergyGlbPj, "e_glb_pj", "energy", "pJ", "energy per global-buffer access", T::kReal, 0,
     kBig, 6, {}},
    {P::kEnergyDramPj, "e_dram_pj", "energy", "pJ", "energy per DRAM access", T::kReal, 0, kBig,
     200, {}},
    {P::kLeakageMw, "leakage_mw", "energy", "mW", "static (leakage) power of the chip", T::kReal,
     0, kBig, 0, {}},
    {P::kTarget, "target", "area", "", "implementation: asic (area in mm^2) or fpga (DSP, BRAM)",
     T::kChoice, 0, 1, 0, kTargets},
    {P::kAreaMacUm2, "area_mac_um2", "area", "um^2", "area of one MAC unit", T::kReal, 0, kBig,
     0, {}},
    {P::kAreaRfUm2PerByte, "area_rf_um2_per_byte", "area", "um^2/B", "register-file area per byte",
     T::kReal, 0, kBig, 0, {}},
    {P::kAreaSramMm2PerKib, "area_sram_mm2_per_kib", "area", "mm^2/KiB",
     "global-buffer SRAM area per KiB", T::kReal, 0, kBig, 0, {}},
    {P::kAreaNocUm2PerPe, "area_noc_um2_per_pe", "area", "um^2", "network area per PE", T::kReal,
     0, kBig, 0, {}},
    {P::kAreaFixedMm2, "area_fixed_mm2", "area", "mm^2", "control, I/O and other fixed area",
     T::kReal, 0, kBig, 0, {}},
    {P::kDspPerMac, "dsp_per_mac", "area", "", "FPGA DSP blocks per MAC unit", T::kReal, 0, kBig,
     1, {}},
    {P::kBramKbits, "bram_kbits", "area", "Kibit", "FPGA block-RAM size", T::kReal, 1, kBig, 36,
     {}},
}};

constexpr bool RegistryInOrder() {
  for (std::size_t i = 0; i < kParams.size(); ++i) {
    if (static_cast<std::size_t>(kParams[i].id) != i) return false;
  }
  return true;
}
static_assert(RegistryInOrder(), "kParams must be listed in HwParam order");

}  // namespace

std::span<const HwParamInfo> HwParams() { return kParams; }
const HwParamInfo& Info(HwParam p) { return kParams[static_cast<std::size_t>(p)]; }

const HwParamInfo* FindHwParam(std::string_view name) {
  for (const auto& p : kParams) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

Hardware Hardware::Defaults() {
  Hardware h;
  for (const auto& p : kParams) h.v[static_cast<std::size_t>(p.id)] = p.default_value;
  return h;
}

}  // namespace trim::model
