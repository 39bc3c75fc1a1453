// [sweep] and [workload] of a job file.
#include <algorithm>
#include <array>
#include <optional>
#include <string_view>

#include "axis.hpp"
#include "sections.hpp"
#include "trim/config/precision.hpp"
#include "trim/net/network_file.hpp"
#include "trim/net/onnx.hpp"
#include "trim/net/zoo.hpp"

namespace trim::config::detail {
namespace {

constexpr std::array<std::string_view, 5> kWorkloadKeys = {"networks", "dataflows", "batch", "mode",
                                                           "precision"};
constexpr std::array<std::string_view, 3> kNetworkTableKeys = {"name", "seq_len", "image_size"};

/// Largest batch size accepted; keeps batch x per-sample counts far from int64 overflow.
constexpr std::int64_t kMaxBatch = 1 << 20;
constexpr std::int64_t kMaxImageSize = 8192;
constexpr std::int64_t kMaxSeqLen = 65536;

std::vector<std::string_view> ParamNames() {
  std::vector<std::string_view> names;
  for (const auto& p : model::HwParams()) names.push_back(p.name);
  return names;
}

std::string Item(const std::string& where, std::size_t i) {
  return where + "[" + std::to_string(i) + "]";
}

// A non-empty list at `n`, or an error showing the list form.
const toml::array& AsList(const toml::node& n, const std::string& where,
                          const std::string& example) {
  const auto* list = n.as_array();
  if (list == nullptr) {
    Fail(Pos(n), where + " must be a list, not " + TypeName(n), "write " + example);
  }
  if (list->empty())
    Fail(Pos(n), where + " is an empty list", "list at least one value: " + example);
  return *list;
}

// A list of distinct names from `names`; returns their indices in list order.
std::vector<std::size_t> ParseNameList(const toml::node& n, const std::string& where,
                                       std::span<const std::string_view> names,
                                       std::string_view noun, const std::string& example) {
  const toml::array& list = AsList(n, where, example);
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const toml::node& item = *list.get(i);
    const std::string word = AsString(item, Item(where, i), "write " + example);
    const auto it = std::find(names.begin(), names.end(), word);
    if (it == names.end()) {
      Fail(Pos(item), Item(where, i) + " = " + Echo(item) + " is not a valid " + std::string(noun),
           ChoiceHint(word, names, std::string(noun) + "s"));
    }
    const auto idx = static_cast<std::size_t>(it - names.begin());
    const auto prev = std::find(out.begin(), out.end(), idx);
    if (prev != out.end()) {
      Fail(Pos(item),
           Item(where, i) + " = " + Echo(item) + " repeats " +
               Item(where, static_cast<std::size_t>(prev - out.begin())),
           "every value of an axis must be distinct; remove the repeated one");
    }
    out.push_back(idx);
  }
  return out;
}

// A network file named in the job: a .toml network description (docs/network-format.md) or
// an ONNX graph (docs/onnx.md), resolved relative to the job file and read through the
// recording reader, so that every rank parses the same bytes.
NetworkEntry NetworkFile(const toml::node& item, const std::string& job_path, FileSet& files,
                         const net::NetworkParams& params = {}, std::string label = {}) {
  const std::string value = item.as_string()->get();
  const bool onnx = EndsWith(value, ".onnx");
  const std::string path = ResolveRelative(job_path, value);
  const std::optional<std::string> bytes = files.Read(path);
  if (!bytes) {
    Fail(Pos(item), "cannot read network file '" + value + "' (tried " + path + ")",
         std::string("a path ending in ") + (onnx ? ".onnx" : ".toml") +
             " is relative to the directory of " + job_path);
  }
  if (label.empty()) label = value;
  if (!onnx) return NetworkEntry{label, net::ParseNetworkFile(*bytes, path)};
  return NetworkEntry{label, net::ParseOnnxNetwork(*bytes, path, params)};
}

NetworkEntry BuiltinEntry(const toml::node& item, const std::string& where, const std::string& name,
                          const net::NetworkParams& params, const std::string& label) {
  std::optional<net::Network> network;
  try {
    network = net::BuiltinNetwork(name, params);
  } catch (const ConfigError& e) {
    // The zoo knows what is wrong with the parameters but not where they were written.
    Fail(Pos(item), "network " + label + ": " + e.problem(),
         e.hint().empty() ? "change seq_len or image_size, or leave them out" : e.hint());
  }
  if (!network) {
    Fail(Pos(item), where + " = \"" + name + "\" is not a built-in network",
         ChoiceHint(name, net::BuiltinNetworkNames(), "built-in networks"));
  }
  for (const net::Layer& l : network->layers) {
    const bool window = l.kind != net::LayerKind::kEltwise;
    const bool fits = !window || (l.h + 2 * l.pad >= l.dilation * (l.r - 1) + 1 &&
                                  l.w + 2 * l.pad >= l.dilation * (l.s - 1) + 1);
    if (!fits || l.e() < 1 || l.f() < 1) {
      Fail(Pos(item),
           "network " + label + " has no valid shape: layer '" + l.name + "' has an empty output",
           "use a larger image_size");
    }
  }
  return NetworkEntry{label, std::move(*network)};
}

NetworkEntry ParseNetwork(const toml::node& item, const std::string& where,
                          const std::string& job_path, FileSet& files) {
  if (const auto* s = item.as_string()) {
    const std::string& name = s->get();
    if (EndsWith(name, ".toml") || EndsWith(name, ".onnx")) {
      return NetworkFile(item, job_path, files);
    }
    return BuiltinEntry(item, where, name, {}, name);
  }
  const auto* t = item.as_table();
  if (t == nullptr) {
    Fail(Pos(item), where + " must be a network name or a table, not " + TypeName(item),
         "write \"alexnet\" or { name = \"alexnet\", image_size = 227 }");
  }
  CheckKeys(*t, kNetworkTableKeys, where,
            "a network table is { name = \"...\", seq_len = N, image_size = N }");
  const toml::node* name_n = t->get("name");
  if (name_n == nullptr) {
    Fail(Pos(*t), where + " has no 'name'", "write { name = \"alexnet\", image_size = 227 }");
  }
  const std::string name = AsName(*name_n, where + ".name", "write name = \"alexnet\"");
  if (EndsWith(name, ".toml") && t->size() > 1) {
    Fail(Pos(*t), where + " names a network file and parameters",
         "a network file fixes its own shapes: write the path alone, \"" + name + "\"");
  }
  net::NetworkParams params;
  std::string label = name;
  char sep = ':';
  // The label lists the parameters in this fixed order, whatever their order in the file.
  if (const toml::node* n = t->get("seq_len")) {
    params.seq_len = AsInt(*n, where + ".seq_len", 1, kMaxSeqLen,
                           "seq_len takes whole numbers from 1 to " + std::to_string(kMaxSeqLen));
    label += sep + std::string("seq_len=") + std::to_string(params.seq_len);
    sep = ',';
  }
  if (const toml::node* n = t->get("image_size")) {
    params.image_size =
        AsInt(*n, where + ".image_size", 1, kMaxImageSize,
              "image_size takes whole numbers from 1 to " + std::to_string(kMaxImageSize));
    label += sep + std::string("image_size=") + std::to_string(params.image_size);
  }
  if (EndsWith(name, ".toml") || EndsWith(name, ".onnx")) {
    return NetworkFile(*name_n, job_path, files, params, label);
  }
  return BuiltinEntry(*name_n, where + ".name", name, params, label);
}

std::vector<NetworkEntry> ParseNetworks(const toml::node& n, const std::string& job_path,
                                        FileSet& files) {
  const std::string where = "workload.networks";
  const toml::array& list = AsList(n, where, "networks = [\"alexnet\"]");
  std::vector<NetworkEntry> out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const toml::node& item = *list.get(i);
    NetworkEntry e = ParseNetwork(item, Item(where, i), job_path, files);
    for (std::size_t j = 0; j < out.size(); ++j) {
      if (out[j].label == e.label) {
        Fail(Pos(item), Item(where, i) + " repeats " + Item(where, j) + " (" + e.label + ")",
             "every network must be distinct; remove the repeated one");
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<std::string_view> PrecisionNames() {
  std::vector<std::string_view> names;
  for (const auto& p : PrecisionPresets()) names.push_back(p.name);
  return names;
}

}  // namespace

std::vector<HwAxis> ParseSweep(const toml::table& sweep) {
  const std::vector<std::string_view> names = ParamNames();
  std::vector<HwAxis> axes;
  for (const Entry& e : Ordered(sweep)) {
    const std::string key(e.key->str());
    const model::HwParamInfo* info = model::FindHwParam(key);
    if (info == nullptr) {
      std::string hint =
          Suggest(key, names) + "[sweep] takes hardware parameter names (docs/job-format.md)";
      if (std::find(kWorkloadKeys.begin(), kWorkloadKeys.end(), key) != kWorkloadKeys.end()) {
        hint = "'" + key + "' is a workload axis: put it in [workload]";
      }
      Fail(Pos(*e.key), "unknown key '" + key + "' in [sweep]", hint);
    }
    axes.push_back(
        HwAxis{info->id, ParseAxis(*e.node, SpecOf(*info), "sweep." + key), Pos(*e.key)});
  }
  return axes;
}

void ParseWorkload(const toml::table& workload, const std::string& path, FileSet& files,
                   JobSpec& spec) {
  CheckKeys(workload, kWorkloadKeys, "[workload]",
            "[workload] takes networks, dataflows, batch, mode and precision");
  const toml::node* networks = workload.get("networks");
  if (networks == nullptr) {
    Fail(Pos(workload), "[workload] has no 'networks'",
         "add e.g. networks = [\"alexnet\"]; built-in networks: " +
             JoinNames(net::BuiltinNetworkNames()));
  }
  spec.networks = ParseNetworks(*networks, path, files);

  spec.dataflows = {Dataflow::kRS};
  if (const toml::node* n = workload.get("dataflows")) {
    spec.dataflows.clear();
    for (const std::size_t i : ParseNameList(*n, "workload.dataflows", DataflowNames(), "dataflow",
                                             "dataflows = [\"rs\"]")) {
      spec.dataflows.push_back(*ParseDataflow(DataflowNames()[i]));
    }
  }
  spec.modes = {Mode::kInference};
  if (const toml::node* n = workload.get("mode")) {
    spec.modes.clear();
    for (const std::size_t i :
         ParseNameList(*n, "workload.mode", ModeNames(), "mode", "mode = [\"inference\"]")) {
      spec.modes.push_back(*ParseMode(ModeNames()[i]));
    }
  }
  spec.precisions.clear();
  const std::vector<std::string_view> pnames = PrecisionNames();
  std::vector<std::size_t> chosen = {0};
  if (const toml::node* n = workload.get("precision")) {
    chosen = ParseNameList(*n, "workload.precision", pnames, "precision preset",
                           "precision = [\"template\"]");
  }
  for (const std::size_t i : chosen) {
    const PrecisionPreset& p = PrecisionPresets()[i];
    spec.precisions.push_back(Precision{std::string(p.name), p.bits_weight, p.bits_act, p.bits_psum,
                                        p.bits_grad, p.bits_opt});
  }
  spec.batches = {1};
  if (const toml::node* n = workload.get("batch")) {
    const ValueSpec batch{
        "batch", model::ParamType::kInt, 1, static_cast<double>(kMaxBatch), {}, "", 1};
    spec.batches.clear();
    for (const double v : ParseAxis(*n, batch, "workload.batch")) {
      spec.batches.push_back(static_cast<std::int64_t>(v));
    }
  }
}

void CheckPrecisionConflict(const JobSpec& spec) {
  const auto preset = std::find_if(spec.precisions.begin(), spec.precisions.end(),
                                   [](const Precision& p) { return p.name != "template"; });
  if (preset == spec.precisions.end()) return;
  for (const HwAxis& axis : spec.hw_axes) {
    // A preset sets the bits_* widths only: number_format and the other precision
    // parameters stay free to sweep beside it.
    if (!model::Info(axis.param).name.starts_with("bits_")) continue;
    Fail(axis.pos,
         "sweep." + std::string(model::Info(axis.param).name) +
             " conflicts with the precision preset '" + preset->name + "' in [workload]",
         "a preset sets every bits_* parameter: sweep bits_* only with precision = "
         "[\"template\"], or drop the bits_* axis");
  }
}

}  // namespace trim::config::detail
