#include "trim/sched/chunking.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace trim::sched {
namespace {

constexpr double kCold = 1e-3;  // s per ResNet-50 training point that maps anew (~9 M instructions)
constexpr double kWarm = 2e-5;  // s per point sharing its mapping (508 x ~40 ns)

std::uint64_t Tasks(std::uint64_t points, std::uint64_t block, std::uint64_t chunk) {
  return points / block * ((block + chunk - 1) / chunk);
}

TEST(AutoChunk, WithoutMeasuredCost) {
  // 1e6 points on 2 ranks: 1e6 / (16 x 2) + 1 = 31,251 points per task.
  EXPECT_EQ(AutoChunk(1000000, 1000000, 2, 0), 31251u);
  // Small runs get the 512-point floor, but never more than a block.
  EXPECT_EQ(AutoChunk(1000, 1000, 3, 0), 512u);
  EXPECT_EQ(AutoChunk(1000, 100, 3, 0), 100u);
  // Huge runs are capped by the buffer bound.
  EXPECT_EQ(AutoChunk(1ull << 40, 1ull << 40, 4, 0), ChunkRule{}.max_chunk);
}

TEST(AutoChunk, LeastChunkByHand) {
  // Rank 0 at most 25% busy: C >= W x 20 us / (0.25 x point_s).
  // Cold, 1,000 ranks: 999 x 20e-6 / (0.25 x 1e-3) = 79.92 -> 80 (5 ms / 1 ms = 5 is smaller).
  EXPECT_EQ(MinChunk(1000, kCold), 80u);
  // Cold, 10,000 ranks: 9,999 x 20e-6 / 2.5e-4 = 799.92 -> 800.
  EXPECT_EQ(MinChunk(10000, kCold), 800u);
  // Warm, 1,000 ranks: 999 x 20e-6 / (0.25 x 2e-5) = 3,996.
  EXPECT_EQ(MinChunk(1000, kWarm), 3996u);
  // Warm, 10,000 ranks: 9,999 x 20e-6 / 5e-6 = 39,996.
  EXPECT_EQ(MinChunk(10000, kWarm), 39996u);
  // 2 ranks, warm: rank 0's bound is 4 points; the 5 ms floor wins: 5e-3 / 2e-5 = 250.
  EXPECT_EQ(MinChunk(2, kWarm), 250u);
}

TEST(AutoChunk, ColdMillionOnAThousandRanks) {
  // 1e6 / 16,000 + 1 = 63 < 80: the rank-0 bound sets 80 points, 12,500 tasks (12.5 per rank)
  // where the rule without a measured cost gave 1,954 tasks (512 points: most ranks idle).
  const std::uint64_t c = AutoChunk(1000000, 1000000, 1000, kCold);
  EXPECT_EQ(c, 80u);
  EXPECT_EQ(Tasks(1000000, 1000000, c), 12500u);
}

// The table: cold and warm jobs at 1,000 and 10,000 ranks, from 1e6 to 1e10 points, in one
// block or in 5 blocks (5 dataflows). Every rank gets at least 4 tasks whenever the job has
// enough points (4 x ranks x the least chunk); rank 0 always stays at most 25% busy unless
// a block or the buffer bound caps the task.
TEST(AutoChunk, TableAtScale) {
  const ChunkRule rule;
  for (const int ranks : {1000, 10000}) {
    for (const double point_s : {kCold, kWarm}) {
      for (std::uint64_t points = 1000000; points <= 10000000000ull; points *= 10) {
        for (const std::uint64_t blocks : {1ull, 5ull}) {
          const std::uint64_t block = points / blocks;
          const std::uint64_t c = AutoChunk(points, block, ranks, point_s);
          const std::uint64_t tasks = Tasks(points, block, c);
          const std::uint64_t least = MinChunk(ranks, point_s);
          SCOPED_TRACE(::testing::Message()
                       << ranks << " ranks, " << point_s << " s/point, " << points << " points in "
                       << blocks << " blocks: chunk " << c << ", " << tasks << " tasks");
          const bool enough = points >= 4 * static_cast<std::uint64_t>(ranks) * least;
          if (enough) {
            EXPECT_GE(tasks, 4u * static_cast<std::uint64_t>(ranks));
          }
          const double busy = (ranks - 1) * rule.request_s / (static_cast<double>(c) * point_s);
          if (c < block && c < rule.max_chunk) {
            EXPECT_LE(busy, rule.master_share);
          }
          // The balanced size when the rank-0 bound allows it: about 16 tasks per rank (one
          // point more per task than points / (16 x ranks) loses up to 16 ranks x 16 / chunk).
          if (least <= points / (16 * static_cast<std::uint64_t>(ranks)) && c < rule.max_chunk) {
            EXPECT_GE(tasks, 15u * static_cast<std::uint64_t>(ranks));
          }
        }
      }
    }
  }
}

TEST(AutoChunk, EnoughPointsThresholds) {
  // The smallest jobs that give every rank 4 tasks, straight from the least chunk:
  // cold 1,000 ranks 320,000 points; cold 10,000 ranks 32 M; warm 1,000 ranks 16 M;
  // warm 10,000 ranks 1.6 G.
  EXPECT_EQ(4ull * 1000 * MinChunk(1000, kCold), 320000u);
  EXPECT_EQ(4ull * 10000 * MinChunk(10000, kCold), 32000000u);
  EXPECT_GE(Tasks(320000, 320000, AutoChunk(320000, 320000, 1000, kCold)), 4000u);
  EXPECT_GE(Tasks(32000000, 32000000, AutoChunk(32000000, 32000000, 10000, kCold)), 40000u);
  EXPECT_GE(Tasks(15984000, 15984000, AutoChunk(15984000, 15984000, 1000, kWarm)), 4000u);
}

}  // namespace
}  // namespace trim::sched
