#include "tech.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace trim::model::detail {
namespace {

// Stillmaker and Baas, "Scaling equations for the accurate prediction of CMOS device
// performance from 180 nm to 7 nm", Integration 58 (2017): per node, the energy fit
// E(V) = a V^2 + b V + c and the area factor relative to 45 nm, with the nominal supply.
struct Node {
  double nm, a, b, c, area45, vdd;
};
constexpr std::array<Node, 10> kNodes = {{
    {130, 7.171, -6.709, 2.904, 6.4, 1.3},
    {90, 4.762, -4.781, 2.092, 2.8, 1.2},
    {65, 3.755, -4.398, 1.975, 1.5, 1.1},
    {45, 1.103, -0.362, 0.2767, 1.0, 1.0},
    {32, 0.9559, -0.7823, 0.471, 0.46, 0.9},
    {20, 0.373, -0.1582, 0.04104, 0.21, 0.9},
    {16, 0.2958, -0.1241, 0.03024, 0.19, 0.85},
    {14, 0.2363, -0.09675, 0.02239, 0.17, 0.8},
    {10, 0.2068, -0.09311, 0.02375, 0.1, 0.75},
    {7, 0.1776, -0.09097, 0.02447, 0.059, 0.7},
}};

// The two listed nodes around `nm` and the weight of the smaller one.
struct Bracket {
  std::size_t hi = 0, lo = 0;  ///< indices of the larger and the smaller node
  double w_lo = 0;
};
Bracket BracketOf(double nm) {
  nm = std::clamp(nm, kNodes.back().nm, kNodes.front().nm);
  Bracket br;
  for (std::size_t i = 0; i + 1 < kNodes.size(); ++i) {
    if (nm <= kNodes[i].nm && nm >= kNodes[i + 1].nm) {
      br.hi = i;
      br.lo = i + 1;
      br.w_lo = (kNodes[i].nm - nm) / (kNodes[i].nm - kNodes[i + 1].nm);
      return br;
    }
  }
  return br;
}

double Poly(const Node& n, double v) { return (n.a * v + n.b) * v + n.c; }
double EnergyFit(double nm, double vdd) {
  const Bracket br = BracketOf(nm);
  return Poly(kNodes[br.hi], vdd) * (1 - br.w_lo) + Poly(kNodes[br.lo], vdd) * br.w_lo;
}

// Horowitz ISSCC 2014 reference: 45 nm, 0.9 V.
constexpr double kRefNm = 45, kRefVdd = 0.9;

// SRAM fit (docs/model.md section 23): per-bit energy at 8 KiB and the capacity exponent,
// least squares in log-log through Horowitz's 8 KB / 32 KB / 1 MB 64-bit reads.
constexpr double kSramBitPj8K = 10.1595 / 64.0;
constexpr double kSramExp = 0.4726;
// Bitcell 0.346 um^2 (Intel 45 nm, Mistry et al., IEDM 2007) with a periphery factor of 1.8
// (array efficiency 0.56).
constexpr double kCellUm2 = 0.346, kPeriphery = 1.8;

// Integer multiply and add, energy per bit^2 / per bit, geometric mean of Horowitz's 8-bit and
// 32-bit points (mult 0.2 / 3.1 pJ, add 0.03 / 0.1 pJ; area mult 282 / 3495 um^2, add 36 /
// 137 um^2).
const double kIntMulPj = std::sqrt(0.2 / 64.0 * 3.1 / 1024.0);
const double kIntAddPj = std::sqrt(0.03 / 8.0 * 0.1 / 32.0);
const double kIntMulUm2 = std::sqrt(282.0 / 64.0 * 3495.0 / 1024.0);
const double kIntAddUm2 = std::sqrt(36.0 / 8.0 * 137.0 / 32.0);
// Float multiply: k * significand_a * significand_b + q * (width_a + width_b) / 2, solved
// through fp16 (11-bit significand) and fp32 (24-bit): energy 1.1 / 3.7 pJ, area 1640 / 7700
// um^2. Float add: fp16 * (w/16)^p through fp16 / fp32: 0.4 / 0.9 pJ, 1360 / 4184 um^2.
struct FloatFit {
  double k, q;
};
constexpr FloatFit Solve(double e16, double e32) {
  // 121 k + 16 q = e16, 576 k + 32 q = e32
  const double k = (e32 - 2.0 * e16) / (576.0 - 242.0);
  return {k, (e16 - 121.0 * k) / 16.0};
}
constexpr FloatFit kFpMulPj = Solve(1.1, 3.7);
constexpr FloatFit kFpMulUm2 = Solve(1640.0, 7700.0);
const double kFpAddPjExp = std::log2(0.9 / 0.4);
const double kFpAddUm2Exp = std::log2(4184.0 / 1360.0);

// Significand bits (with the hidden bit) of a float format of `w` bits.
double Significand(int fmt, double w) {
  if (fmt == 2) return std::max(1.0, w - 8.0);  // bfloat: 1 sign, 8 exponent bits
  double e;
  if (w <= 8) {
    e = 4;  // E4M3
  } else if (w <= 16) {
    e = 5;
  } else if (w <= 32) {
    e = 8;
  } else {
    e = 11;
  }
  return std::max(1.0, w - e);
}

// Leakage: Aladdin's power model for TSMC 40 nm standard cells (Shao et al., ISCA 2014):
// 32-bit multiplier 77.9 uW over 6350 um^2 -> 12.3 mW/mm^2 at 40 nm, 0.9 V.
constexpr double kLeakAt40 = 0.0779e-3 / 6350e-6;  // W/mm^2
// The same model's register: 9.0e-3 mW per bit at a 1 ns cycle (7.94e-3 internal, mostly the
// clock, and 1.06e-3 switching) = 9.0 fJ per bit and cycle; 5.98 um^2 per bit (TSMC 40 nm,
// 0.9 V; also the `aladdin_register` table of Accelergy's Aladdin plug-in).
constexpr double kRegPj40 = 9.0e-3, kRegUm2At40 = 5.98;

// DRAM presets (docs/model.md section 23 cites each row).
constexpr std::array<DramPreset, 8> kDram = {{
    {0, 0},        // table: e_dram_pj and dram_gbps
    {20.3, 17.1},  // DDR3-2133 x64
    {7.38, 25.6},  // DDR4-3200 x64: Micron 8Gb x8 -062E IDD/VDD core 4.99 + POD12 link 2.39
    {6.82, 6.4},   // LPDDR4-3200 x16: Micron 6Gb LPDDR4 IDD/VDD, core + device I/O (VDDQ)
    {4.78, 12.8},  // LPDDR5-6400 x16: lpddr4 x 0.7 (Samsung 2018, "up to 30%" less power)
    {7.5, 32.0},   // GDDR6 16 Gb/s x16
    {3.9, 32.0},   // HBM2 2.0 Gb/s x128
    {6.0, 51.2},   // HBM2E 3.2 Gb/s x128
}};

constexpr std::array<double, 5> kTechNodes = {65, 45, 28, 16, 7};

}  // namespace

double NodeEnergyScale(double nm, double vdd) {
  return EnergyFit(nm, vdd) / EnergyFit(kRefNm, kRefVdd);
}

double NodeAreaScale(double nm) {
  const Bracket br = BracketOf(nm);
  return kNodes[br.hi].area45 * (1 - br.w_lo) + kNodes[br.lo].area45 * br.w_lo;
}

double NominalVdd(double nm) {
  const Bracket br = BracketOf(nm);
  return kNodes[br.hi].vdd * (1 - br.w_lo) + kNodes[br.lo].vdd * br.w_lo;
}

double TechNodeNm(double choice) {
  const auto i = static_cast<std::size_t>(std::clamp(choice, 0.0, 4.0));
  return kTechNodes[i];
}

double SramBitPj45(double bytes) {
  if (bytes <= 0) return 0.0;
  return kSramBitPj8K * std::pow(bytes / 8192.0, kSramExp);
}

double SramAreaUm2_45(double bytes) { return bytes * 8.0 * kCellUm2 * kPeriphery; }

double MulPj45(int fmt, double a, double b) {
  if (fmt == 0) return kIntMulPj * a * b;
  return kFpMulPj.k * Significand(fmt, a) * Significand(fmt, b) + kFpMulPj.q * (a + b) / 2.0;
}

double AddPj45(int fmt, double bits) {
  if (fmt == 0) return kIntAddPj * bits;
  return 0.4 * std::pow(bits / 16.0, kFpAddPjExp);
}

double MulAreaUm2_45(int fmt, double a, double b) {
  if (fmt == 0) return kIntMulUm2 * a * b;
  return kFpMulUm2.k * Significand(fmt, a) * Significand(fmt, b) + kFpMulUm2.q * (a + b) / 2.0;
}

double AddAreaUm2_45(int fmt, double bits) {
  if (fmt == 0) return kIntAddUm2 * bits;
  return 1360.0 * std::pow(bits / 16.0, kFpAddUm2Exp);
}

double WirePjPerBitMm(double vdd) { return 0.5 * 0.2 * vdd * vdd; }

double LeakWPerMm2(double nm, double vdd) {
  // Leakage per device follows the node's switching energy per device at the same supply, and
  // devices per mm^2 follow the inverse area factor.
  const double e = EnergyFit(nm, vdd) / EnergyFit(40, 0.9);
  const double a = NodeAreaScale(nm) / NodeAreaScale(40);
  return kLeakAt40 * e / a;
}

double RegBitPj(double nm, double vdd) {
  return kRegPj40 * EnergyFit(nm, vdd) / EnergyFit(40, 0.9);
}

double RegAreaUm2(double nm) { return kRegUm2At40 * NodeAreaScale(nm) / NodeAreaScale(40); }

double ClockedRegsPerPe(const Hardware& hw) {
  const double bw = hw[HwParam::kBitsWeight], ba = hw[HwParam::kBitsAct],
               bp = hw[HwParam::kBitsPsum];
  double regs = hw[HwParam::kMacsPerPe] * (bw + ba + bp);
  const double rf[3][2] = {{hw[HwParam::kRfWeightBytes], bw},
                           {hw[HwParam::kRfInputBytes], ba},
                           {hw[HwParam::kRfPsumBytes], bp}};
  for (const auto& r : rf) {
    if (RfIsFlops(r[0])) regs += std::ceil(r[0] * 8.0 / r[1]);
  }
  if (hw[HwParam::kInterconnect] < 0.5) regs += bw + ba + 2.0 * bp;
  return regs;
}

DramPreset DramOf(double dram_type) {
  const auto i =
      static_cast<std::size_t>(std::clamp(dram_type, 0.0, static_cast<double>(kDram.size() - 1)));
  return kDram[i];
}

PhysArea PhysicalArea(const Hardware& hw) {
  PhysArea a;
  const double nm = TechNodeNm(hw[HwParam::kTechNode]);
  const double s = NodeAreaScale(nm);
  const int fmt = static_cast<int>(hw[HwParam::kNumberFormat]);
  a.mac_um2 = s * (MulAreaUm2_45(fmt, hw[HwParam::kBitsWeight], hw[HwParam::kBitsAct]) +
                   AddAreaUm2_45(fmt, hw[HwParam::kBitsPsum]));
  const double reg_um2 = RegAreaUm2(nm);
  for (const HwParam p : {HwParam::kRfWeightBytes, HwParam::kRfInputBytes, HwParam::kRfPsumBytes}) {
    const double bytes = hw[p];
    a.rf_um2 += RfIsFlops(bytes) ? bytes * 8.0 * reg_um2 : s * SramAreaUm2_45(bytes);
  }
  a.pe_um2 = hw[HwParam::kMacsPerPe] * a.mac_um2 + a.rf_um2 + hw[HwParam::kAreaNocUm2PerPe];
  const double parts =
      hw[HwParam::kGlbWeightKib] + hw[HwParam::kGlbInputKib] + hw[HwParam::kGlbOutputKib];
  const double glb_kib = parts > 0 ? parts : hw[HwParam::kGlbKib];
  a.glb_mm2 = s * SramAreaUm2_45(glb_kib * 1024.0) * 1e-6;
  a.modelled_mm2 = hw[HwParam::kPeRows] * hw[HwParam::kPeCols] * a.pe_um2 * 1e-6 + a.glb_mm2;
  return a;
}

}  // namespace trim::model::detail
