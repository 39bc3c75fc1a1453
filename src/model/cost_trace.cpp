// The cost stage of one design (docs/model.md, "Performance"): the closed-form costs of every
// part of a trace, summed per layer-phase and over the network in the walk's order.
#include <algorithm>
#include <cmath>

#include "area.hpp"
#include "network.hpp"

namespace trim::model::detail {
namespace {

using C = ResultCol;
using Plan = Evaluator::Plan;

using Sum = CostSum;

LayerPhaseReport Row(const Plan& plan, const TracePhase& ph, const Sum& sum, const HwView& hv) {
  const double clock = hv.clock_hz;
  LayerPhaseReport r;
  r.layer = ph.layer;
  r.kind = plan.kinds[static_cast<std::size_t>(ph.layer)];
  r.phase = ph.phase;
  r.dataflow = sum.df;
  r.macs = sum.macs;
  r.ops = sum.ops;
  r.cycles = sum.cycles;
  r.latency_s = sum.cycles / clock;
  r.energy_pj = sum.Energy();
  r.energy_mac_pj = sum.e_mac;
  r.energy_rf_pj = sum.e_rf;
  r.energy_noc_pj = sum.e_noc;
  r.energy_glb_pj = sum.e_glb;
  r.energy_dram_pj = sum.e_dram;
  r.energy_leak_pj = sum.e_leak;
  r.dram_bytes = sum.dram;
  r.glb_accesses = sum.glb;
  r.rf_accesses = sum.rf;
  r.noc_transfers = sum.noc;
  r.roofline_s = sum.roof_cycles / clock;
  r.active_pes = sum.active;
  r.utilization =
      sum.cycles > 0 ? (sum.macs > 0 ? sum.macs : sum.ops) / (hv.Peak() * sum.cycles) : 0.0;
  r.fused = ph.phase == Phase::kFP && plan.fused[static_cast<std::size_t>(ph.layer)] != 0;
  r.status = Status::kOk;
  return r;
}

}  // namespace

LayerPhaseReport FailedRow(const Plan& plan, const Workload& work, const Failure& f,
                           Status status) {
  LayerPhaseReport r;
  r.layer = f.layer;
  r.kind = plan.kinds[static_cast<std::size_t>(f.layer)];
  r.phase = f.phase;
  r.dataflow = work.dataflow;
  r.status = status;
  return r;
}

Status CostTrace(const Plan& plan, const Workload& work, const ModelOptions& opt,
                 const Trace& trace, const Hardware& hw, const HwView& hv,
                 std::array<double, kNumResultCols>* totals, std::vector<LayerPhaseReport>* rows) {
  auto& t = *totals;
  t.fill(0.0);
  if (trace.status != Status::kOk && rows == nullptr) return trace.status;
  auto at = [&t](C c) -> double& { return t[static_cast<std::size_t>(c)]; };
  std::array<double, kNumPhases> ph_cycles{}, ph_energy{}, ph_dram{};
  double peak_onchip = 0;
  const double clock = hv.clock_hz;
  for (const TracePhase& ph : trace.phases) {
    Sum sum;
    for (int k = 0; k < ph.count; ++k) {
      const TracePart& part = trace.parts[static_cast<std::size_t>(ph.first + k)];
      AddCost(part.map, hv, part.spill_bits, part.compulsory_bytes, part.roof_work, &sum);
    }
    at(C::kCycles) += sum.cycles;
    at(C::kMacs) += sum.macs;
    at(C::kEnergyMacPj) += sum.e_mac;
    at(C::kEnergyRfPj) += sum.e_rf;
    at(C::kEnergyNocPj) += sum.e_noc;
    at(C::kEnergyGlbPj) += sum.e_glb;
    at(C::kEnergyDramPj) += sum.e_dram;
    at(C::kEnergyLeakPj) += sum.e_leak;
    at(C::kDramBytes) += sum.dram;
    at(C::kGlbAccesses) += sum.glb;
    at(C::kRfAccesses) += sum.rf;
    at(C::kNocTransfers) += sum.noc;
    at(C::kRooflineS) += sum.roof_cycles / clock;
    const auto p = static_cast<std::size_t>(ph.phase);
    ph_cycles[p] += sum.cycles;
    ph_energy[p] += sum.Energy();
    ph_dram[p] += sum.dram;
    peak_onchip = std::max(peak_onchip, sum.peak + ph.alive_bits / 8.0);
    if (rows != nullptr) rows->push_back(Row(plan, ph, sum, hv));
  }
  if (trace.status != Status::kOk) {
    if (rows != nullptr && trace.failure.layer >= 0) {
      rows->push_back(FailedRow(plan, work, trace.failure, trace.status));
    }
    t.fill(0.0);
    return trace.status;
  }
  const double n = static_cast<double>(work.batch);
  at(C::kLatencyS) = at(C::kCycles) / clock;
  at(C::kEnergyPj) = at(C::kEnergyMacPj) + at(C::kEnergyRfPj) + at(C::kEnergyNocPj) +
                     at(C::kEnergyGlbPj) + at(C::kEnergyDramPj) + at(C::kEnergyLeakPj);
  at(C::kEnergyPerSamplePj) = at(C::kEnergyPj) / n;
  at(C::kThroughputSps) = at(C::kLatencyS) > 0 ? n / at(C::kLatencyS) : 0.0;
  at(C::kEdpJs) = at(C::kEnergyPj) * 1e-12 * at(C::kLatencyS);
  at(C::kUtilization) = at(C::kCycles) > 0 ? at(C::kMacs) / (hv.Peak() * at(C::kCycles)) : 0.0;
  at(C::kPowerW) = at(C::kLatencyS) > 0 ? at(C::kEnergyPj) * 1e-12 / at(C::kLatencyS) : 0.0;
  if (plan.training) {
    const C lat[] = {C::kFpLatencyS, C::kBpLatencyS, C::kWgLatencyS, C::kWuLatencyS};
    const C en[] = {C::kFpEnergyPj, C::kBpEnergyPj, C::kWgEnergyPj, C::kWuEnergyPj};
    const C dr[] = {C::kFpDramBytes, C::kBpDramBytes, C::kWgDramBytes, C::kWuDramBytes};
    for (std::size_t p = 0; p < kNumPhases; ++p) {
      at(lat[p]) = ph_cycles[p] / clock;
      at(en[p]) = ph_energy[p];
      at(dr[p]) = ph_dram[p];
    }
    // Off chip: parameters with their gradients, optimizer state and master copy, the saved
    // tensors that did not fit on chip, and the largest layer working set.
    double per_param = hv.Bits(BitsClass::kWeight) + hv.Bits(BitsClass::kGrad);
    const double states =
        opt[Option::kOptimizer] == 0 ? 0.0 : (opt[Option::kOptimizer] == 2 ? 2.0 : 1.0);
    per_param += states * hv.Bits(BitsClass::kOpt);
    if (hv.Bits(BitsClass::kOpt) > hv.Bits(BitsClass::kWeight)) {
      per_param += hv.Bits(BitsClass::kOpt);
    }
    double params = 0;
    for (double p : plan.params) params += p;
    at(C::kPeakOffchipBytes) =
        params * per_param / 8.0 + trace.stash_spilled_bits / 8.0 + trace.peak_fmap_bytes;
  } else {
    at(C::kFpLatencyS) = at(C::kLatencyS);
    at(C::kFpEnergyPj) = at(C::kEnergyPj);
    at(C::kFpDramBytes) = at(C::kDramBytes);
    at(C::kPeakOffchipBytes) = trace.weight_bytes + trace.peak_fmap_bytes;
  }
  at(C::kPeakOnchipBytes) = peak_onchip;
  const AreaResult area = ComputeArea(hw);
  at(C::kAreaMm2) = area.area_mm2;
  at(C::kDsp) = area.dsp;
  at(C::kBram) = area.bram;
  for (double v : t) {
    if (!std::isfinite(v)) {
      t.fill(0.0);
      return Status::kNumericOverflow;
    }
  }
  return Status::kOk;
}

}  // namespace trim::model::detail
