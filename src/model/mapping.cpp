#include "mapping.hpp"

#include <algorithm>
#include <cmath>

namespace trim::model::detail {
namespace {

double CeilDiv(double a, double b) { return std::ceil(a / b); }

}  // namespace

Status PrepareMapping(const LoopNest& nest, Dataflow df, const HwView& hw, const RoleBits& bits,
                      MapParams* out) {
  MapParams mp;
  const double rs = nest.r * nest.s;
  const double rf_w = std::floor(hw.rf_weight_bits / bits.w);  // words that fit
  const double rf_i = std::floor(hw.rf_input_bits / bits.i);
  const double rf_p = std::floor(hw.rf_psum_bits / bits.p);
  mp.rf_w = rf_w;
  mp.rf_i = rf_i;
  mp.rf_p = rf_p;
  Tile& t = mp.min_tile;
  switch (df) {
    case Dataflow::kWS:
      if (rf_w < 1) return Status::kRfTooSmall;
      t.m = std::min(nest.m, hw.cols);
      t.c = std::min(nest.c, CeilDiv(hw.rows, rs));
      break;
    case Dataflow::kOS:
      if (rf_p < 1) return Status::kRfTooSmall;
      t.e = std::min(nest.e, CeilDiv(hw.rows, nest.f));
      t.m = std::min(nest.m, hw.cols);
      break;
    case Dataflow::kIS:
      if (rf_i < 1) return Status::kRfTooSmall;
      t.c = std::min(nest.c, CeilDiv(hw.rows, rs));
      t.e = std::min(nest.e, CeilDiv(hw.cols, nest.f));
      break;
    case Dataflow::kNLR:
      t.c = std::min(nest.c, hw.rows);
      t.m = std::min(nest.m, hw.cols);
      break;
    case Dataflow::kRS: {
      // A PE convolves one filter row (S weights) with a sliding window of S inputs into one
      // psum; with room it holds p filters and q channels (Chen et al., ISCA 2016, Sec. V).
      // A filter row wider than the weight or input scratch pad is split into s_fold pieces
      // that run as separate passes and accumulate like the folded rows of a tall filter.
      const double rf_row = std::min(rf_w, rf_i);
      if (rf_row < 1 || rf_p < 1) return Status::kRfTooSmall;
      mp.rs_s_fold = CeilDiv(nest.s, rf_row);
      mp.rs_s = CeilDiv(nest.s, mp.rs_s_fold);
      mp.rs_p_max = std::min({nest.m, rf_p, std::floor(rf_w / mp.rs_s)});
      const double p = Balanced(nest.m, mp.rs_p_max);
      mp.rs_q_max =
          std::min({nest.c, std::floor(rf_w / (p * mp.rs_s)), std::floor(rf_i / mp.rs_s)});
      mp.rs_q_max = std::max(1.0, mp.rs_q_max);
      t.m = p;
      t.c = Balanced(nest.c, mp.rs_q_max);
      mp.rs_p = t.m;
      mp.rs_q = t.c;
      t.e = std::min(nest.e, hw.cols);
      // The GLB tile holds whole passes: p filters, q channels, strips of e_w output rows, so
      // that the tiling never splits the per-PE work the register files allow.
      mp.unit = Tile{1, t.m, t.c, Balanced(nest.e, hw.cols)};
      break;
    }
    case Dataflow::kBest:
      return Status::kShapeMismatch;
  }
  *out = mp;
  return Status::kOk;
}

MapParams RsWith(const MapParams& base, double p, double q) {
  MapParams mp = base;
  mp.rs_p_max = p;
  mp.rs_q_max = q;
  mp.rs_p = p;
  mp.rs_q = q;
  mp.min_tile.m = p;
  mp.min_tile.c = q;
  mp.unit.m = p;
  mp.unit.c = q;
  return mp;
}

int RsCandidates(const LoopNest& nest, const HwView& hw, const MapParams& base, double* p,
                 double* q, int max) {
  const double s = base.rs_s, big_p = base.rs_p, big_q = base.rs_q;
  // Channels the pads hold next to p filters (weights p*q*S', inputs q*S').
  const auto q_at = [&](double pp) {
    return std::max(
        1.0, std::min({nest.c, std::floor(base.rf_w / (pp * s)), std::floor(base.rf_i / s)}));
  };
  int n = 0;
  const auto add = [&](double pp, double qq) {
    if (n >= max || (pp == big_p && qq == big_q)) return;
    for (int i = 0; i < n; ++i) {
      if (p[i] == pp && q[i] == qq) return;
    }
    p[n] = pp;
    q[n] = qq;
    ++n;
  };
  // Set replication: the whole group's passes at the largest (p, q) against the sets the array
  // holds (the geometry of TileArrayCost); when sets would idle, split the channels (their
  // psums add up in the array), then the filters, until every set has a pass.
  const double r_fold = CeilDiv(nest.r, hw.rows);
  const double r_used = CeilDiv(nest.r, r_fold);
  const double strips = CeilDiv(nest.e, hw.cols);
  const double sets = std::floor(hw.rows / r_used) * std::floor(hw.cols / CeilDiv(nest.e, strips));
  const double other = nest.n * strips * r_fold * base.rs_s_fold;
  if (other * CeilDiv(nest.m, big_p) * CeilDiv(nest.c, big_q) < sets) {
    const double need_c = CeilDiv(sets, other * CeilDiv(nest.m, big_p));
    const double qf = Balanced(nest.c, std::max(1.0, std::floor(nest.c / need_c)));
    double pf = big_p;
    if (other * CeilDiv(nest.m, big_p) * CeilDiv(nest.c, qf) < sets) {
      const double need_m = CeilDiv(sets, other * CeilDiv(nest.c, qf));
      pf = Balanced(nest.m, std::max(1.0, std::floor(nest.m / need_m)));
    }
    add(pf, qf);
  }
  // Double-buffered pads: the largest p and q for which every pad that can hold two passes'
  // worth does (filters 2*p*q*S', ifmap windows 2*q*S', psums 2*p), so that the next pass's
  // loads and the last pass's drain hide behind the computation (section 3).
  if (hw.pass_overhead) {
    const double pd =
        Balanced(nest.m, std::min({base.rs_p_max, std::max(1.0, std::floor(base.rf_p / 2)),
                                   std::max(1.0, std::floor(base.rf_w / (2 * s)))}));
    const double qd =
        Balanced(nest.c, std::min({q_at(pd), std::max(1.0, std::floor(base.rf_w / (2 * pd * s))),
                                   std::max(1.0, std::floor(base.rf_i / (2 * s)))}));
    add(pd, qd);
  }
  // Filters for channels: half the filters frees weight-pad room for more channels (less psum
  // traffic to the buffer, more input traffic).
  if (big_p > 1) {
    const double pt = Balanced(nest.m, CeilDiv(big_p, 2));
    const double qt = Balanced(nest.c, q_at(pt));
    if (qt > big_q) add(pt, qt);
  }
  return n;
}

ArrayCost TileArrayCost(const LoopNest& nest, Dataflow df, const HwView& hw, const MapParams& mp,
                        const Tile& t) {
  ArrayCost a;
  const double py = hw.rows, px = hw.cols, v = hw.lanes;
  const double pix = t.n * t.e * nest.f;   // output pixels of the tile
  const double k = t.c * nest.r * nest.s;  // reduction length
  const double outs = pix * t.m;
  const double wts = t.m * k;
  const double macs = outs * k;
  switch (df) {
    case Dataflow::kWS: {
      // Rows: the reduction (c, r, s); columns: filters m; pixels stream in time.
      const double fk = CeilDiv(k, py), fm = CeilDiv(t.m, px);
      const double ru = std::min(k, py), cu = std::min(t.m, px);
      a.cycles = fk * fm * (CeilDiv(pix, v) + FoldFillCycles(hw, ru, cu));
      a.active_pes = ru * cu;
      a.glb_rd_w = wts;
      a.glb_rd_i = pix * k * fm;
      a.glb_wr_o = outs * fk;
      a.glb_rd_o = outs * (fk - 1);
      a.noc_w = wts;
      a.noc_i = macs;
      a.noc_o = macs;
      a.rf_w = macs + wts;
      break;
    }
    case Dataflow::kOS: {
      // Rows: output pixels; columns: filters; the reduction runs in time, psums stay in RF.
      const double fp = CeilDiv(pix, py), fm = CeilDiv(t.m, px);
      const double ru = std::min(pix, py), cu = std::min(t.m, px);
      a.cycles = fp * fm * (CeilDiv(k, v) + FoldFillCycles(hw, ru, cu, /*preload=*/false));
      a.active_pes = ru * cu;
      a.glb_rd_w = wts * fp;
      a.glb_rd_i = pix * k * fm;
      a.glb_wr_o = outs;
      a.noc_w = macs;
      a.noc_i = macs;
      a.rf_o = 2 * macs;
      break;
    }
    case Dataflow::kIS: {
      // Rows: the reduction; columns: output pixels (inputs held in RF); filters run in time.
      const double fk = CeilDiv(k, py), fp = CeilDiv(pix, px);
      const double ru = std::min(k, py), cu = std::min(pix, px);
      a.cycles = fk * fp * (CeilDiv(t.m, v) + FoldFillCycles(hw, ru, cu));
      a.active_pes = ru * cu;
      a.glb_rd_i = pix * k;
      a.glb_rd_w = wts * fp;
      a.glb_wr_o = outs * fk;
      a.glb_rd_o = outs * (fk - 1);
      a.noc_i = pix * k;
      a.noc_w = macs;
      a.noc_o = macs;
      a.rf_i = macs + pix * k;
      break;
    }
    case Dataflow::kNLR: {
      // Rows: input channels; columns: filters; pixels and the window run in time. No RF:
      // weights are unicast from the GLB for every MAC, inputs multicast along a row, psums
      // reduced down a column and accumulated in the GLB over the window and channel folds.
      const double fc = CeilDiv(t.c, py), fm = CeilDiv(t.m, px);
      const double ru = std::min(t.c, py), cu = std::min(t.m, px);
      const double steps = pix * nest.r * nest.s;
      a.cycles = fc * fm * (CeilDiv(steps, v) + FoldFillCycles(hw, ru, cu, /*preload=*/false));
      a.active_pes = ru * cu;
      a.glb_rd_w = macs;
      a.glb_rd_i = pix * k * fm;
      const double passes = nest.r * nest.s * fc;
      a.glb_wr_o = outs * passes;
      a.glb_rd_o = outs * (passes - 1);
      a.noc_w = macs;
      a.noc_i = macs;
      a.noc_o = macs;
      break;
    }
    case Dataflow::kRS: {
      // PE set: R' filter rows x e_w output rows; sets replicated over the array; each PE
      // runs p x q one-dimensional convolutions of length F (S' MACs each, S' = S / s_fold).
      const double r_fold = CeilDiv(nest.r, py);
      const double r_used = CeilDiv(nest.r, r_fold);
      const double s_fold = mp.rs_s_fold, s_w = mp.rs_s;
      const double dil = nest.s > 1 ? (nest.s_span - 1) / (nest.s - 1) : 1.0;
      const double strips = CeilDiv(t.e, px);
      const double e_w = CeilDiv(t.e, strips);
      const double sets = std::floor(py / r_used) * std::floor(px / e_w);
      const double p = Balanced(t.m, std::min(t.m, mp.rs_p_max));
      const double q = Balanced(t.c, std::min(t.c, mp.rs_q_max));
      const double cq = CeilDiv(t.c, q);
      const double passes = t.n * CeilDiv(t.m, p) * cq * strips * r_fold * s_fold;
      const double rounds = CeilDiv(passes, sets);
      const double fill = hw.systolic ? r_used + e_w - 2 : 0.0;
      a.cycles = rounds * (CeilDiv(p, v) * q * s_w * nest.f + fill);
      a.active_pes = std::min(passes, sets) * r_used * e_w;
      const double in_rows = std::min(nest.h_in, (e_w - 1) * nest.stride + r_used);
      const double span = s_fold == 1 ? nest.s_span : (s_w - 1) * dil + 1;
      const double row_len = std::min(nest.w_in, (nest.f - 1) * nest.stride + span);
      a.glb_rd_w = passes * r_used * p * q * s_w;   // multicast along a set row
      a.glb_rd_i = passes * in_rows * q * row_len;  // diagonal multicast shares rows
      // Sets working at once on different channel groups of the same outputs add their psums
      // through the array (Eyeriss accumulates vertically across sets), so only every
      // c_par-th channel group sends psums to the GLB.
      const double c_par = std::max(1.0, std::min(sets, cq));
      const double acc = CeilDiv(cq, c_par) * r_fold * s_fold;
      a.glb_wr_o = outs * acc;
      a.glb_rd_o = outs * (acc - 1);
      a.noc_w = passes * r_used * e_w * p * q * s_w;
      a.noc_i = passes * r_used * e_w * q * row_len;
      a.noc_o = passes * (r_used - 1) * e_w * p * nest.f + outs * (cq - CeilDiv(cq, c_par));
      a.rf_w = macs + a.noc_w;
      a.rf_i = macs + a.noc_i;
      a.rf_o = 2 * macs;
      a.rs_p = p;
      a.rs_q = q;
      // Before a pass its set loads p*q*S' filter weights per filter row and the first
      // window (q*S' inputs) of each of its input rows; after it, its last psums (p per output
      // row) drain. The sets of a round are loaded one after the other over the networks,
      // each starting as soon as its pads are full, so one set's loads and drain per round
      // are exposed (the rest overlap the computation; the network bounds of section 6 cap
      // the total). A scratch pad with room for a second set loads it during the pass.
      if (hw.pass_overhead) {
        if (mp.rf_w < 2 * p * q * s_w) a.stall_w = rounds * r_used * p * q * s_w;
        if (mp.rf_i < 2 * q * s_w) a.stall_i = rounds * in_rows * q * std::min(row_len, span);
        if (mp.rf_p < 2 * p) a.stall_o = rounds * e_w * p;
      }
      break;
    }
    case Dataflow::kBest:
      break;
  }
  return a;
}

void RfShortfall(const LoopNest& /*nest*/, Dataflow df, const HwView& hw, const RoleBits& bits,
                 double* need_bytes, double* have_bytes) {
  // (needed bits, capacity bits) per register file, in the order PrepareMapping checks them.
  double need[3] = {0, 0, 0};
  const double have[3] = {hw.rf_weight_bits, hw.rf_input_bits, hw.rf_psum_bits};
  switch (df) {
    case Dataflow::kWS:
      need[0] = bits.w;
      break;
    case Dataflow::kOS:
      need[2] = bits.p;
      break;
    case Dataflow::kIS:
      need[1] = bits.i;
      break;
    case Dataflow::kRS:  // rows wider than the scratch pads are folded: one word of each
      need[0] = bits.w;
      need[1] = bits.i;
      need[2] = bits.p;
      break;
    default:
      return;
  }
  for (int k = 0; k < 3; ++k) {
    if (need[k] > have[k]) {
      *need_bytes = need[k] / 8.0;
      *have_bytes = have[k] / 8.0;
      return;
    }
  }
}

}  // namespace trim::model::detail
