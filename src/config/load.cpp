#include "trim/config/load.hpp"

namespace trim::config {

std::string DefaultConfigDir() { return TRIM_CONFIG_DIR; }

JobSpec ParseJob(std::string_view, const std::string& path, const LoadOptions&) {
  throw ConfigError(SourcePos{path, 0, 0}, "job parsing is not implemented yet");
}

JobSpec LoadJob(const std::string& path, const LoadOptions& opts) {
  return ParseJob("", path, opts);
}

}  // namespace trim::config
