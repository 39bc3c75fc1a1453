// Layer-phase evaluations per second on one core (docs/benchmarks.md), per dataflow and per
// layer kind, cold and warm:
//   cold: an Evaluator without caches, so every design maps every layer-phase afresh (the
//         tiling search runs each time);
//   warm: the caches on and a batch of designs that share one mapping group but differ in
//         DRAM bandwidth, clock and access energies (what a technology sweep looks like), so
//         the per-design work is the closed-form cost of the group's walk.
// items_per_second = designs x layer-phases per design.
//   build-perf/bin/trim_bench_model --benchmark_repetitions=3 --benchmark_report_aggregates_only
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "trim/model/evaluate.hpp"
#include "trim/net/zoo.hpp"

namespace {

using trim::Dataflow;
using trim::Mode;
using trim::model::Evaluator;
using trim::model::Hardware;
using trim::model::HwBatch;
using trim::model::HwParam;
using trim::model::ModelOptions;
using trim::model::ResultBatch;
using trim::model::Workload;
using trim::net::Layer;
using trim::net::LayerKind;
using trim::net::Network;

/// A 32 x 32 multicast array with Eyeriss-like RFs, a 512 KiB buffer, mixed precision.
Hardware Design() {
  Hardware h = Hardware::Defaults();
  h[HwParam::kPeRows] = 32;
  h[HwParam::kPeCols] = 32;
  h[HwParam::kMacsPerPe] = 1;
  h[HwParam::kRfWeightBytes] = 448;
  h[HwParam::kRfInputBytes] = 128;
  h[HwParam::kRfPsumBytes] = 48;
  h[HwParam::kGlbKib] = 512;
  h[HwParam::kGlbWordsPerCycle] = 16;
  h[HwParam::kNocWordsPerCycle] = 32;
  h[HwParam::kBitsWeight] = 16;
  h[HwParam::kBitsAct] = 16;
  h[HwParam::kBitsPsum] = 32;
  h[HwParam::kBitsGrad] = 16;
  h[HwParam::kBitsOpt] = 32;
  return h;
}

/// n designs of one mapping group: DRAM bandwidth, clock and energies vary; with `physical`,
/// the physical technology model with node, supply and DRAM preset varying instead of the
/// energy constants (docs/model.md section 23: derived once per design).
HwBatch Batch(std::size_t n, bool physical) {
  HwBatch b;
  b.Resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    Hardware h = Design();
    h[HwParam::kDramGbps] = 4.0 + static_cast<double>(i % 10) * 6.4;
    h[HwParam::kClockMhz] = 200.0 + static_cast<double>((i / 10) % 5) * 300.0;
    h[HwParam::kEnergyDramPj] = 100.0 + static_cast<double>((i / 50) % 10) * 20.0;
    h[HwParam::kEnergyGlbPj] = 3.0 + static_cast<double>((i / 500) % 5) * 1.5;
    if (physical) {
      h[HwParam::kEnergyModel] = 1;
      h[HwParam::kTechNode] = static_cast<double>((i / 50) % 5);
      h[HwParam::kDramType] = static_cast<double>(1 + (i / 250) % 8);
      h[HwParam::kGlbBanks] = static_cast<double>(1 + (i / 500) % 5);
    }
    b.SetRow(i, h);
  }
  return b;
}

Layer Conv(std::int64_t c, std::int64_t m, std::int64_t hw, std::int64_t k, std::int64_t stride,
           std::int64_t groups) {
  Layer l;
  l.kind = LayerKind::kConv;
  l.c = c;
  l.m = m;
  l.h = hw;
  l.w = hw;
  l.r = k;
  l.s = k;
  l.stride = stride;
  l.pad = k / 2;
  l.groups = groups;
  return l;
}

/// One-layer networks, one per layer kind (ResNet-50 and MobileNet-v2 shapes).
Network OneLayer(const std::string& kind) {
  Network n;
  n.name = kind;
  Layer l;
  if (kind == "conv3x3") l = Conv(256, 256, 14, 3, 1, 1);
  if (kind == "conv1x1") l = Conv(1024, 256, 14, 1, 1, 1);
  if (kind == "depthwise") l = Conv(144, 144, 56, 3, 2, 144);
  if (kind == "fc") {
    l.kind = LayerKind::kFc;
    l.c = 2048;
    l.m = 1000;
  }
  if (kind == "pool") {
    l.kind = LayerKind::kPool;
    l.c = l.m = 64;
    l.h = l.w = 112;
    l.r = l.s = 3;
    l.stride = 2;
    l.pad = 1;
  }
  if (kind == "eltwise") {
    l.kind = LayerKind::kEltwise;
    l.c = l.m = 256;
    l.h = l.w = 56;
    l.num_inputs = 2;
    l.inputs = {-1, -1};
  }
  n.layers = {l};
  return n;
}

void Run(benchmark::State& state, const Network& net, Dataflow df, bool warm,
         bool physical = false) {
  const Workload work{&net, Mode::kTraining, 16, df};
  Evaluator ev(ModelOptions::Defaults(), warm);
  const HwBatch hw = Batch(warm ? 2500 : 8, physical);
  ResultBatch out;
  out.Resize(hw.size);
  const auto rows = static_cast<std::int64_t>(ev.EvaluatePoint(work, hw.Row(0)).rows.size());
  ev.Evaluate(work, hw, out);  // warm: the group's walk is built here
  for (auto _ : state) {
    ev.Evaluate(work, hw, out);
    benchmark::DoNotOptimize(out.col[0].data());
  }
  if (out.status[0] != 0) state.SkipWithError("design infeasible");
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(hw.size) * rows);
  state.counters["layer_phases_per_design"] = static_cast<double>(rows);
}

}  // namespace

int main(int argc, char** argv) {
  static const Network resnet = *trim::net::BuiltinNetwork("resnet50");
  static std::vector<Network> kinds;
  for (const char* k : {"conv3x3", "conv1x1", "depthwise", "fc", "pool", "eltwise"}) {
    kinds.push_back(OneLayer(k));
  }
  for (int d = 0; d <= static_cast<int>(Dataflow::kBest); ++d) {
    const auto df = static_cast<Dataflow>(d);
    for (bool warm : {true, false}) {
      const std::string tag = std::string(trim::Name(df)) + (warm ? "/warm" : "/cold");
      benchmark::RegisterBenchmark(("Network/resnet50/" + tag).c_str(), [df, warm](
                                                                            benchmark::State& s) {
        Run(s, resnet, df, warm);
      })->Unit(benchmark::kMillisecond);
      for (const Network& n : kinds) {
        benchmark::RegisterBenchmark(("Layer/" + n.name + "/" + tag).c_str(),
                                     [&n, df, warm](benchmark::State& s) { Run(s, n, df, warm); })
            ->Unit(benchmark::kMicrosecond);
      }
    }
  }
  // The physical technology model's per-design derivation, against the table model above.
  for (bool warm : {true, false}) {
    const std::string tag = std::string("ws") + (warm ? "/warm" : "/cold") + "/physical";
    benchmark::RegisterBenchmark(("Network/resnet50/" + tag).c_str(), [warm](benchmark::State& s) {
      Run(s, resnet, Dataflow::kWS, warm, true);
    })->Unit(benchmark::kMillisecond);
    for (const Network& n : kinds) {
      benchmark::RegisterBenchmark(
          ("Layer/" + n.name + "/" + tag).c_str(),
          [&n, warm](benchmark::State& s) { Run(s, n, Dataflow::kWS, warm, true); })
          ->Unit(benchmark::kMicrosecond);
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
