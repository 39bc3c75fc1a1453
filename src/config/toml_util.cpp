#include "toml_util.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace trim::config::detail {
namespace fs = std::filesystem;

SourcePos Pos(const toml::source_region& region) {
  SourcePos pos;
  if (region.path) pos.file = *region.path;
  pos.line = static_cast<int>(region.begin.line);
  pos.column = static_cast<int>(region.begin.column);
  return pos;
}

void Fail(const SourcePos& pos, const std::string& problem, const std::string& hint) {
  throw ConfigError(pos, problem, hint);
}

std::string FormatNumber(double x) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof(buf), x);
  return std::string(buf, res.ptr);
}

namespace {

std::string EchoString(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += '?';
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

std::string Echo(const toml::node& n) {
  if (const auto* s = n.as_string()) return EchoString(s->get());
  if (const auto* i = n.as_integer()) return std::to_string(i->get());
  if (const auto* f = n.as_floating_point()) {
    const double x = f->get();
    if (std::isnan(x)) return "nan";
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    std::string s = FormatNumber(x);
    if (s.find_first_of(".e") == std::string::npos) s += ".0";
    return s;
  }
  if (const auto* b = n.as_boolean()) return b->get() ? "true" : "false";
  if (n.is_array()) return "[...]";
  if (n.is_table()) return "{...}";
  std::ostringstream os;
  n.visit([&os](const auto& v) { os << v; });
  return os.str();
}

std::string TypeName(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "a list";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::string JoinNames(std::span<const std::string_view> names) {
  std::string s;
  for (const auto n : names) {
    if (!s.empty()) s += ", ";
    s += n;
  }
  return s;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::vector<std::string_view> views(names.begin(), names.end());
  return JoinNames(std::span<const std::string_view>(views));
}

namespace {

// True when b is a with two adjacent characters swapped ("nrl" / "nlr"), the most common typo,
// which plain edit distance counts as two edits.
bool IsTransposition(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  std::size_t i = 0;
  while (i < a.size() && a[i] == b[i]) ++i;
  return i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] &&
         a.substr(i + 2) == b.substr(i + 2);
}

}  // namespace

std::string Suggest(std::string_view word, std::span<const std::string_view> candidates) {
  for (const auto c : candidates) {
    if (IsTransposition(word, c)) return "did you mean '" + std::string(c) + "'? ";
  }
  const std::string best = DidYouMean(word, candidates);
  return best.empty() ? std::string() : "did you mean '" + best + "'? ";
}

std::string Suggest(std::string_view word, const std::vector<std::string>& candidates) {
  std::vector<std::string_view> views(candidates.begin(), candidates.end());
  return Suggest(word, std::span<const std::string_view>(views));
}

std::string ChoiceHint(std::string_view word, std::span<const std::string_view> candidates,
                       std::string_view noun) {
  return Suggest(word, candidates) + "valid " + std::string(noun) + ": " + JoinNames(candidates);
}

toml::table ParseToml(std::string_view text, const std::string& path) {
  try {
    return toml::parse(text, std::string_view(path));
  } catch (const toml::parse_error& e) {
    SourcePos pos = Pos(e.source());
    if (pos.file.empty()) pos.file = path;
    Fail(pos, "invalid TOML: " + std::string(e.description()),
         "fix the syntax (TOML 1.0, https://toml.io/en/v1.0.0)");
  }
}

std::vector<Entry> Ordered(const toml::table& t) {
  std::vector<Entry> entries;
  entries.reserve(t.size());
  for (const auto& [k, v] : t) entries.push_back(Entry{&k, &v});
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    const auto& pa = a.key->source().begin;
    const auto& pb = b.key->source().begin;
    return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
  });
  return entries;
}

void CheckKeys(const toml::table& t, std::span<const std::string_view> allowed,
               std::string_view where, std::string_view extra_hint) {
  for (const Entry& e : Ordered(t)) {
    const std::string_view k = e.key->str();
    if (std::find(allowed.begin(), allowed.end(), k) != allowed.end()) continue;
    std::string hint = Suggest(k, allowed);
    hint += extra_hint;
    Fail(Pos(*e.key), "unknown key '" + std::string(k) + "' in " + std::string(where), hint);
  }
}

const toml::table& AsTable(const toml::node& n, const std::string& name, const std::string& hint) {
  if (const auto* t = n.as_table()) return *t;
  Fail(Pos(n), name + " must be a table, not " + TypeName(n), hint);
}

std::string AsString(const toml::node& n, const std::string& name, const std::string& hint) {
  if (const auto* s = n.as_string()) return s->get();
  Fail(Pos(n), name + " must be a string, not " + TypeName(n), hint);
}

std::string AsName(const toml::node& n, const std::string& name, const std::string& hint) {
  std::string s = AsString(n, name, hint);
  if (s.empty()) Fail(Pos(n), name + " must not be empty", hint);
  if (s.find('\0') != std::string::npos) {
    Fail(Pos(n), name + " contains a NUL character (\\u0000)", "remove it; " + hint);
  }
  return s;
}

std::int64_t AsInt(const toml::node& n, const std::string& name, std::int64_t min, std::int64_t max,
                   const std::string& hint) {
  const auto v = n.value_exact<std::int64_t>();
  if (!v) {
    if (const auto* f = n.as_floating_point()) {
      const double x = f->get();
      if (std::isfinite(x) && x == std::floor(x) && std::fabs(x) < 9e15) {
        Fail(Pos(n), name + " = " + Echo(n) + " must be an integer",
             "write " + FormatNumber(x) + " without the decimal point");
      }
      Fail(Pos(n), name + " = " + Echo(n) + " must be an integer", hint);
    }
    Fail(Pos(n), name + " must be an integer, not " + TypeName(n), hint);
  }
  if (*v < min || *v > max) {
    const bool low = *v < min;
    Fail(Pos(n),
         name + " = " + std::to_string(*v) + " is " +
             (low ? "below the minimum " : "above the maximum ") + std::to_string(low ? min : max),
         hint);
  }
  return *v;
}

double AsNumber(const toml::node& n, const std::string& name, const std::string& hint) {
  if (const auto* i = n.as_integer()) return static_cast<double>(i->get());
  if (const auto* f = n.as_floating_point()) {
    if (!std::isfinite(f->get())) {
      Fail(Pos(n), name + " = " + Echo(n) + " must be a finite number", hint);
    }
    return f->get();
  }
  Fail(Pos(n), name + " must be a number, not " + TypeName(n), hint);
}

std::optional<std::string> FileSet::Read(const std::string& path) {
  std::optional<std::string> text;
  if (opts_.read) {
    text = opts_.read(path);
  } else {
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) {
      std::ifstream in(path, std::ios::binary);
      if (in) {
        std::ostringstream os;
        os << in.rdbuf();
        if (!in.bad()) text = os.str();
      }
    }
  }
  if (text && sources_ != nullptr) (*sources_)[path] = *text;
  return text;
}

std::string FileSet::config_dir() const {
  return opts_.config_dir.empty() ? DefaultConfigDir() : opts_.config_dir;
}

std::vector<std::string> FileSet::ListPresets(std::string_view sub) const {
  std::vector<std::string> names;
  if (opts_.read) return names;
  std::error_code ec;
  fs::directory_iterator it(fs::path(config_dir()) / sub, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    if (it->path().extension() == ".toml") names.push_back(it->path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string ResolveRelative(const std::string& base_file, const std::string& rel) {
  const fs::path r(rel);
  if (r.is_absolute()) return r.lexically_normal().generic_string();
  return (fs::path(base_file).parent_path() / r).lexically_normal().generic_string();
}

std::string PresetPath(const std::string& config_dir, std::string_view sub,
                       const std::string& name) {
  return (fs::path(config_dir) / sub / (name + ".toml")).lexically_normal().generic_string();
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string Stem(const std::string& path) { return fs::path(path).stem().string(); }

}  // namespace trim::config::detail
