#include "trim/sched/runner.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <ctime>
#include <map>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>

#include "layout.hpp"
#include "trim/core/error.hpp"
#include "trim/core/sha256.hpp"

namespace trim::sched {
namespace {

double Seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string UtcNow() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool StopRequested(const RunOptions& o) { return o.stop_flag != nullptr && *o.stop_flag != 0; }

// Rank 0: the ranges to compute, costliest blocks first, split into chunks that never cross a
// block; when resuming, only the rows not done yet.
std::vector<IndexRange> PlanTasks(const space::DesignSpace& space, std::uint64_t chunk,
                                  io::ResultsFile* resume_file, std::uint64_t& before) {
  std::vector<Index> blocks(space.num_blocks());
  std::iota(blocks.begin(), blocks.end(), Index{0});
  std::vector<double> cost(blocks.size());
  for (Index b : blocks) cost[b] = BlockCost(space, b);
  std::stable_sort(blocks.begin(), blocks.end(),
                   [&](Index a, Index b) { return cost[a] > cost[b]; });
  std::vector<IndexRange> tasks;
  before = 0;
  const Index bs = space.block_size();
  for (Index b : blocks) {
    for (Index s = b * bs; s < (b + 1) * bs; s += chunk) {
      const IndexRange r{s, std::min(s + chunk, (b + 1) * bs)};
      if (resume_file == nullptr) {
        tasks.push_back(r);
        continue;
      }
      const std::vector<std::uint8_t> done = resume_file->ReadDone(r);
      Index k = 0;
      while (k < r.size()) {
        if (done[k] != 0) {
          ++before;
          ++k;
          continue;
        }
        Index e = k;
        while (e < r.size() && done[e] == 0) ++e;
        tasks.push_back({r.begin + k, r.begin + e});
        k = e;
      }
    }
  }
  return tasks;
}

std::string JoinAxisNames(const space::DesignSpace& space) {
  std::string s;
  for (const auto& a : space.axes()) s += (s.empty() ? "" : ",") + a.name;
  return s;
}

void SendBytes(MPI_Comm comm, int dest, int tag, const std::string& bytes) {
  MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, dest, tag, comm);
}

std::string RecvBytes(MPI_Comm comm, int source, int tag, int* from = nullptr) {
  MPI_Status st;
  MPI_Probe(source, tag, comm, &st);
  int n = 0;
  MPI_Get_count(&st, MPI_BYTE, &n);
  std::string bytes(static_cast<std::size_t>(n), '\0');
  MPI_Recv(bytes.data(), n, MPI_BYTE, st.MPI_SOURCE, tag, comm, MPI_STATUS_IGNORE);
  if (from != nullptr) *from = st.MPI_SOURCE;
  return bytes;
}

// Everything one rank does with a task: evaluate in parts (so rank 0 can poll for requests
// between parts), write, and count.
class RankWork {
 public:
  RankWork(const space::DesignSpace& space, io::ResultsFile& file, const RunOptions& opts, int rank)
      : runner_(space), file_(file), opts_(opts), rank_(rank) {}

  // Evaluates and writes r in one go.
  void Run(IndexRange r) {
    runner_.Begin(r);
    runner_.EvaluatePart(r, times.fill_s, times.evaluate_s);
    Finish(r);
  }

  // Rank 0's sliced execution: begin, then Step() until it returns true.
  void Start(IndexRange r) {
    current_ = r;
    pos_ = r.begin;
    runner_.Begin(r);
  }
  [[nodiscard]] bool Busy() const { return pos_ < current_.end; }
  // Evaluates about `slice_s` seconds of the current task; writes it when complete.
  void Step(double slice_s) {
    const Index n = std::clamp<Index>(static_cast<Index>(slice_s / std::max(sec_per_point_, 1e-9)),
                                      1, current_.end - pos_);
    const double t0 = Seconds();
    runner_.EvaluatePart({pos_, pos_ + n}, times.fill_s, times.evaluate_s);
    sec_per_point_ = (Seconds() - t0) / static_cast<double>(n);
    pos_ += n;
    if (pos_ == current_.end) Finish(current_);
  }

  [[nodiscard]] std::vector<BestEntry> Best() const { return runner_.Best(); }
  [[nodiscard]] std::vector<FailureCount> Failures() const { return runner_.Failures(); }

  PhaseTimes times;
  std::uint64_t points = 0;

 private:
  void Finish(IndexRange r) {
    const double t0 = Seconds();
    runner_.Write(file_);
    times.write_s += Seconds() - t0;
    points += r.size();
    ++tasks_written_;
    if (opts_.crash_after_tasks >= 0 && tasks_written_ >= opts_.crash_after_tasks) {
      std::raise(SIGKILL);
    }
    if (opts_.fail_rank == rank_) {
      throw std::runtime_error("test failure requested by --test-fail-rank " +
                               std::to_string(rank_) + " after writing rows [" +
                               std::to_string(r.begin) + ", " + std::to_string(r.end) + ")");
    }
  }

  TaskRunner runner_;
  io::ResultsFile& file_;
  const RunOptions& opts_;
  IndexRange current_;
  Index pos_ = 0;
  double sec_per_point_ = 1e-6;
  int tasks_written_ = 0;
  int rank_ = 0;
};

class Progress {
 public:
  Progress(const RunOptions& o, std::uint64_t total) : opts_(o), total_(total), last_(Seconds()) {}
  void Update(std::uint64_t done) {
    if (!opts_.progress) return;
    const double now = Seconds();
    if (now - last_ < opts_.progress_interval_s) return;
    last_ = now;
    opts_.progress(done, total_);
  }

 private:
  const RunOptions& opts_;
  std::uint64_t total_;
  double last_;
};

// Rank 0 when there are other ranks: serve requests, compute between polls.
bool Master(MPI_Comm comm, int size, const std::vector<IndexRange>& tasks, RankWork& work,
            const RunOptions& opts, std::uint64_t before, std::uint64_t total) {
  std::size_t next = 0;
  int active = size - 1;
  bool stopping = false;
  std::uint64_t reported = 0;
  Progress progress(opts, total);
  constexpr double kSliceS = 0.002;  // rank 0 answers requests at least this often
  while (active > 0 || work.Busy() || (!stopping && next < tasks.size())) {
    const double t0 = Seconds();
    int flag = 0;
    MPI_Status st;
    MPI_Iprobe(MPI_ANY_SOURCE, kTagRequest, comm, &flag, &st);
    while (flag != 0) {
      int from = 0;
      const WorkRequest req = DecodeRequest(RecvBytes(comm, st.MPI_SOURCE, kTagRequest, &from));
      reported += req.points_done;
      stopping = stopping || req.stopping;
      WorkAssign a;
      if (!stopping && next < tasks.size()) {
        a.ranges.push_back(tasks[next++]);
      } else {
        a.stop = true;
        --active;
      }
      SendBytes(comm, from, kTagAssign, Encode(a));
      MPI_Iprobe(MPI_ANY_SOURCE, kTagRequest, comm, &flag, &st);
    }
    stopping = stopping || StopRequested(opts);
    work.times.sched_s += Seconds() - t0;
    if (!work.Busy() && !stopping && next < tasks.size()) work.Start(tasks[next++]);
    if (work.Busy()) {
      work.Step(kSliceS);
    } else if (active > 0) {
      const double t1 = Seconds();
      std::this_thread::sleep_for(std::chrono::microseconds(200));  // wait without spinning
      work.times.sched_s += Seconds() - t1;
    }
    progress.Update(before + reported + work.points);
  }
  return stopping;
}

// A worker keeps one request in flight: it asks for its next task before computing the
// current one, so rank 0's answer (which waits for the end of rank 0's current slice) arrives
// while the worker computes. Rank 0 therefore answers every request exactly once, with a task
// or with stop; a worker that is told to stop has finished everything it was given.
void Worker(MPI_Comm comm, RankWork& work, const RunOptions& opts) {
  std::uint64_t last_points = 0;
  auto request = [&](bool stopping) {
    const double t0 = Seconds();
    WorkRequest req;
    req.points_done = work.points - last_points;
    last_points = work.points;
    req.stopping = stopping;
    SendBytes(comm, 0, kTagRequest, Encode(req));
    work.times.sched_s += Seconds() - t0;
  };
  auto receive = [&]() {
    const double t0 = Seconds();
    WorkAssign a = DecodeAssign(RecvBytes(comm, 0, kTagAssign));
    work.times.sched_s += Seconds() - t0;
    return a;
  };
  request(StopRequested(opts));
  WorkAssign current = receive();
  while (!current.stop) {
    if (StopRequested(opts)) {
      // Leave this task undone (the file stays resumable) and let rank 0 wind the run down;
      // its answer to this request is stop.
      request(true);
      (void)receive();
      return;
    }
    request(false);
    for (const IndexRange& r : current.ranges) work.Run(r);
    current = receive();
  }
}

// Serial: one rank does everything, no messages.
bool Solo(const std::vector<IndexRange>& tasks, RankWork& work, const RunOptions& opts,
          std::uint64_t before, std::uint64_t total) {
  Progress progress(opts, total);
  for (const IndexRange& r : tasks) {
    if (StopRequested(opts)) return true;
    work.Run(r);
    progress.Update(before + work.points);
  }
  return false;
}

std::vector<BestEntry> GatherBest(MPI_Comm comm, int rank, int size,
                                  const std::vector<BestEntry>& mine, bool maximize,
                                  std::size_t top) {
  const std::string bytes = Encode(mine);
  int n = static_cast<int>(bytes.size());
  std::vector<int> counts(static_cast<std::size_t>(size));
  MPI_Gather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, comm);
  std::vector<int> displs(static_cast<std::size_t>(size), 0);
  std::string all;
  if (rank == 0) {
    for (int r = 1; r < size; ++r) displs[r] = displs[r - 1] + counts[r - 1];
    const auto last = static_cast<std::size_t>(size - 1);
    all.resize(static_cast<std::size_t>(displs[last] + counts[last]));
  }
  MPI_Gatherv(bytes.data(), n, MPI_BYTE, all.data(), counts.data(), displs.data(), MPI_BYTE, 0,
              comm);
  if (rank != 0) return {};
  std::vector<BestEntry> merged;
  for (int r = 0; r < size; ++r) {
    const auto part = DecodeBest(
        all.substr(static_cast<std::size_t>(displs[r]), static_cast<std::size_t>(counts[r])));
    merged.insert(merged.end(), part.begin(), part.end());
  }
  return MergeBest(merged, maximize, top);
}

// Every rank's failure counts summed on rank 0, most frequent first (ties: reason, layer,
// phase). COLLECTIVE.
std::vector<FailureCount> GatherFailures(MPI_Comm comm, int rank, int size,
                                         const std::vector<FailureCount>& mine) {
  std::vector<std::uint64_t> flat;  // (status | phase << 8 | layer << 16, count) pairs
  for (const auto& f : mine) {
    flat.push_back(f.status | std::uint64_t{f.phase} << 8 | std::uint64_t{f.layer} << 16);
    flat.push_back(f.count);
  }
  int n = static_cast<int>(flat.size());
  std::vector<int> counts(static_cast<std::size_t>(size)), displs(static_cast<std::size_t>(size));
  MPI_Gather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, comm);
  std::vector<std::uint64_t> all;
  if (rank == 0) {
    for (int r = 1; r < size; ++r) displs[r] = displs[r - 1] + counts[r - 1];
    all.resize(static_cast<std::size_t>(displs[size - 1] + counts[size - 1]));
  }
  MPI_Gatherv(flat.data(), n, MPI_UINT64_T, all.data(), counts.data(), displs.data(), MPI_UINT64_T,
              0, comm);
  if (rank != 0) return {};
  std::map<std::uint64_t, std::uint64_t> sum;
  for (std::size_t i = 0; i + 1 < all.size(); i += 2) sum[all[i]] += all[i + 1];
  std::vector<FailureCount> out;
  for (const auto& [key, count] : sum) {
    out.push_back({static_cast<std::uint8_t>(key & 0xff), static_cast<std::uint32_t>(key >> 16),
                   static_cast<std::uint8_t>((key >> 8) & 0xff), count});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const FailureCount& a, const FailureCount& b) { return a.count > b.count; });
  return out;
}

// The best designs among this rank's share of every row already done in the file: a resumed
// run's best table covers the rows of earlier runs too.
std::vector<BestEntry> BestFromFile(io::ResultsFile& file, const space::DesignSpace& space,
                                    int rank, int size) {
  const auto& goal = space.job().goal;
  const std::size_t naxes = space.axes().size();
  const std::size_t goal_col =
      naxes + static_cast<std::size_t>(model::FindResultCol(goal.column)->id);
  const std::size_t feasible_col = naxes + model::kNumResultCols + 1;
  const std::size_t network_col = naxes - 1;
  const Index n = space.size();
  const Index lo = n * static_cast<Index>(rank) / static_cast<Index>(size);
  const Index hi = n * static_cast<Index>(rank + 1) / static_cast<Index>(size);
  const std::size_t top = static_cast<std::size_t>(std::max(0, goal.top));
  std::vector<BestEntry> best;
  constexpr Index kStep = Index{1} << 20;
  for (Index s = lo; s < hi; s += kStep) {
    const IndexRange r{s, std::min(hi, s + kStep)};
    const auto done = file.ReadDone(r);
    const auto feasible = file.ReadColumn(feasible_col, r);
    const auto value = file.ReadColumn(goal_col, r);
    const auto network = file.ReadColumn(network_col, r);
    for (Index k = 0; k < r.size(); ++k) {
      if (done[k] != 0 && feasible[k] == 1.0) {
        best.push_back({static_cast<std::uint32_t>(network[k]), r.begin + k, value[k]});
      }
    }
    best = MergeBest(best, goal.maximize, top);
  }
  return best;
}

io::SmallTable BestTable(const space::DesignSpace& space, const std::vector<BestEntry>& best) {
  io::SmallTable t;
  t.group = "best";
  auto col = [&](std::string name, io::Dtype dtype, std::string units, std::string desc) {
    io::ColumnDef c;
    c.group = "best";
    c.name = std::move(name);
    c.dtype = dtype;
    c.units = std::move(units);
    c.description = std::move(desc);
    return c;
  };
  std::vector<double> net, idx, value, rank;
  std::uint32_t last = UINT32_MAX;
  int r = 0;
  for (const auto& e : best) {
    r = e.network == last ? r + 1 : 1;
    last = e.network;
    net.push_back(e.network);
    idx.push_back(static_cast<double>(e.index));
    value.push_back(e.value);
    rank.push_back(r);
  }
  auto netcol = col("network", io::Dtype::kU16, "", "network code (see /lookup/network)");
  netcol.categories = space.axes().back().labels;
  const auto& goal = space.job().goal;
  t.columns.emplace_back(netcol, net);
  t.columns.emplace_back(col("rank", io::Dtype::kU32, "", "1 = best for its network"), rank);
  t.columns.emplace_back(col("index", io::Dtype::kI64, "", "design index (row)"), idx);
  t.columns.emplace_back(
      col("value", io::Dtype::kF64, std::string(model::FindResultCol(goal.column)->unit),
          (goal.maximize ? "maximized " : "minimized ") + goal.column),
      value);
  return t;
}

// Everything after the file is open: plan, compute and write, reduce the best designs,
// close. Any exception here is this rank's own failure.
RunSummary RunOpened(MPI_Comm comm, const space::DesignSpace& space, const RunOptions& opts,
                     io::ResultsFile& file, double t_start) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  const config::JobSpec& job = space.job();
  RunSummary sum;
  sum.ranks = size;
  sum.points_total = space.size();
  sum.chunk = opts.chunk > 0 ? opts.chunk : AutoChunk(space, size);
  std::vector<IndexRange> tasks;
  if (rank == 0) {
    tasks = PlanTasks(space, sum.chunk, opts.resume ? &file : nullptr, sum.points_before);
    sum.tasks = tasks.size();
  }
  MPI_Bcast(&sum.points_before, 1, MPI_UINT64_T, 0, comm);

  RankWork work(space, file, opts, rank);
  bool stopped = false;
  if (size == 1) {
    stopped = Solo(tasks, work, opts, sum.points_before, sum.points_total);
  } else if (rank == 0) {
    stopped = Master(comm, size, tasks, work, opts, sum.points_before, sum.points_total);
  } else {
    Worker(comm, work, opts);
  }
  int stopped_int = stopped ? 1 : 0;
  MPI_Bcast(&stopped_int, 1, MPI_INT, 0, comm);

  MPI_Allreduce(&work.points, &sum.points_now, 1, MPI_UINT64_T, MPI_SUM, comm);
  // A stop request that came after the last task was handed out leaves a complete file.
  sum.interrupted = stopped_int != 0 && sum.points_before + sum.points_now < sum.points_total;
  sum.times = work.times;
  double mine[4] = {work.times.fill_s, work.times.evaluate_s, work.times.write_s,
                    work.times.sched_s};
  double maxes[4];
  MPI_Allreduce(mine, maxes, 4, MPI_DOUBLE, MPI_MAX, comm);
  sum.times_max = {maxes[0], maxes[1], maxes[2], maxes[3]};

  const auto& goal = job.goal;
  const std::vector<BestEntry> candidates =
      sum.points_before > 0 ? BestFromFile(file, space, rank, size) : work.Best();
  sum.best = GatherBest(comm, rank, size, candidates, goal.maximize,
                        static_cast<std::size_t>(std::max(0, goal.top)));
  sum.failures = GatherFailures(comm, rank, size, work.Failures());
  file.WriteTable(BestTable(space, sum.best), 0);
  sum.wall_s = Seconds() - t_start;
  double wall = sum.wall_s;
  MPI_Bcast(&wall, 1, MPI_DOUBLE, 0, comm);
  file.SetAttributes({
      {"wall_time_s", "", wall, true},
      {"completed_utc", sum.interrupted ? "" : UtcNow(), 0, false},
      {"last_run_ranks", "", static_cast<double>(size), true},
      {"last_run_command_line", opts.command_line, 0, false},
      {"points_done", "", static_cast<double>(sum.points_before + sum.points_now), true},
      {"time_fill_s_max", "", maxes[0], true},
      {"time_evaluate_s_max", "", maxes[1], true},
      {"time_write_s_max", "", maxes[2], true},
      {"time_sched_s_max", "", maxes[3], true},
  });
  file.Close();
  sum.wall_s = Seconds() - t_start;
  return sum;
}

}  // namespace

double BlockCost(const space::DesignSpace& space, Index block) {
  // The model's work per point is one evaluation per layer and phase (five under "best"),
  // whatever the layer's size.
  const model::Workload w = space.WorkloadOf(block);
  const double phases = w.mode == Mode::kTraining ? kNumPhases : 1.0;
  const double dataflows = w.dataflow == Dataflow::kBest ? 5.0 : 1.0;
  return static_cast<double>(w.network->layers.size()) * phases * dataflows;
}

std::uint64_t AutoChunk(std::uint64_t points, std::uint64_t block, int ranks) {
  return AutoChunk(points, block, ranks, 0.0);
}

std::uint64_t AutoChunk(std::uint64_t points, std::uint64_t block, int ranks,
                        double evals_per_point) {
  // About 16 tasks per rank balance the load; at least 512 points keep per-task overheads
  // (one request, ~40 independent writes) small; at most 65536 from this rule.
  const std::uint64_t per = points / (16 * static_cast<std::uint64_t>(std::max(1, ranks))) + 1;
  std::uint64_t chunk = std::clamp<std::uint64_t>(per, 512, 65536);
  // Rank 0 spends kRequestS on each request; a task of C points keeps a worker busy for
  // C * evals_per_point * kEvalS. With W = ranks - 1 workers rank 0 is busy a share
  // W * kRequestS / (C * evals_per_point * kEvalS) of the time: at most kMasterShare when C is
  // at least the bound below (docs/benchmarks.md: both constants are measured there, kEvalS
  // as the fastest warm cost per layer-phase evaluation, so the bound errs on the large side).
  constexpr double kRequestS = 20e-6;
  constexpr double kEvalS = 20e-9;
  constexpr double kMasterShare = 0.25;
  constexpr std::uint64_t kMaxChunk = 131072;  // bounds the per-task output buffers
  if (evals_per_point > 0 && ranks > 1) {
    const double workers = static_cast<double>(ranks - 1);
    const double need = workers * kRequestS / (kMasterShare * evals_per_point * kEvalS);
    chunk = std::max(chunk, static_cast<std::uint64_t>(std::min(std::ceil(need), 1e18)));
    chunk = std::min(chunk, kMaxChunk);
  }
  return std::min<std::uint64_t>(chunk, std::max<std::uint64_t>(block, 1));
}

std::uint64_t AutoChunk(const space::DesignSpace& space, int ranks) {
  double cheapest = 0;  // the cheapest block makes the most requests per second
  for (Index b = 0; b < space.num_blocks(); ++b) {
    const double c = BlockCost(space, b);
    cheapest = b == 0 ? c : std::min(cheapest, c);
  }
  return AutoChunk(space.size(), space.block_size(), ranks, cheapest);
}

std::string JobHash(const config::JobSpec& job) {
  std::string all = job.text;
  for (const auto& [path, text] : job.sources) {
    all += '\0';
    all += path;
    all += '\0';
    all += text;
  }
  return Sha256Hex(all);
}

RunSummary RunSweep(MPI_Comm comm, const space::DesignSpace& space, const RunOptions& opts) {
  const double t_start = Seconds();
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  const config::JobSpec& job = space.job();
  const io::Layout layout = MakeLayout(space);
  const std::string hash = JobHash(job);

  std::unique_ptr<io::ResultsFile> file;
  if (opts.resume) {
    file = io::ResultsFile::OpenForResume(comm, opts.output, layout, hash);
  } else {
    std::vector<io::Attribute> attrs = {
        {"job_text", job.text, 0, false},
        {"job_sha256", hash, 0, false},
        {"job_name", job.name, 0, false},
        {"job_path", job.path, 0, false},
        {"trim_sweep_version", opts.version, 0, false},
        {"command_line", opts.command_line, 0, false},
        {"created_utc", UtcNow(), 0, false},
        {"axis_order", JoinAxisNames(space), 0, false},
        {"goal", (job.goal.maximize ? "maximize " : "minimize ") + job.goal.column, 0, false},
        {"mpi_ranks", "", static_cast<double>(size), true},
    };
    for (const auto& o : model::Options()) {
      attrs.push_back({"model_" + std::string(o.name),
                       std::string(o.choices[job.model_options[o.id]]), 0, false});
    }
    std::string sources;
    for (const auto& [path, text] : job.sources) {
      sources += "# ---- " + path + "\n" + text + (text.ends_with('\n') ? "" : "\n");
    }
    attrs.push_back({"job_sources", sources, 0, false});
    file = io::ResultsFile::Create(comm, opts.output, layout, attrs, opts.force);
  }

  try {
    return RunOpened(comm, space, opts, *file, t_start);
  } catch (const IoError& e) {
    throw RankFailure(rank, size, e.what(), true);
  } catch (const std::exception& e) {
    throw RankFailure(rank, size, e.what(), false);
  }
}

}  // namespace trim::sched
