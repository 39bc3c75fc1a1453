// Runs a sweep over every rank of a communicator and writes one results file.
//
// Rank 0 plans the work (index ranges that never cross a workload block, costliest networks
// first, skipping rows already done when resuming) and hands it out on request; it computes
// too, in short slices between polls for requests, so no core idles on one node. Every rank
// writes the rows it computed straight into the file (independent parallel-HDF5 writes). At
// the end the ranks' best designs are reduced on rank 0 and stored in the file.
// COLLECTIVE over `comm`; every rank must pass an identical DesignSpace and options.
#pragma once

#include <mpi.h>

#include <atomic>
#include <csignal>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "trim/sched/chunking.hpp"
#include "trim/sched/messages.hpp"
#include "trim/space/design_space.hpp"

namespace trim::sched {

struct RunOptions {
  std::string output;       ///< results file path
  bool force = false;       ///< replace an existing file
  bool resume = false;      ///< complete an existing file's rows that are not done
  std::uint64_t chunk = 0;  ///< points per task; 0 = automatic
  /// A rank joins the rows of consecutive tasks into one write (one call per column) of up to
  /// this many bytes; 0 writes every task at once.
  std::uint64_t write_buffer_bytes = std::uint64_t{8} << 20;
  std::string command_line;  ///< stored as provenance
  std::string version;       ///< trim-sweep version, stored as provenance
  /// Set asynchronously (by a signal handler) to wind the run down: tasks in flight finish,
  /// the file is flushed and closed, and the run returns with interrupted = true.
  const volatile std::sig_atomic_t* stop_flag = nullptr;
  /// Testing aid: this rank kills itself with SIGKILL after writing this many tasks (< 0: never).
  int crash_after_tasks = -1;
  /// Testing aid: this rank throws (a std::runtime_error, surfacing as a RankFailure) after
  /// writing its first task (< 0: never).
  int fail_rank = -1;
  /// Called on rank 0 about once per `progress_interval_s` with (points done, points total).
  std::function<void(std::uint64_t, std::uint64_t)> progress;
  double progress_interval_s = 2.0;
};

/// Infeasible designs of one kind (reason, layer, phase), counted over the rows done in the file.
struct FailureCount {
  std::uint8_t status = 0;  ///< model::Status
  std::uint32_t layer = 0;  ///< code into space::FailLayerLabels(): 0 = no layer to blame
  std::uint8_t phase = 0;   ///< 0 = none, else 1 + trim::Phase
  std::uint64_t count = 0;
};

struct PhaseTimes {
  double fill_s = 0;      ///< building hardware batches
  double evaluate_s = 0;  ///< the model
  double write_s = 0;     ///< HDF5 writes
  double sched_s = 0;     ///< waiting for and exchanging work messages
};

struct RunSummary {
  std::uint64_t points_total = 0;
  std::uint64_t points_before = 0;  ///< already done when the run started (resume)
  std::uint64_t points_now = 0;     ///< computed by this run, all ranks
  std::uint64_t tasks = 0;          ///< tasks planned by rank 0
  std::uint64_t write_calls = 0;    ///< row writes (one per column each), all ranks
  std::uint64_t chunk = 0;          ///< points per task used
  double point_s = 0;  ///< measured seconds per point of the cheapest block (0: --chunk given)
  double wall_s = 0;
  PhaseTimes times;      ///< rank 0's own phase times
  PhaseTimes times_max;  ///< the largest of each phase over the ranks
  bool interrupted = false;
  std::vector<BestEntry> best;  ///< rank 0 only: best designs per network, best first
  /// Rank 0 only: infeasible rows done in the file (this run's and, when resuming, earlier
  /// runs'), by reason, layer and phase; most first.
  std::vector<FailureCount> failures;
  int ranks = 1;
};

/// A failure of this rank after the results file was opened (an evaluation, a write, the
/// final reduction): thrown on the failing rank only, so the other ranks may be blocked in
/// communication and the caller must abort the communicator. The file keeps every row whose
/// done flag is set and can be completed with `resume`. Failures before that point (the file
/// cannot be created or is refused) are thrown as the io errors themselves, on every rank alike.
class RankFailure : public std::runtime_error {
 public:
  RankFailure(int rank, int ranks, const std::string& cause, bool io_error)
      : std::runtime_error(cause), rank_(rank), ranks_(ranks), io_error_(io_error) {}
  [[nodiscard]] int rank() const { return rank_; }
  [[nodiscard]] int ranks() const { return ranks_; }
  /// True when the cause was a trim::IoError (a file-system failure, with its path).
  [[nodiscard]] bool io_error() const { return io_error_; }

 private:
  int rank_;
  int ranks_;
  bool io_error_;
};

/// SHA-256 (hex) of the job text and every source file it read: the identity of a results file.
std::string JobHash(const config::JobSpec& job);

/// Runs the sweep. Throws io::RefusedError or IoError on every rank alike when the file cannot
/// be created or resumed, and RankFailure on a rank that fails afterwards.
RunSummary RunSweep(MPI_Comm comm, const space::DesignSpace& space, const RunOptions& opts);

}  // namespace trim::sched
