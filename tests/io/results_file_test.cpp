// Tests of io::ResultsFile. They run as one rank and under `mpiexec -n 3`: every test is
// collective (all ranks call the same ResultsFile methods), and the read-back checks use the
// serial HDF5 API on rank 0 after the parallel file is closed, so the writer is checked by
// an independent reader.
#include "trim/io/results_file.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>
#include <mpi.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "row_checksum.hpp"
#include "sample_file.hpp"
#include "test_dir.hpp"
#include "trim/core/error.hpp"

namespace trim::io {
namespace {

using testing::kPendingBegin;
using testing::kPendingEnd;
using testing::kSampleJobSha;
using testing::kSampleRows;
using testing::SampleLayout;
using testing::SampleValue;

constexpr const char* kLayoutHint =
    "the file was written for another job or trim-sweep version: run with --force to start "
    "over, or restore the job";

int Rank() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

int Size() {
  int n = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &n);
  return n;
}

bool Pending(Index i) { return i >= kPendingBegin && i < kPendingEnd; }

/// A path in the test directory with no file at it (rank 0 removes any leftover).
std::string FreshPath(const std::string& name) {
  const std::string path = testing::TestDir() + "/" + name;
  if (Rank() == 0) std::filesystem::remove_all(path);
  MPI_Barrier(MPI_COMM_WORLD);
  return path;
}

/// The what() of the IoError `f` throws, or a marker when it throws none.
std::string IoErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const IoError& e) {
    return e.what();
  }
  return "<no IoError thrown>";
}

/// "refused" for a RefusedError, "io" for any other IoError, "none" when nothing is thrown.
std::string KindOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const RefusedError&) {
    return "refused";
  } catch (const IoError&) {
    return "io";
  }
  return "none";
}

std::string FileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  std::string bytes(static_cast<std::size_t>(in.tellg()), '\0');
  in.seekg(0);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return bytes;
}

/// Serial read-only view of a closed results file (rank 0 only).
class Reader {
 public:
  explicit Reader(const std::string& path)
      : file_(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT)) {}
  ~Reader() {
    if (file_ >= 0) H5Fclose(file_);
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  [[nodiscard]] bool ok() const { return file_ >= 0; }

  /// Any numeric dataset, converted to double by HDF5.
  std::vector<double> Column(const std::string& name) const {
    const hid_t d = H5Dopen2(file_, name.c_str(), H5P_DEFAULT);
    if (d < 0) return {};
    const hid_t s = H5Dget_space(d);
    std::vector<double> v(static_cast<std::size_t>(H5Sget_simple_extent_npoints(s)));
    if (!v.empty()) H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
    H5Sclose(s);
    H5Dclose(d);
    return v;
  }
  /// The stored type of a dataset, as "<class><bits>" ("float64", "uint8", ...).
  std::string TypeOf(const std::string& name) const {
    const hid_t d = H5Dopen2(file_, name.c_str(), H5P_DEFAULT);
    const hid_t t = H5Dget_type(d);
    std::string cls = H5Tget_class(t) == H5T_FLOAT     ? "float"
                      : H5Tget_sign(t) == H5T_SGN_NONE ? "uint"
                                                       : "int";
    cls += std::to_string(H5Tget_size(t) * 8);
    if (H5Tget_order(t) != H5T_ORDER_LE) cls += "be";
    H5Tclose(t);
    H5Dclose(d);
    return cls;
  }
  bool Has(const std::string& link) const {
    return H5Lexists(file_, link.c_str(), H5P_DEFAULT) > 0;
  }
  H5D_layout_t LayoutOf(const std::string& name) const {
    const hid_t d = H5Dopen2(file_, name.c_str(), H5P_DEFAULT);
    const hid_t p = H5Dget_create_plist(d);
    const H5D_layout_t l = H5Pget_layout(p);
    const int filters = H5Pget_nfilters(p);
    H5Pclose(p);
    H5Dclose(d);
    return filters == 0 ? l : H5D_LAYOUT_ERROR;
  }
  /// A fixed-length string dataset.
  std::vector<std::string> Strings(const std::string& name) const {
    const hid_t d = H5Dopen2(file_, name.c_str(), H5P_DEFAULT);
    const hid_t t = H5Dget_type(d);
    const hid_t s = H5Dget_space(d);
    const std::size_t w = H5Tget_size(t);
    const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(s));
    std::string buf(n * w, '\0');
    H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data());
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back(buf.substr(i * w, w).c_str());
    H5Sclose(s);
    H5Tclose(t);
    H5Dclose(d);
    return out;
  }
  /// A variable-length string attribute of object `obj` ("/" for the root): its value and
  /// whether it is stored as VL UTF-8 (as the format requires).
  std::string Text(const std::string& obj, const std::string& attr, bool* vl_utf8 = nullptr) const {
    std::vector<std::string> v = Texts(obj, attr, vl_utf8);
    return v.size() == 1 ? v[0] : "<not one string>";
  }
  std::vector<std::string> Texts(const std::string& obj, const std::string& attr,
                                 bool* vl_utf8 = nullptr) const {
    const hid_t a = H5Aopen_by_name(file_, obj.c_str(), attr.c_str(), H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) return {};
    const hid_t t = H5Aget_type(a);
    const hid_t s = H5Aget_space(a);
    const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(s));
    if (vl_utf8 != nullptr) {
      *vl_utf8 = H5Tis_variable_str(t) > 0 && H5Tget_cset(t) == H5T_CSET_UTF8;
    }
    std::vector<std::string> out;
    if (H5Tis_variable_str(t) > 0) {
      std::vector<char*> p(n, nullptr);
      H5Aread(a, t, p.data());
      for (char* c : p) out.emplace_back(c != nullptr ? c : "");
      H5Dvlen_reclaim(t, s, H5P_DEFAULT, p.data());
    }
    H5Sclose(s);
    H5Tclose(t);
    H5Aclose(a);
    return out;
  }
  double Number(const std::string& attr, std::string* type = nullptr) const {
    const hid_t a = H5Aopen(file_, attr.c_str(), H5P_DEFAULT);
    double v = -1;
    H5Aread(a, H5T_NATIVE_DOUBLE, &v);
    if (type != nullptr) {
      const hid_t t = H5Aget_type(a);
      *type = (H5Tget_class(t) == H5T_FLOAT ? "float" : "int") + std::to_string(H5Tget_size(t) * 8);
      H5Tclose(t);
    }
    H5Aclose(a);
    return v;
  }

 private:
  hid_t file_;
};

TEST(ResultsFile, WritesDisjointRowsFromEveryRankAndReadsThemBack) {
  const std::string path = FreshPath("sample.h5");
  testing::WriteSampleFile(MPI_COMM_WORLD, path);
  MPI_Barrier(MPI_COMM_WORLD);
  if (Rank() != 0) return;

  const Reader r(path);
  ASSERT_TRUE(r.ok());
  const Layout layout = SampleLayout();
  const std::vector<double> done = r.Column("/done");
  ASSERT_EQ(done.size(), kSampleRows);
  for (std::size_t k = 0; k < layout.columns.size(); ++k) {
    const ColumnDef& c = layout.columns[k];
    const std::string name = "/" + c.group + "/" + c.name;
    const std::vector<double> v = r.Column(name);
    ASSERT_EQ(v.size(), kSampleRows) << name;
    for (Index i = 0; i < kSampleRows; ++i) {
      if (!Pending(i)) {
        EXPECT_EQ(v[i], SampleValue(k, i)) << name << " row " << i;
      }
    }
    bool vl = false;
    EXPECT_EQ(r.Text(name, "units", &vl), c.units) << name;
    EXPECT_TRUE(vl) << name;
    EXPECT_EQ(r.Text(name, "description"), c.description) << name;
    EXPECT_EQ(r.LayoutOf(name), H5D_CONTIGUOUS) << name;
  }
  for (Index i = 0; i < kSampleRows; ++i) EXPECT_EQ(done[i], Pending(i) ? 0 : 1) << i;

  // Stored dtypes are the declared ones, little-endian.
  EXPECT_EQ(r.TypeOf("/params/pe_rows"), "float64");
  EXPECT_EQ(r.TypeOf("/params/dataflow"), "uint8");
  EXPECT_EQ(r.TypeOf("/params/network"), "uint16");
  EXPECT_EQ(r.TypeOf("/results/macs"), "int64");
  EXPECT_EQ(r.TypeOf("/done"), "uint8");

  // Categorical columns point at their lookup tables; numeric axes at their values.
  EXPECT_EQ(r.Text("/params/dataflow", "lookup"), "/lookup/dataflow");
  EXPECT_EQ(r.Text("/results/status", "lookup"), "/lookup/status");
  EXPECT_EQ(r.Strings("/lookup/network"), (std::vector<std::string>{"alexnet", "resnet50"}));
  EXPECT_EQ(r.Strings("/lookup/status"),
            (std::vector<std::string>{"ok", "rf_too_small", "glb_too_small"}));
  EXPECT_EQ(r.Text("/params/batch", "axis"), "/axes/batch");
  EXPECT_EQ(r.Column("/axes/batch"), (std::vector<double>{1, 2, 4, 8, 16}));
  EXPECT_EQ(r.Texts("/params", "columns"),
            (std::vector<std::string>{"pe_rows", "batch", "dataflow", "network"}));
  EXPECT_EQ(r.Texts("/results", "columns"),
            (std::vector<std::string>{"latency_s", "energy_pj", "macs", "status"}));

  // Root attributes: the caller's, verbatim, plus the format's own.
  bool vl = false;
  EXPECT_EQ(r.Text("/", "job_text", &vl), "[job]\nname = \"sample\"  # 1 \xc2\xb5s\n");
  EXPECT_TRUE(vl);
  EXPECT_EQ(r.Text("/", "job_sha256"), kSampleJobSha);
  std::string type;
  EXPECT_EQ(r.Number("mpi_ranks", &type), Size());
  EXPECT_EQ(type, "float64");
  EXPECT_EQ(r.Number("schema_version", &type), kSchemaVersion);
  EXPECT_EQ(type, "int64");
  EXPECT_EQ(r.Number("rows"), static_cast<double>(kSampleRows));
  unsigned maj = 0, min = 0, rel = 0;
  H5get_libversion(&maj, &min, &rel);
  EXPECT_EQ(r.Text("/", "hdf5_version"),
            std::to_string(maj) + "." + std::to_string(min) + "." + std::to_string(rel));

  // The table, written by the last rank; its network column reuses /lookup/network.
  EXPECT_EQ(r.Column("/best/network"), (std::vector<double>{0, 1}));
  EXPECT_EQ(r.Text("/best/network", "lookup"), "/lookup/network");
  EXPECT_EQ(r.Column("/best/index"), (std::vector<double>{5, 35}));
  EXPECT_EQ(r.TypeOf("/best/index"), "int64");
  EXPECT_EQ(r.Column("/best/latency_s"), (std::vector<double>{3.0, 18.0}));
  EXPECT_EQ(r.Texts("/best", "columns"),
            (std::vector<std::string>{"network", "index", "latency_s"}));
}

TEST(ResultsFile, DoneMaskTracksWrittenRowsAcrossResume) {
  const std::string path = FreshPath("done.h5");
  auto f = ResultsFile::Create(MPI_COMM_WORLD, path, SampleLayout(),
                               testing::SampleAttributes(Size()), false);
  // Fresh file: every row pending.
  EXPECT_EQ(f->ReadDone({0, kSampleRows}), std::vector<std::uint8_t>(kSampleRows, 0));
  MPI_Barrier(MPI_COMM_WORLD);  // nobody writes before every rank has read
  testing::WriteSampleRows(MPI_COMM_WORLD, *f);
  // Each rank sees its own chunks (4 rows, round-robin) done, minus the pending gap.
  const std::vector<std::uint8_t> mine = f->ReadDone({0, kSampleRows});
  for (Index i = 0; i < kSampleRows; ++i) {
    if (static_cast<int>((i / 4) % static_cast<Index>(Size())) == Rank()) {
      EXPECT_EQ(mine[i], Pending(i) ? 0 : 1) << i;
    }
  }
  f->Close();

  auto g = ResultsFile::OpenForResume(MPI_COMM_WORLD, path, SampleLayout(), kSampleJobSha);
  const std::vector<std::uint8_t> all = g->ReadDone({0, kSampleRows});
  for (Index i = 0; i < kSampleRows; ++i) EXPECT_EQ(all[i], Pending(i) ? 0 : 1) << i;
  EXPECT_EQ(g->ReadDone({kPendingBegin, kPendingEnd}), std::vector<std::uint8_t>(5, 0));
  // Complete the pending rows from the last rank, then every row is done.
  if (Rank() == Size() - 1) {
    const std::vector<double> f64(5, 1.0);
    const std::vector<std::uint8_t> u8(5, 0);
    const std::vector<std::uint16_t> u16(5, 1);
    const std::vector<std::int64_t> i64(5, 9);
    const std::vector<const void*> data = {f64.data(), f64.data(), u8.data(),  u16.data(),
                                           f64.data(), f64.data(), i64.data(), u8.data()};
    g->WriteRows({kPendingBegin, kPendingEnd}, data);
  }
  g->Close();
  MPI_Barrier(MPI_COMM_WORLD);
  if (Rank() == 0) {
    const Reader r(path);
    EXPECT_EQ(r.Column("/done"), std::vector<double>(kSampleRows, 1.0));
    EXPECT_EQ(r.Column("/results/macs")[kPendingBegin], 9.0);
    EXPECT_EQ(r.Column("/results/macs")[kPendingBegin - 1], SampleValue(6, kPendingBegin - 1));
  }
}

TEST(ResultsFile, RefusesToOverwriteWithoutForce) {
  const std::string path = FreshPath("exists.h5");
  testing::WriteSampleFile(MPI_COMM_WORLD, path);
  MPI_Barrier(MPI_COMM_WORLD);
  const std::string before = Rank() == 0 ? FileBytes(path) : "";
  const std::string err =
      IoErrorOf([&] { ResultsFile::Create(MPI_COMM_WORLD, path, SampleLayout(), {}, false); });
  EXPECT_EQ(err, path +
                     ": error: the file already exists; refusing to overwrite it\n"
                     "  hint: use --force to replace it, or --resume to complete it");
  MPI_Barrier(MPI_COMM_WORLD);
  if (Rank() == 0) {
    EXPECT_FALSE(before.empty());
    EXPECT_EQ(FileBytes(path), before);
  }
  // With force the file is replaced: a fresh file with every row pending.
  auto f = ResultsFile::Create(MPI_COMM_WORLD, path, SampleLayout(), {}, true);
  EXPECT_EQ(f->ReadDone({0, kSampleRows}), std::vector<std::uint8_t>(kSampleRows, 0));
  f->Close();
}

TEST(ResultsFile, CreateRejectsADirectory) {
  const std::string path = FreshPath("a_directory.h5");
  if (Rank() == 0) std::filesystem::create_directory(path);
  MPI_Barrier(MPI_COMM_WORLD);
  EXPECT_EQ(IoErrorOf([&] { ResultsFile::Create(MPI_COMM_WORLD, path, SampleLayout(), {}, true); }),
            path + ": error: the path is a directory\n  hint: give a file name with -o");
}

TEST(ResultsFile, CreateNamesAMissingDirectory) {
  const std::string dir = testing::TestDir() + "/no_such_dir/deeper";
  const std::string path = dir + "/x.h5";
  const auto create = [&] { ResultsFile::Create(MPI_COMM_WORLD, path, SampleLayout(), {}, false); };
  EXPECT_EQ(KindOf(create), "io");  // a file-system problem, not a refusal
  EXPECT_EQ(IoErrorOf(create), path + ": error: the directory '" + dir +
                                   "' does not exist\n  hint: create it (mkdir -p " + dir +
                                   ") or choose another path with -o");
}

TEST(ResultsFile, CreateNamesAPathComponentThatIsAFile) {
  const std::string plain = FreshPath("plain.txt");
  if (Rank() == 0) std::ofstream(plain) << "not a directory\n";
  MPI_Barrier(MPI_COMM_WORLD);
  const std::string path = plain + "/x.h5";
  EXPECT_EQ(
      IoErrorOf([&] { ResultsFile::Create(MPI_COMM_WORLD, path, SampleLayout(), {}, false); }),
      path + ": error: '" + plain + "' is not a directory\n  hint: choose another path with -o");
}

TEST(ResultsFile, CreateChecksFreeSpaceFirst) {
  // 2^60 rows of one float64 column and the done byte need 9 x 2^60 B = 9216 PiB: more
  // than any file system has, so Create refuses before making the file.
  const std::string path = FreshPath("huge.h5");
  Layout huge;
  huge.rows = Index{1} << 60;
  huge.columns = {{"results", "x", Dtype::kF64, "s", "x", {}, {}}};
  const auto create = [&] { ResultsFile::Create(MPI_COMM_WORLD, path, huge, {}, false); };
  const std::string err = IoErrorOf(create);
  const std::string head =
      path + ": error: not enough free space: the file needs about 9216 PiB, the file system has ";
  const std::string tail = " free\n  hint: free some space or choose another location with -o";
  EXPECT_EQ(err.substr(0, head.size()), head) << err;
  EXPECT_TRUE(err.ends_with(tail)) << err;
  EXPECT_EQ(KindOf(create), "io");
  MPI_Barrier(MPI_COMM_WORLD);
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(ResultsFile, CreateReportsPermissionDenied) {
  // Non-root: a read-only directory. Root bypasses modes, so use a directory the kernel
  // refuses to create files in (sysfs), if this machine refuses; otherwise skip.
  std::string dir = testing::TestDir() + "/read_only";
  int usable = 0;
  if (Rank() == 0) {
    std::filesystem::create_directories(dir);
    ::chmod(dir.c_str(), 0555);
    if (::access(dir.c_str(), W_OK) != 0) {
      usable = 1;
    } else {
      const std::string probe = "/sys/trim_sweep_probe.h5";
      std::FILE* fp = std::fopen(probe.c_str(), "w");
      if (fp == nullptr && (errno == EACCES || errno == EPERM)) usable = 2;
      if (fp != nullptr) {
        std::fclose(fp);
        std::remove(probe.c_str());
      }
    }
  }
  MPI_Bcast(&usable, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (usable == 0) GTEST_SKIP() << "no location refuses writes to this user";
  if (usable == 2) dir = "/sys";
  const std::string path = dir + "/x.h5";
  const auto create = [&] { ResultsFile::Create(MPI_COMM_WORLD, path, SampleLayout(), {}, false); };
  EXPECT_EQ(KindOf(create), "io");  // a file-system problem, not a refusal
  EXPECT_EQ(IoErrorOf(create), path +
                                   ": error: permission denied\n  hint: fix the permissions of '" +
                                   dir + "' or choose a writable location with -o");
}

class ResumeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = FreshPath(std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
                      ".h5");
    testing::WriteSampleFile(MPI_COMM_WORLD, path_);
  }
  std::string ResumeError(const Layout& layout, const std::string& sha = kSampleJobSha) {
    const auto open = [&] { ResultsFile::OpenForResume(MPI_COMM_WORLD, path_, layout, sha); };
    EXPECT_EQ(KindOf(open), "refused");
    return IoErrorOf(open);
  }
  std::string path_;
};

TEST_F(ResumeTest, AcceptsTheSameJob) {
  auto f = ResultsFile::OpenForResume(MPI_COMM_WORLD, path_, SampleLayout(), kSampleJobSha);
  EXPECT_EQ(f->ReadDone({kPendingBegin - 1, kPendingEnd + 1}),
            (std::vector<std::uint8_t>{1, 0, 0, 0, 0, 0, 1}));
  f->Close();
}

TEST_F(ResumeTest, RejectsAChangedJob) {
  EXPECT_EQ(ResumeError(SampleLayout(), "fedcba9876543210fedcba9876543210"),
            path_ +
                ": error: the job file changed since the file was created (job_sha256 "
                "0123456789ab... in the file, fedcba987654... now)\n"
                "  hint: the job (or a file it names) changed since the file was created: "
                "restore them (the file's job_text and job_sources attributes hold the "
                "originals) to complete it, or write the new job's results elsewhere with -o; "
                "--force would discard every computed row");
}

TEST_F(ResumeTest, RejectsAnotherRowCount) {
  Layout l = SampleLayout();
  l.rows = kSampleRows + 1;
  EXPECT_EQ(ResumeError(l), path_ +
                                ": error: the file has 60 rows, but the job has 61 design "
                                "points\n  hint: " +
                                kLayoutHint);
}

TEST_F(ResumeTest, RejectsAnotherSchemaVersion) {
  auto f = ResultsFile::OpenForResume(MPI_COMM_WORLD, path_, SampleLayout(), kSampleJobSha);
  f->SetAttributes({{"schema_version", "", kSchemaVersion + 1.0, true}});
  f->Close();
  EXPECT_EQ(ResumeError(SampleLayout()),
            path_ + ": error: the file has schema version " + std::to_string(kSchemaVersion + 1) +
                ", but this trim-sweep writes schema version " + std::to_string(kSchemaVersion) +
                "\n  hint: run with --force to start over, or complete it with the "
                "trim-sweep version that created it");
}

TEST_F(ResumeTest, RejectsAnotherColumnSet) {
  Layout extra = SampleLayout();
  extra.columns.push_back({"results", "power_w", Dtype::kF64, "W", "power", {}, {}});
  EXPECT_EQ(ResumeError(extra), path_ +
                                    ": error: the file has no dataset /results/power_w\n"
                                    "  hint: " +
                                    kLayoutHint);
  Layout retyped = SampleLayout();
  retyped.columns[6].dtype = Dtype::kF64;
  EXPECT_EQ(ResumeError(retyped), path_ +
                                      ": error: dataset /results/macs has type int64, "
                                      "expected float64\n  hint: " +
                                      kLayoutHint);
  Layout relabelled = SampleLayout();
  relabelled.columns[3].categories = {"alexnet", "vgg16"};
  EXPECT_EQ(ResumeError(relabelled),
            path_ +
                ": error: lookup table /lookup/network differs from the job's 'network' "
                "values\n  hint: " +
                kLayoutHint);
}

TEST(Resume, RejectsMissingForeignAndNonHdf5Files) {
  const auto resume = [](const std::string& path) {
    return
        [path] { ResultsFile::OpenForResume(MPI_COMM_WORLD, path, SampleLayout(), kSampleJobSha); };
  };
  const std::string missing = FreshPath("missing.h5");
  EXPECT_EQ(
      IoErrorOf(resume(missing)),
      missing + ": error: the file does not exist\n  hint: run without --resume to create it");
  EXPECT_EQ(KindOf(resume(missing)), "refused");

  const std::string text = FreshPath("text.h5");
  const std::string foreign = FreshPath("foreign.h5");
  if (Rank() == 0) {
    std::ofstream(text) << "just text\n";
    const hid_t f = H5Fcreate(foreign.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(f);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  EXPECT_EQ(IoErrorOf(resume(text)),
            text +
                ": error: the file is not an HDF5 file\n"
                "  hint: choose another path with -o, or use --force to replace it");
  EXPECT_EQ(KindOf(resume(text)), "refused");
  EXPECT_EQ(IoErrorOf(resume(foreign)),
            foreign +
                ": error: the file is not a trim-sweep results file (it has no "
                "schema_version attribute)\n"
                "  hint: choose another path with -o, or use --force to replace it");
  EXPECT_EQ(KindOf(resume(foreign)), "refused");
}

TEST(ResultsFile, WriteTableAndSetAttributesReplacePreviousValues) {
  const std::string path = FreshPath("replace.h5");
  auto f =
      ResultsFile::Create(MPI_COMM_WORLD, path, SampleLayout(),
                          {{"wall_time_s", "", 1.5, true}, {"note", "first", 0, false}}, false);
  SmallTable t = testing::SampleTable();
  f->WriteTable(t, 0);
  // Second version: one row, and a categorical column with labels of its own.
  t.columns.resize(1);
  t.columns[0].first.categories = {"vgg16"};
  t.columns[0].second = {0};
  f->WriteTable(t, Size() - 1);
  f->SetAttributes({{"wall_time_s", "", 2.5, true}, {"note", "second", 0, false}});
  f->Close();
  MPI_Barrier(MPI_COMM_WORLD);
  if (Rank() != 0) return;
  EXPECT_EQ(ReadAttributeText(path, "wall_time_s"), "2.5");
  EXPECT_EQ(ReadAttributeText(path, "note"), "second");
  EXPECT_EQ(ReadAttributeText(path, "rows"), "60");
  EXPECT_EQ(IoErrorOf([&] { ReadAttributeText(path, "nope"); }),
            path + ": error: the file has no attribute 'nope'");
  const Reader r(path);
  EXPECT_EQ(r.Texts("/best", "columns"), (std::vector<std::string>{"network"}));
  EXPECT_EQ(r.Column("/best/network"), (std::vector<double>{0}));
  EXPECT_EQ(r.Text("/best/network", "lookup"), "/lookup/best_network");
  EXPECT_EQ(r.Strings("/lookup/best_network"), (std::vector<std::string>{"vgg16"}));
  EXPECT_FALSE(r.Has("/best/index"));  // the first version is gone
}

TEST(ResultsFile, RejectsRowsOutsideTheFileAndUseAfterClose) {
  const std::string path = FreshPath("range.h5");
  auto f = ResultsFile::Create(MPI_COMM_WORLD, path, SampleLayout(), {}, false);
  EXPECT_EQ(IoErrorOf([&] {
              f->ReadDone({58, 61});
            }),
            path + ": error: ReadDone: rows [58, 61) lie outside the file's 60 rows");
  const std::vector<const void*> too_few(3, nullptr);
  EXPECT_EQ(IoErrorOf([&] {
              f->WriteRows({0, 1}, too_few);
            }),
            path + ": error: WriteRows got 3 columns, the file has 8");
  f->Close();
  EXPECT_EQ(IoErrorOf([&] { f->Close(); }), path + ": error: Close called after Close()");
}

TEST(ResultsFile, CreateRejectsAnInvalidLayoutBeforeTouchingTheFile) {
  const std::string path = FreshPath("invalid.h5");
  Layout l = SampleLayout();
  l.columns[4].group = "extra";
  EXPECT_EQ(IoErrorOf([&] { ResultsFile::Create(MPI_COMM_WORLD, path, l, {}, false); }),
            path + ": error: column 'latency_s' has group 'extra'; expected 'params' or 'results'");
  l = SampleLayout();
  l.columns[7].dtype = Dtype::kF64;  // categorical needs integer codes
  EXPECT_EQ(IoErrorOf([&] { ResultsFile::Create(MPI_COMM_WORLD, path, l, {}, false); }),
            path + ": error: categorical column 'status' must have an integer dtype");
  MPI_Barrier(MPI_COMM_WORLD);
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(ResultsFile, FileIsReadableAfterACrashWithoutClose) {
  // Dropping the object without Close() stands in for a crash: creation flushed the
  // metadata, so the file opens and every done row holds its values.
  const std::string path = FreshPath("crash.h5");
  auto f = ResultsFile::Create(MPI_COMM_WORLD, path, SampleLayout(),
                               testing::SampleAttributes(Size()), false);
  testing::WriteSampleRows(MPI_COMM_WORLD, *f);
  f.reset();
  MPI_Barrier(MPI_COMM_WORLD);
  if (Rank() != 0) return;
  const Reader r(path);
  ASSERT_TRUE(r.ok());
  const std::vector<double> done = r.Column("/done");
  const std::vector<double> latency = r.Column("/results/latency_s");
  ASSERT_EQ(done.size(), kSampleRows);
  for (Index i = 0; i < kSampleRows; ++i) {
    EXPECT_EQ(done[i], Pending(i) ? 0 : 1) << i;
    if (done[i] == 1) {
      EXPECT_EQ(latency[i], SampleValue(4, i)) << i;
    }
  }
}

}  // namespace
}  // namespace trim::io

namespace trim::io {
namespace {

// The row checksum (docs/output-format.md) of rows 0 and 5 with the columns float64 1.5
// (bits 0x3FF8000000000000), uint8 7 and uint32 0xBEEF. The expected values were computed
// with Python integers from the documented formula, independently of this code.
TEST(RowChecksum, MatchesTheDocumentedFormula) {
  const double f[2] = {1.5, 1.5};
  const std::uint8_t u8[2] = {7, 7};
  const std::uint32_t u32[2] = {0xBEEF, 0xBEEF};
  const std::vector<const void*> data = {f, u8, u32};
  const std::vector<Dtype> dtypes = {Dtype::kF64, Dtype::kU8, Dtype::kU32};
  EXPECT_EQ(RowChecksums({0, 1}, dtypes, data)[0], 0x65045473c6b3c8c2ULL);
  EXPECT_EQ(RowChecksums({5, 6}, dtypes, data)[0], 0xef4fab5c04b01608ULL);
}

// Each step is a bijection of the value, so every change of one value changes the checksum:
// here every single-bit flip of each of the three values of a row.
TEST(RowChecksum, EverySingleBitFlipChangesIt) {
  double f = -0.0;
  std::uint8_t u8 = 0;
  std::uint32_t u32 = 0;
  const std::vector<const void*> data = {&f, &u8, &u32};
  const std::vector<Dtype> dtypes = {Dtype::kF64, Dtype::kU8, Dtype::kU32};
  const std::uint64_t base = RowChecksums({3, 4}, dtypes, data)[0];
  for (auto [ptr, bytes] : {std::pair<void*, int>{&f, 8}, {&u8, 1}, {&u32, 4}}) {
    auto* p = static_cast<unsigned char*>(ptr);
    for (int bit = 0; bit < 8 * bytes; ++bit) {
      p[bit / 8] ^= static_cast<unsigned char>(1u << (bit % 8));
      EXPECT_NE(RowChecksums({3, 4}, dtypes, data)[0], base) << "bit " << bit;
      p[bit / 8] ^= static_cast<unsigned char>(1u << (bit % 8));
    }
  }
}

}  // namespace
}  // namespace trim::io
