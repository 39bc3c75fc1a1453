// The messages ranks exchange while a sweep runs, and their encoding: Boost.Serialization
// binary archives (no header) carried as MPI_BYTE buffers over plain point-to-point MPI.
// This is the only place in the project that serializes anything; messages carry design
// indices and small result summaries, never models or configurations (every rank parses the
// same job text). All ranks run the same binary, so binary archives are safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "trim/core/types.hpp"

namespace trim::sched {

/// MPI tags.
inline constexpr int kTagRequest = 101;
inline constexpr int kTagAssign = 102;
inline constexpr int kTagBest = 103;

/// Worker -> rank 0: "I finished my last task, give me another". `stopping` is set when the
/// worker received a stop signal (SIGTERM, SIGINT, SIGUSR1) and wants the run wound down.
struct WorkRequest {
  std::uint64_t points_done = 0;  ///< points the worker completed since its last request
  bool stopping = false;
};

/// Rank 0 -> worker: the next ranges to compute; `stop` (with no ranges) ends the worker.
struct WorkAssign {
  std::vector<IndexRange> ranges;
  bool stop = false;
};

/// One of the best designs under the job's goal.
struct BestEntry {
  std::uint32_t network = 0;  ///< network code (index in the network axis)
  Index index = 0;            ///< design index
  double value = 0;           ///< the goal column's value
};

std::string Encode(const WorkRequest& m);
std::string Encode(const WorkAssign& m);
std::string Encode(const std::vector<BestEntry>& m);
WorkRequest DecodeRequest(const std::string& bytes);
WorkAssign DecodeAssign(const std::string& bytes);
std::vector<BestEntry> DecodeBest(const std::string& bytes);

}  // namespace trim::sched

namespace trim::sched {

/// Rank 0 -> all ranks, once at start: the job file and every file it read, so that every
/// rank parses exactly the same text. `error` is set (and nothing else) when rank 0 could not
/// load the job; every rank then exits with the same code.
struct JobBundle {
  std::string job_path;
  std::vector<std::pair<std::string, std::string>> files;  ///< path -> text
  std::string error;
  int exit_code = 0;
};

std::string Encode(const JobBundle& m);
JobBundle DecodeBundle(const std::string& bytes);

}  // namespace trim::sched
