#include "trim/io/results_file.hpp"

#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include "h5_util.hpp"
#include "path_check.hpp"
#include "row_checksum.hpp"
#include "trim/core/error.hpp"

namespace trim::io {
namespace {

// Set when a file could not be closed after a write failure (see CloseLeftOpen()).
bool g_close_failed = false;

using h5::Check;
using h5::Checked;
using h5::Id;

constexpr const char* kParams = "params";
constexpr const char* kResults = "results";
constexpr const char* kLookup = "lookup";
constexpr const char* kAxes = "axes";
constexpr const char* kDone = "done";
constexpr const char* kChecksum = "checksum";

constexpr const char* kLayoutHint =
    "the file was written for another job or trim-sweep version: run with --force to start "
    "over, or restore the job";
constexpr const char* kJobChangedHint =
    "the job (or a file it names) changed since the file was created: restore them (the file's "
    "job_text and job_sources attributes hold the originals) to complete it, or write the new "
    "job's results elsewhere with -o; --force would discard every computed row";

int RankOf(MPI_Comm comm) {
  int r = 0;
  MPI_Comm_rank(comm, &r);
  return r;
}

int SizeOf(MPI_Comm comm) {
  int n = 1;
  MPI_Comm_size(comm, &n);
  return n;
}

void BcastString(MPI_Comm comm, int root, std::string& s) {
  unsigned long long n = s.size();
  MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, root, comm);
  s.resize(n);
  if (n > 0) MPI_Bcast(s.data(), static_cast<int>(n), MPI_CHAR, root, comm);
}

[[noreturn]] void Throw(const std::string& path, const PathProblem& p) {
  if (p.refused) throw RefusedError(path, p.problem, p.hint);
  throw IoError(path, p.problem, p.hint);
}

/// COLLECTIVE. Rank 0's `p` is broadcast; every rank throws it if it is a problem.
void ThrowRootProblem(MPI_Comm comm, const std::string& path, PathProblem p) {
  BcastString(comm, 0, p.problem);
  BcastString(comm, 0, p.hint);
  int refused = p.refused ? 1 : 0;
  MPI_Bcast(&refused, 1, MPI_INT, 0, comm);
  p.refused = refused != 0;
  if (!p.empty()) Throw(path, p);
}

// The file being created, removed by a rank that has to abort the creation alone.
std::string g_creating;

constexpr const char* kCreateHint =
    "nothing was kept: free some space or fix the file system, then run the same command again";

/// A rank whose write failed waits this long for the others to agree on it. HDF5 1.10 can
/// leave the other ranks waiting inside a collective call that the failed rank has left (in
/// H5D__contig_fill, or in a flush), and only MPI_Abort frees them.
constexpr double kAgreeSeconds = 3.0;

[[noreturn]] void AbortAlone(MPI_Comm comm, const std::string& path, const PathProblem& p) {
  std::fprintf(stderr, "trim-sweep: %s: error: %s\n", path.c_str(), p.problem.c_str());
  if (!p.hint.empty()) std::fprintf(stderr, "  hint: %s\n", p.hint.c_str());
  if (!g_creating.empty()) {
    ::unlink(g_creating.c_str());
    ::unlink((g_creating + ".lock").c_str());
  }
  std::fflush(stderr);
  MPI_Abort(comm, 3);
  std::_Exit(3);
}

/// COLLECTIVE. If any rank has !ok, every rank throws the problem of the lowest failing rank.
/// A failed rank that the others do not join within kAgreeSeconds reports its problem and
/// aborts the job (exit code 3), removing a file being created.
void AgreeOrThrow(MPI_Comm comm, const std::string& path, bool ok, PathProblem p) {
  const int size = SizeOf(comm);
  const int mine = ok ? size : RankOf(comm);
  int first_failed = size;
  MPI_Request req = MPI_REQUEST_NULL;
  MPI_Iallreduce(&mine, &first_failed, 1, MPI_INT, MPI_MIN, comm, &req);
  if (ok) {
    MPI_Wait(&req, MPI_STATUS_IGNORE);
  } else {
    const double deadline = MPI_Wtime() + kAgreeSeconds;
    int done = 0;
    while (MPI_Test(&req, &done, MPI_STATUS_IGNORE) == MPI_SUCCESS && done == 0) {
      if (MPI_Wtime() > deadline) AbortAlone(comm, path, p);
      ::usleep(1000);
    }
  }
  if (first_failed == size) return;
  BcastString(comm, first_failed, p.problem);
  BcastString(comm, first_failed, p.hint);
  throw IoError(path, p.problem, p.hint);
}

/// A mismatch between the file and the request (thrown as RefusedError).
PathProblem Refuse(std::string problem, std::string hint) {
  return {std::move(problem), std::move(hint), true};
}

bool ValidName(const std::string& s) {
  return !s.empty() && s != "." && s != ".." && s.find('/') == std::string::npos;
}

bool IsInteger(Dtype d) { return d != Dtype::kF64 && d != Dtype::kF32; }

std::uint64_t MaxCode(Dtype d) {
  switch (d) {
    case Dtype::kU8:
      return std::numeric_limits<std::uint8_t>::max();
    case Dtype::kU16:
      return std::numeric_limits<std::uint16_t>::max();
    case Dtype::kU32:
      return std::numeric_limits<std::uint32_t>::max();
    default:
      return std::numeric_limits<std::int64_t>::max();
  }
}

void ValidateColumn(const std::string& path, const ColumnDef& c, const std::string& where) {
  if (!ValidName(c.name)) {
    throw IoError(path, "invalid column name '" + c.name + "' in " + where);
  }
  if (!c.categories.empty()) {
    if (!IsInteger(c.dtype)) {
      throw IoError(path, "categorical column '" + c.name + "' must have an integer dtype");
    }
    if (c.categories.size() - 1 > MaxCode(c.dtype)) {
      throw IoError(path, "column '" + c.name + "' has more categories than its dtype holds");
    }
  }
  if (!c.axis_values.empty() && !c.categories.empty()) {
    throw IoError(path, "column '" + c.name + "' cannot be both categorical and a numeric axis");
  }
}

/// Identical on every rank for identical layouts, so every rank throws together.
void ValidateLayout(const std::string& path, const Layout& layout) {
  std::set<std::string> seen;
  std::set<std::string> lookups;
  for (const ColumnDef& c : layout.columns) {
    if (c.group != kParams && c.group != kResults) {
      throw IoError(path, "column '" + c.name + "' has group '" + c.group +
                              "'; expected 'params' or 'results'");
    }
    ValidateColumn(path, c, "/" + c.group);
    if (!seen.insert(c.group + "/" + c.name).second) {
      throw IoError(path, "duplicate column /" + c.group + "/" + c.name);
    }
    if ((!c.categories.empty() || !c.axis_values.empty()) && !lookups.insert(c.name).second) {
      throw IoError(path, "two columns named '" + c.name + "' need a lookup or axis table");
    }
  }
}

std::uint64_t DtypeBytes(Dtype d) {
  switch (d) {
    case Dtype::kU8:
      return 1;
    case Dtype::kU16:
      return 2;
    case Dtype::kU32:
    case Dtype::kF32:
      return 4;
    default:
      return 8;
  }
}

/// A slight over-estimate of the finished file's size: every column and the done mask in
/// full, plus the metadata (tables, attributes, object headers).
std::uint64_t EstimateBytes(const Layout& layout, const std::vector<Attribute>& attributes) {
  constexpr std::uint64_t kBase = 16 * 1024, kPerObject = 2 * 1024;
  std::uint64_t per_row = 1;  // the done flag
  std::uint64_t fixed = kBase;
  for (const ColumnDef& c : layout.columns) {
    per_row += DtypeBytes(c.dtype);
    fixed += 2 * kPerObject + 8 * c.axis_values.size() + c.units.size() + c.description.size();
    for (const std::string& s : c.categories) fixed += s.size() + 1;
  }
  for (const Attribute& a : attributes) fixed += kPerObject / 8 + a.name.size() + a.text.size();
  const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  if (layout.rows > (max - fixed) / per_row) return max;
  return layout.rows * per_row + fixed;
}

/// HDF5 reports a failed MPI-IO write only as "file write failed"; name the likely cause
/// when the file system is (nearly) full.
std::string RefineCause(const std::string& path, const std::string& cause) {
  if (cause.find("write failed") == std::string::npos) return cause;
  const std::optional<std::uint64_t> free_bytes = FreeBytes(path);
  constexpr std::uint64_t kNearlyFull = 1 << 20;
  if (free_bytes && *free_bytes < kNearlyFull) return cause + ": no space left on the device";
  return cause;
}

/// How to go on when an existing results file cannot be opened.
std::string OpenHint(const std::string& cause) {
  if (cause.find("truncated") != std::string::npos) {
    return "the file was cut short (a full disk, an interrupted copy): restore a complete copy "
           "to resume it, or start over with --force (its rows are lost)";
  }
  return "the file is damaged or not readable: check it with trim-sweep --verify, restore a "
         "good copy, or start over with --force (its rows are lost)";
}

std::string ColumnPath(const ColumnDef& c) { return "/" + c.group + "/" + c.name; }

std::string ShortHash(const std::string& h) { return h.size() > 12 ? h.substr(0, 12) : h; }

std::string HdfLibraryVersion() {
  unsigned maj = 0, min = 0, rel = 0;
  H5get_libversion(&maj, &min, &rel);
  return std::to_string(maj) + "." + std::to_string(min) + "." + std::to_string(rel);
}

Id CreateFapl(MPI_Comm comm, const std::string& path) {
  Id fapl = Checked(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, path, "cannot create HDF5 properties");
  Check(H5Pset_fapl_mpio(fapl.get(), comm, MPI_INFO_NULL), path, "cannot select MPI-IO");
  Check(H5Pset_coll_metadata_write(fapl.get(), true), path, "cannot select MPI-IO");
  // The 1.8 file format and later checksum every metadata block (superblock version 2, object
  // headers version 2, B-trees and heaps), so damaged metadata fails the open or the read
  // instead of being misread. HDF5 1.8 and later (h5py, ParaView) read it.
  Check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_LATEST), path,
        "cannot select the file format");
  return fapl;
}

// ---- Verification of stored rows (independent of how the rows were written) ----

/// The columns the per-row checksum covers, in order: "params/a,params/b,results/x,...".
std::string ChecksumColumns(const Layout& layout) {
  std::string out;
  for (const ColumnDef& c : layout.columns)
    out += (out.empty() ? "" : ",") + c.group + "/" + c.name;
  return out;
}

/// Reads rows r of the 1-D dataset `dset` into `out`, converted to `mem_type`.
void ReadSlice(const std::string& path, hid_t dset, hid_t mem_type, IndexRange r, void* out,
               hid_t dxpl, const std::string& what) {
  if (r.empty()) return;
  const h5::QuietErrors quiet;
  const hsize_t start = r.begin;
  const hsize_t count = r.size();
  Id mem = Checked(H5Screate_simple(1, &count, nullptr), H5Sclose, path, "no dataspace");
  Id file_space = Checked(H5Dget_space(dset), H5Sclose, path, "no dataspace");
  Check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &start, nullptr, &count, nullptr),
        path, "cannot select rows");
  Check(H5Dread(dset, mem_type, mem.get(), file_space.get(), dxpl, out), path,
        "cannot read " + what);
}

/// A column as the verification reads it.
struct StoredColumn {
  hid_t dset;
  Dtype dtype;
  std::string name;
};

/// The rows of r that fail verification: a done byte other than 0 or 1, or a done row whose
/// stored checksum differs from the checksum of its stored values.
std::vector<Index> FailingRows(const std::string& path, hid_t done, hid_t checksum,
                               const std::vector<StoredColumn>& columns, IndexRange r, hid_t dxpl) {
  std::vector<std::uint8_t> flags(r.size());
  ReadSlice(path, done, H5T_NATIVE_UINT8, r, flags.data(), dxpl, "the done mask");
  std::vector<std::uint64_t> stored(r.size());
  ReadSlice(path, checksum, H5T_NATIVE_UINT64, r, stored.data(), dxpl, "/checksum");
  std::vector<std::vector<std::uint64_t>> values(columns.size());  // 8 bytes hold any dtype
  std::vector<const void*> data;
  std::vector<Dtype> dtypes;
  for (std::size_t k = 0; k < columns.size(); ++k) {
    values[k].resize(r.size());
    ReadSlice(path, columns[k].dset, h5::MemType(columns[k].dtype), r, values[k].data(), dxpl,
              columns[k].name);
    data.push_back(values[k].data());
    dtypes.push_back(columns[k].dtype);
  }
  const std::vector<std::uint64_t> computed = RowChecksums(r, dtypes, data);
  std::vector<Index> failing;
  for (Index i = 0; i < r.size(); ++i) {
    if (flags[i] > 1 || (flags[i] == 1 && stored[i] != computed[i])) failing.push_back(r.begin + i);
  }
  return failing;
}

/// Row slices read at a time by the verification (about 8 MiB per column).
constexpr Index kVerifyStep = Index{1} << 20;

class Hdf5ResultsFile final : public ResultsFile {
 public:
  Hdf5ResultsFile(MPI_Comm comm, std::string path, hid_t file, const Layout& layout)
      : comm_(comm), path_(std::move(path)), file_(file), layout_(layout) {
    dxpl_ = Checked(H5Pcreate(H5P_DATASET_XFER), H5Pclose, path_, "cannot create properties");
    Check(H5Pset_dxpl_mpio(dxpl_.get(), H5FD_MPIO_INDEPENDENT), path_, "cannot select I/O");
    const hsize_t n = layout_.rows;
    row_space_ = Checked(H5Screate_simple(1, &n, nullptr), H5Sclose, path_, "no dataspace");
    for (const ColumnDef& c : layout_.columns) {
      if (!c.categories.empty()) lookups_[c.name] = c.categories;
      dtypes_.push_back(c.dtype);
    }
  }

  ~Hdf5ResultsFile() override {
    if (closed_) return;
    const h5::QuietErrors quiet;
    // Object handles close locally while the file stays open. The file itself is left to
    // HDF5's shutdown at MPI_Finalize: closing is collective, and after a failed write
    // H5Fclose in HDF5 1.10 can leave a half-closed file that crashes the shutdown.
    columns_.clear();
    done_.Reset();
    H5Eclear2(H5E_DEFAULT);
  }

  Hdf5ResultsFile(const Hdf5ResultsFile&) = delete;
  Hdf5ResultsFile& operator=(const Hdf5ResultsFile&) = delete;

  /// COLLECTIVE. Writes the whole layout into a freshly created file, then flushes.
  void Build(const std::vector<Attribute>& attributes);
  /// COLLECTIVE (same reads on every rank). Opens the layout's datasets in an existing file;
  /// returns the first mismatch, or an empty problem.
  PathProblem OpenAndVerify(const std::string& job_sha256);
  /// COLLECTIVE. Closes everything; returns false (with the cause) on failure.
  bool CloseAll(std::string& cause);
  /// The lock of the output path, held (on rank 0) until the file is closed.
  void AdoptLock(OutputLock lock) { lock_ = std::move(lock); }
  /// COLLECTIVE. Checks every row marked done against its checksum (rank 0 reads) and clears
  /// the done flag of each row that fails, so that the run computes it again. Returns the
  /// number of rows cleared (on every rank).
  Index ClearFailingRows();

  void WriteRows(IndexRange r, std::span<const void* const> data) override;
  std::vector<std::uint8_t> ReadDone(IndexRange r) override;
  std::vector<double> ReadColumn(std::size_t column, IndexRange r) override;
  void WriteTable(const SmallTable& table, int writer_rank) override;
  void SetAttributes(const std::vector<Attribute>& attributes) override;
  void Close() override;

 private:
  Id CreateGroup(const std::string& name);
  Id CreateDataset(hid_t loc, const std::string& name, hid_t type, hsize_t n, bool fill_zero);
  void WriteColumnAttrs(hid_t dset, const ColumnDef& c, const std::string& lookup_path);
  std::string WriteLookup(const std::string& name, const std::vector<std::string>& labels);
  void WriteWhole(hid_t dset, hid_t mem_type, const void* buf, hsize_t n, bool writer);
  /// COLLECTIVE. Throws on every rank if WriteWhole failed on any.
  void AgreeOnWrites();
  void RequireOpen(const char* op) const;
  void RequireRows(IndexRange r, const char* op) const;
  void Flush(const std::string& what);
  /// Independent read of rows r of `dset` into `out`, converted to `mem_type`.
  void ReadRows(hid_t dset, hid_t mem_type, IndexRange r, void* out, const std::string& what);

  MPI_Comm comm_;
  std::string path_;
  hid_t file_;
  Layout layout_;
  std::vector<Id> columns_;  ///< dataset per layout column, in layout order
  Id done_;
  Id checksum_;  ///< per-row checksum (row_checksum.hpp), written before the done flag
  Id dxpl_;
  Id row_space_;
  std::map<std::string, std::vector<std::string>> lookups_;  ///< /lookup/<name> -> labels
  std::vector<Dtype> dtypes_;                                ///< of the layout's columns
  bool closed_ = false;
  std::string write_failure_;  ///< a failed WriteWhole, until AgreeOnWrites
  std::string failure_hint_;   ///< the hint of a failed write (kCreateHint while creating)
  OutputLock lock_;
};

Id Hdf5ResultsFile::CreateGroup(const std::string& name) {
  return Checked(H5Gcreate2(file_, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                 path_, "cannot create group /" + name);
}

Id Hdf5ResultsFile::CreateDataset(hid_t loc, const std::string& name, hid_t type, hsize_t n,
                                  bool fill_zero) {
  Id space = Checked(H5Screate_simple(1, &n, nullptr), H5Sclose, path_, "no dataspace");
  Id dcpl = Checked(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, path_, "no properties");
  Check(H5Pset_layout(dcpl.get(), H5D_CONTIGUOUS), path_, "cannot set the layout");
  Check(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_EARLY), path_, "cannot set allocation");
  if (fill_zero) {
    const std::uint8_t zero = 0;
    Check(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_UINT8, &zero), path_, "cannot set fill");
    Check(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_ALLOC), path_, "cannot set fill");
  } else {
    // Rows are written exactly once; `done` says which hold data.
    Check(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER), path_, "cannot set fill");
  }
  return Checked(
      H5Dcreate2(loc, name.c_str(), type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
      H5Dclose, path_, "cannot create dataset " + name);
}

void Hdf5ResultsFile::WriteColumnAttrs(hid_t dset, const ColumnDef& c,
                                       const std::string& lookup_path) {
  h5::WriteStringAttr(dset, "units", c.units, path_);
  h5::WriteStringAttr(dset, "description", c.description, path_);
  if (!lookup_path.empty()) h5::WriteStringAttr(dset, "lookup", lookup_path, path_);
}

void Hdf5ResultsFile::WriteWhole(hid_t dset, hid_t mem_type, const void* buf, hsize_t n,
                                 bool writer) {
  if (!writer || n == 0 || !write_failure_.empty()) return;
  // Only the writer calls this: a failure is kept until every rank checks it together
  // (AgreeOnWrites), so that the other ranks never wait in a collective call alone.
  if (H5Dwrite(dset, mem_type, H5S_ALL, H5S_ALL, dxpl_.get(), buf) < 0) {
    write_failure_ = "cannot write a table: " + RefineCause(path_, h5::TakeErrorCause());
  }
}

void Hdf5ResultsFile::AgreeOnWrites() {
  const std::string failure = std::exchange(write_failure_, std::string());
  AgreeOrThrow(comm_, path_, failure.empty(), {failure, failure_hint_});
}

std::string Hdf5ResultsFile::WriteLookup(const std::string& name,
                                         const std::vector<std::string>& labels) {
  const std::string link = std::string("/") + kLookup + "/" + name;
  if (h5::LinkExists(file_, link)) {
    Check(H5Ldelete(file_, link.c_str(), H5P_DEFAULT), path_, "cannot replace " + link);
  }
  std::size_t width = 1;
  for (const std::string& s : labels) width = std::max(width, s.size());
  Id type = h5::FixedStringType(width, path_);
  Id d = CreateDataset(file_, link, type.get(), labels.size(), false);
  std::string buf(labels.size() * width, '\0');
  for (std::size_t i = 0; i < labels.size(); ++i) labels[i].copy(buf.data() + i * width, width);
  WriteWhole(d.get(), type.get(), buf.data(), labels.size(), RankOf(comm_) == 0);
  h5::WriteStringAttr(d.get(), "units", "", path_);
  h5::WriteStringAttr(d.get(), "description",
                      "labels of the codes of the '" + name + "' column: entry k names code k",
                      path_);
  lookups_[name] = labels;
  return link;
}

void Hdf5ResultsFile::Flush(const std::string& what) {
  const herr_t st = H5Fflush(file_, H5F_SCOPE_GLOBAL);
  const std::string cause = st < 0 ? RefineCause(path_, h5::TakeErrorCause()) : std::string();
  AgreeOrThrow(comm_, path_, st >= 0,
               {"cannot flush the file after " + what + ": " + cause, failure_hint_});
}

void Hdf5ResultsFile::Build(const std::vector<Attribute>& attributes) {
  const bool root = RankOf(comm_) == 0;
  failure_hint_ = kCreateHint;
  // The done mask first: filling it is the one large write of the creation, so a full disk
  // shows here, and every rank learns of it before the next collective call.
  std::string failure;
  try {
    done_ = CreateDataset(file_, kDone, H5T_STD_U8LE, layout_.rows, true);
  } catch (const IoError& e) {
    failure = e.what();
    failure = failure.substr(failure.find("error: ") + 7);
  }
  AgreeOrThrow(comm_, path_, failure.empty(), {RefineCause(path_, failure), kCreateHint});
  Id params = CreateGroup(kParams);
  Id results = CreateGroup(kResults);
  Id lookup = CreateGroup(kLookup);
  Id axes = CreateGroup(kAxes);
  std::vector<std::string> param_names;
  std::vector<std::string> result_names;
  for (const ColumnDef& c : layout_.columns) {
    const hid_t group = c.group == kParams ? params.get() : results.get();
    (c.group == kParams ? param_names : result_names).push_back(c.name);
    Id d = CreateDataset(group, c.name, h5::FileType(c.dtype), layout_.rows, false);
    const std::string lookup_path = c.categories.empty() ? "" : WriteLookup(c.name, c.categories);
    WriteColumnAttrs(d.get(), c, lookup_path);
    if (!c.axis_values.empty()) {
      const std::string axis = std::string("/") + kAxes + "/" + c.name;
      Id a = CreateDataset(file_, axis, H5T_IEEE_F64LE, c.axis_values.size(), false);
      WriteWhole(a.get(), H5T_NATIVE_DOUBLE, c.axis_values.data(), c.axis_values.size(), root);
      h5::WriteStringAttr(a.get(), "units", c.units, path_);
      h5::WriteStringAttr(a.get(), "description", "values of the '" + c.name + "' axis", path_);
      h5::WriteStringAttr(d.get(), "axis", axis, path_);
    }
    columns_.push_back(std::move(d));
  }
  checksum_ = CreateDataset(file_, kChecksum, H5T_STD_U64LE, layout_.rows, false);
  h5::WriteStringAttr(checksum_.get(), "columns", ChecksumColumns(layout_), path_);
  h5::WriteStringAttr(checksum_.get(), "units", "", path_);
  h5::WriteStringAttr(checksum_.get(), "description",
                      "checksum of the row's values in the listed columns (docs/output-format.md); "
                      "valid where done is 1",
                      path_);
  h5::WriteStringArrayAttr(params.get(), "columns", param_names, path_);
  h5::WriteStringArrayAttr(results.get(), "columns", result_names, path_);
  h5::WriteStringAttr(done_.get(), "units", "1", path_);
  h5::WriteStringAttr(done_.get(), "description",
                      "1 when the row's results are written, 0 when the row is still pending",
                      path_);
  for (const Attribute& a : attributes) {
    if (a.is_number) {
      h5::WriteF64Attr(file_, a.name, a.number, path_);
    } else {
      h5::WriteStringAttr(file_, a.name, a.text, path_);
    }
  }
  h5::WriteI64Attr(file_, "schema_version", kSchemaVersion, path_);
  h5::WriteStringAttr(file_, "hdf5_version", HdfLibraryVersion(), path_);
  h5::WriteI64Attr(file_, "rows", static_cast<std::int64_t>(layout_.rows), path_);
  AgreeOnWrites();
  Flush("creating its datasets");
  failure_hint_.clear();
}

PathProblem Hdf5ResultsFile::OpenAndVerify(const std::string& job_sha256) {
  const auto version = h5::ReadI64Attr(file_, "schema_version");
  if (!version) {
    return Refuse("the file is not a trim-sweep results file (it has no schema_version attribute)",
                  "choose another path with -o, or use --force to replace it");
  }
  if (*version != kSchemaVersion) {
    return Refuse("the file has schema version " + std::to_string(*version) +
                      ", but this trim-sweep writes schema version " +
                      std::to_string(kSchemaVersion),
                  "run with --force to start over, or complete it with the trim-sweep version that "
                  "created it");
  }
  const auto hash = h5::ReadStringAttr(file_, "job_sha256");
  if (!hash) return Refuse("the file has no job_sha256 attribute", kLayoutHint);
  if (*hash != job_sha256) {
    return Refuse("the job file changed since the file was created (job_sha256 " +
                      ShortHash(*hash) + "... in the file, " + ShortHash(job_sha256) + "... now)",
                  kJobChangedHint);
  }
  const auto rows = h5::ReadI64Attr(file_, "rows");
  if (!rows || *rows < 0 || static_cast<Index>(*rows) != layout_.rows) {
    return Refuse("the file has " +
                      (rows ? std::to_string(*rows) : std::string("an unknown number of")) +
                      " rows, but the job has " + std::to_string(layout_.rows) + " design points",
                  kLayoutHint);
  }
  auto open_1d = [&](const std::string& link, hid_t want, const std::string& want_name, hsize_t n,
                     Id& out) -> PathProblem {
    const auto slash = link.find('/', 1);
    if ((slash != std::string::npos && !h5::LinkExists(file_, link.substr(0, slash))) ||
        !h5::LinkExists(file_, link)) {
      return Refuse("the file has no dataset " + link, kLayoutHint);
    }
    Id d(H5Dopen2(file_, link.c_str(), H5P_DEFAULT), H5Dclose);
    if (!d.valid()) return {"cannot open " + link + ": " + h5::TakeErrorCause(), ""};
    Id t(H5Dget_type(d.get()), H5Tclose);
    if (want >= 0 && H5Tequal(t.get(), want) <= 0) {
      return Refuse(
          "dataset " + link + " has type " + h5::DescribeType(t.get()) + ", expected " + want_name,
          kLayoutHint);
    }
    Id s(H5Dget_space(d.get()), H5Sclose);
    const hssize_t npoints = H5Sget_simple_extent_npoints(s.get());
    if (H5Sget_simple_extent_ndims(s.get()) != 1 || npoints < 0 ||
        static_cast<hsize_t>(npoints) != n) {
      return Refuse("dataset " + link + " has " + std::to_string(npoints) + " elements, expected " +
                        std::to_string(n),
                    kLayoutHint);
    }
    out = std::move(d);
    return {};
  };
  for (const ColumnDef& c : layout_.columns) {
    Id d;
    PathProblem p =
        open_1d(ColumnPath(c), h5::FileType(c.dtype), h5::DtypeName(c.dtype), layout_.rows, d);
    if (!p.empty()) return p;
    if (!c.categories.empty()) {
      Id lk;
      const std::string link = std::string("/") + kLookup + "/" + c.name;
      p = open_1d(link, -1, "", c.categories.size(), lk);
      if (!p.empty()) return p;
      const auto labels = h5::ReadStringTable(lk.get());
      if (!labels || *labels != c.categories) {
        return Refuse("lookup table " + link + " differs from the job's '" + c.name + "' values",
                      kLayoutHint);
      }
    }
    columns_.push_back(std::move(d));
  }
  PathProblem p =
      open_1d(std::string("/") + kChecksum, H5T_STD_U64LE, "uint64", layout_.rows, checksum_);
  if (!p.empty()) return p;
  if (h5::ReadStringAttr(checksum_.get(), "columns") != ChecksumColumns(layout_)) {
    return Refuse("/checksum covers other columns than the job's", kLayoutHint);
  }
  return open_1d(std::string("/") + kDone, H5T_STD_U8LE, "uint8", layout_.rows, done_);
}

Index Hdf5ResultsFile::ClearFailingRows() {
  unsigned long long cleared = 0;
  std::string failure;
  if (RankOf(comm_) == 0) {
    try {
      const h5::QuietErrors quiet;
      std::vector<StoredColumn> columns;
      for (std::size_t k = 0; k < columns_.size(); ++k) {
        columns.push_back(
            {columns_[k].get(), layout_.columns[k].dtype, ColumnPath(layout_.columns[k])});
      }
      for (Index s = 0; s < layout_.rows; s += kVerifyStep) {
        const IndexRange r{s, std::min(layout_.rows, s + kVerifyStep)};
        for (Index row :
             FailingRows(path_, done_.get(), checksum_.get(), columns, r, dxpl_.get())) {
          const hsize_t start = row, one = 1;
          Id mem = Checked(H5Screate_simple(1, &one, nullptr), H5Sclose, path_, "no dataspace");
          Check(
              H5Sselect_hyperslab(row_space_.get(), H5S_SELECT_SET, &start, nullptr, &one, nullptr),
              path_, "cannot select rows");
          const std::uint8_t zero = 0;
          Check(H5Dwrite(done_.get(), H5T_NATIVE_UINT8, mem.get(), row_space_.get(), dxpl_.get(),
                         &zero),
                path_, "cannot clear the done flag of a failing row");
          ++cleared;
        }
      }
    } catch (const IoError& e) {
      failure = e.what();
      failure = failure.substr(failure.find("error: ") + 7);
    }
  }
  AgreeOrThrow(comm_, path_, failure.empty(), {failure, ""});
  MPI_Bcast(&cleared, 1, MPI_UNSIGNED_LONG_LONG, 0, comm_);
  if (cleared > 0) Flush("clearing rows that failed verification");
  return static_cast<Index>(cleared);
}

bool Hdf5ResultsFile::CloseAll(std::string& cause) {
  columns_.clear();
  done_.Reset();
  checksum_.Reset();
  dxpl_.Reset();
  row_space_.Reset();
  closed_ = true;
  const bool ok = H5Fclose(file_) >= 0;
  lock_.Release();
  if (!ok) {
    cause = h5::TakeErrorCause();
    g_close_failed = true;
  }
  return ok;
}

void Hdf5ResultsFile::RequireOpen(const char* op) const {
  if (closed_) throw IoError(path_, std::string(op) + " called after Close()");
}

void Hdf5ResultsFile::RequireRows(IndexRange r, const char* op) const {
  RequireOpen(op);
  if (r.end < r.begin || r.end > layout_.rows) {
    throw IoError(path_, std::string(op) + ": rows [" + std::to_string(r.begin) + ", " +
                             std::to_string(r.end) + ") lie outside the file's " +
                             std::to_string(layout_.rows) + " rows");
  }
}

void Hdf5ResultsFile::WriteRows(IndexRange r, std::span<const void* const> data) {
  RequireRows(r, "WriteRows");
  if (data.size() != columns_.size()) {
    throw IoError(path_, "WriteRows got " + std::to_string(data.size()) +
                             " columns, the file has " + std::to_string(columns_.size()));
  }
  if (r.empty()) return;
  const h5::QuietErrors quiet;
  const hsize_t start = r.begin;
  const hsize_t count = r.size();
  Id mem = Checked(H5Screate_simple(1, &count, nullptr), H5Sclose, path_, "no dataspace");
  Check(H5Sselect_hyperslab(row_space_.get(), H5S_SELECT_SET, &start, nullptr, &count, nullptr),
        path_, "cannot select rows");
  for (std::size_t k = 0; k < columns_.size(); ++k) {
    Check(H5Dwrite(columns_[k].get(), h5::MemType(layout_.columns[k].dtype), mem.get(),
                   row_space_.get(), dxpl_.get(), data[k]),
          path_, "cannot write column " + ColumnPath(layout_.columns[k]));
  }
  const std::vector<std::uint64_t> sums = RowChecksums(r, dtypes_, data);
  Check(H5Dwrite(checksum_.get(), H5T_NATIVE_UINT64, mem.get(), row_space_.get(), dxpl_.get(),
                 sums.data()),
        path_, "cannot write the row checksums");
  const std::vector<std::uint8_t> ones(count, 1);
  Check(H5Dwrite(done_.get(), H5T_NATIVE_UINT8, mem.get(), row_space_.get(), dxpl_.get(),
                 ones.data()),
        path_, "cannot write the done mask");
}

void Hdf5ResultsFile::ReadRows(hid_t dset, hid_t mem_type, IndexRange r, void* out,
                               const std::string& what) {
  ReadSlice(path_, dset, mem_type, r, out, dxpl_.get(), what);
}

std::vector<std::uint8_t> Hdf5ResultsFile::ReadDone(IndexRange r) {
  RequireRows(r, "ReadDone");
  std::vector<std::uint8_t> out(r.size());
  ReadRows(done_.get(), H5T_NATIVE_UINT8, r, out.data(), "the done mask");
  return out;
}

std::vector<double> Hdf5ResultsFile::ReadColumn(std::size_t column, IndexRange r) {
  RequireRows(r, "ReadColumn");
  if (column >= columns_.size()) {
    throw IoError(path_, "ReadColumn: no column " + std::to_string(column));
  }
  std::vector<double> out(r.size());
  ReadRows(columns_[column].get(), H5T_NATIVE_DOUBLE, r, out.data(),
           "column " + layout_.columns[column].name);
  return out;
}

void Hdf5ResultsFile::WriteTable(const SmallTable& table, int writer_rank) {
  RequireOpen("WriteTable");
  static const std::set<std::string> kReserved = {kParams, kResults, kLookup, kAxes, kDone};
  if (!ValidName(table.group) || kReserved.count(table.group) != 0) {
    throw IoError(path_, "invalid table group name '" + table.group + "'");
  }
  std::set<std::string> names;
  for (const auto& [def, values] : table.columns) {
    ValidateColumn(path_, def, "/" + table.group);
    if (!names.insert(def.name).second) {
      throw IoError(path_, "duplicate column /" + table.group + "/" + def.name);
    }
  }
  const h5::QuietErrors quiet;
  const bool writer = RankOf(comm_) == writer_rank;
  std::vector<unsigned long long> lengths;
  for (const auto& col : table.columns) lengths.push_back(col.second.size());
  if (!lengths.empty()) {
    MPI_Bcast(lengths.data(), static_cast<int>(lengths.size()), MPI_UNSIGNED_LONG_LONG, writer_rank,
              comm_);
  }
  const std::string link = "/" + table.group;
  if (h5::LinkExists(file_, link)) {
    Check(H5Ldelete(file_, link.c_str(), H5P_DEFAULT), path_, "cannot replace " + link);
  }
  Id group = CreateGroup(table.group);
  std::vector<std::string> column_names;
  for (std::size_t k = 0; k < table.columns.size(); ++k) {
    const auto& [def, values] = table.columns[k];
    column_names.push_back(def.name);
    Id d = CreateDataset(group.get(), def.name, h5::FileType(def.dtype), lengths[k], false);
    std::string lookup_path;
    if (!def.categories.empty()) {
      const auto it = lookups_.find(def.name);
      lookup_path = it != lookups_.end() && it->second == def.categories
                        ? std::string("/") + kLookup + "/" + def.name
                        : WriteLookup(table.group + "_" + def.name, def.categories);
    }
    WriteColumnAttrs(d.get(), def, lookup_path);
    WriteWhole(d.get(), H5T_NATIVE_DOUBLE, values.data(), lengths[k], writer);
  }
  h5::WriteStringArrayAttr(group.get(), "columns", column_names, path_);
  AgreeOnWrites();
  Flush("writing /" + table.group);
}

void Hdf5ResultsFile::SetAttributes(const std::vector<Attribute>& attributes) {
  RequireOpen("SetAttributes");
  const h5::QuietErrors quiet;
  for (const Attribute& a : attributes) {
    if (a.name.empty()) throw IoError(path_, "an attribute needs a name");
    if (a.is_number) {
      h5::WriteF64Attr(file_, a.name, a.number, path_);
    } else {
      h5::WriteStringAttr(file_, a.name, a.text, path_);
    }
  }
  Flush("setting attributes");
}

void Hdf5ResultsFile::Close() {
  RequireOpen("Close");
  const h5::QuietErrors quiet;
  std::string cause;
  const bool ok = CloseAll(cause);
  AgreeOrThrow(comm_, path_, ok, {"cannot close the file: " + cause, ""});
}

}  // namespace

std::unique_ptr<ResultsFile> ResultsFile::Create(MPI_Comm comm, const std::string& path,
                                                 const Layout& layout,
                                                 const std::vector<Attribute>& attributes,
                                                 bool force) {
  ValidateLayout(path, layout);
  for (const Attribute& a : attributes) {
    if (a.name.empty()) throw IoError(path, "an attribute needs a name");
  }
  const bool root = RankOf(comm) == 0;
  bool created_new = false;
  PathProblem pre;
  OutputLock lock;  // taken before the file is touched, held until it is closed
  if (root) pre = lock.Acquire(path);
  if (root && pre.empty()) {
    pre = PrepareForCreate(path, force, EstimateBytes(layout, attributes), created_new);
  }
  ThrowRootProblem(comm, path, pre);

  const h5::QuietErrors quiet;
  Id fapl = CreateFapl(comm, path);
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get());
  const std::string cause = file < 0 ? h5::TakeErrorCause() : std::string();
  try {
    AgreeOrThrow(comm, path, file >= 0, {"cannot create the HDF5 file: " + cause, ""});
  } catch (const IoError&) {
    if (root && created_new) ::unlink(path.c_str());
    throw;
  }
  auto out = std::make_unique<Hdf5ResultsFile>(comm, path, file, layout);
  out->AdoptLock(std::move(lock));
  g_creating = path;
  try {
    out->Build(attributes);
    g_creating.clear();
  } catch (const IoError&) {
    g_creating.clear();
    // Every rank is here together (Build's failures are agreed on). A half-made file would
    // pass for an empty one on --resume, so it is removed (with --force the old file is
    // already gone, truncated). Closing it is not even tried: after a failed write, H5Fclose
    // in HDF5 1.10 hangs with several ranks and leaves a file that crashes the library's
    // shutdown, so the program leaves without MPI_Finalize (CloseLeftOpen()).
    g_close_failed = true;
    if (root) ::unlink(path.c_str());
    throw;
  }
  return out;
}

std::unique_ptr<ResultsFile> ResultsFile::OpenForResume(MPI_Comm comm, const std::string& path,
                                                        const Layout& layout,
                                                        const std::string& job_sha256) {
  ValidateLayout(path, layout);
  PathProblem pre;
  OutputLock lock;
  if (RankOf(comm) == 0) pre = lock.Acquire(path);
  if (RankOf(comm) == 0 && pre.empty()) pre = CheckForResume(path);
  ThrowRootProblem(comm, path, pre);

  const h5::QuietErrors quiet;
  Id fapl = CreateFapl(comm, path);
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl.get());
  const std::string cause = file < 0 ? h5::TakeErrorCause() : std::string();
  AgreeOrThrow(comm, path, file >= 0, {"cannot open the HDF5 file: " + cause, OpenHint(cause)});

  auto out = std::make_unique<Hdf5ResultsFile>(comm, path, file, layout);
  out->AdoptLock(std::move(lock));
  PathProblem mismatch = out->OpenAndVerify(job_sha256);
  BcastString(comm, 0, mismatch.problem);  // rank 0 decides, so all ranks agree
  BcastString(comm, 0, mismatch.hint);
  int refused = mismatch.refused ? 1 : 0;
  MPI_Bcast(&refused, 1, MPI_INT, 0, comm);
  mismatch.refused = refused != 0;
  if (!mismatch.empty()) {
    std::string ignored;
    out->CloseAll(ignored);
    Throw(path, mismatch);
  }
  const Index cleared = out->ClearFailingRows();
  if (cleared > 0 && RankOf(comm) == 0) {
    std::fprintf(stderr,
                 "trim-sweep: %s: warning: %llu row%s marked done failed verification (a damaged "
                 "file); %s computed again\n",
                 path.c_str(), static_cast<unsigned long long>(cleared), cleared == 1 ? "" : "s",
                 cleared == 1 ? "it is" : "they are");
  }
  return out;
}

bool CloseLeftOpen() { return g_close_failed; }

void CheckOutputTarget(MPI_Comm comm, const std::string& path,
                       const std::vector<std::string>& inputs, const std::string& config_dir) {
  PathProblem p;
  if (RankOf(comm) == 0) p = CheckOutputTarget(path, inputs, config_dir);
  ThrowRootProblem(comm, path, p);
}

VerifyReport VerifyFile(const std::string& path) {
  const h5::QuietErrors quiet;
  constexpr const char* kWhich = "give the path of a results file written by trim-sweep";
  if (::access(path.c_str(), F_OK) != 0) {
    const PathProblem p = DescribeOsError(path, errno);
    throw IoError(path, p.problem, p.hint.empty() ? kWhich : p.hint);
  }
  if (const PathProblem p = CheckOutputTarget(path, {}, "/nonexistent"); !p.empty()) {
    throw RefusedError(path, p.problem, kWhich);  // a FIFO, device or directory
  }
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    throw RefusedError(path, "the file is not an HDF5 file", kWhich);
  }
  const hid_t raw = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (raw < 0) {
    const std::string cause = h5::TakeErrorCause();
    throw IoError(path, "cannot open the HDF5 file: " + cause, OpenHint(cause));
  }
  Id file(raw, H5Fclose);
  const auto version = h5::ReadI64Attr(file.get(), "schema_version");
  if (!version || *version != kSchemaVersion || !h5::LinkExists(file.get(), kChecksum) ||
      !h5::LinkExists(file.get(), kDone)) {
    throw RefusedError(path,
                       "not a trim-sweep results file of schema version " +
                           std::to_string(kSchemaVersion) + " (no /checksum to verify against)",
                       "verify files written by this trim-sweep version");
  }
  Id done = Checked(H5Dopen2(file.get(), kDone, H5P_DEFAULT), H5Dclose, path, "cannot open /done");
  Id sums = Checked(H5Dopen2(file.get(), kChecksum, H5P_DEFAULT), H5Dclose, path,
                    "cannot open /checksum");
  const auto listed = h5::ReadStringAttr(sums.get(), "columns");
  if (!listed) throw IoError(path, "/checksum has no 'columns' attribute");
  std::vector<Id> owned;
  std::vector<StoredColumn> columns;
  std::size_t begin = 0;
  while (!listed->empty() && begin <= listed->size()) {
    const std::size_t comma = std::min(listed->find(',', begin), listed->size());
    const std::string name = "/" + listed->substr(begin, comma - begin);
    begin = comma + 1;
    if (!h5::LinkExists(file.get(), name.substr(0, name.find('/', 1))) ||
        !h5::LinkExists(file.get(), name)) {
      throw IoError(path, "the file has no dataset " + name + " (listed by /checksum)");
    }
    owned.push_back(Checked(H5Dopen2(file.get(), name.c_str(), H5P_DEFAULT), H5Dclose, path,
                            "cannot open " + name));
    Id type = Checked(H5Dget_type(owned.back().get()), H5Tclose, path, "no type");
    std::optional<Dtype> dtype;
    for (Dtype d : {Dtype::kF64, Dtype::kU8, Dtype::kU16, Dtype::kU32, Dtype::kI64, Dtype::kF32}) {
      if (H5Tequal(type.get(), h5::FileType(d)) > 0) dtype = d;
    }
    if (!dtype) throw IoError(path, name + " has an unexpected type");
    columns.push_back({owned.back().get(), *dtype, name});
  }
  Id space = Checked(H5Dget_space(done.get()), H5Sclose, path, "no dataspace");
  VerifyReport report;
  report.rows = static_cast<Index>(H5Sget_simple_extent_npoints(space.get()));
  for (Index s = 0; s < report.rows; s += kVerifyStep) {
    const IndexRange r{s, std::min(report.rows, s + kVerifyStep)};
    std::vector<std::uint8_t> flags(r.size());
    ReadSlice(path, done.get(), H5T_NATIVE_UINT8, r, flags.data(), H5P_DEFAULT, "the done mask");
    for (std::uint8_t f : flags) report.done += f == 1 ? 1 : 0;
    const auto bad = FailingRows(path, done.get(), sums.get(), columns, r, H5P_DEFAULT);
    report.failing.insert(report.failing.end(), bad.begin(), bad.end());
  }
  return report;
}

std::string ReadAttributeText(const std::string& path, const std::string& name) {
  const h5::QuietErrors quiet;
  if (::access(path.c_str(), F_OK) != 0) {
    const PathProblem p = DescribeOsError(path, errno);
    throw IoError(path, p.problem, p.hint);
  }
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) throw IoError(path, "cannot open the HDF5 file: " + h5::TakeErrorCause());
  const auto text = h5::ReadAttrAsText(file, name);
  H5Fclose(file);
  H5Eclear2(H5E_DEFAULT);
  if (!text) throw IoError(path, "the file has no attribute '" + name + "'");
  return *text;
}

}  // namespace trim::io
