// The Eyeriss v1 / AlexNet validation numbers, computed once and shared by the test and the
// report printer (validation_main.cpp).
#pragma once

#include "cases.hpp"

namespace trim::model::testing {

/// Measured on the chip (Chen et al., IEEE JSSC 2017): AlexNet CONV1-5, batch 4, 200 MHz.
inline constexpr double kEyerissBatchMs = 115.3;
inline constexpr double kEyerissNoDramMs = 103.5;
inline constexpr double kEyerissDramPerMac = 0.0029;
inline constexpr double kEyerissPowerMw = 278;

struct EyerissRun {
  PointReport overlap;  ///< DRAM transfers hidden behind computation
  PointReport serial;   ///< DRAM transfers added to computation
};

inline EyerissRun RunEyeriss(Dataflow df = Dataflow::kRS) {
  const net::Network net = AlexNetConv();
  const Hardware hw = EyerissV1();
  ModelOptions serial = ModelOptions::Defaults();
  serial[Option::kOverlap] = 1;
  return {RunPoint(net, hw, df, 4), RunPoint(net, hw, df, 4, serial)};
}

/// Eyeriss v1 under the physical model at 65 nm, 1 V (configs/hardware/eyeriss-v1.toml with
/// configs/energy/cmos-65nm.toml; area parameters left to the model).
inline Hardware EyerissV1Physical() {
  Hardware h = EyerissV1();
  h[HwParam::kEnergyModel] = 1;
  h[HwParam::kTechNode] = 0;  // 65nm
  h[HwParam::kVddV] = 1.0;
  h[HwParam::kEnergyDramPj] = 325;
  return h;
}

/// Power of a run in mW: all of it, and the chip alone (without the DRAM energy, as the chip's
/// 278 mW is measured on the chip's supply).
inline double PowerMw(const PointReport& r) { return Col(r, ResultCol::kPowerW) * 1e3; }
inline double ChipPowerMw(const PointReport& r) {
  return (Col(r, ResultCol::kEnergyPj) - Col(r, ResultCol::kEnergyDramPj)) * 1e-12 /
         Col(r, ResultCol::kLatencyS) * 1e3;
}

/// DRAM accesses (16-bit words) per MAC.
inline double DramPerMac(const PointReport& r) {
  return Col(r, ResultCol::kDramBytes) / 2.0 / Col(r, ResultCol::kMacs);
}

}  // namespace trim::model::testing
