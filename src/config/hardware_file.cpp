#include "hardware_file.hpp"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "axis.hpp"

namespace trim::config::detail {
namespace {

using model::HwParam;

// The tables of a hardware file, in registry order.
std::vector<std::string_view> Sections() {
  std::vector<std::string_view> s;
  for (const auto& p : model::HwParams()) {
    if (std::find(s.begin(), s.end(), p.section) == s.end()) s.push_back(p.section);
  }
  return s;
}

std::vector<std::string_view> ParamsOf(std::string_view section) {
  std::vector<std::string_view> names;
  for (const auto& p : model::HwParams()) {
    if (p.section == section) names.push_back(p.name);
  }
  return names;
}

std::vector<std::string_view> AllParamNames() {
  std::vector<std::string_view> names;
  for (const auto& p : model::HwParams()) names.push_back(p.name);
  return names;
}

std::string Bracketed(std::span<const std::string_view> sections) {
  std::string s;
  for (const auto sec : sections) {
    if (!s.empty()) s += ", ";
    s += "[" + std::string(sec) + "]";
  }
  return s;
}

bool IsPresetName(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.front() == '-') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

using Assignments = std::vector<std::pair<HwParam, double>>;

struct FileKind {
  std::string_view noun;                     ///< "hardware file", "technology file"
  std::span<const std::string_view> meta;    ///< allowed top-level string keys
  std::span<const std::string_view> tables;  ///< allowed parameter tables
  std::string_view disallowed_hint;          ///< for a registry table not allowed here
};

constexpr std::array<std::string_view, 3> kHardwareMeta = {"name", "description", "technology"};
constexpr std::array<std::string_view, 4> kTechMeta = {"name", "description", "source", "units"};
constexpr std::array<std::string_view, 2> kTechTables = {"energy", "area"};

// Parses the parameter tables of one file into assignments, and checks its top-level keys.
Assignments ParseParamTables(const toml::table& root, const FileKind& kind) {
  const std::vector<std::string_view> sections = Sections();
  std::vector<std::string_view> top(kind.meta.begin(), kind.meta.end());
  top.insert(top.end(), kind.tables.begin(), kind.tables.end());
  const std::string layout = "a " + std::string(kind.noun) + " has the keys " +
                             JoinNames(kind.meta) + " and the tables " + Bracketed(kind.tables);
  Assignments out;
  for (const Entry& e : Ordered(root)) {
    const std::string key(e.key->str());
    if (std::find(kind.meta.begin(), kind.meta.end(), key) != kind.meta.end()) {
      AsString(*e.node, key, "write " + key + " = \"...\"");
      continue;
    }
    const bool allowed_table =
        std::find(kind.tables.begin(), kind.tables.end(), key) != kind.tables.end();
    if (!allowed_table) {
      if (std::find(sections.begin(), sections.end(), key) != sections.end()) {
        Fail(Pos(*e.key), "[" + key + "] is not allowed in a " + std::string(kind.noun),
             std::string(kind.disallowed_hint));
      }
      if (const auto* p = model::FindHwParam(key)) {
        Fail(Pos(*e.key), "'" + key + "' must be inside [" + std::string(p->section) + "]",
             "write it under the [" + std::string(p->section) + "] table");
      }
      const std::string what = e.node->is_table() ? "table [" + key + "]" : "key '" + key + "'";
      std::string hint = Suggest(key, std::span<const std::string_view>(top));
      Fail(Pos(*e.key), "unknown " + what + " in the " + std::string(kind.noun), hint + layout);
    }
    const toml::table& table =
        AsTable(*e.node, key, "write the parameters under a [" + key + "] table");
    const std::vector<std::string_view> names = ParamsOf(key);
    for (const Entry& pe : Ordered(table)) {
      const std::string pname(pe.key->str());
      const model::HwParamInfo* info = model::FindHwParam(pname);
      if (info != nullptr && info->section != key) {
        Fail(Pos(*pe.key),
             "'" + pname + "' belongs in [" + std::string(info->section) + "], not [" + key + "]",
             "move it to [" + std::string(info->section) + "]");
      }
      if (info == nullptr) {
        const std::vector<std::string_view> all = AllParamNames();
        Fail(Pos(*pe.key), "unknown key '" + pname + "' in [" + key + "]",
             Suggest(pname, std::span<const std::string_view>(all)) + "[" + key +
                 "] takes: " + JoinNames(std::span<const std::string_view>(names)));
      }
      out.emplace_back(info->id, ParseValue(*pe.node, SpecOf(*info), key + "." + pname));
    }
  }
  return out;
}

}  // namespace

FileRef ReadFileRef(const toml::node& ref, const std::string& key, const std::string& referrer,
                    std::string_view sub, std::string_view kind, FileSet& files) {
  const std::string value =
      AsName(ref, key, "name a preset, e.g. " + key.substr(key.rfind('.') + 1) + " = \"name\"");
  const std::string where = key + " = " + Echo(ref);
  FileRef out;
  if (EndsWith(value, ".toml")) {
    out.path = ResolveRelative(referrer, value);
    auto text = files.Read(out.path);
    if (!text) {
      Fail(Pos(ref),
           "cannot read " + std::string(kind) + " file '" + value + "' (tried " + out.path + ")",
           "a path ending in .toml is relative to the directory of " + referrer);
    }
    out.text = std::move(*text);
    return out;
  }
  if (!IsPresetName(value)) {
    Fail(Pos(ref), where + " is neither a preset name nor a path ending in .toml",
         "name a preset in " + PresetPath(files.config_dir(), sub, "<name>") +
             " or a file such as \"my-" + std::string(kind) + ".toml\"");
  }
  out.path = PresetPath(files.config_dir(), sub, value);
  auto text = files.Read(out.path);
  if (!text) {
    const std::vector<std::string> presets = files.ListPresets(sub);
    std::string hint = Suggest(value, presets);
    if (!presets.empty()) {
      hint += "available " + std::string(kind) + " presets: " + JoinNames(presets);
    } else {
      hint += "presets are files " + PresetPath(files.config_dir(), sub, "<name>") +
              "; to use another file give a path ending in .toml";
    }
    Fail(Pos(ref), "no " + std::string(kind) + " preset '" + value + "' (tried " + out.path + ")",
         hint);
  }
  out.text = std::move(*text);
  return out;
}

LoadedHardware LoadHardware(const toml::node& ref, const std::string& job_path, FileSet& files) {
  LoadedHardware out;
  out.hw = model::Hardware::Defaults();
  const FileRef hw_file = ReadFileRef(ref, "job.hardware", job_path, "hardware", "hardware", files);
  out.path = hw_file.path;
  const toml::table root = ParseToml(hw_file.text, hw_file.path);
  const std::vector<std::string_view> sections = Sections();
  const FileKind hw_kind{"hardware file", kHardwareMeta, sections, ""};
  const Assignments hw_values = ParseParamTables(root, hw_kind);

  if (const toml::node* tech_ref = root.get("technology")) {
    const FileRef tech =
        ReadFileRef(*tech_ref, "technology", hw_file.path, "energy", "technology", files);
    out.technology_path = tech.path;
    const toml::table tech_root = ParseToml(tech.text, tech.path);
    const FileKind tech_kind{"technology file", kTechMeta, kTechTables,
                             "a technology file holds only [energy] and [area]; put the other "
                             "parameters in the hardware file"};
    const Assignments tech_values = ParseParamTables(tech_root, tech_kind);
    const toml::node* source = tech_root.get("source");
    if (source == nullptr) {
      Fail(Pos(tech_root), "the technology file has no 'source'",
           "cite where its numbers come from, e.g. source = \"Chen et al., ISCA 2016, Fig. 4\"");
    }
    AsName(*source, "source", "cite where the numbers come from");
    if (const toml::node* units = tech_root.get("units")) {
      const std::string u = AsName(*units, "units", "write units = \"pJ\" or \"normalized\"");
      if (u != "pJ" && u != "normalized") {
        Fail(Pos(*units), "units = " + Echo(*units) + " is neither \"pJ\" nor \"normalized\"",
             "\"pJ\" for absolute energies; \"normalized\" for a relative table (e.g. one unit "
             "= one 16-bit MAC)");
      }
      out.energy_normalized = u == "normalized";
    }
    for (const auto& [p, v] : tech_values) out.hw[p] = v;
  }
  for (const auto& [p, v] : hw_values) out.hw[p] = v;
  return out;
}

}  // namespace trim::config::detail
