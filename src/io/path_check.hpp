// Module-private, serial (rank 0 only) file-system checks made before the collective HDF5
// open, so that the common failures (file exists, missing directory, permission denied,
// read-only or full file system) produce one clear message instead of an HDF5 error stack.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace trim::io {

/// A problem found on the path, with a hint how to fix it; empty when none.
struct PathProblem {
  std::string problem;
  std::string hint;
  bool refused = false;  ///< the request is at fault (RefusedError), not the file system
  [[nodiscard]] bool empty() const { return problem.empty(); }
};

/// Prepares `path` for creation. Without `force`, refuses an existing path and otherwise
/// creates an empty file (atomically, O_EXCL); with `force`, creates or truncates it. Also
/// refuses when the file system has less than `bytes_needed` free (counting the space an
/// existing file gives back), before touching anything. `created_new` tells whether this
/// call made a file that did not exist before (so a later failure may remove it).
PathProblem PrepareForCreate(const std::string& path, bool force, std::uint64_t bytes_needed,
                             bool& created_new);

/// Bytes available to this user on the file system holding `path` (or its directory).
std::optional<std::uint64_t> FreeBytes(const std::string& path);

/// "1.5 GiB", "800 MiB", "12 KiB", "17 B".
std::string HumanBytes(std::uint64_t bytes);

/// Checks that `path` is an existing, writable HDF5 file (for --resume). Touches nothing.
PathProblem CheckForResume(const std::string& path);

/// Explains errno `err` from creating or opening `path`.
PathProblem DescribeOsError(const std::string& path, int err);

}  // namespace trim::io
