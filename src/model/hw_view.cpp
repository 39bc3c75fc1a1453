#include "hw_view.hpp"

#include <cmath>

#include "tech.hpp"

namespace trim::model::detail {

namespace {

// The physical model's per-bit energies and leakage (docs/model.md, section 23).
void FillPhysical(const Hardware& hw, HwView* v) {
  v->physical = true;
  v->num_fmt = static_cast<int>(hw[HwParam::kNumberFormat]);
  const double nm = TechNodeNm(hw[HwParam::kTechNode]);
  const double vdd = hw[HwParam::kVddV] > 0 ? hw[HwParam::kVddV] : NominalVdd(nm);
  const double s = NodeEnergyScale(nm, vdd);
  v->e_scale = s;
  v->add_pj = s * AddPj45(v->num_fmt, v->bits[static_cast<std::size_t>(BitsClass::kPsum)]);
  // A small register file is flip-flops: an access writes or reads registers of RegBitPj.
  const double reg_pj = RegBitPj(nm, vdd);
  const auto rf_bit = [&](HwParam p) { return RfIsFlops(hw[p]) ? reg_pj : s * SramBitPj45(hw[p]); };
  v->eb_rf_w = rf_bit(HwParam::kRfWeightBytes);
  v->eb_rf_i = rf_bit(HwParam::kRfInputBytes);
  v->eb_rf_p = rf_bit(HwParam::kRfPsumBytes);
  const PhysArea area = PhysicalArea(hw);
  const double wire = WirePjPerBitMm(vdd);
  const double pitch_mm = std::sqrt(area.pe_um2) * 1e-3;
  // Multicast: a word from the buffer runs from the array edge to the target row (half the
  // height on average), then along the whole row bus; each further receiver on the bus and
  // each PE-to-PE move costs one pitch. Systolic: every transfer is a one-pitch hop.
  const double bus_mm = v->systolic ? pitch_mm : (v->rows / 2.0 + v->cols) * pitch_mm;
  v->eb_noc = wire * bus_mm;
  v->eb_hop = wire * pitch_mm;
  // Global buffer: a bank of capacity/banks plus the route from the bank to the port, half the
  // side of the buffer for many banks (zero for one bank, whose fit includes its own wires).
  const double banks = std::max(1.0, hw[HwParam::kGlbBanks]);
  double parts[3] = {v->glb_weight_bits, v->glb_input_bits, v->glb_output_bits};
  const int n = v->glb_split ? 3 : 1;
  if (!v->glb_split) parts[0] = v->glb_bits;
  double sum = 0;
  int used = 0;
  for (int i = 0; i < n; ++i) {
    const double bytes = parts[i] / 8.0;
    if (bytes <= 0) continue;
    const double side_mm = std::sqrt(NodeAreaScale(nm) * SramAreaUm2_45(bytes) * 1e-6);
    const double route_mm = 0.5 * side_mm * (1.0 - 1.0 / std::sqrt(banks));
    sum += s * SramBitPj45(bytes / banks) + wire * route_mm;
    ++used;
  }
  v->eb_glb = used > 0 ? sum / used : 0.0;
  if (hw[HwParam::kDramType] < 0.5) v->eb_dram = v->e_dram / v->ref_bits;
  if (hw[HwParam::kTarget] < 0.5) {
    // Clock network: every cycle, each PE's clocked registers and a clock wire of one pitch per
    // PE swing fully (C V^2 per cycle, twice the data wires' half activity).
    const double pes = v->rows * v->cols;
    const double per_cycle_pj = pes * (ClockedRegsPerPe(hw) * reg_pj + 2.0 * wire * pitch_mm);
    v->clk_w = per_cycle_pj * 1e-12 * v->clock_hz;
    v->leak_w += LeakWPerMm2(nm, vdd) * area.modelled_mm2 + v->clk_w;
  }
}

}  // namespace

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
  const double bus_clock = hw[HwParam::kBusMhz] > 0 ? hw[HwParam::kBusMhz] * 1e6 : v.clock_hz;
  const double bus_per_core = v.clock_hz > 0 ? bus_clock / v.clock_hz : 0.0;
  v.bus_w_bits = hw[HwParam::kBusWeightBits] * bus_per_core;
  v.bus_i_bits = hw[HwParam::kBusInputBits] * bus_per_core;
  v.bus_o_bits = hw[HwParam::kBusOutputBits] * bus_per_core;
  v.buses = v.bus_w_bits > 0 || v.bus_i_bits > 0 || v.bus_o_bits > 0;
  v.bus_w_inv = v.bus_w_bits > 0 ? 1.0 / v.bus_w_bits : 0.0;
  v.bus_i_inv = v.bus_i_bits > 0 ? 1.0 / v.bus_i_bits : 0.0;
  v.bus_o_inv = v.bus_o_bits > 0 ? 1.0 / v.bus_o_bits : 0.0;
  v.bits = {hw[HwParam::kBitsWeight], hw[HwParam::kBitsAct], hw[HwParam::kBitsPsum],
            hw[HwParam::kBitsGrad], hw[HwParam::kBitsOpt]};
  FillStreamBits(&v);
  v.ref_bits = hw[HwParam::kEnergyRefBits];
  v.e_mac = hw[HwParam::kEnergyMacPj];
  v.e_rf = hw[HwParam::kEnergyRfPj];
  v.e_noc = hw[HwParam::kEnergyNocPj];
  v.e_glb = hw[HwParam::kEnergyGlbPj];
  v.e_dram = hw[HwParam::kEnergyDramPj];
  v.leak_w = hw[HwParam::kLeakageMw] * 1e-3;
  v.overlap = opt[Option::kOverlap] == 0;
  v.double_buffer = opt[Option::kOverlap] == 2;
  v.mac_scaling = opt[Option::kMacScaling];
  v.fill_mapped = opt[Option::kSystolicFill] == 1;
  if (hw[HwParam::kDramType] >= 0.5) {
    const DramPreset d = DramOf(hw[HwParam::kDramType]);
    v.dram_bytes_per_s = hw[HwParam::kDramChannels] * d.gbps_per_channel * 1e9;
    v.dram_bytes_per_cycle = v.clock_hz > 0 ? v.dram_bytes_per_s / v.clock_hz : 0.0;
    v.e_dram = d.pj_per_bit * v.ref_bits;
    v.eb_dram = d.pj_per_bit;
  }
  if (hw[HwParam::kEnergyModel] >= 0.5) FillPhysical(hw, &v);
  v.pass_overhead = opt[Option::kPassOverhead] == 0;
  v.select = static_cast<std::uint8_t>(opt[Option::kSelect]);
  return v;
}

}  // namespace trim::model::detail
