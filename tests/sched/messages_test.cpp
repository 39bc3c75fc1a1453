#include "trim/sched/messages.hpp"

#include <gtest/gtest.h>

#include "layout.hpp"
#include "trim/sched/runner.hpp"

namespace trim::sched {
namespace {

TEST(Messages, RequestRoundTrip) {
  WorkRequest m{123456789012ull, true};
  const WorkRequest back = DecodeRequest(Encode(m));
  EXPECT_EQ(back.points_done, m.points_done);
  EXPECT_TRUE(back.stopping);
}

TEST(Messages, AssignRoundTrip) {
  WorkAssign m;
  m.ranges = {{0, 10}, {1ull << 40, (1ull << 40) + 7}};
  const WorkAssign back = DecodeAssign(Encode(m));
  EXPECT_EQ(back.ranges, m.ranges);
  EXPECT_FALSE(back.stop);
  WorkAssign stop;
  stop.stop = true;
  EXPECT_TRUE(DecodeAssign(Encode(stop)).stop);
  EXPECT_TRUE(DecodeAssign(Encode(stop)).ranges.empty());
}

TEST(Messages, BundleRoundTripKeepsBytesExactly) {
  JobBundle b;
  b.job_path = "jobs/x.toml";
  b.files = {{"jobs/x.toml", std::string("a = 1\n\0b", 8)}, {"configs/hw.toml", "ü = \"0.8\""}};
  const JobBundle back = DecodeBundle(Encode(b));
  EXPECT_EQ(back.job_path, b.job_path);
  EXPECT_EQ(back.files, b.files);
  EXPECT_TRUE(back.error.empty());
}

TEST(MergeBest, KeepsTopPerNetworkWithIndexTieBreak) {
  // Network 0 values 5,3,3,9 at indices 10,7,2,1; network 1 values 1,2.
  const std::vector<BestEntry> all = {{0, 10, 5}, {0, 7, 3}, {1, 4, 2}, {0, 2, 3},
                                      {0, 1, 9},  {1, 3, 1}, {0, 7, 3}};
  const auto best = MergeBest(all, /*maximize=*/false, 2);
  ASSERT_EQ(best.size(), 4u);
  // Ties on value 3 go to the lower index; the duplicate of index 7 is dropped.
  EXPECT_EQ(best[0].index, 2u);
  EXPECT_EQ(best[1].index, 7u);
  EXPECT_EQ(best[2].index, 3u);
  EXPECT_EQ(best[3].index, 4u);
  const auto most = MergeBest(all, /*maximize=*/true, 1);
  ASSERT_EQ(most.size(), 2u);
  EXPECT_EQ(most[0].index, 1u);
  EXPECT_EQ(most[1].index, 4u);
}

TEST(MergeBest, OrderOfInputDoesNotMatter) {
  std::vector<BestEntry> all;
  for (int i = 0; i < 50; ++i)
    all.push_back(
        {static_cast<std::uint32_t>(i % 3), static_cast<Index>(i), static_cast<double>(i % 7)});
  std::vector<BestEntry> rev(all.rbegin(), all.rend());
  const auto a = MergeBest(all, false, 4);
  const auto b = MergeBest(rev, false, 4);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].index, b[i].index);
}

}  // namespace
}  // namespace trim::sched
