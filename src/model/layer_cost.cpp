#include "layer_cost.hpp"

#include <algorithm>
#include <cmath>

#include "mapping.hpp"

namespace trim::model::detail {
namespace {

double MacScale(const HwView& hw, double bits_a, double bits_b) {
  switch (hw.mac_scaling) {
    case 0:
      return bits_a * bits_b / (hw.ref_bits * hw.ref_bits);
    case 1:
      return std::max(bits_a, bits_b) / hw.ref_bits;
    default:
      return 1.0;
  }
}

/// Cycles from compute and the three transfer bounds; kZeroBandwidth when traffic meets a
/// zero bandwidth.
Status Combine(const HwView& hw, double glb_words, double noc_words, double dram_bytes,
               LayerCost* lc) {
  if ((glb_words > 0 && hw.glb_words_per_cycle <= 0) ||
      (noc_words > 0 && hw.noc_words_per_cycle <= 0) ||
      (dram_bytes > 0 && hw.dram_bytes_per_cycle <= 0) || hw.clock_hz <= 0) {
    return Status::kZeroBandwidth;
  }
  lc->glb_cycles = glb_words > 0 ? glb_words / hw.glb_words_per_cycle : 0.0;
  lc->noc_cycles = noc_words > 0 ? noc_words / hw.noc_words_per_cycle : 0.0;
  lc->dram_cycles = dram_bytes > 0 ? dram_bytes / hw.dram_bytes_per_cycle : 0.0;
  const double on_chip = std::max({lc->compute_cycles, lc->glb_cycles, lc->noc_cycles});
  lc->cycles = hw.overlap ? std::max(on_chip, lc->dram_cycles) : on_chip + lc->dram_cycles;
  lc->latency_s = lc->cycles / hw.clock_hz;
  return Status::kOk;
}

void Finish(const HwView& hw, LayerCost* lc) {
  lc->e_leak_pj = hw.leak_w * lc->latency_s * 1e12;
  lc->energy_pj =
      lc->e_mac_pj + lc->e_rf_pj + lc->e_noc_pj + lc->e_glb_pj + lc->e_dram_pj + lc->e_leak_pj;
  const double busy = hw.Peak() * lc->cycles;
  lc->utilization = busy > 0 ? (lc->macs > 0 ? lc->macs : lc->ops) / busy : 0.0;
}

LayerCost EvaluateVector(const LoopNest& nest, Dataflow df, const HwView& hw, const Residency& res,
                         double spill_bits) {
  LayerCost lc;
  lc.dataflow = df;
  lc.ops = nest.vec_ops;
  // Streams pass through the GLB to the array's lanes and back (docs/model.md, Vector
  // layers): every read element is read once, every written element written once; a stream
  // on chip (or kept) skips DRAM.
  double in_words = 0, out_words = 0, dram_rd_words = 0, dram_wr_words = 0;
  double in_bits = 0, out_bits = 0, dram_rd_bits = 0, dram_wr_bits = 0;
  double first_bits = 0;
  for (int i = 0; i < nest.vec_n_rd; ++i) {
    const double b = StreamBits(nest.vec_rd[i], hw);
    if (b <= 0) continue;
    if (first_bits == 0) first_bits = b;
    const double el = nest.vec_rd[i].elems;
    in_words += el;
    in_bits += el * b;
    if ((res.vec_rd_on_chip & (1u << i)) == 0) {
      dram_rd_words += el;
      dram_rd_bits += el * b;
    }
  }
  for (int i = 0; i < nest.vec_n_wr; ++i) {
    const double b = StreamBits(nest.vec_wr[i], hw);
    if (b <= 0) continue;
    const double el = nest.vec_wr[i].elems;
    out_words += el;
    out_bits += el * b;
    if ((res.vec_wr_kept & (1u << i)) == 0) {
      dram_wr_words += el;
      dram_wr_bits += el * b;
    }
  }
  if (first_bits == 0) first_bits = hw.Bits(BitsClass::kAct);
  const double held_in = res.resident_in_bits, held_out = res.resident_out_bits;
  if (held_in > 0 || held_out > 0) {
    const bool fits = hw.glb_split ? held_in <= hw.glb_input_bits && held_out <= hw.glb_output_bits
                                   : held_in + held_out <= hw.glb_bits;
    if (!fits) {
      lc.status = Status::kGlbTooSmall;
      return lc;
    }
  }
  const double dram_bits = dram_rd_bits + dram_wr_bits + spill_bits;
  lc.dram_bytes = dram_bits / 8.0;
  const double array_words = in_words + out_words;
  lc.glb_accesses = array_words + dram_rd_words + dram_wr_words + spill_bits / first_bits;
  lc.noc_transfers = array_words;
  lc.compute_cycles = std::ceil(nest.vec_ops / hw.Peak());
  lc.active_pes = std::min(hw.rows * hw.cols, std::ceil(nest.vec_ops / hw.lanes));
  lc.status = Combine(hw, lc.glb_accesses, array_words, lc.dram_bytes, &lc);
  if (lc.status != Status::kOk) return lc;
  const double glb_bits = in_bits + out_bits + dram_bits;
  lc.e_mac_pj = nest.vec_ops * hw.e_mac * MacScale(hw, first_bits, first_bits);
  lc.e_noc_pj = (in_bits + out_bits) / hw.ref_bits * hw.e_noc;
  lc.e_glb_pj = glb_bits / hw.ref_bits * hw.e_glb;
  lc.e_dram_pj = dram_bits / hw.ref_bits * hw.e_dram;
  lc.glb_peak_bytes = (held_in + held_out) / 8.0;
  lc.output_kept = (res.vec_wr_kept & 1u) != 0;
  Finish(hw, &lc);
  return lc;
}

}  // namespace

double CompulsoryInputElems(const LoopNest& nest) {
  if (!nest.is_mac) {
    double el = 0;
    for (int i = 0; i < nest.vec_n_rd; ++i) el += nest.vec_rd[i].elems;
    return el;
  }
  return nest.g * nest.n * nest.c * nest.w_in * TileInputRows(nest, nest.e) * nest.input_density;
}

LayerCost EvaluateLayer(const LoopNest& nest, Dataflow df, const HwView& hw, const Residency& res,
                        double spill_bits) {
  if (!nest.is_mac) return EvaluateVector(nest, df, hw, res, spill_bits);
  LayerCost lc;
  lc.dataflow = df;
  lc.macs = nest.Macs();
  const RoleBits bits = ResolveBits(nest, hw);
  MapParams mp;
  lc.status = PrepareMapping(nest, df, hw, bits, &mp);
  if (lc.status != Status::kOk) return lc;
  const TilingResult tr = SearchTiling(nest, hw, bits, mp, res);
  if (!tr.feasible) {
    lc.status = Status::kGlbTooSmall;
    return lc;
  }
  // Accesses: every tile is processed like the (ceil-sized) representative tile, so refetches
  // caused by the tiling are counted; the sum is scaled to the exact MAC count.
  const ArrayCost a = TileArrayCost(nest, df, hw, mp, tr.tile);
  const double tiles = nest.g * tr.Tiles();
  const double tile_macs = tr.tile.n * tr.tile.m * tr.tile.c * tr.tile.e * nest.f * nest.r * nest.s;
  const double scale = lc.macs / (tile_macs * tiles);
  const double k = tiles * scale;
  // Cycles: the array schedules the folds of a whole group back to back (the GLB streams the
  // next tile while the array works), so spatial folding is computed on the whole group.
  const ArrayCost whole = TileArrayCost(nest, df, hw, mp, Tile{nest.n, nest.m, nest.c, nest.e});
  lc.compute_cycles = nest.g * whole.cycles * nest.mac_density;
  lc.active_pes = whole.active_pes;
  // Partial sums of a tile that is not the first along c are read back from the GLB.
  const double psum_back = nest.OutputElems() * (tr.tc - 1);
  const double glb_rd_w = a.glb_rd_w * k, glb_rd_i = a.glb_rd_i * k;
  const double glb_o = (a.glb_rd_o + a.glb_wr_o) * k + psum_back;
  const double array_words = glb_rd_w + glb_rd_i + glb_o;
  const double dram_bits = tr.DramBits() + spill_bits;
  const double dram_words =
      (tr.dram_rd_w_bits / bits.w + tr.dram_rd_i_bits / bits.i + tr.dram_wr_o_bits / bits.o +
       tr.dram_psum_bits / bits.p + spill_bits / bits.i);
  lc.dram_bytes = dram_bits / 8.0;
  lc.glb_accesses = array_words + dram_words;
  lc.noc_transfers = (a.noc_w + a.noc_i + a.noc_o) * k;
  lc.rf_accesses = (a.rf_w + a.rf_i + a.rf_o) * k;
  lc.status = Combine(hw, lc.glb_accesses, array_words, lc.dram_bytes, &lc);
  if (lc.status != Status::kOk) return lc;
  const double ref = hw.ref_bits;
  lc.e_mac_pj = lc.macs * hw.e_mac * MacScale(hw, bits.w, bits.i);
  lc.e_rf_pj = (a.rf_w * bits.w + a.rf_i * bits.i + a.rf_o * bits.p) * k / ref * hw.e_rf;
  lc.e_noc_pj = (a.noc_w * bits.w + a.noc_i * bits.i + a.noc_o * bits.p) * k / ref * hw.e_noc;
  const double glb_bits = glb_rd_w * bits.w + glb_rd_i * bits.i + glb_o * bits.p + dram_bits;
  lc.e_glb_pj = glb_bits / ref * hw.e_glb;
  lc.e_dram_pj = dram_bits / ref * hw.e_dram;
  lc.glb_peak_bytes = tr.glb_peak_bits / 8.0;
  lc.output_kept = res.keep_output;
  Finish(hw, &lc);
  return lc;
}

namespace {

double Criterion(const LayerCost& lc, Select s) {
  switch (s) {
    case Select::kEdp:
      return lc.energy_pj * lc.latency_s;
    case Select::kEnergy:
      return lc.energy_pj;
    case Select::kLatency:
      return lc.latency_s;
    case Select::kDram:
      return lc.dram_bytes;
  }
  return 0;
}

LayerCost WithFallback(const LoopNest& nest, Dataflow df, const HwView& hw, const Residency& res,
                       double extra_bits, double evict_bits) {
  LayerCost lc = EvaluateLayer(nest, df, hw, res, extra_bits);
  if (lc.status == Status::kOk || !res.Any()) return lc;
  // The requested residency does not fit this layer: every tensor held on chip is written to
  // DRAM (evict_bits) and the layer runs with all its operands in DRAM.
  LayerCost plain = EvaluateLayer(nest, df, hw, Residency{}, extra_bits + evict_bits);
  plain.fell_back = true;
  return plain.status == Status::kOk ? plain : lc;
}

}  // namespace

LayerCost EvaluateLayerAuto(const LoopNest& nest, Dataflow df, const HwView& hw,
                            const Residency& res, Select select, double extra_bits,
                            double evict_bits) {
  if (df != Dataflow::kBest) return WithFallback(nest, df, hw, res, extra_bits, evict_bits);
  if (!nest.is_mac) {
    LayerCost lc = WithFallback(nest, Dataflow::kRS, hw, res, extra_bits, evict_bits);
    lc.dataflow = Dataflow::kBest;
    return lc;
  }
  LayerCost best;
  bool have = false;
  Status worst = Status::kOk;
  for (int d = 0; d < 5; ++d) {
    LayerCost lc = WithFallback(nest, static_cast<Dataflow>(d), hw, res, extra_bits, evict_bits);
    if (lc.status != Status::kOk) {
      if (worst == Status::kOk || lc.status < worst) worst = lc.status;
      continue;
    }
    if (!have || Criterion(lc, select) < Criterion(best, select)) {
      best = lc;
      have = true;
    }
  }
  if (!have) best.status = worst;
  return best;
}

}  // namespace trim::model::detail
