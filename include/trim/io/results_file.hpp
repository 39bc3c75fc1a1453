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

#include <mpi.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "trim/core/error.hpp"
#include "trim/core/types.hpp"

namespace trim::io {

inline constexpr int kSchemaVersion = 2;

enum class Dtype : std::uint8_t { kF64, kU8, kU16, kU32, kI64, kF32 };

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

/// An IoError caused by the request rather than by the file system: the output exists and
/// neither force nor resume was asked for, the path is a directory, or a file to resume is
/// missing, not a trim-sweep file, or was written for another job, row count, column set or
/// schema version. The file is left untouched. (Any other IoError is a file-system failure.)
class RefusedError : public IoError {
 public:
  using IoError::IoError;
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
  /// attributes (plus the root attributes schema_version, hdf5_version and rows), then
  /// flushes. Throws RefusedError if `path` exists and !force (the file is not touched), and
  /// IoError on any HDF5/OS error (the message names the path and the cause). With force,
  /// replaces the file. Every rank throws the same error.
  static std::unique_ptr<ResultsFile> Create(MPI_Comm comm, const std::string& path,
                                             const Layout& layout,
                                             const std::vector<Attribute>& attributes, bool force);
  /// COLLECTIVE. Opens an existing file to complete it. Throws RefusedError if it is missing,
  /// not a trim-sweep file, of another schema version, of another row count or column set, or
  /// if its `job_sha256` attribute differs from `job_sha256`; IoError if it cannot be opened
  /// for writing. Every rank throws the same error.
  static std::unique_ptr<ResultsFile> OpenForResume(MPI_Comm comm, const std::string& path,
                                                    const Layout& layout,
                                                    const std::string& job_sha256);
  virtual ~ResultsFile() = default;

  /// INDEPENDENT. Writes rows r of every column (data[k] points to r.size() values of column
  /// k's dtype, in layout order), then sets done[r] = 1.
  virtual void WriteRows(IndexRange r, std::span<const void* const> data) = 0;
  /// INDEPENDENT. The done mask of rows r.
  virtual std::vector<std::uint8_t> ReadDone(IndexRange r) = 0;
  /// INDEPENDENT. Rows r of layout column `column` (index in Layout::columns) as float64
  /// (HDF5 converts integer columns).
  virtual std::vector<double> ReadColumn(std::size_t column, IndexRange r) = 0;
  /// COLLECTIVE. Creates /<group> with its columns, replacing an earlier /<group>; only
  /// `writer_rank` writes the values (other ranks pass the same column definitions; their
  /// values, and so their lengths, are ignored: the writer's lengths are broadcast). A
  /// categorical column reuses /lookup/<name> when its labels equal that lookup's, and gets
  /// /lookup/<group>_<name> otherwise. ColumnDef::group is ignored here.
  virtual void WriteTable(const SmallTable& table, int writer_rank) = 0;
  /// COLLECTIVE. Sets (creates or replaces) root attributes.
  virtual void SetAttributes(const std::vector<Attribute>& attributes) = 0;
  /// COLLECTIVE. Flushes and closes; further calls are errors. A file destroyed without
  /// Close() is closed only when the communicator has one rank; otherwise its handles are left
  /// to HDF5's shutdown at MPI_Finalize (the destructor never blocks or throws).
  virtual void Close() = 0;
};

/// COLLECTIVE (rank 0 checks, every rank throws the same RefusedError). The output rule: `path`
/// is not empty and resolves (after symbolic links) to a regular file or to nothing; it is
/// none of `inputs` (the job and the files it names) and lies outside `config_dir`. Checked
/// before Create or OpenForResume touches anything.
void CheckOutputTarget(MPI_Comm comm, const std::string& path,
                       const std::vector<std::string>& inputs, const std::string& config_dir);

/// True once closing a results file failed after a write failure (a full disk or an I/O error
/// while the file was created). HDF5 1.10 then still holds the half-closed file, and its
/// shutdown at MPI_Finalize crashes or loops forever: the program must exit without
/// MPI_Finalize (every rank of the communicator is in the same state).
bool CloseLeftOpen();

/// What VerifyFile found.
struct VerifyReport {
  Index rows = 0;
  Index done = 0;              ///< rows whose done flag is 1
  std::vector<Index> failing;  ///< rows with a bad done byte or a checksum mismatch, ascending
};

/// Serial. Checks every row marked done against its /checksum. Throws RefusedError if the file
/// is not a results file of this schema version, IoError if it cannot be read.
VerifyReport VerifyFile(const std::string& path);

/// Serial (one process, not collective; for tools and rank-0-only code): the root attribute
/// `name` of the results file at `path` as text (strings verbatim, numbers in their shortest
/// round-trip decimal form). Throws IoError if the file or the attribute is missing.
std::string ReadAttributeText(const std::string& path, const std::string& name);

}  // namespace trim::io
