// Successful parses: defaults, axis values of lists and ranges, precedence of the hardware
// sources, workload axes, goal and constraints, and file bookkeeping.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "job_test_util.hpp"
#include "trim/config/precision.hpp"
#include "trim/net/zoo.hpp"

namespace trim::config {
namespace {

using model::HwParam;
using testing::kHead;
using testing::MemFiles;

std::vector<double> AxisOf(std::string_view sweep_line) {
  const JobSpec spec =
      MemFiles().Parse(std::string(kHead) + "[sweep]\n" + std::string(sweep_line) + "\n");
  EXPECT_EQ(spec.hw_axes.size(), 1u);
  return spec.hw_axes.empty() ? std::vector<double>{} : spec.hw_axes[0].values;
}

TEST(JobParse, Defaults) {
  const std::string text(kHead);
  const JobSpec spec = MemFiles().Parse(text);
  EXPECT_EQ(spec.path, "jobs/t.toml");
  EXPECT_EQ(spec.text, text);
  EXPECT_EQ(spec.name, "t");  // the file stem
  EXPECT_EQ(spec.output, "t.h5");
  EXPECT_FALSE(spec.chunk.has_value());
  EXPECT_EQ(spec.hardware_name, "chip");
  EXPECT_EQ(spec.hardware_file, "cfg/hardware/chip.toml");
  EXPECT_EQ(spec.technology_file, "cfg/energy/tech.toml");
  EXPECT_TRUE(spec.hw_axes.empty());
  EXPECT_EQ(spec.dataflows, std::vector<Dataflow>{Dataflow::kRS});
  EXPECT_EQ(spec.modes, std::vector<Mode>{Mode::kInference});
  EXPECT_EQ(spec.batches, std::vector<std::int64_t>{1});
  ASSERT_EQ(spec.precisions.size(), 1u);
  EXPECT_EQ(spec.precisions[0].name, "template");
  EXPECT_EQ(spec.precisions[0].bits_weight, 0);
  ASSERT_EQ(spec.networks.size(), 1u);
  EXPECT_EQ(spec.networks[0].label, "alexnet");
  EXPECT_EQ(spec.networks[0].network.layers.size(), net::BuiltinNetwork("alexnet")->layers.size());
  EXPECT_GT(spec.networks[0].network.macs(), 0);
  EXPECT_EQ(spec.goal.column, "latency_s");
  EXPECT_FALSE(spec.goal.maximize);
  EXPECT_EQ(spec.goal.top, 5);
  EXPECT_TRUE(spec.constraints.empty());
  EXPECT_EQ(spec.model_options.choice, model::ModelOptions::Defaults().choice);
  // The job, hardware and technology files, each with its text.
  ASSERT_EQ(spec.sources.size(), 3u);
  EXPECT_EQ(spec.sources.at("jobs/t.toml"), text);
  EXPECT_EQ(spec.sources.count("cfg/hardware/chip.toml"), 1u);
  EXPECT_EQ(spec.sources.at("cfg/energy/tech.toml").substr(0, 13), "name = \"tech\"");
}

TEST(JobParse, PrecedenceDefaultsTechnologyHardware) {
  const JobSpec spec = MemFiles().Parse(kHead);
  const model::Hardware defaults = model::Hardware::Defaults();
  EXPECT_EQ(spec.base[HwParam::kPeRows], 16);                          // hardware file
  EXPECT_EQ(spec.base[HwParam::kPeCols], defaults[HwParam::kPeCols]);  // registry default
  EXPECT_EQ(spec.base[HwParam::kInterconnect], 1);                     // "systolic" is choice 1
  EXPECT_EQ(spec.base[HwParam::kGlbKib], 256);
  EXPECT_EQ(spec.base[HwParam::kEnergyDramPj], 100);  // hardware (100) over technology (150)
  EXPECT_EQ(spec.base[HwParam::kEnergyGlbPj], 5.5);   // technology over the default (6)
  EXPECT_EQ(spec.base[HwParam::kAreaMacUm2], 1000);   // technology
  EXPECT_EQ(spec.base[HwParam::kEnergyMacPj], defaults[HwParam::kEnergyMacPj]);
}

TEST(JobParse, JobKeys) {
  const JobSpec spec = MemFiles().Parse(
      "[job]\nname = \"my-sweep\"\nhardware = \"chip\"\noutput = \"out/r.h5\"\nchunk = 512\n"
      "[workload]\nnetworks = [\"alexnet\"]\n");
  EXPECT_EQ(spec.name, "my-sweep");
  EXPECT_EQ(spec.output, "out/r.h5");
  EXPECT_EQ(spec.chunk, 512u);
  const JobSpec named = MemFiles().Parse(
      "[job]\nname = \"q\"\nhardware = \"chip\"\nchunk = \"auto\"\n[workload]\n"
      "networks = [\"alexnet\"]\n");
  EXPECT_EQ(named.output, "q.h5");  // default output follows the name
  EXPECT_FALSE(named.chunk.has_value());
}

TEST(JobParse, GeometricRangeIsExactAndInclusive) {
  // 64 * 2^k for k = 0..4 reaches 1024 exactly.
  EXPECT_EQ(AxisOf("glb_kib = { start = 64, stop = 1024, factor = 2 }"),
            (std::vector<double>{64, 128, 256, 512, 1024}));
  // Integer parameter: 1, 3, 9, 27; 81 > 64 is not reached.
  EXPECT_EQ(AxisOf("pe_rows = { start = 1, stop = 64, factor = 3 }"),
            (std::vector<double>{1, 3, 9, 27}));
  // Real factor: 1.5 * 2^k up to 12.
  EXPECT_EQ(AxisOf("dram_gbps = { start = 1.5, stop = 12.0, factor = 2 }"),
            (std::vector<double>{1.5, 3, 6, 12}));
}

TEST(JobParse, ArithmeticRange) {
  // (32 - 8) / 4 + 1 = 7 values, stop reached.
  EXPECT_EQ(AxisOf("pe_cols = { start = 8, stop = 32, step = 4 }"),
            (std::vector<double>{8, 12, 16, 20, 24, 28, 32}));
  // 30 is not on the grid: the last value is 28.
  EXPECT_EQ(AxisOf("pe_cols = { start = 8, stop = 30, step = 4 }"),
            (std::vector<double>{8, 12, 16, 20, 24, 28}));
  EXPECT_EQ(AxisOf("pe_cols = { start = 5, stop = 5, step = 4 }"), (std::vector<double>{5}));
  EXPECT_EQ(AxisOf("glb_words_per_cycle = { start = 0.5, stop = 2, step = 0.5 }"),
            (std::vector<double>{0.5, 1, 1.5, 2}));
}

TEST(JobParse, RealRangeToleratesRounding) {
  // 0.1 + 2 * 0.1 = 0.30000000000000004 in binary: the stop 0.3 still counts as reached, and
  // the value is the stop itself.
  const std::vector<double> v = AxisOf("dram_gbps = { start = 0.1, stop = 0.3, step = 0.1 }");
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0], 0.1);
  EXPECT_EQ(v[1], 0.2);
  EXPECT_EQ(v[2], 0.3);
}

TEST(JobParse, LargestAllowedAxis) {
  // (1e7 - 1) / 1 + 1 = 1e7 values: exactly the limit.
  const std::vector<double> v = AxisOf("glb_kib = { start = 1, stop = 1e7, step = 1 }");
  ASSERT_EQ(v.size(), 10'000'000u);
  EXPECT_EQ(v.back(), 1e7);
}

TEST(JobParse, ListsKeepTheirOrder) {
  EXPECT_EQ(AxisOf("pe_rows = [16, 8, 12]"), (std::vector<double>{16, 8, 12}));
  EXPECT_EQ(AxisOf("interconnect = [\"systolic\", \"multicast\"]"), (std::vector<double>{1, 0}));
  EXPECT_EQ(AxisOf("glb_kib = [64, 96.5]"), (std::vector<double>{64, 96.5}));
}

TEST(JobParse, AxisOrderIsFileOrder) {
  // Alphabetical order would put glb_kib first; the file puts pe_rows first.
  const JobSpec spec = MemFiles().Parse(
      std::string(kHead) + "[sweep]\npe_rows = [8]\nglb_kib = [64]\ndram_gbps = [1]\n");
  ASSERT_EQ(spec.hw_axes.size(), 3u);
  EXPECT_EQ(spec.hw_axes[0].param, HwParam::kPeRows);
  EXPECT_EQ(spec.hw_axes[1].param, HwParam::kGlbKib);
  EXPECT_EQ(spec.hw_axes[2].param, HwParam::kDramGbps);
  EXPECT_EQ(spec.hw_axes[1].pos.file, "jobs/t.toml");
  EXPECT_EQ(spec.hw_axes[1].pos.line, 7);
  EXPECT_EQ(spec.hw_axes[1].pos.column, 1);
}

TEST(JobParse, WorkloadAxes) {
  const JobSpec spec = MemFiles().Parse(
      "[job]\nhardware = \"chip\"\n[workload]\n"
      "networks = [\"alexnet\", { name = \"alexnet\", image_size = 227, seq_len = 64 }]\n"
      "dataflows = [\"best\", \"ws\"]\nbatch = { start = 1, stop = 64, factor = 4 }\n"
      "mode = [\"training\", \"inference\"]\nprecision = [\"int8\", \"mixed\", \"template\"]\n");
  ASSERT_EQ(spec.networks.size(), 2u);
  // The label lists seq_len before image_size, whatever the order in the file.
  EXPECT_EQ(spec.networks[1].label, "alexnet:seq_len=64,image_size=227");
  EXPECT_EQ(spec.dataflows, (std::vector<Dataflow>{Dataflow::kBest, Dataflow::kWS}));
  EXPECT_EQ(spec.batches, (std::vector<std::int64_t>{1, 4, 16, 64}));
  EXPECT_EQ(spec.modes, (std::vector<Mode>{Mode::kTraining, Mode::kInference}));
  ASSERT_EQ(spec.precisions.size(), 3u);
  EXPECT_EQ(spec.precisions[0].name, "int8");
  EXPECT_EQ(spec.precisions[0].bits_weight, 8);
  EXPECT_EQ(spec.precisions[0].bits_psum, 32);
  EXPECT_EQ(spec.precisions[1].name, "mixed");
  EXPECT_EQ(spec.precisions[1].bits_act, 16);
  EXPECT_EQ(spec.precisions[1].bits_opt, 32);
  EXPECT_EQ(spec.precisions[2].name, "template");
  EXPECT_EQ(spec.precisions[2].bits_grad, 0);
}

TEST(JobParse, BitsAxisWithTemplatePrecisionIsFine) {
  const JobSpec spec = MemFiles().Parse(
      std::string(kHead) + "precision = [\"template\"]\n[sweep]\nbits_act = [8, 16]\n");
  ASSERT_EQ(spec.hw_axes.size(), 1u);
  EXPECT_EQ(spec.hw_axes[0].values, (std::vector<double>{8, 16}));
}

TEST(JobParse, GoalAliasesAndColumns) {
  const auto goal = [](std::string_view g) {
    return MemFiles().Parse(std::string(kHead) + "[goal]\n" + std::string(g) + "\n").goal;
  };
  EXPECT_EQ(goal("minimize = \"latency\"").column, "latency_s");
  EXPECT_EQ(goal("minimize = \"energy\"").column, "energy_pj");
  EXPECT_EQ(goal("minimize = \"edp\"").column, "edp_js");
  EXPECT_EQ(goal("minimize = \"area\"").column, "area_mm2");
  EXPECT_EQ(goal("minimize = \"power\"").column, "power_w");
  const Goal t = goal("maximize = \"throughput\"\ntop = 3");
  EXPECT_EQ(t.column, "throughput_sps");
  EXPECT_TRUE(t.maximize);
  EXPECT_EQ(t.top, 3);
  EXPECT_EQ(goal("minimize = \"dram_bytes\"").column, "dram_bytes");
}

TEST(JobParse, Constraints) {
  const JobSpec spec = MemFiles().Parse(
      std::string(kHead) +
      "[constraints]\npower_w = { max = 0.5 }\narea_mm2 = { min = 1, max = 20 }\n");
  ASSERT_EQ(spec.constraints.size(), 2u);
  EXPECT_EQ(spec.constraints[0].column, "power_w");  // file order
  EXPECT_FALSE(spec.constraints[0].min.has_value());
  EXPECT_EQ(spec.constraints[0].max, 0.5);
  EXPECT_EQ(spec.constraints[1].column, "area_mm2");
  EXPECT_EQ(spec.constraints[1].min, 1.0);
  EXPECT_EQ(spec.constraints[1].max, 20.0);
  EXPECT_EQ(spec.constraints[1].pos.line, 7);
}

TEST(JobParse, ModelOptions) {
  const JobSpec spec =
      MemFiles().Parse(std::string(kHead) + "[model]\noverlap = \"serial\"\nengine = \"trim\"\n");
  EXPECT_EQ(spec.model_options[model::Option::kOverlap], 1);
  EXPECT_EQ(spec.model_options[model::Option::kEngine], 0);
}

TEST(JobParse, HardwareFileRelativeToJobAndTechnologyRelativeToHardware) {
  MemFiles fs;
  fs.Set("hw/x.toml", "technology = \"../tech/t.toml\"\n[array]\npe_cols = 20\n");
  fs.Set("tech/t.toml", "source = \"test\"\n[energy]\ne_mac_pj = 0.25\n");
  const JobSpec spec =
      fs.Parse("[job]\nhardware = \"../hw/x.toml\"\n[workload]\nnetworks = [\"alexnet\"]\n");
  EXPECT_EQ(spec.hardware_file, "hw/x.toml");
  EXPECT_EQ(spec.technology_file, "tech/t.toml");
  EXPECT_EQ(spec.base[HwParam::kPeCols], 20);
  EXPECT_EQ(spec.base[HwParam::kEnergyMacPj], 0.25);
  EXPECT_EQ(spec.sources.count("tech/t.toml"), 1u);
}

TEST(JobParse, LoadJobReadsThroughTheReader) {
  MemFiles fs;
  fs.Set("jobs/a.toml", std::string(kHead));
  const JobSpec spec = LoadJob("jobs/a.toml", fs.Options());
  EXPECT_EQ(spec.name, "a");
  EXPECT_EQ(spec.text, std::string(kHead));
  EXPECT_EQ(spec.sources.size(), 3u);
}

TEST(JobParse, ReparsingFromSourcesGivesTheSameSpec) {
  // What ranks other than 0 do: parse from the bundle of files rank 0 read.
  const JobSpec first = MemFiles().Parse(std::string(kHead) + "[sweep]\npe_rows = [8, 16]\n");
  LoadOptions opts;
  opts.config_dir = "cfg";
  opts.read = [&first](const std::string& p) -> std::optional<std::string> {
    const auto it = first.sources.find(p);
    return it == first.sources.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  const JobSpec again = LoadJob(first.path, opts);
  EXPECT_EQ(again.sources, first.sources);
  EXPECT_EQ(again.base.v, first.base.v);
  ASSERT_EQ(again.hw_axes.size(), 1u);
  EXPECT_EQ(again.hw_axes[0].values, first.hw_axes[0].values);
}

TEST(PrecisionPresets, TemplateFirstAndBitsWithinLimits) {
  const auto presets = PrecisionPresets();
  ASSERT_FALSE(presets.empty());
  EXPECT_EQ(presets[0].name, "template");
  for (const auto& p : presets.subspan(1)) {
    for (const int bits : {p.bits_weight, p.bits_act, p.bits_psum, p.bits_grad, p.bits_opt}) {
      EXPECT_GE(bits, model::Info(HwParam::kBitsWeight).min) << p.name;
      EXPECT_LE(bits, model::Info(HwParam::kBitsWeight).max) << p.name;
    }
    // An accumulator is never narrower than the operands it sums.
    EXPECT_GE(p.bits_psum, p.bits_act) << p.name;
  }
  EXPECT_EQ(FindPrecisionPreset("bf16")->bits_psum, 32);
  EXPECT_EQ(FindPrecisionPreset("nope"), nullptr);
}

TEST(JobParse, OutputColumnsAndDtype) {
  const JobSpec all = MemFiles().Parse(std::string(kHead));
  EXPECT_TRUE(all.output_spec.columns.empty());  // every column
  EXPECT_FALSE(all.output_spec.float32);
  const JobSpec some =
      MemFiles().Parse(std::string(kHead) +
                       "[output]\ncolumns = [\"latency_s\", \"area_mm2\"]\ndtype = \"float32\"\n");
  EXPECT_EQ(some.output_spec.columns, (std::vector<std::string>{"latency_s", "area_mm2"}));
  EXPECT_TRUE(some.output_spec.float32);
  EXPECT_FALSE(
      MemFiles().Parse(std::string(kHead) + "[output]\ndtype = \"float64\"\n").output_spec.float32);
}

}  // namespace
}  // namespace trim::config

namespace trim::config {
namespace {

TEST(JobParse, LinkedAxes) {
  // [link] may come before [sweep]; the group's first axis in [sweep] order leads.
  const JobSpec spec = testing::MemFiles().Parse(
      std::string(testing::kHead) +
      "[link]\nsquare = [\"pe_cols\", \"pe_rows\"]\nmem = [\"glb_kib\", \"rf_psum_bytes\"]\n"
      "[sweep]\npe_rows = [8, 16]\nglb_kib = [64, 128, 256]\npe_cols = [8, 16]\n"
      "rf_psum_bytes = [16, 32, 64]\nrf_weight_bytes = [64, 128]\n");
  ASSERT_EQ(spec.hw_axes.size(), 5u);
  EXPECT_EQ(spec.hw_axes[0].leader, -1);  // pe_rows
  EXPECT_EQ(spec.hw_axes[1].leader, -1);  // glb_kib
  EXPECT_EQ(spec.hw_axes[2].leader, 0);   // pe_cols advances with pe_rows
  EXPECT_EQ(spec.hw_axes[3].leader, 1);   // rf_psum_bytes with glb_kib
  EXPECT_EQ(spec.hw_axes[4].leader, -1);  // not linked
}

}  // namespace
}  // namespace trim::config
