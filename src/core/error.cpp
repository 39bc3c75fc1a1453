#include "trim/core/error.hpp"

#include <algorithm>
#include <vector>

namespace trim {
namespace {

std::string Compose(const SourcePos& pos, const std::string& problem, const std::string& hint) {
  std::string s = FormatPos(pos);
  if (!s.empty()) s += ": ";
  s += "error: " + problem;
  if (!hint.empty()) s += "\n  hint: " + hint;
  return s;
}

}  // namespace

std::string FormatPos(const SourcePos& pos) {
  std::string s = pos.file;
  if (pos.line > 0) {
    s.append(1, ':').append(std::to_string(pos.line));
    if (pos.column > 0) s.append(1, ':').append(std::to_string(pos.column));
  }
  return s;
}

ConfigError::ConfigError(SourcePos pos, const std::string& problem, const std::string& hint)
    : std::runtime_error(Compose(pos, problem, hint)),
      pos_(std::move(pos)),
      problem_(problem),
      hint_(hint) {}

IoError::IoError(const std::string& path, const std::string& problem, const std::string& hint)
    : std::runtime_error(Compose(SourcePos{path, 0, 0}, problem, hint)), path_(path) {}

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0u : 1u)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace trim
