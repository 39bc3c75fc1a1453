#include "trim/space/design_space.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "trim/net/zoo.hpp"

namespace trim::space {
namespace {

using model::HwParam;

config::JobSpec SmallJob() {
  config::JobSpec job;
  job.path = "mem.toml";
  job.base = model::Hardware::Defaults();
  job.hw_axes.push_back({HwParam::kPeRows, {8, 12, 16}, {"mem.toml", 3, 1}});
  job.hw_axes.push_back({HwParam::kGlbKib, {64, 128}, {"mem.toml", 4, 1}});
  job.precisions = {{"template", 0, 0, 0, 0, 0}, {"int8", 8, 8, 32, 8, 32}};
  job.batches = {1, 4};
  job.dataflows = {Dataflow::kWS, Dataflow::kRS, Dataflow::kBest};
  job.modes = {Mode::kInference};
  job.networks.push_back({"alexnet", *net::BuiltinNetwork("alexnet")});
  job.networks.push_back({"alexnet-b", *net::BuiltinNetwork("alexnet")});
  return job;
}

TEST(DesignSpace, SizeIsProductOfAxes) {
  const auto job = SmallJob();
  const DesignSpace s(job);
  // 3 pe_rows x 2 glb_kib x 2 precisions x 2 batches x 3 dataflows x 1 mode x 2 networks.
  EXPECT_EQ(s.size(), 3u * 2 * 2 * 2 * 3 * 1 * 2);
  EXPECT_EQ(s.block_size(), 6u);
  EXPECT_EQ(s.num_blocks(), 24u);
  ASSERT_EQ(s.axes().size(), 7u);
  EXPECT_EQ(s.axes()[0].name, "pe_rows");
  EXPECT_EQ(s.axes()[6].name, "network");
}

TEST(DesignSpace, HardwareAxesAreFastest) {
  const auto job = SmallJob();
  const DesignSpace s(job);
  // Index 1: pe_rows digit 1, everything else 0. Index 3: pe_rows 0, glb_kib 1.
  EXPECT_EQ(s.Decode(1), (std::vector<std::uint32_t>{1, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(s.Decode(3), (std::vector<std::uint32_t>{0, 1, 0, 0, 0, 0, 0}));
  // Index 6 starts block 1: precision digit 1.
  EXPECT_EQ(s.Decode(6), (std::vector<std::uint32_t>{0, 0, 1, 0, 0, 0, 0}));
  EXPECT_EQ(s.Decode(s.size() - 1), (std::vector<std::uint32_t>{2, 1, 1, 1, 2, 0, 1}));
}

TEST(DesignSpace, EncodeInvertsDecodeEverywhere) {
  const auto job = SmallJob();
  const DesignSpace s(job);
  for (Index i = 0; i < s.size(); ++i) ASSERT_EQ(s.Encode(s.Decode(i)), i);
}

TEST(DesignSpace, WorkloadAndHardwareFollowTheDigits) {
  const auto job = SmallJob();
  const DesignSpace s(job);
  // digits {2,1,1,1,2,0,1}: pe_rows 16, glb 128, int8, batch 4, best, inference, network 1.
  const Index i = s.Encode({2, 1, 1, 1, 2, 0, 1});
  const auto w = s.WorkloadOf(i / s.block_size());
  EXPECT_EQ(w.batch, 4);
  EXPECT_EQ(w.dataflow, Dataflow::kBest);
  EXPECT_EQ(w.mode, Mode::kInference);
  EXPECT_EQ(w.network, &job.networks[1].network);
  const auto hw = s.HardwareAt(i);
  EXPECT_EQ(hw[HwParam::kPeRows], 16);
  EXPECT_EQ(hw[HwParam::kGlbKib], 128);
  EXPECT_EQ(hw[HwParam::kBitsWeight], 8);
  EXPECT_EQ(hw[HwParam::kBitsPsum], 32);
  EXPECT_EQ(hw[HwParam::kPeCols], job.base[HwParam::kPeCols]);
  // "template" precision keeps the template's bits.
  EXPECT_EQ(s.HardwareAt(0)[HwParam::kBitsWeight], job.base[HwParam::kBitsWeight]);
}

TEST(DesignSpace, FillBatchMatchesHardwareAt) {
  const auto job = SmallJob();
  const DesignSpace s(job);
  model::HwBatch hw;
  for (Index b = 0; b < s.num_blocks(); ++b) {
    const IndexRange r{b * s.block_size() + 1, (b + 1) * s.block_size()};
    s.FillBatch(r, hw);
    ASSERT_EQ(hw.size, r.size());
    for (Index k = 0; k < r.size(); ++k) {
      const auto expect = s.HardwareAt(r.begin + k);
      for (std::size_t p = 0; p < model::kNumHwParams; ++p) {
        ASSERT_EQ(hw.col[p][k], expect.v[p]) << "param " << p << " row " << r.begin + k;
      }
    }
  }
}

TEST(DesignSpace, AxisColumnValues) {
  const auto job = SmallJob();
  const DesignSpace s(job);
  const Index i = s.Encode({1, 0, 1, 1, 2, 0, 1});
  EXPECT_EQ(s.AxisColumnValue(0, i), 12.0);  // numeric axes store values
  EXPECT_EQ(s.AxisColumnValue(1, i), 64.0);
  EXPECT_EQ(s.AxisColumnValue(2, i), 1.0);  // categorical axes store codes
  EXPECT_EQ(s.AxisColumnValue(3, i), 4.0);  // batch is numeric
  EXPECT_EQ(s.AxisColumnValue(4, i), 2.0);
  EXPECT_EQ(s.AxisColumnValue(6, i), 1.0);
}

TEST(DesignSpace, OverflowIsAConfigErrorAtTheFirstAxis) {
  auto job = SmallJob();
  // 7 axes of 2^10 values: six give 2^60 points, which fits; the seventh (param 6,
  // rf_psum_bytes) would give 2^70 > 2^62.
  job.hw_axes.clear();
  std::vector<double> many(1024);
  for (int k = 0; k < 1024; ++k) many[k] = k + 1;
  for (int a = 0; a < 7; ++a) {
    job.hw_axes.push_back({static_cast<HwParam>(a == 3 ? 4 : a), many, {"mem.toml", 10 + a, 5}});
  }
  try {
    const DesignSpace s(job);
    FAIL() << "expected an overflow error, got " << s.size() << " points";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "mem.toml:10:5: error: the design space has more than 2^62 points (overflow at "
              "axis 'rf_psum_bytes')\n  hint: shrink the sweep: fewer values per axis, or "
              "split it into several jobs");
  }
}

// pe_rows and pe_cols linked (square arrays: 8x8, 12x12, 16x16), glb_kib between them and
// free; pe_cols is the last hardware axis, so the block ends on a linked axis.
config::JobSpec LinkedJob() {
  auto job = SmallJob();
  job.hw_axes.push_back({HwParam::kPeCols, {8, 12, 16}, {"mem.toml", 5, 1}, 0});
  return job;
}

TEST(DesignSpace, LinkedAxesShareOneDigit) {
  const auto job = LinkedJob();
  const DesignSpace s(job);
  // The group counts once: 3 (pe_rows = pe_cols) x 2 glb_kib per block, not 3 x 2 x 3.
  EXPECT_EQ(s.block_size(), 6u);
  EXPECT_EQ(s.size(), 6u * 2 * 2 * 3 * 1 * 2);
  ASSERT_EQ(s.axes().size(), 8u);
  EXPECT_EQ(s.axes()[2].name, "pe_cols");
  EXPECT_EQ(s.axes()[2].leader, 0u);
  EXPECT_EQ(s.axes()[1].leader, 1u);
  // Index 4: pe_rows digit 1 (index 4 = 1 + 3 x 1), glb_kib digit 1; pe_cols repeats digit 1.
  EXPECT_EQ(s.Decode(4), (std::vector<std::uint32_t>{1, 1, 1, 0, 0, 0, 0, 0}));
  EXPECT_EQ(s.Decode(6), (std::vector<std::uint32_t>{0, 0, 0, 1, 0, 0, 0, 0}));
  for (Index i = 0; i < s.size(); ++i) {
    const auto d = s.Decode(i);
    ASSERT_EQ(d[2], d[0]);
    ASSERT_EQ(s.Encode(d), i);
    const auto hw = s.HardwareAt(i);
    ASSERT_EQ(hw[HwParam::kPeCols], hw[HwParam::kPeRows]) << i;
    ASSERT_EQ(s.AxisColumnValue(2, i), hw[HwParam::kPeCols]);
    ASSERT_EQ(s.AxisColumnValue(0, i), hw[HwParam::kPeRows]);
    ASSERT_EQ(s.AxisColumnValue(1, i), hw[HwParam::kGlbKib]);
  }
  // Every (square size, glb) pair appears exactly once per block.
  std::set<std::pair<double, double>> seen;
  for (Index i = 0; i < s.block_size(); ++i) {
    const auto hw = s.HardwareAt(i);
    seen.insert({hw[HwParam::kPeRows], hw[HwParam::kGlbKib]});
  }
  EXPECT_EQ(seen.size(), 6u);
}

TEST(DesignSpace, LinkedFillBatchMatchesHardwareAt) {
  auto job = LinkedJob();
  // Zipped, not equal: the i-th rf_psum_bytes goes with the i-th glb_kib.
  job.hw_axes.push_back({HwParam::kRfPsumBytes, {16, 32}, {"mem.toml", 6, 1}, 1});
  const DesignSpace s(job);
  EXPECT_EQ(s.block_size(), 6u);
  model::HwBatch hw;
  for (Index b = 0; b < s.num_blocks(); ++b) {
    const IndexRange r{b * s.block_size() + 1, (b + 1) * s.block_size()};
    s.FillBatch(r, hw);
    for (Index k = 0; k < r.size(); ++k) {
      const auto expect = s.HardwareAt(r.begin + k);
      for (std::size_t p = 0; p < model::kNumHwParams; ++p) {
        ASSERT_EQ(hw.col[p][k], expect.v[p]) << "param " << p << " row " << r.begin + k;
      }
      ASSERT_EQ(expect[HwParam::kRfPsumBytes], expect[HwParam::kGlbKib] == 64 ? 16 : 32);
    }
  }
}

TEST(DesignSpace, LinkToALaterOrShorterAxisIsRejected) {
  auto job = SmallJob();
  job.hw_axes.push_back({HwParam::kPeCols, {8, 12}, {"mem.toml", 5, 1}, 0});  // 2 vs 3 values
  EXPECT_THROW(DesignSpace{job}, ConfigError);
}

TEST(DesignSpace, NoHardwareAxesMeansBlocksOfOne) {
  auto job = SmallJob();
  job.hw_axes.clear();
  const DesignSpace s(job);
  EXPECT_EQ(s.block_size(), 1u);
  EXPECT_EQ(s.size(), 2u * 2 * 3 * 2);
  EXPECT_EQ(s.HardwareAt(0)[HwParam::kPeRows], job.base[HwParam::kPeRows]);
}

}  // namespace
}  // namespace trim::space
