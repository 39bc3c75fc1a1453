// [link]: [sweep] axes that advance together instead of forming a Cartesian product.
//
//   [link]
//   square = ["pe_rows", "pe_cols"]    # 8x8, 16x16, 32x32 with pe_rows = pe_cols = [8, 16, 32]
//
// Each key names a group (any name); its value lists two or more swept hardware parameters
// with the same number of values. The i-th values of the group form one design, so the
// group is one digit of the design index, at the position of its first axis in [sweep].
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "sections.hpp"
#include "toml_util.hpp"

namespace trim::config::detail {
namespace {

constexpr std::string_view kLinkForm = "write [link] square = [\"pe_rows\", \"pe_cols\"]";

std::vector<std::string> SweptNames(const std::vector<HwAxis>& axes) {
  std::vector<std::string> names;
  for (const HwAxis& a : axes) names.emplace_back(model::Info(a.param).name);
  return names;
}

// The index in `axes` of the axis an entry of a group names; fails with what to do.
std::size_t FindAxis(const toml::node& item, const std::string& where,
                     const std::vector<HwAxis>& axes) {
  const std::string name = AsName(item, where, std::string(kLinkForm));
  const std::vector<std::string> swept = SweptNames(axes);
  const auto it = std::find(swept.begin(), swept.end(), name);
  if (it != swept.end()) return static_cast<std::size_t>(it - swept.begin());
  if (model::FindHwParam(name) != nullptr) {
    Fail(Pos(item), where + " = \"" + name + "\" is not swept",
         "only [sweep] axes can be linked: add " + name +
             " = [...] to [sweep], with as many "
             "values as the other axes of the group");
  }
  static constexpr std::string_view kWorkload[] = {"networks", "network", "dataflows", "dataflow",
                                                   "batch",    "mode",    "precision"};
  if (std::find(std::begin(kWorkload), std::end(kWorkload), name) != std::end(kWorkload)) {
    Fail(Pos(item), where + " = \"" + name + "\" is a workload axis",
         "only [sweep] hardware axes can be linked; workload axes always form a product");
  }
  Fail(Pos(item), where + " = \"" + name + "\" names no axis of [sweep]",
       Suggest(name, swept) + "swept axes: " + (swept.empty() ? "none" : JoinNames(swept)));
}

}  // namespace

void ParseLinks(const toml::table& link, std::vector<HwAxis>& axes) {
  std::map<std::size_t, std::string> owner;  // axis -> the group that links it
  for (const Entry& e : Ordered(link)) {
    const std::string group = "link." + std::string(e.key->str());
    const toml::array* list = e.node->as_array();
    if (list == nullptr) {
      Fail(Pos(*e.node), group + " must be a list of [sweep] axis names, not " + TypeName(*e.node),
           std::string(kLinkForm));
    }
    if (list->size() < 2) {
      Fail(Pos(*e.node),
           group + " names " + std::to_string(list->size()) +
               (list->size() == 1 ? " axis" : " axes"),
           "a link needs two or more [sweep] axes: " + std::string(kLinkForm));
    }
    std::vector<std::size_t> members;
    std::size_t lead = axes.size();  // the group's first axis in [sweep] order
    for (std::size_t i = 0; i < list->size(); ++i) {
      const toml::node& item = *list->get(i);
      const std::string where = group + "[" + std::to_string(i) + "]";
      const std::size_t a = FindAxis(item, where, axes);
      const std::string name(model::Info(axes[a].param).name);
      if (std::find(members.begin(), members.end(), a) != members.end()) {
        Fail(Pos(item), where + " repeats \"" + name + "\"", "name each axis once");
      }
      if (const auto o = owner.find(a); o != owner.end()) {
        Fail(Pos(item), where + ": \"" + name + "\" is already linked in " + o->second,
             "an axis belongs to at most one link; put all the axes that advance together in "
             "one list");
      }
      const std::size_t n0 = i == 0 ? 0 : axes[members[0]].values.size();
      if (i > 0 && axes[a].values.size() != n0) {
        const std::string first(model::Info(axes[members[0]].param).name);
        Fail(Pos(item),
             group + ": " + name + " has " + std::to_string(axes[a].values.size()) +
                 " values but " + first + " has " + std::to_string(n0),
             "linked axes advance together (their i-th values form one design): give them the "
             "same number of values");
      }
      members.push_back(a);
      owner[a] = group;
      lead = std::min(lead, a);
    }
    for (const std::size_t a : members) {
      if (a != lead) axes[a].leader = static_cast<std::ptrdiff_t>(lead);
    }
  }
}

}  // namespace trim::config::detail
