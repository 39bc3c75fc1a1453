// Diagnostics of infeasible designs (docs/output-format.md, "Diagnostics"): the first layer
// and phase that fail and the shortfall, on the 4 x 4 array of cases.hpp with 16-bit words,
// weight stationary. Smallest WS tile of the small convolution (C = 2, M = 4, 4 x 4 input,
// 3 x 3 window; docs/model.md sections 3 and 5): m = min(M, 4) = 4 filters, c =
// min(C, ceil(4 / 9)) = 1 channel, e = 1 output row: weights 4 x 1 x 9 = 36 words, input rows
// 1 x 3 x 4 = 12 words, psums 4 x 1 x 2 = 8 words: 56 words = 112 B.
#include <gtest/gtest.h>

#include "cases.hpp"

namespace trim::model {
namespace {

using testing::RunPoint;

Hardware Glb(double kib) {
  Hardware h = testing::SmallArray(false);
  h[HwParam::kGlbKib] = kib;
  return h;
}

/// "a": 1x1 conv 2 -> 4 channels on the 4 x 4 input (smallest tile 64 B), then "b": the small
/// convolution on the same input (112 B).
net::Network TwoConvs() {
  net::Network n;
  n.layers = {testing::Conv("a", 2, 4, 4, 1, 1, 0, 1), testing::Conv("b", 2, 4, 4, 3, 1, 0, 1)};
  n.layers[1].inputs = {-1};
  return n;
}

TEST(Diagnostics, FeasibleDesignHasNoFailure) {
  const auto rep = RunPoint(testing::SmallConv(), Glb(1024), Dataflow::kWS);
  ASSERT_EQ(rep.status, Status::kOk);
  EXPECT_EQ(rep.failure.layer, -1);
  EXPECT_EQ(rep.failure.need_bytes, 0);
  EXPECT_EQ(rep.rows.back().status, Status::kOk);
}

TEST(Diagnostics, BufferShortfallOfTheSmallestTile) {
  const auto rep = RunPoint(testing::SmallConv(), Glb(64.0 / 1024), Dataflow::kWS);
  ASSERT_EQ(rep.status, Status::kGlbTooSmall);
  EXPECT_EQ(rep.failure.layer, 0);
  EXPECT_EQ(rep.failure.phase, Phase::kFP);
  EXPECT_DOUBLE_EQ(rep.failure.need_bytes, 112);
  EXPECT_DOUBLE_EQ(rep.failure.have_bytes, 64);
  ASSERT_EQ(rep.rows.size(), 1u);  // the failing layer-phase, with zeros
  EXPECT_EQ(rep.rows[0].status, Status::kGlbTooSmall);
  EXPECT_EQ(rep.rows[0].cycles, 0);
}

TEST(Diagnostics, SplitBufferNamesThePartition) {
  // Weights partition of 32 B: the 36 weights of the smallest tile need 72 B.
  Hardware h = Glb(1024);
  h[HwParam::kGlbWeightKib] = 32.0 / 1024;
  h[HwParam::kGlbInputKib] = 1024;
  h[HwParam::kGlbOutputKib] = 1024;
  const auto rep = RunPoint(testing::SmallConv(), h, Dataflow::kWS);
  ASSERT_EQ(rep.status, Status::kGlbTooSmall);
  EXPECT_DOUBLE_EQ(rep.failure.need_bytes, 72);
  EXPECT_DOUBLE_EQ(rep.failure.have_bytes, 32);
}

TEST(Diagnostics, RegisterFileShortfall) {
  // One 16-bit weight per PE in a 1-byte weight RF (WS); RS needs S = 3 weights (6 B).
  Hardware h = Glb(1024);
  h[HwParam::kRfWeightBytes] = 1;
  const auto ws = RunPoint(testing::SmallConv(), h, Dataflow::kWS);
  ASSERT_EQ(ws.status, Status::kRfTooSmall);
  EXPECT_DOUBLE_EQ(ws.failure.need_bytes, 2);
  EXPECT_DOUBLE_EQ(ws.failure.have_bytes, 1);
  h[HwParam::kRfWeightBytes] = 4;
  const auto rs = RunPoint(testing::SmallConv(), h, Dataflow::kRS);
  ASSERT_EQ(rs.status, Status::kRfTooSmall);
  EXPECT_DOUBLE_EQ(rs.failure.need_bytes, 6);
  EXPECT_DOUBLE_EQ(rs.failure.have_bytes, 4);
}

TEST(Diagnostics, FirstFailingLayerInThePointAndBatchPaths) {
  // 80 B: "a" fits (64 B), "b" does not (112 B).
  const net::Network net = TwoConvs();
  const auto rep = RunPoint(net, Glb(80.0 / 1024), Dataflow::kWS);
  ASSERT_EQ(rep.status, Status::kGlbTooSmall);
  EXPECT_EQ(rep.failure.layer, 1);
  EXPECT_DOUBLE_EQ(rep.failure.need_bytes, 112);
  EXPECT_DOUBLE_EQ(rep.failure.have_bytes, 80);
  ASSERT_EQ(rep.rows.size(), 2u);
  EXPECT_EQ(rep.rows[0].status, Status::kOk);
  EXPECT_GT(rep.rows[0].cycles, 0);
  EXPECT_EQ(rep.rows[1].layer, 1);
  EXPECT_EQ(rep.rows[1].status, Status::kGlbTooSmall);
  // The batch path (cached and uncached) reports the same, and nothing for a feasible design.
  for (bool caching : {true, false}) {
    HwBatch batch;
    batch.Resize(3);
    batch.SetRow(0, Glb(80.0 / 1024));
    batch.SetRow(1, Glb(1024));
    Hardware zero_clock = Glb(1024);
    zero_clock[HwParam::kClockMhz] = 0;
    batch.SetRow(2, zero_clock);
    ResultBatch out;
    out.Resize(3);
    Evaluator ev(ModelOptions::Defaults(), caching);
    ev.Evaluate(Workload{&net, Mode::kInference, 1, Dataflow::kWS}, batch, out);
    EXPECT_EQ(out.failure[0].layer, 1);
    EXPECT_EQ(out.failure[0].phase, Phase::kFP);
    EXPECT_DOUBLE_EQ(out.failure[0].need_bytes, 112);
    EXPECT_DOUBLE_EQ(out.failure[0].have_bytes, 80);
    EXPECT_EQ(out.status[1], 0);
    EXPECT_EQ(out.failure[1].layer, -1);
    EXPECT_EQ(out.status[2], static_cast<std::uint8_t>(Status::kZeroBandwidth));
    EXPECT_EQ(out.failure[2].layer, -1);  // no layer to blame for a zero clock
  }
}

TEST(Diagnostics, TrainingCountsWhatTheStashLeaves) {
  // Training with stash "half": of a 128 B buffer the tilings see 64 B. "a" (64 B) fits, "b"
  // (112 B) does not: FP of layer 1, 112 B needed, 64 B available.
  const net::Network net = TwoConvs();
  Evaluator ev(ModelOptions::Defaults());
  const auto rep =
      ev.EvaluatePoint(Workload{&net, Mode::kTraining, 1, Dataflow::kWS}, Glb(128.0 / 1024));
  ASSERT_EQ(rep.status, Status::kGlbTooSmall);
  EXPECT_EQ(rep.failure.layer, 1);
  EXPECT_EQ(rep.failure.phase, Phase::kFP);
  EXPECT_DOUBLE_EQ(rep.failure.need_bytes, 112);
  EXPECT_DOUBLE_EQ(rep.failure.have_bytes, 64);
}

}  // namespace
}  // namespace trim::model
