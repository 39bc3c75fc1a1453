// Rank 0's cost per work request: every other rank sends N requests (as the scheduler's
// workers do, Boost.Serialization messages over MPI_Send/MPI_Probe/MPI_Recv) and rank 0
// answers each with a one-range assignment. Prints rank 0's handling time per request (from
// the moment a request is there to the assignment sent: what limits how many ranks one rank
// 0 can serve) and the round trip seen by a worker. docs/benchmarks.md uses the first in the
// 10,000-rank chunk calculation.
//   mpirun -n 2 build-perf/bin/trim_bench_sched 20000
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "trim/sched/messages.hpp"

namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string Recv(int source, int tag, int* from) {
  MPI_Status st;
  MPI_Probe(source, tag, MPI_COMM_WORLD, &st);
  int n = 0;
  MPI_Get_count(&st, MPI_BYTE, &n);
  std::string bytes(static_cast<std::size_t>(n), '\0');
  MPI_Recv(bytes.data(), n, MPI_BYTE, st.MPI_SOURCE, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  *from = st.MPI_SOURCE;
  return bytes;
}

void Send(int dest, int tag, const std::string& bytes) {
  MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, dest, tag, MPI_COMM_WORLD);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const int n = argc > 1 ? std::max(1, std::atoi(argv[1])) : 20000;
  if (size < 2) {
    if (rank == 0) std::fprintf(stderr, "run with at least 2 ranks\n");
    MPI_Finalize();
    return 2;
  }
  using trim::sched::DecodeAssign;
  using trim::sched::DecodeRequest;
  using trim::sched::Encode;
  if (rank == 0) {
    std::vector<double> handle;
    handle.reserve(static_cast<std::size_t>(n) * static_cast<std::size_t>(size - 1));
    trim::Index next = 0;
    for (long i = 0; i < static_cast<long>(n) * (size - 1); ++i) {
      MPI_Status st;
      MPI_Probe(MPI_ANY_SOURCE, trim::sched::kTagRequest, MPI_COMM_WORLD, &st);
      const double t0 = Now();
      int from = 0;
      const auto req = DecodeRequest(Recv(st.MPI_SOURCE, trim::sched::kTagRequest, &from));
      trim::sched::WorkAssign a;
      a.ranges.push_back({next, next + 31251});
      next += 31251 + req.points_done;
      Send(from, trim::sched::kTagAssign, Encode(a));
      handle.push_back(Now() - t0);
    }
    double sum = 0;
    for (double h : handle) sum += h;
    std::printf("SCHED requests=%zu rank0_handle_us_median=%.2f rank0_handle_us_mean=%.2f\n",
                handle.size(), Median(handle) * 1e6,
                sum / static_cast<double>(handle.size()) * 1e6);
  } else {
    std::vector<double> trip;
    trip.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      const double t0 = Now();
      trim::sched::WorkRequest req;
      req.points_done = 31251;
      Send(0, trim::sched::kTagRequest, Encode(req));
      int from = 0;
      const auto a = DecodeAssign(Recv(0, trim::sched::kTagAssign, &from));
      trip.push_back(Now() - t0);
      if (a.ranges.empty()) break;
    }
    if (rank == 1) std::printf("SCHED worker_round_trip_us_median=%.2f\n", Median(trip) * 1e6);
  }
  MPI_Finalize();
  return 0;
}
