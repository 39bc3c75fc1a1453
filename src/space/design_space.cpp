#include "trim/space/design_space.hpp"

#include <limits>
#include <set>
#include <string>

#include "trim/core/error.hpp"

namespace trim::space {
namespace {

constexpr Index kMaxPoints = Index{1} << 62;

Axis CategoryAxis(std::string name, AxisKind kind, std::string description,
                  std::vector<std::string> labels) {
  Axis a;
  a.name = std::move(name);
  a.kind = kind;
  a.description = std::move(description);
  a.labels = std::move(labels);
  return a;
}

}  // namespace

DesignSpace::DesignSpace(const config::JobSpec& job) : job_(&job) {
  for (const auto& hw : job.hw_axes) {
    const auto& info = model::Info(hw.param);
    Axis a;
    a.leader = hw.leader < 0 ? axes_.size() : static_cast<std::size_t>(hw.leader);
    a.name = std::string(info.name);
    a.kind = AxisKind::kHardware;
    a.param = hw.param;
    a.unit = std::string(info.unit);
    a.description = std::string(info.description);
    if (info.type == model::ParamType::kChoice) {
      for (double v : hw.values) a.labels.emplace_back(info.choices[static_cast<std::size_t>(v)]);
    } else {
      a.values = hw.values;
    }
    axes_.push_back(std::move(a));
  }
  num_hw_axes_ = axes_.size();

  std::vector<std::string> labels;
  for (const auto& p : job.precisions) labels.push_back(p.name);
  axes_.push_back(CategoryAxis("precision", AxisKind::kPrecision,
                               "precision preset (bits per tensor class)", labels));
  Axis batch;
  batch.name = "batch";
  batch.kind = AxisKind::kBatch;
  batch.unit = "samples";
  batch.description = "batch size (inference) or mini-batch size (training)";
  for (auto b : job.batches) batch.values.push_back(static_cast<double>(b));
  axes_.push_back(std::move(batch));
  labels.clear();
  for (auto d : job.dataflows) labels.emplace_back(Name(d));
  axes_.push_back(CategoryAxis("dataflow", AxisKind::kDataflow, "dataflow", labels));
  labels.clear();
  for (auto m : job.modes) labels.emplace_back(Name(m));
  axes_.push_back(CategoryAxis("mode", AxisKind::kMode, "inference or training step", labels));
  labels.clear();
  for (const auto& n : job.networks) labels.push_back(n.label);
  axes_.push_back(CategoryAxis("network", AxisKind::kNetwork, "network", labels));
  for (std::size_t a = num_hw_axes_; a < axes_.size(); ++a) axes_[a].leader = a;

  stride_.resize(axes_.size());
  for (std::size_t a = 0; a < axes_.size(); ++a) {
    const Index n = axes_[a].size();
    const std::size_t lead = axes_[a].leader;
    if (lead != a) {  // linked: the leader's digit, which counts once
      if (lead > a || axes_[lead].size() != n) {
        throw ConfigError(job.hw_axes[a].pos,
                          "axis '" + axes_[a].name + "' is linked to '" + axes_[lead].name +
                              "', which does not precede it with as many values",
                          "link axes of equal length in [link]");
      }
      stride_[a] = stride_[lead];
      if (a + 1 == num_hw_axes_) block_size_ = size_;
      continue;
    }
    if (n == 0) {
      throw ConfigError(SourcePos{job.path, 0, 0}, "axis '" + axes_[a].name + "' has no values",
                        "give the axis at least one value");
    }
    stride_[a] = size_;
    if (size_ > kMaxPoints / n) {
      const SourcePos pos = job.hw_axes.empty() ? SourcePos{job.path, 0, 0} : job.hw_axes[0].pos;
      throw ConfigError(
          pos,
          "the design space has more than 2^62 points (overflow at axis '" + axes_[a].name + "')",
          "shrink the sweep: fewer values per axis, or split it into several jobs");
    }
    size_ *= n;
    if (a + 1 == num_hw_axes_) block_size_ = size_;
  }
}

std::vector<std::uint32_t> DesignSpace::Decode(Index i) const {
  std::vector<std::uint32_t> d(axes_.size());
  for (std::size_t a = 0; a < axes_.size(); ++a) {
    if (axes_[a].leader != a) {
      d[a] = d[axes_[a].leader];
      continue;
    }
    d[a] = static_cast<std::uint32_t>(i % axes_[a].size());
    i /= axes_[a].size();
  }
  return d;
}

Index DesignSpace::Encode(const std::vector<std::uint32_t>& digits) const {
  Index i = 0;
  for (std::size_t a = 0; a < axes_.size(); ++a) {
    if (axes_[a].leader == a) i += stride_[a] * digits[a];
  }
  return i;
}

namespace {
std::uint32_t Digit(Index block, const std::vector<Index>& stride, Index block_size,
                    std::size_t axis, Index radix) {
  return static_cast<std::uint32_t>((block * block_size / stride[axis]) % radix);
}
}  // namespace

model::Workload DesignSpace::WorkloadOf(Index block) const {
  const std::size_t h = num_hw_axes_;
  model::Workload w;
  w.network = &NetworkOf(block).network;
  w.batch = job_->batches[Digit(block, stride_, block_size_, h + 1, axes_[h + 1].size())];
  w.dataflow = job_->dataflows[Digit(block, stride_, block_size_, h + 2, axes_[h + 2].size())];
  w.mode = job_->modes[Digit(block, stride_, block_size_, h + 3, axes_[h + 3].size())];
  return w;
}

const config::NetworkEntry& DesignSpace::NetworkOf(Index block) const {
  const std::size_t a = num_hw_axes_ + 4;
  return job_->networks[Digit(block, stride_, block_size_, a, axes_[a].size())];
}

model::Hardware DesignSpace::HardwareAt(Index i) const {
  model::Hardware hw = job_->base;
  const Index block = i / block_size_;
  const auto& prec = job_->precisions[Digit(block, stride_, block_size_, num_hw_axes_,
                                            axes_[num_hw_axes_].size())];
  if (prec.name != "template") {
    hw[model::HwParam::kBitsWeight] = prec.bits_weight;
    hw[model::HwParam::kBitsAct] = prec.bits_act;
    hw[model::HwParam::kBitsPsum] = prec.bits_psum;
    hw[model::HwParam::kBitsGrad] = prec.bits_grad;
    hw[model::HwParam::kBitsOpt] = prec.bits_opt;
  }
  const Index rest = i % block_size_;
  for (std::size_t a = 0; a < num_hw_axes_; ++a) {  // a linked axis has its leader's stride
    hw[axes_[a].param] = job_->hw_axes[a].values[(rest / stride_[a]) % axes_[a].size()];
  }
  return hw;
}

void DesignSpace::FillBatch(IndexRange r, model::HwBatch& hw) const {
  hw.Resize(r.size());
  if (r.empty()) return;
  // Every column is constant except the swept ones: fill the template once, then overwrite
  // the hardware axes with an odometer walk over their digits.
  const model::Hardware first = HardwareAt(r.begin);
  for (std::size_t p = 0; p < model::kNumHwParams; ++p) {
    std::fill(hw.col[p].begin(), hw.col[p].end(), first.v[p]);
  }
  // digit[a] of a linked axis is never advanced: it reads its leader's.
  std::vector<std::uint32_t> digit(num_hw_axes_);
  Index rest = r.begin % block_size_;
  for (std::size_t a = 0; a < num_hw_axes_; ++a) {
    if (axes_[a].leader != a) continue;
    digit[a] = static_cast<std::uint32_t>(rest % axes_[a].size());
    rest /= axes_[a].size();
  }
  for (std::size_t k = 0; k < r.size(); ++k) {
    for (std::size_t a = 0; a < num_hw_axes_; ++a) {
      hw.col[static_cast<std::size_t>(axes_[a].param)][k] =
          job_->hw_axes[a].values[digit[axes_[a].leader]];
    }
    for (std::size_t a = 0; a < num_hw_axes_; ++a) {
      if (axes_[a].leader != a) continue;
      if (++digit[a] < axes_[a].size()) break;
      digit[a] = 0;
    }
  }
}

double DesignSpace::AxisColumnValue(std::size_t axis, Index i) const {
  const std::uint32_t d = static_cast<std::uint32_t>((i / stride_[axis]) % axes_[axis].size());
  return axes_[axis].categorical() ? static_cast<double>(d) : axes_[axis].values[d];
}

std::vector<std::string> FailLayerLabels(const DesignSpace& space) {
  std::vector<std::string> labels = {""};
  std::set<std::string> seen = {""};
  for (const auto& entry : space.job().networks) {
    const auto& layers = entry.network.layers;
    for (std::size_t l = 0; l < layers.size(); ++l) {
      std::string s = entry.label + "/" + layers[l].name;
      if (!seen.insert(s).second) {
        s += "#" + std::to_string(l);
        seen.insert(s);
      }
      labels.push_back(std::move(s));
    }
  }
  return labels;
}

std::uint32_t FailLayerCode(const DesignSpace& space, Index i, int layer) {
  if (layer < 0) return 0;
  const auto net = static_cast<std::size_t>(space.AxisColumnValue(space.axes().size() - 1, i));
  std::uint32_t code = 1;
  for (std::size_t n = 0; n < net; ++n) {
    code += static_cast<std::uint32_t>(space.job().networks[n].network.layers.size());
  }
  return code + static_cast<std::uint32_t>(layer);
}

}  // namespace trim::space
