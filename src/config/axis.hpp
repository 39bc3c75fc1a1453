// Internal: parsing one value or one sweep axis (a list, an arithmetic range or a geometric
// range) against a parameter's type and limits. Used for hardware parameters (in hardware
// files, technology files and [sweep]) and for the batch axis of [workload].
#pragma once

#include <toml++/toml.h>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "trim/model/hardware.hpp"

namespace trim::config::detail {

/// The most values one axis may have.
inline constexpr std::size_t kMaxAxisValues = 10'000'000;

/// What a value must look like.
struct ValueSpec {
  std::string_view name;  ///< the parameter name, e.g. "pe_rows"
  model::ParamType type;
  double min;
  double max;
  std::span<const std::string_view> choices;  ///< kChoice only
  std::string_view unit;
  double example;  ///< a valid value, for hints
};

ValueSpec SpecOf(const model::HwParamInfo& p);

/// "pe_rows takes whole numbers from 1 to 65536" and the like.
std::string RangeHint(const ValueSpec& spec);

/// One value: an integer, a number or a choice name (returned as its index). `where` is the
/// dotted path used in messages ("array.pe_rows", "sweep.pe_rows[2]").
double ParseValue(const toml::node& n, const ValueSpec& spec, const std::string& where);

/// An axis: a non-empty list of distinct values, or a range table
/// { start, stop, step } / { start, stop, factor } with stop inclusive when reached.
std::vector<double> ParseAxis(const toml::node& n, const ValueSpec& spec, const std::string& where);

}  // namespace trim::config::detail
