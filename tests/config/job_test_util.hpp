// Test helpers: an in-memory file system for ParseJob, with a small hardware preset and
// technology table, and a helper that returns the error message of a job text.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "trim/config/load.hpp"

namespace trim::config::testing {

/// The first four lines of most test jobs; text appended to it starts at line 5.
inline constexpr std::string_view kHead =
    "[job]\n"
    "hardware = \"chip\"\n"
    "[workload]\n"
    "networks = [\"alexnet\"]\n";

/// Files served by the in-memory reader. The config dir is "cfg".
class MemFiles {
 public:
  MemFiles() {
    files_["cfg/hardware/chip.toml"] =
        "name = \"chip\"\n"
        "description = \"a test chip\"\n"
        "technology = \"tech\"\n"
        "[array]\n"
        "pe_rows = 16\n"
        "interconnect = \"systolic\"\n"
        "[glb]\n"
        "glb_kib = 256\n"
        "[energy]\n"
        "e_dram_pj = 100.0\n";
    files_["cfg/energy/tech.toml"] =
        "name = \"tech\"\n"
        "source = \"numbers made up for tests\"\n"
        "[energy]\n"
        "e_dram_pj = 150\n"
        "e_glb_pj = 5.5\n"
        "[area]\n"
        "area_mac_um2 = 1000\n";
  }

  void Set(const std::string& path, std::string text) { files_[path] = std::move(text); }

  [[nodiscard]] LoadOptions Options() const {
    LoadOptions opts;
    opts.config_dir = "cfg";
    opts.read = [this](const std::string& path) -> std::optional<std::string> {
      const auto it = files_.find(path);
      if (it == files_.end()) return std::nullopt;
      return it->second;
    };
    return opts;
  }

  /// Parses `text` as jobs/t.toml.
  [[nodiscard]] JobSpec Parse(std::string_view text) const {
    return ParseJob(text, "jobs/t.toml", Options());
  }

  /// The full error message of parsing `text` as jobs/t.toml, or "(no error)".
  [[nodiscard]] std::string Error(std::string_view text) const {
    try {
      (void)Parse(text);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "(no error)";
  }

 private:
  std::map<std::string, std::string> files_;
};

}  // namespace trim::config::testing
