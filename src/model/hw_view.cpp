#include "hw_view.hpp"

namespace trim::model::detail {

HwView MakeHwView(const Hardware& hw, const ModelOptions& opt) {
  HwView v;
  v.rows = hw[HwParam::kPeRows];
  v.cols = hw[HwParam::kPeCols];
  v.lanes = hw[HwParam::kMacsPerPe];
  v.systolic = hw[HwParam::kInterconnect] >= 0.5;
  v.rf_weight_bits = hw[HwParam::kRfWeightBytes] * 8.0;
  v.rf_input_bits = hw[HwParam::kRfInputBytes] * 8.0;
  v.rf_psum_bits = hw[HwParam::kRfPsumBytes] * 8.0;
  const double kib_bits = 1024.0 * 8.0;
  v.glb_weight_bits = hw[HwParam::kGlbWeightKib] * kib_bits;
  v.glb_input_bits = hw[HwParam::kGlbInputKib] * kib_bits;
  v.glb_output_bits = hw[HwParam::kGlbOutputKib] * kib_bits;
  v.glb_split = v.glb_weight_bits > 0 || v.glb_input_bits > 0 || v.glb_output_bits > 0;
  v.glb_bits = v.glb_split ? v.glb_weight_bits + v.glb_input_bits + v.glb_output_bits
                           : hw[HwParam::kGlbKib] * kib_bits;
  v.glb_words_per_cycle = hw[HwParam::kGlbWordsPerCycle];
  v.noc_words_per_cycle = hw[HwParam::kNocWordsPerCycle];
  v.clock_hz = hw[HwParam::kClockMhz] * 1e6;
  v.dram_bytes_per_s = hw[HwParam::kDramGbps] * 1e9;
  v.dram_bytes_per_cycle = v.clock_hz > 0 ? v.dram_bytes_per_s / v.clock_hz : 0.0;
  v.bits = {hw[HwParam::kBitsWeight], hw[HwParam::kBitsAct], hw[HwParam::kBitsPsum],
            hw[HwParam::kBitsGrad], hw[HwParam::kBitsOpt]};
  v.ref_bits = hw[HwParam::kEnergyRefBits];
  v.e_mac = hw[HwParam::kEnergyMacPj];
  v.e_rf = hw[HwParam::kEnergyRfPj];
  v.e_noc = hw[HwParam::kEnergyNocPj];
  v.e_glb = hw[HwParam::kEnergyGlbPj];
  v.e_dram = hw[HwParam::kEnergyDramPj];
  v.leak_w = hw[HwParam::kLeakageMw] * 1e-3;
  v.overlap = opt[Option::kOverlap] == 0;
  v.mac_scaling = opt[Option::kMacScaling];
  v.fill_mapped = opt[Option::kSystolicFill] == 1;
  return v;
}

}  // namespace trim::model::detail
