// The results file: one HDF5 file written by every rank through parallel HDF5 (MPI-IO).
//
// Layout (docs/output-format.md; kSchemaVersion below): every column is a fixed-size 1-D
// dataset of `rows` elements, row = design index. Columns are created collectively and the
// file is flushed before any result is written, so a crash always leaves a readable file.
// Rows are written independently by whichever rank computed them, results first and then the
// `done` mask, so a row whose done flag is 1 always holds its results.
//
// Thread safety: none. Collective calls must be made by every rank of the communicator in the
// same order with the same arguments; they are marked COLLECTIVE.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <mpi.h>

#include "trim/core/types.hpp"

namespace trim::io {

inline constexpr int kSchemaVersion = 1;

enum class Dtype : std::uint8_t { kF64, kU8, kU16, kU32, kI64 };

struct ColumnDef {
  std::string group;  ///< "params" (design axes) or "results"
  std::string name;
  Dtype dtype = Dtype::kF64;
  std::string units;
  std::string description;
  /// Categorical column: the code -> label table, written as /lookup/<name>.
  std::vector<std::string> categories;
  /// Numeric axis column: the axis values, written as /axes/<name>.
  std::vector<double> axis_values;
};

struct Layout {
  Index rows = 0;
  std::vector<ColumnDef> columns;
};

/// Root attributes: strings are stored as variable-length UTF-8, numbers as float64.
struct Attribute {
  std::string name;
  std::string text;
  double number = 0;
  bool is_number = false;
};

/// A small table (for example the best designs) stored under /<group>/<column>.
struct SmallTable {
  std::string group;
  std::vector<std::pair<ColumnDef, std::vector<double>>> columns;  ///< stored with each dtype
};

class ResultsFile {
 public:
  /// COLLECTIVE. Creates the file with every column, the done mask, lookups, axes and
  /// attributes, then flushes. Throws IoError if `path` exists and !force, or on any HDF5/OS
  /// error (the message names the path and the cause). With force, replaces the file.
  static std::unique_ptr<ResultsFile> Create(MPI_Comm comm, const std::string& path,
                                             const Layout& layout,
                                             const std::vector<Attribute>& attributes, bool force);
  /// COLLECTIVE. Opens an existing file to complete it. Throws IoError if it is missing, not a
  /// trim-sweep file, of another schema version, of another row count or column set, or if
  /// its `job_sha256` attribute differs from `job_sha256`.
  static std::unique_ptr<ResultsFile> OpenForResume(MPI_Comm comm, const std::string& path,
                                                    const Layout& layout,
                                                    const std::string& job_sha256);
  virtual ~ResultsFile() = default;

  /// INDEPENDENT. Writes rows r of every column (data[k] points to r.size() values of column
  /// k's dtype, in layout order), then sets done[r] = 1.
  virtual void WriteRows(IndexRange r, std::span<const void* const> data) = 0;
  /// INDEPENDENT. The done mask of rows r.
  virtual std::vector<std::uint8_t> ReadDone(IndexRange r) = 0;
  /// COLLECTIVE. Creates /<group> with its columns; only `writer_rank` writes the values
  /// (other ranks pass the same column definitions; their values are ignored).
  virtual void WriteTable(const SmallTable& table, int writer_rank) = 0;
  /// COLLECTIVE. Sets (creates or replaces) root attributes.
  virtual void SetAttributes(const std::vector<Attribute>& attributes) = 0;
  /// COLLECTIVE. Flushes and closes; further calls are errors.
  virtual void Close() = 0;
};

}  // namespace trim::io
