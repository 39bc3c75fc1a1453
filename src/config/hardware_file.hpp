// Internal: resolving and loading the hardware template a job names, and the technology
// (energy and area) table that template names. Precedence, lowest first: registry defaults,
// technology table, hardware file.
#pragma once

#include <toml++/toml.h>

#include <string>
#include <string_view>

#include "toml_util.hpp"
#include "trim/model/hardware.hpp"

namespace trim::config::detail {

/// A file named by a key: a preset name (<config_dir>/<sub>/<name>.toml) or a path ending in
/// .toml, relative to the directory of the file holding the key.
struct FileRef {
  std::string path;  ///< resolved
  std::string text;
};

/// Resolves and reads the file named by the string node `ref` (the value of `key`, e.g.
/// "job.hardware") in `referrer`. `kind` names the file in messages ("hardware").
FileRef ReadFileRef(const toml::node& ref, const std::string& key, const std::string& referrer,
                    std::string_view sub, std::string_view kind, FileSet& files);

struct LoadedHardware {
  model::Hardware hw;              ///< defaults < technology < hardware file
  std::string path;                ///< the hardware file as resolved
  std::string technology_path;     ///< the technology file as resolved, or ""
  bool energy_normalized = false;  ///< the technology file says units = "normalized"
};

/// Loads the hardware template named by `ref` (the node of [job].hardware in `job_path`).
LoadedHardware LoadHardware(const toml::node& ref, const std::string& job_path, FileSet& files);

}  // namespace trim::config::detail
