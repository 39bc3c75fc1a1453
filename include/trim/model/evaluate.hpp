// The model seam: evaluate one network under one workload on a batch of designs.
//
// A Workload fixes everything that is constant within a batch (network, mode, batch size,
// dataflow); the designs vary in their hardware parameters only (HwBatch, one column per
// HwParam). Results come back as one column per ResultCol plus a Status per design.
// Evaluate() and EvaluatePoint() share the same formulas and give bitwise-identical totals.
// An Evaluator holds caches (the plan of the last workload, layer mappings, the walks of
// recent mapping groups; docs/model.md, "Performance") that never change a result. Its memory
// is bounded (a few tens of MiB at most). Not thread-safe: use one per thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "trim/core/types.hpp"
#include "trim/model/columns.hpp"
#include "trim/model/hardware.hpp"
#include "trim/model/options.hpp"
#include "trim/net/layer.hpp"

namespace trim::model {

struct Workload {
  const net::Network* network = nullptr;
  Mode mode = Mode::kInference;
  std::int64_t batch = 1;
  Dataflow dataflow = Dataflow::kRS;
};

/// Structure of arrays of designs: col[p][i] is parameter p of design i.
struct HwBatch {
  std::size_t size = 0;
  std::array<std::vector<double>, kNumHwParams> col;
  void Resize(std::size_t n);
  [[nodiscard]] Hardware Row(std::size_t i) const;
  void SetRow(std::size_t i, const Hardware& h);
};

/// Where an infeasible design first failed (docs/output-format.md, "Diagnostics"): the layer
/// (index into Network::layers; -1 when no layer is to blame: a zero clock or DRAM bandwidth,
/// a result that is not finite), the phase it failed in, and for a buffer or register file
/// that is too small the bytes the smallest mapping needs and the bytes there are (global
/// buffer, or its partition; register file: per PE). need_bytes = have_bytes = 0 otherwise.
/// A feasible design has the defaults.
struct Failure {
  int layer = -1;
  Phase phase = Phase::kFP;
  double need_bytes = 0;
  double have_bytes = 0;
};

/// Structure of arrays of results: col[c][i] is result c of design i.
struct ResultBatch {
  std::size_t size = 0;
  std::array<std::vector<double>, kNumResultCols> col;
  std::vector<std::uint8_t> status;
  std::vector<Failure> failure;  ///< why design i is infeasible (defaults when it is not)
  void Resize(std::size_t n);
};

/// One row of trim-eval: one layer in one phase.
struct LayerPhaseReport {
  int layer = 0;
  net::LayerKind kind = net::LayerKind::kConv;
  Phase phase = Phase::kFP;
  Dataflow dataflow = Dataflow::kRS;  ///< the dataflow used (resolved when the job says best)
  double macs = 0;
  double ops = 0;  ///< non-MAC element operations (pooling, element-wise layers)
  double cycles = 0;
  double latency_s = 0;
  double energy_pj = 0;
  double energy_mac_pj = 0;
  double energy_rf_pj = 0;
  double energy_noc_pj = 0;
  double energy_glb_pj = 0;
  double energy_dram_pj = 0;
  double energy_leak_pj = 0;
  double dram_bytes = 0;
  double glb_accesses = 0;
  double rf_accesses = 0;
  double noc_transfers = 0;
  double roofline_s = 0;  ///< max(compute, compulsory DRAM) bound of this layer-phase
  double active_pes = 0;
  double utilization = 0;
  bool fused = false;  ///< FP run in the output path of the layer before (docs/model.md, 22)
  Status status = Status::kOk;  ///< not ok: the layer-phase where the design failed (zeros)
};

struct PointReport {
  std::vector<LayerPhaseReport> rows;
  std::array<double, kNumResultCols> totals{};
  Status status = Status::kOk;
  Failure failure;
};

/// Counters of an Evaluator's reuse (docs/model.md, "Performance"); they never change results.
struct EvaluatorStats {
  std::uint64_t points = 0;  ///< designs evaluated by Evaluate
  std::uint64_t walks = 0;   ///< network walks (each maps every layer-phase of a design)
  /// Walks of a design whose mapping fields no earlier walk had: mapped without the mapping
  /// cache (none of its entries could match), so a sweep where every design maps anew never
  /// builds a key.
  std::uint64_t first_walks = 0;
  std::uint64_t trace_hits = 0;  ///< designs costed from the cached walk of their mapping group
  std::uint64_t map_hits = 0;    ///< layer mappings taken from the mapping cache
  std::uint64_t map_misses = 0;  ///< layer mappings computed
  /// Layer mappings computed without the cache: it stands aside while it finds no hits.
  std::uint64_t map_bypassed = 0;
  std::uint64_t plans = 0;  ///< plan builds (a new network, mode or batch)
};

class Evaluator {
 public:
  /// `caching` = false maps every layer-phase of every design afresh (the reference the
  /// cache tests compare against); results are bitwise identical either way.
  explicit Evaluator(const ModelOptions& options, bool caching = true);
  ~Evaluator();
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  /// REQUIRES: out.size == hw.size (Evaluate resizes nothing).
  void Evaluate(const Workload& work, const HwBatch& hw, ResultBatch& out);
  /// One design with per-layer, per-phase detail (trim-eval).
  PointReport EvaluatePoint(const Workload& work, const Hardware& hw);

  [[nodiscard]] const EvaluatorStats& stats() const { return stats_; }

  struct Plan;   ///< the workload's loop nests and inter-layer structure (internal)
  struct Cache;  ///< the mapping cache and the walks of recent mapping groups (internal)

 private:
  void EnsurePlan(const Workload& work);

  ModelOptions options_;
  bool caching_;
  std::unique_ptr<Plan> plan_;
  std::unique_ptr<Cache> cache_;
  std::vector<std::int64_t> plan_signature_;
  EvaluatorStats stats_;
};

/// Peak MACs per cycle of a design: pe_rows * pe_cols * macs_per_pe.
double PeakMacsPerCycle(const Hardware& hw);

}  // namespace trim::model
