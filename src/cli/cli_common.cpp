#include "cli_common.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "trim/core/error.hpp"
#include "trim/sched/messages.hpp"

namespace trim::cli {

std::optional<config::JobSpec> LoadJobEverywhere(MPI_Comm comm, const std::string& path,
                                                 const config::LoadOptions& opts, int& exit_code) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  sched::JobBundle bundle;
  std::optional<config::JobSpec> spec;
  if (rank == 0) {
    try {
      spec = config::LoadJob(path, opts);
      bundle.job_path = path;
      for (const auto& [p, text] : spec->sources) bundle.files.emplace_back(p, text);
    } catch (const ConfigError& e) {
      bundle.error = e.what();
      bundle.exit_code = kExitBadInput;
    } catch (const IoError& e) {
      bundle.error = e.what();
      bundle.exit_code = kExitBadInput;
    }
  }
  std::string bytes = rank == 0 ? sched::Encode(bundle) : std::string();
  unsigned long long n = bytes.size();
  MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, comm);
  bytes.resize(n);
  MPI_Bcast(bytes.data(), static_cast<int>(n), MPI_BYTE, 0, comm);
  if (rank != 0) bundle = sched::DecodeBundle(bytes);
  if (!bundle.error.empty()) {
    if (rank == 0) std::cerr << bundle.error << "\n";
    exit_code = bundle.exit_code;
    return std::nullopt;
  }
  if (rank != 0) {
    config::LoadOptions from_bundle = opts;
    from_bundle.read = [&bundle](const std::string& p) -> std::optional<std::string> {
      for (const auto& [fp, text] : bundle.files) {
        if (fp == p) return text;
      }
      return std::nullopt;
    };
    spec = config::LoadJob(bundle.job_path, from_bundle);
  }
  return spec;
}

std::string DescribePoint(const space::DesignSpace& space, Index i) {
  std::ostringstream os;
  const auto& axes = space.axes();
  const auto digits = space.Decode(i);
  for (std::size_t a = 0; a < axes.size(); ++a) {
    if (a > 0) os << ' ';
    os << axes[a].name << '=';
    if (axes[a].categorical()) {
      os << axes[a].labels[digits[a]];
    } else {
      os << axes[a].values[digits[a]];
    }
  }
  return os.str();
}

std::string Human(double value, const std::string& unit) {
  struct Scale {
    double f;
    const char* prefix;
  };
  static constexpr Scale kScales[] = {{1e12, "T"}, {1e9, "G"},  {1e6, "M"},  {1e3, "k"},
                                      {1, ""},     {1e-3, "m"}, {1e-6, "u"}, {1e-9, "n"}};
  std::string u = unit;
  double v = value;
  if (unit == "pJ") {  // energies read better in J-based units
    v = value * 1e-12;
    u = "J";
  }
  if (u == "s" || u == "J" || u == "W") {
    for (const auto& s : kScales) {
      if (std::fabs(v) >= s.f || s.f == 1e-9) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.4g %s%s", v / s.f, s.prefix, u.c_str());
        return buf;
      }
    }
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g%s%s", v, u.empty() ? "" : " ", u.c_str());
  return buf;
}

}  // namespace trim::cli
