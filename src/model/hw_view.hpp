// A design's parameters unpacked into named fields in the units the formulas use (bits,
// bytes per cycle, Hz), plus the precision of each operand role of a loop nest.
// Plain value built once per design point; no allocation. Internal to the model module.
#pragma once

#include <array>
#include <cstddef>

#include "loop_nest.hpp"
#include "tech.hpp"
#include "trim/model/hardware.hpp"
#include "trim/model/options.hpp"

namespace trim::model::detail {

struct HwView {
  double rows = 1, cols = 1, lanes = 1;  ///< PE array and MACs per PE
  bool systolic = false;
  double rf_weight_bits = 0, rf_input_bits = 0, rf_psum_bits = 0;  ///< per PE
  bool glb_split = false;
  double glb_bits = 0;  ///< shared capacity (also the total when split)
  double glb_weight_bits = 0, glb_input_bits = 0, glb_output_bits = 0;
  double glb_words_per_cycle = 0, noc_words_per_cycle = 0;
  double dram_bytes_per_cycle = 0;  ///< DRAM bandwidth / clock
  double dram_bytes_per_s = 0;
  /// Buffer-to-array networks (weights, inputs, psums/outputs each way): bits per core cycle,
  /// 0 when not modelled.
  double bus_w_bits = 0, bus_i_bits = 0, bus_o_bits = 0;
  double bus_w_inv = 0, bus_i_inv = 0, bus_o_inv = 0;  ///< cycles per bit; 0 when not modelled
  bool buses = false;                                  ///< any of the three is modelled
  double clock_hz = 0;
  std::array<double, 5> bits{};  ///< by BitsClass
  /// Bits per element of a vector stream by its StreamSlot (loop_nest.hpp), from `bits`.
  std::array<double, kStreamSlots> stream_bits{};
  double ref_bits = 16;
  double e_mac = 0, e_rf = 0, e_noc = 0, e_glb = 0, e_dram = 0;  ///< pJ per ref-width access
  double leak_w = 0;
  // Model switches that the formulas read.
  bool overlap = true;           ///< DRAM transfers hidden: max(on-chip, DRAM)
  bool double_buffer = false;    ///< ping-pong GLB halves (overlap = "double_buffer")
  std::uint8_t mac_scaling = 0;  ///< 0 quadratic, 1 linear, 2 none
  bool fill_mapped = false;      ///< systolic fill over the mapped PEs, not the whole array
  // Physical technology model (docs/model.md, section 23), derived once per design: energies
  // per bit moved (pJ), the node's energy factor and the accumulator add of one MAC.
  bool physical = false;
  int num_fmt = 0;     ///< 0 int, 1 IEEE float, 2 bfloat
  double e_scale = 1;  ///< node and supply energy factor relative to 45 nm, 0.9 V
  double add_pj = 0;   ///< accumulator add at bits_psum, scaled
  double eb_rf_w = 0, eb_rf_i = 0, eb_rf_p = 0, eb_glb = 0, eb_dram = 0;
  double eb_noc = 0;          ///< one word driven from the buffer over the array (a bus, or a hop)
  double eb_hop = 0;          ///< one PE pitch of wire: a neighbour hop, or one more bus receiver
  double clk_w = 0;           ///< clock network power (part of leak_w; reported on its own)
  bool pass_overhead = true;  ///< RS per-pass scratch-pad loads and psum drains are charged
  /// Option `select` (0 edp, 1 energy, 2 latency, 3 dram): the criterion of `best` and of the
  /// RS mapping among its candidates (layer_cost.hpp, Select).
  std::uint8_t select = 0;

  [[nodiscard]] double Peak() const { return rows * cols * lanes; }
  /// Every bandwidth and the clock positive: no traffic meets a zero bandwidth.
  [[nodiscard]] bool BandwidthsPositive() const {
    return glb_words_per_cycle > 0 && noc_words_per_cycle > 0 && dram_bytes_per_cycle > 0 &&
           clock_hz > 0;
  }
  [[nodiscard]] double Bits(BitsClass b) const { return bits[static_cast<std::size_t>(b)]; }
};

HwView MakeHwView(const Hardware& hw, const ModelOptions& opt);

/// Energy of one MAC (or vector operation) of operand widths a and b under the physical model.
inline double PhysicalMacPj(const HwView& hw, double bits_a, double bits_b) {
  return hw.e_scale * MulPj45(hw.num_fmt, bits_a, bits_b) + hw.add_pj;
}

/// The fields of a view that a mapping, and the inter-layer walk of a single dataflow, can
/// depend on (docs/model.md, "Performance"): array shape, MACs per PE, interconnect, RF and
/// GLB capacities, the five precisions, and whether the GLB and NoC bandwidths are non-zero;
/// under overlap = "double_buffer" also the bandwidths per core cycle, by which a layer picks
/// its schedule (0 under the other options). Energies, clock and leakage are not among them.
inline constexpr std::size_t kNumMapFields = 25;
inline void MapFields(const HwView& v, double* out) {
  out[0] = v.rows;
  out[1] = v.cols;
  out[2] = v.lanes;
  out[3] = v.systolic ? 1.0 : 0.0;
  out[4] = v.rf_weight_bits;
  out[5] = v.rf_input_bits;
  out[6] = v.rf_psum_bits;
  out[7] = v.glb_split ? 1.0 : 0.0;
  out[8] = v.glb_bits;
  out[9] = v.glb_weight_bits;
  out[10] = v.glb_input_bits;
  out[11] = v.glb_output_bits;
  for (std::size_t b = 0; b < 5; ++b) out[12 + b] = v.bits[b];
  out[17] = v.glb_words_per_cycle > 0 ? 1.0 : 0.0;
  out[18] = v.noc_words_per_cycle > 0 ? 1.0 : 0.0;
  const bool db = v.double_buffer;
  out[19] = db ? v.glb_words_per_cycle : 0.0;
  out[20] = db ? v.noc_words_per_cycle : 0.0;
  out[21] = db ? v.dram_bytes_per_cycle : 0.0;
  out[22] = db ? v.bus_w_inv : 0.0;
  out[23] = db ? v.bus_i_inv : 0.0;
  out[24] = db ? v.bus_o_inv : 0.0;
}

/// Precisions of a nest's three operand roles under one design.
struct RoleBits {
  double w = 16, i = 16, o = 16, p = 16;  ///< weight, input, final output, partial sum
};

inline RoleBits ResolveBits(const LoopNest& nest, const HwView& hw) {
  RoleBits b;
  b.w = hw.Bits(nest.weight_bits);
  b.i = hw.Bits(nest.input_bits);
  b.o = hw.Bits(nest.output_bits);
  b.p = hw.Bits(BitsClass::kPsum);
  return b;
}

/// A master copy of the weights is kept when the optimizer width exceeds the weight width.
inline bool HasMasterCopy(const HwView& hw) {
  return hw.Bits(BitsClass::kOpt) > hw.Bits(BitsClass::kWeight);
}
/// Fills hw->stream_bits from hw->bits (MakeHwView).
inline void FillStreamBits(HwView* hw) {
  const bool master = HasMasterCopy(*hw);
  for (std::size_t c = 0; c < 5; ++c) {
    hw->stream_bits[c] = hw->bits[c];
    hw->stream_bits[7 + c] = master ? 0.0 : hw->bits[c];
  }
  hw->stream_bits[5] = 0.0;
  hw->stream_bits[6] = master ? hw->Bits(BitsClass::kOpt) : 0.0;
}
/// Bits per element of stream `v` under one design: its fixed width, else by its class and
/// master-copy marker (kMasterCopy, kWithoutMaster of loop_nest.hpp); 0 for a stream absent on
/// this design.
inline double StreamBits(const VecStream& v, const HwView& hw) {
  return v.fixed_bits > 0 ? v.fixed_bits : hw.stream_bits[v.bits_slot];
}

}  // namespace trim::model::detail
