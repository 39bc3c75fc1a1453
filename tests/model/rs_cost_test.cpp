// The row-stationary cost stage (docs/model.md, "RS mapping search"): CostLayer compares a
// record's candidate mappings by their criterion alone, skips those whose lower bound already
// reaches the best value so far, and costs only the winner in full. It must return, bit for
// bit, what the straightforward way returns: every candidate costed in full as a record of its
// own, the strictly least criterion kept, ties to the record's own mapping.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "eyeriss.hpp"
#include "layer_cost.hpp"
#include "network.hpp"
#include "trim/net/zoo.hpp"

namespace trim::model {
namespace {

/// The record with the counts of candidate `p` in place of its own and no candidates.
detail::LayerMap Alone(const detail::LayerMap& map, const detail::MapPoint& p) {
  detail::LayerMap m = map;
  m.n_alt = 0;
  m.timing = p.timing;
  m.rs_p = p.rs_p;
  m.rs_q = p.rs_q;
  m.compute_cycles = p.compute_cycles;
  m.active_pes = p.active_pes;
  m.array_words = p.array_words;
  m.glb_words = p.glb_words;
  m.dram_bits = p.dram_bits;
  m.noc_transfers = p.noc_transfers;
  m.rf_accesses = p.rf_accesses;
  m.rf_bits = p.rf_bits;
  m.noc_bits = p.noc_bits;
  m.glb_onchip_bits = p.glb_onchip_bits;
  m.rf_w_bits = p.rf_w_bits;
  m.rf_i_bits = p.rf_i_bits;
  m.rf_p_bits = p.rf_p_bits;
  m.glb_peak_bytes = p.glb_peak_bytes;
  m.bus_w_bits = p.bus_w_bits;
  m.bus_i_bits = p.bus_i_bits;
  m.bus_o_bits = p.bus_o_bits;
  m.stall_w_bits = p.stall_w_bits;
  m.stall_i_bits = p.stall_i_bits;
  m.stall_o_bits = p.stall_o_bits;
  m.exposed_bits = p.exposed_bits;
  return m;
}

/// Every candidate costed in full; `*winner` is -1 when the record's own mapping is kept.
detail::LayerCost Straightforward(const detail::LayerMap& map, const detail::HwView& hw,
                                  double spill_bits, int* winner) {
  detail::LayerMap own = map;
  own.n_alt = 0;
  detail::LayerCost best = detail::CostLayer(own, hw, spill_bits, 0);
  *winner = -1;
  if (best.status != Status::kOk) return best;
  const auto sel = static_cast<detail::Select>(hw.select);
  double best_value = detail::Criterion(best, sel);
  for (int i = 0; i < map.n_alt; ++i) {
    const auto lc =
        detail::CostLayer(Alone(map, map.alt[static_cast<std::size_t>(i)]), hw, spill_bits, 0);
    if (lc.status != Status::kOk) continue;
    const double v = detail::Criterion(lc, sel);
    if (v < best_value) {
      best = lc;
      best_value = v;
      *winner = i;
    }
  }
  return best;
}

std::uint64_t Bits(double v) { return std::bit_cast<std::uint64_t>(v); }

void ExpectSameBits(const detail::LayerCost& a, const detail::LayerCost& b,
                    const std::string& where) {
  EXPECT_EQ(a.status, b.status) << where;
  EXPECT_EQ(a.dataflow, b.dataflow) << where;
  EXPECT_EQ(a.output_kept, b.output_kept) << where;
  EXPECT_EQ(a.fell_back, b.fell_back) << where;
  const std::array<std::pair<const char*, std::array<double, 2>>, 25> fields = {{
      {"macs", {a.macs, b.macs}},
      {"ops", {a.ops, b.ops}},
      {"compute_cycles", {a.compute_cycles, b.compute_cycles}},
      {"glb_cycles", {a.glb_cycles, b.glb_cycles}},
      {"noc_cycles", {a.noc_cycles, b.noc_cycles}},
      {"dram_cycles", {a.dram_cycles, b.dram_cycles}},
      {"bus_cycles", {a.bus_cycles, b.bus_cycles}},
      {"cycles", {a.cycles, b.cycles}},
      {"latency_s", {a.latency_s, b.latency_s}},
      {"e_mac_pj", {a.e_mac_pj, b.e_mac_pj}},
      {"e_rf_pj", {a.e_rf_pj, b.e_rf_pj}},
      {"e_noc_pj", {a.e_noc_pj, b.e_noc_pj}},
      {"e_glb_pj", {a.e_glb_pj, b.e_glb_pj}},
      {"e_dram_pj", {a.e_dram_pj, b.e_dram_pj}},
      {"e_leak_pj", {a.e_leak_pj, b.e_leak_pj}},
      {"energy_pj", {a.energy_pj, b.energy_pj}},
      {"dram_bytes", {a.dram_bytes, b.dram_bytes}},
      {"glb_accesses", {a.glb_accesses, b.glb_accesses}},
      {"rf_accesses", {a.rf_accesses, b.rf_accesses}},
      {"noc_transfers", {a.noc_transfers, b.noc_transfers}},
      {"active_pes", {a.active_pes, b.active_pes}},
      {"utilization", {a.utilization, b.utilization}},
      {"glb_peak_bytes", {a.glb_peak_bytes, b.glb_peak_bytes}},
      {"rs_p", {a.rs_p, b.rs_p}},
      {"rs_q", {a.rs_q, b.rs_q}},
  }};
  for (const auto& [name, v] : fields) {
    EXPECT_EQ(Bits(v[0]), Bits(v[1])) << where << " " << name << ": " << v[0] << " vs " << v[1];
  }
}

TEST(RsCost, CandidatesComparedByCriterionMatchCostingEachInFull) {
  // Designs chosen so that each criterion is sometimes won by a candidate and sometimes by the
  // record's own mapping: the Eyeriss v1 table energies (the three networks modelled), a
  // slow link (DRAM-bound layers, where a candidate's smaller traffic wins latency), expensive
  // DRAM with leakage, no networks modelled (the latency bound is the compute cycles alone),
  // and the physical energy model; each under the three DRAM timings. Per design the mapping
  // walk runs once; each record is then costed under the four criteria, and once more with a
  // zero NoC bandwidth (every mapping then fails: the record's own status is returned).
  std::vector<std::pair<std::string, Hardware>> designs;
  designs.emplace_back("eyeriss-v1", testing::EyerissV1());
  Hardware slow = testing::EyerissV1();
  slow[HwParam::kDramGbps] = 0.05;
  designs.emplace_back("slow link", slow);
  Hardware dram = testing::EyerissV1();
  dram[HwParam::kEnergyDramPj] = 2000;
  dram[HwParam::kLeakageMw] = 50;
  designs.emplace_back("costly dram, leakage", dram);
  Hardware bare = testing::EyerissV1();
  bare[HwParam::kBusWeightBits] = 0;
  bare[HwParam::kBusInputBits] = 0;
  bare[HwParam::kBusOutputBits] = 0;
  designs.emplace_back("no networks", bare);
  designs.emplace_back("physical", testing::EyerissV1Physical());

  std::array<int, 4> won{}, kept{};
  int records = 0, several = 0;
  for (std::string_view name : {"resnet18", "mobilenet-v2"}) {
    const auto net = net::BuiltinNetwork(name);
    ASSERT_TRUE(net.has_value()) << name;
    for (Mode mode : {Mode::kInference, Mode::kTraining}) {
      for (const auto& [label, hw] : designs) {
        for (std::uint8_t overlap = 0; overlap < 3; ++overlap) {
          ModelOptions opt = ModelOptions::Defaults();
          opt[Option::kOverlap] = overlap;
          const Workload work{&*net, mode, 4, Dataflow::kRS};
          Evaluator::Plan plan;
          detail::BuildPlan(work, opt, &plan);
          const detail::HwView view = detail::MakeHwView(hw, opt);
          detail::Trace trace;
          ASSERT_EQ(detail::WalkNetwork(plan, work, opt, view, nullptr, &trace), Status::kOk)
              << name << " " << label;
          for (std::size_t k = 0; k < trace.parts.size(); ++k) {
            const detail::TracePart& part = trace.parts[k];
            if (part.map.n_alt == 0) continue;
            ++records;
            several += part.map.n_alt > 1 ? 1 : 0;
            const std::string where =
                std::string(name) + " mode " + std::to_string(static_cast<int>(mode)) + " " +
                label + " overlap " + std::to_string(overlap) + " part " + std::to_string(k);
            for (std::uint8_t sel = 0; sel < 4; ++sel) {
              detail::HwView v = view;
              v.select = sel;
              int winner = -1;
              const auto want = Straightforward(part.map, v, part.spill_bits, &winner);
              const auto got = detail::CostLayer(part.map, v, part.spill_bits, 0);
              ExpectSameBits(got, want, where + " select " + std::to_string(sel));
              ++(winner >= 0 ? won : kept)[sel];
            }
            detail::HwView zero = view;
            zero.noc_words_per_cycle = 0;
            int winner = -1;
            ExpectSameBits(detail::CostLayer(part.map, zero, part.spill_bits, 0),
                           Straightforward(part.map, zero, part.spill_bits, &winner),
                           where + " zero NoC bandwidth");
            EXPECT_EQ(winner, -1);
          }
        }
      }
    }
  }
  // The comparison is not vacuous: records with several candidates, and under every criterion
  // both outcomes.
  EXPECT_GT(records, 0);
  EXPECT_GT(several, 0);
  for (int s = 0; s < 4; ++s) {
    EXPECT_GT(won[static_cast<std::size_t>(s)], 0) << "select " << s;
    EXPECT_GT(kept[static_cast<std::size_t>(s)], 0) << "select " << s;
  }
}

}  // namespace
}  // namespace trim::model

namespace trim::model {
namespace {

// The cost stage sums each part's cost without building the whole LayerCost (AddCost). Its
// sums must equal, bit for bit, those of adding CostLayer's fields part by part, for every
// dataflow (RS records with candidates included), DRAM timing and engine, on designs whose
// walks fall back, spill and keep tensors.
TEST(CostSum, AddCostEqualsSummingCostLayer) {
  std::vector<std::pair<std::string, Hardware>> designs;
  designs.emplace_back("eyeriss-v1", testing::EyerissV1());
  Hardware small = testing::EyerissV1();
  small[HwParam::kGlbKib] = 24;  // fallbacks and spills
  designs.emplace_back("small buffer", small);
  Hardware slow = testing::EyerissV1();
  slow[HwParam::kDramGbps] = 0.05;
  slow[HwParam::kLeakageMw] = 50;
  designs.emplace_back("slow link, leakage", slow);
  designs.emplace_back("physical", testing::EyerissV1Physical());
  const auto field = [](double a, double b) {
    return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
  };
  int parts = 0;
  for (std::string_view name : {"resnet18", "mobilenet-v2"}) {
    const auto net = net::BuiltinNetwork(name);
    ASSERT_TRUE(net.has_value()) << name;
    for (Mode mode : {Mode::kInference, Mode::kTraining}) {
      for (int d = 0; d <= static_cast<int>(Dataflow::kBest); ++d) {
        for (const auto& [label, hw] : designs) {
          for (std::uint8_t variant = 0; variant < 4; ++variant) {
            ModelOptions opt = ModelOptions::Defaults();
            if (variant < 3) opt[Option::kOverlap] = variant;  // overlap, serial, double_buffer
            if (variant == 3) opt[Option::kEngine] = 1;        // roofline
            const Workload work{&*net, mode, 4, static_cast<Dataflow>(d)};
            Evaluator::Plan plan;
            detail::BuildPlan(work, opt, &plan);
            const detail::HwView view = detail::MakeHwView(hw, opt);
            detail::Trace trace;
            if (detail::WalkNetwork(plan, work, opt, view, nullptr, &trace) != Status::kOk) {
              continue;
            }
            for (const detail::TracePart& part : trace.parts) {
              ++parts;
              // Two parts in one sum, as a layer-phase of two parts is summed.
              detail::CostSum got, want;
              for (int rep = 0; rep < 2; ++rep) {
                detail::AddCost(part.map, view, part.spill_bits, part.compulsory_bytes,
                                part.roof_work, &got);
                const detail::LayerCost lc =
                    detail::CostLayer(part.map, view, part.spill_bits, part.compulsory_bytes);
                if (want.macs + want.ops == 0) want.df = lc.dataflow;
                want.macs += lc.macs;
                want.ops += lc.ops;
                want.cycles += lc.cycles;
                want.e_mac += lc.e_mac_pj;
                want.e_rf += lc.e_rf_pj;
                want.e_noc += lc.e_noc_pj;
                want.e_glb += lc.e_glb_pj;
                want.e_dram += lc.e_dram_pj;
                want.e_leak += lc.e_leak_pj;
                want.dram += lc.dram_bytes;
                want.glb += lc.glb_accesses;
                want.rf += lc.rf_accesses;
                want.noc += lc.noc_transfers;
                want.active = std::max(want.active, lc.active_pes);
                want.peak = std::max(want.peak, lc.glb_peak_bytes);
                want.roof_cycles += std::max(part.roof_work / view.Peak(),
                                             part.compulsory_bytes / view.dram_bytes_per_cycle);
              }
              const std::string where = std::string(name) + " " + label + " df " +
                                        std::to_string(d) + " variant " + std::to_string(variant);
              ASSERT_EQ(got.df, want.df) << where;
              const std::array<std::pair<double, double>, 16> v = {{
                  {got.macs, want.macs},
                  {got.ops, want.ops},
                  {got.cycles, want.cycles},
                  {got.e_mac, want.e_mac},
                  {got.e_rf, want.e_rf},
                  {got.e_noc, want.e_noc},
                  {got.e_glb, want.e_glb},
                  {got.e_dram, want.e_dram},
                  {got.e_leak, want.e_leak},
                  {got.dram, want.dram},
                  {got.glb, want.glb},
                  {got.rf, want.rf},
                  {got.noc, want.noc},
                  {got.active, want.active},
                  {got.peak, want.peak},
                  {got.roof_cycles, want.roof_cycles},
              }};
              for (std::size_t i = 0; i < v.size(); ++i) {
                ASSERT_TRUE(field(v[i].first, v[i].second))
                    << where << " field " << i << ": " << v[i].first << " vs " << v[i].second;
              }
            }
          }
        }
      }
    }
  }
  EXPECT_GT(parts, 10000);
}

}  // namespace
}  // namespace trim::model
