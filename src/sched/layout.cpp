#include "layout.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>

namespace trim::sched {
namespace {

double Seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

bool Better(const BestEntry& a, const BestEntry& b, bool maximize) {
  if (a.value != b.value) return maximize ? a.value > b.value : a.value < b.value;
  return a.index < b.index;
}

}  // namespace

std::vector<model::ResultCol> StoredResultCols(const config::JobSpec& job) {
  const auto& chosen = job.output_spec.columns;
  auto wanted = [&](std::string_view name) {
    if (chosen.empty() || name == job.goal.column) return true;
    for (const auto& c : job.constraints) {
      if (c.column == name) return true;
    }
    return std::find(chosen.begin(), chosen.end(), name) != chosen.end();
  };
  std::vector<model::ResultCol> out;
  for (const auto& r : model::ResultCols()) {
    if (wanted(r.name)) out.push_back(r.id);
  }
  return out;
}

std::size_t LayoutColumn(const io::Layout& layout, const std::string& group,
                         const std::string& name) {
  for (std::size_t k = 0; k < layout.columns.size(); ++k) {
    if (layout.columns[k].group == group && layout.columns[k].name == name) return k;
  }
  throw std::logic_error("the layout has no column /" + group + "/" + name);
}

io::Layout MakeLayout(const space::DesignSpace& space) {
  io::Layout layout;
  layout.rows = space.size();
  for (const auto& a : space.axes()) {
    io::ColumnDef c;
    c.group = "params";
    c.name = a.name;
    c.units = model::UnitFor(a.unit, space.job().energy_normalized);
    c.description = a.description;
    if (a.categorical()) {
      c.dtype = io::Dtype::kU16;
      c.categories = a.labels;
    } else {
      c.dtype = io::Dtype::kF64;
      c.axis_values = a.values;
    }
    layout.columns.push_back(std::move(c));
  }
  const bool float32 = space.job().output_spec.float32;
  for (const model::ResultCol id : StoredResultCols(space.job())) {
    const model::ResultColInfo& r = model::Info(id);
    io::ColumnDef c;
    c.group = "results";
    c.dtype = float32 ? io::Dtype::kF32 : io::Dtype::kF64;
    c.name = std::string(r.name);
    c.units = std::string(model::UnitFor(r.unit, space.job().energy_normalized));
    c.description = std::string(r.description);
    layout.columns.push_back(std::move(c));
  }
  io::ColumnDef status;
  status.group = "results";
  status.name = "status";
  status.dtype = io::Dtype::kU8;
  status.description = "0 = feasible; otherwise why the model found no valid mapping";
  for (std::size_t s = 0; s < model::kNumStatus; ++s) {
    status.categories.emplace_back(model::Name(static_cast<model::Status>(s)));
  }
  layout.columns.push_back(std::move(status));
  io::ColumnDef feasible;
  feasible.group = "results";
  feasible.name = "feasible";
  feasible.dtype = io::Dtype::kU8;
  feasible.description = "1 when status is ok and every constraint of the job holds";
  layout.columns.push_back(std::move(feasible));
  // Diagnostics of infeasible designs (docs/output-format.md, "Diagnostics").
  auto add = [&layout](std::string name, io::Dtype dtype, std::string units, std::string desc,
                       std::vector<std::string> categories) {
    layout.columns.push_back(MakeColumn("results", std::move(name), dtype, std::move(units),
                                        std::move(desc), std::move(categories)));
  };
  add("fail_layer", io::Dtype::kI64, "",
      "infeasible: index of the first layer that failed in its network; -1 when feasible or no "
      "layer is to blame",
      {});
  add("fail_layer_name", io::Dtype::kU32, "", "infeasible: network/layer that failed; '' if none",
      space::FailLayerLabels(space));
  std::vector<std::string> phases = {"none"};
  for (int p = 0; p < kNumPhases; ++p) phases.emplace_back(Name(static_cast<Phase>(p)));
  add("fail_phase", io::Dtype::kU8, "", "infeasible: phase of the failing layer; none if none",
      phases);
  add("fail_need_bytes", io::Dtype::kF64, "B",
      "infeasible for lack of buffer or register file: bytes the smallest mapping needs (an RF "
      "per PE); 0 otherwise",
      {});
  add("fail_have_bytes", io::Dtype::kF64, "B",
      "infeasible for lack of buffer or register file: bytes available in the storage that "
      "overflows; 0 otherwise",
      {});
  return layout;
}

io::ColumnDef MakeColumn(std::string group, std::string name, io::Dtype dtype, std::string units,
                         std::string description, std::vector<std::string> categories) {
  io::ColumnDef c;
  c.group = std::move(group);
  c.name = std::move(name);
  c.dtype = dtype;
  c.units = std::move(units);
  c.description = std::move(description);
  c.categories = std::move(categories);
  return c;
}

TaskRunner::TaskRunner(const space::DesignSpace& space)
    : space_(space),
      evaluator_(space.job().model_options),
      stored_(StoredResultCols(space.job())),
      float32_(space.job().output_spec.float32),
      numeric_params_(space.axes().size()),
      code_params_(space.axes().size()),
      goal_col_(static_cast<std::size_t>(model::FindResultCol(space.job().goal.column)->id)),
      maximize_(space.job().goal.maximize),
      top_(static_cast<std::size_t>(std::max(0, space.job().goal.top))),
      best_(space.job().networks.size()) {
  std::uint32_t base = 1;
  for (const auto& entry : space.job().networks) {
    layer_code_base_.push_back(base);
    base += static_cast<std::uint32_t>(entry.network.layers.size());
  }
  for (const auto& con : space.job().constraints) {
    bounds_.push_back({static_cast<std::size_t>(model::FindResultCol(con.column)->id),
                       con.min.value_or(-std::numeric_limits<double>::infinity()),
                       con.max.value_or(std::numeric_limits<double>::infinity())});
  }
}

void TaskRunner::Begin(IndexRange r) {
  task_ = r;
  const Index block = r.begin / space_.block_size();
  work_ = space_.WorkloadOf(block);
  network_code_ =
      static_cast<std::uint32_t>(space_.AxisColumnValue(space_.axes().size() - 1, r.begin));
  res_.Resize(r.size());
  feasible_.resize(r.size());
  layer_base_ = network_code_ < layer_code_base_.size() ? layer_code_base_[network_code_] : 0;
}

void TaskRunner::EvaluatePart(IndexRange part, double& fill_s, double& eval_s) {
  // Sub-batches of at most kSubBatch designs: the hardware and result batches stay small
  // whatever the task size (only the task's output columns grow with it).
  for (Index from = part.begin; from < part.end; from += kSubBatch) {
    const IndexRange sub{from, std::min<Index>(part.end, from + kSubBatch)};
    const double t0 = Seconds();
    space_.FillBatch(sub, hw_);
    if (part_.size != sub.size()) part_.Resize(sub.size());
    const double t1 = Seconds();
    evaluator_.Evaluate(work_, hw_, part_);
    const double t2 = Seconds();
    Collect(sub);
    fill_s += t1 - t0;
    eval_s += t2 - t1;
  }
}

void TaskRunner::Collect(IndexRange part) {
  const std::size_t off = part.begin - task_.begin;
  for (std::size_t c = 0; c < model::kNumResultCols; ++c) {
    std::copy(part_.col[c].begin(), part_.col[c].end(), res_.col[c].begin() + off);
  }
  std::copy(part_.status.begin(), part_.status.end(), res_.status.begin() + off);
  std::copy(part_.failure.begin(), part_.failure.end(), res_.failure.begin() + off);
  auto& best = best_[network_code_];
  for (std::size_t k = 0; k < part.size(); ++k) {
    bool ok = part_.status[k] == 0;
    for (const Bound& b : bounds_) {
      const double v = part_.col[b.col][k];
      ok = ok && v >= b.min && v <= b.max;
    }
    feasible_[off + k] = ok ? 1 : 0;
    if (!ok || top_ == 0) continue;
    // The best list ranks the values as the file stores them, so a resumed run (which reads
    // the earlier rows' values back) ranks exactly as an uninterrupted one.
    const double v = part_.col[goal_col_][k];
    const BestEntry e{network_code_, part.begin + k,
                      float32_ ? static_cast<double>(static_cast<float>(v)) : v};
    if (best.size() == top_ && !Better(e, best.back(), maximize_)) continue;
    auto pos = std::upper_bound(
        best.begin(), best.end(), e,
        [&](const BestEntry& a, const BestEntry& b) { return Better(a, b, maximize_); });
    best.insert(pos, e);
    if (best.size() > top_) best.pop_back();
  }
}

void TaskRunner::Write(RowWriter& out) {
  const auto& axes = space_.axes();
  const std::size_t n = task_.size();
  std::vector<const void*> data;
  for (std::size_t a = 0; a < axes.size(); ++a) {
    if (axes[a].categorical()) {
      auto& v = code_params_[a];
      v.resize(n);
      for (std::size_t k = 0; k < n; ++k) {
        v[k] = static_cast<std::uint16_t>(space_.AxisColumnValue(a, task_.begin + k));
      }
      data.push_back(v.data());
    } else {
      auto& v = numeric_params_[a];
      v.resize(n);
      for (std::size_t k = 0; k < n; ++k) v[k] = space_.AxisColumnValue(a, task_.begin + k);
      data.push_back(v.data());
    }
  }
  narrowed_.resize(float32_ ? stored_.size() : 0);
  for (std::size_t s = 0; s < stored_.size(); ++s) {
    const std::vector<double>& col = res_.col[static_cast<std::size_t>(stored_[s])];
    if (!float32_) {
      data.push_back(col.data());
      continue;
    }
    narrowed_[s].resize(n);
    for (std::size_t k = 0; k < n; ++k) narrowed_[s][k] = static_cast<float>(col[k]);
    data.push_back(narrowed_[s].data());
  }
  data.push_back(res_.status.data());
  data.push_back(feasible_.data());
  fail_layer_.resize(n);
  fail_name_.resize(n);
  fail_phase_.resize(n);
  fail_need_.resize(n);
  fail_have_.resize(n);
  for (std::size_t k = 0; k < n; ++k) {
    const model::Failure& f = res_.failure[k];
    const bool at_layer = res_.status[k] != 0 && f.layer >= 0;
    fail_layer_[k] = at_layer ? f.layer : -1;
    fail_name_[k] = at_layer ? layer_base_ + static_cast<std::uint32_t>(f.layer) : 0;
    fail_phase_[k] = at_layer ? static_cast<std::uint8_t>(1 + static_cast<int>(f.phase)) : 0;
    fail_need_[k] = res_.status[k] != 0 ? f.need_bytes : 0.0;
    fail_have_[k] = res_.status[k] != 0 ? f.have_bytes : 0.0;
    if (res_.status[k] != 0) {
      ++failures_[FailureKey(res_.status[k], fail_name_[k], fail_phase_[k])];
    }
  }
  data.push_back(fail_layer_.data());
  data.push_back(fail_name_.data());
  data.push_back(fail_phase_.data());
  data.push_back(fail_need_.data());
  data.push_back(fail_have_.data());
  out.Append(task_, data);
}

std::vector<FailureCount> TaskRunner::Failures() const { return FailureCounts(failures_); }

std::uint64_t FailureKey(std::uint8_t status, std::uint32_t layer, std::uint8_t phase) {
  return status | std::uint64_t{phase} << 8 | std::uint64_t{layer} << 16;
}

std::vector<FailureCount> FailureCounts(const std::map<std::uint64_t, std::uint64_t>& by_key) {
  std::vector<FailureCount> out;
  for (const auto& [key, count] : by_key) {
    out.push_back({static_cast<std::uint8_t>(key & 0xff), static_cast<std::uint32_t>(key >> 16),
                   static_cast<std::uint8_t>((key >> 8) & 0xff), count});
  }
  return out;
}

std::vector<BestEntry> TaskRunner::Best() const {
  std::vector<BestEntry> all;
  for (const auto& b : best_) all.insert(all.end(), b.begin(), b.end());
  return all;
}

std::vector<BestEntry> MergeBest(const std::vector<BestEntry>& all, bool maximize,
                                 std::size_t top) {
  std::vector<BestEntry> sorted = all;
  std::sort(sorted.begin(), sorted.end(), [&](const BestEntry& a, const BestEntry& b) {
    if (a.network != b.network) return a.network < b.network;
    return Better(a, b, maximize);
  });
  std::vector<BestEntry> out;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (i > 0 && sorted[i].network != sorted[i - 1].network) kept = 0;
    if (i > 0 && sorted[i].network == sorted[i - 1].network &&
        sorted[i].index == sorted[i - 1].index) {
      continue;
    }
    if (kept < top) {
      out.push_back(sorted[i]);
      ++kept;
    }
  }
  return out;
}

}  // namespace trim::sched
