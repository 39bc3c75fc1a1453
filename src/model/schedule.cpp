// The per-design walk over a Plan (docs/model.md, "Inter-layer activity" and "Training step").
#include <algorithm>
#include <cmath>

#include "area.hpp"
#include "hw_view.hpp"
#include "layer_cost.hpp"
#include "network.hpp"

namespace trim::model::detail {
namespace {

using C = ResultCol;
using Plan = Evaluator::Plan;

std::size_t T(int tensor) { return static_cast<std::size_t>(tensor + 1); }
std::size_t U(int i) { return static_cast<std::size_t>(i); }

/// The roofline engine's layer-phase: compute at peak or compulsory traffic at full bandwidth.
LayerCost RooflinePhase(double macs, double ops, double bits_w, double bits_i, const HwView& hw,
                        double compulsory_bytes) {
  LayerCost lc;
  lc.macs = macs;
  lc.ops = ops;
  lc.compute_cycles = (lc.macs + lc.ops) / hw.Peak();
  lc.dram_bytes = compulsory_bytes;
  lc.dram_cycles = compulsory_bytes / hw.dram_bytes_per_cycle;
  lc.cycles =
      hw.overlap ? std::max(lc.compute_cycles, lc.dram_cycles) : lc.compute_cycles + lc.dram_cycles;
  lc.latency_s = lc.cycles / hw.clock_hz;
  double scale = 1.0;
  if (hw.mac_scaling == 0) scale = bits_w * bits_i / (hw.ref_bits * hw.ref_bits);
  if (hw.mac_scaling == 1) scale = std::max(bits_w, bits_i) / hw.ref_bits;
  lc.e_mac_pj = (lc.macs + lc.ops) * hw.e_mac * scale;
  lc.e_dram_pj = compulsory_bytes * 8.0 / hw.ref_bits * hw.e_dram;
  lc.e_leak_pj = hw.leak_w * lc.latency_s * 1e12;
  lc.energy_pj = lc.e_mac_pj + lc.e_dram_pj + lc.e_leak_pj;
  lc.active_pes = std::min(hw.rows * hw.cols, std::ceil((lc.macs + lc.ops) / hw.lanes));
  lc.utilization = lc.cycles > 0 ? (lc.macs > 0 ? lc.macs : lc.ops) / (hw.Peak() * lc.cycles) : 0;
  return lc;
}

double StashBits(const Plan::StashEntry& e, const HwView& hw) {
  return e.elems * (e.fixed_bits > 0 ? e.fixed_bits : hw.Bits(e.bits));
}

/// Sums of the parts of one layer-phase, and the running totals.
struct Sum {
  double macs = 0, ops = 0, cycles = 0, e_mac = 0, e_rf = 0, e_noc = 0, e_glb = 0, e_dram = 0,
         e_leak = 0, dram = 0, glb = 0, rf = 0, noc = 0, roof_cycles = 0, active = 0, peak = 0;
  Dataflow df = Dataflow::kRS;
  void Add(const LayerCost& lc) {
    if (macs + ops == 0) df = lc.dataflow;
    macs += lc.macs;
    ops += lc.ops;
    cycles += lc.cycles;
    e_mac += lc.e_mac_pj;
    e_rf += lc.e_rf_pj;
    e_noc += lc.e_noc_pj;
    e_glb += lc.e_glb_pj;
    e_dram += lc.e_dram_pj;
    e_leak += lc.e_leak_pj;
    dram += lc.dram_bytes;
    glb += lc.glb_accesses;
    rf += lc.rf_accesses;
    noc += lc.noc_transfers;
    active = std::max(active, lc.active_pes);
  }
  [[nodiscard]] double Energy() const { return e_mac + e_rf + e_noc + e_glb + e_dram + e_leak; }
};

class Walk {
 public:
  Walk(Plan& plan, const Workload& work, const ModelOptions& opt, const HwView& full,
       std::array<double, kNumResultCols>* totals, std::vector<LayerPhaseReport>* rows)
      : plan_(plan), s_(plan.scratch), work_(work), hv_(full), t_(*totals), rows_(rows) {
    roofline_ = opt[Option::kEngine] == 1;
    inter_ = opt[Option::kInterLayer] == 0;
    select_ = static_cast<Select>(opt[Option::kSelect]);
    opt_states_ = opt[Option::kOptimizer] == 0 ? 0.0 : (opt[Option::kOptimizer] == 2 ? 2.0 : 1.0);
    if (plan.training) {
      const double share = opt[Option::kStash] == 0 ? 0.5 : (opt[Option::kStash] == 1 ? 0.25 : 0.0);
      if (hv_.glb_split) {
        stash_cap_ = hv_.glb_input_bits * share;
        hv_.glb_input_bits -= stash_cap_;
      } else {
        stash_cap_ = hv_.glb_bits * share;
      }
      hv_.glb_bits -= stash_cap_;
    }
    keep_cap_ =
        hv_.glb_split ? std::min(hv_.glb_input_bits, hv_.glb_output_bits) : hv_.glb_bits / 2.0;
    ba_ = hv_.Bits(BitsClass::kAct);
    bg_ = hv_.Bits(BitsClass::kGrad);
  }

  Status Run();

 private:
  [[nodiscard]] bool StashOn(TensorRef r) const {
    int e = -1;
    if (r.kind == RefKind::kAct) e = plan_.stash_of_act[T(r.id)];
    if (r.kind == RefKind::kOwnStash) e = plan_.stash_of_own[U(r.id)];
    return e >= 0 && s_.stash_kept[U(e)] != 0;
  }
  [[nodiscard]] bool FpOn(TensorRef r) const {
    if (r.kind != RefKind::kAct || r.id < 0) return false;
    return s_.fp_kept[T(r.id)] != 0 || (plan_.training && StashOn(r));
  }
  [[nodiscard]] bool BpOn(TensorRef r) const {
    switch (r.kind) {
      case RefKind::kAct:
      case RefKind::kOwnStash:
        return StashOn(r);
      case RefKind::kGrad:
        return r.id >= 0 && s_.bp_kept[T(r.id)] != 0;
      case RefKind::kParamGrad:
        return pg_kept_;
      default:
        return false;
    }
  }
  void Stash();
  Status Forward();
  Status Backward();
  Status Step(int layer, Phase phase, double compulsory_first, double extra_first);
  LayerCost Eval(const LoopNest& nest, const Residency& res, double extra, double evict,
                 double compulsory);
  void Record(int layer, Phase phase, const Sum& sum, Status st);
  void EvictFp();
  void EvictBp();

  Plan& plan_;
  Plan::Scratch& s_;
  const Workload& work_;
  HwView hv_;  ///< the view the tilings see (the stash share removed in training)
  std::array<double, kNumResultCols>& t_;
  std::vector<LayerPhaseReport>* rows_;
  bool roofline_ = false, inter_ = true;
  Select select_ = Select::kEdp;
  double stash_cap_ = 0, keep_cap_ = 0, ba_ = 16, bg_ = 16, opt_states_ = 1;
  double fp_live_ = 0, bp_live_ = 0;
  bool pg_kept_ = false;
  double pg_bits_ = 0;
  double stash_kept_bits_ = 0, stash_spilled_bits_ = 0;
  double peak_onchip_ = 0, peak_fmap_ = 0, weight_bytes_ = 0;
  double alive_ = 0;  ///< stash bits alive during the current layer-phase
  std::array<double, kNumPhases> ph_cycles_{}, ph_energy_{}, ph_dram_{};
};

LayerCost Walk::Eval(const LoopNest& nest, const Residency& res, double extra, double evict,
                     double compulsory) {
  if (roofline_) {
    LayerCost lc =
        RooflinePhase(nest.Macs(), nest.is_mac ? 0.0 : nest.vec_ops, hv_.Bits(nest.weight_bits),
                      hv_.Bits(nest.input_bits), hv_, compulsory);
    lc.dataflow = work_.dataflow;
    return lc;
  }
  return EvaluateLayerAuto(nest, work_.dataflow, hv_, res, select_, extra, evict);
}

void Walk::Record(int layer, Phase phase, const Sum& sum, Status st) {
  const double clock = hv_.clock_hz;
  t_[U(static_cast<int>(C::kCycles))] += sum.cycles;
  auto at = [this](C c) -> double& { return t_[static_cast<std::size_t>(c)]; };
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
  const auto p = static_cast<std::size_t>(phase);
  ph_cycles_[p] += sum.cycles;
  ph_energy_[p] += sum.Energy();
  ph_dram_[p] += sum.dram;
  peak_onchip_ = std::max(peak_onchip_, sum.peak + alive_ / 8.0);
  if (rows_ == nullptr) return;
  LayerPhaseReport r;
  r.layer = layer;
  r.kind = plan_.kinds[U(layer)];
  r.phase = phase;
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
      sum.cycles > 0 ? (sum.macs > 0 ? sum.macs : sum.ops) / (hv_.Peak() * sum.cycles) : 0.0;
  r.status = st;
  rows_->push_back(r);
}

void Walk::EvictFp() {
  std::fill(s_.fp_kept.begin(), s_.fp_kept.end(), 0);
  fp_live_ = 0;
}

void Walk::EvictBp() {
  std::fill(s_.bp_kept.begin(), s_.bp_kept.end(), 0);
  bp_live_ = 0;
  pg_kept_ = false;
  pg_bits_ = 0;
}

/// Decides which saved tensors stay in the stash share: last layer first, stopping at the first
/// that does not fit (so a larger buffer never keeps less).
void Walk::Stash() {
  const int count = plan_.layers;
  bool full = false;
  for (std::size_t i = 0; i < plan_.stash.size(); ++i) {
    const double b = StashBits(plan_.stash[i], hv_);
    if (!full && stash_kept_bits_ + b <= stash_cap_) {
      s_.stash_kept[i] = 1;
      stash_kept_bits_ += b;
      const int key = std::max(0, plan_.stash[i].key);
      s_.fp_alive[U(key)] += b;
      s_.bp_alive[U(std::clamp(plan_.stash[i].free_at, 0, count - 1))] += b;
    } else {
      full = true;
      s_.stash_kept[i] = 0;
      stash_spilled_bits_ += b;
    }
  }
  // Alive during FP of l: entries produced at or before l; during backward of l: entries whose
  // last reader is l or lower (read later in the reverse walk).
  for (int l = 1; l < count; ++l) {
    s_.fp_alive[U(l)] += s_.fp_alive[U(l - 1)];
    s_.bp_alive[U(l)] += s_.bp_alive[U(l - 1)];
  }
}

Status Walk::Forward() {
  const int count = plan_.layers;
  for (int l = 0; l < count; ++l) {
    const PhaseNests& pn = plan_.At(l, Phase::kFP);
    const LoopNest& nest = pn.part[0];
    const NestRefs& rf = pn.refs[0];
    Residency res;
    std::array<int, 4> prod{};
    const int np = LayerProducers(work_.network->layers[U(l)], l, &prod);
    if (nest.is_mac) {
      res.input_on_chip = FpOn(rf.in);
      res.weight_on_chip = rf.w.kind == RefKind::kAct && FpOn(rf.w);
    } else {
      for (int i = 0; i < nest.vec_n_rd; ++i) {
        if (FpOn(rf.rd[U(i)])) res.vec_rd_on_chip |= static_cast<std::uint8_t>(1u << i);
      }
    }
    res.resident_in_bits = fp_live_;
    // Tensors held in the keep share that die here (this layer is their last consumer).
    double dying = 0;
    for (int i = 0; i < np; ++i) {
      const int p = prod[i];
      bool dup = false;
      for (int j = 0; j < i; ++j) dup = dup || prod[j] == p;
      if (!dup && p >= 0 && s_.fp_kept[T(p)] != 0 && plan_.last_consumer[T(p)] == l) {
        dying += plan_.act_elems[T(p)] * ba_;
      }
    }
    const double out_bits = plan_.act_elems[T(l)] * ba_;
    const bool has_consumer = plan_.last_consumer[T(l)] >= 0;
    const bool in_stash = plan_.training && StashOn(TensorRef{RefKind::kAct, l});
    const bool keep_share =
        has_consumer && inter_ && !in_stash && out_bits + (fp_live_ - dying) <= keep_cap_;
    const bool keep = has_consumer && (in_stash || keep_share);
    if (nest.is_mac) {
      res.keep_output = keep;
    } else if (keep) {
      res.vec_wr_kept = 1;
    }
    res.resident_out_bits = keep_share ? out_bits : 0.0;
    double extra = 0;
    if (plan_.training) {
      const int e = plan_.stash_of_act[T(l)];
      if (e >= 0 && s_.stash_kept[U(e)] == 0 && keep) extra += out_bits;
      const int o = plan_.stash_of_own[U(l)];
      if (o >= 0 && s_.stash_kept[U(o)] == 0) extra += StashBits(plan_.stash[U(o)], hv_);
    }
    // Compulsory traffic: parameters once, the network input once, the network output once.
    const double bw = hv_.Bits(nest.weight_bits), bi = hv_.Bits(nest.input_bits),
                 bo = hv_.Bits(nest.output_bits);
    double compulsory = nest.weight_is_param ? nest.WeightElems() * bw / 8.0 : 0.0;
    if (l == 0) compulsory += CompulsoryInputElems(nest) * bi / 8.0;
    if (l == count - 1) compulsory += nest.OutputElems() * bo / 8.0;
    alive_ = plan_.training ? s_.fp_alive[U(l)] : 0.0;
    const LayerCost lc = Eval(nest, res, extra, fp_live_, compulsory);
    if (lc.status != Status::kOk) return lc.status;
    if (lc.fell_back) {
      EvictFp();
    } else {
      for (int i = 0; i < np; ++i) {
        const int p = prod[i];
        if (p >= 0 && s_.fp_kept[T(p)] != 0 && plan_.last_consumer[T(p)] == l) {
          s_.fp_kept[T(p)] = 0;
          fp_live_ -= plan_.act_elems[T(p)] * ba_;
        }
      }
      if (keep_share) {
        s_.fp_kept[T(l)] = 1;
        fp_live_ += out_bits;
      }
    }
    if (nest.weight_is_param) weight_bytes_ += nest.WeightElems() * bw / 8.0;
    double fmap_bits = nest.OutputElems() * bo;
    if (nest.is_mac) {
      fmap_bits += nest.InputElems() * bi;
    } else {
      for (int i = 0; i < nest.vec_n_rd; ++i) fmap_bits += nest.vec_rd[U(i)].elems * bi;
    }
    peak_fmap_ = std::max(peak_fmap_, fmap_bits / 8.0);
    Sum sum;
    sum.Add(lc);
    sum.roof_cycles = std::max(nest.Macs() / hv_.Peak(), compulsory / hv_.dram_bytes_per_cycle);
    sum.peak = lc.glb_peak_bytes;
    Record(l, Phase::kFP, sum, lc.status);
  }
  return Status::kOk;
}

/// One backward layer-phase (BP, WG or WU) of layer l; `compulsory_first` is compulsory DRAM
/// traffic charged to the first part besides the parameters (the loss gradient) and
/// `extra_first` DRAM bits moved by it besides the nest's own (the loss gradient brought on
/// chip).
Status Walk::Step(int l, Phase phase, double compulsory_first, double extra_first) {
  const PhaseNests& pn = plan_.At(l, phase);
  if (pn.count == 0) return Status::kOk;
  const double dying = s_.bp_kept[T(l)] != 0 ? plan_.act_elems[T(l)] * bg_ : 0.0;
  alive_ = s_.bp_alive[U(l)];
  Sum sum;
  Status st = Status::kOk;
  for (int k = 0; k < pn.count; ++k) {
    const LoopNest& nest = pn.part[U(k)];
    const NestRefs& rf = pn.refs[U(k)];
    Residency res;
    res.resident_in_bits = bp_live_;
    double extra = k == 0 ? extra_first : 0.0, new_bits = 0;
    // Outputs: errors (created here or accumulated) and weight gradients.
    std::array<int, kMaxVecWrites + 1> created{};
    int n_created = 0;
    bool new_pg = false;
    auto output = [&](TensorRef r, double bits) -> bool {
      if (r.kind == RefKind::kGrad && r.id >= 0) {
        if (s_.grad_exists[T(r.id)] != 0) {
          if (s_.bp_kept[T(r.id)] != 0) return true;
          extra += bits;  // read-modify-write of the partial error in DRAM
          return false;
        }
        if (inter_ && bits + new_bits + (bp_live_ - dying) <= keep_cap_) {
          new_bits += bits;
          created[U(n_created++)] = r.id;
          return true;
        }
        return false;
      }
      if (r.kind == RefKind::kParamGrad) {
        if (inter_ && bits + new_bits + (bp_live_ - dying) <= keep_cap_) {
          new_bits += bits;
          new_pg = true;
          return true;
        }
      }
      return false;
    };
    if (nest.is_mac) {
      res.input_on_chip = BpOn(rf.in);
      res.weight_on_chip = BpOn(rf.w);
      res.keep_output = output(rf.out, nest.OutputElems() * hv_.Bits(nest.output_bits));
    } else {
      for (int i = 0; i < nest.vec_n_rd; ++i) {
        if (BpOn(rf.rd[U(i)])) res.vec_rd_on_chip |= static_cast<std::uint8_t>(1u << i);
      }
      for (int i = 0; i < nest.vec_n_wr; ++i) {
        const double b = StreamBits(nest.vec_wr[U(i)], hv_) * nest.vec_wr[U(i)].elems;
        if (b > 0 && output(rf.wr[U(i)], b)) {
          res.vec_wr_kept |= static_cast<std::uint8_t>(1u << i);
        }
      }
    }
    res.resident_out_bits = new_bits;
    // Compulsory: parameters read (BP), the loss gradient (first part), and for WU every
    // parameter, state and master word read and written (not the weight gradient).
    double compulsory = k == 0 ? compulsory_first : 0.0;
    if (nest.is_mac && nest.weight_is_param) {
      compulsory += nest.WeightElems() * hv_.Bits(nest.weight_bits) / 8.0;
    }
    if (phase == Phase::kWU) {
      for (int i = 0; i < nest.vec_n_rd; ++i) {
        if (rf.rd[U(i)].kind == RefKind::kParamGrad) continue;
        compulsory += nest.vec_rd[U(i)].elems * StreamBits(nest.vec_rd[U(i)], hv_) / 8.0;
      }
      for (int i = 0; i < nest.vec_n_wr; ++i) {
        compulsory += nest.vec_wr[U(i)].elems * StreamBits(nest.vec_wr[U(i)], hv_) / 8.0;
      }
    }
    const LayerCost lc = Eval(nest, res, extra, bp_live_, compulsory);
    if (lc.status != Status::kOk) return lc.status;
    if (lc.fell_back) {
      EvictBp();
    } else {
      for (int i = 0; i < n_created; ++i) {
        s_.bp_kept[T(created[U(i)])] = 1;
        bp_live_ += plan_.act_elems[T(created[U(i)])] * bg_;
      }
      if (new_pg) {
        pg_kept_ = true;
        pg_bits_ = new_bits;
        for (int i = 0; i < n_created; ++i) pg_bits_ -= plan_.act_elems[T(created[U(i)])] * bg_;
        bp_live_ += pg_bits_;
      }
    }
    const auto mark = [&](TensorRef r) {
      if (r.kind == RefKind::kGrad && r.id >= 0) s_.grad_exists[T(r.id)] = 1;
    };
    if (nest.is_mac) {
      mark(rf.out);
    } else {
      for (int i = 0; i < nest.vec_n_wr; ++i) mark(rf.wr[U(i)]);
    }
    sum.Add(lc);
    sum.roof_cycles += std::max((nest.Macs() + (nest.is_mac ? 0.0 : nest.vec_ops)) / hv_.Peak(),
                                compulsory / hv_.dram_bytes_per_cycle);
    sum.peak = std::max(sum.peak, lc.glb_peak_bytes);
    st = lc.status;
  }
  Record(l, phase, sum, st);
  return Status::kOk;
}

Status Walk::Backward() {
  const int count = plan_.layers;
  for (int l = count - 1; l >= 0; --l) {
    // The loss gradient of a network output is read from DRAM by its first backward phase;
    // it stays on chip for the next phase when it fits.
    const bool bp = plan_.At(l, Phase::kBP).count > 0;
    const bool wg = plan_.At(l, Phase::kWG).count > 0;
    double loss = 0, loss_extra = 0;
    if (plan_.last_consumer[T(l)] < 0 && (bp || wg)) {
      const double bits = plan_.act_elems[T(l)] * bg_;
      loss = bits / 8.0;
      if (inter_ && bits + bp_live_ <= keep_cap_) {
        s_.bp_kept[T(l)] = 1;
        bp_live_ += bits;
        loss_extra = bits;
      }
    }
    Status st = Step(l, Phase::kBP, loss, loss_extra);
    if (st != Status::kOk) return st;
    st = Step(l, Phase::kWG, bp ? 0.0 : loss, bp ? 0.0 : loss_extra);
    if (st != Status::kOk) return st;
    if (s_.bp_kept[T(l)] != 0) {  // the error of this layer's output dies with its WG
      s_.bp_kept[T(l)] = 0;
      bp_live_ -= plan_.act_elems[T(l)] * bg_;
    }
    st = Step(l, Phase::kWU, 0.0, 0.0);
    if (st != Status::kOk) return st;
    if (pg_kept_) {
      pg_kept_ = false;
      bp_live_ -= pg_bits_;
      pg_bits_ = 0;
    }
  }
  return Status::kOk;
}

Status Walk::Run() {
  t_.fill(0.0);
  std::fill(s_.fp_kept.begin(), s_.fp_kept.end(), 0);
  std::fill(s_.bp_kept.begin(), s_.bp_kept.end(), 0);
  std::fill(s_.grad_exists.begin(), s_.grad_exists.end(), 0);
  std::fill(s_.fp_alive.begin(), s_.fp_alive.end(), 0.0);
  std::fill(s_.bp_alive.begin(), s_.bp_alive.end(), 0.0);
  if (plan_.training) Stash();
  Status st = Forward();
  if (st == Status::kOk && plan_.training) st = Backward();
  if (st != Status::kOk) return st;
  auto at = [this](C c) -> double& { return t_[static_cast<std::size_t>(c)]; };
  const double n = static_cast<double>(work_.batch);
  at(C::kLatencyS) = at(C::kCycles) / hv_.clock_hz;
  at(C::kEnergyPj) = at(C::kEnergyMacPj) + at(C::kEnergyRfPj) + at(C::kEnergyNocPj) +
                     at(C::kEnergyGlbPj) + at(C::kEnergyDramPj) + at(C::kEnergyLeakPj);
  at(C::kEnergyPerSamplePj) = at(C::kEnergyPj) / n;
  at(C::kThroughputSps) = at(C::kLatencyS) > 0 ? n / at(C::kLatencyS) : 0.0;
  at(C::kEdpJs) = at(C::kEnergyPj) * 1e-12 * at(C::kLatencyS);
  at(C::kUtilization) = at(C::kCycles) > 0 ? at(C::kMacs) / (hv_.Peak() * at(C::kCycles)) : 0.0;
  at(C::kPowerW) = at(C::kLatencyS) > 0 ? at(C::kEnergyPj) * 1e-12 / at(C::kLatencyS) : 0.0;
  if (plan_.training) {
    const C lat[] = {C::kFpLatencyS, C::kBpLatencyS, C::kWgLatencyS, C::kWuLatencyS};
    const C en[] = {C::kFpEnergyPj, C::kBpEnergyPj, C::kWgEnergyPj, C::kWuEnergyPj};
    const C dr[] = {C::kFpDramBytes, C::kBpDramBytes, C::kWgDramBytes, C::kWuDramBytes};
    for (std::size_t p = 0; p < kNumPhases; ++p) {
      at(lat[p]) = ph_cycles_[p] / hv_.clock_hz;
      at(en[p]) = ph_energy_[p];
      at(dr[p]) = ph_dram_[p];
    }
    // Off chip: parameters with their gradients, optimizer state and master copy, the saved
    // tensors that did not fit on chip, and the largest layer working set.
    double per_param = hv_.Bits(BitsClass::kWeight) + bg_;
    const double states = opt_states_;
    per_param += states * hv_.Bits(BitsClass::kOpt);
    if (hv_.Bits(BitsClass::kOpt) > hv_.Bits(BitsClass::kWeight)) {
      per_param += hv_.Bits(BitsClass::kOpt);
    }
    double params = 0;
    for (double p : plan_.params) params += p;
    at(C::kPeakOffchipBytes) = params * per_param / 8.0 + stash_spilled_bits_ / 8.0 + peak_fmap_;
  } else {
    at(C::kFpLatencyS) = at(C::kLatencyS);
    at(C::kFpEnergyPj) = at(C::kEnergyPj);
    at(C::kFpDramBytes) = at(C::kDramBytes);
    at(C::kPeakOffchipBytes) = weight_bytes_ + peak_fmap_;
  }
  at(C::kPeakOnchipBytes) = peak_onchip_;
  return Status::kOk;
}

}  // namespace

Status EvaluateNetwork(Evaluator::Plan& plan, const Workload& work, const Hardware& hw,
                       const ModelOptions& opt, std::array<double, kNumResultCols>* totals,
                       std::vector<LayerPhaseReport>* rows) {
  auto& t = *totals;
  t.fill(0.0);
  const HwView hv = MakeHwView(hw, opt);
  if (hv.clock_hz <= 0 || hv.dram_bytes_per_cycle <= 0) return Status::kZeroBandwidth;
  for (Status s : plan.build_status) {
    if (s != Status::kOk) return s;
  }
  Walk walk(plan, work, opt, hv, totals, rows);
  const Status st = walk.Run();
  if (st != Status::kOk) {
    t.fill(0.0);
    return st;
  }
  const AreaResult area = ComputeArea(hw);
  t[static_cast<std::size_t>(C::kAreaMm2)] = area.area_mm2;
  t[static_cast<std::size_t>(C::kDsp)] = area.dsp;
  t[static_cast<std::size_t>(C::kBram)] = area.bram;
  for (double v : t) {
    if (!std::isfinite(v)) {
      t.fill(0.0);
      return Status::kNumericOverflow;
    }
  }
  return Status::kOk;
}

}  // namespace trim::model::detail
