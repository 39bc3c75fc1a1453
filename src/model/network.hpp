// Whole-network evaluation of one design point (docs/model.md, "Inter-layer activity" and
// "Training step"): builds the nests of every layer-phase once per workload (the Plan), then
// per design walks the forward pass in layer order and, in training, the backward pass in
// reverse (BP, WG, WU per layer), deciding which tensors stay in the GLB (activations until
// their last consumer, errors until their layer's WG, weight gradients until WU, tensors saved
// for backward in the stash share), evaluates each layer-phase with the chosen engine, and
// fills every result column.
// No allocation per point when `rows` is null (per-point state lives in Plan::scratch).
// Internal to the model module.
#pragma once

#include <array>
#include <vector>

#include "hw_view.hpp"
#include "loop_nest.hpp"
#include "map_cache.hpp"
#include "trace.hpp"
#include "trim/model/evaluate.hpp"

namespace trim::model {

struct Evaluator::Plan {
  /// A tensor saved in FP for the backward pass (docs/model.md, "Stash").
  struct StashEntry {
    detail::TensorRef ref;  ///< kAct (an activation) or kOwnStash (mask, indices, statistics)
    double elems = 0;
    detail::BitsClass bits = detail::BitsClass::kAct;
    double fixed_bits = 0;
    int key = 0;      ///< producing layer (-1 the network input): kept last layer first
    int free_at = 0;  ///< the lowest layer whose backward reads it (it dies after that)
  };
  struct Scratch {
    std::vector<char> fp_kept, bp_kept, grad_exists;  ///< by tensor id + 1
    std::vector<char> stash_kept;                     ///< by stash entry
    std::vector<double> fp_alive, bp_alive;           ///< stash bits alive per layer
  };

  bool training = false;
  int layers = 0;
  /// phases[l * kNumPhases + p]: the nests of layer l in phase p.
  std::vector<detail::PhaseNests> phases;
  std::vector<Status> build_status;
  std::vector<net::LayerKind> kinds;
  std::vector<int> last_consumer;  ///< by tensor id + 1; -1 = no consumer (a network output)
  std::vector<double> act_elems;   ///< by tensor id + 1: elements of the activation
  std::vector<double> params;      ///< by layer: Layer::params()
  std::vector<StashEntry> stash;   ///< sorted by key, highest first
  std::vector<int> stash_of_act;   ///< by tensor id + 1: stash entry or -1
  std::vector<int> stash_of_own;   ///< by layer: stash entry or -1
  std::vector<int> consumers;      ///< by tensor id + 1: how many layers read it
  /// Fusion (docs/model.md, section 22), by layer: its FP runs in the output path of the layer
  /// before it (`fused`); its FP output only feeds such a layer and is never stored
  /// (`out_in_path`).
  std::vector<char> fused, out_in_path;
  Scratch scratch;
  detail::Trace trace;  ///< scratch trace of EvaluateNetwork

  [[nodiscard]] const detail::PhaseNests& At(int layer, Phase p) const {
    return phases[static_cast<std::size_t>(layer) * kNumPhases + static_cast<std::size_t>(p)];
  }
};

namespace detail {

/// Builds the nests and the tensor graph of a workload (once per batch of designs).
void BuildPlan(const Workload& work, const ModelOptions& opt, Evaluator::Plan* plan);

/// The structure stage of one design: walks the network with the full view `hv` (REQUIRES:
/// clock and DRAM bandwidth > 0, every build status kOk) and records the trace. `cache` may be
/// null (every mapping computed afresh). Returns trace->status.
Status WalkNetwork(Evaluator::Plan& plan, const Workload& work, const ModelOptions& opt,
                   const HwView& hv, MapCache* cache, Trace* trace);

/// The cost stage: the result columns of design `hw` (view `hv`) from a trace of its mapping
/// group. Rows, when asked for, are those of the layer-phases the walk completed (also when it
/// failed). Totals are zero and the status says why when the design is infeasible.
Status CostTrace(const Evaluator::Plan& plan, const Workload& work, const ModelOptions& opt,
                 const Trace& trace, const Hardware& hw, const HwView& hv,
                 std::array<double, kNumResultCols>* totals, std::vector<LayerPhaseReport>* rows);

/// Checks that cannot depend on a mapping: kZeroBandwidth for a zero clock or DRAM bandwidth,
/// a layer that could not be built; else kOk.
Status PointStatus(const Evaluator::Plan& plan, const HwView& hv);

/// The trim-eval row of the layer-phase where a design failed: zeros, the failing status.
/// REQUIRES: f.layer >= 0.
LayerPhaseReport FailedRow(const Evaluator::Plan& plan, const Workload& work, const Failure& f,
                           Status status);

/// Where a design rejected by PointStatus failed: the first layer that could not be built, or
/// no layer (a zero clock or DRAM bandwidth).
Failure PointFailure(const Evaluator::Plan& plan);

/// Evaluates one design without caches (WalkNetwork then CostTrace, with the plan's scratch
/// trace); totals are zero and the status says why when it is infeasible.
Status EvaluateNetwork(Evaluator::Plan& plan, const Workload& work, const Hardware& hw,
                       const ModelOptions& opt, std::array<double, kNumResultCols>* totals,
                       std::vector<LayerPhaseReport>* rows);

}  // namespace detail
}  // namespace trim::model
