// Module-private: the results-file layout of a design space, and the per-task buffers that
// turn a range of design points into the column data the file writes.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "row_writer.hpp"
#include "trim/io/results_file.hpp"
#include "trim/model/evaluate.hpp"
#include "trim/sched/messages.hpp"
#include "trim/sched/runner.hpp"
#include "trim/space/design_space.hpp"

namespace trim::sched {

/// The result columns the file stores, in registry order: every model::ResultCol, or those of
/// [output] columns plus the goal's and the constraints' columns.
std::vector<model::ResultCol> StoredResultCols(const config::JobSpec& job);

/// Columns: /params/<axis> for every axis (categorical: uint16 codes; numeric: float64),
/// then /results/<column> for every stored result column (float64, or float32 when [output]
/// says so), then results/status and results/feasible (uint8), then the diagnostics of
/// infeasible designs: fail_layer (int64), fail_layer_name (uint32 code), fail_phase (uint8
/// code), fail_need_bytes and fail_have_bytes (float64).
io::Layout MakeLayout(const space::DesignSpace& space);

/// A column definition (no categories or axis values unless given).
io::ColumnDef MakeColumn(std::string group, std::string name, io::Dtype dtype, std::string units,
                         std::string description, std::vector<std::string> categories = {});

/// The index in MakeLayout(space).columns of /<group>/<name>; throws std::logic_error if absent.
std::size_t LayoutColumn(const io::Layout& layout, const std::string& group,
                         const std::string& name);

/// Evaluates ranges of one block and keeps the best feasible designs of this rank.
class TaskRunner {
 public:
  explicit TaskRunner(const space::DesignSpace& space);

  /// Starts a task: sizes the buffers for r (which lies in one block).
  void Begin(IndexRange r);
  /// Evaluates the part [from, to) of the current task (any sub-range, in any order).
  void EvaluatePart(IndexRange part, double& fill_s, double& eval_s);
  /// Hands the current task's rows to `out` (all parts must have been evaluated).
  void Write(RowWriter& out);
  /// The best entries seen by this rank, per network, best first.
  [[nodiscard]] std::vector<BestEntry> Best() const;
  /// Infeasible points this rank wrote, by reason, layer and phase.
  [[nodiscard]] std::vector<FailureCount> Failures() const;
  /// The model's evaluation counters on this rank (cache reuse).
  [[nodiscard]] const model::EvaluatorStats& ModelStats() const { return evaluator_.stats(); }
  /// The evaluator (for calibration: its caches never change a result).
  model::Evaluator& evaluator() { return evaluator_; }

  /// Designs per model batch: bounds the hardware and result batches whatever the task size.
  static constexpr Index kSubBatch = 4096;

 private:
  /// Copies the sub-batch results of `part` into the task's columns, flags feasibility and
  /// updates the best list.
  void Collect(IndexRange part);

  const space::DesignSpace& space_;
  model::Evaluator evaluator_;
  IndexRange task_;
  model::Workload work_;
  std::uint32_t network_code_ = 0;
  model::HwBatch hw_;
  model::ResultBatch part_;
  model::ResultBatch res_;
  std::vector<std::uint8_t> feasible_;
  std::vector<model::ResultCol> stored_;      ///< result columns in the file, in order
  bool float32_ = false;                      ///< results stored as float32
  std::vector<std::vector<float>> narrowed_;  ///< float32 copies of stored_ (float32_ only)
  std::vector<std::vector<double>> numeric_params_;
  std::vector<std::vector<std::uint16_t>> code_params_;
  struct Bound {
    std::size_t col;
    double min;
    double max;
  };
  std::vector<Bound> bounds_;  ///< the job's constraints, by result-column index
  std::size_t goal_col_;
  bool maximize_;
  std::size_t top_;
  std::vector<std::vector<BestEntry>> best_;    ///< per network code
  std::vector<std::uint32_t> layer_code_base_;  ///< per network code: its first layer's code
  std::uint32_t layer_base_ = 0;                ///< of the current task's network
  /// The diagnostics columns of the current task.
  std::vector<std::int64_t> fail_layer_;
  std::vector<std::uint32_t> fail_name_;
  std::vector<std::uint8_t> fail_phase_;
  std::vector<double> fail_need_, fail_have_;
  /// Failure counts of the rows written, keyed by FailureKey.
  std::map<std::uint64_t, std::uint64_t> failures_;
};

/// Failure counts keyed by FailureKey, and back (FailureCount fields as in runner.hpp).
std::uint64_t FailureKey(std::uint8_t status, std::uint32_t layer, std::uint8_t phase);
std::vector<FailureCount> FailureCounts(const std::map<std::uint64_t, std::uint64_t>& by_key);

/// Merges best lists: per network at most `top` entries, best first; ties by design index.
std::vector<BestEntry> MergeBest(const std::vector<BestEntry>& all, bool maximize, std::size_t top);

}  // namespace trim::sched
