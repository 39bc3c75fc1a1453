#include "area.hpp"

#include <cmath>

#include "tech.hpp"

namespace trim::model::detail {

AreaResult ComputeArea(const Hardware& hw) {
  AreaResult a;
  const double pes = hw[HwParam::kPeRows] * hw[HwParam::kPeCols];
  const double macs = pes * hw[HwParam::kMacsPerPe];
  const double rf_bytes =
      hw[HwParam::kRfWeightBytes] + hw[HwParam::kRfInputBytes] + hw[HwParam::kRfPsumBytes];
  const double parts[3] = {hw[HwParam::kGlbWeightKib], hw[HwParam::kGlbInputKib],
                           hw[HwParam::kGlbOutputKib]};
  const bool split = parts[0] > 0 || parts[1] > 0 || parts[2] > 0;
  const double glb_kib = split ? parts[0] + parts[1] + parts[2] : hw[HwParam::kGlbKib];
  if (hw[HwParam::kTarget] < 0.5 && hw[HwParam::kEnergyModel] >= 0.5) {
    a.area_mm2 = PhysicalArea(hw).modelled_mm2 + hw[HwParam::kAreaFixedMm2];
    return a;
  }
  if (hw[HwParam::kTarget] < 0.5) {
    const double um2 = macs * hw[HwParam::kAreaMacUm2] +
                       pes * rf_bytes * hw[HwParam::kAreaRfUm2PerByte] +
                       pes * hw[HwParam::kAreaNocUm2PerPe];
    a.area_mm2 =
        um2 * 1e-6 + glb_kib * hw[HwParam::kAreaSramMm2PerKib] + hw[HwParam::kAreaFixedMm2];
    return a;
  }
  // FPGA: DSP blocks per MAC unit; each buffer (or partition) rounds up to whole block RAMs.
  // Register files are assumed to map to LUT RAM / flip-flops and are not counted.
  a.dsp = std::ceil(macs * hw[HwParam::kDspPerMac]);
  const double bram_kib = hw[HwParam::kBramKbits] / 8.0;
  if (split) {
    for (double p : parts) a.bram += p > 0 ? std::ceil(p / bram_kib) : 0.0;
  } else {
    a.bram = std::ceil(glb_kib / bram_kib);
  }
  return a;
}

}  // namespace trim::model::detail
