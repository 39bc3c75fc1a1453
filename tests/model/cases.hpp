// Small hand-derived cases shared by the tests and the validation report: a 4 x 4 array with
// roomy buffers and bandwidths, and one small convolution, so that every number can be
// derived on paper (derivations in dataflow_cases_test.cpp and systolic_test.cpp).
#pragma once

#include <gtest/gtest.h>

#include <cstring>

#include "fixtures.hpp"

namespace trim::model::testing {

/// 4 x 4 PEs, 1 MAC each, Eyeriss-sized register files, a buffer that holds any small layer,
/// bandwidths that never bind (no per-operand networks), 16-bit everything, Eyeriss normalized
/// energies.
inline Hardware SmallArray(bool systolic) {
  Hardware h = EyerissV1();
  h[HwParam::kPeRows] = 4;
  h[HwParam::kPeCols] = 4;
  h[HwParam::kInterconnect] = systolic ? 1 : 0;
  h[HwParam::kGlbKib] = 1024;
  h[HwParam::kGlbWordsPerCycle] = 1e6;
  h[HwParam::kNocWordsPerCycle] = 1e6;
  h[HwParam::kDramGbps] = 1e6;
  h[HwParam::kBusWeightBits] = 0;  // no separate buffer-to-array networks
  h[HwParam::kBusInputBits] = 0;
  h[HwParam::kBusOutputBits] = 0;
  return h;
}

/// C = 2, M = 4, 4 x 4 input, 3 x 3 window, stride 1, no padding: E = F = 2,
/// K = C*R*S = 18, P = N*E*F = 4, MACs = 4 * 4 * 18 = 288.
inline net::Network SmallConv() {
  net::Network n;
  n.name = "small-conv";
  n.layers = {Conv("conv", 2, 4, 4, 3, 1, 0, 1)};
  return n;
}

inline PointReport RunPoint(const net::Network& net, const Hardware& hw, Dataflow df,
                            std::int64_t batch = 1,
                            const ModelOptions& opt = ModelOptions::Defaults()) {
  Evaluator ev(opt);
  return ev.EvaluatePoint(Workload{&net, Mode::kInference, batch, df}, hw);
}

inline double Col(const PointReport& r, ResultCol c) {
  return r.totals[static_cast<std::size_t>(c)];
}

/// Evaluates `batch` with the batch path, then every design alone with EvaluatePoint on a
/// fresh Evaluator, and requires the same status and bit-identical totals.
inline void ExpectBatchEqualsPoints(const Workload& work, const HwBatch& batch) {
  ResultBatch out;
  out.Resize(batch.size);
  Evaluator ev(ModelOptions::Defaults());
  ev.Evaluate(work, batch, out);
  for (std::size_t i = 0; i < batch.size; ++i) {
    Evaluator single(ModelOptions::Defaults());
    const auto rep = single.EvaluatePoint(work, batch.Row(i));
    ASSERT_EQ(out.status[i], static_cast<std::uint8_t>(rep.status));
    for (std::size_t c = 0; c < kNumResultCols; ++c) {
      ASSERT_EQ(std::memcmp(&out.col[c][i], &rep.totals[c], sizeof(double)), 0)
          << Info(static_cast<ResultCol>(c)).name;
    }
  }
}

}  // namespace trim::model::testing
