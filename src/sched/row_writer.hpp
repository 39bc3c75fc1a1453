// Module-private: a rank's write-behind buffer of result rows.
//
// Tasks finish one after another on a rank; when the next task starts where the last one
// ended (rank 0 hands a rank consecutive tasks of its lane, runner.cpp), the buffer joins
// them into one run of rows and writes the run with one write per column and one of the done
// mask, instead of one set per task. The run is written when a task does not continue it,
// when it holds `flush_bytes`, when its oldest row waited `max_hold_s`, and on Flush(). Rows
// still in the buffer are not done in the file: a killed rank loses at most the buffer, which
// --resume recomputes.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "trim/io/results_file.hpp"

namespace trim::sched {

class RowWriter {
 public:
  /// `dtypes`: the file's columns in layout order. flush_bytes = 0 writes every task at once.
  RowWriter(io::ResultsFile& file, std::vector<io::Dtype> dtypes, std::uint64_t flush_bytes,
            double max_hold_s);

  /// Adds rows r (data[k]: r.size() values of column k's dtype); writes the buffered run
  /// first when r does not continue it or the buffer is full, and writes r at once when it
  /// alone fills the buffer.
  void Append(IndexRange r, std::span<const void* const> data);
  /// Writes the buffered run, if any.
  void Flush();

  [[nodiscard]] std::uint64_t write_calls() const { return write_calls_; }  ///< WriteRows calls

 private:
  void WriteNow(IndexRange r, std::span<const void* const> data);

  io::ResultsFile& file_;
  std::vector<io::Dtype> dtypes_;
  std::vector<std::size_t> widths_;  ///< bytes per value, per column
  std::size_t row_bytes_ = 0;
  std::uint64_t flush_bytes_;
  double max_hold_s_;
  IndexRange run_;
  double run_since_ = 0;
  std::vector<std::vector<unsigned char>> cols_;
  std::uint64_t write_calls_ = 0;
};

}  // namespace trim::sched
