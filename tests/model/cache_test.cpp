// Reuse never changes a result: random batches of designs evaluated with the caches (mapping
// cache, walks shared by a mapping group, the plan kept across batches) equal, bit for bit,
// the same batches evaluated with every layer-phase mapped afresh; and the batch path equals
// the scalar path (EvaluatePoint, used by trim-eval) design by design. The designs are drawn
// so that mapping groups repeat (few array, buffer and RF values) while energies, bandwidths
// and clocks vary continuously, as in a real sweep; a zero GLB bandwidth, tiny buffers and RFs
// make some designs infeasible, so the status paths are covered too.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "fixtures.hpp"
#include "map_cache.hpp"
#include "trim/model/evaluate.hpp"
#include "trim/net/zoo.hpp"

namespace trim::model {
namespace {

HwBatch RandomBatch(std::size_t n, std::uint32_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](std::initializer_list<double> v) {
    return *(v.begin() + std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng));
  };
  auto real = [&](double lo, double hi) { return std::uniform_real_distribution<>(lo, hi)(rng); };
  HwBatch b;
  b.Resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    Hardware h = testing::EyerissV1();
    h[HwParam::kPeRows] = pick({8, 16});
    h[HwParam::kPeCols] = pick({8, 14});
    h[HwParam::kInterconnect] = pick({0, 1});
    h[HwParam::kRfInputBytes] = pick({24, 128});
    h[HwParam::kGlbKib] = pick({4, 108, 2048});
    h[HwParam::kGlbInputKib] = pick({0, 0, 64});
    h[HwParam::kBitsOpt] = pick({16, 32});
    h[HwParam::kGlbWordsPerCycle] = pick({0, 4, 12, 12, 12});
    h[HwParam::kNocWordsPerCycle] = real(1, 64);
    h[HwParam::kDramGbps] = real(0.5, 64);
    h[HwParam::kClockMhz] = real(100, 1500);
    h[HwParam::kEnergyRefBits] = pick({8, 16});
    h[HwParam::kEnergyMacPj] = real(0.1, 2);
    h[HwParam::kEnergyRfPj] = real(0.1, 2);
    h[HwParam::kEnergyNocPj] = real(0.5, 4);
    h[HwParam::kEnergyGlbPj] = real(2, 12);
    h[HwParam::kEnergyDramPj] = real(50, 300);
    h[HwParam::kLeakageMw] = real(0, 50);
    b.SetRow(i, h);
  }
  return b;
}

bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

struct Case {
  const char* network;
  std::int64_t image;  ///< input resolution (0: the network's standard one)
  Mode mode;
  std::int64_t batch;
  ModelOptions opt;
};

std::vector<Case> Cases() {
  ModelOptions base = ModelOptions::Defaults();
  ModelOptions other = base;
  other[Option::kOverlap] = 1;     // serial
  other[Option::kOptimizer] = 2;   // adam
  other[Option::kStash] = 1;       // quarter
  other[Option::kSelect] = 2;      // latency
  other[Option::kMacScaling] = 1;  // linear
  ModelOptions spill = base;
  spill[Option::kInterLayer] = 1;
  spill[Option::kBpStride] = 1;
  ModelOptions roof = base;
  roof[Option::kEngine] = 1;
  return {{"alexnet", 0, Mode::kInference, 2, base},
          {"resnet18", 64, Mode::kTraining, 2, base},
          {"resnet18", 64, Mode::kTraining, 4, other},
          {"mobilenet-v2", 64, Mode::kTraining, 2, spill},
          {"resnet18", 64, Mode::kTraining, 2, roof}};
}

TEST(Cache, NoResultChangesBecauseOfCaching) {
  std::uint32_t seed = 1;
  for (const Case& c : Cases()) {
    const auto net = net::BuiltinNetwork(c.network, {c.image, 0});
    ASSERT_TRUE(net.has_value()) << c.network;
    Evaluator cached(c.opt, true);
    Evaluator fresh(c.opt, false);
    std::size_t feasible = 0, infeasible = 0;
    for (int d = 0; d <= static_cast<int>(Dataflow::kBest); ++d) {
      const Workload work{&*net, c.mode, c.batch, static_cast<Dataflow>(d)};
      // Two batches per workload: the second finds the caches warm.
      for (int rep = 0; rep < 2; ++rep) {
        const HwBatch hw = RandomBatch(24, seed++);
        ResultBatch a, b;
        a.Resize(hw.size);
        b.Resize(hw.size);
        cached.Evaluate(work, hw, a);
        fresh.Evaluate(work, hw, b);
        for (std::size_t i = 0; i < hw.size; ++i) {
          ASSERT_EQ(a.status[i], b.status[i]) << c.network << " df " << d << " design " << i;
          (a.status[i] == 0 ? feasible : infeasible) += 1;
          for (std::size_t col = 0; col < kNumResultCols; ++col) {
            ASSERT_TRUE(SameBits(a.col[col][i], b.col[col][i]))
                << c.network << " df " << d << " design " << i << " column "
                << ResultCols()[col].name << ": " << a.col[col][i] << " vs " << b.col[col][i];
          }
        }
      }
    }
    EXPECT_GT(feasible, 0u) << c.network;
    // The caches were exercised: designs reused a group's walk and walks reused mappings.
    EXPECT_GT(cached.stats().trace_hits, 0u) << c.network;
    if (c.opt[Option::kEngine] == 0) {  // the roofline engine never finds a design infeasible
      EXPECT_GT(infeasible, 0u) << c.network;
      EXPECT_GT(cached.stats().map_hits, 0u) << c.network;
    }
    EXPECT_LT(cached.stats().walks, fresh.stats().walks) << c.network;
    EXPECT_EQ(fresh.stats().trace_hits, 0u);
    EXPECT_EQ(cached.stats().plans, 1u) << "the plan is kept across dataflows and batches";
  }
}

TEST(Cache, BatchPathEqualsScalarPath) {
  std::uint32_t seed = 100;
  for (const Case& c : Cases()) {
    const auto net = net::BuiltinNetwork(c.network, {c.image, 0});
    ASSERT_TRUE(net.has_value());
    Evaluator batch(c.opt);
    Evaluator scalar(c.opt);
    for (int d = 0; d <= static_cast<int>(Dataflow::kBest); ++d) {
      const Workload work{&*net, c.mode, c.batch, static_cast<Dataflow>(d)};
      const HwBatch hw = RandomBatch(12, seed++);
      ResultBatch out;
      out.Resize(hw.size);
      batch.Evaluate(work, hw, out);
      for (std::size_t i = 0; i < hw.size; ++i) {
        const PointReport p = scalar.EvaluatePoint(work, hw.Row(i));
        ASSERT_EQ(static_cast<int>(p.status), out.status[i]) << c.network << " df " << d;
        for (std::size_t col = 0; col < kNumResultCols; ++col) {
          ASSERT_TRUE(SameBits(p.totals[col], out.col[col][i]))
              << c.network << " df " << d << " design " << i << " " << ResultCols()[col].name;
        }
      }
    }
  }
}

TEST(Cache, ANewWorkloadAtTheSameAddressRebuildsThePlan) {
  // The plan is keyed by the workload's content, not by the network's address.
  Evaluator ev(ModelOptions::Defaults());
  net::Network n = testing::AlexNetConv();
  const Hardware hw = testing::EyerissV1();
  const Workload work{&n, Mode::kInference, 1, Dataflow::kRS};
  const double before =
      ev.EvaluatePoint(work, hw).totals[static_cast<std::size_t>(ResultCol::kMacs)];
  n.layers.pop_back();  // drop CONV5: 3 x 3 x 192 x 128 x 13 x 13 MACs per group, 2 groups
  const double after =
      ev.EvaluatePoint(work, hw).totals[static_cast<std::size_t>(ResultCol::kMacs)];
  EXPECT_EQ(before - after, 3.0 * 3 * 192 * 128 * 13 * 13 * 2);
  EXPECT_EQ(ev.stats().plans, 2u);
}

// A sweep where no two designs share a mapping (array shape and buffer sizes all differ):
// the mapping cache finds no hits in its first window, stands aside (counted as bypassed) and
// the results stay bitwise those of evaluating without any cache.
TEST(Cache, ColdStreamBypassesTheMappingCache) {
  const auto net = net::BuiltinNetwork("resnet18", {64, 0});
  ASSERT_TRUE(net.has_value());
  const ModelOptions opt = ModelOptions::Defaults();
  Evaluator cached(opt, true);
  Evaluator fresh(opt, false);
  const Workload work{&*net, Mode::kTraining, 2, Dataflow::kWS};
  constexpr std::size_t kDesigns = 100;
  HwBatch hw;
  hw.Resize(kDesigns);
  for (std::size_t i = 0; i < kDesigns; ++i) {
    Hardware h = testing::EyerissV1();
    h[HwParam::kPeRows] = 8 + static_cast<double>(i % 8);
    h[HwParam::kGlbKib] = 100 + static_cast<double>(i);
    h[HwParam::kRfWeightBytes] = 448 + 8 * static_cast<double>(i % 5);
    hw.SetRow(i, h);
  }
  ResultBatch a, b;
  a.Resize(kDesigns);
  b.Resize(kDesigns);
  fresh.Evaluate(work, hw, b);
  const auto same = [&] {
    for (std::size_t i = 0; i < kDesigns; ++i) {
      ASSERT_EQ(a.status[i], b.status[i]) << "design " << i;
      for (std::size_t col = 0; col < kNumResultCols; ++col) {
        ASSERT_TRUE(SameBits(a.col[col][i], b.col[col][i])) << "design " << i << " col " << col;
      }
    }
  };
  // First pass: no design's mapping fields were walked before, so no mapping can be in the
  // cache: every walk maps without it (no key built, nothing stored).
  cached.Evaluate(work, hw, a);
  same();
  const EvaluatorStats first = cached.stats();
  EXPECT_EQ(first.walks, kDesigns);  // every design is its own mapping group
  EXPECT_EQ(first.first_walks, kDesigns);
  EXPECT_EQ(first.map_hits + first.map_misses + first.map_bypassed, 0u);
  // Second pass over the same designs: 100 groups, 64 traces kept (least recently used
  // replaced), so every design walks again, now through the cache. Its entries are keyed by
  // each design's fields, so no lookup hits; a window of lookups without hits turns the cache
  // off for 1 window, the next for 2, then 4, ...: with more than 3 windows of lookups, windows
  // 1 and 3 measure (misses), 2 and 4-5 bypass.
  cached.Evaluate(work, hw, a);
  same();
  const EvaluatorStats& st = cached.stats();
  EXPECT_EQ(st.walks, 2 * kDesigns);
  EXPECT_EQ(st.first_walks, kDesigns);
  const std::uint64_t lookups = st.map_hits + st.map_misses + st.map_bypassed;
  constexpr std::uint64_t w = detail::MapCache::kWindow;
  ASSERT_GT(lookups, 3 * w);
  ASSERT_LE(lookups, 6 * w);
  EXPECT_EQ(st.map_hits, 0u);
  EXPECT_EQ(st.map_bypassed, std::min(lookups - 2 * w, 3 * w));
  EXPECT_EQ(st.map_misses, lookups - st.map_bypassed);
}

// The table is allocated on first use and grows by doubling: an evaluator that is never used
// for a batch (trim-eval's one design) allocates none of it.
TEST(Cache, MappingCacheGrowsOnDemand) {
  detail::MapCache cache(1 << 15);
  EXPECT_EQ(cache.slots(), 0u);
  detail::LoopNest nest;
  ASSERT_EQ(detail::BuildLoopNest(testing::Conv("c", 64, 64, 14, 3, 1, 1, 1), Phase::kFP, 2, &nest),
            Status::kOk);
  const Hardware base = testing::EyerissV1();
  for (int k = 0; k < 300; ++k) {  // 300 distinct keys: 256 slots, then 512, then 1024
    Hardware h = base;
    h[HwParam::kGlbKib] = 100 + k;
    const detail::HwView hv = detail::MakeHwView(h, ModelOptions::Defaults());
    const detail::LayerMap& m = cache.Get(0, nest, Dataflow::kWS, hv, detail::Residency{});
    const detail::LayerMap ref = detail::MapLayer(nest, Dataflow::kWS, hv, detail::Residency{});
    ASSERT_EQ(std::memcmp(&m, &ref, sizeof ref), 0) << k;
  }
  EXPECT_EQ(cache.slots(), 1024u);
  EXPECT_EQ(cache.misses, 300u);
  // The same keys again: all hits, nothing grows.
  for (int k = 0; k < 300; ++k) {
    Hardware h = base;
    h[HwParam::kGlbKib] = 100 + k;
    (void)cache.Get(0, nest, Dataflow::kWS, detail::MakeHwView(h, ModelOptions::Defaults()),
                    detail::Residency{});
  }
  EXPECT_EQ(cache.hits, 300u);
  EXPECT_EQ(cache.slots(), 1024u);
}

}  // namespace
}  // namespace trim::model
