// The model seam: evaluate one network under one workload on a batch of designs.
//
// A Workload fixes everything that is constant within a batch (network, mode, batch size,
// dataflow); the designs vary in their hardware parameters only (HwBatch, one column per
// HwParam). Results come back as one column per ResultCol plus a Status per design.
// Evaluate() and EvaluatePoint() share the same formulas and give bitwise-identical totals.
// An Evaluator holds caches and is not thread-safe: use one per thread.
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

/// Structure of arrays of results: col[c][i] is result c of design i.
struct ResultBatch {
  std::size_t size = 0;
  std::array<std::vector<double>, kNumResultCols> col;
  std::vector<std::uint8_t> status;
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
  Status status = Status::kOk;
};

struct PointReport {
  std::vector<LayerPhaseReport> rows;
  std::array<double, kNumResultCols> totals{};
  Status status = Status::kOk;
};

class Evaluator {
 public:
  explicit Evaluator(const ModelOptions& options);
  ~Evaluator();
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  /// REQUIRES: out.size == hw.size (Evaluate resizes nothing).
  void Evaluate(const Workload& work, const HwBatch& hw, ResultBatch& out);
  /// One design with per-layer, per-phase detail (trim-eval).
  PointReport EvaluatePoint(const Workload& work, const Hardware& hw);

  struct Plan;  ///< the workload's loop nests and inter-layer structure (internal)

 private:
  ModelOptions options_;
  std::unique_ptr<Plan> plan_;
};

/// Peak MACs per cycle of a design: pe_rows * pe_cols * macs_per_pe.
double PeakMacsPerCycle(const Hardware& hw);

}  // namespace trim::model
