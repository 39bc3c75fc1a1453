// The automatic task size: how many design points rank 0 hands out at a time.
//
// A task must be long enough that rank 0, which answers every request, stays mostly free
// (its busy share is workers x request cost / task duration), and short enough that every
// rank gets several tasks (the last tasks balance the load). Both depend on what one point
// costs on this machine for this job, which varies 50x between a warm job (points share
// mappings) and a cold one (every point maps anew), so the run measures it first
// (SampleCost) and derives the task size from it (AutoChunk). docs/benchmarks.md measures the
// constants and projects the result to 1,000 and 10,000 ranks.
// Thread safety: the functions are pure except SampleCost, which uses the evaluator given.
#pragma once

#include <cstdint>

#include "trim/core/types.hpp"
#include "trim/model/evaluate.hpp"
#include "trim/space/design_space.hpp"

namespace trim::sched {

/// Relative cost of evaluating one design point of a block: layer-phase evaluations (layers x
/// phases x dataflows tried). Orders the work (costliest blocks first) and scales a measured
/// cost from one block to another.
double BlockCost(const space::DesignSpace& space, Index block);

/// The constants of the rule (docs/benchmarks.md, "Task size", measures them).
struct ChunkRule {
  /// Rank 0's cost of answering one request, with room for a network fabric (measured: 2-5 us).
  double request_s = 20e-6;
  /// Rank 0's busy share answering requests stays at or below this.
  double master_share = 0.25;
  /// Shortest task: keeps the fixed costs of a task (a request, its part of a write) near 1%.
  double min_task_s = 5e-3;
  /// Tasks per rank aimed for (load balance); a job with enough points gets at least
  /// `min_tasks_per_rank`.
  std::uint64_t tasks_per_rank = 16;
  std::uint64_t min_tasks_per_rank = 4;
  /// Without a measured cost: the smallest task (the rule before calibration existed).
  std::uint64_t unmeasured_min = 512;
  /// Largest task: bounds the per-task buffers (about 400 bytes per point).
  std::uint64_t max_chunk = 131072;
};

/// Points per task for `points` points in blocks of `block` points (tasks never cross a block)
/// on `ranks` ranks, when a point of the cheapest block costs `point_s` seconds (0 = unknown).
/// The chunk is the larger of points / (tasks_per_rank x ranks) and the least chunk that keeps
/// rank 0 under master_share busy and tasks over min_task_s; so every rank gets at least
/// min_tasks_per_rank tasks whenever points >= min_tasks_per_rank x ranks x that least chunk
/// ("enough points"). Below that, rank 0's capacity wins: fewer, longer tasks.
std::uint64_t AutoChunk(std::uint64_t points, std::uint64_t block, int ranks, double point_s,
                        const ChunkRule& rule = {});
/// The least chunk of AutoChunk: rank 0 and per-task overheads only (0 when point_s is 0).
std::uint64_t MinChunk(int ranks, double point_s, const ChunkRule& rule = {});

/// A measured cost: `seconds` spent on `evals` layer-phase evaluations.
struct CostSample {
  double seconds = 0;
  double evals = 0;
  [[nodiscard]] double PerEval() const { return evals > 0 ? seconds / evals : 0; }
};

/// Measures this machine's cost of evaluating block `block`: runs of consecutive points from
/// the block's start, each twice as long as the one before (8, 16, 32, ...), until `budget_s`
/// has passed or the block ends; returns the cost of the last run, by then with the
/// evaluator's caches as warm as a task of the real run finds them (a warm job is measured
/// warm, a cold job cold). Results are discarded.
CostSample SampleCost(const space::DesignSpace& space, model::Evaluator& ev, Index block,
                      double budget_s);

/// Seconds per point of the cheapest block of `space`, from a cost per layer-phase evaluation.
double CheapestPointSeconds(const space::DesignSpace& space, double per_eval_s);

}  // namespace trim::sched
