#include "network.hpp"

#include <algorithm>
#include <cmath>

#include "area.hpp"
#include "hw_view.hpp"
#include "layer_cost.hpp"

namespace trim::model::detail {
namespace {

using C = ResultCol;

bool Consumes(const net::Layer& l, int producer, int self) {
  if (l.inputs.empty()) return producer == self - 1;
  return std::find(l.inputs.begin(), l.inputs.end(), producer) != l.inputs.end();
}

/// The roofline engine's layer: compute at peak or compulsory traffic at full bandwidth.
LayerCost RooflineLayer(const LoopNest& nest, const HwView& hw, double compulsory_bytes) {
  LayerCost lc;
  lc.macs = nest.Macs();
  lc.ops = nest.is_mac ? 0.0 : nest.vec_ops;
  lc.compute_cycles = (lc.macs + lc.ops) / hw.Peak();
  lc.dram_bytes = compulsory_bytes;
  lc.dram_cycles = compulsory_bytes / hw.dram_bytes_per_cycle;
  lc.cycles =
      hw.overlap ? std::max(lc.compute_cycles, lc.dram_cycles) : lc.compute_cycles + lc.dram_cycles;
  lc.latency_s = lc.cycles / hw.clock_hz;
  const double bits = hw.Bits(nest.input_bits);
  double scale = 1.0;
  if (hw.mac_scaling == 0) scale = hw.Bits(nest.weight_bits) * bits / (hw.ref_bits * hw.ref_bits);
  if (hw.mac_scaling == 1) scale = std::max(hw.Bits(nest.weight_bits), bits) / hw.ref_bits;
  lc.e_mac_pj = (lc.macs + lc.ops) * hw.e_mac * scale;
  lc.e_dram_pj = compulsory_bytes * 8.0 / hw.ref_bits * hw.e_dram;
  lc.e_leak_pj = hw.leak_w * lc.latency_s * 1e12;
  lc.energy_pj = lc.e_mac_pj + lc.e_dram_pj + lc.e_leak_pj;
  lc.active_pes = std::min(hw.rows * hw.cols, std::ceil((lc.macs + lc.ops) / hw.lanes));
  lc.utilization = lc.cycles > 0 ? (lc.macs > 0 ? lc.macs : lc.ops) / (hw.Peak() * lc.cycles) : 0;
  return lc;
}

}  // namespace

void BuildPlan(const Workload& work, Evaluator::Plan* plan) {
  const auto& layers = work.network->layers;
  const std::size_t count = layers.size();
  plan->nests.assign(count, LoopNest{});
  plan->build_status.assign(count, Status::kOk);
  plan->keepable.assign(count, 0);
  plan->kinds.assign(count, net::LayerKind::kConv);
  const double batch = static_cast<double>(work.batch);
  for (std::size_t i = 0; i < count; ++i) {
    plan->kinds[i] = layers[i].kind;
    plan->build_status[i] = BuildLoopNest(layers[i], Phase::kFP, batch, &plan->nests[i]);
  }
  for (std::size_t i = 0; i + 1 < count; ++i) {
    const int self = static_cast<int>(i);
    bool ok = Consumes(layers[i + 1], self, self + 1);
    for (std::size_t j = i + 2; ok && j < count; ++j) {
      if (Consumes(layers[j], self, static_cast<int>(j))) ok = false;
    }
    plan->keepable[i] = ok ? 1 : 0;
  }
}

Status EvaluateNetwork(const Evaluator::Plan& plan, const Workload& work, const Hardware& hw,
                       const ModelOptions& opt, std::array<double, kNumResultCols>* totals,
                       std::vector<LayerPhaseReport>* rows) {
  auto& t = *totals;
  t.fill(0.0);
  auto at = [&t](C c) -> double& { return t[static_cast<std::size_t>(c)]; };
  const HwView hv = MakeHwView(hw, opt);
  if (hv.clock_hz <= 0 || hv.dram_bytes_per_cycle <= 0) return Status::kZeroBandwidth;
  const bool roofline = opt[Option::kEngine] == 1;
  const bool inter = opt[Option::kInterLayer] == 0;
  const auto select = static_cast<Select>(opt[Option::kSelect]);
  const double keep_cap_bits =
      hv.glb_split ? std::min(hv.glb_input_bits, hv.glb_output_bits) : hv.glb_bits / 2.0;
  const int count = static_cast<int>(plan.nests.size());
  double weight_bytes = 0, peak_fmap_bytes = 0, peak_onchip = 0;
  bool prev_kept = false;
  for (int li = 0; li < count; ++li) {
    if (plan.build_status[li] != Status::kOk) {
      t.fill(0.0);
      return plan.build_status[li];
    }
    const LoopNest& nest = plan.nests[li];
    const double bw = hv.Bits(nest.weight_bits), bi = hv.Bits(nest.input_bits),
                 bo = hv.Bits(nest.output_bits);
    // Compulsory traffic: parameters once, the network input once, the network output once.
    double compulsory = nest.weight_is_param ? nest.WeightElems() * bw / 8.0 : 0.0;
    if (li == 0) compulsory += CompulsoryInputElems(nest) * bi / 8.0;
    if (li == count - 1) compulsory += nest.OutputElems() * bo / 8.0;
    const double roof_cycles =
        std::max(nest.Macs() / hv.Peak(), compulsory / hv.dram_bytes_per_cycle);

    LayerCost lc;
    if (roofline) {
      lc = RooflineLayer(nest, hv, compulsory);
      lc.dataflow = work.dataflow;
    } else {
      Residency res;
      res.input_on_chip = prev_kept;
      res.keep_output = inter && plan.keepable[li] != 0 && nest.OutputElems() * bo <= keep_cap_bits;
      lc = EvaluateLayerAuto(nest, work.dataflow, hv, res, select);
      if (lc.status != Status::kOk) {
        t.fill(0.0);
        return lc.status;
      }
      prev_kept = lc.output_kept;
    }
    if (nest.weight_is_param) weight_bytes += nest.WeightElems() * bw / 8.0;
    peak_fmap_bytes = std::max(peak_fmap_bytes,
                               (nest.InputElems() * (nest.is_mac ? 1.0 : nest.vec_operands) * bi +
                                nest.OutputElems() * bo) /
                                   8.0);
    peak_onchip = std::max(peak_onchip, lc.glb_peak_bytes);

    at(C::kCycles) += lc.cycles;
    at(C::kMacs) += lc.macs;
    at(C::kEnergyMacPj) += lc.e_mac_pj;
    at(C::kEnergyRfPj) += lc.e_rf_pj;
    at(C::kEnergyNocPj) += lc.e_noc_pj;
    at(C::kEnergyGlbPj) += lc.e_glb_pj;
    at(C::kEnergyDramPj) += lc.e_dram_pj;
    at(C::kEnergyLeakPj) += lc.e_leak_pj;
    at(C::kDramBytes) += lc.dram_bytes;
    at(C::kGlbAccesses) += lc.glb_accesses;
    at(C::kRfAccesses) += lc.rf_accesses;
    at(C::kNocTransfers) += lc.noc_transfers;
    at(C::kRooflineS) += roof_cycles / hv.clock_hz;
    if (rows != nullptr) {
      LayerPhaseReport r;
      r.layer = li;
      r.kind = plan.kinds[li];
      r.phase = Phase::kFP;
      r.dataflow = lc.dataflow;
      r.macs = lc.macs;
      r.ops = lc.ops;
      r.cycles = lc.cycles;
      r.latency_s = lc.latency_s;
      r.energy_pj = lc.energy_pj;
      r.energy_mac_pj = lc.e_mac_pj;
      r.energy_rf_pj = lc.e_rf_pj;
      r.energy_noc_pj = lc.e_noc_pj;
      r.energy_glb_pj = lc.e_glb_pj;
      r.energy_dram_pj = lc.e_dram_pj;
      r.energy_leak_pj = lc.e_leak_pj;
      r.dram_bytes = lc.dram_bytes;
      r.glb_accesses = lc.glb_accesses;
      r.rf_accesses = lc.rf_accesses;
      r.noc_transfers = lc.noc_transfers;
      r.roofline_s = roof_cycles / hv.clock_hz;
      r.active_pes = lc.active_pes;
      r.utilization = lc.utilization;
      r.status = lc.status;
      rows->push_back(r);
    }
  }
  const double n = static_cast<double>(work.batch);
  at(C::kLatencyS) = at(C::kCycles) / hv.clock_hz;
  at(C::kEnergyPj) = at(C::kEnergyMacPj) + at(C::kEnergyRfPj) + at(C::kEnergyNocPj) +
                     at(C::kEnergyGlbPj) + at(C::kEnergyDramPj) + at(C::kEnergyLeakPj);
  at(C::kEnergyPerSamplePj) = at(C::kEnergyPj) / n;
  at(C::kThroughputSps) = at(C::kLatencyS) > 0 ? n / at(C::kLatencyS) : 0.0;
  at(C::kEdpJs) = at(C::kEnergyPj) * 1e-12 * at(C::kLatencyS);
  at(C::kUtilization) = at(C::kCycles) > 0 ? at(C::kMacs) / (hv.Peak() * at(C::kCycles)) : 0.0;
  at(C::kPowerW) = at(C::kLatencyS) > 0 ? at(C::kEnergyPj) * 1e-12 / at(C::kLatencyS) : 0.0;
  const AreaResult area = ComputeArea(hw);
  at(C::kAreaMm2) = area.area_mm2;
  at(C::kDsp) = area.dsp;
  at(C::kBram) = area.bram;
  at(C::kFpLatencyS) = at(C::kLatencyS);
  at(C::kFpEnergyPj) = at(C::kEnergyPj);
  at(C::kFpDramBytes) = at(C::kDramBytes);
  at(C::kPeakOnchipBytes) = peak_onchip;
  at(C::kPeakOffchipBytes) = weight_bytes + peak_fmap_bytes;
  for (double v : t) {
    if (!std::isfinite(v)) {
      t.fill(0.0);
      return Status::kNumericOverflow;
    }
  }
  return Status::kOk;
}

}  // namespace trim::model::detail
