// Jobs read from disk: the bad-input corpus in tests/data/config/bad (each NAME.toml with the
// exact message in NAME.err, where "{networks}" stands for the built-in network names), the good
// jobs in tests/data/config/good, the example jobs in jobs/, and a check that docs/job-format.md
// names every registry entry.
//
// The corpus runs with the working directory tests/data/config and config_dir ".", so the
// messages hold short relative paths, exactly as `trim-sweep bad/NAME.toml` run from that
// directory prints them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "trim/config/load.hpp"
#include "trim/config/precision.hpp"
#include "trim/model/columns.hpp"
#include "trim/model/hardware.hpp"
#include "trim/model/options.hpp"
#include "trim/net/zoo.hpp"

namespace trim::config {
namespace {
namespace fs = std::filesystem;

const fs::path kSource = TRIM_SOURCE_DIR;
const fs::path kData = kSource / "tests/data/config";

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

// Runs each test inside tests/data/config and restores the working directory afterwards.
class InDataDir {
 public:
  InDataDir() : saved_(fs::current_path()) { fs::current_path(kData); }
  ~InDataDir() { fs::current_path(saved_); }
  InDataDir(const InDataDir&) = delete;
  InDataDir& operator=(const InDataDir&) = delete;

 private:
  fs::path saved_;
};

std::vector<std::string> BadCases() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kData / "bad")) {
    if (e.path().extension() == ".toml") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class BadJob : public ::testing::TestWithParam<std::string> {};

TEST_P(BadJob, FailsWithTheExpectedMessage) {
  const std::string name = GetParam();
  std::string actual = "(no error)";
  {
    InDataDir cwd;
    LoadOptions opts;
    opts.config_dir = ".";
    try {
      (void)LoadJob("bad/" + name + ".toml", opts);
    } catch (const ConfigError& e) {
      actual = e.what();
    }
  }
  const fs::path expected_file = kData / "bad" / (name + ".err");
  std::string expected = fs::exists(expected_file) ? Slurp(expected_file) : "(missing .err)";
  while (!expected.empty() && expected.back() == '\n') expected.pop_back();
  // "{networks}" stands for the list of built-in networks, which grows with the zoo.
  const std::string placeholder = "{networks}";
  if (const auto at = expected.find(placeholder); at != std::string::npos) {
    std::string names;
    for (const auto n : net::BuiltinNetworkNames())
      names += (names.empty() ? "" : ", ") + std::string(n);
    expected.replace(at, placeholder.size(), names);
  }
  EXPECT_EQ(actual, expected) << "ACTUAL[" << name << "]\n" << actual << "\n<<END";
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadJob, ::testing::ValuesIn(BadCases()),
                         [](const auto& param_info) { return param_info.param; });

TEST(BadJobCorpus, IsLargeAndEveryMessageHasAPositionAndAHint) {
  const std::vector<std::string> names = BadCases();
  EXPECT_GE(names.size(), 40u);
  for (const auto& n : names) {
    const std::string text = Slurp(kData / "bad" / (n + ".err"));
    EXPECT_EQ(text.rfind("bad/", 0), 0u) << n;  // starts with the file it points into...
    EXPECT_NE(text.find(".toml:"), std::string::npos) << n;  // ...with a line number
    EXPECT_NE(text.find("\n  hint: "), std::string::npos) << n;
  }
}

TEST(GoodJobs, FullJobParses) {
  InDataDir cwd;
  LoadOptions opts;
  opts.config_dir = ".";
  const JobSpec spec = LoadJob("good/full.toml", opts);
  EXPECT_EQ(spec.name, "full");
  EXPECT_EQ(spec.output, "full-results.h5");
  EXPECT_EQ(spec.chunk, 256u);
  EXPECT_EQ(spec.hardware_file, "hardware/test-chip.toml");
  EXPECT_EQ(spec.technology_file, "energy/test-tech.toml");
  ASSERT_EQ(spec.hw_axes.size(), 4u);
  EXPECT_EQ(spec.hw_axes[1].values, (std::vector<double>{4, 8, 12, 16}));
  EXPECT_EQ(spec.hw_axes[2].values, (std::vector<double>{32, 64, 128, 256}));
  EXPECT_EQ(spec.networks.size(), 2u);
  EXPECT_EQ(spec.networks[1].label, "alexnet:image_size=227");
  EXPECT_EQ(spec.goal.column, "edp_js");
  EXPECT_EQ(spec.constraints.size(), 2u);
  // test-chip.toml sets bits_act = 8 and e_dram_pj = 160 over test-tech's 100.
  EXPECT_EQ(spec.base[model::HwParam::kBitsAct], 8);
  EXPECT_EQ(spec.base[model::HwParam::kEnergyDramPj], 160);
  EXPECT_EQ(spec.base[model::HwParam::kEnergyGlbPj], 3);
  EXPECT_EQ(spec.sources.size(), 3u);
}

TEST(GoodJobs, HardwareByPath) {
  InDataDir cwd;
  LoadOptions opts;
  opts.config_dir = ".";
  const JobSpec spec = LoadJob("good/hw-path.toml", opts);
  EXPECT_EQ(spec.hardware_file, "hardware/test-chip.toml");
  EXPECT_EQ(spec.base[model::HwParam::kGlbKib], 64);
}

// The example jobs in jobs/ parse against the real presets in configs/.
JobSpec LoadExample(const std::string& name) {
  LoadOptions opts;
  opts.config_dir = (kSource / "configs").string();
  return LoadJob((kSource / "jobs" / name).string(), opts);
}

std::uint64_t Points(const JobSpec& spec) {
  std::uint64_t n = spec.networks.size() * spec.dataflows.size() * spec.batches.size() *
                    spec.modes.size() * spec.precisions.size();
  for (const auto& a : spec.hw_axes) n *= a.values.size();
  return n;
}

TEST(ExampleJobs, Quickstart) {
  const JobSpec spec = LoadExample("quickstart.toml");
  EXPECT_EQ(spec.hardware_name, "eyeriss-v1");
  ASSERT_EQ(spec.networks.size(), 1u);
  EXPECT_EQ(spec.networks[0].label, "alexnet");
  EXPECT_EQ(spec.dataflows.size(), 6u);
  EXPECT_EQ(spec.modes, std::vector<Mode>{Mode::kInference});
  const std::uint64_t n = Points(spec);
  EXPECT_GE(n, 200u);
  EXPECT_LE(n, 2000u);
}

// Node and DRAM type are categorical axes like interconnect; the Eyeriss preset is absolute
// (physical model at 65 nm, 1 V) and its normalized twin declares its units.
TEST(ExampleJobs, TechnologySweep) {
  const JobSpec spec = LoadExample("technology-sweep.toml");
  ASSERT_EQ(spec.hw_axes.size(), 4u);
  EXPECT_EQ(spec.hw_axes[0].param, model::HwParam::kTechNode);
  EXPECT_EQ(spec.hw_axes[0].values, (std::vector<double>{0, 1, 2, 3, 4}));
  EXPECT_EQ(spec.hw_axes[1].param, model::HwParam::kDramType);
  EXPECT_EQ(spec.hw_axes[1].values, (std::vector<double>{2, 3, 4, 6}));  // ddr4 lpddr4 lpddr5 hbm2
  EXPECT_EQ(Points(spec), 280u);
  EXPECT_EQ(spec.base[model::HwParam::kEnergyModel], 1);
  EXPECT_EQ(spec.base[model::HwParam::kVddV], 1.0);
  EXPECT_FALSE(spec.energy_normalized);
  JobSpec norm = LoadExample("eyeriss-alexnet.toml");
  EXPECT_FALSE(norm.energy_normalized);
  LoadOptions opts;
  opts.config_dir = (kSource / "configs").string();
  norm = ParseJob(
      "[job]\nhardware = \"eyeriss-v1-normalized\"\n[workload]\nnetworks = "
      "[\"alexnet\"]\n",
      (kSource / "jobs" / "n.toml").string(), opts);
  EXPECT_TRUE(norm.energy_normalized);
  EXPECT_EQ(norm.base[model::HwParam::kEnergyModel], 0);
}

TEST(ExampleJobs, Training) {
  const JobSpec spec = LoadExample("training-example.toml");
  EXPECT_NE(std::find(spec.modes.begin(), spec.modes.end(), Mode::kTraining), spec.modes.end());
  EXPECT_GT(Points(spec), 0u);
}

TEST(ExampleJobs, EveryJobInJobsParses) {
  for (const auto& e : fs::directory_iterator(kSource / "jobs")) {
    if (e.path().extension() != ".toml") continue;
    SCOPED_TRACE(e.path().string());
    EXPECT_NO_THROW(LoadExample(e.path().filename().string()));
  }
}

// docs/job-format.md mentions every name a job or hardware file can use, as `name`.
TEST(JobFormatDoc, NamesEveryRegistryEntry) {
  const std::string doc = Slurp(kSource / "docs/job-format.md");
  ASSERT_FALSE(doc.empty());
  const auto mentioned = [&doc](std::string_view name) {
    return doc.find("`" + std::string(name) + "`") != std::string::npos;
  };
  for (const auto& p : model::HwParams()) {
    EXPECT_TRUE(mentioned(p.name)) << "hardware parameter " << p.name;
    for (const auto c : p.choices) EXPECT_TRUE(mentioned(c)) << p.name << " choice " << c;
  }
  for (const auto& o : model::Options()) {
    EXPECT_TRUE(mentioned(o.name)) << "model option " << o.name;
    for (const auto c : o.choices) EXPECT_TRUE(mentioned(c)) << o.name << " choice " << c;
  }
  for (const auto& c : model::ResultCols()) EXPECT_TRUE(mentioned(c.name)) << "column " << c.name;
  for (const auto& p : PrecisionPresets()) EXPECT_TRUE(mentioned(p.name)) << "preset " << p.name;
  for (const auto d : DataflowNames()) EXPECT_TRUE(mentioned(d)) << "dataflow " << d;
  for (const auto m : ModeNames()) EXPECT_TRUE(mentioned(m)) << "mode " << m;
}

}  // namespace
}  // namespace trim::config
