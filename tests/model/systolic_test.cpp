// Systolic fill and drain against SCALE-Sim v2 (Samajdar et al., ISPASS 2020; the per-fold
// demand matrices of scalesim/compute/systolic_compute_{ws,os,is}.py). Every fold is padded to
// the whole R x C array. WS and IS: the stationary operand is loaded row by row (R cycles),
// T operand vectors stream in with R - 1 cycles of skew, and the last outputs drain across
// C - 1 columns: 2R + C + T - 2 cycles per fold. OS preloads nothing (the psums start at
// zero): T + R + C - 2. A layer takes that times ceil(S_R / R) * ceil(S_C / C) folds.
// Mappings: WS S_R = K (= C*R*S), S_C = M, T = P (= N*E*F); OS S_R = P, S_C = M, T = K;
// IS S_R = K, S_C = P, T = M. Option systolic_fill = "mapped" charges the rows and columns the
// fold maps instead (S'_R = min(S_R, R), S'_C = min(S_C, C)): 2*S'_R + S'_C + T - 2 per fold
// for every dataflow.
#include <gtest/gtest.h>

#include "cases.hpp"
#include "mapping.hpp"

namespace trim::model {
namespace {

using testing::RunPoint;

net::Network Fc(std::int64_t c, std::int64_t m) {
  net::Network n;
  net::Layer l;
  l.kind = net::LayerKind::kFc;
  l.c = c;
  l.m = m;
  n.layers = {l};
  return n;
}

Hardware Array(int rows, int cols) {
  Hardware h = testing::SmallArray(true);
  h[HwParam::kPeRows] = rows;
  h[HwParam::kPeCols] = cols;
  return h;
}

ModelOptions MappedFill() {
  ModelOptions o = ModelOptions::Defaults();
  o[Option::kSystolicFill] = 1;
  return o;
}

TEST(Systolic, WeightStationaryTwoFullFolds) {
  // 8 x 8 array, GEMM K = 16, M = 8, P = batch 10: ceil(16/8) * ceil(8/8) = 2 folds of
  // 2*8 + 8 + 10 - 2 = 32 cycles = 64 (full folds: both forms agree).
  const auto rep = RunPoint(Fc(16, 8), Array(8, 8), Dataflow::kWS, 10);
  ASSERT_EQ(rep.status, Status::kOk);
  EXPECT_DOUBLE_EQ(rep.rows[0].cycles, 64);
}

TEST(Systolic, WeightStationaryPartialFoldFillsTheWholeArray) {
  // K = 6, M = 3 on 8 x 8: one fold, T = 5, padded to the array: 2*8 + 8 + 5 - 2 = 27.
  const auto rep = RunPoint(Fc(6, 3), Array(8, 8), Dataflow::kWS, 5);
  ASSERT_EQ(rep.status, Status::kOk);
  EXPECT_DOUBLE_EQ(rep.rows[0].cycles, 27);
}

TEST(Systolic, WeightStationaryPartialFoldMapped) {
  // systolic_fill = "mapped": S'_R = 6, S'_C = 3: 2*6 + 3 + 5 - 2 = 18.
  const auto rep = RunPoint(Fc(6, 3), Array(8, 8), Dataflow::kWS, 5, MappedFill());
  ASSERT_EQ(rep.status, Status::kOk);
  EXPECT_DOUBLE_EQ(rep.rows[0].cycles, 18);
}

TEST(Systolic, OutputStationaryOneFold) {
  // Small conv on 4 x 4: S_R = P = 4, S_C = M = 4, T = K = 18: 18 + 4 + 4 - 2 = 24 (no
  // preload of a stationary operand).
  const auto rep = RunPoint(testing::SmallConv(), testing::SmallArray(true), Dataflow::kOS);
  ASSERT_EQ(rep.status, Status::kOk);
  EXPECT_DOUBLE_EQ(rep.rows[0].cycles, 24);
}

TEST(Systolic, OutputStationaryOneFoldMapped) {
  // "mapped" keeps the preload term: 2*4 + 4 + 18 - 2 = 28.
  const auto rep =
      RunPoint(testing::SmallConv(), testing::SmallArray(true), Dataflow::kOS, 1, MappedFill());
  ASSERT_EQ(rep.status, Status::kOk);
  EXPECT_DOUBLE_EQ(rep.rows[0].cycles, 28);
}

TEST(Systolic, OutputStationaryPartialFolds) {
  // 8 x 8, GEMM K = 16, M = 3, P = batch 10: S_R = 10 -> ceil(10/8) = 2 row folds, S_C = 3 ->
  // 1 column fold, T = 16: 2 x (16 + 8 + 8 - 2) = 60.
  const auto rep = RunPoint(Fc(16, 3), Array(8, 8), Dataflow::kOS, 10);
  ASSERT_EQ(rep.status, Status::kOk);
  EXPECT_DOUBLE_EQ(rep.rows[0].cycles, 60);
}

TEST(Systolic, InputStationaryPartialFolds) {
  // 8 x 8, GEMM K = 16, M = 3, P = batch 10: S_R = K = 16 -> 2 row folds, S_C = P = 10 -> 2
  // column folds, T = M = 3: 4 x (2*8 + 8 + 3 - 2) = 100.
  const auto rep = RunPoint(Fc(16, 3), Array(8, 8), Dataflow::kIS, 10);
  ASSERT_EQ(rep.status, Status::kOk);
  EXPECT_DOUBLE_EQ(rep.rows[0].cycles, 100);
}

TEST(Systolic, InputStationaryFiveFolds) {
  // S_R = K = 18 -> 5 folds of 4 rows, S_C = P = 4, T = M = 4: 5 * (8 + 4 + 4 - 2) = 70.
  const auto rep = RunPoint(testing::SmallConv(), testing::SmallArray(true), Dataflow::kIS);
  ASSERT_EQ(rep.status, Status::kOk);
  EXPECT_DOUBLE_EQ(rep.rows[0].cycles, 70);
}

TEST(Systolic, NoLocalReuseHasNoPreload) {
  // NLR keeps nothing stationary (no RF), so like OS it pays skew and drain only. Small conv
  // on 4 x 4: rows C = 2, columns M = 4, one fold of P*R*S = 36 steps: 36 + 4 + 4 - 2 = 42.
  const auto rep = RunPoint(testing::SmallConv(), testing::SmallArray(true), Dataflow::kNLR);
  ASSERT_EQ(rep.status, Status::kOk);
  EXPECT_DOUBLE_EQ(rep.rows[0].cycles, 42);
}

TEST(Systolic, LargeGemmOnTpuSizedArray) {
  // 256 x 256, K = 1024, M = 512, P = 64: ceil(1024/256) * ceil(512/256) = 8 folds of
  // 512 + 256 + 64 - 2 = 830 cycles = 6640.
  const auto rep = RunPoint(Fc(1024, 512), Array(256, 256), Dataflow::kWS, 64);
  ASSERT_EQ(rep.status, Status::kOk);
  EXPECT_DOUBLE_EQ(rep.rows[0].cycles, 6640);
}

TEST(Systolic, MulticastHasNoFill) {
  // The same WS GEMM on multicast buses: 2 folds x T = 10 = 20 cycles; the difference is
  // exactly 2 x (2*8 + 8 - 2) = 44 cycles of fill and drain.
  auto hw = Array(8, 8);
  hw[HwParam::kInterconnect] = 0;
  const auto multicast = RunPoint(Fc(16, 8), hw, Dataflow::kWS, 10);
  const auto systolic = RunPoint(Fc(16, 8), Array(8, 8), Dataflow::kWS, 10);
  EXPECT_DOUBLE_EQ(multicast.rows[0].cycles, 20);
  EXPECT_DOUBLE_EQ(systolic.rows[0].cycles - multicast.rows[0].cycles, 44);
}

TEST(Systolic, FoldFillFormula) {
  detail::HwView hw;
  hw.rows = 256;
  hw.cols = 128;
  hw.systolic = true;
  EXPECT_DOUBLE_EQ(detail::FoldFillCycles(hw, 10, 20), 638);         // 2*256 + 128 - 2
  EXPECT_DOUBLE_EQ(detail::FoldFillCycles(hw, 10, 20, false), 382);  // 256 + 128 - 2
  hw.fill_mapped = true;
  EXPECT_DOUBLE_EQ(detail::FoldFillCycles(hw, 10, 20), 38);         // 2*10 + 20 - 2
  EXPECT_DOUBLE_EQ(detail::FoldFillCycles(hw, 10, 20, false), 38);  // the same for OS
  hw.systolic = false;
  EXPECT_DOUBLE_EQ(detail::FoldFillCycles(hw, 10, 20), 0);
}

}  // namespace
}  // namespace trim::model
