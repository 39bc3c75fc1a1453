/* A file system that fills up, for the creation-failure tests: preloaded (LD_PRELOAD) into
 * trim-sweep, it makes every write to the file named by TRIM_FULL_PATH fail with ENOSPC once
 * TRIM_FULL_AFTER bytes have been written to it by this process. Only the write calls that
 * MPI-IO and HDF5 use are covered. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static long long written;

static int full(int fd, size_t n) {
  const char* target = getenv("TRIM_FULL_PATH");
  const char* after = getenv("TRIM_FULL_AFTER");
  if (target == NULL || after == NULL) return 0;
  char link[64], path[PATH_MAX];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const ssize_t len = readlink(link, path, sizeof path - 1);
  if (len < 0) return 0;
  path[len] = '\0';
  if (strcmp(path, target) != 0) return 0;
  if (written + (long long)n > atoll(after)) return 1;
  written += (long long)n;
  return 0;
}

static size_t total(const struct iovec* iov, int count) {
  size_t n = 0;
  for (int i = 0; i < count; ++i) n += iov[i].iov_len;
  return n;
}

#define FORWARD(name, ret, params, args, fd, n)          \
  ret name params {                                      \
    static ret(*real) params;                            \
    if (real == NULL) real = (ret(*) params)dlsym(RTLD_NEXT, #name); \
    if (full(fd, n)) {                                   \
      errno = ENOSPC;                                    \
      return -1;                                         \
    }                                                    \
    return real args;                                    \
  }

FORWARD(write, ssize_t, (int fd, const void* b, size_t n), (fd, b, n), fd, n)
FORWARD(pwrite, ssize_t, (int fd, const void* b, size_t n, off_t o), (fd, b, n, o), fd, n)
FORWARD(pwrite64, ssize_t, (int fd, const void* b, size_t n, off_t o), (fd, b, n, o), fd, n)
FORWARD(writev, ssize_t, (int fd, const struct iovec* v, int c), (fd, v, c), fd, total(v, c))
FORWARD(pwritev, ssize_t, (int fd, const struct iovec* v, int c, off_t o), (fd, v, c, o), fd,
        total(v, c))
FORWARD(pwritev64, ssize_t, (int fd, const struct iovec* v, int c, off_t o), (fd, v, c, o), fd,
        total(v, c))
