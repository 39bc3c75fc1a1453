#include "tiling.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

namespace trim::model::detail {
namespace {

constexpr int kMaxChain = 24;

double CeilDiv(double a, double b) { return std::ceil(a / b); }

/// Tile counts for one dimension, from the largest tile (count 1) to the smallest allowed
/// (tile >= min_tile): 1, 2, 4, ... and the largest allowed count.
struct Chain {
  std::array<double, kMaxChain> count{};
  int size = 0;
};

/// A count T makes tiles of ceil(extent / T), that is ceil(extent / ceil(extent / T)) tiles
/// (fewer than T when the last tiles would be empty): keeps that count, each once, so that the
/// traffic of section 5 counts the tiles that exist. Integer arithmetic where exact.
void KeepActualCounts(double extent, Chain* ch) {
  int kept = 0;
  const bool exact = extent < 4503599627370496.0;  // 2^52: int64 sums cannot overflow
  const auto e = static_cast<std::int64_t>(extent);
  for (int i = 0; i < ch->size; ++i) {
    double tiles = 0;
    if (exact) {
      const auto t = static_cast<std::int64_t>(ch->count[i]);
      const std::int64_t tile = (e + t - 1) / t;
      tiles = static_cast<double>((e + tile - 1) / tile);
    } else {
      tiles = CeilDiv(extent, CeilDiv(extent, ch->count[i]));
    }
    if (kept == 0 || tiles > ch->count[kept - 1]) ch->count[kept++] = tiles;
  }
  ch->size = kept;
}

/// Tile extent of a dimension split into `count` tiles of whole `unit`s (the last tile may be
/// shorter); unit 1 gives ceil(extent / count).
double TileExtent(double extent, double unit, double count) {
  if (unit == 1) return CeilDiv(extent, count);
  return std::min(extent, CeilDiv(CeilDiv(extent, unit), count) * unit);
}

/// Counts in units: the chain of a dimension of `extent` elements tiled in whole `unit`s.
Chain MakeChain(double extent, double min_tile, double unit) {
  if (unit != 1) {
    extent = CeilDiv(extent, unit);
    min_tile = CeilDiv(min_tile, unit);
  }
  Chain ch;
  // Largest count T with ceil(extent / T) >= min_tile.
  double t_max = extent;
  if (min_tile > 1) t_max = std::max(1.0, std::ceil(extent / (min_tile - 1)) - 1);
  while (t_max > 1 && CeilDiv(extent, t_max) < min_tile) t_max -= 1;
  for (double t = 1; t < t_max && ch.size < kMaxChain - 1; t *= 2) ch.count[ch.size++] = t;
  ch.count[ch.size++] = t_max;
  KeepActualCounts(extent, &ch);
  return ch;
}

/// Tile counts below the fold-filling minimum, in elements: from the smallest allowed tile of
/// `allowed` (tiled in `unit`s) doubling down to tiles of one element.
Chain ShrinkChain(double extent, const Chain& allowed, double unit) {
  Chain ch;
  const double smallest = TileExtent(extent, unit, allowed.count[allowed.size - 1]);
  const double t_min = CeilDiv(extent, smallest);
  for (double t = t_min; t < extent && ch.size < kMaxChain - 1; t *= 2) ch.count[ch.size++] = t;
  ch.count[ch.size++] = extent;
  KeepActualCounts(extent, &ch);
  return ch;
}

struct Ctx {
  const LoopNest& nest;
  const HwView& hw;
  const RoleBits& bits;
  const Residency& res;
  double w_words, i_row_words, o_words;
  Tile unit;  ///< tiles are whole multiples of these extents (the last one may be shorter)
};

struct Candidate {
  double tn, tm, tc, te;
};

/// Called by every capacity check (the search's hot path): always inline.
template <bool kUnits>
[[gnu::always_inline]] inline Tile TileOf(const Ctx& x, const Candidate& k) {
  if constexpr (!kUnits) {
    return Tile{CeilDiv(x.nest.n, k.tn), CeilDiv(x.nest.m, k.tm), CeilDiv(x.nest.c, k.tc),
                CeilDiv(x.nest.e, k.te)};
  } else {
    return Tile{TileExtent(x.nest.n, x.unit.n, k.tn), TileExtent(x.nest.m, x.unit.m, k.tm),
                TileExtent(x.nest.c, x.unit.c, k.tc), TileExtent(x.nest.e, x.unit.e, k.te)};
  }
}

template <bool kUnits>
bool Fits(const Ctx& x, const Candidate& k, double* occupancy_bits) {
  const Tile t = TileOf<kUnits>(x, k);
  const double wt = t.m * t.c * x.nest.r * x.nest.s * x.bits.w;
  const double it = x.res.input_on_chip ? 0.0
                                        : t.n * t.c * TileInputRows(x.nest, t.e) * x.nest.w_in *
                                              x.nest.input_density * x.bits.i;
  const double ot = t.n * t.m * t.e * x.nest.f * x.bits.p;
  const double in_all = x.res.resident_in_bits;
  const double out_all = x.res.resident_out_bits;
  *occupancy_bits = wt + it + ot + in_all + out_all;
  if (!x.hw.glb_split) return *occupancy_bits <= x.hw.glb_bits;
  return wt <= x.hw.glb_weight_bits && it + in_all <= x.hw.glb_input_bits &&
         ot + out_all <= x.hw.glb_output_bits;
}

/// The need and the capacity of the storage that candidate `k` overflows (shared buffer, or
/// the first partition that overflows).
void Shortfall(const Ctx& x, const Candidate& k, TilingResult* r) {
  double occ = 0;
  if (Fits<false>(x, k, &occ)) return;
  r->need_bits = occ;
  r->have_bits = x.hw.glb_bits;
  if (!x.hw.glb_split) return;
  const Tile t = TileOf<false>(x, k);
  const double wt = t.m * t.c * x.nest.r * x.nest.s * x.bits.w;
  const double ot = t.n * t.m * t.e * x.nest.f * x.bits.p + x.res.resident_out_bits;
  const double it = occ - wt - ot;
  if (wt > x.hw.glb_weight_bits) {
    r->need_bits = wt;
    r->have_bits = x.hw.glb_weight_bits;
  } else if (it > x.hw.glb_input_bits) {
    r->need_bits = it;
    r->have_bits = x.hw.glb_input_bits;
  } else {
    r->need_bits = ot;
    r->have_bits = x.hw.glb_output_bits;
  }
}

/// DRAM traffic in bits of one candidate under one loop order (docs/model.md, GLB tiling).
template <bool kUnits>
double Traffic(const Ctx& x, LoopOrder order, const Candidate& k, TilingResult* r) {
  const Tile t = TileOf<kUnits>(x, k);
  const double in_words = x.res.input_on_chip ? 0.0
                                              : x.i_row_words * k.te * TileInputRows(x.nest, t.e) *
                                                    x.nest.input_density;
  const double w = x.res.weight_on_chip ? 0.0 : x.w_words * x.bits.w;
  const double i = in_words * x.bits.i;
  const double o_final = x.res.keep_output ? 0.0 : x.o_words * x.bits.o;
  const double psum = 2.0 * (k.tc - 1) * x.o_words * x.bits.p;
  switch (order) {
    case LoopOrder::kOutputResident:  // c innermost: psums complete on chip
      r->dram_rd_w_bits = w * k.tn * k.te;
      r->dram_rd_i_bits = i * k.tm;
      r->dram_psum_bits = 0;
      break;
    case LoopOrder::kWeightResident:  // n, e innermost: each weight tile fetched once
      r->dram_rd_w_bits = w;
      r->dram_rd_i_bits = i * k.tm;
      r->dram_psum_bits = psum;
      break;
    case LoopOrder::kInputResident:  // m innermost: each input tile fetched once
      r->dram_rd_w_bits = w * k.tn * k.te;
      r->dram_rd_i_bits = i;
      r->dram_psum_bits = psum;
      break;
  }
  r->dram_wr_o_bits = o_final;
  return r->DramBits();
}

template <bool kUnits>
void Consider(const Ctx& x, LoopOrder order, const Candidate& k, TilingResult* best) {
  double occ = 0;
  if (!Fits<kUnits>(x, k, &occ)) return;
  TilingResult r;
  const double bits = Traffic<kUnits>(x, order, k, &r);
  const double tiles = k.tn * k.tm * k.tc * k.te;
  if (best->feasible) {
    const double best_bits = best->DramBits();
    if (bits > best_bits || (bits == best_bits && tiles >= best->Tiles())) return;
  }
  r.feasible = true;
  r.order = order;
  r.tn = k.tn;
  r.tm = k.tm;
  r.tc = k.tc;
  r.te = k.te;
  r.tile = TileOf<kUnits>(x, k);
  r.glb_peak_bits = occ;
  *best = r;
}

/// Pixel tiles (n, e) ordered from the smallest to the largest: shrink the e count to 1, then
/// the n count to 1. Tile sizes never decrease along the list.
struct PixelChain {
  std::array<double, 2 * kMaxChain> tn{}, te{};
  int size = 0;
};

PixelChain MakePixelChain(const Chain& n_chain, const Chain& e_chain) {
  PixelChain pc;
  const double tn_max = n_chain.count[n_chain.size - 1];
  for (int i = e_chain.size - 1; i >= 0; --i) {
    pc.tn[pc.size] = tn_max;
    pc.te[pc.size++] = e_chain.count[i];
  }
  for (int i = n_chain.size - 2; i >= 0; --i) {
    pc.tn[pc.size] = n_chain.count[i];
    pc.te[pc.size++] = 1;
  }
  return pc;
}

/// Index of the last pixel tile that fits with the other counts fixed, or -1.
template <bool kUnits>
int LastFittingPixel(const Ctx& x, const PixelChain& pc, double tm, double tc) {
  double occ = 0;
  int lo = 0, hi = pc.size - 1, found = -1;
  while (lo <= hi) {
    const int mid = (lo + hi) / 2;
    if (Fits<kUnits>(x, Candidate{pc.tn[mid], tm, tc, pc.te[mid]}, &occ)) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/// Index (in count order, largest tile first) of the largest c tile that fits, or -1.
template <bool kUnits>
int LargestFittingC(const Ctx& x, const Chain& c_chain, double tn, double tm, double te) {
  double occ = 0;
  int lo = 0, hi = c_chain.size - 1, found = -1;
  while (lo <= hi) {  // fits is monotone: larger count = smaller tile
    const int mid = (lo + hi) / 2;
    if (Fits<kUnits>(x, Candidate{tn, tm, c_chain.count[mid], te}, &occ)) {
      found = mid;
      hi = mid - 1;
    } else {
      lo = mid + 1;
    }
  }
  return found;
}

}  // namespace

double TileInputRows(const LoopNest& nest, double e) {
  const double window = (e - 1) * nest.stride + nest.r_span;
  // With a stride larger than the window, rows between windows are never read.
  return std::min(nest.h_in, std::min(window, e * nest.r_span));
}

namespace {

/// The three loop orders over the candidate tiles of the given chains.
template <bool kUnits>
void SearchOrders(const Ctx& x, const Chain& n_chain, const Chain& m_chain, const Chain& c_chain,
                  const Chain& e_chain, TilingResult* best_out) {
  TilingResult& best = *best_out;
  const PixelChain pc = MakePixelChain(n_chain, e_chain);
  const double tm_min_tile = m_chain.count[m_chain.size - 1];
  const double tc_min_tile = c_chain.count[c_chain.size - 1];

  // Outputs resident: c innermost; every pixel tile that fits with the smallest c tile (the
  // input halo makes the traffic not monotone along the pixel list, so all are compared).
  for (int im = 0; im < m_chain.size; ++im) {
    const int last = LastFittingPixel<kUnits>(x, pc, m_chain.count[im], tc_min_tile);
    for (int ip = 0; ip <= last; ++ip) {
      // The c tile does not change this order's DRAM traffic; the largest that fits makes
      // the fewest tiles (less psum traffic through the GLB).
      const int ic = LargestFittingC<kUnits>(x, c_chain, pc.tn[ip], m_chain.count[im], pc.te[ip]);
      Consider<kUnits>(x, LoopOrder::kOutputResident,
                       Candidate{pc.tn[ip], m_chain.count[im], c_chain.count[ic], pc.te[ip]},
                       &best);
    }
  }
  // Inputs resident: m innermost at its smallest tile.
  for (int ic = 0; ic < c_chain.size; ++ic) {
    const int last = LastFittingPixel<kUnits>(x, pc, tm_min_tile, c_chain.count[ic]);
    for (int ip = 0; ip <= last; ++ip) {
      Consider<kUnits>(x, LoopOrder::kInputResident,
                       Candidate{pc.tn[ip], tm_min_tile, c_chain.count[ic], pc.te[ip]}, &best);
    }
  }
  // Weights resident: for each filter and pixel tile, the largest fitting channel tile.
  for (int im = 0; im < m_chain.size; ++im) {
    for (int ip = 0; ip < pc.size; ++ip) {
      const int ic = LargestFittingC<kUnits>(x, c_chain, pc.tn[ip], m_chain.count[im], pc.te[ip]);
      if (ic < 0) break;  // larger pixel tiles fit even less
      Consider<kUnits>(x, LoopOrder::kWeightResident,
                       Candidate{pc.tn[ip], m_chain.count[im], c_chain.count[ic], pc.te[ip]},
                       &best);
    }
  }
}

}  // namespace

namespace {

/// The search context of a nest whose tiles are whole multiples of `unit`.
Ctx ContextOf(const LoopNest& nest, const HwView& hw, const RoleBits& bits, const Residency& res,
              const Tile& unit) {
  return Ctx{nest,
             hw,
             bits,
             res,
             nest.WeightElems(),
             nest.g * nest.n * nest.c * nest.w_in,
             nest.OutputElems(),
             unit};
}

}  // namespace

bool RegularTileFits(const LoopNest& nest, const HwView& hw, const RoleBits& bits,
                     const MapParams& mp, const Residency& res) {
  const Ctx x = ContextOf(nest, hw, bits, res, mp.unit);
  const Tile& u = mp.unit;
  const auto last = [](const Chain& ch) { return ch.count[ch.size - 1]; };
  const Candidate k{
      last(MakeChain(nest.n, mp.min_tile.n, u.n)), last(MakeChain(nest.m, mp.min_tile.m, u.m)),
      last(MakeChain(nest.c, mp.min_tile.c, u.c)), last(MakeChain(nest.e, mp.min_tile.e, u.e))};
  double occ = 0;
  return Fits<true>(x, k, &occ);
}

TilingResult SearchTiling(const LoopNest& nest, const HwView& hw, const RoleBits& bits,
                          const MapParams& mp, const Residency& res, bool shrink) {
  const Ctx x = ContextOf(nest, hw, bits, res, shrink ? Tile{} : mp.unit);
  TilingResult best;
  // Everything at once: the compulsory traffic, the least any tiling can reach.
  Consider<false>(x, LoopOrder::kOutputResident, Candidate{1, 1, 1, 1}, &best);
  if (best.feasible) return best;

  const Tile& u = mp.unit;
  const Chain n_chain = MakeChain(nest.n, mp.min_tile.n, u.n);
  const Chain m_chain = MakeChain(nest.m, mp.min_tile.m, u.m);
  const Chain c_chain = MakeChain(nest.c, mp.min_tile.c, u.c);
  const Chain e_chain = MakeChain(nest.e, mp.min_tile.e, u.e);
  const bool units = u.n != 1 || u.m != 1 || u.c != 1 || u.e != 1;
  if (shrink) {
    SearchOrders<false>(x, ShrinkChain(nest.n, n_chain, u.n), ShrinkChain(nest.m, m_chain, u.m),
                        ShrinkChain(nest.c, c_chain, u.c), ShrinkChain(nest.e, e_chain, u.e),
                        &best);
  } else if (units) {
    SearchOrders<true>(x, n_chain, m_chain, c_chain, e_chain, &best);
  } else {
    SearchOrders<false>(x, n_chain, m_chain, c_chain, e_chain, &best);
  }
  if (shrink && !best.feasible) {
    // Not even the minimum mapping fits: what it needs against what the buffer has.
    Shortfall(x, Candidate{nest.n, nest.m, nest.c, nest.e}, &best);
  }
  return best;
}

}  // namespace trim::model::detail
