#include "trim/model/evaluate.hpp"

#include "network.hpp"

namespace trim::model {

void HwBatch::Resize(std::size_t n) {
  size = n;
  for (auto& c : col) c.resize(n);
}

Hardware HwBatch::Row(std::size_t i) const {
  Hardware h;
  for (std::size_t p = 0; p < kNumHwParams; ++p) h.v[p] = col[p][i];
  return h;
}

void HwBatch::SetRow(std::size_t i, const Hardware& h) {
  for (std::size_t p = 0; p < kNumHwParams; ++p) col[p][i] = h.v[p];
}

void ResultBatch::Resize(std::size_t n) {
  size = n;
  for (auto& c : col) c.resize(n);
  status.resize(n);
}

double PeakMacsPerCycle(const Hardware& hw) {
  return hw[HwParam::kPeRows] * hw[HwParam::kPeCols] * hw[HwParam::kMacsPerPe];
}

Evaluator::Evaluator(const ModelOptions& options)
    : options_(options), plan_(std::make_unique<Plan>()) {}
Evaluator::~Evaluator() = default;

PointReport Evaluator::EvaluatePoint(const Workload& work, const Hardware& hw) {
  PointReport rep;
  detail::BuildPlan(work, options_, plan_.get());
  rep.rows.reserve(plan_->phases.size());
  rep.status = detail::EvaluateNetwork(*plan_, work, hw, options_, &rep.totals, &rep.rows);
  return rep;
}

void Evaluator::Evaluate(const Workload& work, const HwBatch& hw, ResultBatch& out) {
  detail::BuildPlan(work, options_, plan_.get());
  std::array<double, kNumResultCols> totals{};
  for (std::size_t i = 0; i < hw.size; ++i) {
    Hardware h;
    for (std::size_t p = 0; p < kNumHwParams; ++p) h.v[p] = hw.col[p][i];
    const Status st = detail::EvaluateNetwork(*plan_, work, h, options_, &totals, nullptr);
    for (std::size_t c = 0; c < kNumResultCols; ++c) out.col[c][i] = totals[c];
    out.status[i] = static_cast<std::uint8_t>(st);
  }
}

}  // namespace trim::model
