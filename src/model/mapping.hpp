// Spatial mapping of a MAC loop nest onto the PE array, per dataflow (docs/model.md, section
// "Dataflows"). Two steps:
//   PrepareMapping: register-file checks, the per-PE work of the row-stationary dataflow, and
//     the smallest GLB tile that still fills one spatial fold (the tiling search starts there);
//   TileArrayCost: cycles and per-level accesses to process one GLB tile on the array.
// Closed-form; no allocation; never throws. Internal to the model module.
#pragma once

#include <cmath>

#include "hw_view.hpp"
#include "loop_nest.hpp"
#include "trim/core/types.hpp"
#include "trim/model/columns.hpp"

namespace trim::model::detail {

/// Splits `extent` into the fewest equal pieces of at most `cap` and returns the piece size.
inline double Balanced(double extent, double cap) {
  return std::ceil(extent / std::ceil(extent / cap));
}

/// Extents of one GLB tile of a MAC nest (per group). f, r and s are never tiled.
struct Tile {
  double n = 1, m = 1, c = 1, e = 1;
};

struct MapParams {
  Tile min_tile;         ///< smallest tile that fills one spatial fold (clipped to the nest)
  Tile unit;             ///< tiles hold whole multiples of these extents (RS: p, q, strip rows)
  double rs_p_max = 1;   ///< RS: filters held per PE (psum and weight RF limit)
  double rs_q_max = 1;   ///< RS: channels held per PE (weight and input RF limit)
  double rs_s_fold = 1;  ///< RS: pieces a filter row is split into (rows wider than the RF)
  double rs_s = 1;       ///< RS: filter-row weights per piece, ceil(S / rs_s_fold)
  double rs_p = 1, rs_q = 1;  ///< RS: filters and channels per PE of this mapping (balanced)
  double rf_w = 0, rf_i = 0, rf_p = 0;  ///< register-file words per PE (weights, inputs, psums)
};

/// Checks the register files and fills `out`. kRfTooSmall when the dataflow's stationary data
/// cannot be held; kShapeMismatch for kBest (resolve it before calling).
Status PrepareMapping(const LoopNest& nest, Dataflow df, const HwView& hw, const RoleBits& bits,
                      MapParams* out);

/// Work of one GLB tile on the array. Counts are in words of the tensor's own precision.
struct ArrayCost {
  double cycles = 0;      ///< compute cycles including folds and systolic fill and drain
  double active_pes = 0;  ///< PEs busy in a full fold
  double glb_rd_w = 0, glb_rd_i = 0, glb_rd_o = 0;  ///< GLB reads by the array per tensor
  double glb_wr_o = 0;  ///< outputs and partial sums written by the array into the GLB
  double noc_w = 0, noc_i = 0, noc_o = 0;  ///< array-network deliveries and inter-PE moves
  double rf_w = 0, rf_i = 0, rf_o = 0;     ///< register-file reads and writes
  /// RS: words each pass waits for before computing (filter and ifmap scratch-pad loads) or
  /// after it (its last psums), when the scratch pads cannot double-buffer them.
  double stall_w = 0, stall_i = 0, stall_o = 0;
  double rs_p = 0, rs_q = 0;  ///< RS: filters and channels per PE in this tile
};

/// RS: `base` (from PrepareMapping) with p filters and q channels per PE instead of its own;
/// tiles of whole (p, q). REQUIRES: 1 <= p <= base.rs_p_max, 1 <= q within the pads at p.
MapParams RsWith(const MapParams& base, double p, double q);

/// RS: the principled (p, q) besides the largest (docs/model.md, "RS mapping search"), in
/// order of preference, distinct from each other and from `base`: one that fills the array
/// with sets when the largest leaves sets idle, one whose scratch pads double-buffer the next
/// pass (option pass_overhead), and one that trades half the filters for more channels.
/// Writes at most `max` pairs and returns how many.
int RsCandidates(const LoopNest& nest, const HwView& hw, const MapParams& base, double* p,
                 double* q, int max);

ArrayCost TileArrayCost(const LoopNest& nest, Dataflow df, const HwView& hw, const MapParams& mp,
                        const Tile& t);

/// After PrepareMapping returned kRfTooSmall: the bytes per PE the dataflow's stationary data
/// needs in the first register file that is too small, and that file's size (docs/model.md,
/// "Register-file feasibility"). Leaves both untouched when every file is large enough.
void RfShortfall(const LoopNest& nest, Dataflow df, const HwView& hw, const RoleBits& bits,
                 double* need_bytes, double* have_bytes);

/// Systolic fill and drain of one fold on top of its T temporal steps (0 on a multicast array;
/// docs/model.md section 4). By default the fold is padded to the whole R x C array as in
/// SCALE-Sim v2: R cycles to preload a stationary operand (WS weights, IS inputs; `preload`
/// false for OS and NLR, which load nothing before streaming), then R - 1 of input skew and
/// C - 1 of output drain. Option systolic_fill = "mapped" uses the rows_used x cols_used PEs
/// the fold maps instead, with the preload term for every dataflow: 2*S_R + S_C - 2.
inline double FoldFillCycles(const HwView& hw, double rows_used, double cols_used,
                             bool preload = true) {
  if (!hw.systolic) return 0.0;
  if (hw.fill_mapped) return 2.0 * rows_used + cols_used - 2.0;
  return (preload ? 2.0 : 1.0) * hw.rows + hw.cols - 2.0;
}

}  // namespace trim::model::detail
