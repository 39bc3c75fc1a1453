// ParseJob: the job file's top level and [job]; the other tables are in sections.hpp.
#include "trim/config/load.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <string_view>

#include "hardware_file.hpp"
#include "sections.hpp"
#include "toml_util.hpp"

namespace trim::config {
namespace {

using detail::Fail;
using detail::Pos;

constexpr std::array<std::string_view, 8> kTables = {"job",  "sweep",       "link",  "workload",
                                                     "goal", "constraints", "model", "output"};
constexpr std::array<std::string_view, 4> kJobKeys = {"name", "hardware", "output", "chunk"};
constexpr std::array<std::string_view, 5> kWorkloadKeys = {"networks", "dataflows", "batch", "mode",
                                                           "precision"};
constexpr std::string_view kLayout =
    "a job file has the tables [job], [sweep], [link], [workload], [goal], [constraints], "
    "[model] and [output]";

bool In(std::span<const std::string_view> set, std::string_view s) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

// Checks the top level: only known tables, each of them a table.
void CheckTopLevel(const toml::table& root) {
  for (const detail::Entry& e : detail::Ordered(root)) {
    const std::string key(e.key->str());
    // "output" is a table and a key of [job]: a top-level `output = "x.h5"` belongs in [job].
    if (In(kTables, key) && !(In(kJobKeys, key) && !e.node->is_table())) {
      detail::AsTable(*e.node, key, "write the keys of [" + key + "] under a [" + key + "] header");
      continue;
    }
    std::string home;
    if (In(kJobKeys, key)) home = "job";
    if (In(kWorkloadKeys, key)) home = "workload";
    if (model::FindHwParam(key) != nullptr) home = "sweep";
    if (!home.empty() && e.node->is_table()) {
      Fail(Pos(*e.key), "unknown table [" + key + "] in the job file",
           "'" + key + "' is a key of [" + home + "], not a table: write " + key +
               " = ... under [" + home + "]");
    }
    if (!home.empty()) {
      Fail(Pos(*e.key), "'" + key + "' must be inside [" + home + "]",
           "write it under the [" + home + "] table");
    }
    const std::string what = e.node->is_table() ? "table [" + key + "]" : "key '" + key + "'";
    Fail(Pos(*e.key), "unknown " + what + " in the job file",
         detail::Suggest(key, kTables) + std::string(kLayout));
  }
}

std::optional<std::uint64_t> ParseChunk(const toml::node& n) {
  const std::string hint = "write chunk = \"auto\" or a number of design points, e.g. 4096";
  if (const auto* s = n.as_string()) {
    if (s->get() == "auto") return std::nullopt;
    Fail(Pos(n), "job.chunk = " + detail::Echo(n) + " must be \"auto\" or a positive integer",
         hint);
  }
  return static_cast<std::uint64_t>(
      detail::AsInt(n, "job.chunk", 1, std::numeric_limits<std::int64_t>::max(), hint));
}

}  // namespace

std::string DefaultConfigDir() { return TRIM_CONFIG_DIR; }

namespace {

// A normalized table cannot be mixed with absolute costs: the physical model and the DRAM
// presets are in pJ.
void CheckNormalized(const JobSpec& spec, const toml::node& hw_ref) {
  const auto absolute = [](model::HwParam p, double v) {
    return (p == model::HwParam::kEnergyModel || p == model::HwParam::kDramType) && v >= 0.5;
  };
  const std::string hint =
      "the technology table " + spec.technology_file +
      " is in normalized units; use energy_model = \"table\" and dram_type = \"table\" with "
      "it, or name an absolute technology (e.g. technology = \"cmos-65nm\")";
  for (auto p : {model::HwParam::kEnergyModel, model::HwParam::kDramType}) {
    if (absolute(p, spec.base[p])) {
      Fail(Pos(hw_ref),
           "the hardware sets " + std::string(model::Info(p).name) +
               " to an absolute (pJ) model with a normalized technology table",
           hint);
    }
  }
  for (const auto& a : spec.hw_axes) {
    for (double v : a.values) {
      if (absolute(a.param, v)) {
        Fail(a.pos,
             "the sweep axis " + std::string(model::Info(a.param).name) +
                 " takes an absolute (pJ) model with a normalized technology table",
             hint);
      }
    }
  }
}

}  // namespace

JobSpec ParseJob(std::string_view text, const std::string& path, const LoadOptions& opts) {
  JobSpec spec;
  spec.path = path;
  spec.text = std::string(text);
  spec.sources[path] = spec.text;
  detail::FileSet files(opts, &spec.sources);

  const toml::table root = detail::ParseToml(text, path);
  CheckTopLevel(root);

  // [job]
  const toml::table* job = root.get_as<toml::table>("job");
  if (job == nullptr) {
    Fail(SourcePos{path, 1, 1}, "the job file has no [job] table",
         "start it with [job] and hardware = \"<preset or file.toml>\"");
  }
  detail::CheckKeys(*job, kJobKeys, "[job]", "[job] takes name, hardware, output and chunk");
  spec.name = detail::Stem(path);
  if (const toml::node* n = job->get("name")) {
    spec.name = detail::AsName(*n, "job.name", "write name = \"my-sweep\"");
    // The name makes the default output "<name>.h5" in the working directory: a '/' would
    // send it elsewhere (a job file from someone else could aim it at any path).
    if (spec.name.find('/') != std::string::npos) {
      Fail(Pos(*n), "job.name '" + spec.name + "' contains '/'",
           "a name labels the sweep and its default output <name>.h5 in the working directory; "
           "write the name alone and give a path with output = \"dir/file.h5\" or -o");
    }
  }
  const toml::node* hw = job->get("hardware");
  if (hw == nullptr) {
    Fail(Pos(*job), "[job] has no 'hardware'",
         "name a hardware preset or file, e.g. hardware = \"eyeriss-v1\"");
  }
  spec.output = spec.name + ".h5";
  if (const toml::node* n = job->get("output")) {
    spec.output = detail::AsName(*n, "job.output", "write output = \"results.h5\"");
  }
  if (const toml::node* n = job->get("chunk")) spec.chunk = ParseChunk(*n);

  spec.hardware_name = detail::AsName(*hw, "job.hardware", "write hardware = \"eyeriss-v1\"");
  detail::LoadedHardware loaded = detail::LoadHardware(*hw, path, files);
  spec.base = loaded.hw;
  spec.hardware_file = loaded.path;
  spec.technology_file = loaded.technology_path;
  spec.energy_normalized = loaded.energy_normalized;

  if (const toml::table* sweep = root.get_as<toml::table>("sweep")) {
    spec.hw_axes = detail::ParseSweep(*sweep);
  }
  if (const toml::table* link = root.get_as<toml::table>("link")) {
    detail::ParseLinks(*link, spec.hw_axes);
  }
  if (spec.energy_normalized) CheckNormalized(spec, *hw);
  const toml::table* workload = root.get_as<toml::table>("workload");
  if (workload == nullptr) {
    Fail(SourcePos{path, 1, 1}, "the job file has no [workload] table",
         "add [workload] with e.g. networks = [\"alexnet\"]");
  }
  detail::ParseWorkload(*workload, path, files, spec);
  detail::CheckPrecisionConflict(spec);

  if (const toml::table* goal = root.get_as<toml::table>("goal")) {
    spec.goal = detail::ParseGoal(*goal);
  }
  if (const toml::table* constraints = root.get_as<toml::table>("constraints")) {
    spec.constraints = detail::ParseConstraints(*constraints);
  }
  spec.model_options = model::ModelOptions::Defaults();
  if (const toml::table* model = root.get_as<toml::table>("model")) {
    spec.model_options = detail::ParseModelOptions(*model);
  }
  if (const toml::table* output = root.get_as<toml::table>("output")) {
    spec.output_spec = detail::ParseOutput(*output);
  }
  return spec;
}

JobSpec LoadJob(const std::string& path, const LoadOptions& opts) {
  detail::FileSet files(opts, nullptr);
  const std::optional<std::string> text = files.Read(path);
  if (!text) {
    throw ConfigError(SourcePos{path, 0, 0}, "cannot read the job file",
                      "check that the path exists and is readable");
  }
  return ParseJob(*text, path, opts);
}

}  // namespace trim::config
