// Cost of one layer-phase on one design under one dataflow (docs/model.md), in two stages:
//   MapLayer: the mapping — spatial folding, the GLB tiling search, accesses per level,
//     compute cycles. It depends only on the nest, the dataflow, the residency and the
//     mapping fields of the design (MapFields, hw_view.hpp), never on energy costs or leakage,
//     and on bandwidths only under overlap = "double_buffer" (which picks the faster of two
//     schedules), so designs that differ only in those reuse it (map_cache.hpp).
//   CostLayer: closed-form cycles under the bandwidths, and energies, from a mapping.
// EvaluateLayer = CostLayer(MapLayer(...)). No allocation; never throws.
// Internal to the model module.
#pragma once

#include <array>

#include "hw_view.hpp"
#include "loop_nest.hpp"
#include "tiling.hpp"
#include "trim/core/types.hpp"
#include "trim/model/columns.hpp"

namespace trim::model::detail {

struct LayerCost {
  Status status = Status::kOk;
  Dataflow dataflow = Dataflow::kRS;
  double macs = 0, ops = 0;
  double compute_cycles = 0, glb_cycles = 0, noc_cycles = 0, dram_cycles = 0;
  double bus_cycles = 0;  ///< the busiest buffer-to-array network
  double cycles = 0, latency_s = 0;
  double e_mac_pj = 0, e_rf_pj = 0, e_noc_pj = 0, e_glb_pj = 0, e_dram_pj = 0, e_leak_pj = 0;
  double energy_pj = 0;
  double dram_bytes = 0, glb_accesses = 0, rf_accesses = 0, noc_transfers = 0;
  double active_pes = 0, utilization = 0;
  double glb_peak_bytes = 0;
  bool output_kept = false;   ///< the output stayed in the GLB (no DRAM write)
  bool fell_back = false;     ///< the residency did not fit: held tensors were evicted
  double rs_p = 0, rs_q = 0;  ///< RS: filters and channels per PE of the costed mapping
};

enum class MapKind : std::uint8_t { kMac = 0, kVector, kRoofline };

/// kOption: as option `overlap` says (overlap or serial); under overlap = "double_buffer", the
/// schedule the mapping chose: kPingPong (tiles in one half of the buffer, transfers hidden but
/// for the exposed ones) or kSerial (the whole buffer, transfers serial).
enum class DramTiming : std::uint8_t { kOption = 0, kPingPong, kSerial };

/// The counts of one spatial mapping and tiling that differ between row-stationary candidates
/// (the same meaning as the LayerMap fields of the same names).
struct MapPoint {
  DramTiming timing = DramTiming::kOption;
  double rs_p = 0, rs_q = 0;
  double compute_cycles = 0, active_pes = 0, array_words = 0, glb_words = 0, dram_bits = 0;
  double noc_transfers = 0, rf_accesses = 0, rf_bits = 0, noc_bits = 0, glb_onchip_bits = 0;
  double rf_w_bits = 0, rf_i_bits = 0, rf_p_bits = 0, glb_peak_bytes = 0;
  double bus_w_bits = 0, bus_i_bits = 0, bus_o_bits = 0;
  double stall_w_bits = 0, stall_i_bits = 0, stall_o_bits = 0;
  double exposed_bits = 0;
};

/// RS: the least of each count the cost stage's lower bounds read, over a record's candidates;
/// a lower bound on it bounds every candidate at once (layer_cost.cpp, BestCandidate).
struct PointFloor {
  double compute_cycles = 0, bus_w_bits = 0, bus_i_bits = 0, bus_o_bits = 0;
  double rf_bits = 0, rf_w_bits = 0, rf_i_bits = 0, rf_p_bits = 0, dram_bits = 0;
};

/// Row-stationary mappings kept besides the default one (docs/model.md, "RS mapping search").
inline constexpr int kRsAlternatives = 3;

/// The mapping of one nest: every count the cost stage needs, with the extra DRAM traffic
/// charged to the layer (spill) left out (CostLayer adds it). Words are in each tensor's own
/// precision; *_bits fields are words x bits summed over tensors.
struct LayerMap {
  Status status = Status::kOk;  ///< kRfTooSmall / kGlbTooSmall / kShapeMismatch, or kOk
  MapKind kind = MapKind::kMac;
  Dataflow dataflow = Dataflow::kRS;
  bool output_kept = false;
  /// How DRAM transfers combine with the on-chip time (docs/model.md, sections 6 and 6.1).
  DramTiming timing = DramTiming::kOption;
  double macs = 0, ops = 0;
  double work = 0;                          ///< MACs (MAC nest) or element operations (vector nest)
  double mac_bits_a = 16, mac_bits_b = 16;  ///< operand widths of the MAC energy scaling
  double compute_cycles = 0, active_pes = 0;
  double array_words = 0;       ///< GLB <-> array words (the NoC bound)
  double glb_words = 0;         ///< GLB accesses without the spill
  double dram_bits = 0;         ///< DRAM traffic without the spill
  double spill_word_bits = 16;  ///< bits per GLB word of spilled data
  double noc_transfers = 0, rf_accesses = 0;
  double rf_bits = 0, noc_bits = 0, glb_onchip_bits = 0;
  double rf_w_bits = 0, rf_i_bits = 0, rf_p_bits = 0;  ///< rf_bits by register file
  double glb_peak_bytes = 0;
  /// Bits over each buffer-to-array network (weights, inputs, the busier direction of
  /// psums/outputs), and the part of them the array waits for (RS pass overheads).
  double bus_w_bits = 0, bus_i_bits = 0, bus_o_bits = 0;
  double stall_w_bits = 0, stall_i_bits = 0, stall_o_bits = 0;
  /// kPingPong: the DRAM reads of the first tile and the writes of the last tile, which no
  /// computation hides.
  double exposed_bits = 0;
  /// Infeasible: the bytes the smallest mapping needs and the bytes available in the storage
  /// that overflows (GLB or its partition; an RF per PE). 0 when not known.
  double need_bytes = 0, have_bytes = 0;
  /// RS: filters (p) and channels (q) per PE of this mapping (0 for the other dataflows).
  double rs_p = 0, rs_q = 0;
  /// RS: other feasible (p, q) mappings that no kept mapping dominates, each with its own
  /// tiling; the cost stage takes the best of these and the fields above under `select`.
  /// Slots from n_alt on are unspecified (a reused record keeps what they held).
  int n_alt = 0;
  std::array<MapPoint, kRsAlternatives> alt{};
  /// The floor of alt[0, n_alt); unspecified when n_alt == 0. Last, so that records without
  /// candidates are reset and copied without it.
  PointFloor alt_floor{};
};

/// Copies `from` into `*to` but for the candidate slots (and their floor) `from` does not use.
void CopyMapping(const LayerMap& from, LayerMap* to);

/// The mapping of `nest` (kMac or kVector; not kBest).
LayerMap MapLayer(const LoopNest& nest, Dataflow df, const HwView& hw, const Residency& res);

/// MapLayer without copying the record: it is the MAC memo's (within a design's walk,
/// scoped_memo.hpp) or `*scratch`, and stays valid until the next mapping on this thread.
const LayerMap& MapLayerRef(const LoopNest& nest, Dataflow df, const HwView& hw,
                            const Residency& res, LayerMap* scratch);

/// The roofline engine's "mapping": compute at peak or compulsory traffic at full bandwidth.
LayerMap RooflineMap(const LoopNest& nest, Dataflow df, const HwView& hw);

/// kZeroBandwidth when the mapping's traffic meets a zero bandwidth or clock; else kOk.
/// Depends on the design only through whether each bandwidth and the clock is > 0.
Status BandwidthStatus(const LayerMap& map, const HwView& hw, double spill_bits);

/// Cycles and energies of a feasible mapping on one design; `spill_bits` is extra DRAM
/// write traffic charged to this layer; `compulsory_bytes` is used by the roofline engine.
/// With RS alternatives, the one of least criterion (option `select`) among them and the
/// map's own fields; a tie keeps the map's own. REQUIRES: map.status == kOk.
LayerCost CostLayer(const LayerMap& map, const HwView& hw, double spill_bits,
                    double compulsory_bytes);

/// The costs of the parts of one layer-phase, summed in part order (the cost stage's sums,
/// cost_trace.cpp): the LayerCost fields of the same meaning, the roofline cycles of each part,
/// the largest active-PE count and GLB peak, and the dataflow of the first part with work.
struct CostSum {
  double macs = 0, ops = 0, cycles = 0, e_mac = 0, e_rf = 0, e_noc = 0, e_glb = 0, e_dram = 0,
         e_leak = 0, dram = 0, glb = 0, rf = 0, noc = 0, roof_cycles = 0, active = 0, peak = 0;
  Dataflow df = Dataflow::kRS;
  [[nodiscard]] double Energy() const { return e_mac + e_rf + e_noc + e_glb + e_dram + e_leak; }
};

/// Adds CostLayer(map, hw, spill_bits, compulsory_bytes) and the part's roofline cycles
/// (max(roof_work / peak, compulsory_bytes / DRAM bytes per cycle)) to `*sum`: the same values
/// as summing CostLayer's fields, computed without building the whole LayerCost.
void AddCost(const LayerMap& map, const HwView& hw, double spill_bits, double compulsory_bytes,
             double roof_work, CostSum* sum);

/// One dataflow (not kBest): CostLayer(MapLayer(...)) with the status of either stage.
LayerCost EvaluateLayer(const LoopNest& nest, Dataflow df, const HwView& hw, const Residency& res,
                        double spill_bits);

/// Dataflow selection criterion for kBest (Option kSelect).
enum class Select : std::uint8_t { kEdp = 0, kEnergy, kLatency, kDram };
double Criterion(const LayerCost& lc, Select s);

/// The touched input elements of a layer (rows the window reaches), used by the compulsory
/// traffic bound.
double CompulsoryInputElems(const LoopNest& nest);

}  // namespace trim::model::detail
