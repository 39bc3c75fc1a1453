// Cost of one layer-phase on one design under one dataflow: tiling, array mapping, cycles
// with the bandwidth limits, accesses per level and energy by part (docs/model.md).
// Closed-form plus the bounded tiling search; no allocation; never throws.
// Internal to the model module.
#pragma once

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
  double cycles = 0, latency_s = 0;
  double e_mac_pj = 0, e_rf_pj = 0, e_noc_pj = 0, e_glb_pj = 0, e_dram_pj = 0, e_leak_pj = 0;
  double energy_pj = 0;
  double dram_bytes = 0, glb_accesses = 0, rf_accesses = 0, noc_transfers = 0;
  double active_pes = 0, utilization = 0;
  double glb_peak_bytes = 0;
  bool output_kept = false;  ///< the output stayed in the GLB (no DRAM write)
  bool fell_back = false;    ///< the residency did not fit: held tensors were evicted
};

/// One dataflow (not kBest). `spill_bits` is extra DRAM write traffic charged to this layer
/// (an input the previous layer meant to keep on chip but this layer could not).
LayerCost EvaluateLayer(const LoopNest& nest, Dataflow df, const HwView& hw, const Residency& res,
                        double spill_bits);

/// Dataflow selection criterion for kBest (Option kSelect).
enum class Select : std::uint8_t { kEdp = 0, kEnergy, kLatency, kDram };

/// The dataflow of the job, or for kBest the best of the five under `select`, each tried with
/// the requested residency and, if that does not fit, without it (then `evict_bits`, the
/// tensors held on chip, are written to DRAM and charged here; fell_back is set).
/// `extra_bits` is DRAM write traffic charged in either case (stored tensors spilled in FP).
LayerCost EvaluateLayerAuto(const LoopNest& nest, Dataflow df, const HwView& hw,
                            const Residency& res, Select select, double extra_bits,
                            double evict_bits);

/// The touched input elements of a layer (rows the window reaches), used by the compulsory
/// traffic bound.
double CompulsoryInputElems(const LoopNest& nest);

}  // namespace trim::model::detail
