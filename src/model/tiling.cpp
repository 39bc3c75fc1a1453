#include "tiling.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "scoped_memo.hpp"

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

/// Tile extent of one dimension of `extent` (tiled in `unit`s with kUnits) split into `count`.
template <bool kUnits>
[[gnu::always_inline]] inline double ExtentOf(double extent, double unit, double count) {
  if constexpr (!kUnits) {
    return CeilDiv(extent, count);
  } else {
    return TileExtent(extent, unit, count);
  }
}

/// Called by every capacity check (the search's hot path): always inline.
template <bool kUnits>
[[gnu::always_inline]] inline Tile TileOf(const Ctx& x, const Candidate& k) {
  return Tile{
      ExtentOf<kUnits>(x.nest.n, x.unit.n, k.tn), ExtentOf<kUnits>(x.nest.m, x.unit.m, k.tm),
      ExtentOf<kUnits>(x.nest.c, x.unit.c, k.tc), ExtentOf<kUnits>(x.nest.e, x.unit.e, k.te)};
}

/// The capacity check of tile `t` whose e rows need `rows` input rows: the one expression both
/// searches evaluate, so that they agree bit for bit.
[[gnu::always_inline]] inline bool FitsTile(const Ctx& x, const Tile& t, double rows,
                                            double* occupancy_bits) {
  const double wt = t.m * t.c * x.nest.r * x.nest.s * x.bits.w;
  const double it =
      x.res.input_on_chip ? 0.0 : t.n * t.c * rows * x.nest.w_in * x.nest.input_density * x.bits.i;
  const double ot = t.n * t.m * t.e * x.nest.f * x.bits.p;
  const double in_all = x.res.resident_in_bits;
  const double out_all = x.res.resident_out_bits;
  *occupancy_bits = wt + it + ot + in_all + out_all;
  if (!x.hw.glb_split) return *occupancy_bits <= x.hw.glb_bits;
  return wt <= x.hw.glb_weight_bits && it + in_all <= x.hw.glb_input_bits &&
         ot + out_all <= x.hw.glb_output_bits;
}

template <bool kUnits>
bool Fits(const Ctx& x, const Candidate& k, double* occupancy_bits) {
  const Tile t = TileOf<kUnits>(x, k);
  return FitsTile(x, t, TileInputRows(x.nest, t.e), occupancy_bits);
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

// The terms of the DRAM traffic, shared by both searches so that they agree bit for bit.
/// Weights read once (0 when they are on chip).
double WeightOnce(const Ctx& x) { return x.res.weight_on_chip ? 0.0 : x.w_words * x.bits.w; }
/// Inputs read once with `te` tiles of e rows, each needing `rows` input rows (halo included).
[[gnu::always_inline]] inline double InputOnce(const Ctx& x, double te, double rows) {
  const double in_words =
      x.res.input_on_chip ? 0.0 : x.i_row_words * te * rows * x.nest.input_density;
  return in_words * x.bits.i;
}
double FinalOutputs(const Ctx& x) { return x.res.keep_output ? 0.0 : x.o_words * x.bits.o; }
/// Partial sums spilled and read back with `tc` channel tiles.
double PsumSpill(const Ctx& x, double tc) { return 2.0 * (tc - 1) * x.o_words * x.bits.p; }

/// DRAM traffic in bits of one candidate under one loop order (docs/model.md, GLB tiling).
template <bool kUnits>
double Traffic(const Ctx& x, LoopOrder order, const Candidate& k, TilingResult* r) {
  const Tile t = TileOf<kUnits>(x, k);
  const double w = WeightOnce(x);
  const double i = InputOnce(x, k.te, TileInputRows(x.nest, t.e));
  const double o_final = FinalOutputs(x);
  const double psum = PsumSpill(x, k.tc);
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
  std::array<double, 2 * kMaxChain> tn, te;  // filled up to size
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

/// A dimension's chain of tile counts with the tile extent of each count (the fast search).
struct DimChain {
  Chain chain;
  std::array<double, kMaxChain> extent;
};

/// The chain of MakeChain with the extents TileOf gives its counts (TileExtent; with unit 1
/// that is CeilDiv, TileOf<false>).
DimChain MakeDimChain(double extent, double min_tile, double unit) {
  DimChain d;
  d.chain = MakeChain(extent, min_tile, unit);
  for (int i = 0; i < d.chain.size; ++i) {
    d.extent[static_cast<std::size_t>(i)] =
        TileExtent(extent, unit, d.chain.count[static_cast<std::size_t>(i)]);
  }
  return d;
}

/// The chain of ShrinkChain with its extents (TileOf<false>: the shrinking search has unit 1).
DimChain ShrinkDimChain(double extent, const Chain& allowed, double unit) {
  DimChain d;
  d.chain = ShrinkChain(extent, allowed, unit);
  for (int i = 0; i < d.chain.size; ++i) {
    d.extent[static_cast<std::size_t>(i)] =
        CeilDiv(extent, d.chain.count[static_cast<std::size_t>(i)]);
  }
  return d;
}

/// Dimension chains: (extent, minimum tile, unit) -> chain and extents. Layers repeat extents
/// (the batch, channel counts), and designs repeat minimum tiles, so most chains are repeats.
/// The key is complete, so entries serve every design. One memo per dimension (n, m, c, e), so
/// that the four chains of a search never share a slot and can be read in place.
using ChainMemo = ScopedMemo<DimChain, 3, 3, false>;
thread_local std::array<ChainMemo, 4> t_chain_memo;

const DimChain& DimChainOf(int dim, double extent, double min_tile, double unit) {
  bool hit = false;
  DimChain* d = t_chain_memo[static_cast<std::size_t>(dim)].Find(
      ChainMemo::KeyOf({extent, min_tile, unit}), &hit);
  if (!hit) *d = MakeDimChain(extent, min_tile, unit);
  return *d;
}

/// The fast search (SearchTiling): the same candidates, loop orders and choice as SearchOrders
/// (the reference), found with fewer capacity checks and traffic evaluations:
///  - tile extents, input rows and traffic terms are computed once per chain index, so that a
///    capacity check is a few products with no division (FitsTile, as the reference);
///  - the pixel boundaries the reference finds by binary search for every filter (or channel)
///    tile are monotone in that tile, so one sweep finds them all;
///  - the reference keeps the candidate of least (DRAM bits, tiles), the first in its order on a
///    tie. So the fast search first finds the least DRAM bits, using that each order's traffic
///    is monotone in the count that order does not need a capacity check to evaluate (outputs
///    resident: the filter count; inputs resident: the channel count), and a lower bound for the
///    weights-resident candidates (their partial sums never fewer than the previous pixel's);
///    then it compares tiles and reference order only among the candidates with those bits.
/// Rounding is monotone (x <= y gives fl(x * a) <= fl(y * a) and fl(x + a) <= fl(y + a) for
/// a >= 0), so the monotonicity and the bounds hold for the computed doubles, and every value
/// that reaches the result is computed by the reference's own expression.
template <bool kUnits>
class FastSearch {
 public:
  FastSearch(const Ctx& x, const DimChain& n, const DimChain& m, const DimChain& c,
             const DimChain& e)
      : x_(x), m_(m.chain), c_(c.chain), pc_(MakePixelChain(n.chain, e.chain)) {
    np_ = pc_.size;
    nm_ = m_.size;
    nc_ = c_.size;
    w_ = WeightOnce(x);
    o_final_ = FinalOutputs(x);
    for (int im = 0; im < nm_; ++im) mt_[U(im)] = m.extent[U(im)];
    for (int ic = 0; ic < nc_; ++ic) {
      ct_[U(ic)] = c.extent[U(ic)];
      psum_[U(ic)] = PsumSpill(x, c_.count[U(ic)]);
    }
    // The pixel list of MakePixelChain, with the extents of its counts.
    int ip = 0;
    for (int i = e.chain.size - 1; i >= 0; --i, ++ip) {
      nt_[U(ip)] = n.extent[U(n.chain.size - 1)];
      et_[U(ip)] = e.extent[U(i)];
    }
    for (int i = n.chain.size - 2; i >= 0; --i, ++ip) {
      nt_[U(ip)] = n.extent[U(i)];
      et_[U(ip)] = e.extent[0];  // count 1
    }
    for (ip = 0; ip < np_; ++ip) {
      rows_[U(ip)] = TileInputRows(x.nest, et_[U(ip)]);
      in_[U(ip)] = InputOnce(x, pc_.te[U(ip)], rows_[U(ip)]);
      wn_[U(ip)] = w_ * pc_.tn[U(ip)] * pc_.te[U(ip)];
    }
  }

  void Run(TilingResult* best) {
    Boundaries();
    double least = kNone;
    LeastOutputResident(&least);
    LeastWeightResident(&least);
    LeastInputResident(&least);
    if (least == kNone) return;  // no candidate fits
    Pick pick;
    TiesOutputResident(least, &pick);
    TiesInputResident(least, &pick);
    for (int k = 0; k < n_wr_; ++k) {
      const WrEntry& e = wr_[U(k)];
      if (e.bits == least)
        pick.Offer(Tiles(e.ip, e.im, e.ic), Rank(2, e.im, e.ip), LoopOrder::kWeightResident, e.ip,
                   e.im, e.ic);
    }
    *best = Result(pick);
  }

 private:
  static constexpr double kNone = std::numeric_limits<double>::infinity();
  static std::size_t U(int i) { return static_cast<std::size_t>(i); }
  static int Rank(int order, int outer, int ip) {
    return (order * kMaxChain + outer) * 2 * kMaxChain + ip;
  }

  struct Pick {
    bool any = false;
    double tiles = 0;
    int rank = 0;
    LoopOrder order = LoopOrder::kOutputResident;
    int ip = 0, im = 0, ic = 0;
    void Offer(double t, int r, LoopOrder o, int p, int m, int c) {
      if (any && (t > tiles || (t == tiles && r > rank))) return;
      any = true;
      tiles = t;
      rank = r;
      order = o;
      ip = p;
      im = m;
      ic = c;
    }
  };
  struct WrEntry {
    double bits;
    int ip, im, ic;
  };

  [[nodiscard]] bool Fits(int ip, int im, int ic) const {
    double occ = 0;
    return FitsTile(x_, Tile{nt_[U(ip)], mt_[U(im)], ct_[U(ic)], et_[U(ip)]}, rows_[U(ip)], &occ);
  }
  /// The reference's tile count of a candidate.
  [[nodiscard]] double Tiles(int ip, int im, int ic) const {
    return pc_.tn[U(ip)] * m_.count[U(im)] * c_.count[U(ic)] * pc_.te[U(ip)];
  }
  /// The least channel count index that fits (the largest channel tile), at least `lo`;
  /// REQUIRES: the smallest channel tile fits.
  [[nodiscard]] int LargestC(int ip, int im, int lo) const {
    int hi = nc_ - 1;
    while (lo < hi) {  // fits is monotone: larger count = smaller tile
      const int mid = (lo + hi) / 2;
      if (Fits(ip, im, mid)) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return hi;
  }
  // DRAM bits of each order, summed as TilingResult::DramBits sums the fields Traffic sets.
  [[nodiscard]] double BitsOutputResident(int ip, int im) const {
    return wn_[U(ip)] + in_[U(ip)] * m_.count[U(im)] + o_final_ + 0.0;
  }
  [[nodiscard]] double BitsInputResident(int ip, int ic) const {
    return wn_[U(ip)] + in_[U(ip)] + o_final_ + psum_[U(ic)];
  }
  [[nodiscard]] double BitsWeightResident(int ip, int im, int ic) const {
    return w_ + in_[U(ip)] * m_.count[U(im)] + o_final_ + psum_[U(ic)];
  }

  /// The last pixel that fits at each filter count with the smallest channel tile (the
  /// reference's LastFittingPixel of the outputs- and weights-resident loops): non-decreasing
  /// in the count, so one sweep.
  void Boundaries() {
    int p = -1;
    for (int im = 0; im < nm_; ++im) {
      while (p + 1 < np_ && Fits(p + 1, im, nc_ - 1)) ++p;
      last_m_[U(im)] = p;
    }
  }

  /// Outputs resident: pixel ip is a candidate at every filter count from first_m_[ip] on, and
  /// its bits grow with the count, so its least bits are at first_m_[ip].
  void LeastOutputResident(double* least) {
    int im = 0;
    for (int ip = 0; ip < np_; ++ip) {
      while (im < nm_ && last_m_[U(im)] < ip) ++im;
      first_m_[U(ip)] = im;
      if (im < nm_) *least = std::min(*least, BitsOutputResident(ip, im));
    }
  }
  /// Inputs resident (last, when the least bits of the other orders bound it): pixel ip is a
  /// candidate at every channel count from its first fitting one on (the reference's
  /// LastFittingPixel at the smallest filter tile is non-decreasing in the channel count), and
  /// its bits grow with the count (partial sums), so its least bits are at that first count.
  /// A pixel whose bits with no partial sums exceed the least so far is skipped unchecked.
  void LeastInputResident(double* least) {
    const int im = nm_ - 1;
    int lo = 0;  // the first channel count never decreases along the pixels
    for (int ip = 0; ip < np_; ++ip) {
      first_c_[U(ip)] = nc_;
      if (BitsInputResident(ip, 0) > *least || !Fits(ip, im, nc_ - 1)) continue;
      lo = LargestC(ip, im, lo);
      first_c_[U(ip)] = lo;
      *least = std::min(*least, BitsInputResident(ip, lo));
    }
  }
  /// Weights resident: every (filter, pixel) candidate whose lower bound reaches the least
  /// bits so far is evaluated; the ones at the least bits so far are kept for the tie-break.
  void LeastWeightResident(double* least) {
    n_wr_ = 0;
    // The least input term of the pixels up to each index: a bound for a whole filter count.
    std::array<double, 2 * kMaxChain> in_least;
    for (int ip = 0; ip < np_; ++ip) {
      in_least[U(ip)] = ip == 0 ? in_[0] : std::min(in_least[U(ip - 1)], in_[U(ip)]);
    }
    for (int im = 0; im < nm_; ++im) {
      const int last = last_m_[U(im)];
      if (last < 0 || w_ + in_least[U(last)] * m_.count[U(im)] + o_final_ + psum_[0] > *least) {
        continue;
      }
      int lo = 0;  // the channel count index never decreases along the pixels
      for (int ip = 0; ip <= last; ++ip) {
        if (BitsWeightResident(ip, im, lo) > *least) continue;
        const int ic = LargestC(ip, im, lo);
        lo = ic;
        const double bits = BitsWeightResident(ip, im, ic);
        if (bits > *least) continue;
        if (bits < *least) {
          *least = bits;
          n_wr_ = 0;
        }
        wr_[U(n_wr_++)] = WrEntry{bits, ip, im, ic};
      }
    }
  }

  /// The winner's fields, as Consider sets them (Fits, Traffic, TileOf): the same expressions
  /// on the same values.
  [[nodiscard]] TilingResult Result(const Pick& p) const {
    const auto ip = U(p.ip), im = U(p.im), ic = U(p.ic);
    TilingResult r;
    switch (p.order) {
      case LoopOrder::kOutputResident:
        r.dram_rd_w_bits = wn_[ip];
        r.dram_rd_i_bits = in_[ip] * m_.count[im];
        r.dram_psum_bits = 0;
        break;
      case LoopOrder::kWeightResident:
        r.dram_rd_w_bits = w_;
        r.dram_rd_i_bits = in_[ip] * m_.count[im];
        r.dram_psum_bits = psum_[ic];
        break;
      case LoopOrder::kInputResident:
        r.dram_rd_w_bits = wn_[ip];
        r.dram_rd_i_bits = in_[ip];
        r.dram_psum_bits = psum_[ic];
        break;
    }
    r.dram_wr_o_bits = o_final_;
    r.feasible = true;
    r.order = p.order;
    r.tn = pc_.tn[ip];
    r.tm = m_.count[im];
    r.tc = c_.count[ic];
    r.te = pc_.te[ip];
    r.tile = Tile{nt_[ip], mt_[im], ct_[ic], et_[ip]};
    FitsTile(x_, r.tile, rows_[ip], &r.glb_peak_bits);
    return r;
  }

  void TiesOutputResident(double least, Pick* pick) const {
    for (int ip = 0; ip < np_; ++ip) {
      for (int im = first_m_[U(ip)]; im < nm_ && BitsOutputResident(ip, im) == least; ++im) {
        const int ic = LargestC(ip, im, 0);
        pick->Offer(Tiles(ip, im, ic), Rank(0, im, ip), LoopOrder::kOutputResident, ip, im, ic);
      }
    }
  }
  void TiesInputResident(double least, Pick* pick) const {
    const int im = nm_ - 1;
    for (int ip = 0; ip < np_; ++ip) {
      for (int ic = first_c_[U(ip)]; ic < nc_ && BitsInputResident(ip, ic) == least; ++ic) {
        pick->Offer(Tiles(ip, im, ic), Rank(1, ic, ip), LoopOrder::kInputResident, ip, im, ic);
      }
    }
  }

  const Ctx& x_;
  const Chain& m_;
  const Chain& c_;
  const PixelChain pc_;
  int np_ = 0, nm_ = 0, nc_ = 0;
  double w_ = 0, o_final_ = 0;
  // Filled up to the chain sizes before they are read (left uninitialised: no zeroing per search).
  std::array<double, kMaxChain> mt_, ct_, psum_;
  std::array<double, 2 * kMaxChain> nt_, et_, rows_, in_, wn_;
  std::array<int, kMaxChain> last_m_;
  std::array<int, 2 * kMaxChain> first_m_, first_c_;
  std::array<WrEntry, kMaxChain * 2 * kMaxChain> wr_;
  int n_wr_ = 0;
};

/// The search of SearchTiling (kFast: FastSearch) or SearchTilingReference (SearchOrders).
template <bool kFast>
TilingResult Search(const LoopNest& nest, const HwView& hw, const RoleBits& bits,
                    const MapParams& mp, const Residency& res, bool shrink) {
  const Ctx x = ContextOf(nest, hw, bits, res, shrink ? Tile{} : mp.unit);
  TilingResult best;
  // Everything at once: the compulsory traffic, the least any tiling can reach.
  Consider<false>(x, LoopOrder::kOutputResident, Candidate{1, 1, 1, 1}, &best);
  if (best.feasible) return best;

  const Tile& u = mp.unit;
  const bool units = u.n != 1 || u.m != 1 || u.c != 1 || u.e != 1;
  if constexpr (kFast) {
    const DimChain& n = DimChainOf(0, nest.n, mp.min_tile.n, u.n);
    const DimChain& m = DimChainOf(1, nest.m, mp.min_tile.m, u.m);
    const DimChain& c = DimChainOf(2, nest.c, mp.min_tile.c, u.c);
    const DimChain& e = DimChainOf(3, nest.e, mp.min_tile.e, u.e);
    if (shrink) {
      FastSearch<false>(x, ShrinkDimChain(nest.n, n.chain, u.n),
                        ShrinkDimChain(nest.m, m.chain, u.m), ShrinkDimChain(nest.c, c.chain, u.c),
                        ShrinkDimChain(nest.e, e.chain, u.e))
          .Run(&best);
    } else if (units) {
      FastSearch<true>(x, n, m, c, e).Run(&best);
    } else {
      FastSearch<false>(x, n, m, c, e).Run(&best);
    }
  } else {
    const Chain n_chain = MakeChain(nest.n, mp.min_tile.n, u.n);
    const Chain m_chain = MakeChain(nest.m, mp.min_tile.m, u.m);
    const Chain c_chain = MakeChain(nest.c, mp.min_tile.c, u.c);
    const Chain e_chain = MakeChain(nest.e, mp.min_tile.e, u.e);
    if (shrink) {
      SearchOrders<false>(x, ShrinkChain(nest.n, n_chain, u.n), ShrinkChain(nest.m, m_chain, u.m),
                          ShrinkChain(nest.c, c_chain, u.c), ShrinkChain(nest.e, e_chain, u.e),
                          &best);
    } else if (units) {
      SearchOrders<true>(x, n_chain, m_chain, c_chain, e_chain, &best);
    } else {
      SearchOrders<false>(x, n_chain, m_chain, c_chain, e_chain, &best);
    }
  }
  if (shrink && !best.feasible) {
    // Not even the minimum mapping fits: what it needs against what the buffer has.
    Shortfall(x, Candidate{nest.n, nest.m, nest.c, nest.e}, &best);
  }
  return best;
}

}  // namespace

TilingResult SearchTilingReference(const LoopNest& nest, const HwView& hw, const RoleBits& bits,
                                   const MapParams& mp, const Residency& res, bool shrink) {
  return Search<false>(nest, hw, bits, mp, res, shrink);
}

namespace {

/// Searches: everything SearchTiling reads -> its result. The key is complete (the nest's
/// extents, the role precisions, the minimum tile and unit, the residency, and the buffer
/// capacities and split, which are all the search reads of a design), so entries serve every
/// design: designs that differ only in what the search does not read (register files,
/// energies, bandwidths) share their searches. The buffer capacities come last (compared,
/// not hashed).
using TilingMemo = ScopedMemo<TilingResult, 32, 28, false>;

TilingMemo::Key TilingKey(const LoopNest& nest, const HwView& hw, const RoleBits& bits,
                          const MapParams& mp, const Residency& res, bool shrink) {
  return TilingMemo::KeyOf(
      {nest.g,
       nest.n,
       nest.m,
       nest.c,
       nest.e,
       nest.f,
       nest.r,
       nest.s,
       nest.stride,
       nest.r_span,
       nest.h_in,
       nest.w_in,
       nest.input_density,
       bits.w,
       bits.i,
       bits.o,
       bits.p,
       mp.min_tile.n,
       mp.min_tile.m,
       mp.min_tile.c,
       mp.min_tile.e,
       mp.unit.n,
       mp.unit.m,
       mp.unit.c,
       mp.unit.e,
       res.resident_in_bits,
       res.resident_out_bits,
       static_cast<double>(nest.is_mac | hw.glb_split << 1 | res.input_on_chip << 2 |
                           res.weight_on_chip << 3 | res.keep_output << 4 | shrink << 5),
       hw.glb_bits,
       hw.glb_weight_bits,
       hw.glb_input_bits,
       hw.glb_output_bits});
}

thread_local TilingMemo t_memo;
thread_local bool t_reference = false;

}  // namespace

void UseReferenceTiling(bool on) { t_reference = on; }
bool ReferenceTiling() { return t_reference; }

TilingResult SearchTiling(const LoopNest& nest, const HwView& hw, const RoleBits& bits,
                          const MapParams& mp, const Residency& res, bool shrink) {
  if (t_reference) return Search<false>(nest, hw, bits, mp, res, shrink);
  bool hit = false;
  TilingResult* r = t_memo.Find(TilingKey(nest, hw, bits, mp, res, shrink), &hit);
  if (!hit) *r = Search<true>(nest, hw, bits, mp, res, shrink);
  return *r;
}

bool RegularTileFits(const LoopNest& nest, const HwView& hw, const RoleBits& bits,
                     const MapParams& mp, const Residency& res) {
  const Ctx x = ContextOf(nest, hw, bits, res, mp.unit);
  const Tile& u = mp.unit;
  // The chains of the search (from this design's memo; MakeChain's counts).
  const auto last = [](const DimChain& d) { return d.chain.count[d.chain.size - 1]; };
  const Candidate k{last(DimChainOf(0, nest.n, mp.min_tile.n, u.n)),
                    last(DimChainOf(1, nest.m, mp.min_tile.m, u.m)),
                    last(DimChainOf(2, nest.c, mp.min_tile.c, u.c)),
                    last(DimChainOf(3, nest.e, mp.min_tile.e, u.e))};
  double occ = 0;
  return Fits<true>(x, k, &occ);
}

}  // namespace trim::model::detail
