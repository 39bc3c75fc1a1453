#include "sample_file.hpp"

#include <algorithm>
#include <cstdint>

namespace trim::io::testing {

Layout SampleLayout() {
  Layout l;
  l.rows = kSampleRows;
  l.columns = {
      {"params", "pe_rows", Dtype::kF64, "PEs", "rows of the PE array", {}, {8, 16, 32}},
      {"params", "batch", Dtype::kF64, "samples", "batch size", {}, {1, 2, 4, 8, 16}},
      {"params", "dataflow", Dtype::kU8, "", "dataflow", {"ws", "os"}, {}},
      {"params", "network", Dtype::kU16, "", "network", {"alexnet", "resnet50"}, {}},
      {"results", "latency_s", Dtype::kF64, "s", "latency of one batch", {}, {}},
      {"results", "energy_pj", Dtype::kF64, "pJ", "energy of one batch", {}, {}},
      {"results", "macs", Dtype::kI64, "MAC", "multiply-accumulates", {}, {}},
      {"results",
       "status",
       Dtype::kU8,
       "",
       "feasibility",
       {"ok", "rf_too_small", "glb_too_small"},
       {}},
  };
  return l;
}

std::vector<Attribute> SampleAttributes(int ranks) {
  return {
      {"job_text", "[job]\nname = \"sample\"  # 1 \xc2\xb5s\n", 0, false},
      {"job_sha256", kSampleJobSha, 0, false},
      {"trim_sweep_version", "0.1.0+test", 0, false},
      {"model_engine", "roofline", 0, false},
      {"mpi_ranks", "", static_cast<double>(ranks), true},
  };
}

SmallTable SampleTable() {
  SmallTable t;
  t.group = "best";
  const Layout l = SampleLayout();
  ColumnDef index{"best", "index", Dtype::kI64, "", "design index", {}, {}};
  t.columns = {{l.columns[3], {0, 1}}, {index, {5, 35}}, {l.columns[4], {3.0, 18.0}}};
  return t;
}

double SampleValue(std::size_t k, Index i) {
  const double x = static_cast<double>(i);
  switch (k) {
    case 0:
      return std::vector<double>{8, 16, 32}[i % 3];
    case 1:
      return std::vector<double>{1, 2, 4, 8, 16}[(i / 3) % 5];
    case 2:
      return static_cast<double>((i / 15) % 2);
    case 3:
      return static_cast<double>(i / 30);
    case 4:
      return 0.5 * (x + 1);
    case 5:
      return 0.25 * x;
    case 6:
      return 1000 * x + 7;
    default:
      return static_cast<double>(i % 3);
  }
}

namespace {

/// Writes rows [b, e) as one multi-row write.
void WriteRun(ResultsFile& file, Index b, Index e) {
  std::vector<double> pe, batch, latency, energy;
  std::vector<std::uint8_t> dataflow, status;
  std::vector<std::uint16_t> network;
  std::vector<std::int64_t> macs;
  for (Index i = b; i < e; ++i) {
    pe.push_back(SampleValue(0, i));
    batch.push_back(SampleValue(1, i));
    dataflow.push_back(static_cast<std::uint8_t>(SampleValue(2, i)));
    network.push_back(static_cast<std::uint16_t>(SampleValue(3, i)));
    latency.push_back(SampleValue(4, i));
    energy.push_back(SampleValue(5, i));
    macs.push_back(static_cast<std::int64_t>(SampleValue(6, i)));
    status.push_back(static_cast<std::uint8_t>(SampleValue(7, i)));
  }
  const std::vector<const void*> data = {pe.data(),      batch.data(),   dataflow.data(),
                                         network.data(), latency.data(), energy.data(),
                                         macs.data(),    status.data()};
  file.WriteRows({b, e}, data);
}

}  // namespace

void WriteSampleRows(MPI_Comm comm, ResultsFile& file) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  constexpr Index kChunk = 4;
  for (Index c = 0; c * kChunk < kSampleRows; ++c) {
    if (static_cast<int>(c % static_cast<Index>(size)) != rank) continue;
    // The chunk minus the pending rows: up to two runs.
    const Index b = c * kChunk, e = b + kChunk;
    const Index gap_b = std::clamp(kPendingBegin, b, e), gap_e = std::clamp(kPendingEnd, b, e);
    if (b < gap_b) WriteRun(file, b, gap_b);
    if (gap_e < e) WriteRun(file, gap_e, e);
  }
}

void WriteSampleFile(MPI_Comm comm, const std::string& path) {
  int size = 1;
  MPI_Comm_size(comm, &size);
  auto file = ResultsFile::Create(comm, path, SampleLayout(), SampleAttributes(size), true);
  WriteSampleRows(comm, *file);
  file->WriteTable(SampleTable(), size - 1);
  file->Close();
}

}  // namespace trim::io::testing
