// The design space of a job: the Cartesian product of every axis, addressed by a mixed-radix
// index. Digit order, fastest first: the hardware axes in job order, then precision, batch,
// dataflow, mode, network. Hardware axes linked in the job's [link] table share one digit,
// the digit of the group's first axis: they advance together. A "block" is the set of consecutive
// indices that share every non-hardware digit: one workload evaluated on every hardware
// combination. Nothing is materialized; Decode() and FillBatch() compute points on demand.
// Immutable after construction; safe to share read-only across threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "trim/config/job_spec.hpp"
#include "trim/core/types.hpp"
#include "trim/model/evaluate.hpp"

namespace trim::space {

enum class AxisKind : std::uint8_t { kHardware, kPrecision, kBatch, kDataflow, kMode, kNetwork };

struct Axis {
  std::string name;  ///< column name in the results file ("pe_rows", "dataflow", ...)
  AxisKind kind;
  model::HwParam param = model::HwParam::kCount;  ///< kHardware only
  std::string unit;
  std::string description;
  /// Categorical axes (labels non-empty) are stored as integer codes with a lookup table;
  /// numeric axes (values) as their values.
  std::vector<double> values;
  std::vector<std::string> labels;
  [[nodiscard]] std::uint64_t size() const {
    return labels.empty() ? values.size() : labels.size();
  }
  [[nodiscard]] bool categorical() const { return !labels.empty(); }
  /// The index in axes() of the axis this one advances with ([link]); its own index when
  /// it has its own digit.
  std::size_t leader = 0;
};

class DesignSpace {
 public:
  /// Throws ConfigError (at the job's first axis) if the number of points overflows 2^63.
  explicit DesignSpace(const config::JobSpec& job);

  [[nodiscard]] Index size() const { return size_; }
  /// Points per block: the product of the hardware axes' sizes.
  [[nodiscard]] Index block_size() const { return block_size_; }
  [[nodiscard]] Index num_blocks() const { return size_ / block_size_; }
  [[nodiscard]] const std::vector<Axis>& axes() const { return axes_; }
  [[nodiscard]] const config::JobSpec& job() const { return *job_; }

  /// Per-axis digits of index i (linked axes repeat their leader's digit). REQUIRES: i < size().
  [[nodiscard]] std::vector<std::uint32_t> Decode(Index i) const;
  /// Inverse of Decode (the digits of linked followers are not read).
  [[nodiscard]] Index Encode(const std::vector<std::uint32_t>& digits) const;

  /// The workload of block b (network, mode, batch, dataflow). REQUIRES: b < num_blocks().
  [[nodiscard]] model::Workload WorkloadOf(Index block) const;
  [[nodiscard]] const config::NetworkEntry& NetworkOf(Index block) const;
  /// The full hardware of point i: template, hardware digits, and the block's precision.
  [[nodiscard]] model::Hardware HardwareAt(Index i) const;
  /// Fills hw with the designs of r. REQUIRES: r lies inside one block.
  void FillBatch(IndexRange r, model::HwBatch& hw) const;
  /// The value stored in the results file for axis a at point i: the numeric value, or the
  /// category code.
  [[nodiscard]] double AxisColumnValue(std::size_t axis, Index i) const;

 private:
  const config::JobSpec* job_;
  std::vector<Axis> axes_;
  std::vector<Index> stride_;  ///< stride_[a] = product of the sizes of axes before a
  Index size_ = 1;
  Index block_size_ = 1;
  std::size_t num_hw_axes_ = 0;
};

/// Labels of the results column fail_layer_name (/lookup/fail_layer_name;
/// docs/output-format.md, "Diagnostics"): entry 0 is "" (no layer), then "<network>/<layer
/// name>" for every layer of every network of the job, networks in job order; a label that
/// repeats gets "#<layer index>" appended.
std::vector<std::string> FailLayerLabels(const DesignSpace& space);

/// The code in FailLayerLabels of layer `layer` of the network of point i; 0 when layer < 0.
std::uint32_t FailLayerCode(const DesignSpace& space, Index i, int layer);

}  // namespace trim::space
