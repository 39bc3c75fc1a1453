// Hand-derived single-layer cases, one per dataflow, on the 4 x 4 multicast array of
// cases.hpp. Layer: C = 2, M = 4, H = W = 4, R = S = 3, U = 1 -> E = F = 2, K = 18, P = 4,
// MACs = 288. The buffer holds everything, so the tile is the whole layer and DRAM traffic is
// compulsory: weights 4*18 = 72 + inputs 2*4*4 = 32 + outputs 4*2*2 = 16 = 120 words = 240 B.
#include <gtest/gtest.h>

#include "cases.hpp"
#include "layer_cost.hpp"

namespace trim::model {
namespace {

using testing::Col;
using testing::RunPoint;

TEST(DataflowCases, WeightStationary) {
  // Rows carry K = 18 -> ceil(18/4) = 5 folds; columns carry M = 4 -> 1 fold; each fold
  // streams the P = 4 pixels: 5 * 1 * 4 = 20 cycles.
  const auto rep = RunPoint(testing::SmallConv(), testing::SmallArray(false), Dataflow::kWS);
  ASSERT_EQ(rep.status, Status::kOk);
  EXPECT_DOUBLE_EQ(rep.rows[0].cycles, 20);
  EXPECT_DOUBLE_EQ(rep.rows[0].active_pes, 16);
  EXPECT_DOUBLE_EQ(rep.rows[0].dram_bytes, 240);
  // GLB: weights 72 + inputs P*K*1 = 72 + psum writes 16*5 = 80 + psum reads 16*4 = 64
  // (array side, 288) + DRAM fills and write-backs 120 = 408 words.
  EXPECT_DOUBLE_EQ(rep.rows[0].glb_accesses, 408);
  // RF: one weight read per MAC (288) + 72 weight writes = 360; energy 360 x 1.
  EXPECT_DOUBLE_EQ(rep.rows[0].rf_accesses, 360);
  EXPECT_DOUBLE_EQ(rep.rows[0].energy_rf_pj, 360);
  // DRAM energy: 120 words x 200; MAC energy 288 x 1.
  EXPECT_DOUBLE_EQ(rep.rows[0].energy_dram_pj, 24000);
  EXPECT_DOUBLE_EQ(rep.rows[0].energy_mac_pj, 288);
}

TEST(DataflowCases, OutputStationary) {
  // Rows carry the P = 4 pixels, columns M = 4: one fold of K = 18 steps: 18 cycles.
  const auto rep = RunPoint(testing::SmallConv(), testing::SmallArray(false), Dataflow::kOS);
  ASSERT_EQ(rep.status, Status::kOk);
  EXPECT_DOUBLE_EQ(rep.rows[0].cycles, 18);
  EXPECT_DOUBLE_EQ(rep.rows[0].utilization, 288.0 / (16 * 18));
  // GLB: weights 72 * 1 fold + inputs 4 * 18 * 1 + outputs written once 16 = 160,
  // + 120 DRAM words = 280. RF: psum read and write per MAC = 576.
  EXPECT_DOUBLE_EQ(rep.rows[0].glb_accesses, 280);
  EXPECT_DOUBLE_EQ(rep.rows[0].rf_accesses, 576);
}

TEST(DataflowCases, InputStationary) {
  // Rows carry K = 18 (5 folds), columns P = 4 (1 fold); each fold runs M = 4 steps: 20.
  const auto rep = RunPoint(testing::SmallConv(), testing::SmallArray(false), Dataflow::kIS);
  ASSERT_EQ(rep.status, Status::kOk);
  EXPECT_DOUBLE_EQ(rep.rows[0].cycles, 20);
  // RF: one input read per MAC + the 72 stationary inputs written = 360.
  EXPECT_DOUBLE_EQ(rep.rows[0].rf_accesses, 360);
}

TEST(DataflowCases, NoLocalReuse) {
  // Rows carry C = 2, columns M = 4: one fold of P*R*S = 36 steps: 36 cycles on 8 PEs.
  const auto rep = RunPoint(testing::SmallConv(), testing::SmallArray(false), Dataflow::kNLR);
  ASSERT_EQ(rep.status, Status::kOk);
  EXPECT_DOUBLE_EQ(rep.rows[0].cycles, 36);
  EXPECT_DOUBLE_EQ(rep.rows[0].active_pes, 8);
  EXPECT_DOUBLE_EQ(rep.rows[0].rf_accesses, 0);
  // GLB: weights one per MAC 288 + inputs 4*18 = 72 + psums over R*S = 9 passes: writes
  // 16*9 = 144, reads 16*8 = 128 -> 632, + 120 DRAM words = 752.
  EXPECT_DOUBLE_EQ(rep.rows[0].glb_accesses, 752);
}

TEST(DataflowCases, RowStationary) {
  // PE set: R = 3 filter rows x E = 2 output rows; 4 x 4 array holds floor(4/3) x floor(4/2)
  // = 2 sets. RF: 224 weight words / S = 74 filters, 24 psums -> largest p = min(M = 4, 24,
  // 74) = 4; q = min(C = 2, 224 / (4*3) = 18, 12 / 3 = 4) = 2. One pass covers everything:
  // p * q * S * F = 4 * 2 * 3 * 2 = 48 cycles on 6 PEs (6 * 48 = 288 MACs), the second set
  // idle. Under `select = "energy"` this mapping stays (below).
  ModelOptions energy = ModelOptions::Defaults();
  energy[Option::kSelect] = 1;
  const auto rep =
      RunPoint(testing::SmallConv(), testing::SmallArray(false), Dataflow::kRS, 1, energy);
  ASSERT_EQ(rep.status, Status::kOk);
  EXPECT_DOUBLE_EQ(rep.rows[0].cycles, 48);
  EXPECT_DOUBLE_EQ(rep.rows[0].active_pes, 6);
  EXPECT_DOUBLE_EQ(rep.rows[0].utilization, 288.0 / (16 * 48));
  // RF: 4 per MAC (weight, input, psum read and write) = 1152, plus fills: weights
  // R*E_w*p*q*S = 3*2*4*2*3 = 144 and input rows R*E_w*q*W = 3*2*2*4 = 48 -> 1344.
  EXPECT_DOUBLE_EQ(rep.rows[0].rf_accesses, 1344);
  // NoC: the same fills 192 + vertical psum moves (R-1)*E_w*p*F = 2*2*4*2 = 32 -> 224.
  EXPECT_DOUBLE_EQ(rep.rows[0].noc_transfers, 224);
}

TEST(DataflowCases, RowStationaryFillsIdleSetsWithFewerChannelsPerPe) {
  // The largest mapping (p = 4, q = 2, DataflowCases.RowStationary) makes 1 pass for 2 sets.
  // The set-replication candidate splits the channels: q = 1 -> passes = ceil(4/4) *
  // ceil(2/1) = 2, one per set, and the two sets add their psums in the array (c_par = 2):
  // one round of p*q*S*F = 4*1*3*2 = 24 cycles on 12 PEs. Same RF (4*288 + fills 2 passes x
  // (3*2*4*1*3 + 3*2*1*4) = 1152 + 192 = 1344), GLB and DRAM counts (acc = ceil(2/2) = 1
  // psum write per output); NoC: fills 192 + vertical psums 2 passes x 2*2*4*2 = 64 + the
  // psums one set hands to the other, 16 outputs x (2 - 1) = 16 -> 272, 48 more than 224 at
  // e_noc = 2 pJ per 16-bit word: +96 pJ. Latency halves for 96 pJ more: `latency` and `edp`
  // take q = 1, `energy` keeps q = 2 (DataflowCases.RowStationary), `dram` ties and keeps it.
  const auto hw = testing::SmallArray(false);
  ModelOptions opt = ModelOptions::Defaults();
  PointReport by[4];
  for (int sel = 0; sel < 4; ++sel) {
    opt[Option::kSelect] = sel;
    by[sel] = RunPoint(testing::SmallConv(), hw, Dataflow::kRS, 1, opt);
    ASSERT_EQ(by[sel].status, Status::kOk);
  }
  for (int sel : {0, 2}) {  // edp, latency
    EXPECT_DOUBLE_EQ(by[sel].rows[0].cycles, 24);
    EXPECT_DOUBLE_EQ(by[sel].rows[0].active_pes, 12);
    EXPECT_DOUBLE_EQ(by[sel].rows[0].rf_accesses, 1344);
    EXPECT_DOUBLE_EQ(by[sel].rows[0].noc_transfers, 272);
    EXPECT_DOUBLE_EQ(by[sel].rows[0].energy_pj - by[1].rows[0].energy_pj, 96);
  }
  EXPECT_DOUBLE_EQ(by[1].rows[0].cycles, 48);
  EXPECT_DOUBLE_EQ(by[3].rows[0].cycles, 48);
  // The chosen p and q, as the cost stage reports them.
  detail::LoopNest nest;
  ASSERT_EQ(detail::BuildLoopNest(testing::SmallConv().layers[0], Phase::kFP, 1, &nest),
            Status::kOk);
  for (int sel = 0; sel < 4; ++sel) {
    opt[Option::kSelect] = sel;
    const auto view = detail::MakeHwView(hw, opt);
    const auto map = detail::MapLayer(nest, Dataflow::kRS, view, detail::Residency{});
    ASSERT_EQ(map.status, Status::kOk);
    EXPECT_EQ(map.rs_p, 4);  // the largest mapping stays in the map's own fields
    EXPECT_EQ(map.rs_q, 2);
    const auto lc = detail::CostLayer(map, view, 0, 0);
    EXPECT_EQ(lc.rs_p, 4) << sel;
    EXPECT_EQ(lc.rs_q, sel == 0 || sel == 2 ? 1 : 2) << sel;
  }
}

TEST(DataflowCases, RowStationaryNeedsOneWeightInTheRf) {
  // One 16-bit weight needs 2 bytes of weight RF; 1 byte holds none.
  auto hw = testing::SmallArray(false);
  hw[HwParam::kRfWeightBytes] = 1;
  const auto rep = RunPoint(testing::SmallConv(), hw, Dataflow::kRS);
  EXPECT_EQ(rep.status, Status::kRfTooSmall);
  for (double v : rep.totals) EXPECT_EQ(v, 0.0);
}

TEST(DataflowCases, RowStationaryFoldsFilterRowsWiderThanTheRf) {
  // 4 bytes = 2 weight words < S = 3: the row is split into s_fold = ceil(3/2) = 2 pieces of
  // S' = 2 weights (the second piece is charged as 2). p = min(M = 4, 24, floor(2/2) = 1) = 1,
  // q = min(C = 2, floor(2/(1*2)) = 1, floor(12/2) = 6) = 1. Passes: m/p = 4 x c/q = 2 x
  // s_fold = 2 = 16 on 2 sets of 3 x 2 PEs -> 8 rounds of p*q*S'*F = 1*1*2*2 = 4 cycles = 32
  // cycles; both sets busy: 12 active PEs.
  auto hw = testing::SmallArray(false);
  hw[HwParam::kRfWeightBytes] = 4;
  const auto rep = RunPoint(testing::SmallConv(), hw, Dataflow::kRS);
  ASSERT_EQ(rep.status, Status::kOk);
  EXPECT_DOUBLE_EQ(rep.rows[0].cycles, 32);
  EXPECT_DOUBLE_EQ(rep.rows[0].active_pes, 12);
  // A row of S = 3 in one piece (6 bytes, still p = q = 1) needs half the passes, so fewer
  // scratch-pad fills: folding costs reuse.
  hw[HwParam::kRfWeightBytes] = 6;
  const auto one_piece = RunPoint(testing::SmallConv(), hw, Dataflow::kRS);
  ASSERT_EQ(one_piece.status, Status::kOk);
  EXPECT_LT(Col(one_piece, ResultCol::kRfAccesses), Col(rep, ResultCol::kRfAccesses));
}

TEST(DataflowCases, BestPicksTheLowestCriterion) {
  // Under the default edp criterion, `best` must equal the minimum of the five.
  const auto net = testing::SmallConv();
  const auto hw = testing::SmallArray(false);
  double min_edp = 1e300;
  for (int d = 0; d < 5; ++d) {
    const auto rep = RunPoint(net, hw, static_cast<Dataflow>(d));
    ASSERT_EQ(rep.status, Status::kOk);
    min_edp = std::min(min_edp, rep.rows[0].energy_pj * rep.rows[0].latency_s);
  }
  const auto best = RunPoint(net, hw, Dataflow::kBest);
  ASSERT_EQ(best.status, Status::kOk);
  EXPECT_DOUBLE_EQ(best.rows[0].energy_pj * best.rows[0].latency_s, min_edp);
  EXPECT_NE(best.rows[0].dataflow, Dataflow::kBest);
}

TEST(DataflowCases, PoolingIsTrafficNotMacs) {
  // 2x2 max pool, stride 2, over 4 channels of 8 x 8: 4*4*4 outputs x 4 compares = 256 ops on
  // 16 lanes = 16 cycles; DRAM: 256 inputs + 64 outputs = 320 words = 640 B.
  net::Network n;
  net::Layer l;
  l.kind = net::LayerKind::kPool;
  l.c = l.m = 4;
  l.h = l.w = 8;
  l.r = l.s = 2;
  l.stride = 2;
  n.layers = {l};
  const auto rep = RunPoint(n, testing::SmallArray(false), Dataflow::kRS);
  ASSERT_EQ(rep.status, Status::kOk);
  EXPECT_DOUBLE_EQ(rep.rows[0].macs, 0);
  EXPECT_DOUBLE_EQ(rep.rows[0].ops, 256);
  EXPECT_DOUBLE_EQ(rep.rows[0].cycles, 16);
  EXPECT_DOUBLE_EQ(rep.rows[0].dram_bytes, 640);
}

TEST(DataflowCases, OutputKeptOnChipForTheNextLayer) {
  // Two chained convolutions whose intermediate tensor (4 x 2 x 2 = 16 words) fits: the first
  // layer does not write it to DRAM and the second does not read it.
  net::Network n;
  n.layers = {testing::Conv("a", 2, 4, 4, 3, 1, 0, 1), testing::Conv("b", 4, 4, 2, 1, 1, 0, 1)};
  const auto keep = RunPoint(n, testing::SmallArray(false), Dataflow::kWS);
  ModelOptions spill_opt = ModelOptions::Defaults();
  spill_opt[Option::kInterLayer] = 1;
  const auto spill = RunPoint(n, testing::SmallArray(false), Dataflow::kWS, 1, spill_opt);
  ASSERT_EQ(keep.status, Status::kOk);
  ASSERT_EQ(spill.status, Status::kOk);
  // Intermediate tensor: 16 words x 2 B, written once and read once = 64 B saved.
  EXPECT_DOUBLE_EQ(Col(spill, ResultCol::kDramBytes) - Col(keep, ResultCol::kDramBytes), 64);
}

TEST(DataflowCases, RowStationaryShrinksTheTileToFitTheBuffer) {
  // The smallest regular RS tile of the largest mapping (m = p = 4, c = q = 2, e = 2) needs
  // weights 4*2*9 = 72 + inputs 2*4*4 = 32 + psums 4*2*2 = 16 = 120 words = 240 B; a 0.2 KiB
  // (204.8 B) buffer does not hold it. Among the smaller tiles, m = 4, c = 1, e = 2 (36 + 16 +
  // 16 = 68 words = 136 B) with channels innermost reads the weights and inputs once: the
  // compulsory 240 B. Its 2 tiles each run p = 4, q = 1 in one pass, one after the other:
  // 4*1*3*2 = 24 cycles, 48 in all (kept under `energy`: the candidates below cost the same
  // energy, a tie).
  auto hw = testing::SmallArray(false);
  hw[HwParam::kGlbKib] = 0.2;
  ModelOptions energy = ModelOptions::Defaults();
  energy[Option::kSelect] = 1;
  const auto rep = RunPoint(testing::SmallConv(), hw, Dataflow::kRS, 1, energy);
  ASSERT_EQ(rep.status, Status::kOk);
  EXPECT_DOUBLE_EQ(rep.rows[0].dram_bytes, 240);
  EXPECT_DOUBLE_EQ(rep.rows[0].cycles, 48);
  EXPECT_DOUBLE_EQ(rep.rows[0].active_pes, 6);
  EXPECT_DOUBLE_EQ(Col(rep, ResultCol::kPeakOnchipBytes), 136);
  // The set-replication candidate p = 4, q = 1 has the same 136 B tile as a regular tile
  // (both channel groups in one round on the 2 sets, their psums added in the array): 24
  // cycles on 12 PEs, the same DRAM bytes and energy, so `edp` takes it.
  const auto fast = RunPoint(testing::SmallConv(), hw, Dataflow::kRS);
  ASSERT_EQ(fast.status, Status::kOk);
  EXPECT_DOUBLE_EQ(fast.rows[0].dram_bytes, 240);
  EXPECT_DOUBLE_EQ(fast.rows[0].cycles, 24);
  EXPECT_DOUBLE_EQ(fast.rows[0].active_pes, 12);
  EXPECT_DOUBLE_EQ(fast.rows[0].energy_pj, rep.rows[0].energy_pj);
  EXPECT_DOUBLE_EQ(Col(fast, ResultCol::kPeakOnchipBytes), 136);
}

TEST(DataflowCases, InfeasibleOnlyBelowTheMinimumMapping) {
  // The minimum mapping of every dataflow: one filter, one channel, one output row of F = 2:
  // R*S = 9 weights + rows(1) = 3 input rows of W = 4 + 2 psums = 23 words = 46 B, which is
  // what the mapping reports as needed against the 45 B available (the shortfall a
  // diagnostic names).
  {
    detail::LoopNest nest;
    ASSERT_EQ(detail::BuildLoopNest(testing::SmallConv().layers[0], Phase::kFP, 1, &nest),
              Status::kOk);
    auto hw = testing::SmallArray(false);
    hw[HwParam::kGlbKib] = 45.0 / 1024;
    const auto view = detail::MakeHwView(hw, ModelOptions::Defaults());
    const auto map = detail::MapLayer(nest, Dataflow::kRS, view, detail::Residency{});
    EXPECT_EQ(map.status, Status::kGlbTooSmall);
    EXPECT_DOUBLE_EQ(map.need_bytes, 46);
    EXPECT_DOUBLE_EQ(map.have_bytes, 45);
  }
  for (int d = 0; d < 5; ++d) {
    const auto df = static_cast<Dataflow>(d);
    auto hw = testing::SmallArray(false);
    hw[HwParam::kGlbKib] = 46.0 / 1024;
    EXPECT_EQ(RunPoint(testing::SmallConv(), hw, df).status, Status::kOk) << Name(df);
    hw[HwParam::kGlbKib] = 45.0 / 1024;
    EXPECT_EQ(RunPoint(testing::SmallConv(), hw, df).status, Status::kGlbTooSmall) << Name(df);
  }
}

TEST(DataflowCases, WeightStationaryBoundByItsInputNetwork) {
  // WS reads every input once per column fold: P*K*ceil(M/Px) = 4*18*1 = 72 words. Over a
  // 16-bit input network (1 word per cycle) that takes 72 cycles, more than the 20 compute
  // cycles (DataflowCases.WeightStationary); at 64 bits, 18 cycles, and compute binds again.
  auto hw = testing::SmallArray(false);
  hw[HwParam::kBusInputBits] = 16;
  EXPECT_DOUBLE_EQ(RunPoint(testing::SmallConv(), hw, Dataflow::kWS).rows[0].cycles, 72);
  hw[HwParam::kBusInputBits] = 64;
  EXPECT_DOUBLE_EQ(RunPoint(testing::SmallConv(), hw, Dataflow::kWS).rows[0].cycles, 20);
  // The same network at half the core clock carries half as much per core cycle.
  hw[HwParam::kBusMhz] = hw[HwParam::kClockMhz] / 2;
  EXPECT_DOUBLE_EQ(RunPoint(testing::SmallConv(), hw, Dataflow::kWS).rows[0].cycles, 36);
}

TEST(DataflowCases, RowStationaryPaysItsPassOverheads) {
  // A 6-word ifmap pad holds q = min(2, 6/3) = 2 channels of S = 3 but not a second set
  // (2*q*S = 12 > 6), so the one pass of the largest mapping (p = 4, q = 2, 48 cycles,
  // DataflowCases.RowStationary; kept under `select = "energy"`) first waits for its ifmap
  // windows: in_rows = 4 rows x q = 2 x S = 3 = 24 words over a 16-bit network = 24 cycles ->
  // 72. The filter pad (224 >= 2*4*2*3 = 48 words) and the psum pad (24 >= 2*4) double-buffer,
  // so nothing else is exposed. All ifmap reads, 4 rows x 2 channels x 4 columns = 32 words,
  // take 32 cycles: below 72, so the pass overhead binds.
  auto hw = testing::SmallArray(false);
  hw[HwParam::kRfInputBytes] = 12;
  hw[HwParam::kBusInputBits] = 16;
  ModelOptions energy = ModelOptions::Defaults();
  energy[Option::kSelect] = 1;
  EXPECT_DOUBLE_EQ(RunPoint(testing::SmallConv(), hw, Dataflow::kRS, 1, energy).rows[0].cycles, 72);
  ModelOptions off = energy;
  off[Option::kPassOverhead] = 1;  // "none"
  EXPECT_DOUBLE_EQ(RunPoint(testing::SmallConv(), hw, Dataflow::kRS, 1, off).rows[0].cycles, 48);
  // Under the default `edp`, p = 4, q = 1 (one channel per set, both sets busy): 24 compute
  // cycles, and the 6-word pad now holds two windows (2*1*3 = 6), so no stall; the 2 passes
  // read 2 x 4 rows x 1 x 4 = 32 ifmap words: 32 cycles on the 16-bit network bind.
  EXPECT_DOUBLE_EQ(RunPoint(testing::SmallConv(), hw, Dataflow::kRS).rows[0].cycles, 32);
  // With a 12-word pad (double-buffered) only the 32-cycle bus bound remains: compute binds.
  hw[HwParam::kRfInputBytes] = 24;
  EXPECT_DOUBLE_EQ(RunPoint(testing::SmallConv(), hw, Dataflow::kRS, 1, energy).rows[0].cycles, 48);
}

}  // namespace
}  // namespace trim::model
