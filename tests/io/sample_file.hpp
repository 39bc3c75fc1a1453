// A small, fully deterministic results file shared by the C++ tests and the Python reader
// test (analysis/tests/test_load.py, which recomputes the same values; keep them in sync).
//
// 60 rows = pe_rows {8, 16, 32} (fastest) x batch {1, 2, 4, 8, 16} x dataflow {ws, os} x
// network {alexnet, resnet50} (slowest). Row i holds:
//   latency_s = 0.5 * (i + 1), energy_pj = 0.25 * i, macs = 1000 * i + 7, status = i % 3.
// Rows [40, 45) are left pending (done = 0); every other row is written, in chunks of 4 rows
// dealt round-robin to the ranks. The table /best holds two rows, written by the last rank.
#pragma once

#include <mpi.h>

#include <memory>
#include <string>
#include <vector>

#include "trim/io/results_file.hpp"

namespace trim::io::testing {

inline constexpr Index kSampleRows = 60;
inline constexpr Index kPendingBegin = 40;
inline constexpr Index kPendingEnd = 45;
inline constexpr const char* kSampleJobSha = "0123456789abcdef0123456789abcdef";

Layout SampleLayout();
std::vector<Attribute> SampleAttributes(int ranks);
SmallTable SampleTable();

/// COLLECTIVE. Writes this rank's share of the sample rows (all but the pending ones).
void WriteSampleRows(MPI_Comm comm, ResultsFile& file);

/// COLLECTIVE. Creates `path` (force), writes the sample rows and table, closes it.
void WriteSampleFile(MPI_Comm comm, const std::string& path);

/// The stored value of column `k` (layout order) at row i, as a double.
double SampleValue(std::size_t k, Index i);

}  // namespace trim::io::testing
