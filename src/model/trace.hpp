// The structure of one design's network walk, separated from its costs (docs/model.md,
// "Performance"): for every layer-phase the walk ran, the mapping of each part (LayerMap), the
// DRAM bits charged to it besides the mapping (spills), its compulsory traffic and roofline
// work, its GLB peak and the stash bits alive; plus the walk-level footprint numbers.
// A trace depends on the design only through MapFields (and, under dataflow `best`, through
// the costs that chose each layer's dataflow), so one trace serves every design of a
// mapping group; CostTrace turns it into the result columns of any of them.
// Plain values. Internal to the model module.
#pragma once

#include <vector>

#include "layer_cost.hpp"
#include "trim/core/types.hpp"
#include "trim/model/evaluate.hpp"

namespace trim::model::detail {

struct TracePart {
  LayerMap map;
  double spill_bits = 0;        ///< DRAM bits charged besides the mapping's own
  double compulsory_bytes = 0;  ///< compulsory DRAM traffic of the part
  double roof_work = 0;         ///< MACs (and, outside FP, element ops) of the roofline bound
};

struct TracePhase {
  int layer = 0;
  Phase phase = Phase::kFP;
  int first = 0;          ///< index of its first part
  int count = 0;          ///< parts (1 or 2)
  double peak_bytes = 0;  ///< largest GLB occupancy of its parts
  double alive_bits = 0;  ///< stash bits alive during it
};

struct Trace {
  Status status = Status::kOk;  ///< kOk, or why the walk found the design infeasible
  Failure failure;              ///< where, when status is not kOk
  std::vector<TracePart> parts;
  std::vector<TracePhase> phases;
  double stash_spilled_bits = 0;
  double peak_fmap_bytes = 0;
  double weight_bytes = 0;
  void Clear() {
    status = Status::kOk;
    failure = Failure{};
    parts.clear();
    phases.clear();
    stash_spilled_bits = 0;
    peak_fmap_bytes = 0;
    weight_bytes = 0;
  }
};

}  // namespace trim::model::detail
