#include "trim/sched/runner.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <map>
#include <numeric>
#include <queue>
#include <stdexcept>
#include <string>
#include <thread>

#include "layout.hpp"
#include "trim/core/clock.hpp"
#include "trim/core/error.hpp"
#include "trim/core/sha256.hpp"

namespace trim::sched {
namespace {

double Seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
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

// COLLECTIVE. Seconds per point of the job's cheapest block on this machine: every rank
// samples one block for kCalibrationS (ranks spread over the blocks) and the costs per
// layer-phase evaluation are pooled.
double MeasurePointSeconds(MPI_Comm comm, const space::DesignSpace& space, model::Evaluator& ev,
                           int rank, int size) {
  constexpr double kCalibrationS = 0.05;
  const Index block = static_cast<Index>(rank) * space.num_blocks() / static_cast<Index>(size);
  const CostSample mine = SampleCost(space, ev, block, kCalibrationS);
  double local[2] = {mine.seconds, mine.evals};
  double all[2] = {0, 0};
  MPI_Allreduce(local, all, 2, MPI_DOUBLE, MPI_SUM, comm);
  return CheapestPointSeconds(space, CostSample{all[0], all[1]}.PerEval());
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
  RankWork(const space::DesignSpace& space, io::ResultsFile& file, const io::Layout& layout,
           const RunOptions& opts, int rank)
      : runner_(space),
        writer_(file, Dtypes(layout), opts.write_buffer_bytes, kMaxHoldS),
        opts_(opts),
        rank_(rank) {}

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
  model::Evaluator& evaluator() { return runner_.evaluator(); }
  // Writes the rows still buffered (at the end of the run, or before a testing aid fires).
  void FlushWrites() {
    const double t0 = Seconds();
    writer_.Flush();
    times.write_s += Seconds() - t0;
  }
  [[nodiscard]] std::uint64_t write_calls() const { return writer_.write_calls(); }

  PhaseTimes times;
  std::uint64_t points = 0;

 private:
  // A rank's buffered rows may wait this long before they are written (bounds what a killed
  // rank loses).
  static constexpr double kMaxHoldS = 10.0;

  static std::vector<io::Dtype> Dtypes(const io::Layout& layout) {
    std::vector<io::Dtype> d;
    for (const auto& c : layout.columns) d.push_back(c.dtype);
    return d;
  }

  void Finish(IndexRange r) {
    const double t0 = Seconds();
    runner_.Write(writer_);
    times.write_s += Seconds() - t0;
    points += r.size();
    ++tasks_written_;
    const bool crash = opts_.crash_after_tasks >= 0 && tasks_written_ >= opts_.crash_after_tasks;
    if (crash || opts_.fail_rank == rank_) FlushWrites();
    if (crash) std::raise(SIGKILL);
    if (opts_.fail_rank == rank_) {
      throw std::runtime_error("test failure requested by --test-fail-rank " +
                               std::to_string(rank_) + " after writing rows [" +
                               std::to_string(r.begin) + ", " + std::to_string(r.end) + ")");
    }
  }

  TaskRunner runner_;
  RowWriter writer_;
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

// Rank 0's hand-out of the planned tasks. The plan (costliest blocks first) is cut into one
// lane of consecutive tasks per rank, and a rank takes its tasks from the front of its own
// lane, so its successive tasks are mostly adjacent rows that its RowWriter joins into one
// write. A rank whose lane is empty takes the back half of the longest remaining lane (the
// lane's cheapest part), which balances the load as handing out single tasks would.
class Dispenser {
 public:
  Dispenser(const std::vector<IndexRange>& tasks, int ranks) : tasks_(tasks), left_(tasks.size()) {
    const auto r = static_cast<std::size_t>(std::max(1, ranks));
    for (std::size_t k = 0; k < r; ++k) {
      lanes_.push_back({tasks.size() * k / r, tasks.size() * (k + 1) / r});
      heap_.push({lanes_.back().size(), k});
    }
  }
  [[nodiscard]] bool empty() const { return left_ == 0; }
  // REQUIRES: !empty().
  IndexRange Next(int rank) {
    Lane& mine = lanes_[static_cast<std::size_t>(rank)];
    if (mine.size() == 0) Steal(static_cast<std::size_t>(rank));
    --left_;
    return tasks_[mine.next++];
  }

 private:
  struct Lane {
    std::size_t next, end;
    [[nodiscard]] std::size_t size() const { return end - next; }
  };
  // The heap holds (size when pushed, lane); sizes only shrink, so a stale entry is re-pushed
  // with the lane's current size when it comes to the top.
  void Steal(std::size_t thief) {
    while (true) {
      const auto [size, victim] = heap_.top();
      heap_.pop();
      Lane& v = lanes_[victim];
      if (size != v.size()) {
        if (v.size() > 0) heap_.push({v.size(), victim});
        continue;
      }
      const std::size_t half = (v.size() + 1) / 2;
      lanes_[thief] = {v.end - half, v.end};
      v.end -= half;
      if (v.size() > 0) heap_.push({v.size(), victim});
      if (half > 1) heap_.push({half - 1, thief});  // the thief takes one task right away
      return;
    }
  }

  const std::vector<IndexRange>& tasks_;
  std::size_t left_;
  std::vector<Lane> lanes_;
  std::priority_queue<std::pair<std::size_t, std::size_t>> heap_;
};

// Rank 0 when there are other ranks: serve requests, compute between polls.
bool Master(MPI_Comm comm, int size, const std::vector<IndexRange>& tasks, RankWork& work,
            const RunOptions& opts, std::uint64_t before, std::uint64_t total) {
  Dispenser dispenser(tasks, size);
  int active = size - 1;
  bool stopping = false;
  std::uint64_t reported = 0;
  Progress progress(opts, total);
  constexpr double kSliceS = 0.002;  // rank 0 answers requests at least this often
  while (active > 0 || work.Busy() || (!stopping && !dispenser.empty())) {
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
      if (!stopping && !dispenser.empty()) {
        a.ranges.push_back(dispenser.Next(from));
      } else {
        a.stop = true;
        --active;
      }
      SendBytes(comm, from, kTagAssign, Encode(a));
      MPI_Iprobe(MPI_ANY_SOURCE, kTagRequest, comm, &flag, &st);
    }
    stopping = stopping || StopRequested(opts);
    work.times.sched_s += Seconds() - t0;
    if (!work.Busy() && !stopping && !dispenser.empty()) work.Start(dispenser.Next(0));
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
  std::vector<std::uint64_t> flat;  // (FailureKey, count) pairs
  for (const auto& f : mine) {
    flat.push_back(FailureKey(f.status, f.layer, f.phase));
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
  std::vector<FailureCount> out = FailureCounts(sum);
  std::stable_sort(out.begin(), out.end(),
                   [](const FailureCount& a, const FailureCount& b) { return a.count > b.count; });
  return out;
}

// The best designs and the failure counts among this rank's share of every row already done
// in the file, in one pass over it: a resumed run's best table and summary cover the rows of
// earlier runs too.
struct FileSummary {
  std::vector<BestEntry> best;
  std::vector<FailureCount> failures;
};

FileSummary SummaryFromFile(io::ResultsFile& file, const space::DesignSpace& space,
                            const io::Layout& layout, int rank, int size) {
  const auto& goal = space.job().goal;
  const std::size_t goal_col = LayoutColumn(layout, "results", goal.column);
  const std::size_t feasible_col = LayoutColumn(layout, "results", "feasible");
  const std::size_t network_col = LayoutColumn(layout, "params", space.axes().back().name);
  const std::size_t status_col = LayoutColumn(layout, "results", "status");
  const std::size_t name_col = LayoutColumn(layout, "results", "fail_layer_name");
  const std::size_t phase_col = LayoutColumn(layout, "results", "fail_phase");
  const Index n = space.size();
  const Index lo = n * static_cast<Index>(rank) / static_cast<Index>(size);
  const Index hi = n * static_cast<Index>(rank + 1) / static_cast<Index>(size);
  const std::size_t top = static_cast<std::size_t>(std::max(0, goal.top));
  FileSummary out;
  std::map<std::uint64_t, std::uint64_t> by_key;
  constexpr Index kStep = Index{1} << 20;
  for (Index s = lo; s < hi; s += kStep) {
    const IndexRange r{s, std::min(hi, s + kStep)};
    const auto done = file.ReadDone(r);
    const auto feasible = file.ReadColumn(feasible_col, r);
    const auto value = file.ReadColumn(goal_col, r);
    const auto network = file.ReadColumn(network_col, r);
    const auto status = file.ReadColumn(status_col, r);
    const auto name = file.ReadColumn(name_col, r);
    const auto phase = file.ReadColumn(phase_col, r);
    for (Index k = 0; k < r.size(); ++k) {
      if (done[k] == 0) continue;
      if (feasible[k] == 1.0) {
        out.best.push_back({static_cast<std::uint32_t>(network[k]), r.begin + k, value[k]});
      }
      if (status[k] != 0) {
        ++by_key[FailureKey(static_cast<std::uint8_t>(status[k]),
                            static_cast<std::uint32_t>(name[k]),
                            static_cast<std::uint8_t>(phase[k]))];
      }
    }
    out.best = MergeBest(out.best, goal.maximize, top);
  }
  out.failures = FailureCounts(by_key);
  return out;
}

io::SmallTable BestTable(const space::DesignSpace& space, const std::vector<BestEntry>& best) {
  io::SmallTable t;
  t.group = "best";
  auto col = [&](std::string name, io::Dtype dtype, std::string units, std::string desc) {
    return MakeColumn("best", std::move(name), dtype, std::move(units), std::move(desc));
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
  t.columns.emplace_back(col("value", io::Dtype::kF64,
                             std::string(model::UnitFor(model::FindResultCol(goal.column)->unit,
                                                        space.job().energy_normalized)),
                             (goal.maximize ? "maximized " : "minimized ") + goal.column),
                         value);
  return t;
}

// Everything after the file is open: plan, compute and write, reduce the best designs,
// close. Any exception here is this rank's own failure.
RunSummary RunOpened(MPI_Comm comm, const space::DesignSpace& space, const io::Layout& layout,
                     const RunOptions& opts, io::ResultsFile& file, double t_start) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  const config::JobSpec& job = space.job();
  RunSummary sum;
  sum.ranks = size;
  sum.points_total = space.size();
  RankWork work(space, file, layout, opts, rank);
  if (opts.chunk > 0) {
    sum.chunk = opts.chunk;
  } else {
    sum.point_s = MeasurePointSeconds(comm, space, work.evaluator(), rank, size);
    sum.chunk = AutoChunk(space.size(), space.block_size(), size, sum.point_s);
  }
  std::vector<IndexRange> tasks;
  if (rank == 0) {
    tasks = PlanTasks(space, sum.chunk, opts.resume ? &file : nullptr, sum.points_before);
    sum.tasks = tasks.size();
  }
  MPI_Bcast(&sum.points_before, 1, MPI_UINT64_T, 0, comm);
  bool stopped = false;
  if (size == 1) {
    stopped = Solo(tasks, work, opts, sum.points_before, sum.points_total);
  } else if (rank == 0) {
    stopped = Master(comm, size, tasks, work, opts, sum.points_before, sum.points_total);
  } else {
    Worker(comm, work, opts);
  }
  work.FlushWrites();
  int stopped_int = stopped ? 1 : 0;
  MPI_Bcast(&stopped_int, 1, MPI_INT, 0, comm);

  MPI_Allreduce(&work.points, &sum.points_now, 1, MPI_UINT64_T, MPI_SUM, comm);
  const std::uint64_t calls = work.write_calls();
  MPI_Allreduce(&calls, &sum.write_calls, 1, MPI_UINT64_T, MPI_SUM, comm);
  // A stop request that came after the last task was handed out leaves a complete file.
  sum.interrupted = stopped_int != 0 && sum.points_before + sum.points_now < sum.points_total;
  sum.times = work.times;
  double mine[4] = {work.times.fill_s, work.times.evaluate_s, work.times.write_s,
                    work.times.sched_s};
  double maxes[4];
  MPI_Allreduce(mine, maxes, 4, MPI_DOUBLE, MPI_MAX, comm);
  sum.times_max = {maxes[0], maxes[1], maxes[2], maxes[3]};

  const auto& goal = job.goal;
  FileSummary local;
  if (sum.points_before > 0) {
    local = SummaryFromFile(file, space, layout, rank, size);
  } else {
    local.best = work.Best();
    local.failures = work.Failures();
  }
  sum.best = GatherBest(comm, rank, size, local.best, goal.maximize,
                        static_cast<std::size_t>(std::max(0, goal.top)));
  sum.failures = GatherFailures(comm, rank, size, local.failures);
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

// The job's identity for --resume: its text and the content of every file it names, keyed by
// the file's name without its directories, so that the same job reached through another path
// or --configs spelling is the same job (docs/failures.md).
std::string JobHash(const config::JobSpec& job) {
  std::vector<std::string> named;
  for (const auto& [path, text] : job.sources) {
    if (path == job.path) continue;
    named.push_back(std::filesystem::path(path).filename().string() + '\0' + Sha256Hex(text));
  }
  std::sort(named.begin(), named.end());
  std::string all = job.text;
  for (const std::string& n : named) all += '\0' + n;
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
        {"output_columns", job.output_spec.columns.empty() ? "all" : "chosen", 0, false},
        {"output_dtype", job.output_spec.float32 ? "float32" : "float64", 0, false},
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
    return RunOpened(comm, space, layout, opts, *file, t_start);
  } catch (const IoError& e) {
    throw RankFailure(rank, size, e.what(), true);
  } catch (const std::exception& e) {
    throw RankFailure(rank, size, e.what(), false);
  }
}

}  // namespace trim::sched
