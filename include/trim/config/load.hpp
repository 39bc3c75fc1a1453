// Loading a job: parse the TOML text, resolve the hardware template, energy table and
// networks, validate everything, and return a JobSpec. Every problem throws ConfigError with
// the file:line:column of the offending text, what is wrong and how to fix it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "trim/config/job_spec.hpp"

namespace trim::config {

/// Reads a file by path; returns nullopt when it cannot be read. Lets rank 0 read from disk
/// while other ranks (and tests) read from an in-memory bundle.
using FileReader = std::function<std::optional<std::string>(const std::string& path)>;

struct LoadOptions {
  /// Directory of the built-in presets (configs/ in the source tree by default): hardware
  /// presets are looked up as <config_dir>/hardware/<name>.toml, energy tables as
  /// <config_dir>/energy/<name>.toml. Empty = DefaultConfigDir().
  std::string config_dir;
  FileReader read;  ///< empty = read from disk
};

/// Parses job text that came from `path` (used in messages and to resolve relative paths).
JobSpec ParseJob(std::string_view text, const std::string& path, const LoadOptions& opts);

/// Reads `path` with opts.read (or the disk) and parses it.
JobSpec LoadJob(const std::string& path, const LoadOptions& opts);

/// The default config directory compiled into the binary.
std::string DefaultConfigDir();

}  // namespace trim::config
