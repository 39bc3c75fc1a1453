// Errors that reach the user. ConfigError is bad input (exit code 2) and carries the source
// position of the offending text; IoError is a file-system problem with the path involved.
// The model never throws: it reports infeasibility through a status code instead.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace trim {

/// Where in a user's file a problem is. line/column are 1-based; 0 means unknown.
struct SourcePos {
  std::string file;
  int line = 0;
  int column = 0;
};

/// Bad user input. what() is the full message:
///   "<file>:<line>:<column>: error: <what is wrong>\n  hint: <how to fix it>"
/// (the hint line is omitted when empty; line/column are omitted when unknown).
class ConfigError : public std::runtime_error {
 public:
  ConfigError(SourcePos pos, const std::string& problem, const std::string& hint = {});
  [[nodiscard]] const SourcePos& pos() const { return pos_; }
  [[nodiscard]] const std::string& problem() const { return problem_; }
  [[nodiscard]] const std::string& hint() const { return hint_; }

 private:
  SourcePos pos_;
  std::string problem_;
  std::string hint_;
};

/// A file that cannot be created, read or written. what() names the path and the cause.
class IoError : public std::runtime_error {
 public:
  IoError(const std::string& path, const std::string& problem, const std::string& hint = {});
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// Formats "file:line:column" (or fewer parts when line/column are unknown).
std::string FormatPos(const SourcePos& pos);

/// Levenshtein distance, case-sensitive.
std::size_t EditDistance(std::string_view a, std::string_view b);

/// The candidate closest to `word` by edit distance, or "" when none is close enough to be a
/// plausible typo (distance above a third of the word's length, plus one).
template <typename Range>
std::string DidYouMean(std::string_view word, const Range& candidates) {
  std::string best;
  std::size_t best_d = word.size() / 3 + 2;
  for (const auto& c : candidates) {
    const std::string_view cv(c);
    const std::size_t d = EditDistance(word, cv);
    if (d < best_d) {
      best_d = d;
      best = std::string(cv);
    }
  }
  return best;
}

}  // namespace trim
