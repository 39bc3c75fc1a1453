// The per-design walk over a Plan (docs/model.md, "Inter-layer activity" and "Training step").
#include <algorithm>
#include <cmath>

#include "hw_view.hpp"
#include "layer_cost.hpp"
#include "network.hpp"
#include "scoped_memo.hpp"

namespace trim::model::detail {
namespace {

using Plan = Evaluator::Plan;

std::size_t T(int tensor) { return static_cast<std::size_t>(tensor + 1); }
std::size_t U(int i) { return static_cast<std::size_t>(i); }
/// The cache slot of part k of layer l in phase p.
int Slot(int l, Phase p, int k) { return (l * kNumPhases + static_cast<int>(p)) * 2 + k; }

double StashBits(const Plan::StashEntry& e, const HwView& hw) {
  return e.elems * (e.fixed_bits > 0 ? e.fixed_bits : hw.Bits(e.bits));
}

class Walk {
 public:
  Walk(Plan& plan, const Workload& work, const ModelOptions& opt, const HwView& full,
       MapCache* cache, Trace* trace)
      : plan_(plan), s_(plan.scratch), work_(work), hv_(full), cache_(cache), tr_(*trace) {
    roofline_ = opt[Option::kEngine] == 1;
    inter_ = opt[Option::kInterLayer] == 0;
    select_ = static_cast<Select>(opt[Option::kSelect]);
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
    bandwidths_positive_ = hv_.BandwidthsPositive();
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
  /// The outcome of one part: its status, whether the residency fell back, its GLB peak.
  struct Outcome {
    Status status = Status::kOk;
    bool fell_back = false;
    double glb_peak_bytes = 0;
    double need_bytes = 0, have_bytes = 0;  ///< not ok: the shortfall of the mapping
  };
  /// Records where the walk failed and returns the status.
  Status Fail(int layer, Phase phase, const Outcome& o) {
    tr_.failure = Failure{layer, phase, o.need_bytes, o.have_bytes};
    return o.status;
  }
  /// A mapping choice before it is recorded. `map` points into the mapping cache or one of
  /// the walk's own records below; it stays valid until the next call of Map.
  struct Choice {
    Status status = Status::kOk;
    bool fell_back = false;
    const LayerMap* map = nullptr;
    double spill_bits = 0;
  };
  /// MapLayer, through the cache when there is one. The reference stays valid until the next
  /// call.
  [[nodiscard]] const LayerMap& Map(int slot, const LoopNest& nest, Dataflow df,
                                    const Residency& res);
  Choice WithFallback(int slot, const LoopNest& nest, Dataflow df, const Residency& res,
                      double extra, double evict);
  /// Maps part `slot` (the dataflow of the job, or the best of the five) and, when feasible,
  /// records it in the trace.
  Outcome Eval(int slot, const LoopNest& nest, const Residency& res, double extra, double evict,
               double compulsory, double roof_work);
  void Note(int layer, Phase phase, int first, double peak);
  void EvictFp();
  void EvictBp();

  Plan& plan_;
  Plan::Scratch& s_;
  const Workload& work_;
  HwView hv_;  ///< the view the tilings see (the stash share removed in training)
  MapCache* cache_;
  Trace& tr_;
  bool roofline_ = false, inter_ = true;
  bool bandwidths_positive_ = false;  ///< BandwidthStatus is kOk for every mapping
  Select select_ = Select::kEdp;
  double stash_cap_ = 0, keep_cap_ = 0, ba_ = 16, bg_ = 16;
  double fp_live_ = 0, bp_live_ = 0;
  bool pg_kept_ = false;
  double pg_bits_ = 0;
  double stash_kept_bits_ = 0;
  double alive_ = 0;       ///< stash bits alive during the current layer-phase
  bool path_out_ = false;  ///< the current layer-phase's output feeds a fused successor
  // Mapping records, reused from one layer-phase to the next (a record is about 1 KiB, so the
  // walk hands out pointers to them rather than copies): the first mapping while the fallback
  // maps again, the roofline's, and the best and worst of the five dataflows under `best`.
  // Without a cache, a mapping computed outside the MAC memo is written straight into the
  // trace entry of the current part (`part_`), which then needs no copy.
  LayerMap held_, roof_, best_, worst_;
  LayerMap* part_ = nullptr;
  std::size_t n_parts_ = 0;  ///< trace entries written by this walk
};

const LayerMap& Walk::Map(int slot, const LoopNest& nest, Dataflow df, const Residency& res) {
  if (cache_ != nullptr) return cache_->Get(slot, nest, df, hv_, res);
  return MapLayerRef(nest, df, hv_, res, part_);
}

Walk::Choice Walk::WithFallback(int slot, const LoopNest& nest, Dataflow df, const Residency& res,
                                double extra, double evict) {
  Choice c;
  c.map = &Map(slot, nest, df, res);
  c.spill_bits = extra;
  c.status = c.map->status != Status::kOk ? c.map->status
             : bandwidths_positive_       ? Status::kOk
                                          : BandwidthStatus(*c.map, hv_, extra);
  if (c.status == Status::kOk || !res.Any()) return c;
  // The next Map call may overwrite the record c points to.
  held_ = *c.map;
  c.map = &held_;
  // The requested residency does not fit this layer: every tensor held on chip is written to
  // DRAM (evict) and the layer runs with all its operands in DRAM.
  Choice plain;
  // An output that leaves through a fused successor's path is never stored, also here.
  Residency bare;
  if (path_out_) {
    bare.keep_output = res.keep_output;
    bare.vec_wr_kept = res.vec_wr_kept;
  }
  plain.map = &Map(slot, nest, df, bare);
  plain.spill_bits = extra + evict;
  plain.status = plain.map->status != Status::kOk ? plain.map->status
                 : bandwidths_positive_           ? Status::kOk
                                        : BandwidthStatus(*plain.map, hv_, plain.spill_bits);
  plain.fell_back = true;
  return plain.status == Status::kOk ? plain : c;
}

Walk::Outcome Walk::Eval(int slot, const LoopNest& nest, const Residency& res, double extra,
                         double evict, double compulsory, double roof_work) {
  // The trace entry of this part: of the previous walk when there is one, else a new default
  // entry (either way its candidate slots past the record's n_alt are never read).
  if (n_parts_ == tr_.parts.size()) tr_.parts.emplace_back();
  part_ = &tr_.parts[n_parts_].map;
  Choice pick;
  bool as_best = false;  // the trace records this vector nest's RS mapping as `best`
  if (roofline_) {
    roof_ = RooflineMap(nest, work_.dataflow, hv_);
    pick.map = &roof_;
  } else if (work_.dataflow != Dataflow::kBest) {
    pick = WithFallback(slot, nest, work_.dataflow, res, extra, evict);
  } else if (!nest.is_mac) {
    pick = WithFallback(slot, nest, Dataflow::kRS, res, extra, evict);
    as_best = true;
  } else {
    // The best of the five under the selection criterion: the only place where costs steer
    // the walk (so `best` traces are per design).
    bool have = false;
    double best_value = 0;
    Choice worst;
    for (int d = 0; d < 5; ++d) {
      Choice c = WithFallback(slot, nest, static_cast<Dataflow>(d), res, extra, evict);
      if (c.status != Status::kOk) {
        if (worst.status == Status::kOk || c.status < worst.status) {
          worst_ = *c.map;
          worst = c;
          worst.map = &worst_;
        }
        continue;
      }
      const double v = Criterion(CostLayer(*c.map, hv_, c.spill_bits, compulsory), select_);
      if (!have || v < best_value) {
        best_ = *c.map;
        pick = c;
        pick.map = &best_;
        best_value = v;
        have = true;
      }
    }
    if (!have) pick = worst;
  }
  Outcome out;
  out.status = pick.status;
  if (pick.status != Status::kOk) {
    out.need_bytes = pick.map->need_bytes;
    out.have_bytes = pick.map->have_bytes;
    return out;
  }
  out.fell_back = pick.fell_back;
  out.glb_peak_bytes = pick.map->glb_peak_bytes;
  // At most one copy of the record, into the trace entry (without the candidate slots the
  // record does not use).
  TracePart* part = &tr_.parts[n_parts_];
  if (pick.map != &part->map) CopyMapping(*pick.map, &part->map);
  part->spill_bits = pick.spill_bits;
  part->compulsory_bytes = compulsory;
  part->roof_work = roof_work;
  ++n_parts_;
  if (as_best) part->map.dataflow = Dataflow::kBest;
  return out;
}

void Walk::Note(int layer, Phase phase, int first, double peak) {
  TracePhase p;
  p.layer = layer;
  p.phase = phase;
  p.first = first;
  p.count = static_cast<int>(n_parts_) - first;
  p.peak_bytes = peak;
  p.alive_bits = alive_;
  tr_.phases.push_back(p);
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
      tr_.stash_spilled_bits += b;
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
    // An output that only feeds a fused successor leaves through the output path: never
    // written to DRAM and never held in the buffer (docs/model.md, "Fusion").
    const bool in_path = plan_.out_in_path[U(l)] != 0;
    path_out_ = in_path;
    const bool keep_share = has_consumer && inter_ && !in_stash && !in_path &&
                            out_bits + (fp_live_ - dying) <= keep_cap_;
    const bool keep = has_consumer && (in_stash || keep_share || in_path);
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
    const int first = static_cast<int>(n_parts_);
    const Outcome lc =
        Eval(Slot(l, Phase::kFP, 0), nest, res, extra, fp_live_, compulsory, nest.Macs());
    if (lc.status != Status::kOk) return Fail(l, Phase::kFP, lc);
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
    if (nest.weight_is_param) tr_.weight_bytes += nest.WeightElems() * bw / 8.0;
    double fmap_bits = nest.OutputElems() * bo;
    if (nest.is_mac) {
      fmap_bits += nest.InputElems() * bi;
    } else {
      for (int i = 0; i < nest.vec_n_rd; ++i) fmap_bits += nest.vec_rd[U(i)].elems * bi;
    }
    tr_.peak_fmap_bytes = std::max(tr_.peak_fmap_bytes, fmap_bits / 8.0);
    Note(l, Phase::kFP, first, lc.glb_peak_bytes);
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
  path_out_ = false;
  const double dying = s_.bp_kept[T(l)] != 0 ? plan_.act_elems[T(l)] * bg_ : 0.0;
  alive_ = s_.bp_alive[U(l)];
  const int first = static_cast<int>(n_parts_);
  double peak = 0;
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
    const Outcome lc = Eval(Slot(l, phase, k), nest, res, extra, bp_live_, compulsory,
                            nest.Macs() + (nest.is_mac ? 0.0 : nest.vec_ops));
    if (lc.status != Status::kOk) return Fail(l, phase, lc);
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
    peak = std::max(peak, lc.glb_peak_bytes);
  }
  Note(l, phase, first, peak);
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
    // (Step does nothing for a phase without parts: those calls are skipped here.)
    Status st = bp ? Step(l, Phase::kBP, loss, loss_extra) : Status::kOk;
    if (st != Status::kOk) return st;
    st = wg ? Step(l, Phase::kWG, bp ? 0.0 : loss, bp ? 0.0 : loss_extra) : Status::kOk;
    if (st != Status::kOk) return st;
    if (s_.bp_kept[T(l)] != 0) {  // the error of this layer's output dies with its WG
      s_.bp_kept[T(l)] = 0;
      bp_live_ -= plan_.act_elems[T(l)] * bg_;
    }
    st = plan_.At(l, Phase::kWU).count > 0 ? Step(l, Phase::kWU, 0.0, 0.0) : Status::kOk;
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
  // The entries of the previous walk stay allocated and are overwritten (`n_parts_`).
  std::vector<TracePart> parts = std::move(tr_.parts);
  tr_.Clear();
  tr_.parts = std::move(parts);
  n_parts_ = 0;
  std::fill(s_.fp_kept.begin(), s_.fp_kept.end(), 0);
  std::fill(s_.bp_kept.begin(), s_.bp_kept.end(), 0);
  std::fill(s_.grad_exists.begin(), s_.grad_exists.end(), 0);
  std::fill(s_.fp_alive.begin(), s_.fp_alive.end(), 0.0);
  std::fill(s_.bp_alive.begin(), s_.bp_alive.end(), 0.0);
  if (plan_.training) Stash();
  Status st = Forward();
  if (st == Status::kOk && plan_.training) st = Backward();
  tr_.parts.resize(n_parts_);
  tr_.status = st;
  return st;
}

}  // namespace

Status PointStatus(const Evaluator::Plan& plan, const HwView& hv) {
  if (hv.clock_hz <= 0 || hv.dram_bytes_per_cycle <= 0) return Status::kZeroBandwidth;
  for (Status s : plan.build_status) {
    if (s != Status::kOk) return s;
  }
  return Status::kOk;
}

Failure PointFailure(const Evaluator::Plan& plan) {
  Failure f;
  for (std::size_t l = 0; l < plan.build_status.size(); ++l) {
    if (plan.build_status[l] != Status::kOk) {
      f.layer = static_cast<int>(l);
      break;
    }
  }
  return f;
}

Status WalkNetwork(Evaluator::Plan& plan, const Workload& work, const ModelOptions& opt,
                   const HwView& hv, MapCache* cache, Trace* trace) {
  const DesignScope scope;  // the mapping memos serve this design only
  Walk walk(plan, work, opt, hv, cache, trace);
  return walk.Run();
}

Status EvaluateNetwork(Evaluator::Plan& plan, const Workload& work, const Hardware& hw,
                       const ModelOptions& opt, std::array<double, kNumResultCols>* totals,
                       std::vector<LayerPhaseReport>* rows) {
  totals->fill(0.0);
  const HwView hv = MakeHwView(hw, opt);
  const Status pre = PointStatus(plan, hv);
  if (pre != Status::kOk) {
    plan.trace.Clear();
    plan.trace.status = pre;
    plan.trace.failure = PointFailure(plan);
    if (rows != nullptr && plan.trace.failure.layer >= 0) {
      rows->push_back(FailedRow(plan, work, plan.trace.failure, pre));
    }
    return pre;
  }
  WalkNetwork(plan, work, opt, hv, nullptr, &plan.trace);
  return CostTrace(plan, work, opt, plan.trace, hw, hv, totals, rows);
}

}  // namespace trim::model::detail
