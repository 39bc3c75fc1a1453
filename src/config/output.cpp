// [output] of a job file: which result columns the results file stores, and in which dtype.
#include <algorithm>
#include <array>
#include <string_view>

#include "sections.hpp"
#include "trim/model/columns.hpp"

namespace trim::config::detail {
namespace {

constexpr std::array<std::string_view, 2> kOutputKeys = {"columns", "dtype"};
constexpr std::array<std::string_view, 2> kDtypes = {"float64", "float32"};

std::vector<std::string_view> ResultColumnNames() {
  std::vector<std::string_view> names;
  for (const auto& c : model::ResultCols()) names.push_back(c.name);
  return names;
}

}  // namespace

OutputSpec ParseOutput(const toml::table& output) {
  CheckKeys(output, kOutputKeys, "[output]",
            "[output] takes columns and dtype; the results file's path is output = \"r.h5\" in "
            "[job]");
  OutputSpec out;
  if (const toml::node* n = output.get("columns")) {
    const std::string example = "write columns = [\"latency_s\", \"energy_pj\"]";
    const toml::array* list = n->as_array();
    if (list == nullptr) {
      Fail(Pos(*n), "output.columns = " + Echo(*n) + " must be a list of result column names",
           example);
    }
    if (list->empty()) {
      Fail(Pos(*n), "output.columns is empty",
           "name at least one result column, or delete the key to store every column");
    }
    const std::vector<std::string_view> names = ResultColumnNames();
    for (const toml::node& e : *list) {
      const std::string name = AsName(e, "output.columns", example);
      if (model::FindResultCol(name) == nullptr) {
        Fail(Pos(e), "output.columns names '" + name + "', which is not a result column",
             Suggest(name, names) + "docs/output-format.md lists the result columns");
      }
      if (std::find(out.columns.begin(), out.columns.end(), name) != out.columns.end()) {
        Fail(Pos(e), "output.columns names '" + name + "' twice", "keep one of them");
      }
      out.columns.push_back(name);
    }
  }
  if (const toml::node* n = output.get("dtype")) {
    const std::string d = AsName(*n, "output.dtype", "write dtype = \"float32\" or \"float64\"");
    if (std::find(kDtypes.begin(), kDtypes.end(), d) == kDtypes.end()) {
      Fail(Pos(*n), "output.dtype = " + Echo(*n) + " is not a result dtype",
           ChoiceHint(d, kDtypes, "dtypes"));
    }
    out.float32 = d == "float32";
  }
  return out;
}

}  // namespace trim::config::detail
