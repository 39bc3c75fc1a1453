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

/// Per layer, CONV1-CONV5 (Chen et al., IEEE JSSC 2017, Table V: AlexNet, batch 4, 200 MHz
/// core clock, 60 MHz link clock). Latencies in ms (total = with DRAM; processing = without),
/// accesses in MB (16-bit words x 2).
struct EyerissLayer {
  const char* name;
  double total_ms, processing_ms, active_pes, glb_mb, dram_mb;
};
inline constexpr EyerissLayer kEyerissLayers[5] = {{"CONV1", 20.9, 16.5, 154, 18.5, 5.0},
                                                   {"CONV2", 41.9, 39.2, 135, 77.6, 4.0},
                                                   {"CONV3", 23.6, 21.8, 156, 50.2, 3.0},
                                                   {"CONV4", 18.4, 16.0, 156, 37.4, 2.1},
                                                   {"CONV5", 10.5, 10.0, 156, 24.9, 1.3}};

struct EyerissRun {
  PointReport overlap;  ///< DRAM transfers hidden behind computation
  PointReport serial;   ///< DRAM transfers added to computation
};

inline EyerissRun RunEyeriss(Dataflow df = Dataflow::kRS, const Hardware& hw = EyerissV1(),
                             ModelOptions opt = ModelOptions::Defaults()) {
  const net::Network net = AlexNetConv();
  ModelOptions serial = opt;
  serial[Option::kOverlap] = 1;
  return {RunPoint(net, hw, df, 4, opt), RunPoint(net, hw, df, 4, serial)};
}

/// The same run with the buffer as ping-pong halves (overlap = "double_buffer").
inline PointReport RunEyerissDoubleBuffer(const Hardware& hw = EyerissV1()) {
  ModelOptions opt = ModelOptions::Defaults();
  opt[Option::kOverlap] = 2;
  return RunPoint(AlexNetConv(), hw, Dataflow::kRS, 4, opt);
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
