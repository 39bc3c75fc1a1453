// Module-private, serial (rank 0 only) file-system checks made before the collective HDF5
// open, so that the common failures (file exists, missing directory, permission denied,
// read-only or full file system) produce one clear message instead of an HDF5 error stack.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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

/// The rule for every output path, checked before anything is locked, created or opened: the
/// path is not empty and, after symbolic links, is absent or a regular file (not a directory,
/// FIFO, device or socket, nor a dangling link), is none of `inputs` (the job and every file it
/// names: hardware, technology, network and ONNX files) and does not lie inside `config_dir`
/// (the presets). Touches nothing; refusals have `refused` set.
PathProblem CheckOutputTarget(const std::string& path, const std::vector<std::string>& inputs,
                              const std::string& config_dir);

/// An exclusive lock on an output path for the whole run: the lock file `<path>.lock` holds a
/// POSIX record lock (fcntl F_SETLK; the kernel drops it when the process dies, and NFS and
/// Lustre mounted with flock forward it to every client) and the owner's host, pid and start
/// time, so a refused run can name the owner. Where the file system has no record locks, the
/// owner line alone decides: a lock of a dead process on this host is stale and taken over.
/// The destructor removes the lock file.
class OutputLock {
 public:
  OutputLock() = default;
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;
  OutputLock(OutputLock&& o) noexcept : lock_path_(std::move(o.lock_path_)), fd_(o.fd_) {
    o.fd_ = -1;
  }
  OutputLock& operator=(OutputLock&& o) noexcept;
  ~OutputLock() { Release(); }

  /// Takes the lock of `path`; a refusal names the running owner.
  PathProblem Acquire(const std::string& path);
  void Release();
  [[nodiscard]] bool held() const { return fd_ >= 0; }

 private:
  std::string lock_path_;
  int fd_ = -1;
};

}  // namespace trim::io
