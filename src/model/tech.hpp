// The physical technology model (docs/model.md, section 23): energy per access, area and
// leakage of memories, MACs, wires and DRAM as functions of capacity, width, banking, node and
// supply voltage, from cited published tables. Used when `energy_model = "physical"`; the
// per-design quantities are derived once (MakeHwView, ComputeArea), never per layer.
// Internal to the model module.
#pragma once

#include "trim/model/hardware.hpp"

namespace trim::model::detail {

/// Stillmaker and Baas (2017) scaling, relative to 45 nm at 0.9 V (the reference of
/// Horowitz's ISSCC 2014 tables). `nm` in [7, 130]; between listed nodes the factors are
/// interpolated linearly in the node, as the published fit is tabulated per node.
double NodeEnergyScale(double nm, double vdd);
double NodeAreaScale(double nm);
/// The node's nominal supply (Stillmaker and Baas, Table 2).
double NominalVdd(double nm);

/// The node in nm of a `tech_node` choice index.
double TechNodeNm(double choice);

/// SRAM / register-file array of `bytes` at 45 nm, 0.9 V: read or write energy per bit (pJ)
/// and area (um^2). Fit to Horowitz (ISSCC 2014): 64-bit access of 8 KB 10 pJ, 32 KB 20 pJ,
/// 1 MB 100 pJ -> e = 0.1587 * (KiB/8)^0.4726 pJ/bit; area = 1.8 x bitcell area x bits.
double SramBitPj45(double bytes);
double SramAreaUm2_45(double bytes);

/// Multiplier and adder of one MAC at 45 nm, 0.9 V (Horowitz, ISSCC 2014 fits):
/// fmt 0 integer, 1 IEEE float, 2 bfloat (8-bit exponent). Energy in pJ, area in um^2.
double MulPj45(int fmt, double bits_a, double bits_b);
double AddPj45(int fmt, double bits);
double MulAreaUm2_45(int fmt, double bits_a, double bits_b);
double AddAreaUm2_45(int fmt, double bits);

/// Energy of moving one bit 1 mm on chip at `vdd` (pJ): 0.5 * 0.2 pF/mm * vdd^2.
double WirePjPerBitMm(double vdd);

/// Leakage power density (W/mm^2) of logic and SRAM at a node and supply, from the 40 nm
/// standard-cell figure of the Aladdin power model, scaled per docs/model.md section 23.
double LeakWPerMm2(double nm, double vdd);

/// One flip-flop bit, per clock (pJ) and area (um^2), at a node and supply: the Aladdin power
/// model's 40 nm register (Shao et al., ISCA 2014; 9.0 fJ per bit and cycle at 1 GHz, 5.98
/// um^2), scaled like the rest of the logic (docs/model.md section 23).
double RegBitPj(double nm, double vdd);
double RegAreaUm2(double nm);

/// A register file of at most this many bytes is built from flip-flops, a larger one is an
/// SRAM array (Eyeriss v1: the 24 B ifmap and 48 B psum scratch pads are registers, the
/// 448 B filter scratch pad is SRAM; Chen et al., JSSC 2017).
inline constexpr double kFlopRfMaxBytes = 128;
inline bool RfIsFlops(double bytes) { return bytes > 0 && bytes <= kFlopRfMaxBytes; }

/// Flip-flop clock loads of one PE that toggle every cycle: the operand and accumulator
/// registers of each MAC lane, one clock-gating cell per word of a flip-flop register file,
/// and, under multicast, one word of buffering at each of the four NoC ports.
double ClockedRegsPerPe(const Hardware& hw);

/// DRAM preset of `dram_type` (index >= 1): pJ per bit and GB/s per channel.
struct DramPreset {
  double pj_per_bit = 0;
  double gbps_per_channel = 0;
};
DramPreset DramOf(double dram_type);

/// Area and wire geometry of one ASIC design under the physical model.
struct PhysArea {
  double mac_um2 = 0;       ///< one MAC unit (multiplier + accumulator adder)
  double rf_um2 = 0;        ///< the three register files of one PE
  double pe_um2 = 0;        ///< one PE: MACs, RFs and the per-PE network area
  double glb_mm2 = 0;       ///< all global-buffer partitions
  double modelled_mm2 = 0;  ///< PEs + GLB (what leaks); excludes area_fixed_mm2
};
PhysArea PhysicalArea(const Hardware& hw);

}  // namespace trim::model::detail
