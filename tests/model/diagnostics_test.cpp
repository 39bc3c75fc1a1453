// Diagnostics of infeasible designs (docs/output-format.md, "Diagnostics"): the first layer
// and phase that fail and the shortfall, on the 4 x 4 array of cases.hpp with 16-bit words,
// weight stationary. Minimum mapping of the small convolution (C = 2, M = 4, 4 x 4 input,
// 3 x 3 window; docs/model.md section 5): 1 filter, 1 channel, 1 output row: weights 1 x 1 x 9
// = 9 words, input rows 1 x 3 x 4 = 12 words, psums 1 x 1 x 2 = 2 words: 23 words = 46 B.
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

/// "a": 1x1 conv 2 -> 4 channels on the 4 x 4 input (minimum mapping 1 weight + 4 inputs + 4
/// psums = 18 B), then "b": the small convolution on the same input (46 B).
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
  const auto rep = RunPoint(testing::SmallConv(), Glb(40.0 / 1024), Dataflow::kWS);
  ASSERT_EQ(rep.status, Status::kGlbTooSmall);
  EXPECT_EQ(rep.failure.layer, 0);
  EXPECT_EQ(rep.failure.phase, Phase::kFP);
  EXPECT_DOUBLE_EQ(rep.failure.need_bytes, 46);
  EXPECT_DOUBLE_EQ(rep.failure.have_bytes, 40);
  ASSERT_EQ(rep.rows.size(), 1u);  // the failing layer-phase, with zeros
  EXPECT_EQ(rep.rows[0].status, Status::kGlbTooSmall);
  EXPECT_EQ(rep.rows[0].cycles, 0);
}

TEST(Diagnostics, SplitBufferNamesThePartition) {
  // Weights partition of 16 B: the 9 weights of the minimum mapping need 18 B.
  Hardware h = Glb(1024);
  h[HwParam::kGlbWeightKib] = 16.0 / 1024;
  h[HwParam::kGlbInputKib] = 1024;
  h[HwParam::kGlbOutputKib] = 1024;
  const auto rep = RunPoint(testing::SmallConv(), h, Dataflow::kWS);
  ASSERT_EQ(rep.status, Status::kGlbTooSmall);
  EXPECT_DOUBLE_EQ(rep.failure.need_bytes, 18);
  EXPECT_DOUBLE_EQ(rep.failure.have_bytes, 16);
}

TEST(Diagnostics, RegisterFileShortfall) {
  // One 16-bit weight per PE in a 1-byte weight RF (WS); RS folds wider filter rows but needs
  // one weight too, and one input: a 1-byte ifmap pad is too small (2 B).
  Hardware h = Glb(1024);
  h[HwParam::kRfWeightBytes] = 1;
  const auto ws = RunPoint(testing::SmallConv(), h, Dataflow::kWS);
  ASSERT_EQ(ws.status, Status::kRfTooSmall);
  EXPECT_DOUBLE_EQ(ws.failure.need_bytes, 2);
  EXPECT_DOUBLE_EQ(ws.failure.have_bytes, 1);
  h[HwParam::kRfWeightBytes] = 4;
  h[HwParam::kRfInputBytes] = 1;
  const auto rs = RunPoint(testing::SmallConv(), h, Dataflow::kRS);
  ASSERT_EQ(rs.status, Status::kRfTooSmall);
  EXPECT_DOUBLE_EQ(rs.failure.need_bytes, 2);
  EXPECT_DOUBLE_EQ(rs.failure.have_bytes, 1);
}

TEST(Diagnostics, FirstFailingLayerInThePointAndBatchPaths) {
  // 40 B: "a" fits (18 B), "b" does not (46 B).
  const net::Network net = TwoConvs();
  const auto rep = RunPoint(net, Glb(40.0 / 1024), Dataflow::kWS);
  ASSERT_EQ(rep.status, Status::kGlbTooSmall);
  EXPECT_EQ(rep.failure.layer, 1);
  EXPECT_DOUBLE_EQ(rep.failure.need_bytes, 46);
  EXPECT_DOUBLE_EQ(rep.failure.have_bytes, 40);
  ASSERT_EQ(rep.rows.size(), 2u);
  EXPECT_EQ(rep.rows[0].status, Status::kOk);
  EXPECT_GT(rep.rows[0].cycles, 0);
  EXPECT_EQ(rep.rows[1].layer, 1);
  EXPECT_EQ(rep.rows[1].status, Status::kGlbTooSmall);
  // The batch path (cached and uncached) reports the same, and nothing for a feasible design.
  for (bool caching : {true, false}) {
    HwBatch batch;
    batch.Resize(3);
    batch.SetRow(0, Glb(40.0 / 1024));
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
    EXPECT_DOUBLE_EQ(out.failure[0].need_bytes, 46);
    EXPECT_DOUBLE_EQ(out.failure[0].have_bytes, 40);
    EXPECT_EQ(out.status[1], 0);
    EXPECT_EQ(out.failure[1].layer, -1);
    EXPECT_EQ(out.status[2], static_cast<std::uint8_t>(Status::kZeroBandwidth));
    EXPECT_EQ(out.failure[2].layer, -1);  // no layer to blame for a zero clock
  }
}

TEST(Diagnostics, TrainingCountsWhatTheStashLeaves) {
  // Training with stash "half": of an 80 B buffer the tilings see 40 B. "a" (18 B) fits, "b"
  // (46 B) does not: FP of layer 1, 46 B needed, 40 B available.
  const net::Network net = TwoConvs();
  Evaluator ev(ModelOptions::Defaults());
  const auto rep =
      ev.EvaluatePoint(Workload{&net, Mode::kTraining, 1, Dataflow::kWS}, Glb(80.0 / 1024));
  ASSERT_EQ(rep.status, Status::kGlbTooSmall);
  EXPECT_EQ(rep.failure.layer, 1);
  EXPECT_EQ(rep.failure.phase, Phase::kFP);
  EXPECT_DOUBLE_EQ(rep.failure.need_bytes, 46);
  EXPECT_DOUBLE_EQ(rep.failure.have_bytes, 40);
}

}  // namespace
}  // namespace trim::model
