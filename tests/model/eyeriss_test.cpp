// Validation against the Eyeriss v1 chip (Chen et al., IEEE JSSC 2017) on AlexNet CONV1-5,
// batch 4, row stationary, 200 MHz: 115.3 ms per batch, 103.5 ms with DRAM transfers hidden,
// 0.0029 DRAM accesses per MAC. Also checks that the preset files describe the same design as
// the fixture, and the ISCA 2016 finding that RS spends the least energy on AlexNet.
#include "eyeriss.hpp"

#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <cmath>
#include <string>

#include "layer_cost.hpp"
#include "network.hpp"
#include "trim/net/zoo.hpp"

namespace trim::model {
namespace {

using testing::Col;

TEST(Eyeriss, AlexNetLatencyWithDramHiddenWithinFifteenPercent) {
  const auto run = testing::RunEyeriss();
  ASSERT_EQ(run.overlap.status, Status::kOk);
  ASSERT_EQ(run.overlap.rows.size(), 5u);
  // DRAM hidden vs the chip's processing latency: 103.5 ms in total, and every layer.
  const double hidden_ms = Col(run.overlap, ResultCol::kLatencyS) * 1e3;
  EXPECT_NEAR(hidden_ms, testing::kEyerissNoDramMs, 0.15 * testing::kEyerissNoDramMs);
  for (int l = 0; l < 5; ++l) {
    const auto& chip = testing::kEyerissLayers[l];
    EXPECT_NEAR(run.overlap.rows[l].latency_s * 1e3, chip.processing_ms, 0.15 * chip.processing_ms)
        << chip.name;
  }
}

TEST(Eyeriss, AlexNetLatencyWithDramSerializedIsAnUpperBound) {
  // With every DRAM transfer serialized the model is an upper bound on the chip's 115.3 ms,
  // which overlaps most of its traffic with processing. In every layer the on-chip time
  // exceeds the DRAM time, so serial - hidden is exactly the DRAM bytes over the 0.48 GB/s
  // link (64 bits x 60 MHz).
  const auto run = testing::RunEyeriss();
  ASSERT_EQ(run.serial.status, Status::kOk);
  const double hidden_s = Col(run.overlap, ResultCol::kLatencyS);
  const double serial_s = Col(run.serial, ResultCol::kLatencyS);
  EXPECT_GT(serial_s * 1e3, testing::kEyerissBatchMs);
  const double dram_s = Col(run.serial, ResultCol::kDramBytes) / 0.48e9;
  EXPECT_NEAR(serial_s - hidden_s, dram_s, 1e-9 * serial_s);
}

TEST(Eyeriss, AlexNetLatencyDoubleBufferedWithinFifteenPercentOfTheTotal) {
  // overlap = "double_buffer" (docs/model.md, section 6.1): the 108 KB buffer as two 54 KB
  // halves. Nothing is fitted: the halves follow from the buffer size, the exposed transfers
  // from the tiles the search chooses. The total lies within 15% of the chip's 115.3 ms.
  // CONV1 holds no fold-filling tile in 54 KB (its fold of psums over 55-wide rows), so it
  // takes the whole buffer with serial transfers; CONV2-5 run on the halves, each below its
  // DRAM-serialized latency. (Not always above its DRAM-hidden one: the RS mapping is chosen per
  // schedule, docs/model.md "RS mapping search"; on the halves CONV2 takes its candidate
  // p = 12, q = 1 (34.3 ms), faster there than the largest p = 22, q = 2 that the whole-buffer
  // run keeps (37.2 ms).)
  const auto run = testing::RunEyeriss();
  const auto db = testing::RunEyerissDoubleBuffer();
  ASSERT_EQ(db.status, Status::kOk);
  ASSERT_EQ(db.rows.size(), 5u);
  const double db_ms = Col(db, ResultCol::kLatencyS) * 1e3;
  EXPECT_NEAR(db_ms, testing::kEyerissBatchMs, 0.15 * testing::kEyerissBatchMs);
  EXPECT_DOUBLE_EQ(db.rows[0].latency_s, run.serial.rows[0].latency_s);
  for (int l = 1; l < 5; ++l) EXPECT_LT(db.rows[l].latency_s, run.serial.rows[l].latency_s) << l;
}

TEST(Eyeriss, ActivePesMatchTheChipMapping) {
  // Eyeriss maps CONV1 on 11 x 14 = 154 PEs and CONV3-5 on 4 sets of 3 x 13 = 156 PEs
  // (JSSC 2017); CONV2 here folds 5 x 27 into two 5 x 14 sets = 140 PEs (the chip: 135).
  const auto run = testing::RunEyeriss();
  ASSERT_EQ(run.overlap.rows.size(), 5u);
  EXPECT_DOUBLE_EQ(run.overlap.rows[0].active_pes, 154);
  EXPECT_DOUBLE_EQ(run.overlap.rows[1].active_pes, 140);
  for (int l = 2; l < 5; ++l) EXPECT_DOUBLE_EQ(run.overlap.rows[l].active_pes, 156);
}

TEST(Eyeriss, DramTrafficGapIsExplainedByCompression) {
  // The chip run-length-compresses feature maps (JSSC 2017 reports 1.2x - 1.9x on AlexNet
  // activations); the model moves them uncompressed, so it must sit above the chip's 0.0029
  // accesses/MAC, but within that compression factor plus the weight traffic.
  const auto run = testing::RunEyeriss();
  const double per_mac = testing::DramPerMac(run.overlap);
  EXPECT_GT(per_mac, testing::kEyerissDramPerMac);
  EXPECT_LT(per_mac, 2.0 * testing::kEyerissDramPerMac);
}

TEST(Eyeriss, RowStationaryHasTheLeastEnergy) {
  // ISCA 2016: RS is 1.4x - 2.5x more energy-efficient than WS, OS and NLR on AlexNet CONV.
  const double rs = Col(testing::RunEyeriss(Dataflow::kRS).overlap, ResultCol::kEnergyPj);
  for (auto df : {Dataflow::kWS, Dataflow::kOS, Dataflow::kNLR}) {
    const double other = Col(testing::RunEyeriss(df).overlap, ResultCol::kEnergyPj);
    EXPECT_GT(other / rs, 1.2) << Name(df);
    EXPECT_LT(other / rs, 3.0) << Name(df);
  }
}

/// Every parameter a preset (and its technology table) sets, as a design.
Hardware LoadPreset(const std::string& name) {
  const std::string dir = std::string(TRIM_SOURCE_DIR) + "/configs/";
  Hardware h = Hardware::Defaults();
  auto apply = [&h](const toml::table& t, const std::string& file) {
    for (const auto& [section, node] : t) {
      const auto* sec = node.as_table();
      if (sec == nullptr) continue;
      for (const auto& [key, value] : *sec) {
        const auto* info = FindHwParam(key.str());
        if (info == nullptr || info->section != section.str()) {
          ADD_FAILURE() << file << ": unknown parameter " << section.str() << "." << key.str();
          continue;
        }
        if (const auto* s = value.as_string()) {
          double index = -1;
          for (std::size_t i = 0; i < info->choices.size(); ++i) {
            if (info->choices[i] == s->get()) index = static_cast<double>(i);
          }
          EXPECT_GE(index, 0) << file << ": " << key.str();
          h[info->id] = index;
        } else {
          h[info->id] = value.value<double>().value_or(-1);
        }
      }
    }
  };
  const toml::table hw = toml::parse_file(dir + "hardware/" + name + ".toml");
  if (const auto tech = hw["technology"].value<std::string>()) {
    const toml::table e = toml::parse_file(dir + "energy/" + *tech + ".toml");
    EXPECT_TRUE(e["source"].is_string()) << *tech;
    apply(e, *tech);
  }
  apply(hw, name);
  return h;
}

TEST(Eyeriss, PresetFileMatchesTheFixture) {
  // The fixture is the design with the normalized ISCA 2016 table.
  const Hardware file = LoadPreset("eyeriss-v1-normalized");
  const Hardware fixture = testing::EyerissV1();
  for (const auto& p : HwParams()) {
    if (p.section == "area") continue;  // the fixture does not model area
    EXPECT_EQ(file[p.id], fixture[p.id]) << p.name;
  }
  // Area of the preset adds up to the 12.25 mm^2 core (the calibration of eyeriss-65nm).
  Evaluator ev(ModelOptions::Defaults());
  const auto net = testing::AlexNetConv();
  const auto rep = ev.EvaluatePoint(Workload{&net, Mode::kInference, 4, Dataflow::kRS}, file);
  EXPECT_NEAR(Col(rep, ResultCol::kAreaMm2), 12.25, 0.1);
}

TEST(Eyeriss, EveryPresetEvaluates) {
  const auto net = testing::AlexNetConv();
  for (const char* name : {"eyeriss-v1", "eyeriss-v1-normalized", "tpu-v1", "edge", "fpga"}) {
    const Hardware hw = LoadPreset(name);
    Evaluator ev(ModelOptions::Defaults());
    const auto rep = ev.EvaluatePoint(Workload{&net, Mode::kInference, 4, Dataflow::kBest}, hw);
    EXPECT_EQ(rep.status, Status::kOk) << name;
    EXPECT_GT(Col(rep, ResultCol::kThroughputSps), 0) << name;
    const bool fpga = hw[HwParam::kTarget] > 0.5;
    EXPECT_EQ(Col(rep, ResultCol::kDsp) > 0, fpga) << name;
    EXPECT_EQ(Col(rep, ResultCol::kAreaMm2) > 0, !fpga) << name;
  }
}

TEST(Eyeriss, RowStationaryMapsEveryBuiltinNetwork) {
  // Row stationary on the Eyeriss v1 preset evaluates every layer of every built-in network,
  // inference (batch 4) and training (batch 4): tiles shrink below one fold when the 108 KiB
  // buffer (54 KiB in training, half held for the stash) cannot hold a fold's psums, and
  // filter rows wider than the 12-word ifmap pad (ViT's 16 x 16 patches) are folded.
  const Hardware hw = LoadPreset("eyeriss-v1");
  for (std::string_view name : net::BuiltinNetworkNames()) {
    const auto net = net::BuiltinNetwork(name);
    ASSERT_TRUE(net.has_value()) << name;
    for (Mode mode : {Mode::kInference, Mode::kTraining}) {
      Evaluator ev(ModelOptions::Defaults());
      const auto rep = ev.EvaluatePoint(Workload{&*net, mode, 4, Dataflow::kRS}, hw);
      EXPECT_EQ(rep.status, Status::kOk) << name << (mode == Mode::kTraining ? " training" : "");
      for (const auto& row : rep.rows) {
        EXPECT_EQ(row.status, Status::kOk) << name << " layer " << row.layer;
        if (row.status != Status::kOk) break;
      }
      EXPECT_GT(Col(rep, ResultCol::kLatencyS), 0) << name;
    }
  }
}

TEST(Eyeriss, RowStationaryCandidatesNeverLoseToTheLargestMapping) {
  // Every built-in network on the eyeriss-v1 preset, inference and training (batch 4), under
  // each criterion of option `select`: every layer-phase part maps (no infeasibility), and
  // the RS mapping the cost stage takes is never worse under that criterion than the mapping
  // with the largest p and q (the LayerMap's own fields, costed alone), strictly better
  // somewhere (the search matters on this chip), and within the candidate bound.
  const Hardware hw = LoadPreset("eyeriss-v1");
  int better = 0, parts = 0;
  for (std::string_view name : net::BuiltinNetworkNames()) {
    const auto net = net::BuiltinNetwork(name);
    ASSERT_TRUE(net.has_value()) << name;
    for (Mode mode : {Mode::kInference, Mode::kTraining}) {
      for (int sel = 0; sel < 4; ++sel) {
        ModelOptions opt = ModelOptions::Defaults();
        opt[Option::kSelect] = sel;
        const Workload work{&*net, mode, 4, Dataflow::kRS};
        Evaluator::Plan plan;
        detail::BuildPlan(work, opt, &plan);
        const auto view = detail::MakeHwView(hw, opt);
        detail::Trace trace;
        ASSERT_EQ(detail::WalkNetwork(plan, work, opt, view, nullptr, &trace), Status::kOk)
            << name << " mode " << static_cast<int>(mode) << " layer " << trace.failure.layer;
        for (const auto& part : trace.parts) {
          ASSERT_EQ(part.map.status, Status::kOk);
          ASSERT_LE(part.map.n_alt, detail::kRsAlternatives);
          if (part.map.kind != detail::MapKind::kMac) continue;
          detail::LayerMap largest = part.map;
          largest.n_alt = 0;
          const auto s = static_cast<detail::Select>(sel);
          const double chosen = detail::Criterion(
              detail::CostLayer(part.map, view, part.spill_bits, part.compulsory_bytes), s);
          const double old = detail::Criterion(
              detail::CostLayer(largest, view, part.spill_bits, part.compulsory_bytes), s);
          EXPECT_LE(chosen, old) << name << " select " << sel;
          better += chosen < old ? 1 : 0;
          ++parts;
        }
      }
    }
  }
  EXPECT_GT(better, 0);
  EXPECT_GT(parts, 0);
}

TEST(Eyeriss, OnlyRowStationaryHasCandidates) {
  // The other dataflows map exactly as before: one mapping, no RS fields (their results do
  // not change; the cost stage has nothing to choose).
  const Hardware hw = LoadPreset("eyeriss-v1");
  const auto net = net::BuiltinNetwork("resnet18");
  ASSERT_TRUE(net.has_value());
  for (auto df : {Dataflow::kWS, Dataflow::kOS, Dataflow::kIS, Dataflow::kNLR}) {
    const ModelOptions opt = ModelOptions::Defaults();
    const Workload work{&*net, Mode::kTraining, 4, df};
    Evaluator::Plan plan;
    detail::BuildPlan(work, opt, &plan);
    detail::Trace trace;
    detail::WalkNetwork(plan, work, opt, detail::MakeHwView(hw, opt), nullptr, &trace);
    for (const auto& part : trace.parts) {
      EXPECT_EQ(part.map.n_alt, 0) << Name(df);
      EXPECT_EQ(part.map.rs_p, 0) << Name(df);
    }
  }
}

}  // namespace
}  // namespace trim::model
