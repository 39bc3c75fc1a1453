// Writes the sample results file (sample_file.hpp) to argv[1] from every rank, for the
// Python reader test. Exit codes: 0 written, 1 I/O error, 2 usage.
#include <mpi.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "sample_file.hpp"
#include "trim/core/error.hpp"

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  if (argc != 2) {
    std::fprintf(stderr, "usage: io_sample_writer OUT.h5\n");
    MPI_Finalize();
    return 2;
  }
  const std::string path = argv[1];
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0) {
    const auto dir = std::filesystem::path(path).parent_path();
    if (!dir.empty()) std::filesystem::create_directories(dir);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  int rc = 0;
  try {
    trim::io::testing::WriteSampleFile(MPI_COMM_WORLD, path);
  } catch (const trim::IoError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    rc = 1;
  }
  MPI_Finalize();
  return rc;
}
