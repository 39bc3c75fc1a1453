// Whole-network evaluation of one design point (docs/model.md, "Network totals" and
// "Inter-layer reuse"): walks the layers in order, decides which outputs stay in the GLB,
// evaluates each layer with the chosen engine, and fills every result column.
// No allocation when `rows` is null. Internal to the model module.
#pragma once

#include <array>
#include <vector>

#include "loop_nest.hpp"
#include "trim/model/evaluate.hpp"

namespace trim::model {

struct Evaluator::Plan {
  std::vector<detail::LoopNest> nests;
  std::vector<Status> build_status;
  /// Layer l's output can stay on chip for layer l + 1: l + 1 reads it and no later layer does.
  std::vector<char> keepable;
  std::vector<net::LayerKind> kinds;
};

namespace detail {

void BuildPlan(const Workload& work, Evaluator::Plan* plan);

/// Evaluates one design; totals are zero and the status says why when it is infeasible.
Status EvaluateNetwork(const Evaluator::Plan& plan, const Workload& work, const Hardware& hw,
                       const ModelOptions& opt, std::array<double, kNumResultCols>* totals,
                       std::vector<LayerPhaseReport>* rows);

}  // namespace detail
}  // namespace trim::model
