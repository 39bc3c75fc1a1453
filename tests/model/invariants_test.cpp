// Invariants over thousands of random layers and designs (fixed seeds, so failures
// reproduce): latency never below the roofline bound max(MACs / peak, compulsory DRAM bytes /
// bandwidth); energy never below MACs x MAC energy; utilization in (0, 1]; more DRAM
// bandwidth never slower; a larger buffer never more DRAM traffic for the same dataflow;
// infeasible points hold zeros with a reason; nothing is ever NaN or infinite; the batch path
// equals the per-point path bit for bit.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "cases.hpp"

namespace trim::model {
namespace {

using testing::Col;
using testing::ExpectBatchEqualsPoints;
using testing::RunPoint;

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

net::Layer RandomLayer(Rng& g) {
  net::Layer l;
  const auto kind = g.Int(0, 9);
  if (kind <= 5) {
    l.kind = net::LayerKind::kConv;
    l.r = l.s = g.Pick({1, 1, 3, 3, 5, 7, 11});
    l.stride = g.Pick({1, 1, 2, 4});
    l.pad = g.Int(0, l.r / 2);
    l.h = l.w = g.Int(l.r, 64);
    l.groups = g.Pick({1, 1, 1, 2, 4});
    l.c = l.groups * g.Int(1, 64);
    l.m = l.groups * g.Int(1, 64);
    if (g.Int(0, 5) == 0) l.c = l.m = l.groups = g.Int(1, 64);  // depthwise
  } else if (kind <= 7) {
    l.kind = net::LayerKind::kFc;
    l.c = g.Int(1, 2048);
    l.m = g.Int(1, 2048);
  } else if (kind == 8) {
    l.kind = net::LayerKind::kPool;
    l.c = l.m = g.Int(1, 128);
    l.r = l.s = g.Pick({2, 3});
    l.stride = 2;
    l.h = l.w = g.Int(l.r, 56);
  } else {
    l.kind = net::LayerKind::kEltwise;
    l.c = l.m = g.Int(1, 256);
    l.h = l.w = g.Int(1, 56);
    l.num_inputs = g.Int(1, 2);
  }
  return l;
}

Hardware RandomDesign(Rng& g) {
  Hardware h = Hardware::Defaults();
  h[HwParam::kPeRows] = g.Pick({1, 4, 8, 12, 16, 32, 64});
  h[HwParam::kPeCols] = g.Pick({1, 4, 8, 14, 16, 32, 64});
  h[HwParam::kMacsPerPe] = g.Pick({1, 1, 2, 4});
  h[HwParam::kInterconnect] = g.Pick({0, 1});
  h[HwParam::kRfWeightBytes] = g.Pick({0, 2, 16, 64, 448});
  h[HwParam::kRfInputBytes] = g.Pick({0, 2, 8, 24});
  h[HwParam::kRfPsumBytes] = g.Pick({0, 4, 48});
  h[HwParam::kGlbKib] = g.Pick({1, 8, 64, 108, 512, 4096});
  if (g.Int(0, 3) == 0) {
    h[HwParam::kGlbWeightKib] = g.Pick({1, 16, 256});
    h[HwParam::kGlbInputKib] = g.Pick({1, 16, 256});
    h[HwParam::kGlbOutputKib] = g.Pick({1, 16, 256});
  }
  h[HwParam::kGlbWordsPerCycle] = g.Pick({1, 4, 16, 64});
  h[HwParam::kNocWordsPerCycle] = g.Pick({1, 8, 64});
  h[HwParam::kDramGbps] = g.Pick({0.5, 4, 25.6, 100});
  h[HwParam::kClockMhz] = g.Pick({100, 200, 700, 1000});
  h[HwParam::kBitsWeight] = g.Pick({4, 8, 16});
  h[HwParam::kBitsAct] = g.Pick({8, 16});
  h[HwParam::kBitsPsum] = g.Pick({16, 32});
  h[HwParam::kEnergyRefBits] = g.Pick({8, 16, 32});
  h[HwParam::kLeakageMw] = g.Pick({0, 10});
  h[HwParam::kBusWeightBits] = g.Pick({0, 16, 64, 256});
  h[HwParam::kBusInputBits] = g.Pick({0, 16, 64, 256});
  h[HwParam::kBusOutputBits] = g.Pick({0, 16, 64, 256});
  h[HwParam::kBusMhz] = g.Pick({0, 0, 60, 1000});
  return h;
}

void ExpectAllFinite(const PointReport& rep) {
  for (double v : rep.totals) ASSERT_TRUE(std::isfinite(v));
  if (rep.status != Status::kOk) {
    for (double v : rep.totals) ASSERT_EQ(v, 0.0);
  }
}

double MacEnergyFloor(const Hardware& hw, double macs) {
  // Quadratic MAC scaling (the default): e_mac * bits_w * bits_act / ref^2 per MAC.
  const double ref = hw[HwParam::kEnergyRefBits];
  return macs * hw[HwParam::kEnergyMacPj] * hw[HwParam::kBitsWeight] * hw[HwParam::kBitsAct] /
         (ref * ref);
}

TEST(Invariants, RandomLayersAndDesigns) {
  Rng g(20240601);
  int ok = 0, total = 0;
  for (int it = 0; it < 3000; ++it) {
    net::Network n;
    n.layers = {RandomLayer(g)};
    const Hardware hw = RandomDesign(g);
    const auto df = static_cast<Dataflow>(g.Int(0, 5));
    const std::int64_t batch = g.Pick({1, 2, 4, 16});
    SCOPED_TRACE(::testing::Message() << "iteration " << it << " dataflow " << Name(df));
    // RS chooses among its candidate mappings by cost; under `latency` faster networks can
    // only make the chosen one faster (each candidate is), which the checks below need.
    ModelOptions opt = ModelOptions::Defaults();
    if (df == Dataflow::kRS) opt[Option::kSelect] = 2;
    const auto rep = RunPoint(n, hw, df, batch, opt);
    ++total;
    ExpectAllFinite(rep);
    if (rep.status != Status::kOk) continue;
    ++ok;
    const double lat = Col(rep, ResultCol::kLatencyS);
    EXPECT_GE(lat * (1 + 1e-12), Col(rep, ResultCol::kRooflineS));
    const double macs = Col(rep, ResultCol::kMacs);
    EXPECT_GE(Col(rep, ResultCol::kEnergyPj) * (1 + 1e-12), MacEnergyFloor(hw, macs));
    if (macs > 0) {
      EXPECT_GT(Col(rep, ResultCol::kUtilization), 0.0);
      EXPECT_LE(Col(rep, ResultCol::kUtilization), 1.0 + 1e-12);
    }
    for (const auto& r : rep.rows) {
      EXPECT_GE(r.latency_s * (1 + 1e-12), r.roofline_s);
      EXPECT_LE(r.utilization, 1.0 + 1e-12);
    }
    if (df == Dataflow::kBest) continue;  // the next two hold per fixed dataflow
    // More DRAM bandwidth is never slower.
    Hardware fast = hw;
    fast[HwParam::kDramGbps] *= 2;
    const auto rep_fast = RunPoint(n, fast, df, batch, opt);
    ASSERT_EQ(rep_fast.status, Status::kOk);
    EXPECT_LE(Col(rep_fast, ResultCol::kLatencyS), lat);
    // Wider buffer-to-array networks are never slower, and never change the traffic.
    Hardware wide = hw;
    for (auto p : {HwParam::kBusWeightBits, HwParam::kBusInputBits, HwParam::kBusOutputBits}) {
      wide[p] *= 2;
    }
    const auto rep_wide = RunPoint(n, wide, df, batch, opt);
    ASSERT_EQ(rep_wide.status, Status::kOk);
    EXPECT_LE(Col(rep_wide, ResultCol::kLatencyS), lat);
    // The traffic and buffer checks hold for one mapping; the RS choice between mappings
    // follows the costs (Eyeriss.RowStationaryCandidatesNeverLoseToTheLargestMapping), and
    // the tiling of each is covered by Invariants.GlbSweepIsMonotoneForEachDataflow.
    if (df == Dataflow::kRS) continue;
    EXPECT_EQ(Col(rep_wide, ResultCol::kGlbAccesses), Col(rep, ResultCol::kGlbAccesses));
    // A larger buffer never makes more DRAM traffic.
    Hardware big = hw;
    for (auto p : {HwParam::kGlbKib, HwParam::kGlbWeightKib, HwParam::kGlbInputKib,
                   HwParam::kGlbOutputKib}) {
      big[p] *= 2;
    }
    const auto rep_big = RunPoint(n, big, df, batch);
    ASSERT_EQ(rep_big.status, Status::kOk);
    EXPECT_LE(Col(rep_big, ResultCol::kDramBytes), Col(rep, ResultCol::kDramBytes));
  }
  // The generator must exercise both feasible and infeasible points.
  EXPECT_GT(ok, total / 4);
  EXPECT_LT(ok, total);
}

TEST(Invariants, GlbSweepIsMonotoneForEachDataflow) {
  // Doubling the buffer step by step from 1 KiB to 8 MiB on AlexNet CONV3: DRAM traffic never
  // increases, and once everything fits it equals the compulsory traffic.
  net::Network n;
  n.layers = {testing::Conv("conv3", 256, 384, 13, 3, 1, 1, 1)};
  for (int d = 0; d < 5; ++d) {
    double prev = 1e300;
    for (double kib = 1; kib <= 8192; kib *= 2) {
      Hardware hw = testing::EyerissV1();
      hw[HwParam::kGlbKib] = kib;
      const auto rep = RunPoint(n, hw, static_cast<Dataflow>(d), 4);
      if (rep.status != Status::kOk) continue;
      const double bytes = Col(rep, ResultCol::kDramBytes);
      EXPECT_LE(bytes, prev) << Name(static_cast<Dataflow>(d)) << " at " << kib << " KiB";
      prev = bytes;
    }
    // Compulsory: weights 384*256*9 + inputs 4*256*13*13 + outputs 4*384*13*13 words, 2 B.
    const double compulsory = 2.0 * (384.0 * 256 * 9 + 4.0 * 256 * 169 + 4.0 * 384 * 169);
    EXPECT_DOUBLE_EQ(prev, compulsory) << Name(static_cast<Dataflow>(d));
  }
}

TEST(Invariants, StatusPathsReturnZeros) {
  const auto net = testing::SmallConv();
  struct Case {
    HwParam p;
    double v;
    Dataflow df;
    Status want;
  };
  const Case cases[] = {
      {HwParam::kRfPsumBytes, 0, Dataflow::kRS, Status::kRfTooSmall},
      {HwParam::kRfWeightBytes, 0, Dataflow::kWS, Status::kRfTooSmall},
      {HwParam::kRfInputBytes, 0, Dataflow::kIS, Status::kRfTooSmall},
      {HwParam::kRfPsumBytes, 0, Dataflow::kOS, Status::kRfTooSmall},
      {HwParam::kGlbKib, 0, Dataflow::kNLR, Status::kGlbTooSmall},
      {HwParam::kDramGbps, 0, Dataflow::kRS, Status::kZeroBandwidth},
      {HwParam::kClockMhz, 0, Dataflow::kRS, Status::kZeroBandwidth},
      {HwParam::kGlbWordsPerCycle, 0, Dataflow::kWS, Status::kZeroBandwidth},
  };
  for (const auto& c : cases) {
    Hardware hw = testing::SmallArray(false);
    hw[c.p] = c.v;
    const auto rep = RunPoint(net, hw, c.df);
    EXPECT_EQ(rep.status, c.want) << Info(c.p).name;
    ExpectAllFinite(rep);
  }
  // A window larger than the padded input has no output: shape mismatch.
  net::Network bad;
  bad.layers = {testing::Conv("bad", 2, 2, 3, 5, 1, 0, 1)};
  const auto rep = RunPoint(bad, testing::SmallArray(false), Dataflow::kRS);
  EXPECT_EQ(rep.status, Status::kShapeMismatch);
  ExpectAllFinite(rep);
  // NLR keeps nothing in the RF: with no RF at all it still maps.
  Hardware no_rf = testing::SmallArray(false);
  no_rf[HwParam::kRfWeightBytes] = no_rf[HwParam::kRfInputBytes] = no_rf[HwParam::kRfPsumBytes] = 0;
  EXPECT_EQ(RunPoint(net, no_rf, Dataflow::kNLR).status, Status::kOk);
}

TEST(Invariants, BatchEqualsPointBitForBit) {
  Rng g(77);
  net::Network n;
  for (int i = 0; i < 6; ++i) n.layers.push_back(RandomLayer(g));
  for (int d = 0; d < kNumDataflows; ++d) {
    const Workload work{&n, Mode::kInference, 2, static_cast<Dataflow>(d)};
    HwBatch batch;
    batch.Resize(64);
    for (std::size_t i = 0; i < batch.size; ++i) batch.SetRow(i, RandomDesign(g));
    ExpectBatchEqualsPoints(work, batch);
    if (HasFatalFailure()) return;
  }
}

TEST(Invariants, RooflineEngineIsTheBound) {
  // The roofline engine's latency equals its own roofline_s column, and the trim engine's
  // roofline_s column is the same number.
  const auto net = testing::AlexNetConv();
  const auto hw = testing::EyerissV1();
  ModelOptions roof = ModelOptions::Defaults();
  roof[Option::kEngine] = 1;
  const auto r = RunPoint(net, hw, Dataflow::kRS, 4, roof);
  const auto t = RunPoint(net, hw, Dataflow::kRS, 4);
  ASSERT_EQ(r.status, Status::kOk);
  ASSERT_EQ(t.status, Status::kOk);
  EXPECT_DOUBLE_EQ(Col(r, ResultCol::kRooflineS), Col(t, ResultCol::kRooflineS));
  EXPECT_NEAR(Col(r, ResultCol::kLatencyS), Col(r, ResultCol::kRooflineS), 1e-12);
  EXPECT_GT(Col(t, ResultCol::kLatencyS), Col(r, ResultCol::kLatencyS));
}

}  // namespace
}  // namespace trim::model
