// Training step and inter-layer activity (docs/model.md, sections 16-20): operation counts per
// phase, the roofline bound of a step, DRAM traffic at both buffer extremes (hand-derived) and
// monotone in between, per-phase columns, and the batch path equal to the per-point path.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "cases.hpp"
#include "network.hpp"
#include "trim/net/zoo.hpp"

namespace trim::model {
namespace {

using testing::Col;
using testing::ExpectBatchEqualsPoints;

PointReport Train(const net::Network& net, const Hardware& hw, Dataflow df, std::int64_t batch,
                  const ModelOptions& opt = ModelOptions::Defaults()) {
  Evaluator ev(opt);
  return ev.EvaluatePoint(Workload{&net, Mode::kTraining, batch, df}, hw);
}

double RowMacs(const PointReport& r, int layer, Phase p) {
  for (const auto& row : r.rows) {
    if (row.layer == layer && row.phase == p) return row.macs;
  }
  return -1;  // the phase does not run
}

/// conv0 (1 -> 2 channels, 4x4, 3x3, pad 1) -> relu1 -> fc2 (32 -> 3), no biases.
net::Network TinyNet() {
  net::Network n;
  n.name = "tiny";
  net::Layer conv = testing::Conv("conv0", 1, 2, 4, 3, 1, 1, 1);
  net::Layer relu;
  relu.name = "relu1";
  relu.kind = net::LayerKind::kEltwise;
  relu.op = net::EltOp::kRelu;
  relu.c = relu.m = 2;
  relu.h = relu.w = 4;
  net::Layer fc;
  fc.name = "fc2";
  fc.kind = net::LayerKind::kFc;
  fc.c = 32;
  fc.m = 3;
  n.layers = {conv, relu, fc};
  return n;
}

/// Every bit width 16 (so no master copy), bandwidths that never bind.
Hardware Roomy(double glb_kib) {
  Hardware h = testing::SmallArray(false);
  h[HwParam::kGlbKib] = glb_kib;
  h[HwParam::kBitsGrad] = 16;
  h[HwParam::kBitsOpt] = 16;
  return h;
}

TEST(Training, PhaseMacsOfAStridedConv) {
  // conv 4 -> 8 channels, 8x8 input, 3x3, stride 2, pad 1: E = F = 4,
  // FP = 8*4*4*4*9 = 4608 MACs per sample. BP (sparse) = FP; dense = FP * (8*8)/(4*4) = 18432;
  // WG = FP. As the first layer it has no BP; behind another conv it has.
  net::Network n;
  n.layers = {testing::Conv("a", 4, 4, 8, 1, 1, 0, 1), testing::Conv("b", 4, 8, 8, 3, 2, 1, 1)};
  const Hardware hw = Roomy(4096);
  const auto r = Train(n, hw, Dataflow::kOS, 2);
  ASSERT_EQ(r.status, Status::kOk);
  EXPECT_EQ(RowMacs(r, 1, Phase::kFP), 2 * 4608.0);
  EXPECT_EQ(RowMacs(r, 1, Phase::kBP), 2 * 4608.0);
  EXPECT_EQ(RowMacs(r, 1, Phase::kWG), 2 * 4608.0);
  EXPECT_EQ(RowMacs(r, 1, Phase::kWU), 0.0);
  EXPECT_EQ(RowMacs(r, 0, Phase::kBP), -1.0);  // reads the network input: skipped
  EXPECT_EQ(RowMacs(r, 0, Phase::kWG), 2 * 4.0 * 4 * 64);
  ModelOptions dense = ModelOptions::Defaults();
  dense[Option::kBpStride] = 1;
  const auto d = Train(n, hw, Dataflow::kOS, 2, dense);
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_EQ(RowMacs(d, 1, Phase::kBP), 2 * 18432.0);
  // Training MACs = FP + BP + WG of both layers.
  EXPECT_EQ(Col(r, ResultCol::kMacs), 2 * (1024.0 * 2 + 4608.0 * 3));
}

TEST(Training, CompulsoryTrafficWithEverythingOnChip) {
  // TinyNet, batch 2, 2 B per element, momentum (1 state word per parameter), no master copy.
  // FP:  conv0 weights 18 el (36 B) + network input 2*16 el (64 B); relu1 reads and writes on
  //      chip (its output and mask in the stash); fc2 weights 96 el (192 B), its 6 outputs
  //      written (12 B)                                                         = 304 B
  // BP:  fc2 weights again (192 B) + the loss gradient 6 el (12 B); relu1 and the errors on
  //      chip; conv0 has no BP                                                  = 204 B
  // WG:  inputs from the stash, errors and weight gradients on chip             =   0 B
  // WU:  per parameter read w, read state, write w, write state: 4 x 2 B x (96 + 18) = 912 B
  const auto r = Train(TinyNet(), Roomy(1 << 20), Dataflow::kWS, 2);
  ASSERT_EQ(r.status, Status::kOk);
  EXPECT_DOUBLE_EQ(Col(r, ResultCol::kFpDramBytes), 304.0);
  EXPECT_DOUBLE_EQ(Col(r, ResultCol::kBpDramBytes), 204.0);
  EXPECT_DOUBLE_EQ(Col(r, ResultCol::kWgDramBytes), 0.0);
  EXPECT_DOUBLE_EQ(Col(r, ResultCol::kWuDramBytes), 912.0);
  EXPECT_DOUBLE_EQ(Col(r, ResultCol::kDramBytes), 1420.0);
  // Adam keeps two state words: WU = 2 B x (2 + 4) x 114 = 1368 B.
  ModelOptions adam = ModelOptions::Defaults();
  adam[Option::kOptimizer] = 2;
  EXPECT_DOUBLE_EQ(
      Col(Train(TinyNet(), Roomy(1 << 20), Dataflow::kWS, 2, adam), ResultCol::kWuDramBytes),
      1368.0);
}

TEST(Training, NoStashRoomSpillsAndRereadsEverySavedTensor) {
  // Same as above with stash = none: every saved tensor goes to DRAM. 64 KiB still holds every
  // layer whole, so only the saved tensors add traffic:
  //   FP writes relu1's output (64 el, 128 B, otherwise kept on chip for fc2) and its mask
  //     (64 bits, 8 B); the network input is already in DRAM;
  //   BP reads the mask back (8 B); WG reads relu1's output (128 B) for fc2 and the network
  //     input (32 el, 64 B) for conv0.
  // Total = 1420 + 136 + 8 + 192 = 1756 B.
  ModelOptions none = ModelOptions::Defaults();
  none[Option::kStash] = 2;
  const auto r = Train(TinyNet(), Roomy(64), Dataflow::kWS, 2, none);
  ASSERT_EQ(r.status, Status::kOk);
  EXPECT_DOUBLE_EQ(Col(r, ResultCol::kFpDramBytes), 440.0);
  EXPECT_DOUBLE_EQ(Col(r, ResultCol::kBpDramBytes), 212.0);
  EXPECT_DOUBLE_EQ(Col(r, ResultCol::kWgDramBytes), 192.0);
  EXPECT_DOUBLE_EQ(Col(r, ResultCol::kDramBytes), 1756.0);
  // A near-zero buffer (the default half share) keeps no activation either.
  Evaluator ev(ModelOptions::Defaults());
  const net::Network net = TinyNet();
  const auto tiny = ev.EvaluatePoint(Workload{&net, Mode::kTraining, 2, Dataflow::kWS}, Roomy(0.2));
  ASSERT_EQ(tiny.status, Status::kOk);
  EXPECT_GE(Col(tiny, ResultCol::kDramBytes), 1756.0);
}

TEST(Training, StashPlanOfResnetSpillsActivationsInATinyBuffer) {
  const auto net = net::BuiltinNetwork("resnet18", {64, 0});
  ASSERT_TRUE(net.has_value());
  Evaluator::Plan plan;
  const Workload work{&*net, Mode::kTraining, 2, Dataflow::kWS};
  // A quarter of 6 KiB (1.5 KiB) holds no activation: the smallest, the 2 x 512-element input
  // of the classifier, takes 2 KiB; the remaining 4.5 KiB still fits every layer's tiles.
  ModelOptions quarter = ModelOptions::Defaults();
  quarter[Option::kStash] = 1;
  detail::BuildPlan(work, quarter, &plan);
  std::array<double, kNumResultCols> totals{};
  Hardware hw = Roomy(6);
  ASSERT_EQ(detail::EvaluateNetwork(plan, work, hw, quarter, &totals, nullptr), Status::kOk);
  for (std::size_t i = 0; i < plan.stash.size(); ++i) {
    if (plan.stash[i].ref.kind == detail::RefKind::kAct) {
      EXPECT_EQ(plan.scratch.stash_kept[i], 0) << "entry " << i;
    }
  }
  // With a huge buffer everything is kept.
  hw[HwParam::kGlbKib] = 1 << 22;
  ASSERT_EQ(detail::EvaluateNetwork(plan, work, hw, quarter, &totals, nullptr), Status::kOk);
  for (char k : plan.scratch.stash_kept) EXPECT_EQ(k, 1);
}

TEST(Training, DramTrafficNeverGrowsWithTheBuffer) {
  const auto resnet = net::BuiltinNetwork("resnet18", {32, 0});
  ASSERT_TRUE(resnet.has_value());
  for (const net::Network* n : {&*resnet}) {
    for (int d = 0; d < 5; ++d) {
      double prev = 1e300;
      for (double kib = 4; kib <= 65536; kib *= 2) {
        Hardware hw = testing::EyerissV1();
        hw[HwParam::kGlbKib] = kib;
        const auto r = Train(*n, hw, static_cast<Dataflow>(d), 2);
        if (r.status != Status::kOk) continue;
        const double bytes = Col(r, ResultCol::kDramBytes);
        EXPECT_LE(bytes, prev * (1 + 1e-12)) << Name(static_cast<Dataflow>(d)) << " " << kib;
        prev = bytes;
      }
    }
  }
}

struct Rng {
  std::mt19937_64 gen;
  explicit Rng(std::uint64_t seed) : gen(seed) {}
  std::int64_t Int(std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(gen);
  }
  double Pick(std::initializer_list<double> v) {
    return *(v.begin() + Int(0, static_cast<std::int64_t>(v.size()) - 1));
  }
};

/// A random chain of shape-compatible layers: conv / depthwise conv, relu, batch norm, max or
/// average pool, a residual add back to an earlier tensor of the same shape, a closing fc.
net::Network RandomNet(Rng& g) {
  net::Network n;
  std::int64_t c = g.Int(1, 16), hw = g.Int(8, 32);
  const int len = static_cast<int>(g.Int(1, 6));
  for (int i = 0; i < len; ++i) {
    const auto kind = g.Int(0, 5);
    net::Layer l;
    l.c = c;
    l.h = l.w = hw;
    if (kind <= 1 || i == 0) {
      l.kind = net::LayerKind::kConv;
      l.r = l.s = g.Pick({1, 3, 5});
      l.stride = g.Pick({1, 1, 2});
      l.pad = l.r / 2;
      l.m = g.Int(1, 32);
      if (g.Int(0, 4) == 0) l.m = l.groups = c;
    } else if (kind == 2) {
      l.kind = net::LayerKind::kEltwise;
      l.op = g.Int(0, 1) == 0 ? net::EltOp::kRelu : net::EltOp::kBatchNorm;
      l.m = c;
    } else if (kind == 3 && hw >= 4) {
      l.kind = net::LayerKind::kPool;
      l.pool = g.Int(0, 1) == 0 ? net::PoolType::kMax : net::PoolType::kAvg;
      l.r = l.s = 2;
      l.stride = 2;
      l.m = c;
    } else {
      l.kind = net::LayerKind::kEltwise;
      l.op = net::EltOp::kAdd;
      l.m = c;
      l.num_inputs = 2;
      const int prev = static_cast<int>(n.layers.size()) - 1;
      int other = -2;
      for (int j = prev - 1; j >= 0; --j) {
        const auto& p = n.layers[static_cast<std::size_t>(j)];
        if (p.m == c && p.e() == hw && p.f() == hw) other = j;
      }
      if (other == -2) l.num_inputs = 1;
      if (prev >= 0 && other != -2) l.inputs = {prev, other};
    }
    n.layers.push_back(l);
    c = l.m;
    hw = n.layers.back().e();
  }
  net::Layer fc;
  fc.kind = net::LayerKind::kFc;
  fc.c = c * hw * hw;
  fc.m = g.Int(1, 100);
  fc.bias = true;
  n.layers.push_back(fc);
  return n;
}

Hardware RandomDesign(Rng& g) {
  Hardware h = Hardware::Defaults();
  h[HwParam::kPeRows] = g.Pick({1, 4, 12, 16, 32});
  h[HwParam::kPeCols] = g.Pick({1, 4, 14, 16, 32});
  h[HwParam::kMacsPerPe] = g.Pick({1, 2, 4});
  h[HwParam::kInterconnect] = g.Pick({0, 1});
  h[HwParam::kRfWeightBytes] = g.Pick({0, 16, 448});
  h[HwParam::kRfInputBytes] = g.Pick({0, 24, 256});
  h[HwParam::kRfPsumBytes] = g.Pick({4, 48});
  h[HwParam::kGlbKib] = g.Pick({4, 64, 108, 512, 8192});
  if (g.Int(0, 4) == 0) {
    h[HwParam::kGlbWeightKib] = g.Pick({8, 64});
    h[HwParam::kGlbInputKib] = g.Pick({8, 64, 512});
    h[HwParam::kGlbOutputKib] = g.Pick({8, 64});
  }
  h[HwParam::kGlbWordsPerCycle] = g.Pick({4, 16, 64});
  h[HwParam::kNocWordsPerCycle] = g.Pick({8, 64});
  h[HwParam::kDramGbps] = g.Pick({0.5, 4, 25.6});
  h[HwParam::kClockMhz] = g.Pick({200, 1000});
  h[HwParam::kBitsWeight] = g.Pick({8, 16});
  h[HwParam::kBitsAct] = g.Pick({8, 16});
  h[HwParam::kBitsPsum] = g.Pick({16, 32});
  h[HwParam::kBitsGrad] = g.Pick({16, 32});
  h[HwParam::kBitsOpt] = g.Pick({16, 32});
  h[HwParam::kLeakageMw] = g.Pick({0, 10});
  return h;
}

TEST(Training, StepNeverBeatsTheSumOfPhaseRooflines) {
  Rng g(4242);
  int ok = 0;
  for (int it = 0; it < 400; ++it) {
    const net::Network n = RandomNet(g);
    const Hardware hw = RandomDesign(g);
    const auto df = static_cast<Dataflow>(g.Int(0, 5));
    ModelOptions opt = ModelOptions::Defaults();
    opt[Option::kOptimizer] = static_cast<std::uint8_t>(g.Int(0, 2));
    opt[Option::kStash] = static_cast<std::uint8_t>(g.Int(0, 2));
    opt[Option::kBpStride] = static_cast<std::uint8_t>(g.Int(0, 1));
    opt[Option::kOverlap] = static_cast<std::uint8_t>(g.Int(0, 1));
    SCOPED_TRACE(::testing::Message() << "iteration " << it << " dataflow " << Name(df));
    const auto r = Train(n, hw, df, g.Pick({1, 2, 8}), opt);
    for (double v : r.totals) ASSERT_TRUE(std::isfinite(v));
    if (r.status != Status::kOk) {
      for (double v : r.totals) ASSERT_EQ(v, 0.0);
      continue;
    }
    ++ok;
    EXPECT_GE(Col(r, ResultCol::kLatencyS) * (1 + 1e-12), Col(r, ResultCol::kRooflineS));
    for (const auto& row : r.rows) EXPECT_GE(row.latency_s * (1 + 1e-12), row.roofline_s);
    // Phase columns add up to the step.
    const double phases = Col(r, ResultCol::kFpLatencyS) + Col(r, ResultCol::kBpLatencyS) +
                          Col(r, ResultCol::kWgLatencyS) + Col(r, ResultCol::kWuLatencyS);
    EXPECT_NEAR(phases, Col(r, ResultCol::kLatencyS), 1e-9 * Col(r, ResultCol::kLatencyS));
    const double dram = Col(r, ResultCol::kFpDramBytes) + Col(r, ResultCol::kBpDramBytes) +
                        Col(r, ResultCol::kWgDramBytes) + Col(r, ResultCol::kWuDramBytes);
    EXPECT_NEAR(dram, Col(r, ResultCol::kDramBytes), 1e-9 * Col(r, ResultCol::kDramBytes));
    EXPECT_GT(Col(r, ResultCol::kWuLatencyS), 0.0);  // the fc always has parameters
    EXPECT_GT(Col(r, ResultCol::kWgLatencyS), 0.0);
  }
  EXPECT_GT(ok, 100);
}

TEST(Training, InferenceKeepsOnlyTheForwardColumns) {
  const auto net = testing::SmallConv();
  const auto r = testing::RunPoint(net, Roomy(1024), Dataflow::kRS);
  ASSERT_EQ(r.status, Status::kOk);
  EXPECT_EQ(Col(r, ResultCol::kFpLatencyS), Col(r, ResultCol::kLatencyS));
  EXPECT_EQ(Col(r, ResultCol::kFpEnergyPj), Col(r, ResultCol::kEnergyPj));
  EXPECT_EQ(Col(r, ResultCol::kFpDramBytes), Col(r, ResultCol::kDramBytes));
  for (auto c : {ResultCol::kBpLatencyS, ResultCol::kWgLatencyS, ResultCol::kWuLatencyS,
                 ResultCol::kBpEnergyPj, ResultCol::kWgEnergyPj, ResultCol::kWuEnergyPj,
                 ResultCol::kBpDramBytes, ResultCol::kWgDramBytes, ResultCol::kWuDramBytes}) {
    EXPECT_EQ(Col(r, c), 0.0);
  }
  // Training: throughput = batch / step time, energy per sample = energy / batch.
  const auto t = Train(TinyNet(), Roomy(1024), Dataflow::kRS, 4);
  ASSERT_EQ(t.status, Status::kOk);
  EXPECT_DOUBLE_EQ(Col(t, ResultCol::kThroughputSps), 4 / Col(t, ResultCol::kLatencyS));
  EXPECT_DOUBLE_EQ(Col(t, ResultCol::kEnergyPerSamplePj), Col(t, ResultCol::kEnergyPj) / 4);
  EXPECT_GT(Col(t, ResultCol::kPeakOnchipBytes), 0.0);
  // Off chip: 114 parameters x (weight + gradient + one momentum word) x 2 B, plus the largest
  // working set (relu1: 64 in + 64 out elements, 4 samples x 2 B = ... below) and no spills.
  const double params = 114.0 * 3 * 2;
  EXPECT_GE(Col(t, ResultCol::kPeakOffchipBytes), params);
}

TEST(Training, BatchEqualsPointBitForBit) {
  Rng g(99);
  const net::Network n = RandomNet(g);
  const auto resnet = net::BuiltinNetwork("resnet18", {32, 0});
  ASSERT_TRUE(resnet.has_value());
  for (const net::Network* net : {&n, &*resnet}) {
    for (int d = 0; d < kNumDataflows; ++d) {
      const Workload work{net, Mode::kTraining, 2, static_cast<Dataflow>(d)};
      HwBatch batch;
      batch.Resize(12);
      for (std::size_t i = 0; i < batch.size; ++i) batch.SetRow(i, RandomDesign(g));
      ExpectBatchEqualsPoints(work, batch);
      if (HasFatalFailure()) return;
    }
  }
}

}  // namespace
}  // namespace trim::model
