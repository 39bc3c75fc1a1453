#include "path_check.hpp"

#include <fcntl.h>
#include <hdf5.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "h5_util.hpp"
#include "trim/core/clock.hpp"

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
    case ENAMETOOLONG:
      return {"the path is too long (a name may have at most 255 bytes, a path 4095)",
              "shorten it, or " + std::string(kOtherPathHint), true};
    case ELOOP:
      return {"too many levels of symbolic links (a symlink loop)",
              "fix or remove the link, or " + std::string(kOtherPathHint), true};
    default:
      return {std::strerror(err),
              "check the path and the file system, or " + std::string(kOtherPathHint)};
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

namespace {

constexpr const char* kRegularHint =
    "the output must be a regular file or a new path: choose another path with -o";

/// What kind of non-regular file `st` describes, for a message.
const char* KindOf(const struct stat& st) {
  if (S_ISDIR(st.st_mode)) return "a directory";
  if (S_ISFIFO(st.st_mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) return "a device";
  if (S_ISSOCK(st.st_mode)) return "a socket";
  return "not a regular file";
}

/// True when `inner` is `outer` or lies below it (both canonical).
bool Within(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin();
  for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

}  // namespace

PathProblem CheckOutputTarget(const std::string& path, const std::vector<std::string>& inputs,
                              const std::string& config_dir) {
  if (path.empty()) {
    return {"the output path is empty", "give a file name with -o, e.g. -o results.h5", true};
  }
  if (path.find('\0') != std::string::npos) {
    return {"the output path contains a NUL character", "give a file name without it with -o",
            true};
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return DescribeOsError(path, EISDIR);
    if (!S_ISREG(st.st_mode)) return {std::string("the path is ") + KindOf(st), kRegularHint, true};
    for (const std::string& in : inputs) {
      struct stat is {};
      if (::stat(in.c_str(), &is) == 0 && is.st_dev == st.st_dev && is.st_ino == st.st_ino) {
        return {"the path is '" + in + "', an input of the job",
                "choose another path with -o: the results would replace the job's own input", true};
      }
    }
  } else if (struct stat ls{}; errno == ENOENT && ::lstat(path.c_str(), &ls) == 0) {
    return {"the path is a symbolic link to a missing file",
            "choose another path with -o, or remove the link", true};
  }
  std::error_code ec;
  const fs::path target = fs::weakly_canonical(path, ec);
  const fs::path presets = fs::canonical(config_dir, ec);
  if (!ec && !target.empty() && Within(target, presets)) {
    return {"the path lies in the preset directory '" + config_dir + "'",
            "choose another path with -o: the presets are inputs of every job", true};
  }
  return {};
}

namespace {

std::string HostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown-host";
  return buf;
}

/// The start time of process `pid` in clock ticks since boot (field 22 of /proc/PID/stat),
/// which tells a live owner from a later process that reuses its pid; nullopt if unknown.
std::optional<unsigned long long> StartTicks(long pid) {
  const std::string file = "/proc/" + std::to_string(pid) + "/stat";
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string stat(1024, '\0');
  const ssize_t n = ::read(fd, stat.data(), stat.size());
  ::close(fd);
  stat.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  const std::size_t close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(close + 2));
  std::string f;
  for (int k = 3; k < 22 && (fields >> f); ++k) {
  }
  unsigned long long ticks = 0;
  if (!(fields >> ticks)) return std::nullopt;
  return ticks;
}

/// The owner line written into a lock file: "host=H pid=P start=T since=UTC".
std::string OwnerLine() {
  const long pid = ::getpid();
  return "host=" + HostName() + " pid=" + std::to_string(pid) +
         " start=" + std::to_string(StartTicks(pid).value_or(0)) + " since=" + UtcNow() + "\n";
}

std::string ReadOwner(int fd) {
  std::string text(512, '\0');
  const ssize_t n = ::pread(fd, text.data(), text.size(), 0);
  text.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
  return text;
}

std::string Field(const std::string& owner, const std::string& key) {
  const std::size_t at = owner.find(key + "=");
  if (at == std::string::npos) return {};
  const std::size_t begin = at + key.size() + 1;
  return owner.substr(begin, owner.find(' ', begin) - begin);
}

/// Without record locks: is the owner named in a lock file still running? A lock of another
/// host cannot be checked and counts as live.
bool OwnerAlive(const std::string& owner) {
  if (owner.empty()) return false;
  if (Field(owner, "host") != HostName()) return true;
  const long pid = std::atol(Field(owner, "pid").c_str());
  if (pid <= 0 || (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)) return false;
  const auto ticks = StartTicks(pid);
  return !ticks || std::to_string(*ticks) == Field(owner, "start");
}

PathProblem Busy(const std::string& lock_path, const std::string& owner, bool checked_by_kernel) {
  std::string who = owner.empty() ? std::string("an unnamed process") : owner;
  return {
      "another trim-sweep run is writing this file (" + who + ")",
      std::string("wait for that run to end or stop it, or choose another path with -o") +
          (checked_by_kernel ? "" : "; if that run is gone (on another host), remove " + lock_path),
      true};
}

}  // namespace

OutputLock& OutputLock::operator=(OutputLock&& o) noexcept {
  if (this != &o) {
    Release();
    lock_path_ = std::move(o.lock_path_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

PathProblem OutputLock::Acquire(const std::string& path) {
  Release();
  const std::string lock_path = path + ".lock";
  for (int attempt = 0; attempt < 3; ++attempt) {
    const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0 && errno == ELOOP) {
      return {"'" + lock_path + "' is a symbolic link, not a trim-sweep lock file",
              "remove it, or choose another path with -o", true};
    }
    if (fd < 0) return DescribeOsError(path, errno);
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    const bool locked = ::fcntl(fd, F_SETLK, &fl) == 0;
    const int err = errno;
    if (!locked && (err == EACCES || err == EAGAIN)) {
      const std::string owner = ReadOwner(fd);
      ::close(fd);
      return Busy(lock_path, owner, true);
    }
    if (!locked && OwnerAlive(ReadOwner(fd))) {  // no record locks on this file system
      const std::string owner = ReadOwner(fd);
      ::close(fd);
      return Busy(lock_path, owner, false);
    }
    if (const std::string old = ReadOwner(fd); !old.empty() && old.rfind("host=", 0) != 0) {
      ::close(fd);  // a file of the user's that happens to have the lock file's name
      return {"'" + lock_path + "' exists and is not a trim-sweep lock file",
              "rename or remove it, or choose another path with -o", true};
    }
    // The previous owner may have removed the file between our open and our lock: then the
    // lock is on a name-less file, so start again.
    struct stat mine {
    }, named{};
    if (::fstat(fd, &mine) != 0 || ::stat(lock_path.c_str(), &named) != 0 ||
        mine.st_ino != named.st_ino || mine.st_dev != named.st_dev) {
      ::close(fd);
      continue;
    }
    const std::string line = OwnerLine();
    if (::ftruncate(fd, 0) != 0 ||
        ::pwrite(fd, line.data(), line.size(), 0) != static_cast<ssize_t>(line.size())) {
      const int werr = errno;
      ::unlink(lock_path.c_str());
      ::close(fd);
      return DescribeOsError(path, werr);
    }
    lock_path_ = lock_path;
    fd_ = fd;
    return {};
  }
  return {"cannot take the lock " + lock_path + ": it keeps being replaced",
          "another run is starting on this path; choose another path with -o"};
}

void OutputLock::Release() {
  if (fd_ < 0) return;
  ::unlink(lock_path_.c_str());
  ::close(fd_);
  fd_ = -1;
}

}  // namespace trim::io
