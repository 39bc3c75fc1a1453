// Fusion (docs/model.md, "Fusion"): element-wise layers and pooling that follow a MAC layer run
// in its output path. Hand-derived cases on the 4 x 4 multicast array of cases.hpp (16 lanes,
// 16-bit words, Eyeriss normalized energies: MAC 1, NoC 2, GLB 6, DRAM 200 per word) with the
// small convolution (C = 2, M = 4, 4 x 4 input, 3 x 3 window: 16 outputs, 72 weights, 32
// inputs), weight stationary.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "cases.hpp"
#include "trim/net/zoo.hpp"

namespace trim::model {
namespace {

using testing::Col;
using testing::RunPoint;

net::Layer Elt(std::string name, net::EltOp op, std::int64_t c, std::int64_t hw,
               std::vector<int> inputs = {}) {
  net::Layer l;
  l.name = std::move(name);
  l.kind = net::LayerKind::kEltwise;
  l.op = op;
  l.c = l.m = c;
  l.h = l.w = hw;
  l.num_inputs = static_cast<std::int64_t>(std::max<std::size_t>(1, inputs.size()));
  l.inputs = std::move(inputs);
  return l;
}

/// conv (16 outputs) -> ReLU, the ReLU's output is the network output.
net::Network ConvRelu() {
  net::Network n;
  n.layers = {testing::Conv("conv", 2, 4, 4, 3, 1, 0, 1), Elt("relu", net::EltOp::kRelu, 4, 2)};
  return n;
}

/// The small array with a buffer of `bytes`.
Hardware Glb(double bytes) {
  Hardware h = testing::SmallArray(false);
  h[HwParam::kGlbKib] = bytes / 1024;
  return h;
}

ModelOptions With(std::uint8_t fusion, std::uint8_t inter_layer = 0) {
  ModelOptions o = ModelOptions::Defaults();
  o[Option::kFusion] = fusion;  // 0 none, 1 activation, 2 all
  o[Option::kInterLayer] = inter_layer;
  return o;
}

TEST(Fusion, DefaultIsAll) { EXPECT_EQ(ModelOptions::Defaults()[Option::kFusion], 2); }

TEST(Fusion, ReluInTheOutputPathSkipsTheBufferRoundTrip) {
  const auto hw = testing::SmallArray(false);
  const auto none = RunPoint(ConvRelu(), hw, Dataflow::kWS, 1, With(0));
  const auto fused = RunPoint(ConvRelu(), hw, Dataflow::kWS, 1, With(2));
  ASSERT_EQ(none.status, Status::kOk);
  ASSERT_EQ(fused.status, Status::kOk);
  // Both: the conv reads 72 weights + 32 inputs (208 B) and does not write its output (kept
  // for the ReLU, or passed through the output path); GLB 408 - 16 = 392 words (the WS case of
  // dataflow_cases_test.cpp without the output write-back).
  for (const auto* r : {&none, &fused}) {
    EXPECT_DOUBLE_EQ(r->rows[0].dram_bytes, 208);
    EXPECT_DOUBLE_EQ(r->rows[0].glb_accesses, 392);
  }
  // Unfused ReLU: 16 reads + 16 writes by the lanes, 16 words sent to DRAM (the network
  // output) = 48 GLB accesses; NoC 32 words x 2 = 64; GLB (32 + 16) x 6 = 288; DRAM 16 x 200 =
  // 3200; 16 ops x 1 = 16: 3568. One lane cycle (16 ops on 16 lanes).
  EXPECT_DOUBLE_EQ(none.rows[1].glb_accesses, 48);
  EXPECT_DOUBLE_EQ(none.rows[1].energy_noc_pj, 64);
  EXPECT_DOUBLE_EQ(none.rows[1].energy_glb_pj, 288);
  EXPECT_DOUBLE_EQ(none.rows[1].energy_pj, 3568);
  // Fused: the conv's outputs pass through the lanes on their way into the buffer; only the
  // DRAM write-back reads the buffer: GLB 16 x 6 = 96, no NoC, DRAM and ops as before: 3312.
  EXPECT_DOUBLE_EQ(fused.rows[1].glb_accesses, 16);
  EXPECT_DOUBLE_EQ(fused.rows[1].energy_noc_pj, 0);
  EXPECT_DOUBLE_EQ(fused.rows[1].energy_glb_pj, 96);
  EXPECT_DOUBLE_EQ(fused.rows[1].energy_mac_pj, 16);
  EXPECT_DOUBLE_EQ(fused.rows[1].energy_pj, 3312);
  EXPECT_DOUBLE_EQ(fused.rows[1].dram_bytes, 32);
  EXPECT_DOUBLE_EQ(fused.rows[1].cycles, 1);
  EXPECT_DOUBLE_EQ(Col(none, ResultCol::kEnergyPj) - Col(fused, ResultCol::kEnergyPj), 256);
  // "activation" fuses a ReLU too.
  const auto act = RunPoint(ConvRelu(), hw, Dataflow::kWS, 1, With(1));
  EXPECT_DOUBLE_EQ(Col(act, ResultCol::kEnergyPj), Col(fused, ResultCol::kEnergyPj));
}

TEST(Fusion, NoDramRoundTripWhenLayersSpill) {
  // inter_layer = "spill": unfused, the conv writes its 16 outputs to DRAM and the ReLU reads
  // them back: conv 104 + 16 = 120 words (240 B), ReLU 16 + 16 words (64 B): 304 B. Fused, the
  // conv's outputs never reach DRAM: 208 + 32 = 240 B (64 B less).
  const auto hw = testing::SmallArray(false);
  const auto none = RunPoint(ConvRelu(), hw, Dataflow::kWS, 1, With(0, 1));
  const auto fused = RunPoint(ConvRelu(), hw, Dataflow::kWS, 1, With(2, 1));
  EXPECT_DOUBLE_EQ(Col(none, ResultCol::kDramBytes), 304);
  EXPECT_DOUBLE_EQ(Col(fused, ResultCol::kDramBytes), 240);
  // DRAM energy: 152 vs 120 words x 200.
  EXPECT_DOUBLE_EQ(Col(none, ResultCol::kEnergyDramPj), 30400);
  EXPECT_DOUBLE_EQ(Col(fused, ResultCol::kEnergyDramPj), 24000);
}

TEST(Fusion, ResidualAddReadsOnlyTheSkipOperand) {
  // conv a (16 outputs, read by conv b and by the add) -> conv b (1x1, 4 -> 4) -> add(b, a).
  // Fused, the add takes b's outputs from the output path and reads a's 16 from the buffer
  // (held there since conv a), then writes 16 to DRAM: GLB 16 + 16 = 32 words. Unfused it
  // also reads b's 16 and writes its own 16 through the array: 64.
  net::Network n;
  n.layers = {testing::Conv("a", 2, 4, 4, 3, 1, 0, 1), testing::Conv("b", 4, 4, 2, 1, 1, 0, 1),
              Elt("add", net::EltOp::kAdd, 4, 2, {1, 0})};
  const auto hw = testing::SmallArray(false);
  const auto none = RunPoint(n, hw, Dataflow::kWS, 1, With(0));
  const auto all = RunPoint(n, hw, Dataflow::kWS, 1, With(2));
  const auto act = RunPoint(n, hw, Dataflow::kWS, 1, With(1));
  ASSERT_EQ(all.status, Status::kOk);
  EXPECT_DOUBLE_EQ(none.rows[2].glb_accesses, 64);
  EXPECT_DOUBLE_EQ(all.rows[2].glb_accesses, 32);
  EXPECT_DOUBLE_EQ(act.rows[2].glb_accesses, 64);  // "activation" leaves adds alone
  EXPECT_DOUBLE_EQ(all.rows[2].dram_bytes, 32);
}

TEST(Fusion, ConsumerTileShrinksAroundTheHeldOutput) {
  // a (1x1, 2 -> 4 on 2 x 2: 16 outputs, read by b and by the add) -> b (1x1, 4 -> 4) -> ReLU
  // -> add(ReLU, a), 72 B buffer. a's smallest tile (4 filters, 2 channels, 1 row: 8 weights +
  // 4 inputs + 8 psums = 320 bits) plus its kept output (256 bits) is exactly 72 B: a reads 8
  // inputs and 8 weights (32 B) and keeps its output. b's smallest regular tile with a's
  // output held (16 weights + 8 psums + 16 held words = 640 bits = 80 B) does not fit, so the
  // tile shrinks below one fold instead of evicting a's output (docs/model.md section 5): 2
  // filters x 4 channels x 1 row (8 weights + 4 psums + 16 held words = 448 bits = 56 B), the
  // weights resident, so b reads its 16 weights once (32 B) and its input from the buffer.
  // b's output goes through the ReLU and the add (fused) and is never written; the add reads
  // a's output from the buffer and writes the network output (32 B). Total 32 + 32 + 0 + 32.
  net::Network n;
  n.layers = {testing::Conv("a", 2, 4, 2, 1, 1, 0, 1), testing::Conv("b", 4, 4, 2, 1, 1, 0, 1),
              Elt("relu", net::EltOp::kRelu, 4, 2), Elt("add", net::EltOp::kAdd, 4, 2, {2, 0})};
  const auto rep = RunPoint(n, Glb(72), Dataflow::kWS);
  ASSERT_EQ(rep.status, Status::kOk);
  EXPECT_DOUBLE_EQ(rep.rows[0].dram_bytes, 32);
  EXPECT_DOUBLE_EQ(rep.rows[1].dram_bytes, 32);
  EXPECT_DOUBLE_EQ(rep.rows[2].dram_bytes, 0);
  EXPECT_DOUBLE_EQ(rep.rows[3].dram_bytes, 32);
  EXPECT_TRUE(rep.rows[3].fused);
}

TEST(Fusion, TrainingKeepsWhatBackwardNeeds) {
  // conv -> batch-norm -> ReLU, training, stash "none" (every saved tensor goes to DRAM).
  // Batch-norm is not fused in training (it needs the batch statistics first, and its
  // backward pass reads its input): its FP row reads the conv output from the buffer as when
  // nothing is fused. The ReLU is fused into the batch-norm's output path but still writes its
  // 1-bit mask: 16 bits = 2 B, plus its 16-word output (the network output) = 34 B.
  net::Network n;
  n.layers = {testing::Conv("conv", 2, 4, 4, 3, 1, 0, 1), Elt("bn", net::EltOp::kBatchNorm, 4, 2),
              Elt("relu", net::EltOp::kRelu, 4, 2)};
  ModelOptions none = With(0), all = With(2);
  none[Option::kStash] = 2;
  all[Option::kStash] = 2;
  const auto hw = testing::SmallArray(false);
  Evaluator ev_none(none), ev_all(all);
  const auto r0 = ev_none.EvaluatePoint(Workload{&n, Mode::kTraining, 1, Dataflow::kWS}, hw);
  const auto r1 = ev_all.EvaluatePoint(Workload{&n, Mode::kTraining, 1, Dataflow::kWS}, hw);
  ASSERT_EQ(r0.status, Status::kOk);
  ASSERT_EQ(r1.status, Status::kOk);
  ASSERT_EQ(r1.rows[1].phase, Phase::kFP);
  ASSERT_EQ(r1.rows[2].phase, Phase::kFP);
  EXPECT_DOUBLE_EQ(r1.rows[1].glb_accesses, r0.rows[1].glb_accesses - 16);  // no output write
  EXPECT_GT(r1.rows[1].glb_accesses, 0);
  EXPECT_DOUBLE_EQ(r1.rows[2].dram_bytes, 34);
  EXPECT_DOUBLE_EQ(r0.rows[2].dram_bytes, 34);
  // In inference with "all" the batch-norm is folded into the conv's output path too.
  Evaluator inf(all);
  const auto r2 = inf.EvaluatePoint(Workload{&n, Mode::kInference, 1, Dataflow::kWS}, hw);
  EXPECT_DOUBLE_EQ(r2.rows[1].glb_accesses, 0);
  EXPECT_DOUBLE_EQ(r2.rows[1].dram_bytes, 0);
}

TEST(Fusion, AlexNetFirstReluCostsLessThanConv1) {
  const auto net = net::BuiltinNetwork("alexnet");
  ASSERT_TRUE(net.has_value());
  ASSERT_EQ(net->layers[1].name, "relu1");
  const auto none = RunPoint(*net, testing::EyerissV1(), Dataflow::kRS, 4, With(0));
  const auto all = RunPoint(*net, testing::EyerissV1(), Dataflow::kRS, 4);
  ASSERT_EQ(all.status, Status::kOk);
  ASSERT_EQ(none.status, Status::kOk);
  const auto& conv1 = all.rows[0];
  const auto& relu1 = all.rows[1];
  EXPECT_LT(relu1.latency_s, conv1.latency_s / 100);
  EXPECT_LT(relu1.energy_pj, conv1.energy_pj / 100);
  EXPECT_DOUBLE_EQ(relu1.dram_bytes, 0);
  EXPECT_DOUBLE_EQ(relu1.glb_accesses, 0);
  EXPECT_TRUE(relu1.fused);
  EXPECT_FALSE(conv1.fused);
  EXPECT_TRUE(all.rows[2].fused);  // pool1 after relu1
  EXPECT_FALSE(none.rows[1].fused);
  // 55 x 55 x 96 x 4 ops on 168 lanes.
  EXPECT_DOUBLE_EQ(relu1.cycles, std::ceil(55.0 * 55 * 96 * 4 / 168));
  // Fusion never adds traffic or energy: CONV1's output no longer goes to DRAM (55*55*96*4
  // words x 2 B = 2,323,200 B less).
  EXPECT_DOUBLE_EQ(none.rows[0].dram_bytes - conv1.dram_bytes, 2323200);
  EXPECT_LT(Col(all, ResultCol::kDramBytes), Col(none, ResultCol::kDramBytes));
  EXPECT_LT(Col(all, ResultCol::kEnergyPj), Col(none, ResultCol::kEnergyPj));
}

}  // namespace
}  // namespace trim::model
