// Shared pieces of the command-line programs: exit codes, the job loader that reads on rank 0
// and broadcasts to every rank, and formatting of design points.
#pragma once

#include <mpi.h>

#include <optional>
#include <string>
#include <vector>

#include "trim/config/load.hpp"
#include "trim/space/design_space.hpp"

namespace trim::cli {

/// Exit codes of trim-sweep and trim-eval (docs/exit-codes.md).
enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,      ///< an internal error or a failing rank
  kExitBadInput = 2,     ///< bad job, hardware or network file, bad arguments, refused output
  kExitIo = 3,           ///< the file system failed (permission, full disk, ...)
  kExitInterrupted = 4,  ///< stopped by SIGTERM/SIGINT/SIGUSR1; the file is resumable
};

/// Rank 0 reads the job and every file it names, every rank parses the same bytes. Returns
/// the spec on every rank, or nullopt after rank 0 printed the error (same on all ranks);
/// `exit_code` is then set.
std::optional<config::JobSpec> LoadJobEverywhere(MPI_Comm comm, const std::string& path,
                                                 const config::LoadOptions& opts, int& exit_code);

/// "pe_rows=12 pe_cols=14 glb_kib=108 precision=template batch=4 dataflow=rs ..."
std::string DescribePoint(const space::DesignSpace& space, Index i);

/// Formats a value with its unit compactly ("12.3 ms", "4.1 mJ"), for summaries.
std::string Human(double value, const std::string& unit);

}  // namespace trim::cli
