#include "trim/model/evaluate.hpp"

#include <algorithm>
#include <cmath>

namespace trim::model {
namespace {

using C = ResultCol;

double Bytes(double elements, double bits) { return elements * bits / 8.0; }

// Roofline engine: per layer-phase, latency = max(MACs / peak, compulsory DRAM bytes / BW).
// Compulsory traffic per layer: its weights once, the network input once, the network output
// once (docs/model.md, "Roofline bound").
PointReport Roofline(const Workload& work, const Hardware& hw, const ModelOptions& opt) {
  PointReport rep;
  const auto& net = *work.network;
  const double n = static_cast<double>(work.batch);
  const double peak = PeakMacsPerCycle(hw);
  const double clock_hz = hw[HwParam::kClockMhz] * 1e6;
  const double dram_bps = hw[HwParam::kDramGbps] * 1e9;
  const double ref_bits = hw[HwParam::kEnergyRefBits];
  const bool serial = opt[Option::kOverlap] == 1;
  if (clock_hz <= 0 || dram_bps <= 0) {
    rep.status = Status::kZeroBandwidth;
    return rep;
  }
  auto& t = rep.totals;
  const int num_layers = static_cast<int>(net.layers.size());
  for (int li = 0; li < num_layers; ++li) {
    const auto& l = net.layers[li];
    const double macs = n * static_cast<double>(l.macs());
    double bytes = Bytes(static_cast<double>(l.weight_count()), hw[HwParam::kBitsWeight]);
    if (li == 0) bytes += Bytes(n * static_cast<double>(l.input_count()), hw[HwParam::kBitsAct]);
    if (li == num_layers - 1) {
      bytes += Bytes(n * static_cast<double>(l.output_count()), hw[HwParam::kBitsAct]);
    }
    const double comp_cycles = macs / peak;
    const double mem_cycles = bytes / dram_bps * clock_hz;
    const double cycles = serial ? comp_cycles + mem_cycles : std::max(comp_cycles, mem_cycles);
    LayerPhaseReport r;
    r.layer = li;
    r.phase = Phase::kFP;
    r.dataflow = work.dataflow;
    r.macs = macs;
    r.cycles = cycles;
    r.latency_s = cycles / clock_hz;
    r.energy_mac_pj = macs * hw[HwParam::kEnergyMacPj];
    r.energy_dram_pj = bytes * 8.0 / ref_bits * hw[HwParam::kEnergyDramPj];
    r.energy_leak_pj = hw[HwParam::kLeakageMw] * 1e-3 * r.latency_s * 1e12;
    r.energy_pj = r.energy_mac_pj + r.energy_dram_pj + r.energy_leak_pj;
    r.dram_bytes = bytes;
    r.active_pes = std::min(peak, macs) / std::max(1.0, hw[HwParam::kMacsPerPe]);
    r.utilization = cycles > 0 ? macs / (peak * cycles) : 0;
    rep.rows.push_back(r);
    t[static_cast<std::size_t>(C::kCycles)] += cycles;
    t[static_cast<std::size_t>(C::kMacs)] += macs;
    t[static_cast<std::size_t>(C::kEnergyMacPj)] += r.energy_mac_pj;
    t[static_cast<std::size_t>(C::kEnergyDramPj)] += r.energy_dram_pj;
    t[static_cast<std::size_t>(C::kEnergyLeakPj)] += r.energy_leak_pj;
    t[static_cast<std::size_t>(C::kDramBytes)] += bytes;
    t[static_cast<std::size_t>(C::kRooflineS)] += std::max(comp_cycles, mem_cycles) / clock_hz;
  }
  auto at = [&](C c) -> double& { return t[static_cast<std::size_t>(c)]; };
  at(C::kLatencyS) = at(C::kCycles) / clock_hz;
  at(C::kEnergyPj) = at(C::kEnergyMacPj) + at(C::kEnergyDramPj) + at(C::kEnergyLeakPj);
  at(C::kEnergyPerSamplePj) = at(C::kEnergyPj) / n;
  at(C::kThroughputSps) = at(C::kLatencyS) > 0 ? n / at(C::kLatencyS) : 0;
  at(C::kEdpJs) = at(C::kEnergyPj) * 1e-12 * at(C::kLatencyS);
  at(C::kUtilization) = at(C::kCycles) > 0 ? at(C::kMacs) / (peak * at(C::kCycles)) : 0;
  at(C::kPowerW) = at(C::kLatencyS) > 0 ? at(C::kEnergyPj) * 1e-12 / at(C::kLatencyS) : 0;
  at(C::kFpLatencyS) = at(C::kLatencyS);
  at(C::kFpEnergyPj) = at(C::kEnergyPj);
  at(C::kFpDramBytes) = at(C::kDramBytes);
  return rep;
}

}  // namespace

void HwBatch::Resize(std::size_t n) {
  size = n;
  for (auto& c : col) c.resize(n);
}

Hardware HwBatch::Row(std::size_t i) const {
  Hardware h;
  for (std::size_t p = 0; p < kNumHwParams; ++p) h.v[p] = col[p][i];
  return h;
}

void HwBatch::SetRow(std::size_t i, const Hardware& h) {
  for (std::size_t p = 0; p < kNumHwParams; ++p) col[p][i] = h.v[p];
}

void ResultBatch::Resize(std::size_t n) {
  size = n;
  for (auto& c : col) c.resize(n);
  status.resize(n);
}

double PeakMacsPerCycle(const Hardware& hw) {
  return hw[HwParam::kPeRows] * hw[HwParam::kPeCols] * hw[HwParam::kMacsPerPe];
}

Evaluator::Evaluator(const ModelOptions& options) : options_(options) {}
Evaluator::~Evaluator() = default;

PointReport Evaluator::EvaluatePoint(const Workload& work, const Hardware& hw) {
  PointReport rep = Roofline(work, hw, options_);
  if (rep.status == Status::kOk) {
    for (double v : rep.totals) {
      if (!std::isfinite(v)) {
        rep.status = Status::kNumericOverflow;
        break;
      }
    }
  }
  if (rep.status != Status::kOk) rep.totals.fill(0.0);
  return rep;
}

void Evaluator::Evaluate(const Workload& work, const HwBatch& hw, ResultBatch& out) {
  for (std::size_t i = 0; i < hw.size; ++i) {
    const PointReport rep = EvaluatePoint(work, hw.Row(i));
    for (std::size_t c = 0; c < kNumResultCols; ++c) out.col[c][i] = rep.totals[c];
    out.status[i] = static_cast<std::uint8_t>(rep.status);
  }
}

}  // namespace trim::model
