// Shared fixtures of the model tests: the Eyeriss v1 design
// (configs/hardware/eyeriss-v1-normalized.toml with configs/energy/eyeriss-65nm.toml) and the
// AlexNet CONV1-5 layers as Eyeriss ran them (grouped CONV2, CONV4, CONV5; Krizhevsky et al. 2012;
// shapes as in Chen et al., JSSC 2017).
#pragma once

#include <string>

#include "trim/model/evaluate.hpp"
#include "trim/net/layer.hpp"

namespace trim::model::testing {

inline Hardware EyerissV1() {
  Hardware h = Hardware::Defaults();
  h[HwParam::kPeRows] = 12;
  h[HwParam::kPeCols] = 14;
  h[HwParam::kMacsPerPe] = 1;
  h[HwParam::kInterconnect] = 0;  // multicast
  h[HwParam::kRfWeightBytes] = 448;
  h[HwParam::kRfInputBytes] = 24;
  h[HwParam::kRfPsumBytes] = 48;
  h[HwParam::kGlbKib] = 108;
  h[HwParam::kGlbWeightKib] = 0;
  h[HwParam::kGlbInputKib] = 0;
  h[HwParam::kGlbOutputKib] = 0;
  h[HwParam::kGlbWordsPerCycle] = 12;
  h[HwParam::kNocWordsPerCycle] = 12;
  h[HwParam::kDramGbps] = 0.48;
  h[HwParam::kBusWeightBits] = 64;
  h[HwParam::kBusInputBits] = 16;
  h[HwParam::kBusOutputBits] = 64;
  h[HwParam::kBusMhz] = 0;
  h[HwParam::kClockMhz] = 200;
  h[HwParam::kBitsWeight] = 16;
  h[HwParam::kBitsAct] = 16;
  h[HwParam::kBitsPsum] = 16;
  h[HwParam::kEnergyRefBits] = 16;
  h[HwParam::kEnergyMacPj] = 1;
  h[HwParam::kEnergyRfPj] = 1;
  h[HwParam::kEnergyNocPj] = 2;
  h[HwParam::kEnergyGlbPj] = 6;
  h[HwParam::kEnergyDramPj] = 200;
  h[HwParam::kLeakageMw] = 0;
  return h;
}

inline net::Layer Conv(std::string name, std::int64_t c, std::int64_t m, std::int64_t hw,
                       std::int64_t k, std::int64_t stride, std::int64_t pad, std::int64_t groups) {
  net::Layer l;
  l.name = std::move(name);
  l.kind = net::LayerKind::kConv;
  l.c = c;
  l.m = m;
  l.h = hw;
  l.w = hw;
  l.r = k;
  l.s = k;
  l.stride = stride;
  l.pad = pad;
  l.groups = groups;
  return l;
}

/// AlexNet CONV1-5 only, without the pooling between them (the Eyeriss measurement covers the
/// convolutions; each layer's input is its own tensor, so no output stays on chip between
/// layers whose shapes differ).
inline net::Network AlexNetConv() {
  net::Network n;
  n.name = "alexnet-conv";
  n.layers = {Conv("conv1", 3, 96, 227, 11, 4, 0, 1), Conv("conv2", 96, 256, 27, 5, 1, 2, 2),
              Conv("conv3", 256, 384, 13, 3, 1, 1, 1), Conv("conv4", 384, 384, 13, 3, 1, 1, 2),
              Conv("conv5", 384, 256, 13, 3, 1, 1, 2)};
  // Pooling separates conv1/conv2 and conv2/conv3 in the real network: their outputs are not
  // the next layer's inputs, so they are marked as reading fresh tensors.
  n.layers[1].inputs = {-1};
  n.layers[2].inputs = {-1};
  return n;
}

}  // namespace trim::model::testing
