// trim-sweep: run a design-space sweep described by a job file on every MPI rank, writing
// one HDF5 results file. Without mpirun/srun it runs as one rank.
#include <mpi.h>
#include <sys/prctl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli_common.hpp"
#include "trim/core/error.hpp"
#include "trim/io/results_file.hpp"
#include "trim/model/columns.hpp"
#include "trim/net/network_file.hpp"
#include "trim/net/onnx.hpp"
#include "trim/net/zoo.hpp"
#include "trim/sched/runner.hpp"

namespace {

using namespace trim;

// The only global: the number of the first stop signal received (0: none), set by the
// signal handler and polled by the scheduler between tasks.
volatile std::sig_atomic_t g_stop = 0;

// The first SIGTERM, SIGINT or SIGUSR1 asks for a clean stop. A second SIGINT or SIGTERM
// stops at once (the default action), leaving the file as a SIGKILL would: resumable.
extern "C" void OnStopSignal(int sig) {
  if (g_stop != 0 && (sig == SIGINT || sig == SIGTERM)) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  if (g_stop == 0) g_stop = sig;
}

void InstallStopHandlers() {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;  // MPI and HDF5 calls resume after the handler returns
  for (int sig : {SIGTERM, SIGINT, SIGUSR1}) sigaction(sig, &sa, nullptr);
}

// A write failure's own message may not say why (HDF5 reports "file write failed"); a full
// file system is the usual cause and is worth naming.
std::string FullDiskNote(const std::string& output) {
  const std::size_t slash = output.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : output.substr(0, slash + 1);
  struct statvfs st;
  if (statvfs(dir.c_str(), &st) != 0) return "";
  const double free_bytes = static_cast<double>(st.f_bavail) * static_cast<double>(st.f_frsize);
  constexpr double kNearlyFullBytes = 1 << 20;
  if (free_bytes >= kNearlyFullBytes) return "";
  return " (the file system holding it is full: " + std::to_string(st.f_bavail * st.f_frsize) +
         " bytes free)";
}

// A rank started by a launcher (mpirun's daemon, slurmstepd) stops at once when the launcher
// is gone: killing mpirun's process group does not reach the ranks, which run in process
// groups of their own. The kernel sends SIGKILL on the parent's death (PR_SET_PDEATHSIG), and
// a watcher thread checks every 100 ms that the parent is unchanged, for a parent that dies
// before the request is made. Runs started without a launcher are left alone.
void DieWithLauncher() {
  if (std::getenv("OMPI_COMM_WORLD_SIZE") == nullptr && std::getenv("PMIX_RANK") == nullptr) {
    return;
  }
  const pid_t parent = ::getppid();
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::kill(::getpid(), SIGKILL);
  std::thread([parent] {
    while (::getppid() == parent) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ::kill(::getpid(), SIGKILL);
  }).detach();
}

const char* SignalName(int sig) {
  switch (sig) {
    case SIGTERM:
      return "SIGTERM";
    case SIGINT:
      return "SIGINT";
    case SIGUSR1:
      return "SIGUSR1";
    default:
      return "a signal";
  }
}

constexpr const char* kHelp = R"(usage: trim-sweep [options] JOB.toml

Evaluates every design point of the job's design space with the TRIM accelerator model and
writes one HDF5 results file (one row per design point). Runs on every MPI rank it is started
on (srun/mpirun); started directly it runs as one rank on this machine.

options:
  -o, --output PATH     results file (default: the job's [job].output)
      --force           replace an existing results file
      --resume          complete an existing results file: compute only the rows not done
      --verify FILE     check every finished row of a results file against its checksum
                        and exit (0: intact; 3: damaged rows, listed, or a missing file;
                        2: not a results file of this schema)
      --dry-run         print the axes, the number of points, a run-time estimate and the
                        automatic task size; write nothing
      --chunk N         design points per task (default: automatic, from the cost per point
                        measured in the first 50 ms of the run)
      --write-buffer-mib N
                        each rank joins the rows of its consecutive tasks into writes of up
                        to N MiB (default 8; 0 writes every task at once)
      --configs DIR     directory of hardware/ and energy/ presets (default: %s)
  -q, --quiet           no progress and no summary on stderr/stdout (errors still print)
      --list-networks   list the built-in networks and exit
      --show-network NET
                        print the layers of a network (with --batch N) and exit: a built-in
                        name, a .toml network file or an .onnx model, parameters after a
                        colon as in the results' labels (bert-base:seq_len=128)
      --batch N         batch size for --show-network (default 1)
      --test-crash-after N
                        testing aid: each rank kills itself (SIGKILL) after writing N tasks
      --test-fail-rank R
                        testing aid: rank R fails (throws) after writing its first task
  -h, --help            this help
      --version         print the version

signals: SIGTERM, SIGINT and SIGUSR1 finish the tasks in flight, flush and close the file and
exit with code 4; `--resume` then completes the run. A second SIGINT or SIGTERM stops at once
(the file stays resumable). Under mpirun send SIGUSR1 to mpirun: it forwards it to every rank
(see docs/failures.md).
output: a regular file or a new path, never the job, a file it names, a preset, a directory,
FIFO or device. A run locks it (PATH.lock, removed at the end): a second run on the same
path is refused, naming the first. --resume recomputes rows that fail their checksum.

exit codes: 0 done; 1 internal error or a failed rank; 2 bad input (job file, arguments,
existing output without --force, an output the rule above refuses or another run holds,
--resume of another job's file); 3 file-system error (also a failed creation, which leaves
no file, and --verify of a damaged file); 4 interrupted (resumable).
summary: points, time, the best designs per network and, when some designs are infeasible,
how many per reason and failing layer (the results file's status and fail_* columns).

examples:
  trim-sweep jobs/quickstart.toml
  trim-sweep jobs/quickstart.toml -o /tmp/q.h5 --force
  mpirun -n 3 trim-sweep jobs/quickstart.toml --resume
  srun --mpi=pmix trim-sweep sweep.toml
  trim-sweep --dry-run jobs/bench-1m.toml
)";

struct Args {
  std::string job;
  std::optional<std::string> output;
  std::string verify;
  std::string config_dir = config::DefaultConfigDir();
  bool force = false, resume = false, dry_run = false, quiet = false;
  bool list_networks = false, help = false, version = false;
  std::string show_network;
  std::int64_t batch = 1;
  std::uint64_t chunk = 0;
  std::uint64_t write_buffer_mib = 8;
  int crash_after = -1;
  int fail_rank = -1;
  std::string command_line;
};

// Throws ConfigError (position-less) on a bad argument.
Args ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 0; i < argc; ++i) a.command_line += (i ? " " : "") + std::string(argv[i]);
  auto value = [&](int& i, const std::string& flag) -> std::string {
    if (i + 1 >= argc) throw ConfigError({}, "option " + flag + " needs a value", "see --help");
    return argv[++i];
  };
  // An integer from `least` to `most`.
  // A whole number from `least` to `most`; `example` goes into the hint.
  auto number = [&](int& i, const std::string& flag, std::uint64_t least, std::uint64_t most,
                    const char* example) -> std::uint64_t {
    const std::string v = value(i, flag);
    const bool digits = !v.empty() && v.size() <= 20 && std::all_of(v.begin(), v.end(), [](char c) {
      return c >= '0' && c <= '9';
    });
    errno = 0;
    const unsigned long long n = digits ? std::strtoull(v.c_str(), nullptr, 10) : 0;
    if (!digits || errno == ERANGE || n < least || n > most) {
      throw ConfigError({},
                        "option " + flag + " needs a whole number from " + std::to_string(least) +
                            " to " + std::to_string(most) + ", got '" + v + "'",
                        std::string("for example ") + flag + " " + example);
    }
    return n;
  };
  constexpr std::uint64_t kMaxChunk = std::uint64_t{1} << 40;
  constexpr std::uint64_t kMaxBatch = 1048576;  // the job files' batch limit
  constexpr std::uint64_t kMaxTestCount = 1000000;
  constexpr std::uint64_t kMaxBufferMib = 4096;
  for (int i = 1; i < argc; ++i) {
    const std::string s = argv[i];
    if (s == "-o" || s == "--output")
      a.output = value(i, s);
    else if (s == "--verify")
      a.verify = value(i, s);
    else if (s == "--force")
      a.force = true;
    else if (s == "--resume")
      a.resume = true;
    else if (s == "--dry-run")
      a.dry_run = true;
    else if (s == "--chunk")
      a.chunk = number(i, s, 1, kMaxChunk, "4096");
    else if (s == "--write-buffer-mib")
      a.write_buffer_mib = number(i, s, 0, kMaxBufferMib, "8");
    else if (s == "--configs")
      a.config_dir = value(i, s);
    else if (s == "-q" || s == "--quiet")
      a.quiet = true;
    else if (s == "--list-networks")
      a.list_networks = true;
    else if (s == "--show-network")
      a.show_network = value(i, s);
    else if (s == "--batch")
      a.batch = static_cast<std::int64_t>(number(i, s, 1, kMaxBatch, "8"));
    else if (s == "--test-crash-after")
      a.crash_after = static_cast<int>(number(i, s, 1, kMaxTestCount, "3"));
    else if (s == "--test-fail-rank")
      a.fail_rank = static_cast<int>(number(i, s, 0, kMaxTestCount, "1"));
    else if (s == "-h" || s == "--help")
      a.help = true;
    else if (s == "--version")
      a.version = true;
    else if (!s.empty() && s[0] == '-') {
      static const std::vector<std::string> kFlags = {
          "--output",           "--force",          "--resume",        "--dry-run",      "--chunk",
          "--configs",          "--quiet",          "--list-networks", "--show-network", "--batch",
          "--test-crash-after", "--test-fail-rank", "--help",          "--version",      "--verify",
          "--write-buffer-mib"};
      const std::string near = DidYouMean(s, kFlags);
      throw ConfigError({}, "unknown option '" + s + "'",
                        near.empty() ? "see --help" : "did you mean '" + near + "'?");
    } else if (a.job.empty()) {
      a.job = s;
    } else {
      throw ConfigError({}, "more than one job file given ('" + a.job + "' and '" + s + "')",
                        "run one job at a time");
    }
  }
  if (a.force && a.resume) {
    throw ConfigError({}, "--force and --resume cannot be combined",
                      "--force starts over, --resume completes the existing file: pick one");
  }
  return a;
}

/// How many done points are infeasible, for which reasons, at which layers.
void PrintFailures(const space::DesignSpace& space, const sched::RunSummary& s) {
  std::uint64_t failed = 0;
  for (const auto& f : s.failures) failed += f.count;
  if (failed == 0) return;
  std::printf("  infeasible  %llu of the %llu points done (status != ok):\n",
              static_cast<unsigned long long>(failed),
              static_cast<unsigned long long>(s.points_before + s.points_now));
  const std::vector<std::string> layers = space::FailLayerLabels(space);
  constexpr std::size_t kShown = 10;
  for (std::size_t i = 0; i < s.failures.size() && i < kShown; ++i) {
    const auto& f = s.failures[i];
    std::string where = "(no layer: clock, bandwidth or a result out of range)";
    if (f.layer > 0 && f.layer < layers.size()) {
      where = "at " + layers[f.layer];
      if (f.phase > 0) where += " (" + std::string(Name(static_cast<Phase>(f.phase - 1))) + ")";
    }
    std::printf("    %10llu  %-16s %s\n", static_cast<unsigned long long>(f.count),
                std::string(model::Name(static_cast<model::Status>(f.status))).c_str(),
                where.c_str());
  }
  if (s.failures.size() > kShown) {
    std::printf(
        "    ... and %zu more (reason, layer) pairs: see results/status and "
        "results/fail_layer_name\n",
        s.failures.size() - kShown);
  }
}

void PrintSummary(const space::DesignSpace& space, const sched::RunSummary& s,
                  const std::string& output) {
  const auto& goal = space.job().goal;
  const auto* col = model::FindResultCol(goal.column);
  std::printf("trim-sweep: %s\n", s.interrupted ? "INTERRUPTED (resume with --resume)" : "done");
  std::printf("  points      %llu of %llu computed now (%llu were already done)\n",
              static_cast<unsigned long long>(s.points_now),
              static_cast<unsigned long long>(s.points_total),
              static_cast<unsigned long long>(s.points_before));
  std::printf("  wall time   %.3f s on %d rank%s, %.0f points/s\n", s.wall_s, s.ranks,
              s.ranks == 1 ? "" : "s",
              s.wall_s > 0 ? static_cast<double>(s.points_now) / s.wall_s : 0.0);
  std::printf("  goal        %s %s\n", goal.maximize ? "maximize" : "minimize",
              goal.column.c_str());
  const auto& nets = space.axes().back().labels;
  std::uint32_t last = UINT32_MAX;
  int rank = 0;
  if (s.best.empty()) std::printf("  no feasible design met the constraints\n");
  for (const auto& e : s.best) {
    if (e.network != last) {
      std::printf("  best for %s:\n", nets[e.network].c_str());
      last = e.network;
      rank = 0;
    }
    std::printf(
        "    %d. %s = %s  [row %llu] %s\n", ++rank, goal.column.c_str(),
        cli::Human(e.value, std::string(model::UnitFor(col->unit, space.job().energy_normalized)))
            .c_str(),
        static_cast<unsigned long long>(e.index), cli::DescribePoint(space, e.index).c_str());
  }
  PrintFailures(space, s);
  std::printf("  results     %s\n", output.c_str());
  std::printf(
      "PERFORMANCE points=%llu ranks=%d wall_s=%.4f points_per_s=%.1f fill_s=%.4f "
      "evaluate_s=%.4f write_s=%.4f sched_s=%.4f (max over ranks) chunk=%llu tasks=%llu "
      "point_us=%.3f row_writes=%llu\n",
      static_cast<unsigned long long>(s.points_now), s.ranks, s.wall_s,
      s.wall_s > 0 ? static_cast<double>(s.points_now) / s.wall_s : 0.0, s.times_max.fill_s,
      s.times_max.evaluate_s, s.times_max.write_s, s.times_max.sched_s,
      static_cast<unsigned long long>(s.chunk), static_cast<unsigned long long>(s.tasks),
      s.point_s * 1e6, static_cast<unsigned long long>(s.write_calls));
  std::fflush(stdout);
}

// Times a few points of every block (at most ~1 s in all) and extrapolates to the whole space.
void DryRun(const space::DesignSpace& space, int ranks) {
  const auto& job = space.job();
  std::printf("job %s: %zu axes, %llu design points (%llu blocks of %llu hardware points)\n",
              job.path.c_str(), space.axes().size(), static_cast<unsigned long long>(space.size()),
              static_cast<unsigned long long>(space.num_blocks()),
              static_cast<unsigned long long>(space.block_size()));
  for (const auto& a : space.axes()) {
    std::ostringstream os;
    const std::size_t n = a.size();
    for (std::size_t k = 0; k < n && k < 8; ++k) {
      os << (k ? ", " : "") << (a.categorical() ? a.labels[k] : cli::Human(a.values[k], ""));
    }
    if (n > 8) os << ", ... (" << n << " values)";
    const auto& lead = space.axes()[a.leader];
    if (&lead != &a) os << "  (linked: advances with " << lead.name << ")";
    std::printf("  %-20s %6zu  %s\n", a.name.c_str(), n, os.str().c_str());
  }
  // The same measurement as the run's calibration (sched::SampleCost), over up to 8 blocks
  // spread through the space and about 1 s in all.
  model::Evaluator ev(job.model_options);
  const Index nb = space.num_blocks();
  const Index sampled = std::min<Index>(nb, 8);
  sched::CostSample sum;
  for (Index k = 0; k < sampled; ++k) {
    const sched::CostSample s =
        sched::SampleCost(space, ev, k * nb / sampled, 1.0 / static_cast<double>(sampled));
    sum.seconds += s.seconds;
    sum.evals += s.evals;
  }
  double total_cost = 0;
  for (Index b = 0; b < nb; ++b) {
    total_cost += sched::BlockCost(space, b) * static_cast<double>(space.block_size());
  }
  const double est = sum.PerEval() * total_cost;
  std::printf(
      "estimated run time: %.3g s on 1 core, %.3g s on %d ranks (model only, from %.3g us per "
      "layer-phase evaluation measured on this machine with the caches warmed as in a run)\n",
      est, est / ranks, ranks, sum.PerEval() * 1e6);
  const double point_s = sched::CheapestPointSeconds(space, sum.PerEval());
  std::printf("automatic task size (%.3g us per point of the cheapest network):\n", point_s * 1e6);
  for (const int r : {ranks, 1000, 10000}) {
    if (r != ranks && r <= ranks) continue;
    const std::uint64_t chunk = sched::AutoChunk(space.size(), space.block_size(), r, point_s);
    const std::uint64_t tasks = nb * ((space.block_size() + chunk - 1) / chunk);
    std::printf("  %6d ranks: %llu points per task, %llu tasks (%.3g per rank)\n", r,
                static_cast<unsigned long long>(chunk), static_cast<unsigned long long>(tasks),
                static_cast<double>(tasks) / r);
  }
}

// "3, 7-9, 12, ... (40 rows)": the first few failing rows as ranges.
std::string DescribeRows(const std::vector<Index>& rows) {
  std::string out;
  std::size_t shown = 0;
  for (std::size_t i = 0; i < rows.size() && shown < 8; ++shown) {
    std::size_t j = i;
    while (j + 1 < rows.size() && rows[j + 1] == rows[j] + 1) ++j;
    out += (out.empty() ? "" : ", ") + std::to_string(rows[i]) +
           (j > i ? "-" + std::to_string(rows[j]) : "");
    i = j + 1;
  }
  if (shown == 8 && rows.size() > 0) out += ", ...";
  return out;
}

// --verify FILE (rank 0 only): every row marked done against its checksum.
int Verify(const std::string& path) {
  const io::VerifyReport r = io::VerifyFile(path);
  if (r.failing.empty()) {
    std::printf("%s: %llu rows, %llu done, every done row verified\n", path.c_str(),
                static_cast<unsigned long long>(r.rows), static_cast<unsigned long long>(r.done));
    return cli::kExitOk;
  }
  std::fprintf(stderr,
               "trim-sweep: %s: error: %zu row%s marked done fail verification (rows %s): the "
               "file is damaged\n  hint: run the job that wrote it with -o %s --resume: the "
               "failing rows are computed again\n",
               path.c_str(), r.failing.size(), r.failing.size() == 1 ? "" : "s",
               DescribeRows(r.failing).c_str(), path.c_str());
  return cli::kExitIo;
}

// --show-network SPEC: what a job's [workload] networks accepts, written as the network's
// label in the results: a built-in name, a .toml network file or an .onnx model, with the
// parameters after a colon (bert-base:seq_len=128, model.onnx:image_size=160). Throws
// ConfigError (exit 2) or IoError.
net::Network ShowNetworkLoad(const std::string& spec) {
  const std::size_t slash = spec.find_last_of('/');
  const std::size_t colon = spec.find(':', slash == std::string::npos ? 0 : slash);
  const std::string name = spec.substr(0, colon);
  net::NetworkParams params;
  std::string rest = colon == std::string::npos ? "" : spec.substr(colon + 1);
  const std::string form = "write NAME, NAME:seq_len=N or NAME:seq_len=N,image_size=N";
  while (colon != std::string::npos) {
    const std::size_t comma = rest.find(',');
    const std::string item = rest.substr(0, comma);
    const std::size_t eq = item.find('=');
    const std::string key = item.substr(0, eq);
    const std::string v = eq == std::string::npos ? "" : item.substr(eq + 1);
    const bool digits = !v.empty() && v.size() <= 7 && std::all_of(v.begin(), v.end(), [](char c) {
      return c >= '0' && c <= '9';
    });
    if ((key != "seq_len" && key != "image_size") || !digits || std::stoll(v) < 1) {
      throw ConfigError({}, "--show-network " + spec + ": cannot read '" + item + "'",
                        "parameters are seq_len=N and image_size=N (N >= 1); " + form);
    }
    (key == "seq_len" ? params.seq_len : params.image_size) = std::stoll(v);
    if (comma == std::string::npos) break;
    rest = rest.substr(comma + 1);
  }
  const auto ends = [&](const char* ext) {
    const std::string e(ext);
    return name.size() > e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0;
  };
  if (ends(".onnx")) return net::LoadOnnxNetwork(name, params);
  if (ends(".toml")) {
    if (params.seq_len != 0 || params.image_size != 0) {
      throw ConfigError({}, "--show-network " + spec + ": a network file fixes its own shapes",
                        "write the path alone, " + name);
    }
    return net::LoadNetworkFile(name);
  }
  std::optional<net::Network> n = net::BuiltinNetwork(name, params);
  if (!n) {
    const std::string near = DidYouMean(name, net::BuiltinNetworkNames());
    throw ConfigError({}, "unknown network '" + name + "'",
                      near.empty() ? "see --list-networks, or give a .toml or .onnx path"
                                   : "did you mean '" + near + "'?");
  }
  return *n;
}

int Run(int argc, char** argv) {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  Args args;
  try {
    args = ParseArgs(argc, argv);
  } catch (const ConfigError& e) {
    if (rank == 0) std::cerr << "trim-sweep: " << e.what() << "\n";
    return cli::kExitBadInput;
  }
  if (args.help) {
    if (rank == 0) std::printf(kHelp, config::DefaultConfigDir().c_str());
    return cli::kExitOk;
  }
  if (args.version) {
    if (rank == 0) std::printf("trim-sweep %s\n", TRIM_VERSION);
    return cli::kExitOk;
  }
  if (args.list_networks) {
    if (rank == 0) {
      for (auto n : net::BuiltinNetworkNames()) {
        std::printf("%-16s %s\n", std::string(n).c_str(),
                    std::string(net::BuiltinNetworkDescription(n)).c_str());
      }
    }
    return cli::kExitOk;
  }
  if (!args.show_network.empty()) {
    try {
      const net::Network n = ShowNetworkLoad(args.show_network);
      if (rank == 0) std::printf("%s", net::DescribeNetwork(n, args.batch).c_str());
      return cli::kExitOk;
    } catch (const ConfigError& e) {
      if (rank == 0) std::cerr << "trim-sweep: " << e.what() << "\n";
    } catch (const IoError& e) {
      if (rank == 0) std::cerr << "trim-sweep: " << e.what() << "\n";
    }
    return cli::kExitBadInput;
  }
  if (!args.verify.empty()) return rank == 0 ? Verify(args.verify) : cli::kExitOk;
  if (args.job.empty()) {
    if (rank == 0)
      std::cerr
          << "trim-sweep: error: no job file given\n  hint: trim-sweep JOB.toml (see --help)\n";
    return cli::kExitBadInput;
  }

  config::LoadOptions lo;
  lo.config_dir = args.config_dir;
  int code = 0;
  auto job = cli::LoadJobEverywhere(MPI_COMM_WORLD, args.job, lo, code);
  if (!job) return code;
  if (args.output) job->output = *args.output;
  std::optional<space::DesignSpace> space;
  try {
    space.emplace(*job);
  } catch (const ConfigError& e) {
    if (rank == 0) std::cerr << e.what() << "\n";
    return cli::kExitBadInput;
  }
  if (args.dry_run) {
    if (rank == 0) DryRun(*space, size);
    return cli::kExitOk;
  }

  // The output rule (docs/failures.md), before anything is locked, created or opened.
  std::vector<std::string> inputs;
  for (const auto& [path, text] : job->sources) inputs.push_back(path);
  io::CheckOutputTarget(MPI_COMM_WORLD, job->output, inputs, args.config_dir);

  InstallStopHandlers();

  sched::RunOptions ro;
  ro.output = job->output;
  ro.force = args.force;
  ro.resume = args.resume;
  ro.chunk = args.chunk ? args.chunk : job->chunk.value_or(0);
  ro.write_buffer_bytes = args.write_buffer_mib << 20;
  ro.command_line = args.command_line;
  ro.version = TRIM_VERSION;
  ro.stop_flag = &g_stop;
  ro.crash_after_tasks = args.crash_after;
  ro.fail_rank = args.fail_rank;
  const bool tty = isatty(STDERR_FILENO) != 0;
  if (!args.quiet && rank == 0) {
    // The rate counts only this run's points (a resumed run starts part-way).
    ro.progress = [tty, t0 = std::chrono::steady_clock::now(), first = std::uint64_t{0},
                   seen = false](std::uint64_t done, std::uint64_t total) mutable {
      if (!seen) {
        first = done;
        seen = true;
      }
      const double el =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const double rate = el > 0 ? static_cast<double>(done - first) / el : 0;
      const double frac = static_cast<double>(done) / static_cast<double>(total);
      char speed[64] = "rate and ETA after the next update";
      if (rate > 0) {
        std::snprintf(speed, sizeof speed, "%.0f points/s, ETA %.0f s", rate,
                      static_cast<double>(total - done) / rate);
      }
      if (tty) {
        constexpr int kWidth = 30;
        const int filled = static_cast<int>(frac * kWidth);
        const std::string bar = std::string(static_cast<std::size_t>(filled), '#') +
                                std::string(static_cast<std::size_t>(kWidth - filled), '.');
        std::fprintf(stderr, "\r[%s] %5.1f%% %llu/%llu points, %s   ", bar.c_str(), 100.0 * frac,
                     static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
                     speed);
      } else {
        std::fprintf(stderr, "trim-sweep: %llu/%llu points (%.1f%%), %s\n",
                     static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
                     100.0 * frac, speed);
      }
    };
  }
  sched::RunSummary sum;
  try {
    sum = sched::RunSweep(MPI_COMM_WORLD, *space, ro);
  } catch (const sched::RankFailure& e) {
    // One rank failed after the file was opened; the others may be waiting for it, so the
    // run is aborted with this rank's code. Rows already marked done stay valid.
    const int failed = e.io_error() ? cli::kExitIo : cli::kExitFailure;
    std::cerr << "trim-sweep: rank " << e.rank() << " of " << e.ranks() << " failed: " << e.what()
              << (e.io_error() ? FullDiskNote(job->output) : "") << "\n  hint: " << job->output
              << " keeps every row written so far; fix the cause and run the same command "
                 "with --resume\n";
    if (size > 1) MPI_Abort(MPI_COMM_WORLD, failed);
    return failed;
  }
  if (rank == 0 && !args.quiet) {
    if (tty && ro.progress) std::fprintf(stderr, "\n");
    PrintSummary(*space, sum, job->output);
  }
  if (!sum.interrupted && sum.best.empty() && rank == 0) {
    // Not an error: infeasible points are results too. But a sweep without a single usable
    // design is almost always a mistake in the job.
    std::cerr << "trim-sweep: warning: no design point of " << job->output
              << " is feasible: every point either has a non-zero status (the model could not "
                 "map the network onto it) or violates a constraint\n  hint: the status column "
                 "tells why (docs/output-format.md); enlarge the buffers or relax the "
                 "constraints\n";
  }
  if (sum.interrupted && rank == 0) {
    const int sig = g_stop;
    std::cerr << "trim-sweep: interrupted by "
              << (sig != 0 ? SignalName(sig) : "a signal to another rank") << ": "
              << sum.points_before + sum.points_now << " of " << sum.points_total
              << " points are done in " << job->output
              << "\n  hint: run the same command with --resume to complete it\n";
  }
  return sum.interrupted ? cli::kExitInterrupted : cli::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  DieWithLauncher();
  MPI_Init(&argc, &argv);
  int code = trim::cli::kExitFailure;
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  try {
    code = Run(argc, argv);
  } catch (const trim::io::RefusedError& e) {
    // The file exists, or belongs to another job: nothing was touched. Every rank got the same
    // verdict from rank 0, so all return here together and rank 0 reports it.
    if (rank == 0) std::cerr << "trim-sweep: " << e.what() << "\n";
    code = trim::cli::kExitBadInput;
  } catch (const trim::IoError& e) {
    // The file could not be created or opened: every rank throws the same error.
    if (rank == 0) std::cerr << "trim-sweep: " << e.what() << "\n";
    code = trim::cli::kExitIo;
  } catch (const trim::ConfigError& e) {
    std::cerr << e.what() << "\n";
    code = trim::cli::kExitBadInput;
    if (size > 1) MPI_Abort(MPI_COMM_WORLD, code);
  } catch (const std::exception& e) {
    std::cerr << "trim-sweep: rank " << rank << " of " << size << ": internal error: " << e.what()
              << "\n";
    if (size > 1) MPI_Abort(MPI_COMM_WORLD, trim::cli::kExitFailure);
  }
  if (trim::io::CloseLeftOpen()) {
    // The results file could not be closed after a write failure, and HDF5 would crash or
    // hang closing it in MPI_Finalize: every rank (all failed together) leaves without it.
    std::fflush(stdout);
    std::fflush(stderr);
    MPI_Barrier(MPI_COMM_WORLD);
    std::_Exit(code);
  }
  MPI_Finalize();
  return code;
}
