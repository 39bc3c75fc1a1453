// Internal helpers of the config module: TOML parsing with located errors, strict typed
// access to nodes, key checking with did-you-mean hints, and the file set that reads and
// records every input file. Nothing outside src/config/ includes this header (toml++ is a
// private dependency of trim_config).
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "trim/config/load.hpp"
#include "trim/core/error.hpp"

namespace trim::config::detail {

// ---- positions and messages -------------------------------------------------------------

SourcePos Pos(const toml::source_region& region);
inline SourcePos Pos(const toml::node& n) { return Pos(n.source()); }
inline SourcePos Pos(const toml::key& k) { return Pos(k.source()); }

/// Throws ConfigError.
[[noreturn]] void Fail(const SourcePos& pos, const std::string& problem,
                       const std::string& hint = {});

/// A value as a user would write it: 12, 12.0, "text", true; containers by kind.
std::string Echo(const toml::node& n);
/// "a string", "an integer", "a float", "a list", "a table", ...
std::string TypeName(const toml::node& n);
/// Shortest round-trip text of a number: 65536, 0.5, 1e+15.
std::string FormatNumber(double x);
/// The names as a plain comma list: "a, b, c".
std::string JoinNames(std::span<const std::string_view> names);
std::string JoinNames(const std::vector<std::string>& names);

/// "did you mean 'x'? " when a candidate is close to `word`, else "".
std::string Suggest(std::string_view word, std::span<const std::string_view> candidates);
std::string Suggest(std::string_view word, const std::vector<std::string>& candidates);

/// Hint for an unknown name among a small set: "did you mean 'ws'? valid <noun>: ws, os".
std::string ChoiceHint(std::string_view word, std::span<const std::string_view> candidates,
                       std::string_view noun);

// ---- parsing ----------------------------------------------------------------------------

/// Parses TOML text; a syntax error becomes a ConfigError at its position in `path`.
toml::table ParseToml(std::string_view text, const std::string& path);

/// One entry of a table.
struct Entry {
  const toml::key* key;
  const toml::node* node;
};
/// The entries of a table in the order they appear in the file (toml++ iterates by name).
std::vector<Entry> Ordered(const toml::table& t);

/// Throws for the first key of `t` (in file order) not in `allowed`, with a did-you-mean.
/// `where` names the table in messages ("[sweep]", "range sweep.pe_cols"); `extra_hint` is
/// appended to the hint.
void CheckKeys(const toml::table& t, std::span<const std::string_view> allowed,
               std::string_view where, std::string_view extra_hint);

// ---- strict typed access ----------------------------------------------------------------
// `name` is the dotted path used in messages ("job.output"); `hint` is the fix to suggest for
// a wrong type.

const toml::table& AsTable(const toml::node& n, const std::string& name, const std::string& hint);
std::string AsString(const toml::node& n, const std::string& name, const std::string& hint);
/// A non-empty string.
std::string AsName(const toml::node& n, const std::string& name, const std::string& hint);
/// An integer (a float is an error, even 3.0) within [min, max].
std::int64_t AsInt(const toml::node& n, const std::string& name, std::int64_t min, std::int64_t max,
                   const std::string& hint);
/// An integer or a float, finite.
double AsNumber(const toml::node& n, const std::string& name, const std::string& hint);

// ---- files ------------------------------------------------------------------------------

/// Reads input files through LoadOptions::read (or the disk) and records every file read.
class FileSet {
 public:
  FileSet(const LoadOptions& opts, std::map<std::string, std::string>* sources)
      : opts_(opts), sources_(sources) {}
  /// The file's text, or nullopt when it cannot be read.
  std::optional<std::string> Read(const std::string& path);
  /// The config directory (LoadOptions::config_dir, or DefaultConfigDir() when empty).
  [[nodiscard]] std::string config_dir() const;
  /// Names (file stems) of the presets in <config_dir>/<sub>/*.toml, sorted; empty when the
  /// files come from an in-memory reader, which cannot list directories.
  [[nodiscard]] std::vector<std::string> ListPresets(std::string_view sub) const;

 private:
  const LoadOptions& opts_;
  std::map<std::string, std::string>* sources_;
};

/// `rel` resolved against the directory of `base_file` (unless absolute), lexically normal.
std::string ResolveRelative(const std::string& base_file, const std::string& rel);
/// <config_dir>/<sub>/<name>.toml, lexically normal.
std::string PresetPath(const std::string& config_dir, std::string_view sub,
                       const std::string& name);
bool EndsWith(std::string_view s, std::string_view suffix);
/// The file name without directory and extension.
std::string Stem(const std::string& path);

}  // namespace trim::config::detail
