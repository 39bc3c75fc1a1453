// Systolic fill and drain against the standard systolic-array analysis (Samajdar et al.,
// "A Systematic Methodology for Characterizing Scalability of DNN Accelerators using
// SCALE-Sim", ISPASS 2020): a fold that maps S_R x S_C operands onto the array and streams T
// temporal steps takes 2*S_R + S_C + T - 2 cycles (S_R cycles to load the stationary operand
// row by row, S_R - 1 + S_C - 1 cycles of input skew and output drain across the array, T
// steps), and a layer takes that times ceil(S_R / R) * ceil(S_C / C) folds, with S_R and S_C
// clipped to the array's R rows and C columns. Mappings: WS S_R = K (= C*R*S), S_C = M,
// T = P (= N*E*F); OS S_R = P, S_C = M, T = K; IS S_R = K, S_C = P, T = M.
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

TEST(Systolic, WeightStationaryTwoFullFolds) {
  // 8 x 8 array, GEMM K = 16, M = 8, P = batch 10: ceil(16/8) * ceil(8/8) = 2 folds of
  // 2*8 + 8 + 10 - 2 = 32 cycles = 64.
  const auto rep = RunPoint(Fc(16, 8), Array(8, 8), Dataflow::kWS, 10);
  ASSERT_EQ(rep.status, Status::kOk);
  EXPECT_DOUBLE_EQ(rep.rows[0].cycles, 64);
}

TEST(Systolic, WeightStationaryPartialFold) {
  // K = 6, M = 3 on 8 x 8: one fold with S_R = 6, S_C = 3, T = 5: 12 + 3 + 5 - 2 = 18.
  const auto rep = RunPoint(Fc(6, 3), Array(8, 8), Dataflow::kWS, 5);
  ASSERT_EQ(rep.status, Status::kOk);
  EXPECT_DOUBLE_EQ(rep.rows[0].cycles, 18);
}

TEST(Systolic, OutputStationaryOneFold) {
  // Small conv on 4 x 4: S_R = P = 4, S_C = M = 4, T = K = 18: 8 + 4 + 18 - 2 = 28.
  const auto rep = RunPoint(testing::SmallConv(), testing::SmallArray(true), Dataflow::kOS);
  ASSERT_EQ(rep.status, Status::kOk);
  EXPECT_DOUBLE_EQ(rep.rows[0].cycles, 28);
}

TEST(Systolic, InputStationaryFiveFolds) {
  // S_R = K = 18 -> 5 folds of 4 rows, S_C = P = 4, T = M = 4: 5 * (8 + 4 + 4 - 2) = 70.
  const auto rep = RunPoint(testing::SmallConv(), testing::SmallArray(true), Dataflow::kIS);
  ASSERT_EQ(rep.status, Status::kOk);
  EXPECT_DOUBLE_EQ(rep.rows[0].cycles, 70);
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
  hw.systolic = true;
  EXPECT_DOUBLE_EQ(detail::FoldFillCycles(hw, 256, 256), 766);  // 2*256 + 256 - 2
  hw.systolic = false;
  EXPECT_DOUBLE_EQ(detail::FoldFillCycles(hw, 256, 256), 0);
}

}  // namespace
}  // namespace trim::model
