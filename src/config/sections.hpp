// Internal: the parsers of the job file's tables. Each one validates its table completely and
// fills its part of the JobSpec; the caller (load.cpp) checks the table names and orders the
// steps so that cross-table checks see finished data.
#pragma once

#include <toml++/toml.h>

#include <string>
#include <vector>

#include "toml_util.hpp"
#include "trim/config/job_spec.hpp"

namespace trim::config::detail {

/// [sweep]: hardware axes in file order.
std::vector<HwAxis> ParseSweep(const toml::table& sweep);

/// [link]: groups of [sweep] axes that advance together; sets HwAxis::leader of every axis
/// but the first of each group. Strict: names, membership and value counts are checked.
void ParseLinks(const toml::table& link, std::vector<HwAxis>& axes);

/// [workload]: networks, dataflows, batch, mode, precision (defaults for absent keys).
/// `path` is the job file, for relative network paths.
void ParseWorkload(const toml::table& workload, const std::string& path, FileSet& files,
                   JobSpec& spec);

/// A bits_* axis and a non-"template" precision preset cannot both be set.
void CheckPrecisionConflict(const JobSpec& spec);

/// [goal], [constraints], [model].
Goal ParseGoal(const toml::table& goal);
std::vector<Constraint> ParseConstraints(const toml::table& constraints);
model::ModelOptions ParseModelOptions(const toml::table& model);

/// [output]: stored result columns and their dtype.
OutputSpec ParseOutput(const toml::table& output);

}  // namespace trim::config::detail
