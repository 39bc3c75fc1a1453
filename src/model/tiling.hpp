// The global-buffer tiling search (docs/model.md, section "GLB tiling").
//
// A tile holds n samples x m filters x c channels x e output rows (full width, full window) of
// one group. Three loop orders over the tiles are considered (outputs, weights or inputs
// resident), and tile extents come from a fixed candidate set: tile counts that are powers of
// two (plus the largest count that still fills one spatial fold). The search returns the
// feasible candidate with the least DRAM traffic (ties: fewer tiles). Because the candidate set
// does not depend on the buffer size, a larger buffer can never give more DRAM traffic.
// Bounded: per loop order at most (filter or channel tile counts, <= 24) x (pixel tiles,
// <= 48) candidates, each with a binary search of <= 5 capacity checks; in practice a few
// hundred checks per layer. No allocation; never throws.
#pragma once

#include "hw_view.hpp"
#include "loop_nest.hpp"
#include "mapping.hpp"

namespace trim::model::detail {

enum class LoopOrder : std::uint8_t { kOutputResident = 0, kWeightResident, kInputResident };

/// Data that is already on chip or must stay on chip around this layer-phase (inter-layer
/// reuse, docs/model.md). The flags remove DRAM traffic; the resident bits are whole tensors
/// that occupy the buffer while the nest runs (counted against the input partition and the
/// output partition of a split buffer).
struct Residency {
  bool input_on_chip = false;    ///< the whole input operand is in the GLB (no DRAM read)
  bool weight_on_chip = false;   ///< the whole weight-role operand is in the GLB (no DRAM read)
  bool keep_output = false;      ///< the whole output stays in the GLB (no DRAM write)
  double resident_in_bits = 0;   ///< whole tensors held besides the tiles (inputs, live tensors)
  double resident_out_bits = 0;  ///< the kept output
  /// Vector nests: bit i set = read stream i is on chip / write stream i stays on chip.
  std::uint8_t vec_rd_on_chip = 0;
  std::uint8_t vec_wr_kept = 0;
  [[nodiscard]] bool Any() const {
    return input_on_chip || weight_on_chip || keep_output || resident_in_bits > 0 ||
           resident_out_bits > 0 || vec_rd_on_chip != 0 || vec_wr_kept != 0;
  }
};

struct TilingResult {
  bool feasible = false;
  Tile tile;
  double tn = 1, tm = 1, tc = 1, te = 1;  ///< tile counts per dimension
  LoopOrder order = LoopOrder::kOutputResident;
  double dram_rd_w_bits = 0, dram_rd_i_bits = 0;  ///< DRAM reads (bits)
  double dram_wr_o_bits = 0;                      ///< final outputs written to DRAM (bits)
  double dram_psum_bits = 0;                      ///< partial sums spilled and re-read (bits)
  double glb_peak_bits = 0;                       ///< buffer occupancy of the chosen tile
  /// Not feasible: the buffer bits the smallest candidate tile needs (with the residency) and
  /// the capacity it exceeds (the shared buffer, or the first partition that overflows).
  double need_bits = 0, have_bits = 0;
  [[nodiscard]] double DramBits() const {
    return dram_rd_w_bits + dram_rd_i_bits + dram_wr_o_bits + dram_psum_bits;
  }
  [[nodiscard]] double Tiles() const { return tn * tm * tc * te; }
};

/// The least-DRAM tiling among the tiles that fill one spatial fold (mp.min_tile). With
/// `shrink`, among the tiles no larger than the smallest of those in any dimension, down to
/// one sample, filter, channel and output row: the fallback when none of them fits.
/// Repeated searches of one design scope come from a memo of this thread (scoped_memo.hpp).
TilingResult SearchTiling(const LoopNest& nest, const HwView& hw, const RoleBits& bits,
                          const MapParams& mp, const Residency& res, bool shrink = false);

/// The same search without its shortcuts (every candidate's capacity checked by binary search
/// and its traffic computed, as docs/model.md describes it): what SearchTiling must match bit
/// for bit (tests/model/tiling_test.cpp). Not used by the model.
TilingResult SearchTilingReference(const LoopNest& nest, const HwView& hw, const RoleBits& bits,
                                   const MapParams& mp, const Residency& res, bool shrink = false);

/// Tests: SearchTiling runs SearchTilingReference, and MapLayer maps without its memo, on this
/// thread while `on`, so that whole networks can be evaluated both ways.
void UseReferenceTiling(bool on);
[[nodiscard]] bool ReferenceTiling();

/// Whether the smallest tile that fills one spatial fold of `mp` (its min_tile in whole units)
/// fits the buffer with the residency: SearchTiling without `shrink` then finds a tiling.
bool RegularTileFits(const LoopNest& nest, const HwView& hw, const RoleBits& bits,
                     const MapParams& mp, const Residency& res);

/// Input rows one tile of e output rows needs (halo included, never more than the input).
double TileInputRows(const LoopNest& nest, double e);

}  // namespace trim::model::detail
