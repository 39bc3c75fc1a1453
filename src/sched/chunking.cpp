#include "trim/sched/chunking.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace trim::sched {
namespace {

double Seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::uint64_t CeilU64(double x) {
  if (!(x > 0)) return 0;
  return static_cast<std::uint64_t>(std::min(std::ceil(x), 1e18));
}

}  // namespace

double BlockCost(const space::DesignSpace& space, Index block) {
  // The model's work per point is one evaluation per layer and phase (five under "best"),
  // whatever the layer's size.
  const model::Workload w = space.WorkloadOf(block);
  const double phases = w.mode == Mode::kTraining ? kNumPhases : 1.0;
  const double dataflows = w.dataflow == Dataflow::kBest ? 5.0 : 1.0;
  return static_cast<double>(w.network->layers.size()) * phases * dataflows;
}

std::uint64_t MinChunk(int ranks, double point_s, const ChunkRule& rule) {
  if (!(point_s > 0)) return 0;
  // With W workers each asking once per task of C points (C x point_s seconds), rank 0 is
  // busy W x request_s / (C x point_s): at most master_share when C reaches `master`.
  const double workers = static_cast<double>(std::max(0, ranks - 1));
  const std::uint64_t master = CeilU64(workers * rule.request_s / (rule.master_share * point_s));
  const std::uint64_t shortest = CeilU64(rule.min_task_s / point_s);
  return std::max<std::uint64_t>({master, shortest, 1});
}

std::uint64_t AutoChunk(std::uint64_t points, std::uint64_t block, int ranks, double point_s,
                        const ChunkRule& rule) {
  const auto r = static_cast<std::uint64_t>(std::max(1, ranks));
  const std::uint64_t balanced = points / (rule.tasks_per_rank * r) + 1;
  const std::uint64_t least = point_s > 0 ? MinChunk(ranks, point_s, rule) : rule.unmeasured_min;
  std::uint64_t chunk = std::max(balanced, least);
  // `balanced` never exceeds points / (min_tasks_per_rank x ranks) when that is at least
  // `least`; so a cap that keeps the memory bound only binds on jobs without enough points.
  chunk = std::min(chunk, rule.max_chunk);
  return std::max<std::uint64_t>(1, std::min(chunk, std::max<std::uint64_t>(block, 1)));
}

CostSample SampleCost(const space::DesignSpace& space, model::Evaluator& ev, Index block,
                      double budget_s) {
  const Index begin = block * space.block_size();
  const Index end = begin + space.block_size();
  const double per_point = BlockCost(space, block);
  model::HwBatch hw;
  model::ResultBatch out;
  CostSample last;
  const double t_start = Seconds();
  constexpr Index kFirst = 8, kLongest = 65536;
  for (Index from = begin, n = kFirst; from < end; from += n, n = std::min(2 * n, kLongest)) {
    const IndexRange r{from, std::min(end, from + n)};
    space.FillBatch(r, hw);
    out.Resize(r.size());
    const double t0 = Seconds();
    ev.Evaluate(space.WorkloadOf(block), hw, out);
    last = {Seconds() - t0, per_point * static_cast<double>(r.size())};
    if (Seconds() - t_start >= budget_s) break;
  }
  return last;
}

double CheapestPointSeconds(const space::DesignSpace& space, double per_eval_s) {
  double cheapest = 0;
  for (Index b = 0; b < space.num_blocks(); ++b) {
    const double c = BlockCost(space, b);
    cheapest = b == 0 ? c : std::min(cheapest, c);
  }
  return cheapest * per_eval_s;
}

}  // namespace trim::sched
