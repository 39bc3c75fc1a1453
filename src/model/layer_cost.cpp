#include "layer_cost.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstring>

#include "mapping.hpp"
#include "scoped_memo.hpp"

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

// The cost stage reads the fields every RS candidate of a record shares (kind, dataflow, work,
// operand widths, the spill's word width) from the record `m`, and the counts that differ
// between candidates from `p`: the record itself (its own mapping) or one of its candidates
// (MapPoint, whose fields have the same names). So a candidate is costed without building a
// record for it.

/// Energy of the MACs (or vector operations): the same for every candidate of a record.
[[gnu::always_inline]] inline double MacPj(const LayerMap& m, const HwView& hw) {
  if (hw.physical) return m.work * PhysicalMacPj(hw, m.mac_bits_a, m.mac_bits_b);
  return m.work * hw.e_mac * MacScale(hw, m.mac_bits_a, m.mac_bits_b);
}

/// GLB accesses and DRAM bits of a mapping with `spill_bits` added, summed in the order of
/// the reference formulas (docs/model.md, sections 6 and 8).
struct Traffic {
  double glb_accesses = 0, dram_bits = 0, dram_bytes = 0;
};

/// `spill_words`: spill_bits / m.spill_word_bits.
template <class P>
[[gnu::always_inline]] inline Traffic TrafficOf(const LayerMap& m, const P& p, double spill_bits,
                                                double spill_words) {
  Traffic t;
  t.glb_accesses = m.kind == MapKind::kMac ? p.array_words + (p.glb_words + spill_words)
                                           : p.glb_words + spill_words;
  t.dram_bits = p.dram_bits + spill_bits;
  t.dram_bytes = t.dram_bits / 8.0;
  return t;
}

Traffic TrafficOf(const LayerMap& m, double spill_bits) {
  return TrafficOf(m, m, spill_bits, spill_bits / m.spill_word_bits);
}

bool ZeroBandwidth(const HwView& hw, double glb_words, double noc_words, double dram_bytes) {
  // The usual design, every bandwidth and the clock positive, answers in four comparisons.
  if (hw.BandwidthsPositive()) return false;
  return (glb_words > 0 && hw.glb_words_per_cycle <= 0) ||
         (noc_words > 0 && hw.noc_words_per_cycle <= 0) ||
         (dram_bytes > 0 && hw.dram_bytes_per_cycle <= 0) || hw.clock_hz <= 0;
}

/// The busiest buffer-to-array network, in cycles. REQUIRES: hw.buses.
template <class P>
[[gnu::always_inline]] inline double BusCycles(const HwView& hw, const P& p) {
  return std::max(
      {p.bus_w_bits * hw.bus_w_inv, p.bus_i_bits * hw.bus_i_inv, p.bus_o_bits * hw.bus_o_inv});
}

/// The cycle counts of a cost (the LayerCost fields of the same names).
struct Time {
  double compute_cycles = 0, glb_cycles = 0, noc_cycles = 0, dram_cycles = 0, bus_cycles = 0;
  double cycles = 0, latency_s = 0;
};

/// Cycles from compute, the transfer bounds and the buffer-to-array networks (docs/model.md,
/// section 6), under DRAM timing kTiming (p.timing). The NoC carries p.array_words.
/// REQUIRES: !ZeroBandwidth(...).
template <DramTiming kTiming, class P>
[[gnu::always_inline]] inline Time TimeOf(const HwView& hw, const LayerMap& m, const P& p,
                                          const Traffic& t) {
  Time c;
  c.compute_cycles = p.compute_cycles;
  c.glb_cycles = t.glb_accesses > 0 ? t.glb_accesses / hw.glb_words_per_cycle : 0.0;
  c.noc_cycles = p.array_words > 0 ? p.array_words / hw.noc_words_per_cycle : 0.0;
  c.dram_cycles = t.dram_bytes > 0 ? t.dram_bytes / hw.dram_bytes_per_cycle : 0.0;
  if (hw.buses) {  // cycles per bit are 0 for a network that is not modelled
    c.bus_cycles = BusCycles(hw, p);
    // The array waits for the scratch-pad loads and drains it cannot overlap (RS only).
    if (m.dataflow == Dataflow::kRS) {
      c.compute_cycles += p.stall_w_bits * hw.bus_w_inv + p.stall_i_bits * hw.bus_i_inv +
                          p.stall_o_bits * hw.bus_o_inv;
    }
  }
  const double on_chip = std::max({c.compute_cycles, c.glb_cycles, c.noc_cycles, c.bus_cycles});
  if constexpr (kTiming == DramTiming::kOption) {
    c.cycles = hw.overlap ? std::max(on_chip, c.dram_cycles) : on_chip + c.dram_cycles;
  } else if constexpr (kTiming == DramTiming::kPingPong) {
    // The array waits for the first tile's reads and the link for the last tile's writes;
    // every other transfer moves while the array computes.
    const double exposed_bytes = std::min(p.exposed_bits / 8.0, t.dram_bytes);
    const double exposed = exposed_bytes > 0 ? exposed_bytes / hw.dram_bytes_per_cycle : 0.0;
    c.cycles = std::max(on_chip + exposed, c.dram_cycles);
  } else {
    c.cycles = on_chip + c.dram_cycles;
  }
  c.latency_s = c.cycles / hw.clock_hz;
  return c;
}

/// The register-file energy of a MAC mapping; under the physical model (docs/model.md, section
/// 23) per-bit costs of each level, the register files each with its own capacity.
template <class P>
[[gnu::always_inline]] inline double RfPj(const HwView& hw, const P& p) {
  if (hw.physical) {
    return p.rf_w_bits * hw.eb_rf_w + p.rf_i_bits * hw.eb_rf_i + p.rf_p_bits * hw.eb_rf_p;
  }
  return p.rf_bits / hw.ref_bits * hw.e_rf;
}

/// The DRAM energy of `dram_bits` (the spill included).
[[gnu::always_inline]] inline double DramPj(const HwView& hw, double dram_bits) {
  if (hw.physical) return dram_bits * hw.eb_dram;
  return dram_bits / hw.ref_bits * hw.e_dram;
}

/// The dynamic energies of a cost (the LayerCost fields e_*_pj but leakage); `e_mac` is
/// MacPj(m, hw).
struct Energies {
  double mac = 0, rf = 0, noc = 0, glb = 0, dram = 0;
};

template <class P>
[[gnu::always_inline]] inline Energies EnergiesOf(const HwView& hw, const LayerMap& m, const P& p,
                                                  double e_mac, double dram_bits) {
  Energies e;
  e.mac = e_mac;
  if (m.kind == MapKind::kMac) e.rf = RfPj(hw, p);
  if (hw.physical) {
    // NoC deliveries are counted per receiving PE: the words that leave the buffer drive the
    // bus once; the other deliveries (multicast fan-out, PE-to-PE moves) cost one pitch each.
    const double driven = std::min(p.glb_onchip_bits, p.noc_bits);
    e.noc = driven * hw.eb_noc + (p.noc_bits - driven) * hw.eb_hop;
    e.glb = (p.glb_onchip_bits + dram_bits) * hw.eb_glb;
  } else {
    e.noc = p.noc_bits / hw.ref_bits * hw.e_noc;
    e.glb = (p.glb_onchip_bits + dram_bits) / hw.ref_bits * hw.e_glb;
  }
  e.dram = DramPj(hw, dram_bits);
  return e;
}

[[gnu::always_inline]] inline double LeakPj(const HwView& hw, double latency_s) {
  return hw.leak_w * latency_s * 1e12;
}

[[gnu::always_inline]] inline double EnergyPj(const Energies& e, double e_leak) {
  return e.mac + e.rf + e.noc + e.glb + e.dram + e_leak;
}

/// Resets `*m` to a default record, but for the candidate slots past n_alt (now 0), which
/// nothing reads: a record is about 1 KiB, most of it those slots.
void ResetMap(LayerMap* m) {
  static const LayerMap kEmpty{};
  std::memcpy(static_cast<void*>(m), &kEmpty, offsetof(LayerMap, alt));
}

/// Writes the mapping of a vector nest into `*out` (no record copied).
void MapVector(const LoopNest& nest, Dataflow df, const HwView& hw, const Residency& res,
               LayerMap* out) {
  LayerMap& m = *out;
  ResetMap(&m);
  m.kind = MapKind::kVector;
  m.dataflow = df;
  m.ops = nest.vec_ops;
  m.work = nest.vec_ops;
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
    if (nest.vec_rd[i].in_path) continue;  // fused: from the producer's output path
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
    if (!nest.vec_wr[i].in_path) {
      out_words += el;
      out_bits += el * b;
    }
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
      m.status = Status::kGlbTooSmall;
      const bool in_over = hw.glb_split && held_in > hw.glb_input_bits;
      m.need_bytes = (hw.glb_split ? (in_over ? held_in : held_out) : held_in + held_out) / 8.0;
      m.have_bytes =
          (hw.glb_split ? (in_over ? hw.glb_input_bits : hw.glb_output_bits) : hw.glb_bits) / 8.0;
      return;
    }
  }
  m.dram_bits = dram_rd_bits + dram_wr_bits;
  m.array_words = in_words + out_words;
  m.glb_words = m.array_words + dram_rd_words + dram_wr_words;
  m.spill_word_bits = first_bits;
  m.noc_transfers = m.array_words;
  const double peak = hw.Peak();
  m.compute_cycles = std::ceil(nest.vec_ops / peak);
  m.active_pes = std::min(hw.rows * hw.cols, std::ceil(nest.vec_ops / hw.lanes));
  m.mac_bits_a = first_bits;
  m.mac_bits_b = first_bits;
  m.noc_bits = in_bits + out_bits;
  m.glb_onchip_bits = in_bits + out_bits;
  m.glb_peak_bytes = (held_in + held_out) / 8.0;
  m.output_kept = (res.vec_wr_kept & 1u) != 0;
  if (hw.double_buffer) {
    // Streams pass in chunks of one array pass (Peak() operations): the first chunk's reads
    // and the last chunk's writes are exposed.
    const double chunk = nest.vec_ops > 0 ? std::min(1.0, peak / nest.vec_ops) : 1.0;
    m.timing = DramTiming::kPingPong;
    m.exposed_bits = chunk * (dram_rd_bits + dram_wr_bits);
  }
  m.bus_i_bits = in_bits;
  m.bus_o_bits = out_bits;
}

/// The view the tiling of one ping-pong half sees: tile + resident <= capacity' is
/// 2 x tile + resident <= capacity, per partition of a split buffer.
HwView HalfBuffer(const HwView& hw, const Residency& res) {
  HwView h = hw;
  if (hw.glb_split) {
    h.glb_weight_bits = hw.glb_weight_bits / 2.0;
    h.glb_input_bits = (hw.glb_input_bits + res.resident_in_bits) / 2.0;
    h.glb_output_bits = (hw.glb_output_bits + res.resident_out_bits) / 2.0;
    h.glb_bits = h.glb_weight_bits + h.glb_input_bits + h.glb_output_bits;
  } else {
    h.glb_bits = (hw.glb_bits + res.resident_in_bits + res.resident_out_bits) / 2.0;
  }
  return h;
}

/// The tiling search of docs/model.md section 5 on one view. When no tile that fills a spatial
/// fold fits, the tile shrinks down to one sample, filter, channel and output row (and with it
/// the RS work per PE, the strip width and the number of sets); only when that does not fit
/// either is the layer infeasible. Such tiles run one after the other, each with its own
/// spatial folds (`*shrunk`).
TilingResult SearchBoth(const LoopNest& nest, const HwView& hw, const RoleBits& bits,
                        const MapParams& mp, const Residency& res, bool* shrunk) {
  TilingResult tr = SearchTiling(nest, hw, bits, mp, res);
  *shrunk = !tr.feasible;
  if (*shrunk) tr = SearchTiling(nest, hw, bits, mp, res, /*shrink=*/true);
  return tr;
}

/// Double buffering (docs/model.md, section 6.1): tiles sized for one of two ping-pong halves.
/// When no tile that fills a spatial fold fits half the buffer, the layer takes the whole
/// buffer (shrinking its tile there if need be) with serial transfers (`*serial`).
TilingResult SearchHalves(const LoopNest& nest, const HwView& hw, const RoleBits& bits,
                          const MapParams& mp, const Residency& res, bool* shrunk, bool* serial) {
  TilingResult tr = SearchTiling(nest, HalfBuffer(hw, res), bits, mp, res);
  if (tr.feasible) return tr;
  *serial = true;
  return SearchBoth(nest, hw, bits, mp, res, shrunk);
}

/// Extent of the last of `count` tiles of `tile` along a dimension of `extent`.
double LastExtent(double extent, double tile, double count) {
  return std::max(1.0, extent - (count - 1.0) * tile);
}

/// DRAM reads of the first tile (weights and input rows, full-size) plus DRAM writes of the
/// last tile (its final outputs; the last tile may be shorter in every dimension), in bits.
double EdgeTileBits(const LoopNest& nest, const RoleBits& bits, const Residency& res,
                    const TilingResult& tr) {
  const Tile& t = tr.tile;
  const double w = res.weight_on_chip ? 0.0 : t.m * t.c * nest.r * nest.s * bits.w;
  const double i = res.input_on_chip ? 0.0
                                     : t.n * t.c * TileInputRows(nest, t.e) * nest.w_in *
                                           nest.input_density * bits.i;
  const double o = res.keep_output
                       ? 0.0
                       : LastExtent(nest.n, t.n, tr.tn) * LastExtent(nest.m, t.m, tr.tm) *
                             LastExtent(nest.e, t.e, tr.te) * nest.f * bits.o;
  return w + i + o;
}

/// The tiling and the counts of one spatial mapping `mp` into `m` (whose kind, dataflow, MACs
/// and widths are set); kGlbTooSmall with the shortfall when not even the minimum tile fits.
/// `shrunk` tells whether no tile that fills a spatial fold fit.
void MapTiled(const LoopNest& nest, Dataflow df, const HwView& hw, const Residency& res,
              const RoleBits& bits, const MapParams& mp, LayerMap* out, bool* shrunk) {
  LayerMap& m = *out;
  bool serial = false;
  TilingResult tr = hw.double_buffer ? SearchHalves(nest, hw, bits, mp, res, shrunk, &serial)
                                     : SearchBoth(nest, hw, bits, mp, res, shrunk);
  if (!tr.feasible) {
    m.status = Status::kGlbTooSmall;
    m.need_bytes = tr.need_bits / 8.0;
    m.have_bytes = tr.have_bits / 8.0;
    return;
  }
  // Accesses: every tile is processed like the (ceil-sized) representative tile, so refetches
  // caused by the tiling are counted; the sum is scaled to the exact MAC count.
  const ArrayCost a = TileArrayCost(nest, df, hw, mp, tr.tile);
  const double tiles = nest.g * tr.Tiles();
  const double tile_macs = tr.tile.n * tr.tile.m * tr.tile.c * tr.tile.e * nest.f * nest.r * nest.s;
  const double scale = m.macs / (tile_macs * tiles);
  const double k = tiles * scale;
  // Cycles: the array schedules the folds of a whole group back to back (the GLB streams the
  // next tile while the array works), so spatial folding is computed on the whole group.
  if (*shrunk) {
    m.compute_cycles = tiles * a.cycles * nest.mac_density;
    m.active_pes = a.active_pes;
    m.rs_p = a.rs_p;
    m.rs_q = a.rs_q;
  } else {
    const ArrayCost whole = TileArrayCost(nest, df, hw, mp, Tile{nest.n, nest.m, nest.c, nest.e});
    m.compute_cycles = nest.g * whole.cycles * nest.mac_density;
    m.active_pes = whole.active_pes;
    m.rs_p = whole.rs_p;
    m.rs_q = whole.rs_q;
  }
  // Partial sums of a tile that is not the first along c are read back from the GLB.
  const double psum_back = nest.OutputElems() * (tr.tc - 1);
  const double glb_rd_w = a.glb_rd_w * k, glb_rd_i = a.glb_rd_i * k;
  const double glb_o = (a.glb_rd_o + a.glb_wr_o) * k + psum_back;
  m.array_words = glb_rd_w + glb_rd_i + glb_o;
  m.dram_bits = tr.DramBits();
  // DRAM words (the spill, in input words, is added by the cost stage).
  m.glb_words = tr.dram_rd_w_bits / bits.w + tr.dram_rd_i_bits / bits.i +
                tr.dram_wr_o_bits / bits.o + tr.dram_psum_bits / bits.p;
  m.noc_transfers = (a.noc_w + a.noc_i + a.noc_o) * k;
  m.rf_accesses = (a.rf_w + a.rf_i + a.rf_o) * k;
  m.rf_bits = (a.rf_w * bits.w + a.rf_i * bits.i + a.rf_o * bits.p) * k;
  m.rf_w_bits = a.rf_w * bits.w * k;
  m.rf_i_bits = a.rf_i * bits.i * k;
  m.rf_p_bits = a.rf_o * bits.p * k;
  m.noc_bits = (a.noc_w * bits.w + a.noc_i * bits.i + a.noc_o * bits.p) * k;
  m.glb_onchip_bits = glb_rd_w * bits.w + glb_rd_i * bits.i + glb_o * bits.p;
  m.glb_peak_bytes = tr.glb_peak_bits / 8.0;
  if (hw.double_buffer) {
    m.timing = serial ? DramTiming::kSerial : DramTiming::kPingPong;
    if (!serial) {
      // Both halves hold a tile; the resident tensors are held once.
      const double held = res.resident_in_bits + res.resident_out_bits;
      if (tiles > 1) m.glb_peak_bytes = (2.0 * tr.glb_peak_bits - held) / 8.0;
      m.exposed_bits = EdgeTileBits(nest, bits, res, tr);
    }
  }
  m.output_kept = res.keep_output;
  m.bus_w_bits = glb_rd_w * bits.w;
  m.bus_i_bits = glb_rd_i * bits.i;
  m.bus_o_bits = std::max(a.glb_rd_o * k + psum_back, a.glb_wr_o * k) * bits.p;
  m.stall_w_bits = a.stall_w * k * bits.w;
  m.stall_i_bits = a.stall_i * k * bits.i;
  m.stall_o_bits = a.stall_o * k * bits.p;
}

/// The mapping with the largest per-PE work (no RS candidates); `mp` and `shrunk` as the
/// candidates need them. Written into `*out`.
void MapLargest(const LoopNest& nest, Dataflow df, const HwView& hw, const Residency& res,
                const RoleBits& bits, MapParams* mp, bool* shrunk, LayerMap* out) {
  LayerMap& m = *out;
  ResetMap(&m);
  m.kind = MapKind::kMac;
  m.dataflow = df;
  m.macs = nest.Macs();
  m.work = m.macs;
  m.mac_bits_a = bits.w;
  m.mac_bits_b = bits.i;
  m.spill_word_bits = bits.i;
  m.status = PrepareMapping(nest, df, hw, bits, mp);
  if (m.status == Status::kRfTooSmall)
    RfShortfall(nest, df, hw, bits, &m.need_bytes, &m.have_bytes);
  if (m.status != Status::kOk) return;
  MapTiled(nest, df, hw, res, bits, *mp, &m, shrunk);
}

/// Double buffering (docs/model.md, section 6.1): the ping-pong mapping `m` or the
/// whole-buffer one with serial transfers, whichever is faster on this design (ties: ping-pong).
/// Costed without spill: extra DRAM bits cannot make the ping-pong schedule slower than the
/// serial one when it was not without them (both add the same bits to the link). Returns
/// whether the whole buffer was taken (`shrunk` then says whether its tiles shrank).
bool FasterSchedule(const LoopNest& nest, Dataflow df, const HwView& hw, const Residency& res,
                    const RoleBits& bits, LayerMap* m, bool* shrunk) {
  HwView whole_view = hw;
  whole_view.double_buffer = false;
  MapParams mp;
  bool whole_shrunk = false;
  LayerMap whole;
  MapLargest(nest, df, whole_view, res, bits, &mp, &whole_shrunk, &whole);
  if (whole.status != Status::kOk) return false;
  whole.timing = DramTiming::kSerial;
  const LayerCost pp = CostLayer(*m, hw, 0.0, 0.0);
  const LayerCost ws = CostLayer(whole, hw, 0.0, 0.0);
  if (ws.status != Status::kOk) return false;
  if (pp.status == Status::kOk && ws.cycles >= pp.cycles) return false;
  *m = whole;
  *shrunk = whole_shrunk;
  return true;
}

MapPoint PointOf(const LayerMap& m) {
  MapPoint p;
  p.timing = m.timing;
  p.rs_p = m.rs_p;
  p.rs_q = m.rs_q;
  p.compute_cycles = m.compute_cycles;
  p.active_pes = m.active_pes;
  p.array_words = m.array_words;
  p.glb_words = m.glb_words;
  p.dram_bits = m.dram_bits;
  p.noc_transfers = m.noc_transfers;
  p.rf_accesses = m.rf_accesses;
  p.rf_bits = m.rf_bits;
  p.noc_bits = m.noc_bits;
  p.glb_onchip_bits = m.glb_onchip_bits;
  p.rf_w_bits = m.rf_w_bits;
  p.rf_i_bits = m.rf_i_bits;
  p.rf_p_bits = m.rf_p_bits;
  p.glb_peak_bytes = m.glb_peak_bytes;
  p.bus_w_bits = m.bus_w_bits;
  p.bus_i_bits = m.bus_i_bits;
  p.bus_o_bits = m.bus_o_bits;
  p.stall_w_bits = m.stall_w_bits;
  p.stall_i_bits = m.stall_i_bits;
  p.stall_o_bits = m.stall_o_bits;
  p.exposed_bits = m.exposed_bits;
  return p;
}

/// Whether `a` costs at least as much as `b` on every design: the same DRAM schedule and every
/// count the cost stage reads at least b's (cycles, traffic per level and network, stalls,
/// exposed transfers; the costs are non-decreasing in each), so `a` can never be strictly
/// better under any criterion.
bool Dominated(const MapPoint& a, const MapPoint& b) {
  return a.timing == b.timing && a.compute_cycles >= b.compute_cycles &&
         a.array_words >= b.array_words && a.glb_words >= b.glb_words &&
         a.dram_bits >= b.dram_bits && a.rf_bits >= b.rf_bits && a.rf_w_bits >= b.rf_w_bits &&
         a.rf_i_bits >= b.rf_i_bits && a.rf_p_bits >= b.rf_p_bits && a.noc_bits >= b.noc_bits &&
         a.glb_onchip_bits >= b.glb_onchip_bits && a.bus_w_bits >= b.bus_w_bits &&
         a.bus_i_bits >= b.bus_i_bits && a.bus_o_bits >= b.bus_o_bits &&
         a.stall_w_bits >= b.stall_w_bits && a.stall_i_bits >= b.stall_i_bits &&
         a.stall_o_bits >= b.stall_o_bits && a.exposed_bits >= b.exposed_bits;
}

/// The least of each count of PointFloor over `n` >= 1 points.
PointFloor FloorOf(const MapPoint* pts, int n) {
  PointFloor f{pts[0].compute_cycles, pts[0].bus_w_bits, pts[0].bus_i_bits,
               pts[0].bus_o_bits,     pts[0].rf_bits,    pts[0].rf_w_bits,
               pts[0].rf_i_bits,      pts[0].rf_p_bits,  pts[0].dram_bits};
  for (int i = 1; i < n; ++i) {
    const MapPoint& p = pts[i];
    f.compute_cycles = std::min(f.compute_cycles, p.compute_cycles);
    f.bus_w_bits = std::min(f.bus_w_bits, p.bus_w_bits);
    f.bus_i_bits = std::min(f.bus_i_bits, p.bus_i_bits);
    f.bus_o_bits = std::min(f.bus_o_bits, p.bus_o_bits);
    f.rf_bits = std::min(f.rf_bits, p.rf_bits);
    f.rf_w_bits = std::min(f.rf_w_bits, p.rf_w_bits);
    f.rf_i_bits = std::min(f.rf_i_bits, p.rf_i_bits);
    f.rf_p_bits = std::min(f.rf_p_bits, p.rf_p_bits);
    f.dram_bits = std::min(f.dram_bits, p.dram_bits);
  }
  return f;
}

/// RS: maps the candidate (p, q) of docs/model.md ("RS mapping search") besides the largest,
/// already in `m`, each with its own tiling search, and keeps in m->alt those that neither
/// the largest nor another kept one dominates. `shrunk`: the largest needed tiles below one
/// fold. Under double_buffer the candidates take the schedule the largest took: ping-pong
/// halves (whole buffer when their halves hold no tile), or, when the largest runs on the
/// whole buffer with serial transfers, that.
void RsAlternatives(const LoopNest& nest, const HwView& hw, const Residency& res,
                    const RoleBits& bits, const MapParams& mp, bool shrunk, LayerMap* m) {
  const bool whole = hw.double_buffer && m->timing == DramTiming::kSerial;
  HwView view = hw;
  if (whole) view.double_buffer = false;
  double p[kRsAlternatives + 1], q[kRsAlternatives + 1];
  int n = 0;
  if (shrunk) {
    // Buffer fit: halve the filters per PE, then the channels, until the smallest tile that
    // fills a fold fits (the tile then grows back to whole folds instead of running shrunk).
    const HwView fit_view = view.double_buffer ? HalfBuffer(view, res) : view;
    double pp = mp.rs_p, qq = mp.rs_q;
    while (pp > 1 || qq > 1) {
      if (pp > 1) {
        pp = Balanced(nest.m, std::ceil(pp / 2));
      } else {
        qq = Balanced(nest.c, std::ceil(qq / 2));
      }
      if (RegularTileFits(nest, fit_view, bits, RsWith(mp, pp, qq), res)) {
        p[n] = pp;
        q[n++] = qq;
        break;
      }
    }
  }
  n += RsCandidates(nest, view, mp, p + n, q + n, kRsAlternatives - n);
  MapPoint kept[kRsAlternatives + 1];
  kept[0] = PointOf(*m);
  int n_kept = 1;
  for (int i = 0; i < n; ++i) {
    bool again = false;  // the buffer-fit pair may also be one of the others
    for (int j = 0; j < i; ++j) again = again || (p[j] == p[i] && q[j] == q[i]);
    if (again) continue;
    LayerMap c = *m;
    c.timing = DramTiming::kOption;
    c.exposed_bits = 0;
    bool c_shrunk = false;
    MapTiled(nest, Dataflow::kRS, view, res, bits, RsWith(mp, p[i], q[i]), &c, &c_shrunk);
    if (c.status != Status::kOk) continue;
    if (whole) c.timing = DramTiming::kSerial;
    const MapPoint pt = PointOf(c);
    bool dominated = false;
    for (int j = 0; j < n_kept && !dominated; ++j) dominated = Dominated(pt, kept[j]);
    if (!dominated) kept[n_kept++] = pt;
  }
  m->n_alt = 0;
  for (int j = 1; j < n_kept && m->n_alt < kRsAlternatives; ++j) m->alt[m->n_alt++] = kept[j];
  if (m->n_alt > 0) m->alt_floor = FloorOf(m->alt.data(), m->n_alt);
}

/// The mapping of a MAC nest, written into `*out` (no record copied).
void MapMac(const LoopNest& nest, Dataflow df, const HwView& hw, const Residency& res,
            LayerMap* out) {
  const RoleBits bits = ResolveBits(nest, hw);
  MapParams mp;
  bool shrunk = false;
  LayerMap& m = *out;
  MapLargest(nest, df, hw, res, bits, &mp, &shrunk, &m);
  if (m.status != Status::kOk) return;
  if (m.timing == DramTiming::kPingPong) FasterSchedule(nest, df, hw, res, bits, &m, &shrunk);
  // Every mapping shrinks to the same minimum tile, so when the largest (p, q) is infeasible
  // every other is too.
  if (df == Dataflow::kRS) RsAlternatives(nest, hw, res, bits, mp, shrunk, &m);
}

/// The roofline engine's layer-phase: compute at peak or compulsory traffic at full bandwidth.
[[gnu::noinline]] LayerCost CostRoofline(const LayerMap& m, const HwView& hw,
                                         double compulsory_bytes) {
  LayerCost lc;
  lc.dataflow = m.dataflow;
  lc.macs = m.macs;
  lc.ops = m.ops;
  lc.compute_cycles = (lc.macs + lc.ops) / hw.Peak();
  lc.dram_bytes = compulsory_bytes;
  lc.dram_cycles = compulsory_bytes / hw.dram_bytes_per_cycle;
  // No tiling here, so no exposed tile: double buffering is the overlap bound.
  lc.cycles = hw.overlap || hw.double_buffer ? std::max(lc.compute_cycles, lc.dram_cycles)
                                             : lc.compute_cycles + lc.dram_cycles;
  lc.latency_s = lc.cycles / hw.clock_hz;
  double scale = 1.0;
  if (hw.mac_scaling == 0) scale = m.mac_bits_a * m.mac_bits_b / (hw.ref_bits * hw.ref_bits);
  if (hw.mac_scaling == 1) scale = std::max(m.mac_bits_a, m.mac_bits_b) / hw.ref_bits;
  if (hw.physical) {
    lc.e_mac_pj = (lc.macs + lc.ops) * PhysicalMacPj(hw, m.mac_bits_a, m.mac_bits_b);
    lc.e_dram_pj = compulsory_bytes * 8.0 * hw.eb_dram;
  } else {
    lc.e_mac_pj = (lc.macs + lc.ops) * hw.e_mac * scale;
    lc.e_dram_pj = compulsory_bytes * 8.0 / hw.ref_bits * hw.e_dram;
  }
  lc.e_leak_pj = hw.leak_w * lc.latency_s * 1e12;
  lc.energy_pj = lc.e_mac_pj + lc.e_dram_pj + lc.e_leak_pj;
  lc.active_pes = std::min(hw.rows * hw.cols, std::ceil((lc.macs + lc.ops) / hw.lanes));
  lc.utilization = lc.cycles > 0 ? (lc.macs > 0 ? lc.macs : lc.ops) / (hw.Peak() * lc.cycles) : 0;
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

namespace {

/// One design's MAC mappings (scoped_memo.hpp): everything MapMac reads -> its mapping. The key
/// names the nest's MAC fields by the plan's shape number (LoopNest::shape: equal numbers, equal
/// fields bit for bit), the dataflow, the residency and the view's model switches; the view
/// itself (its mapping fields, and its energies and clock, by which a double-buffered layer
/// picks its schedule) is the design's, fixed while its walk runs. The memo serves only then,
/// and only the first view it sees in a scope: the walk hands every mapping the same view
/// object, which it never changes once built; a lookup with another view maps without it.
constexpr std::size_t kMacKeyWords = 4;
using MacMemo = ScopedMemo<LayerMap, kMacKeyWords>;
thread_local MacMemo t_mac_memo;
thread_local std::uint64_t t_mac_memo_scope = 0;       ///< the scope t_mac_memo_view belongs to
thread_local const HwView* t_mac_memo_view = nullptr;  ///< the view of that scope's entries

/// The memo's record (valid until the next lookup on this thread) or, without the memo,
/// `*scratch` holding the mapping.
const LayerMap& MapMacMemo(const LoopNest& nest, Dataflow df, const HwView& hw,
                           const Residency& res, LayerMap* scratch) {
  if (t_in_design && t_mac_memo_scope != t_design_scope) {
    t_mac_memo_scope = t_design_scope;
    t_mac_memo_view = &hw;
  }
  // Outside a design's walk (single layers, tests), with another view, for a nest outside a
  // plan, or with the reference search: no memo.
  if (!t_in_design || t_mac_memo_view != &hw || nest.shape < 0 || ReferenceTiling()) {
    MapMac(nest, df, hw, res, scratch);
    return *scratch;
  }
  const std::array<std::uint64_t, kMacKeyWords> key{
      static_cast<std::uint64_t>(nest.shape), std::bit_cast<std::uint64_t>(res.resident_in_bits),
      std::bit_cast<std::uint64_t>(res.resident_out_bits),
      static_cast<std::uint64_t>(df) | static_cast<std::uint64_t>(res.input_on_chip) << 4 |
          static_cast<std::uint64_t>(res.weight_on_chip) << 5 |
          static_cast<std::uint64_t>(res.keep_output) << 6 |
          static_cast<std::uint64_t>(hw.fill_mapped) << 7 |
          static_cast<std::uint64_t>(hw.pass_overhead) << 8 |
          static_cast<std::uint64_t>(hw.overlap) << 9 |
          static_cast<std::uint64_t>(hw.double_buffer) << 10 |
          static_cast<std::uint64_t>(hw.select) << 11 |
          static_cast<std::uint64_t>(hw.mac_scaling) << 14};
  bool hit = false;
  LayerMap* m = t_mac_memo.Find(key, &hit);
  if (!hit) MapMac(nest, df, hw, res, m);
  return *m;
}

}  // namespace

LayerMap MapLayer(const LoopNest& nest, Dataflow df, const HwView& hw, const Residency& res) {
  LayerMap scratch;
  if (!nest.is_mac) {
    MapVector(nest, df, hw, res, &scratch);
    return scratch;
  }
  return MapMacMemo(nest, df, hw, res, &scratch);
}

void CopyMapping(const LayerMap& from, LayerMap* to) {
  const std::size_t used =
      offsetof(LayerMap, alt) +
      static_cast<std::size_t>(std::clamp(from.n_alt, 0, kRsAlternatives)) * sizeof(MapPoint);
  std::memcpy(static_cast<void*>(to), &from, used);
  if (from.n_alt > 0) to->alt_floor = from.alt_floor;
}

const LayerMap& MapLayerRef(const LoopNest& nest, Dataflow df, const HwView& hw,
                            const Residency& res, LayerMap* scratch) {
  if (!nest.is_mac) {
    MapVector(nest, df, hw, res, scratch);
    return *scratch;
  }
  return MapMacMemo(nest, df, hw, res, scratch);
}

LayerMap RooflineMap(const LoopNest& nest, Dataflow df, const HwView& hw) {
  LayerMap m;
  m.kind = MapKind::kRoofline;
  m.dataflow = df;
  m.macs = nest.Macs();
  m.ops = nest.is_mac ? 0.0 : nest.vec_ops;
  m.mac_bits_a = hw.Bits(nest.weight_bits);
  m.mac_bits_b = hw.Bits(nest.input_bits);
  return m;
}

Status BandwidthStatus(const LayerMap& map, const HwView& hw, double spill_bits) {
  if (map.kind == MapKind::kRoofline) return Status::kOk;
  const Traffic t = TrafficOf(map, spill_bits);
  return ZeroBandwidth(hw, t.glb_accesses, map.array_words, t.dram_bytes) ? Status::kZeroBandwidth
                                                                          : Status::kOk;
}

namespace {

/// The cost of mapping `p` of record `map` (p: the record itself or one of its candidates)
/// under DRAM timing kTiming (p.timing; a template argument, so each timing gets its own code).
template <DramTiming kTiming, class P>
LayerCost CostTimed(const LayerMap& map, const P& p, const HwView& hw, double spill_bits) {
  const Traffic t = TrafficOf(map, p, spill_bits, spill_bits / map.spill_word_bits);
  if (ZeroBandwidth(hw, t.glb_accesses, p.array_words, t.dram_bytes)) {
    LayerCost lc;
    lc.status = Status::kZeroBandwidth;
    lc.dataflow = map.dataflow;
    lc.macs = map.macs;
    lc.ops = map.ops;
    lc.compute_cycles = p.compute_cycles;
    lc.active_pes = p.active_pes;
    lc.dram_bytes = t.dram_bytes;
    lc.glb_accesses = t.glb_accesses;
    lc.noc_transfers = p.noc_transfers;
    lc.rf_accesses = p.rf_accesses;
    return lc;
  }
  const Time c = TimeOf<kTiming>(hw, map, p, t);
  const Energies e = EnergiesOf(hw, map, p, MacPj(map, hw), t.dram_bits);
  const double e_leak = LeakPj(hw, c.latency_s);
  const double busy = hw.Peak() * c.cycles;
  // Every field written once, in place (no cleared record written over).
  return LayerCost{
      .status = Status::kOk,
      .dataflow = map.dataflow,
      .macs = map.macs,
      .ops = map.ops,
      .compute_cycles = c.compute_cycles,
      .glb_cycles = c.glb_cycles,
      .noc_cycles = c.noc_cycles,
      .dram_cycles = c.dram_cycles,
      .bus_cycles = c.bus_cycles,
      .cycles = c.cycles,
      .latency_s = c.latency_s,
      .e_mac_pj = e.mac,
      .e_rf_pj = e.rf,
      .e_noc_pj = e.noc,
      .e_glb_pj = e.glb,
      .e_dram_pj = e.dram,
      .e_leak_pj = e_leak,
      .energy_pj = EnergyPj(e, e_leak),
      .dram_bytes = t.dram_bytes,
      .glb_accesses = t.glb_accesses,
      .rf_accesses = p.rf_accesses,
      .noc_transfers = p.noc_transfers,
      .active_pes = p.active_pes,
      .utilization = busy > 0 ? (map.macs > 0 ? map.macs : map.ops) / busy : 0.0,
      .glb_peak_bytes = p.glb_peak_bytes,
      .output_kept = map.output_kept,
      .fell_back = false,
      .rs_p = p.rs_p,
      .rs_q = p.rs_q,
  };
}

/// The cost of mapping `p` of record `map` under its DRAM timing.
template <class P>
LayerCost CostAt(const LayerMap& map, const P& p, const HwView& hw, double spill_bits) {
  switch (p.timing) {
    case DramTiming::kOption:
      return CostTimed<DramTiming::kOption>(map, p, hw, spill_bits);
    case DramTiming::kPingPong:
      return CostTimed<DramTiming::kPingPong>(map, p, hw, spill_bits);
    case DramTiming::kSerial:
      break;
  }
  return CostTimed<DramTiming::kSerial>(map, p, hw, spill_bits);
}

/// The cost of the mapping in map's own fields, under its DRAM timing.
LayerCost CostOne(const LayerMap& map, const HwView& hw, double spill_bits) {
  return CostAt(map, map, hw, spill_bits);
}

/// Criterion(CostTimed<kTiming>(map, p, ...), kSel), computing only what the criterion reads
/// (the same operations in the same order, so the same value); false when the mapping meets a
/// zero bandwidth (CostTimed's status kZeroBandwidth). `spill_words` and `e_mac` are the
/// record's (TrafficOf, MacPj; e_mac is not read under kDram and kLatency).
template <Select kSel, DramTiming kTiming>
[[gnu::always_inline]] inline bool CriterionAt(const LayerMap& map, const MapPoint& p,
                                               const HwView& hw, double spill_bits,
                                               double spill_words, double e_mac, double* value) {
  const Traffic t = TrafficOf(map, p, spill_bits, spill_words);
  if (ZeroBandwidth(hw, t.glb_accesses, p.array_words, t.dram_bytes)) return false;
  if constexpr (kSel == Select::kDram) {
    *value = t.dram_bytes;
  } else {
    const Time c = TimeOf<kTiming>(hw, map, p, t);
    if constexpr (kSel == Select::kLatency) {
      *value = c.latency_s;
    } else {
      const double energy =
          EnergyPj(EnergiesOf(hw, map, p, e_mac, t.dram_bits), LeakPj(hw, c.latency_s));
      *value = kSel == Select::kEnergy ? energy : energy * c.latency_s;
    }
  }
  return true;
}

/// A lower bound of a candidate's cycles / clock (CriterionAt's latency): the on-chip time is
/// the maximum of the compute cycles (pass stalls added) and the busiest network among others,
/// and every DRAM timing adds to it or takes a maximum with it. See BestCandidate.
template <class P>
[[gnu::always_inline]] inline double LatencyBound(const HwView& hw, const P& p) {
  const double cycles = hw.buses ? std::max(p.compute_cycles, BusCycles(hw, p)) : p.compute_cycles;
  return cycles / hw.clock_hz;
}

/// Whether a lower bound of criterion kSel (kLatency or kEdp) on the counts `p` (a candidate, or
/// the floor of all of a record's candidates) reaches `best_value`: then no mapping with those
/// counts or larger is strictly less. Every term of a cost is non-negative (a mapping's counts;
/// energies per access or bit, leakage, cycles per bit and bandwidths, whose design parameters
/// have lower limit 0: the premise Dominated relies on too) and non-decreasing in each count,
/// and rounding is monotonic, so the same operations on smaller non-negative operands give a
/// result no larger: the latency is at least LatencyBound, and the energy, the sum
/// ((((mac + rf) + noc) + glb) + dram) + leak, at least mac + rf and (mac + rf) + dram.
template <Select kSel, class P>
[[gnu::always_inline]] inline bool BoundReaches(const LayerMap& map, const P& p, const HwView& hw,
                                                double spill_bits, double e_mac,
                                                double best_value) {
  const double latency = LatencyBound(hw, p);
  if constexpr (kSel == Select::kLatency) {
    return latency >= best_value;
  } else {
    const double energy = e_mac + (map.kind == MapKind::kMac ? RfPj(hw, p) : 0.0);
    return energy * latency >= best_value ||
           (energy + DramPj(hw, p.dram_bits + spill_bits)) * latency >= best_value;
  }
}

/// The index of the candidate of `map` of least criterion kSel if that is strictly less than
/// `best_value` (and than every candidate before it), else -1. `e_mac`: MacPj(map, hw). Under
/// kLatency and kEdp the floor of the candidates, then each candidate, is first bounded from
/// below (BoundReaches); the others are compared by CriterionAt.
template <Select kSel>
[[gnu::always_inline]] inline int BestCandidate(const LayerMap& map, const HwView& hw,
                                                double spill_bits, double e_mac,
                                                double best_value) {
  // The energy alone has no cheap bound: it needs nearly every term of its own.
  constexpr bool kBounded = kSel == Select::kLatency || kSel == Select::kEdp;
  if constexpr (kBounded) {
    // Every candidate's counts are at least the floor's: one bound for all of them first.
    if (BoundReaches<kSel>(map, map.alt_floor, hw, spill_bits, e_mac, best_value)) return -1;
  }
  const double spill_words = spill_bits / map.spill_word_bits;
  int best = -1;
  for (int i = 0; i < map.n_alt; ++i) {
    const MapPoint& p = map.alt[static_cast<std::size_t>(i)];
    if constexpr (kBounded) {
      if (BoundReaches<kSel>(map, p, hw, spill_bits, e_mac, best_value)) continue;
    }
    double v = 0;
    bool ok = false;
    switch (p.timing) {
      case DramTiming::kOption:
        ok = CriterionAt<kSel, DramTiming::kOption>(map, p, hw, spill_bits, spill_words, e_mac, &v);
        break;
      case DramTiming::kPingPong:
        ok = CriterionAt<kSel, DramTiming::kPingPong>(map, p, hw, spill_bits, spill_words, e_mac,
                                                      &v);
        break;
      case DramTiming::kSerial:
        ok = CriterionAt<kSel, DramTiming::kSerial>(map, p, hw, spill_bits, spill_words, e_mac, &v);
        break;
    }
    if (ok && v < best_value) {
      best = i;
      best_value = v;
    }
  }
  return best;
}

/// RS with candidates: the one of least criterion among the map's own mapping and its
/// alternatives; strictly less replaces, so ties keep the largest (p, q). The candidates are
/// compared by their criterion alone; only the one that wins is costed in full.
[[gnu::noinline]] LayerCost CostBest(const LayerMap& map, const HwView& hw, double spill_bits) {
  LayerCost best = CostOne(map, hw, spill_bits);
  if (best.status != Status::kOk) return best;
  const auto sel = static_cast<Select>(hw.select);
  const double own = Criterion(best, sel);
  int win = -1;
  switch (sel) {
    case Select::kEdp:
      win = BestCandidate<Select::kEdp>(map, hw, spill_bits, best.e_mac_pj, own);
      break;
    case Select::kEnergy:
      win = BestCandidate<Select::kEnergy>(map, hw, spill_bits, best.e_mac_pj, own);
      break;
    case Select::kLatency:
      win = BestCandidate<Select::kLatency>(map, hw, spill_bits, best.e_mac_pj, own);
      break;
    case Select::kDram:
      win = BestCandidate<Select::kDram>(map, hw, spill_bits, best.e_mac_pj, own);
      break;
  }
  if (win >= 0) best = CostAt(map, map.alt[static_cast<std::size_t>(win)], hw, spill_bits);
  return best;
}

}  // namespace

LayerCost CostLayer(const LayerMap& map, const HwView& hw, double spill_bits,
                    double compulsory_bytes) {
  if (map.kind == MapKind::kRoofline) return CostRoofline(map, hw, compulsory_bytes);
  if (map.n_alt == 0) return CostOne(map, hw, spill_bits);
  return CostBest(map, hw, spill_bits);
}

namespace {

/// The values of one part's cost that the sums read.
struct PartCost {
  Dataflow df;
  double macs, ops, cycles, e_mac, e_rf, e_noc, e_glb, e_dram, e_leak, dram, glb, rf, noc, active,
      peak;
};

/// Adds one part to a layer-phase's sums, in the order of CostSum's fields.
[[gnu::always_inline]] inline void AddPart(const PartCost& p, CostSum* sum) {
  CostSum& s = *sum;
  if (s.macs + s.ops == 0) s.df = p.df;
  s.macs += p.macs;
  s.ops += p.ops;
  s.cycles += p.cycles;
  s.e_mac += p.e_mac;
  s.e_rf += p.e_rf;
  s.e_noc += p.e_noc;
  s.e_glb += p.e_glb;
  s.e_dram += p.e_dram;
  s.e_leak += p.e_leak;
  s.dram += p.dram;
  s.glb += p.glb;
  s.rf += p.rf;
  s.noc += p.noc;
  s.active = std::max(s.active, p.active);
  // The GLB peak of the mapping the costs chose (an RS candidate may tile differently from the
  // one the walk saw; the walk's peak is that of the largest (p, q)).
  s.peak = std::max(s.peak, p.peak);
}

/// The part of a whole cost that the sums read.
PartCost PartOf(const LayerCost& lc) {
  return {.df = lc.dataflow,
          .macs = lc.macs,
          .ops = lc.ops,
          .cycles = lc.cycles,
          .e_mac = lc.e_mac_pj,
          .e_rf = lc.e_rf_pj,
          .e_noc = lc.e_noc_pj,
          .e_glb = lc.e_glb_pj,
          .e_dram = lc.e_dram_pj,
          .e_leak = lc.e_leak_pj,
          .dram = lc.dram_bytes,
          .glb = lc.glb_accesses,
          .rf = lc.rf_accesses,
          .noc = lc.noc_transfers,
          .active = lc.active_pes,
          .peak = lc.glb_peak_bytes};
}

/// PartOf(CostTimed<kTiming>(map, map, hw, spill_bits)) without the fields no sum reads (the
/// per-level cycles, the total energy, the utilization): the same operations on the same
/// values, in the same order, as CostTimed.
template <DramTiming kTiming>
[[gnu::always_inline]] inline PartCost PartTimed(const LayerMap& map, const HwView& hw,
                                                 double spill_bits) {
  const Traffic t = TrafficOf(map, map, spill_bits, spill_bits / map.spill_word_bits);
  if (ZeroBandwidth(hw, t.glb_accesses, map.array_words, t.dram_bytes)) {
    return PartOf(CostTimed<kTiming>(map, map, hw, spill_bits));
  }
  const Time c = TimeOf<kTiming>(hw, map, map, t);
  const Energies e = EnergiesOf(hw, map, map, MacPj(map, hw), t.dram_bits);
  return {.df = map.dataflow,
          .macs = map.macs,
          .ops = map.ops,
          .cycles = c.cycles,
          .e_mac = e.mac,
          .e_rf = e.rf,
          .e_noc = e.noc,
          .e_glb = e.glb,
          .e_dram = e.dram,
          .e_leak = LeakPj(hw, c.latency_s),
          .dram = t.dram_bytes,
          .glb = t.glb_accesses,
          .rf = map.rf_accesses,
          .noc = map.noc_transfers,
          .active = map.active_pes,
          .peak = map.glb_peak_bytes};
}

}  // namespace

void AddCost(const LayerMap& map, const HwView& hw, double spill_bits, double compulsory_bytes,
             double roof_work, CostSum* sum) {
  if (map.kind == MapKind::kRoofline) {
    AddPart(PartOf(CostRoofline(map, hw, compulsory_bytes)), sum);
  } else if (map.n_alt != 0) {
    AddPart(PartOf(CostBest(map, hw, spill_bits)), sum);
  } else if (map.timing == DramTiming::kOption) {
    AddPart(PartTimed<DramTiming::kOption>(map, hw, spill_bits), sum);
  } else if (map.timing == DramTiming::kPingPong) {
    AddPart(PartTimed<DramTiming::kPingPong>(map, hw, spill_bits), sum);
  } else {
    AddPart(PartTimed<DramTiming::kSerial>(map, hw, spill_bits), sum);
  }
  sum->roof_cycles += std::max(roof_work / hw.Peak(), compulsory_bytes / hw.dram_bytes_per_cycle);
}

LayerCost EvaluateLayer(const LoopNest& nest, Dataflow df, const HwView& hw, const Residency& res,
                        double spill_bits) {
  const LayerMap m = MapLayer(nest, df, hw, res);
  if (m.status != Status::kOk) {
    LayerCost lc;
    lc.dataflow = df;
    lc.status = m.status;
    return lc;
  }
  return CostLayer(m, hw, spill_bits, 0.0);
}

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

}  // namespace trim::model::detail
