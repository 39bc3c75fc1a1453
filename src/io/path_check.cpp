#include "path_check.hpp"

#include <fcntl.h>
#include <hdf5.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "h5_util.hpp"

namespace trim::io {
namespace {

namespace fs = std::filesystem;

std::string ParentOf(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

/// The first leading part of `path` (a strict prefix of it) that exists but is not a
/// directory, or "" if there is none.
std::string FirstNonDirectoryPrefix(const std::string& path) {
  fs::path prefix;
  const fs::path p(path);
  for (auto it = p.begin(); it != p.end(); ++it) {
    prefix /= *it;
    if (std::next(it) == p.end()) break;  // the file itself is not a prefix
    struct stat st {};
    if (::stat(prefix.c_str(), &st) != 0) return {};
    if (!S_ISDIR(st.st_mode)) return prefix.string();
  }
  return {};
}

bool IsDirectory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

constexpr const char* kOtherPathHint = "choose another path with -o";

}  // namespace

PathProblem DescribeOsError(const std::string& path, int err) {
  const std::string dir = ParentOf(path);
  switch (err) {
    case ENOENT:
      if (!IsDirectory(dir)) {
        return {"the directory '" + dir + "' does not exist",
                "create it (mkdir -p " + dir + ") or " + kOtherPathHint};
      }
      return {"the file does not exist", ""};
    case ENOTDIR: {
      const std::string bad = FirstNonDirectoryPrefix(path);
      if (!bad.empty()) return {"'" + bad + "' is not a directory", kOtherPathHint};
      return {"a part of the path is not a directory", kOtherPathHint};
    }
    case EACCES:
    case EPERM:
      return {"permission denied",
              "fix the permissions of '" + dir + "' or choose a writable location with -o"};
    case EROFS:
      return {"the file system is read-only", kOtherPathHint};
    case ENOSPC:
      return {"no space left on the device", "free some space or choose another location with -o"};
    case EDQUOT:
      return {"disk quota exceeded", "free some space or choose another location with -o"};
    case EISDIR:
      return {"the path is a directory", "give a file name with -o", true};
    case EEXIST:
      return {"the file already exists; refusing to overwrite it",
              "use --force to replace it, or --resume to complete it", true};
    default:
      return {std::strerror(err), ""};
  }
}

std::optional<std::uint64_t> FreeBytes(const std::string& path) {
  struct statvfs vfs {};
  if (::statvfs(path.c_str(), &vfs) != 0 && ::statvfs(ParentOf(path).c_str(), &vfs) != 0) {
    return std::nullopt;
  }
  if (vfs.f_blocks == 0) return std::nullopt;  // a pseudo file system: size unknown
  return static_cast<std::uint64_t>(vfs.f_bavail) * vfs.f_frsize;
}

std::string HumanBytes(std::uint64_t bytes) {
  constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 || v >= 10 ? "%.0f %s" : "%.1f %s", v, kUnits[u]);
  return buf;
}

PathProblem PrepareForCreate(const std::string& path, bool force, std::uint64_t bytes_needed,
                             bool& created_new) {
  created_new = false;
  struct stat st {};
  const bool existed = ::stat(path.c_str(), &st) == 0;
  if (existed && S_ISDIR(st.st_mode)) return DescribeOsError(path, EISDIR);
  if (existed && !force) return DescribeOsError(path, EEXIST);
  // An existing file is checked before it is truncated, counting the space it gives back
  // (st_blocks counts 512-byte units); a new file after it is made, so that a missing
  // directory or a permission problem is reported as such.
  const std::uint64_t reclaimed = existed ? static_cast<std::uint64_t>(st.st_blocks) * 512 : 0;
  auto space_problem = [&]() -> PathProblem {
    const auto free_bytes = FreeBytes(ParentOf(path));
    if (!free_bytes || *free_bytes + reclaimed >= bytes_needed) return {};
    return {"not enough free space: the file needs about " + HumanBytes(bytes_needed) +
                ", the file system has " + HumanBytes(*free_bytes + reclaimed) + " free",
            "free some space or choose another location with -o"};
  };
  if (existed) {
    if (PathProblem p = space_problem(); !p.empty()) return p;
  }
  const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (existed ? O_TRUNC : O_EXCL);
  const int fd = ::open(path.c_str(), flags, 0666);
  if (fd < 0) return DescribeOsError(path, errno);
  ::close(fd);
  if (!existed) {
    if (PathProblem p = space_problem(); !p.empty()) {
      ::unlink(path.c_str());
      return p;
    }
  }
  created_new = !existed;
  return {};
}

PathProblem CheckForResume(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    PathProblem p = DescribeOsError(path, err);
    if (err == ENOENT && p.hint.empty()) {
      p.hint = "run without --resume to create it";
      p.refused = true;
    }
    return p;
  }
  ::close(fd);
  const h5::QuietErrors quiet;
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return {"the file is not an HDF5 file",
            "choose another path with -o, or use --force to replace it", true};
  }
  return {};
}

}  // namespace trim::io
