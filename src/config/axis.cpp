#include "axis.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

#include "toml_util.hpp"

namespace trim::config::detail {
namespace {

using model::ParamType;

constexpr std::array<std::string_view, 4> kRangeKeys = {"start", "stop", "step", "factor"};
constexpr std::string_view kRangeForm =
    "a range is { start = 8, stop = 32, step = 4 } or { start = 64, stop = 1024, factor = 2 }";

std::string ExampleText(const ValueSpec& spec) {
  if (spec.type == ParamType::kChoice) {
    const auto i = static_cast<std::size_t>(spec.example);
    return "\"" + std::string(spec.choices[i < spec.choices.size() ? i : 0]) + "\"";
  }
  return FormatNumber(spec.example);
}

std::string ValueText(const ValueSpec& spec, double v) {
  if (spec.type == ParamType::kChoice) {
    return "\"" + std::string(spec.choices[static_cast<std::size_t>(v)]) + "\"";
  }
  return FormatNumber(v);
}

// Reports the first value (in list order) equal to an earlier one.
void CheckDistinct(const toml::array& list, const std::vector<double>& values,
                   const ValueSpec& spec, const std::string& where) {
  std::vector<std::pair<double, std::size_t>> sorted;
  sorted.reserve(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) sorted.emplace_back(values[i], i);
  std::sort(sorted.begin(), sorted.end());
  std::size_t first = 0;
  std::size_t second = values.size();
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i].first == sorted[i - 1].first && sorted[i].second < second) {
      // sorted by (value, index): sorted[i - 1] is the earlier occurrence, but the earliest one
      // of a run of equal values is further back.
      std::size_t j = i - 1;
      while (j > 0 && sorted[j - 1].first == sorted[i].first) --j;
      first = sorted[j].second;
      second = sorted[i].second;
    }
  }
  if (second == values.size()) return;
  Fail(Pos(*list.get(second)),
       where + "[" + std::to_string(second) + "] = " + ValueText(spec, values[second]) +
           " repeats " + where + "[" + std::to_string(first) + "]",
       "every value of an axis must be distinct; remove the repeated one");
}

std::vector<double> ParseList(const toml::array& list, const ValueSpec& spec,
                              const std::string& where) {
  if (list.empty()) {
    Fail(Pos(list), where + " is an empty list",
         "list at least one value, e.g. " + std::string(spec.name) + " = [" + ExampleText(spec) +
             "]");
  }
  if (list.size() > kMaxAxisValues) {
    Fail(Pos(list),
         where + " has " + std::to_string(list.size()) + " values, more than the limit of " +
             std::to_string(kMaxAxisValues),
         "split the sweep into several jobs");
  }
  std::vector<double> values;
  values.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    values.push_back(ParseValue(*list.get(i), spec, where + "[" + std::to_string(i) + "]"));
  }
  CheckDistinct(list, values, spec, where);
  return values;
}

// A step or factor: an integer for integer parameters, else any finite number.
double ParseStepLike(const toml::node& n, const ValueSpec& spec, const std::string& where) {
  const std::string hint = std::string(spec.name) +
                           " takes whole numbers, so its range needs a whole " +
                           (EndsWith(where, ".step") ? "step" : "factor");
  if (spec.type == ParamType::kInt) {
    return static_cast<double>(AsInt(n, where, std::numeric_limits<std::int64_t>::min(),
                                     std::numeric_limits<std::int64_t>::max(), hint));
  }
  return AsNumber(n, where, std::string(kRangeForm));
}

// A value count as a whole number ("1000000000"), or "more than 10^18" when it is huge.
std::string CountText(double count) {
  if (!(count < 1e18)) return "more than 10^18";
  return std::to_string(static_cast<std::uint64_t>(std::floor(count)));
}

[[noreturn]] void TooMany(const toml::table& t, double count, const std::string& where) {
  Fail(Pos(t),
       where + " has " + CountText(count) + " values, more than the limit of " +
           std::to_string(kMaxAxisValues),
       "use a larger step or factor, or split the sweep into several jobs");
}

std::vector<double> ParseRange(const toml::table& t, const ValueSpec& spec,
                               const std::string& where) {
  if (spec.type == ParamType::kChoice) {
    Fail(Pos(t), where + " is a choice parameter and cannot be a range",
         "list the choices, e.g. " + std::string(spec.name) + " = [" + ExampleText(spec) + "]");
  }
  CheckKeys(t, kRangeKeys, "range " + where, kRangeForm);
  const toml::node* start_n = t.get("start");
  const toml::node* stop_n = t.get("stop");
  const toml::node* step_n = t.get("step");
  const toml::node* factor_n = t.get("factor");
  if (start_n == nullptr || stop_n == nullptr) {
    Fail(Pos(t), "range " + where + " has no '" + (start_n == nullptr ? "start" : "stop") + "'",
         std::string(kRangeForm) + " (stop is inclusive)");
  }
  if (step_n != nullptr && factor_n != nullptr) {
    Fail(Pos(*factor_n), "range " + where + " has both 'step' and 'factor'",
         "use step for an arithmetic range or factor for a geometric one, not both");
  }
  if (step_n == nullptr && factor_n == nullptr) {
    Fail(Pos(t), "range " + where + " has neither 'step' nor 'factor'", std::string(kRangeForm));
  }
  const double start = ParseValue(*start_n, spec, where + ".start");
  const double stop = ParseValue(*stop_n, spec, where + ".stop");
  if (start > stop) {
    Fail(Pos(*stop_n),
         where + ": start = " + FormatNumber(start) +
             " is greater than stop = " + FormatNumber(stop),
         "ranges count upward: swap start and stop");
  }
  const bool is_int = spec.type == ParamType::kInt;
  std::vector<double> values;
  if (step_n != nullptr) {
    const double step = ParseStepLike(*step_n, spec, where + ".step");
    if (!(step > 0)) {
      Fail(Pos(*step_n), where + ".step = " + Echo(*step_n) + " must be positive",
           "the values are start, start + step, start + 2 * step, ... up to stop");
    }
    const double q = (stop - start) / step;
    if (!(q < static_cast<double>(kMaxAxisValues))) TooMany(t, q + 1, where);
    if (is_int) {
      // start and stop lie within the parameter's limits; a step beyond stop - start gives
      // start alone, and clamping it first keeps the conversion to int64 defined (a step of
      // 2^63 - 1 rounds to 2^63 as a double, one past the largest int64).
      const auto a = static_cast<std::int64_t>(start);
      const auto b = static_cast<std::int64_t>(stop);
      const auto s = static_cast<std::int64_t>(std::min(step, stop - start + 1));
      for (std::int64_t v = a; v <= b; v += s) {
        values.push_back(static_cast<double>(v));
        if (b - v < s) break;
      }
    } else {
      const auto n = static_cast<std::size_t>(std::floor(q + 1e-9 * std::max(1.0, q))) + 1;
      values.reserve(n);
      for (std::size_t k = 0; k < n; ++k) {
        values.push_back(std::min(stop, start + static_cast<double>(k) * step));
      }
    }
  } else {
    const double factor = ParseStepLike(*factor_n, spec, where + ".factor");
    if (!(factor > 1)) {
      Fail(Pos(*factor_n), where + ".factor = " + Echo(*factor_n) + " must be greater than 1",
           "the values are start, start * factor, start * factor^2, ... up to stop");
    }
    if (!(start > 0)) {
      Fail(Pos(*start_n),
           where + ".start = " + FormatNumber(start) + " must be positive in a geometric range",
           "each value is the previous one times factor, so start must be above 0");
    }
    const double q = std::log(stop / start) / std::log(factor);
    if (!(q < static_cast<double>(kMaxAxisValues))) TooMany(t, q + 1, where);
    if (is_int) {
      // As for the step: a factor beyond stop / start gives start alone.
      const auto b = static_cast<std::int64_t>(stop);
      const auto f = static_cast<std::int64_t>(std::min(factor, stop / start + 1));
      for (auto v = static_cast<std::int64_t>(start); v <= b; v *= f) {
        values.push_back(static_cast<double>(v));
        if (v > b / f) break;
      }
    } else {
      const auto n = static_cast<std::size_t>(std::floor(q + 1e-9 * std::max(1.0, q))) + 1;
      values.reserve(n);
      for (std::size_t k = 0; k < n; ++k) {
        values.push_back(std::min(stop, start * std::pow(factor, static_cast<double>(k))));
      }
    }
  }
  for (std::size_t k = 1; k < values.size(); ++k) {
    if (values[k] <= values[k - 1]) {
      Fail(Pos(t),
           where + " gives the value " + FormatNumber(values[k]) +
               " twice: the step is below the resolution of a double",
           "use a larger step or factor");
    }
  }
  return values;
}

}  // namespace

ValueSpec SpecOf(const model::HwParamInfo& p) {
  return ValueSpec{p.name, p.type, p.min, p.max, p.choices, p.unit, p.default_value};
}

std::string RangeHint(const ValueSpec& spec) {
  const std::string name(spec.name);
  switch (spec.type) {
    case ParamType::kChoice:
      return name + " takes one of: " + JoinNames(spec.choices);
    case ParamType::kInt:
      return name + " takes whole numbers from " + FormatNumber(spec.min) + " to " +
             FormatNumber(spec.max);
    case ParamType::kReal:
      break;
  }
  std::string s =
      name + " takes numbers from " + FormatNumber(spec.min) + " to " + FormatNumber(spec.max);
  if (!spec.unit.empty()) s += " (" + std::string(spec.unit) + ")";
  return s;
}

double ParseValue(const toml::node& n, const ValueSpec& spec, const std::string& where) {
  switch (spec.type) {
    case ParamType::kChoice: {
      const std::string word = AsString(n, where, RangeHint(spec));
      for (std::size_t i = 0; i < spec.choices.size(); ++i) {
        if (spec.choices[i] == word) return static_cast<double>(i);
      }
      Fail(Pos(n), where + " = " + Echo(n) + " is not a valid choice",
           ChoiceHint(word, spec.choices, "choices of " + std::string(spec.name)));
    }
    case ParamType::kInt:
      return static_cast<double>(AsInt(n, where, static_cast<std::int64_t>(spec.min),
                                       static_cast<std::int64_t>(spec.max), RangeHint(spec)));
    case ParamType::kReal:
      break;
  }
  const double v = AsNumber(n, where, RangeHint(spec));
  if (v < spec.min) {
    Fail(Pos(n), where + " = " + Echo(n) + " is below the minimum " + FormatNumber(spec.min),
         RangeHint(spec));
  }
  if (v > spec.max) {
    Fail(Pos(n), where + " = " + Echo(n) + " is above the maximum " + FormatNumber(spec.max),
         RangeHint(spec));
  }
  return v;
}

std::vector<double> ParseAxis(const toml::node& n, const ValueSpec& spec,
                              const std::string& where) {
  if (const auto* list = n.as_array()) return ParseList(*list, spec, where);
  if (const auto* t = n.as_table()) return ParseRange(*t, spec, where);
  std::string hint =
      "an axis is a list, e.g. " + std::string(spec.name) + " = [" + ExampleText(spec) + "]";
  if (spec.type != ParamType::kChoice) hint += ", or " + std::string(kRangeForm);
  Fail(Pos(n), where + " must be a list or a range table, not " + TypeName(n), hint);
}

}  // namespace trim::config::detail
