// Prints docs/validation.md from the model itself, so the document always matches the code:
//   cmake --build build-model --target model_validation
//   build-model/bin/model_validation > docs/validation.md
// The same cases are asserted by model_test (eyeriss_test.cpp, systolic_test.cpp,
// dataflow_cases_test.cpp, invariants_test.cpp).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "eyeriss.hpp"
#include "hw_view.hpp"
#include "tech.hpp"
#include "trim/model/evaluate.hpp"
#include "trim/net/zoo.hpp"

namespace mdl = trim::model;
namespace tt = trim::model::testing;
using mdl::ResultCol;

namespace {

double Pct(double model, double ref) { return 100.0 * (model - ref) / ref; }

/// Mean absolute and worst (largest in magnitude, signed) percentage error of a column.
struct ErrStats {
  double sum_abs = 0, worst = 0;
  int n = 0;
  void Add(double pct) {
    sum_abs += pct < 0 ? -pct : pct;
    if ((pct < 0 ? -pct : pct) > (worst < 0 ? -worst : worst)) worst = pct;
    ++n;
  }
  [[nodiscard]] double Mean() const { return n > 0 ? sum_abs / n : 0.0; }
};

void EyerissSection() {
  const auto run = tt::RunEyeriss();
  const auto dbuf = tt::RunEyerissDoubleBuffer();
  const double hidden = tt::Col(run.overlap, ResultCol::kLatencyS) * 1e3;
  const double serial = tt::Col(run.serial, ResultCol::kLatencyS) * 1e3;
  const double dbl = tt::Col(dbuf, ResultCol::kLatencyS) * 1e3;
  std::printf(
      "## 1. Eyeriss v1, AlexNet CONV1-5, batch 4, row stationary, 200 MHz core, 60 MHz "
      "link\n\n");
  std::printf(
      "Design: `configs/hardware/eyeriss-v1-normalized.toml` (the Eyeriss v1 design with the "
      "normalized table `configs/energy/eyeriss-65nm.toml`; `eyeriss-v1` is the same design "
      "under the physical model and gives the same latency and traffic); job: "
      "`jobs/eyeriss-alexnet.toml`. Every value of the design is the chip's published "
      "configuration (Chen et al., ISSCC 2016 and IEEE JSSC 2017): 12 x 14 PEs, scratch pads "
      "of 224 filter, 12 ifmap and 24 psum words, a 108 KB buffer, 16-bit data, 64-bit filter, "
      "16-bit ifmap and 64-bit psum networks between the buffer and the array on the 200 MHz "
      "core clock, and the 64-bit DRAM link on the 60 MHz link clock the measurements were "
      "taken at (0.48 GB/s). No constant of the model or of the preset is fitted to the "
      "chip's measurements: they are used here only for comparison. Chip numbers: JSSC 2017, "
      "Table V (per layer and total). Tests: `Eyeriss.*` in tests/model/eyeriss_test.cpp.\n\n");
  std::printf("| Quantity | Chip | Model | Difference |\n|---|---|---|---|\n");
  std::printf("| Batch latency, DRAM hidden (`overlap`) | %.1f ms | %.1f ms | %+.1f%% |\n",
              tt::kEyerissNoDramMs, hidden, Pct(hidden, tt::kEyerissNoDramMs));
  std::printf(
      "| Batch latency, DRAM serialized (`overlap = \"serial\"`) | %.1f ms | %.1f ms | "
      "%+.1f%% |\n",
      tt::kEyerissBatchMs, serial, Pct(serial, tt::kEyerissBatchMs));
  std::printf(
      "| Batch latency, DRAM double-buffered (`overlap = \"double_buffer\"`) | %.1f ms | %.1f "
      "ms | %+.1f%% |\n",
      tt::kEyerissBatchMs, dbl, Pct(dbl, tt::kEyerissBatchMs));
  std::printf("| Frames/s (DRAM serialized) | 34.7 | %.1f | |\n",
              tt::Col(run.serial, ResultCol::kThroughputSps));
  const double dpm = tt::DramPerMac(run.overlap);
  std::printf("| DRAM accesses (16-bit) per MAC | %.4f | %.4f | %+.0f%% |\n",
              tt::kEyerissDramPerMac, dpm, Pct(dpm, tt::kEyerissDramPerMac));
  double chip_glb = 0;
  for (const auto& l : tt::kEyerissLayers) chip_glb += l.glb_mb;
  const double glb_mb = tt::Col(run.overlap, ResultCol::kGlbAccesses) * 2 / 1e6;
  std::printf("| Buffer accesses | %.1f MB | %.1f MB | %+.0f%% |\n", chip_glb, glb_mb,
              Pct(glb_mb, chip_glb));
  std::printf("| Power | %.0f mW | see section 8 (physical model) | |\n\n", tt::kEyerissPowerMw);
  std::printf(
      "DRAM timing against the chip's processing latency (%.1f ms) and total latency (%.1f "
      "ms), per layer in ms; double-buffered: the buffer as two 54 KB ping-pong halves "
      "(docs/model.md, section 6.1), DRAM traffic of its tiling in the last column:\n\n"
      "| Layer | Hidden | Double-buffered | Serialized | Chip processing | Chip total | "
      "Double-buffered vs chip total | DRAM, double-buffered (MB) |\n"
      "|---|---|---|---|---|---|---|---|\n",
      tt::kEyerissNoDramMs, tt::kEyerissBatchMs);
  ErrStats e_dbl;
  for (std::size_t i = 0; i < dbuf.rows.size() && i < 5; ++i) {
    const auto& c = tt::kEyerissLayers[i];
    const double b = dbuf.rows[i].latency_s * 1e3;
    e_dbl.Add(Pct(b, c.total_ms));
    std::printf("| %s | %.2f | %.2f | %.2f | %.1f | %.1f | %+.1f%% | %.2f |\n", c.name,
                run.overlap.rows[i].latency_s * 1e3, b, run.serial.rows[i].latency_s * 1e3,
                c.processing_ms, c.total_ms, Pct(b, c.total_ms), dbuf.rows[i].dram_bytes / 1e6);
  }
  std::printf(
      "| total | %.2f | %.2f | %.2f | %.1f | %.1f | %+.1f%% | %.2f |\n"
      "| mean absolute error per layer | | | | | | %.1f%% | |\n\n",
      hidden, dbl, serial, tt::kEyerissNoDramMs, tt::kEyerissBatchMs, Pct(dbl, tt::kEyerissBatchMs),
      tt::Col(dbuf, ResultCol::kDramBytes) / 1e6, e_dbl.Mean());
  std::printf(
      "Per layer, model / chip (difference). Latency with DRAM hidden against the chip's "
      "processing latency, with DRAM serialized against its total latency; buffer and DRAM "
      "accesses in MB of 16-bit words:\n\n"
      "| Layer | Latency, DRAM hidden (ms) | Latency, DRAM serialized (ms) | Active PEs | "
      "DRAM (MB) | Buffer (MB) |\n|---|---|---|---|---|---|\n");
  ErrStats e_hid, e_ser, e_pe, e_dram, e_glb;
  for (std::size_t i = 0; i < run.overlap.rows.size() && i < 5; ++i) {
    const auto& r = run.overlap.rows[i];
    const auto& rs = run.serial.rows[i];
    const auto& c = tt::kEyerissLayers[i];
    const double h = r.latency_s * 1e3, s = rs.latency_s * 1e3;
    const double d = r.dram_bytes / 1e6, g = r.glb_accesses * 2 / 1e6;
    e_hid.Add(Pct(h, c.processing_ms));
    e_ser.Add(Pct(s, c.total_ms));
    e_pe.Add(Pct(r.active_pes, c.active_pes));
    e_dram.Add(Pct(d, c.dram_mb));
    e_glb.Add(Pct(g, c.glb_mb));
    std::printf(
        "| %s | %.2f / %.1f (%+.1f%%) | %.2f / %.1f (%+.1f%%) | %.0f / %.0f | %.2f / %.1f "
        "(%+.0f%%) | %.1f / %.1f (%+.0f%%) |\n",
        c.name, h, c.processing_ms, Pct(h, c.processing_ms), s, c.total_ms, Pct(s, c.total_ms),
        r.active_pes, c.active_pes, d, c.dram_mb, Pct(d, c.dram_mb), g, c.glb_mb, Pct(g, c.glb_mb));
  }
  std::printf(
      "| mean absolute error | %.1f%% | %.1f%% | %.1f%% | %.0f%% | %.0f%% |\n"
      "| worst error | %+.1f%% | %+.1f%% | %+.1f%% | %+.0f%% | %+.0f%% |\n\n",
      e_hid.Mean(), e_ser.Mean(), e_pe.Mean(), e_dram.Mean(), e_glb.Mean(), e_hid.worst,
      e_ser.worst, e_pe.worst, e_dram.worst, e_glb.worst);

  // What each mechanism adds (DRAM hidden): the array alone, then the networks, then the
  // pass overheads (the full model).
  mdl::Hardware no_bus = tt::EyerissV1();
  for (auto p :
       {mdl::HwParam::kBusWeightBits, mdl::HwParam::kBusInputBits, mdl::HwParam::kBusOutputBits}) {
    no_bus[p] = 0;
  }
  mdl::ModelOptions no_pass = mdl::ModelOptions::Defaults();
  no_pass[mdl::Option::kPassOverhead] = 1;
  const auto array_only = tt::RunEyeriss(trim::Dataflow::kRS, no_bus, no_pass).overlap;
  const auto with_bus = tt::RunEyeriss(trim::Dataflow::kRS, tt::EyerissV1(), no_pass).overlap;
  std::printf(
      "What each mechanism adds (DRAM hidden, ms): the array's passes alone; with the three "
      "buffer-to-array networks bounding the layer (`bus_*_bits`, section 6 of "
      "docs/model.md); with the per-pass scratch-pad loads and psum drains as well "
      "(`pass_overhead = \"exposed\"`, the default):\n\n"
      "| Layer | Array alone | + networks | + pass overheads | Chip |\n|---|---|---|---|---|\n");
  for (std::size_t i = 0; i < 5 && i < array_only.rows.size(); ++i) {
    std::printf("| %s | %.2f | %.2f | %.2f | %.1f |\n", tt::kEyerissLayers[i].name,
                array_only.rows[i].latency_s * 1e3, with_bus.rows[i].latency_s * 1e3,
                run.overlap.rows[i].latency_s * 1e3, tt::kEyerissLayers[i].processing_ms);
  }
  std::printf("| total | %.2f | %.2f | %.2f | %.1f |\n\n",
              tt::Col(array_only, ResultCol::kLatencyS) * 1e3,
              tt::Col(with_bus, ResultCol::kLatencyS) * 1e3, hidden, tt::kEyerissNoDramMs);
}

void EnergySection() {
  std::printf("## 2. Dataflow energy on AlexNet CONV1-5 (Eyeriss v1 design)\n\n");
  std::printf(
      "Chen et al. (ISCA 2016) find RS 1.4x-2.5x more energy-efficient than WS, OS and NLR on "
      "the AlexNet convolutions; the model reproduces the ordering (RS lowest, NLR highest) with a "
      "smaller WS margin. Test: `Eyeriss.RowStationaryHasTheLeastEnergy` (ratio in "
      "(1.2, 3)).\n\n| Dataflow | Energy (normalized) | / RS | Latency (ms) "
      "|\n|---|---|---|---|\n");
  const double rs = tt::Col(tt::RunEyeriss(trim::Dataflow::kRS).overlap, ResultCol::kEnergyPj);
  for (int d = 0; d < 5; ++d) {
    const auto df = static_cast<trim::Dataflow>(d);
    const auto r = tt::RunEyeriss(df).overlap;
    std::printf("| %s | %.3g | %.2f | %.1f |\n", std::string(Name(df)).c_str(),
                tt::Col(r, ResultCol::kEnergyPj), tt::Col(r, ResultCol::kEnergyPj) / rs,
                tt::Col(r, ResultCol::kLatencyS) * 1e3);
  }
  std::printf("\n");
}

mdl::Hardware Array(int rows, int cols, bool systolic) {
  mdl::Hardware h = tt::SmallArray(systolic);
  h[mdl::HwParam::kPeRows] = rows;
  h[mdl::HwParam::kPeCols] = cols;
  return h;
}

trim::net::Network Fc(std::int64_t c, std::int64_t m) {
  trim::net::Network n;
  trim::net::Layer l;
  l.kind = trim::net::LayerKind::kFc;
  l.c = c;
  l.m = m;
  n.layers = {l};
  return n;
}

void SystolicSection() {
  std::printf("## 3. Systolic fill and drain (SCALE-Sim v2)\n\n");
  std::printf(
      "SCALE-Sim v2 pads every fold to the whole R x C array: WS and IS take 2R + C + T - 2 "
      "cycles per fold (R to preload the stationary operand, R - 1 of skew, C - 1 of drain), "
      "OS T + R + C - 2 (nothing preloaded), times ceil(S_R/R)*ceil(S_C/C) folds (the demand "
      "matrices of scalesim/compute/systolic_compute_{ws,os,is}.py; Samajdar et al., ISPASS "
      "2020). Default `systolic_fill = \"array\"`; the last column is `systolic_fill = "
      "\"mapped\"` (2*S'_R + S'_C + T - 2 over the mapped rows and columns). Test: "
      "tests/model/systolic_test.cpp.\n\n| Case | Hand derivation | Expected | Model | Mapped "
      "|\n|---|---|---|---|---|\n");
  mdl::ModelOptions mapped = mdl::ModelOptions::Defaults();
  mapped[mdl::Option::kSystolicFill] = 1;
  struct Case {
    const char* name;
    const char* derivation;
    double expected;
    mdl::PointReport rep;
    mdl::PointReport rep_mapped;
  };
  const auto run = [&](const trim::net::Network& net, int rows, int cols, trim::Dataflow df,
                       std::int64_t batch, const char* name, const char* derivation,
                       double expected) {
    return Case{name, derivation, expected, tt::RunPoint(net, Array(rows, cols, true), df, batch),
                tt::RunPoint(net, Array(rows, cols, true), df, batch, mapped)};
  };
  const Case cases[] = {
      run(Fc(16, 8), 8, 8, trim::Dataflow::kWS, 10, "WS, 8x8, GEMM K=16 M=8 P=10",
          "2 x (16 + 8 + 10 - 2)", 64),
      run(Fc(6, 3), 8, 8, trim::Dataflow::kWS, 5, "WS, 8x8, GEMM K=6 M=3 P=5", "16 + 8 + 5 - 2",
          27),
      run(tt::SmallConv(), 4, 4, trim::Dataflow::kOS, 1, "OS, 4x4, conv C=2 M=4 3x3 on 4x4",
          "18 + 4 + 4 - 2", 24),
      run(Fc(16, 3), 8, 8, trim::Dataflow::kOS, 10, "OS, 8x8, GEMM K=16 M=3 P=10",
          "2 x (16 + 8 + 8 - 2)", 60),
      run(tt::SmallConv(), 4, 4, trim::Dataflow::kIS, 1, "IS, 4x4, same conv",
          "5 x (8 + 4 + 4 - 2)", 70),
      run(Fc(16, 3), 8, 8, trim::Dataflow::kIS, 10, "IS, 8x8, GEMM K=16 M=3 P=10",
          "4 x (16 + 8 + 3 - 2)", 100),
      run(Fc(1024, 512), 256, 256, trim::Dataflow::kWS, 64, "WS, 256x256, GEMM K=1024 M=512 P=64",
          "8 x (512 + 256 + 64 - 2)", 6640),
  };
  for (const auto& c : cases) {
    std::printf("| %s | %s | %.0f | %.0f | %.0f |\n", c.name, c.derivation, c.expected,
                c.rep.rows.empty() ? -1.0 : c.rep.rows[0].cycles,
                c.rep_mapped.rows.empty() ? -1.0 : c.rep_mapped.rows[0].cycles);
  }
  std::printf("\n");
}

void DataflowSection() {
  std::printf("## 4. Hand-derived cases per dataflow\n\n");
  std::printf(
      "4 x 4 multicast array, buffers and bandwidths that never bind; conv C=2, M=4, 4x4 "
      "input, 3x3 window (E=F=2, K=18, P=4, 288 MACs). Derivations in "
      "tests/model/dataflow_cases_test.cpp.\n\n| Dataflow | Spatial (rows x cols) | "
      "Cycles expected | Model | Active PEs | Utilization |\n|---|---|---|---|---|---|\n");
  struct Case {
    trim::Dataflow df;
    const char* spatial;
    double cycles;
  };
  const Case cases[] = {
      {trim::Dataflow::kWS, "K x M, 5 folds of P=4", 20},
      {trim::Dataflow::kOS, "P x M, 1 fold of K=18", 18},
      {trim::Dataflow::kIS, "K x P, 5 folds of M=4", 20},
      {trim::Dataflow::kNLR, "C x M, 1 fold of P*R*S=36", 36},
      {trim::Dataflow::kRS, "2 sets of 3x2, p=4 q=1 (a channel per set): 4*1*3*2", 24}};
  for (const auto& c : cases) {
    const auto rep = tt::RunPoint(tt::SmallConv(), tt::SmallArray(false), c.df);
    std::printf("| %s | %s | %.0f | %.0f | %.0f | %.3f |\n", std::string(Name(c.df)).c_str(),
                c.spatial, c.cycles, rep.rows[0].cycles, rep.rows[0].active_pes,
                rep.rows[0].utilization);
  }
  std::printf(
      "\nMapping search and buffer-to-array networks on the same layer (derivations in "
      "the tests named):\n\n| Case | Hand derivation | Expected | Model |\n|---|---|---|---|\n");
  auto run = [](mdl::Hardware h, trim::Dataflow df, mdl::ModelOptions o) {
    return tt::RunPoint(tt::SmallConv(), h, df, 1, o);
  };
  const mdl::ModelOptions def = mdl::ModelOptions::Defaults();
  mdl::ModelOptions energy = def;
  energy[mdl::Option::kSelect] = 1;
  std::printf(
      "| RS, `select = \"energy\"`: the largest p=4 q=2, one set idle "
      "(RowStationary, RowStationaryFillsIdleSetsWithFewerChannelsPerPe) | 4*2*3*2 | 48 | %.0f "
      "|\n",
      run(tt::SmallArray(false), trim::Dataflow::kRS, energy).rows[0].cycles);
  mdl::Hardware small_glb = tt::SmallArray(false);
  small_glb[mdl::HwParam::kGlbKib] = 0.2;
  const auto shr = run(small_glb, trim::Dataflow::kRS, energy);
  std::printf(
      "| RS, 0.2 KiB buffer, `energy`: tile shrinks to m=4 c=1 e=2 "
      "(RowStationaryShrinksTheTileToFitTheBuffer) "
      "| 2 tiles x 4*1*3*2 | 48 cycles, 240 B DRAM | %.0f cycles, %.0f B DRAM |\n",
      shr.rows[0].cycles, shr.rows[0].dram_bytes);
  const auto shr_edp = run(small_glb, trim::Dataflow::kRS, def);
  std::printf(
      "| RS, 0.2 KiB buffer, `edp`: p=4 q=1 as a regular tile, both sets at once "
      "(RowStationaryShrinksTheTileToFitTheBuffer) "
      "| 1 round x 4*1*3*2 | 24 cycles, 240 B DRAM | %.0f cycles, %.0f B DRAM |\n",
      shr_edp.rows[0].cycles, shr_edp.rows[0].dram_bytes);
  mdl::Hardware min_glb = tt::SmallArray(false);
  min_glb[mdl::HwParam::kGlbKib] = 45.0 / 1024;
  std::printf(
      "| every dataflow, 45 B buffer (InfeasibleOnlyBelowTheMinimumMapping) | (9 + 3*4 + 2) "
      "words x 2 B = 46 B needed | glb_too_small | %s |\n",
      std::string(Name(run(min_glb, trim::Dataflow::kWS, def).status)).c_str());
  mdl::Hardware narrow = tt::SmallArray(false);
  narrow[mdl::HwParam::kRfWeightBytes] = 4;
  std::printf(
      "| RS, 2-word filter pad: S = 3 folded in 2 (RowStationaryFoldsFilterRowsWiderThanTheRf) "
      "| 8 rounds x 1*1*2*2 | 32 | %.0f |\n",
      run(narrow, trim::Dataflow::kRS, def).rows[0].cycles);
  mdl::Hardware bus = tt::SmallArray(false);
  bus[mdl::HwParam::kBusInputBits] = 16;
  std::printf(
      "| WS, 16-bit input network (WeightStationaryBoundByItsInputNetwork) | P*K = 72 words "
      "at 1 per cycle | 72 | %.0f |\n",
      run(bus, trim::Dataflow::kWS, def).rows[0].cycles);
  bus[mdl::HwParam::kRfInputBytes] = 12;
  std::printf(
      "| RS, 6-word ifmap pad, 16-bit input network, `energy` "
      "(RowStationaryPaysItsPassOverheads) | 48 + 4 rows x 2 x 3 = 24 | 72 | %.0f |\n",
      run(bus, trim::Dataflow::kRS, energy).rows[0].cycles);
  std::printf(
      "| the same, `edp`: p=4 q=1, the pad double-buffers (RowStationaryPaysItsPassOverheads) "
      "| 2 x 4 rows x 4 ifmap words at 1 per cycle | 32 | %.0f |\n\n",
      run(bus, trim::Dataflow::kRS, def).rows[0].cycles);
}

}  // namespace

void InterLayerSection() {
  std::printf(
      "## 6. Inter-layer activity and training (tests/model/training_test.cpp, "
      "torch_phase_check.py)\n\n"
      "Default options, so fusion (section 7) is on. "
      "**Inference results.** On a chain such as the AlexNet CONV1-5 fixture the liveness "
      "rule of docs/model.md section 9 reduces to keeping a layer's output for the next "
      "layer when it fits. It differs only for networks with skip connections or with a "
      "tensor read by several layers (ResNet, MobileNet-v2, transformers): such a tensor is "
      "held in the buffer until its last reader when it fits, instead of being written to "
      "and read back from DRAM. That is an inter-layer effect by design. "
      "ResNet-18, batch 4, Eyeriss v1 design (and with an 8 MiB buffer), row stationary; "
      "`spill` is the no-reuse reference:\n\n"
      "| GLB | inter_layer | DRAM (MB) | Latency (ms) | Energy (normalized) |\n"
      "|---|---|---|---|---|\n");
  const auto net = trim::net::BuiltinNetwork("resnet18");
  const mdl::Hardware hw = tt::EyerissV1();
  for (double kib : {108.0, 8192.0}) {
    mdl::Hardware h = hw;
    h[mdl::HwParam::kGlbKib] = kib;
    for (int keep = 0; keep < 2; ++keep) {
      mdl::ModelOptions opt = mdl::ModelOptions::Defaults();
      opt[mdl::Option::kInterLayer] = static_cast<std::uint8_t>(keep);
      const auto r = tt::RunPoint(*net, h, trim::Dataflow::kRS, 4, opt);
      std::printf("| %.0f KiB | %s | %.2f | %.1f | %.4g |\n", kib, keep == 0 ? "keep" : "spill",
                  tt::Col(r, ResultCol::kDramBytes) / 1e6, tt::Col(r, ResultCol::kLatencyS) * 1e3,
                  tt::Col(r, ResultCol::kEnergyPj));
    }
  }
  std::printf(
      "\n**Training.** The MACs of every layer and phase (FP, BP, WG) equal the MACs of the "
      "operators PyTorch executes in the forward and backward pass of the same networks "
      "(LeNet-5, ResNet-18, MobileNet-v2, BERT-base at 16 tokens; `ctest -L python`, test "
      "model_torch_phase_macs). With a buffer large enough for everything, a step's DRAM "
      "traffic equals the hand-derived compulsory traffic; with no stash room every saved "
      "tensor is written once and read back (hand-derived); DRAM traffic never grows with the "
      "buffer (ResNet-18 sweep, five dataflows); a step never beats the sum of its phases' "
      "roofline bounds (400 random networks and designs). ResNet-18 training step, batch 4, "
      "same design, dataflow `best` per layer-phase, defaults (momentum, sparse "
      "backward-data); row stationary alone also maps every layer-phase since its tiles "
      "shrink below one fold when the 54 KiB the half-buffer stash leaves cannot hold a fold "
      "(test `Eyeriss.RowStationaryMapsEveryBuiltinNetwork`):\n\n"
      "| Phase | Latency (ms) | Energy (normalized) | DRAM (MB) |\n|---|---|---|---|\n");
  mdl::Evaluator ev(mdl::ModelOptions::Defaults());
  const auto t =
      ev.EvaluatePoint(mdl::Workload{&*net, trim::Mode::kTraining, 4, trim::Dataflow::kBest}, hw);
  const ResultCol cols[4][3] = {
      {ResultCol::kFpLatencyS, ResultCol::kFpEnergyPj, ResultCol::kFpDramBytes},
      {ResultCol::kBpLatencyS, ResultCol::kBpEnergyPj, ResultCol::kBpDramBytes},
      {ResultCol::kWgLatencyS, ResultCol::kWgEnergyPj, ResultCol::kWgDramBytes},
      {ResultCol::kWuLatencyS, ResultCol::kWuEnergyPj, ResultCol::kWuDramBytes}};
  const char* names[4] = {"FP", "BP", "WG", "WU"};
  for (int p = 0; p < 4; ++p) {
    std::printf("| %s | %.1f | %.4g | %.2f |\n", names[p], tt::Col(t, cols[p][0]) * 1e3,
                tt::Col(t, cols[p][1]), tt::Col(t, cols[p][2]) / 1e6);
  }
  std::printf("| step | %.1f | %.4g | %.2f |\n\n", tt::Col(t, ResultCol::kLatencyS) * 1e3,
              tt::Col(t, ResultCol::kEnergyPj), tt::Col(t, ResultCol::kDramBytes) / 1e6);
}

void FusionSection() {
  std::printf(
      "## 7. Fusion (tests/model/fusion_test.cpp)\n\n"
      "Option `fusion` (docs/model.md, \"Fusion\"): element-wise layers and pooling that follow "
      "a MAC layer run in its output path. Eyeriss v1 design, batch 4; inference row "
      "stationary, training `best` per layer-phase. Fused layers keep their rows; the last "
      "layer of a fused chain carries the DRAM write of the chain's output when it does not "
      "stay on chip. Training saves less: batch-norm stays a separate layer there, and "
      "tensors the backward pass reads are still written.\n\n"
      "| Network | Mode | fusion | DRAM (MB) | Latency (ms) | Energy (normalized) |\n"
      "|---|---|---|---|---|---|\n");
  const char* choices[3] = {"none", "activation", "all"};
  for (const char* name : {"resnet18", "mobilenet-v2"}) {
    const auto net = trim::net::BuiltinNetwork(name);
    if (!net) continue;
    for (const trim::Mode mode : {trim::Mode::kInference, trim::Mode::kTraining}) {
      for (int f = 0; f < 3; ++f) {
        mdl::ModelOptions opt = mdl::ModelOptions::Defaults();
        opt[mdl::Option::kFusion] = static_cast<std::uint8_t>(f);
        mdl::Evaluator ev(opt);
        const auto df =
            mode == trim::Mode::kInference ? trim::Dataflow::kRS : trim::Dataflow::kBest;
        const auto r = ev.EvaluatePoint(mdl::Workload{&*net, mode, 4, df}, tt::EyerissV1());
        std::printf("| %s | %s | %s | %.2f | %.1f | %.4g |\n", name,
                    mode == trim::Mode::kInference ? "inference" : "training", choices[f],
                    tt::Col(r, ResultCol::kDramBytes) / 1e6, tt::Col(r, ResultCol::kLatencyS) * 1e3,
                    tt::Col(r, ResultCol::kEnergyPj));
      }
    }
  }
  std::printf("\n");
}

mdl::Hardware TpuV1() {
  mdl::Hardware h = mdl::Hardware::Defaults();
  using P = mdl::HwParam;
  h[P::kPeRows] = 256;
  h[P::kPeCols] = 256;
  h[P::kInterconnect] = 1;
  h[P::kRfWeightBytes] = 2;
  h[P::kRfInputBytes] = 1;
  h[P::kRfPsumBytes] = 4;
  h[P::kGlbKib] = 24576;
  h[P::kGlbWordsPerCycle] = 256;
  h[P::kNocWordsPerCycle] = 512;
  h[P::kClockMhz] = 700;
  h[P::kBitsWeight] = 8;
  h[P::kBitsAct] = 8;
  h[P::kBitsPsum] = 32;
  h[P::kEnergyModel] = 1;
  h[P::kTechNode] = 2;  // 28nm
  h[P::kDramType] = 1;  // ddr3
  h[P::kDramChannels] = 2;
  h[P::kAreaNocUm2PerPe] = 0;
  h[P::kAreaFixedMm2] = 0;
  return h;
}

void PhysicalSection() {
  namespace d = trim::model::detail;
  std::printf("## 8. Physical technology model (docs/model.md section 23)\n\n");
  std::printf(
      "No constant below is fitted to a chip's measurement: every cost comes from the cited "
      "tables of docs/model.md section 23. Tests: `Tech.*` in tests/model/tech_test.cpp.\n\n");
  const auto net = tt::AlexNetConv();
  const auto run = tt::RunPoint(net, tt::EyerissV1Physical(), trim::Dataflow::kRS, 4);
  const double chip = tt::ChipPowerMw(run), all = tt::PowerMw(run);
  const double lat = tt::Col(run, ResultCol::kLatencyS);
  std::printf(
      "**Eyeriss v1, AlexNet CONV1-5, batch 4, RS, 200 MHz, 1 V** (`eyeriss-v1` preset, 65 nm, "
      "DRAM hidden, latency %.1f ms). The chip's 278 mW (JSSC 2017) is measured on the chip; "
      "DRAM is off chip.\n\n| Quantity | Chip | Model | Error |\n|---|---|---|---|\n",
      lat * 1e3);
  std::printf("| Power without DRAM | 278 mW | %.0f mW | %+.0f%% |\n", chip,
              Pct(chip, tt::kEyerissPowerMw));
  std::printf("| Power with DRAM | - | %.0f mW | |\n\n", all);
  const auto hv = d::MakeHwView(tt::EyerissV1Physical(), mdl::ModelOptions::Defaults());
  std::printf("| Component | Energy (mJ) | Power (mW) |\n|---|---|---|\n");
  const std::pair<const char*, ResultCol> parts[] = {{"MAC", ResultCol::kEnergyMacPj},
                                                     {"RF", ResultCol::kEnergyRfPj},
                                                     {"NoC", ResultCol::kEnergyNocPj},
                                                     {"GLB", ResultCol::kEnergyGlbPj},
                                                     {"DRAM", ResultCol::kEnergyDramPj}};
  for (const auto& [name, col] : parts) {
    const double e = tt::Col(run, col);
    std::printf("| %s | %.2f | %.1f |\n", name, e * 1e-9, e * 1e-12 / lat * 1e3);
  }
  // energy_leak_pj holds leakage and the clock network; the clock is clk_w over the latency.
  const double clk_pj = hv.clk_w * lat * 1e12;
  const double leak_pj = tt::Col(run, ResultCol::kEnergyLeakPj) - clk_pj;
  std::printf("| clock network | %.2f | %.1f |\n", clk_pj * 1e-9, hv.clk_w * 1e3);
  std::printf("| leakage | %.2f | %.1f |\n", leak_pj * 1e-9, leak_pj * 1e-12 / lat * 1e3);
  std::printf("| modelled area | %.2f mm^2 (chip core 12.25 mm^2) | |\n\n",
              tt::Col(run, ResultCol::kAreaMm2));
  const double regs = d::ClockedRegsPerPe(tt::EyerissV1Physical());
  const bool within = std::abs(Pct(chip, tt::kEyerissPowerMw)) <= 30.0;
  std::printf(
      "The model is %+.0f%% from the measured power, %s the 30%% target, with no factor fitted "
      "to the chip. The clock network counts %.0f clocked registers per PE (16-bit operand, "
      "weight and accumulator registers, 36 clock-gating cells for the 12 + 24 words of the "
      "flip-flop ifmap and psum scratch pads, one word at each of the four NoC ports) at "
      "%.4f pJ per register and cycle (Aladdin's 40 nm register scaled to 65 nm, 1 V) plus a "
      "clock wire of one pitch per PE; the flip-flop scratch pads also set the RF energy and "
      "area. Still not modelled: the PE control and FIFO logic beyond one word per port, the "
      "run-length codec, the top-level control and the I/O pads (part of the chip's supply "
      "current), and the zero gating of the chip (it skips the MAC and scratch-pad reads of "
      "zero activations, which the model charges).\n\n",
      Pct(chip, tt::kEyerissPowerMw), within ? "inside" : "outside", regs, d::RegBitPj(65, 1.0));

  std::printf(
      "**Memories against published points not used in the fits.**\n\n| Point | Published "
      "| Model | Error |\n|---|---|---|---|\n");
  const double keckler = d::SramBitPj45(8192) * d::NodeEnergyScale(40, 0.9) * 256;
  std::printf(
      "| 256-bit access of an 8 KB SRAM, 40 nm (Keckler et al., IEEE Micro 2011) | 50 pJ | "
      "%.1f pJ | %+.0f%% |\n",
      keckler, Pct(keckler, 50));
  const double glb_rf = hv.eb_glb / hv.eb_rf_w;
  std::printf(
      "| Eyeriss GLB (108 KB) / 0.5 KB RF access energy (Chen et al., ISCA 2016) | 6 | %.1f | "
      "%+.0f%% |\n",
      glb_rf, Pct(glb_rf, 6));
  const double glb_mac = hv.eb_glb * 16 / d::PhysicalMacPj(hv, 16, 16);
  std::printf("| Eyeriss GLB access / 16-bit MAC (ISCA 2016) | 6 | %.1f | %+.0f%% |\n", glb_mac,
              Pct(glb_mac, 6));
  const double cell[3][2] = {{28, 0.127}, {16, 0.07}, {7, 0.027}};
  const char* who[3] = {"TSMC 28 nm", "TSMC 16 nm FinFET", "TSMC 7 nm"};
  for (int i = 0; i < 3; ++i) {
    const double m = 0.346 * d::NodeAreaScale(cell[i][0]);
    std::printf("| 6T bitcell, %s | %.3f um^2 | %.3f um^2 | %+.0f%% |\n", who[i], cell[i][1], m,
                Pct(m, cell[i][1]));
  }
  const double ub = d::NodeAreaScale(28) * d::SramAreaUm2_45(24.0 * 1024 * 1024) * 1e-6;
  std::printf(
      "| TPU v1 unified buffer, 24 MiB, 28 nm: 29%% of a die under 331 mm^2 (Jouppi et al., "
      "ISCA 2017) | under 96 mm^2 | %.0f mm^2 | %+.0f%% of 96 mm^2 |\n\n",
      ub, Pct(ub, 96.0));

  std::printf(
      "**TPU-v1-like preset** (`tpu-v1`: 28 nm, nominal 0.9 V, two DDR3 channels, weight "
      "stationary, batch 8). Jouppi et al. (ISCA 2017, Table 2) report 40 W busy and 28 W idle "
      "per TPU die (TDP 75 W); the model's power is:\n\n| Network | Power (W, error vs 40 W) | of "
      "which "
      "leakage (W) | of which clock (W) | Latency (ms) |\n|---|---|---|---|---|\n");
  const auto tv = d::MakeHwView(TpuV1(), mdl::ModelOptions::Defaults());
  double lo = 1e300, hi = 0;
  for (const char* name : {"resnet50", "bert-base"}) {
    const auto tn = trim::net::BuiltinNetwork(name);
    if (!tn) continue;
    const auto r = tt::RunPoint(*tn, TpuV1(), trim::Dataflow::kWS, 8);
    const double l = tt::Col(r, ResultCol::kLatencyS);
    const double w = tt::Col(r, ResultCol::kPowerW);
    lo = std::min(lo, w);
    hi = std::max(hi, w);
    std::printf("| %s | %.1f (%+.0f%%) | %.2f | %.2f | %.2f |\n", name, w, Pct(w, 40.0),
                tt::Col(r, ResultCol::kEnergyLeakPj) * 1e-12 / l - tv.clk_w, tv.clk_w, l * 1e3);
  }
  std::printf(
      "\nThe model is %.2fx-%.2fx below the published busy power (errors against 40 W in the "
      "table). The clock network counts %.0f clocked registers per PE (8-bit weight and input, "
      "32-bit accumulator, four clock-gating cells for the weight double buffer, input latch "
      "and partial sum) over 65,536 PEs at 700 MHz. Not modelled: the 4 MiB accumulators "
      "beyond their per-access energy, the activation pipeline, the host interface, the DDR3 "
      "controllers and PHYs and the clock buffers; the published 28 W idle power (clock and "
      "leakage of the whole die) compares with the model's %.1f W of clock and leakage.\n\n",
      40.0 / hi, 40.0 / lo, d::ClockedRegsPerPe(TpuV1()), tv.leak_w);

  std::printf(
      "**Buffer sweep** (`eyeriss-v1`, AlexNet CONV1-5, batch 4, RS; test "
      "`Tech.TheLowestEnergyBufferLiesInsideTheSweep`): the buffer's energy per access, area "
      "and leakage grow with its capacity while DRAM traffic falls, so the lowest total lies "
      "inside the range.\n\n| GLB (KiB) | GLB pJ/bit | Area (mm^2) | Leakage (mW) | DRAM (MB) | "
      "Energy (mJ) |\n|---|---|---|---|---|---|\n");
  for (double kib : {64.0, 128.0, 256.0, 512.0, 1024.0, 2048.0, 4096.0}) {
    mdl::Hardware h = tt::EyerissV1Physical();
    h[mdl::HwParam::kGlbKib] = kib;
    const auto v = d::MakeHwView(h, mdl::ModelOptions::Defaults());
    const auto r = tt::RunPoint(net, h, trim::Dataflow::kRS, 4);
    std::printf("| %.0f | %.3f | %.2f | %.1f | %.2f | %.2f |\n", kib, v.eb_glb,
                tt::Col(r, ResultCol::kAreaMm2), (v.leak_w - v.clk_w) * 1e3,
                tt::Col(r, ResultCol::kDramBytes) / 1e6, tt::Col(r, ResultCol::kEnergyPj) * 1e-9);
  }
  std::printf("\n");

  std::printf(
      "**Curves** (nominal supply; energy per bit of one access, area per KiB, leakage per "
      "KiB):\n\n| Node | Capacity | pJ/bit | mm^2/KiB | uW/KiB |\n|---|---|---|---|---|\n");
  for (double nm : {65.0, 28.0, 7.0}) {
    for (double kib : {0.0625, 1.0, 64.0, 1024.0}) {
      const double v = d::NominalVdd(nm);
      const double area = d::NodeAreaScale(nm) * d::SramAreaUm2_45(1024.0) * 1e-6;
      std::printf("| %.0f nm | %g KiB | %.4f | %.5f | %.2f |\n", nm, kib,
                  d::SramBitPj45(kib * 1024) * d::NodeEnergyScale(nm, v), area,
                  d::LeakWPerMm2(nm, v) * area * 1e6);
    }
  }
  std::printf("\n");
}

int main() {
  std::printf(
      "# Validation of the TRIM model\n\n"
      "Generated by `build-model/bin/model_validation > docs/validation.md` (target "
      "`model_validation`, source tests/model/validation_main.cpp); every number below is "
      "also asserted by `model_test` (`ctest -R Eyeriss|Systolic|DataflowCases|Invariants`). "
      "Do not edit by hand.\n\n");
  EyerissSection();
  std::printf(
      "**Latency with DRAM hidden.** Within 15%% in total and in every layer (tested). "
      "CONV1 (stride 4, 11 x 11 filters, 227-wide rows) is bound by its 16-bit ifmap network: "
      "the row-stationary passes read 3.2 M input words, one per cycle, while the array "
      "computes for 2.9 M cycles; the other layers are bound by the array and the pass "
      "overheads, which no scratch pad of the chip can hide (CONV3: p = 24 filters x q = 3 "
      "channels x S = 3 fill 216 of the 224 filter words, so the next pass cannot be "
      "loaded during this one). Without the networks and the overheads (first column of the "
      "last table) the model is too fast in every layer.\n\n"
      "**Latency with DRAM serialized.** Serializing every DRAM transfer after the layer's "
      "on-chip time is an upper bound, not a prediction: at 0.48 GB/s the chip's own 15.4 MB "
      "would take 32 ms, yet its total latency exceeds its processing latency by only 11.8 "
      "ms, so the chip overlaps most of its DRAM traffic with processing. The model's "
      "serialized latency is the hidden one plus its DRAM bytes at 0.48 GB/s (tested), "
      "above the chip's 115.3 ms by its DRAM traffic excess (below) and the overlap the chip "
      "achieves. It does not meet 15%%, and is not meant to.\n\n"
      "**Latency with DRAM double-buffered.** The mechanism between the two bounds: the "
      "108 KB buffer works as two 54 KB halves, the link fills one while the array computes "
      "on the other, and only the first tile's reads and the last tile's writes of each layer "
      "are exposed (docs/model.md, section 6.1). Nothing is fitted: the halves follow from "
      "the buffer size, the exposed transfers from the tiles the search chooses for 54 KB. "
      "The total is within 15%% of the chip's total latency (tested: "
      "`Eyeriss.AlexNetLatencyDoubleBufferedWithinFifteenPercentOfTheTotal`). Per layer it is "
      "less close. CONV1 holds no fold-filling tile in 54 KB, so it takes the whole buffer "
      "with serial transfers and keeps the serialized latency (the model's CONV1 traffic is "
      "1.5x the chip's). In CONV2-5 the exposed tiles cost about 0.1 ms each and the rest of "
      "the traffic (up to 7.3 MB, 15 ms in CONV2) hides behind the array. CONV2 even runs below "
      "its "
      "DRAM-hidden figure: on the halves the RS mapping search (docs/model.md section 3) takes "
      "p = 12, q = 1, whose scratch pads double-buffer, faster there than the largest p = 22, "
      "q = 2 that the whole-buffer run keeps. Only in CONV5 do the "
      "halves cost more: its 54 KB tiles split the channels finely (64 channel tiles of 3), "
      "the partial sums of 63 of them return over the 64-bit psum network, and that network, "
      "not the array, binds the layer (11.1 to 13.9 ms against the chip's 10.5 ms). The chip "
      "keeps its psums in the scratch pads and the buffer differently from the model's "
      "tiling; that, and its compressed feature maps, are not modelled.\n\n"
      "**DRAM traffic.** The model's traffic is above the chip's because Eyeriss "
      "run-length-compresses feature maps on the DRAM link (zeros after ReLU; JSSC 2017 "
      "reports 1.2x-1.9x on AlexNet feature maps) and the model moves them uncompressed, and "
      "because the model stages filters in the 108 KB buffer with the feature maps, which "
      "shrinks its tiles (CONV1 reads its input three times). The test requires the model "
      "to be above 0.0029 accesses per MAC and below twice it.\n\n"
      "**Buffer accesses** count the array's reads and writes of filters, ifmaps and psums "
      "plus the DRAM fills and write-backs, as the chip's counters do; in total the model is "
      "close, per layer it moves psums through the buffer more often than the chip in CONV2 "
      "(c tiles of 2 channels) and less in CONV4.\n\n"
      "**Power.** The normalized table (one unit = one 16-bit MAC) gives no joules, so 278 mW "
      "is compared in section 8 with the `eyeriss-v1` preset under the physical model; the "
      "ordering of dataflows is checked here (section 2).\n\n");
  EnergySection();
  SystolicSection();
  DataflowSection();
  std::printf(
      "## 5. Invariants (tests/model/invariants_test.cpp)\n\n"
      "3,000 random single layers (convolutions with strides, padding, groups and depthwise; "
      "fully connected; pooling; element-wise) on random designs (array 1-64 x 1-64, 1-4 "
      "MACs per PE, multicast or systolic, register files including zero, shared or split "
      "buffers of 1 KiB-4 MiB, bandwidths, clocks, buffer-to-array networks of 0-256 bits on "
      "the core clock or their own, 4-16-bit operands) and random dataflows "
      "including `best`, seed 20240601. For every feasible point:\n\n"
      "- latency >= roofline_s = max(MACs / peak, compulsory DRAM bytes / bandwidth), per "
      "layer and in total;\n"
      "- energy >= MACs x MAC energy (with the operand-width scaling);\n"
      "- 0 < utilization <= 1;\n"
      "- doubling the DRAM bandwidth never increases latency (fixed dataflow; RS under "
      "`select = \"latency\"`, since its mapping follows the criterion);\n"
      "- doubling the width of every buffer-to-array network never increases latency (as "
      "above) and leaves the buffer accesses unchanged (fixed dataflow other than RS);\n"
      "- the RS mapping the costs choose is never worse under `select` than the largest p, q "
      "(every built-in network on `eyeriss-v1`, inference and training, all four criteria; "
      "test `Eyeriss.RowStationaryCandidatesNeverLoseToTheLargestMapping`);\n"
      "- doubling the buffer (all partitions) never increases DRAM traffic (fixed dataflow "
      "other than RS), "
      "and on AlexNet CONV3 a buffer sweep 1 KiB-8 MiB is monotone for all five dataflows "
      "and ends at the compulsory traffic (tiles shrunk below one fold included);\n"
      "- every infeasible point (rf_too_small, glb_too_small, shape_mismatch, "
      "zero_bandwidth) holds zeros in every column, and no column is ever NaN or infinite;\n"
      "- `Evaluate` (batch) and `EvaluatePoint` give bitwise-identical columns on random "
      "batches for all six dataflow choices.\n\n");
  InterLayerSection();
  FusionSection();
  PhysicalSection();
  return 0;
}
