// The buffer tiling search the model uses (SearchTiling: boundaries found in one sweep, the
// least DRAM traffic found before the tile counts are compared, a per-design memo) returns,
// field for field and bit for bit, what the reference search returns (SearchTilingReference:
// every candidate's capacity checked by binary search and its traffic computed, as
// docs/model.md describes the search). Cases: every MAC layer-phase (FP, BP, WG) of every
// built-in network at batch 16, every dataflow, a grid of array shapes, shared and split
// buffers from tiny (nothing fits, so the shrinking search runs and reports its shortfall) to
// large, mixed precisions, the inter-layer residency variants, and the shrinking search called
// on its own.
#include "tiling.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include "fixtures.hpp"
#include "hw_view.hpp"
#include "loop_nest.hpp"
#include "mapping.hpp"
#include "trim/model/evaluate.hpp"
#include "trim/net/zoo.hpp"

namespace trim::model {
namespace {

using detail::Residency;
using detail::TilingResult;

bool Same(double a, double b) {
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

/// Every field, bit for bit (EXPECT_EQ on doubles also passes -0.0 against 0.0).
void ExpectSame(const TilingResult& fast, const TilingResult& ref, const std::string& where) {
  EXPECT_EQ(fast.feasible, ref.feasible) << where;
  EXPECT_EQ(fast.order, ref.order) << where;
  const double f[] = {fast.tile.n,
                      fast.tile.m,
                      fast.tile.c,
                      fast.tile.e,
                      fast.tn,
                      fast.tm,
                      fast.tc,
                      fast.te,
                      fast.dram_rd_w_bits,
                      fast.dram_rd_i_bits,
                      fast.dram_wr_o_bits,
                      fast.dram_psum_bits,
                      fast.glb_peak_bits,
                      fast.need_bits,
                      fast.have_bits};
  const double r[] = {ref.tile.n,
                      ref.tile.m,
                      ref.tile.c,
                      ref.tile.e,
                      ref.tn,
                      ref.tm,
                      ref.tc,
                      ref.te,
                      ref.dram_rd_w_bits,
                      ref.dram_rd_i_bits,
                      ref.dram_wr_o_bits,
                      ref.dram_psum_bits,
                      ref.glb_peak_bits,
                      ref.need_bits,
                      ref.have_bits};
  for (std::size_t i = 0; i < std::size(f); ++i) {
    EXPECT_EQ(f[i], r[i]) << where << " field " << i;
    EXPECT_TRUE(Same(f[i], r[i])) << where << " field " << i;
  }
}

struct Design {
  double rows, cols, glb_kib, glb_w_kib, glb_i_kib, glb_o_kib, bits_w, bits_psum;
};

// Array shapes from 4x4 to 32x16 with one and several MACs per PE; buffers from 2 KiB (most
// layers only fit shrunk, some not at all) to 4 MiB (most layers fit whole); split buffers,
// one with a small weight partition; 8-bit weights and 32-bit partial sums.
const Design kDesigns[] = {
    {12, 14, 108, 0, 0, 0, 16, 16},   {4, 4, 2, 0, 0, 0, 16, 16},
    {16, 16, 16, 0, 0, 0, 8, 32},     {32, 16, 512, 0, 0, 0, 16, 32},
    {8, 8, 4096, 0, 0, 0, 16, 16},    {14, 12, 64, 16, 24, 24, 16, 16},
    {12, 14, 256, 2, 200, 54, 8, 32}, {24, 6, 40, 0, 0, 0, 16, 16},
};

Hardware HardwareOf(const Design& d, double macs) {
  Hardware h = testing::EyerissV1();
  h[HwParam::kPeRows] = d.rows;
  h[HwParam::kPeCols] = d.cols;
  h[HwParam::kMacsPerPe] = macs;
  h[HwParam::kGlbKib] = d.glb_kib;
  h[HwParam::kGlbWeightKib] = d.glb_w_kib;
  h[HwParam::kGlbInputKib] = d.glb_i_kib;
  h[HwParam::kGlbOutputKib] = d.glb_o_kib;
  h[HwParam::kBitsWeight] = d.bits_w;
  h[HwParam::kBitsPsum] = d.bits_psum;
  h[HwParam::kRfWeightBytes] = 512;
  h[HwParam::kRfInputBytes] = 64;
  h[HwParam::kRfPsumBytes] = 64;
  return h;
}

/// The residencies the network walk hands to the search: none, inputs or weights on chip,
/// the output kept, and whole tensors held besides the tiles (a share of the buffer).
std::vector<Residency> Residencies(const detail::HwView& hv) {
  std::vector<Residency> out(6);
  out[1].input_on_chip = true;
  out[2].weight_on_chip = true;
  out[2].keep_output = true;
  out[3].resident_in_bits = hv.glb_bits / 4;
  out[4].resident_out_bits = hv.glb_bits / 3;
  out[4].keep_output = true;
  out[5].input_on_chip = true;
  out[5].weight_on_chip = true;
  out[5].resident_in_bits = hv.glb_bits / 8;
  return out;
}

TEST(Tiling, FastSearchEqualsTheReferenceEverywhere) {
  const ModelOptions opt = ModelOptions::Defaults();
  long searches = 0, feasible = 0, shrunk = 0, infeasible = 0;
  int design_turn = 0;
  for (std::string_view name : net::BuiltinNetworkNames()) {
    const auto net = net::BuiltinNetwork(name);
    ASSERT_TRUE(net.has_value()) << name;
    for (std::size_t l = 0; l < net->layers.size(); ++l) {
      for (int p = 0; p < 3; ++p) {  // FP, BP, WG: the MAC phases
        detail::PhaseNests pn;
        if (detail::BuildPhaseNests(net->layers[l], static_cast<int>(l), static_cast<Phase>(p), 16,
                                    detail::NestOptions{}, ~0u, &pn) != Status::kOk) {
          continue;
        }
        for (int k = 0; k < pn.count; ++k) {
          const detail::LoopNest& nest = pn.part[static_cast<std::size_t>(k)];
          if (!nest.is_mac) continue;
          for (int df = 0; df < kNumDataflows - 1; ++df) {
            // Three designs per layer-phase and dataflow, taking turns through the grid.
            for (int t = 0; t < 3; ++t) {
              const Design& d = kDesigns[(design_turn++) % std::size(kDesigns)];
              const detail::HwView hv = detail::MakeHwView(HardwareOf(d, 1 + t % 2), opt);
              const detail::RoleBits bits = detail::ResolveBits(nest, hv);
              detail::MapParams mp;
              if (detail::PrepareMapping(nest, static_cast<Dataflow>(df), hv, bits, &mp) !=
                  Status::kOk) {
                continue;
              }
              for (const Residency& res : Residencies(hv)) {
                for (bool shrink : {false, true}) {
                  const std::string where = std::string(name) + " layer " + std::to_string(l) +
                                            " phase " + std::to_string(p) + " part " +
                                            std::to_string(k) + " dataflow " + std::to_string(df) +
                                            " shrink " + std::to_string(shrink);
                  const TilingResult ref =
                      detail::SearchTilingReference(nest, hv, bits, mp, res, shrink);
                  ExpectSame(detail::SearchTiling(nest, hv, bits, mp, res, shrink), ref, where);
                  ++searches;
                  if (ref.feasible) {
                    ++(shrink ? shrunk : feasible);
                  } else if (shrink) {
                    ++infeasible;
                  }
                  if (::testing::Test::HasFailure()) return;
                }
              }
            }
          }
        }
      }
    }
  }
  // The grid reaches every outcome: regular tiles, shrunk tiles, and layers that fit in no way.
  // (244,080 searches: 117,534 regular, 119,434 shrunk, 2,606 that fit in no way.)
  EXPECT_GT(searches, 200000);
  EXPECT_GT(feasible, 100000);
  EXPECT_GT(shrunk, 100000);
  EXPECT_GT(infeasible, 1000);
}

// Whole networks: a cold batch (every design its own array shape, buffer and register files,
// no mapping cache) evaluated with the model's search and memos and with the reference search
// and no memos gives the same bits in every result column, for every dataflow and `best`,
// with the default options and with double buffering.
TEST(Tiling, WholeNetworksEqualTheReference) {
  struct Net {
    const char* name;
    std::int64_t image;
  };
  const Net nets[] = {{"resnet50", 0}, {"mobilenet-v2", 64}, {"bert-base", 0}};
  // Default options, and double buffering (tiles for half the buffer, the schedule picked by
  // its cost) with the latency criterion.
  ModelOptions double_buffer = ModelOptions::Defaults();
  double_buffer[Option::kOverlap] = 2;
  double_buffer[Option::kSelect] = 2;
  std::size_t feasible = 0, points = 0;
  for (const ModelOptions& opt : {ModelOptions::Defaults(), double_buffer}) {
    for (const Net& n : nets) {
      const auto net = net::BuiltinNetwork(n.name, {n.image, 0});
      ASSERT_TRUE(net.has_value()) << n.name;
      for (int d = 0; d <= static_cast<int>(Dataflow::kBest); ++d) {
        const Workload work{&*net, Mode::kTraining, 16, static_cast<Dataflow>(d)};
        HwBatch hw;
        hw.Resize(std::size(kDesigns));
        for (std::size_t i = 0; i < std::size(kDesigns); ++i) {
          hw.SetRow(i, HardwareOf(kDesigns[i], 1 + static_cast<double>(i % 2)));
        }
        ResultBatch fast, ref;
        fast.Resize(hw.size);
        ref.Resize(hw.size);
        Evaluator(opt, false).Evaluate(work, hw, fast);
        detail::UseReferenceTiling(true);
        Evaluator(opt, false).Evaluate(work, hw, ref);
        detail::UseReferenceTiling(false);
        for (std::size_t i = 0; i < hw.size; ++i) {
          ASSERT_EQ(fast.status[i], ref.status[i]) << n.name << " df " << d << " design " << i;
          feasible += fast.status[i] == 0 ? 1 : 0;
          ++points;
          for (std::size_t col = 0; col < kNumResultCols; ++col) {
            ASSERT_TRUE(Same(fast.col[col][i], ref.col[col][i]))
                << n.name << " df " << d << " design " << i << " column " << ResultCols()[col].name
                << ": " << fast.col[col][i] << " vs " << ref.col[col][i];
          }
        }
      }
    }
  }
  EXPECT_GT(feasible, points / 2);
}

}  // namespace
}  // namespace trim::model
