// [goal], [constraints] and [model] of a job file.
#include <array>
#include <string_view>
#include <utility>

#include "sections.hpp"
#include "trim/model/columns.hpp"
#include "trim/model/options.hpp"

namespace trim::config::detail {
namespace {

constexpr std::array<std::string_view, 3> kGoalKeys = {"minimize", "maximize", "top"};
constexpr std::array<std::string_view, 2> kBoundKeys = {"min", "max"};
constexpr std::int64_t kMaxTop = 10000;

/// Short goal values and the result column each stands for. Only goal values use them;
/// constraint keys are always column names.
constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kGoalAliases = {{
    {"latency", "latency_s"},
    {"energy", "energy_pj"},
    {"edp", "edp_js"},
    {"area", "area_mm2"},
    {"power", "power_w"},
    {"throughput", "throughput_sps"},
}};

std::vector<std::string_view> ColumnNames() {
  std::vector<std::string_view> names;
  for (const auto& c : model::ResultCols()) names.push_back(c.name);
  return names;
}

std::string_view AliasTarget(std::string_view word) {
  for (const auto& [alias, column] : kGoalAliases) {
    if (alias == word) return column;
  }
  return {};
}

std::string ParseGoalColumn(const toml::node& n, const std::string& where) {
  const std::string word =
      AsName(n, where, "write " + where.substr(5) + " = \"latency_s\" (a result column name)");
  const std::string_view alias = AliasTarget(word);
  if (!alias.empty()) return std::string(alias);
  if (model::FindResultCol(word) != nullptr) return word;
  std::vector<std::string_view> candidates = ColumnNames();
  for (const auto& a : kGoalAliases) candidates.push_back(a.first);
  Fail(Pos(n), where + " = " + Echo(n) + " is not a result column",
       Suggest(word, candidates) +
           "goals are result columns (docs/job-format.md lists them) or latency, energy, edp, "
           "area, power, throughput");
}

}  // namespace

Goal ParseGoal(const toml::table& goal) {
  CheckKeys(goal, kGoalKeys, "[goal]", "[goal] takes minimize or maximize, and top");
  Goal out;
  const toml::node* min_n = goal.get("minimize");
  const toml::node* max_n = goal.get("maximize");
  if (min_n != nullptr && max_n != nullptr) {
    const toml::node* later = min_n->source().begin < max_n->source().begin ? max_n : min_n;
    Fail(Pos(*later), "[goal] has both 'minimize' and 'maximize'", "keep exactly one of them");
  }
  if (min_n != nullptr) out.column = ParseGoalColumn(*min_n, "goal.minimize");
  if (max_n != nullptr) {
    out.column = ParseGoalColumn(*max_n, "goal.maximize");
    out.maximize = true;
  }
  if (const toml::node* top = goal.get("top")) {
    out.top = static_cast<int>(AsInt(
        *top, "goal.top", 1, kMaxTop,
        "top is how many best designs to keep per network, from 1 to " + std::to_string(kMaxTop)));
  }
  return out;
}

std::vector<Constraint> ParseConstraints(const toml::table& constraints) {
  const std::vector<std::string_view> names = ColumnNames();
  std::vector<Constraint> out;
  for (const Entry& e : Ordered(constraints)) {
    const std::string key(e.key->str());
    if (model::FindResultCol(key) == nullptr) {
      const std::string_view alias = AliasTarget(key);
      std::string hint =
          alias.empty() ? Suggest(key, names) : "did you mean '" + std::string(alias) + "'? ";
      Fail(Pos(*e.key), "unknown key '" + key + "' in [constraints]",
           hint + "constraints are result columns (docs/job-format.md lists them)");
    }
    const std::string where = "constraints." + key;
    const toml::table& bounds = AsTable(*e.node, where, "write " + key + " = { max = ... }");
    CheckKeys(bounds, kBoundKeys, where, "a constraint is { min = ... } and/or { max = ... }");
    Constraint c;
    c.column = key;
    c.pos = Pos(*e.key);
    const toml::node* lo = bounds.get("min");
    const toml::node* hi = bounds.get("max");
    if (lo == nullptr && hi == nullptr) {
      Fail(Pos(bounds), where + " has neither 'min' nor 'max'",
           "write " + key + " = { max = ... } and/or { min = ... }");
    }
    if (lo != nullptr) c.min = AsNumber(*lo, where + ".min", "write min = <number>");
    if (hi != nullptr) c.max = AsNumber(*hi, where + ".max", "write max = <number>");
    if (c.min && c.max && *c.min > *c.max) {
      Fail(Pos(*hi),
           where + ": min = " + FormatNumber(*c.min) +
               " is greater than max = " + FormatNumber(*c.max),
           "no design can satisfy this constraint; fix the bounds");
    }
    out.push_back(std::move(c));
  }
  return out;
}

model::ModelOptions ParseModelOptions(const toml::table& model) {
  std::vector<std::string_view> names;
  for (const auto& o : model::Options()) names.push_back(o.name);
  model::ModelOptions out = model::ModelOptions::Defaults();
  for (const Entry& e : Ordered(model)) {
    const std::string key(e.key->str());
    const model::OptionInfo* info = model::FindOption(key);
    if (info == nullptr) {
      Fail(Pos(*e.key), "unknown key '" + key + "' in [model]",
           ChoiceHint(key, names, "model options"));
    }
    const std::string where = "model." + key;
    const std::string word =
        AsString(*e.node, where,
                 "write " + key + " = \"" + std::string(info->choices[info->default_choice]) +
                     "\"; choices: " + JoinNames(info->choices));
    bool found = false;
    for (std::size_t i = 0; i < info->choices.size(); ++i) {
      if (info->choices[i] == word) {
        out[info->id] = static_cast<std::uint8_t>(i);
        found = true;
      }
    }
    if (!found) {
      Fail(Pos(*e.node), where + " = " + Echo(*e.node) + " is not a valid choice",
           ChoiceHint(word, info->choices, "choices of " + key));
    }
  }
  return out;
}

}  // namespace trim::config::detail
