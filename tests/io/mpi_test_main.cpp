// GoogleTest main for tests that run under mpiexec (or as a single rank without it): MPI is
// initialised before any test, only rank 0 prints the usual report (other ranks print just
// their failures, prefixed with the rank), and the exit code is the worst over all ranks.
// Flag: --tmpdir=DIR, where the tests put their files (default: ./io_test_tmp).
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "test_dir.hpp"

namespace trim::io::testing {

namespace {

std::string& MutableTestDir() {
  static std::string dir = "io_test_tmp";
  return dir;
}

}  // namespace

const std::string& TestDir() { return MutableTestDir(); }

namespace {

/// On ranks other than 0: prints failed assertions only, tagged with the rank.
class RankFailurePrinter : public ::testing::EmptyTestEventListener {
 public:
  explicit RankFailurePrinter(int rank) : rank_(rank) {}
  void OnTestPartResult(const ::testing::TestPartResult& r) override {
    if (!r.failed()) return;
    std::fprintf(stderr, "[rank %d] %s:%d: Failure\n%s\n", rank_,
                 r.file_name() != nullptr ? r.file_name() : "?", r.line_number(), r.message());
  }

 private:
  int rank_;
};

}  // namespace
}  // namespace trim::io::testing

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--tmpdir=", 0) == 0) trim::io::testing::MutableTestDir() = a.substr(9);
  }
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0) std::filesystem::create_directories(trim::io::testing::TestDir());
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new trim::io::testing::RankFailurePrinter(rank));
  }
  const int rc = RUN_ALL_TESTS();
  int worst = 0;
  MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  MPI_Finalize();
  return worst;
}
