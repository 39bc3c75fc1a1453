// trim-eval: evaluate one design point of a job and print its per-layer, per-phase results
// and the network totals, as a table, CSV or JSON.
#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "cli_common.hpp"
#include "trim/core/error.hpp"
#include "trim/core/json.hpp"
#include "trim/model/evaluate.hpp"

namespace {

using namespace trim;

constexpr const char* kHelp =
    R"(usage: trim-eval JOB.toml [--index N] [--format table|csv|json] [--configs DIR]

Evaluates design point N (default 0) of the job's design space and prints one row per layer
and phase, then the network totals. Row N is the same design as row N of trim-sweep's results
file for the same job. It writes only to standard output (redirect it to keep a copy).

options:
  --index N            design index (0 <= N < number of points; see trim-sweep --dry-run)
  --format F           table (default), csv or json
  --configs DIR        directory of hardware/ and energy/ presets (default: %s)
  -h, --help           this help
      --version        print the version

per-layer columns: layer, kind, phase, dataflow, macs, cycles, latency_s, energy_pj,
energy_mac_pj, energy_rf_pj, energy_noc_pj, energy_glb_pj, energy_dram_pj, energy_leak_pj,
dram_bytes, glb_accesses, active_pes, utilization, fused (1: run in the output path of the
layer before it, docs/model.md section 22), status. Totals: the model's results columns of
the file and the design's status (not the job's constraints). An infeasible design lists the
layer-phases before the one that failed, then that one (zeros and its status), and a failure
line: layer, phase, reason and, for a buffer or register file too small, the bytes needed and
available (the file's fail_* columns).
Energies are in pJ, or in normalized units when the job's technology table says units =
"normalized" (the output then says so: a line in the table, ", energy units normalized" on the
CSV totals line, "energy_units" in JSON).

examples:
  trim-eval jobs/eyeriss-alexnet.toml
  trim-eval jobs/quickstart.toml --index 42 --format csv
)";

const std::vector<std::string> kLayerCols = {
    "layer",         "kind",          "phase",          "dataflow",       "macs",
    "cycles",        "latency_s",     "energy_pj",      "energy_mac_pj",  "energy_rf_pj",
    "energy_noc_pj", "energy_glb_pj", "energy_dram_pj", "energy_leak_pj", "dram_bytes",
    "glb_accesses",  "active_pes",    "utilization",    "fused",          "status"};

/// Columns printed as text (quoted in JSON, left-aligned in the table).
bool TextColumn(std::size_t c) { return c < 4 || c + 1 == kLayerCols.size(); }

std::string Num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

std::vector<std::string> LayerRow(const net::Network& net, const model::LayerPhaseReport& r) {
  const auto& l = net.layers[static_cast<std::size_t>(r.layer)];
  return {l.name,
          std::string(net::Name(l.kind)),
          std::string(Name(r.phase)),
          std::string(Name(r.dataflow)),
          Num(r.macs),
          Num(r.cycles),
          Num(r.latency_s),
          Num(r.energy_pj),
          Num(r.energy_mac_pj),
          Num(r.energy_rf_pj),
          Num(r.energy_noc_pj),
          Num(r.energy_glb_pj),
          Num(r.energy_dram_pj),
          Num(r.energy_leak_pj),
          Num(r.dram_bytes),
          Num(r.glb_accesses),
          Num(r.active_pes),
          Num(r.utilization),
          r.fused ? "1" : "0",
          std::string(model::Name(r.status))};
}

/// One line on where an infeasible design failed; "" for a feasible one.
std::string FailureText(const net::Network& net, const model::PointReport& rep) {
  if (rep.status == model::Status::kOk) return "";
  const model::Failure& f = rep.failure;
  std::string s = "reason " + std::string(model::Name(rep.status));
  if (f.layer >= 0) {
    s = "layer " + std::to_string(f.layer) + " (" +
        net.layers[static_cast<std::size_t>(f.layer)].name + "), phase " +
        std::string(Name(f.phase)) + ", " + s;
  }
  if (f.need_bytes > 0) {
    const char* where =
        rep.status == model::Status::kRfTooSmall ? "register file per PE" : "global buffer";
    s += ", needs " + Num(f.need_bytes) + " B of the " + where + ", " + Num(f.have_bytes) +
         " B available";
  }
  return s;
}

void PrintTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> w(kLayerCols.size());
  for (std::size_t c = 0; c < w.size(); ++c) w[c] = kLayerCols[c].size();
  for (const auto& r : rows) {
    for (std::size_t c = 0; c < w.size(); ++c) w[c] = std::max(w[c], r[c].size());
  }
  auto line = [&](const std::vector<std::string>& r) {
    for (std::size_t c = 0; c < r.size(); ++c) {
      std::printf(TextColumn(c) ? "%-*s " : "%*s ", static_cast<int>(w[c]), r[c].c_str());
    }
    std::printf("\n");
  };
  line(kLayerCols);
  for (const auto& r : rows) line(r);
}

int Run(int argc, char** argv) {
  std::string job_path, format = "table", config_dir = config::DefaultConfigDir();
  Index index = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string s = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw ConfigError({}, "option " + s + " needs a value", "see --help");
      return argv[++i];
    };
    if (s == "--index") {
      const std::string v = value();
      char* end = nullptr;
      index = std::strtoull(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || v[0] == '-') {
        throw ConfigError({}, "--index needs a non-negative integer, got '" + v + "'",
                          "for example --index 0");
      }
    } else if (s == "--format") {
      format = value();
      if (format != "table" && format != "csv" && format != "json") {
        throw ConfigError({}, "unknown format '" + format + "'", "use table, csv or json");
      }
    } else if (s == "--configs") {
      config_dir = value();
    } else if (s == "-h" || s == "--help") {
      std::printf(kHelp, config::DefaultConfigDir().c_str());
      return cli::kExitOk;
    } else if (s == "--version") {
      std::printf("trim-eval %s\n", TRIM_VERSION);
      return cli::kExitOk;
    } else if (!s.empty() && s[0] == '-') {
      const std::vector<std::string> flags = {"--index", "--format", "--configs", "--help",
                                              "--version"};
      const std::string near = DidYouMean(s, flags);
      throw ConfigError({}, "unknown option '" + s + "'",
                        near.empty() ? "see --help" : "did you mean '" + near + "'?");
    } else if (job_path.empty()) {
      job_path = s;
    } else {
      throw ConfigError({}, "more than one job file given", "trim-eval JOB.toml --index N");
    }
  }
  if (job_path.empty()) {
    throw ConfigError({}, "no job file given", "trim-eval JOB.toml [--index N] (see --help)");
  }
  config::LoadOptions lo;
  lo.config_dir = config_dir;
  const config::JobSpec job = config::LoadJob(job_path, lo);
  const space::DesignSpace space(job);
  if (index >= space.size()) {
    throw ConfigError({job_path, 0, 0},
                      "--index " + std::to_string(index) + " is outside the design space (" +
                          std::to_string(space.size()) + " points)",
                      "use an index from 0 to " + std::to_string(space.size() - 1));
  }
  const model::Workload work = space.WorkloadOf(index / space.block_size());
  model::Evaluator ev(job.model_options);
  const model::PointReport rep = ev.EvaluatePoint(work, space.HardwareAt(index));
  const net::Network& net = *work.network;
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : rep.rows) rows.push_back(LayerRow(net, r));
  const std::string point = cli::DescribePoint(space, index);
  const std::string status(model::Name(rep.status));
  const std::string failure = FailureText(net, rep);
  const bool norm = job.energy_normalized;

  if (format == "csv") {
    for (std::size_t c = 0; c < kLayerCols.size(); ++c)
      std::printf("%s%s", c ? "," : "", kLayerCols[c].c_str());
    std::printf("\n");
    for (const auto& r : rows) {
      for (std::size_t c = 0; c < r.size(); ++c) std::printf("%s%s", c ? "," : "", r[c].c_str());
      std::printf("\n");
    }
    if (!failure.empty()) std::printf("\n# failure: %s", failure.c_str());
    // Totals as a final row set: "total" in the layer column, then name,value pairs.
    std::printf("\n# totals: design %llu (%s), status %s%s\ncolumn,value\n",
                static_cast<unsigned long long>(index), point.c_str(), status.c_str(),
                norm ? ", energy units normalized" : "");
    for (const auto& c : model::ResultCols()) {
      std::printf("%s,%s\n", std::string(c.name).c_str(),
                  Num(rep.totals[static_cast<std::size_t>(c.id)]).c_str());
    }
  } else if (format == "json") {
    std::ostringstream os;
    os << "{\"index\": " << index << ", \"point\": " << JsonString(point)
       << ", \"status\": " << JsonString(status)
       << (norm ? ", \"energy_units\": \"normalized\"" : "") << ",\n \"layers\": [";
    for (std::size_t i = 0; i < rows.size(); ++i) {
      os << (i ? ",\n  {" : "\n  {");
      for (std::size_t c = 0; c < kLayerCols.size(); ++c) {
        os << (c ? ", " : "") << JsonString(kLayerCols[c]) << ": "
           << (TextColumn(c) ? JsonString(rows[i][c]) : rows[i][c]);
      }
      os << "}";
    }
    os << "],\n \"failure\": ";
    if (rep.status == model::Status::kOk) {
      os << "null";
    } else {
      const model::Failure& f = rep.failure;
      os << "{\"layer\": " << f.layer << ", \"name\": "
         << JsonString(f.layer >= 0 ? net.layers[static_cast<std::size_t>(f.layer)].name : "")
         << ", \"phase\": " << JsonString(f.layer >= 0 ? std::string(Name(f.phase)) : "")
         << ", \"reason\": " << JsonString(status) << ", \"need_bytes\": " << Num(f.need_bytes)
         << ", \"have_bytes\": " << Num(f.have_bytes) << "}";
    }
    os << ",\n \"totals\": {";
    bool first = true;
    for (const auto& c : model::ResultCols()) {
      os << (first ? "" : ", ") << JsonString(std::string(c.name)) << ": "
         << Num(rep.totals[static_cast<std::size_t>(c.id)]);
      first = false;
    }
    os << "}}\n";
    std::printf("%s", os.str().c_str());
  } else {
    std::printf("design %llu of %s: %s\nstatus: %s\n", static_cast<unsigned long long>(index),
                job_path.c_str(), point.c_str(), status.c_str());
    if (!failure.empty()) std::printf("failed at: %s\n", failure.c_str());
    std::printf("\n");
    if (norm) {
      std::printf(
          "energy units: normalized (the technology table is relative, not pJ; the *_pj columns "
          "hold normalized units)\n\n");
    }
    PrintTable(rows);
    std::printf("\ntotals:\n");
    for (const auto& c : model::ResultCols()) {
      std::printf("  %-22s %16s  %s\n", std::string(c.name).c_str(),
                  Num(rep.totals[static_cast<std::size_t>(c.id)]).c_str(),
                  std::string(model::UnitFor(c.unit, norm)).c_str());
    }
  }
  return cli::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const ConfigError& e) {
    std::cerr << "trim-eval: " << e.what() << "\n";
    return cli::kExitBadInput;
  } catch (const IoError& e) {
    std::cerr << "trim-eval: " << e.what() << "\n";
    return cli::kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "trim-eval: internal error: " << e.what() << "\n";
    return cli::kExitFailure;
  }
}
