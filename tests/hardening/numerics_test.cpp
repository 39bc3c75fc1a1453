// No NaN, infinity or overflow reaches a results file: the real model evaluated on designs at
// the registry's limits (model::HwParams() min and max), at tiny positive values the parser
// accepts (1e-307 GB/s), with zero-byte buffers, and on giant workloads (the largest
// images, sequences and batch sizes a job accepts, and a synthetic layer of 2^58 MACs). Every
// result column must be finite; a kOk row must be non-negative; any other row must hold zeros
// (the contract of model/columns.hpp) and a status the registry knows.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "trim/core/error.hpp"
#include "trim/model/columns.hpp"
#include "trim/model/evaluate.hpp"
#include "trim/model/hardware.hpp"
#include "trim/model/options.hpp"
#include "trim/net/zoo.hpp"

namespace trim::model {
namespace {

// Near the smallest normal double (2.2e-308): rates this small make cycle counts overflow.
constexpr double kTiny = 1e-307;

// Parameters whose registry minimum is 0 and that scale a rate or a capacity: a tiny positive
// value is accepted by the parser and must not overflow the model.
bool IsCapacityOrRate(const HwParamInfo& p) { return p.type == ParamType::kReal && p.min == 0.0; }

// Designs at the edges: the defaults; every parameter alone at its minimum, its maximum and
// (for rates and capacities) at 1e-307; everything at the minimum; everything at the maximum;
// and random mixtures of those edges with a fixed seed.
std::vector<Hardware> EdgeDesigns() {
  std::vector<Hardware> out;
  const Hardware base = Hardware::Defaults();
  out.push_back(base);
  Hardware all_min = base, all_max = base, all_tiny = base;
  for (const HwParamInfo& p : HwParams()) {
    for (double v : {p.min, p.max}) {
      Hardware h = base;
      h[p.id] = v;
      out.push_back(h);
    }
    all_min[p.id] = p.min;
    all_max[p.id] = p.max;
    if (IsCapacityOrRate(p)) {
      Hardware h = base;
      h[p.id] = kTiny;
      out.push_back(h);
      all_tiny[p.id] = kTiny;
    }
  }
  out.push_back(all_min);
  out.push_back(all_max);
  out.push_back(all_tiny);
  // The zero-byte buffers of the issue: no GLB at all, no register files, both.
  Hardware no_glb = base, no_rf = base;
  no_glb[HwParam::kGlbKib] = 0;
  no_rf[HwParam::kRfWeightBytes] = no_rf[HwParam::kRfInputBytes] = no_rf[HwParam::kRfPsumBytes] = 0;
  Hardware none = no_rf;
  none[HwParam::kGlbKib] = 0;
  out.insert(out.end(), {no_glb, no_rf, none});

  std::mt19937_64 rng(20240611);
  for (int k = 0; k < 60; ++k) {
    Hardware h = base;
    for (const HwParamInfo& p : HwParams()) {
      switch (rng() % 5) {
        case 0:
          h[p.id] = p.min;
          break;
        case 1:
          h[p.id] = p.max;
          break;
        case 2:
          h[p.id] = IsCapacityOrRate(p) ? kTiny : p.min;
          break;
        case 3: {  // log-uniform between max(min, 1) and max
          const double lo = std::log(std::max(p.min, 1.0)), hi = std::log(p.max);
          const double u = static_cast<double>(rng() % 1000001) / 1e6;
          double v = std::exp(lo + u * (hi - lo));
          if (p.type != ParamType::kReal) v = std::round(v);
          h[p.id] = std::clamp(v, p.min, p.max);
          break;
        }
        default:
          break;  // keep the default
      }
    }
    out.push_back(h);
  }
  return out;
}

HwBatch ToBatch(const std::vector<Hardware>& designs) {
  HwBatch b;
  b.Resize(designs.size());
  for (std::size_t i = 0; i < designs.size(); ++i) b.SetRow(i, designs[i]);
  return b;
}

struct Outcome {
  std::array<int, kNumStatus> status_counts{};
};

// Evaluates every design and checks the column contract; returns the status histogram.
Outcome CheckAll(const net::Network& network, std::int64_t batch, Mode mode, Dataflow dataflow,
                 const ModelOptions& options, const HwBatch& hw) {
  Evaluator ev(options);
  ResultBatch out;
  out.Resize(hw.size);
  Workload w;
  w.network = &network;
  w.batch = batch;
  w.mode = mode;
  w.dataflow = dataflow;
  ev.Evaluate(w, hw, out);
  Outcome o;
  const std::string what = network.name + " batch " + std::to_string(batch) + " " +
                           std::string(Name(mode)) + " " + std::string(Name(dataflow));
  for (std::size_t i = 0; i < hw.size; ++i) {
    const std::uint8_t st = out.status[i];
    EXPECT_LT(st, kNumStatus) << what << " design " << i;
    if (st >= kNumStatus) continue;
    ++o.status_counts[st];
    for (const ResultColInfo& c : ResultCols()) {
      const double v = out.col[static_cast<std::size_t>(c.id)][i];
      EXPECT_TRUE(std::isfinite(v))
          << what << " design " << i << " column " << c.name << " = " << v;
      if (st == static_cast<std::uint8_t>(Status::kOk)) {
        EXPECT_GE(v, 0.0) << what << " design " << i << " column " << c.name;
      } else {
        EXPECT_EQ(v, 0.0) << what << " design " << i << " column " << c.name << " (status "
                          << Name(static_cast<Status>(st)) << ")";
      }
    }
  }
  return o;
}

std::vector<ModelOptions> OptionSets() {
  ModelOptions trim = ModelOptions::Defaults();
  ModelOptions roof = trim;
  roof[Option::kEngine] = 1;  // roofline
  ModelOptions serial_spill = trim;
  serial_spill[Option::kOverlap] = 1;     // serial
  serial_spill[Option::kInterLayer] = 1;  // spill
  return {trim, roof, serial_spill};
}

constexpr Dataflow kDataflows[] = {Dataflow::kWS, Dataflow::kOS,  Dataflow::kIS,
                                   Dataflow::kRS, Dataflow::kNLR, Dataflow::kBest};

TEST(Numerics, EveryBuiltinNetworkAtTheEdgesStaysFinite) {
  const HwBatch hw = ToBatch(EdgeDesigns());
  for (std::string_view name : net::BuiltinNetworkNames()) {
    const auto network = net::BuiltinNetwork(name);
    ASSERT_TRUE(network.has_value()) << name;
    for (const ModelOptions& opt : OptionSets()) {
      for (Mode mode : {Mode::kInference, Mode::kTraining}) {
        for (Dataflow df : kDataflows) {
          (void)CheckAll(*network, 1, mode, df, opt, hw);
        }
      }
    }
  }
}

// The largest workloads a job accepts: batch 1048576 (the batch limit), the largest image each
// network takes and the longest sequences its position table allows.
TEST(Numerics, GiantWorkloadsStayFinite) {
  const HwBatch hw = ToBatch(EdgeDesigns());
  // The largest size each network accepts, found by halving from the job limits (image_size
  // up to 8192, seq_len up to 65536).
  auto largest = [](std::string_view name, bool sequence) {
    for (std::int64_t v = sequence ? 65536 : 8192; v >= 1; v /= 2) {
      net::NetworkParams p;
      (sequence ? p.seq_len : p.image_size) = v;
      try {
        if (auto n = net::BuiltinNetwork(name, p)) return *n;
      } catch (const ConfigError&) {
      }
    }
    ADD_FAILURE() << name << " accepts no size";
    return net::Network{};
  };
  const std::vector<net::Network> giants = {largest("resnet50", false), largest("vgg16", false),
                                            largest("vit-b16", false), largest("bert-base", true),
                                            largest("gpt2-small", true)};
  for (const net::Network& network : giants) {
    for (Mode mode : {Mode::kInference, Mode::kTraining}) {
      for (Dataflow df : {Dataflow::kRS, Dataflow::kBest}) {
        (void)CheckAll(network, 1048576, mode, df, ModelOptions::Defaults(), hw);
      }
    }
  }
}

// One convolution of 2^15 x 2^15 channels over a 2^14 x 2^14 image: 2^58 MACs per sample, and
// 2^78 with a batch of 2^20, far beyond any real layer but still exact in int64 per sample.
TEST(Numerics, SyntheticGiantLayerStaysFinite) {
  net::Network n;
  n.name = "giant";
  net::Layer l;
  l.name = "conv";
  l.kind = net::LayerKind::kConv;
  l.c = l.m = std::int64_t{1} << 15;
  l.h = l.w = std::int64_t{1} << 14;
  n.layers.push_back(l);
  ASSERT_EQ(n.macs(), std::int64_t{1} << 58);
  const HwBatch hw = ToBatch(EdgeDesigns());
  for (Mode mode : {Mode::kInference, Mode::kTraining}) {
    for (Dataflow df : kDataflows) {
      (void)CheckAll(n, 1048576, mode, df, ModelOptions::Defaults(), hw);
    }
  }
}

// The statuses of the plain cases, on AlexNet with the defaults otherwise.
TEST(Numerics, StatusCodesOfTheEdgeCases) {
  const auto alexnet = net::BuiltinNetwork("alexnet");
  ASSERT_TRUE(alexnet.has_value());
  auto status_of = [&](HwParam p, double v, Dataflow df) {
    Hardware h = Hardware::Defaults();
    h[p] = v;
    const HwBatch hw = ToBatch({h});
    const Outcome o = CheckAll(*alexnet, 1, Mode::kInference, df, ModelOptions::Defaults(), hw);
    for (std::size_t s = 0; s < kNumStatus; ++s) {
      if (o.status_counts[s] != 0) return static_cast<Status>(s);
    }
    return Status::kCount;
  };
  // No clock or no DRAM bandwidth: nothing can move.
  EXPECT_EQ(status_of(HwParam::kClockMhz, 0, Dataflow::kRS), Status::kZeroBandwidth);
  EXPECT_EQ(status_of(HwParam::kDramGbps, 0, Dataflow::kRS), Status::kZeroBandwidth);
  // A zero-byte global buffer cannot hold a single tile.
  EXPECT_EQ(status_of(HwParam::kGlbKib, 0, Dataflow::kRS), Status::kGlbTooSmall);
  // 1e-307 GB/s at 200 MHz is 5e-307 bytes per cycle: AlexNet's megabytes of DRAM traffic
  // would take more than 1e312 cycles, beyond the largest double (1.8e308).
  EXPECT_EQ(status_of(HwParam::kDramGbps, kTiny, Dataflow::kRS), Status::kNumericOverflow);
  // The defaults work.
  EXPECT_EQ(status_of(HwParam::kPeRows, 12, Dataflow::kRS), Status::kOk);
}

}  // namespace
}  // namespace trim::model
