// The C interface of include/trim/capi.h: a parsed job and its design space behind an opaque
// handle, design points evaluated with the same Evaluator::EvaluatePoint call as trim-eval.
#include "trim/capi.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "trim/config/load.hpp"
#include "trim/core/error.hpp"
#include "trim/core/json.hpp"
#include "trim/model/columns.hpp"
#include "trim/model/evaluate.hpp"
#include "trim/space/design_space.hpp"

struct trim_job {
  trim::config::JobSpec spec;
  std::optional<trim::space::DesignSpace> space;  // points into spec: built after it
};

namespace {

using trim::Index;

char* Dup(const std::string& s) {
  char* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (p != nullptr) std::memcpy(p, s.c_str(), s.size() + 1);
  return p;
}

void SetError(char** error, const std::string& message) {
  if (error != nullptr) *error = Dup(message);
}

// Runs f, turning every exception into NULL plus the message.
template <typename F>
auto Guard(char** error, F f) -> decltype(f()) {
  if (error != nullptr) *error = nullptr;
  try {
    return f();
  } catch (const std::bad_alloc&) {
    SetError(error, "error: out of memory");
  } catch (const std::exception& e) {
    SetError(error, e.what());
  }
  return {};
}

// JSON number that reads back as exactly this double; null for NaN and infinities.
std::string Num(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

void CheckIndex(const trim_job* job, uint64_t index) {
  if (job == nullptr) throw trim::ConfigError({}, "no job (NULL handle)");
  if (index >= job->space->size()) {
    throw trim::ConfigError({job->spec.path, 0, 0},
                            "index " + std::to_string(index) + " is outside the design space (" +
                                std::to_string(job->space->size()) + " points)",
                            "use an index from 0 to " + std::to_string(job->space->size() - 1));
  }
}

// {"axis": value or "label", ...} of point i.
std::string PointJson(const trim::space::DesignSpace& space, Index i) {
  std::string o = "{";
  const auto& axes = space.axes();
  for (std::size_t a = 0; a < axes.size(); ++a) {
    const double v = space.AxisColumnValue(a, i);
    o += (a ? ", " : "") + trim::JsonString(axes[a].name) + ": " +
         (axes[a].categorical() ? trim::JsonString(axes[a].labels[static_cast<std::size_t>(v)])
                                : Num(v));
  }
  return o + "}";
}

trim_job* Make(trim::config::JobSpec spec) {
  auto job = std::make_unique<trim_job>();
  job->spec = std::move(spec);
  job->space.emplace(job->spec);
  return job.release();
}

trim::config::LoadOptions Options(const char* config_dir) {
  trim::config::LoadOptions lo;
  lo.config_dir = config_dir != nullptr ? config_dir : trim::config::DefaultConfigDir();
  return lo;
}

}  // namespace

extern "C" {

const char* trim_version(void) { return TRIM_VERSION; }

trim_job* trim_job_load(const char* path, const char* config_dir, char** error) {
  return Guard(error, [&]() -> trim_job* {
    if (path == nullptr) throw trim::ConfigError({}, "no job path (NULL)");
    return Make(trim::config::LoadJob(path, Options(config_dir)));
  });
}

trim_job* trim_job_parse(const char* text, const char* path, const char* config_dir, char** error) {
  return Guard(error, [&]() -> trim_job* {
    if (text == nullptr) throw trim::ConfigError({}, "no job text (NULL)");
    return Make(
        trim::config::ParseJob(text, path != nullptr ? path : "job.toml", Options(config_dir)));
  });
}

void trim_job_free(trim_job* job) { delete job; }

uint64_t trim_job_size(const trim_job* job) { return job == nullptr ? 0 : job->space->size(); }

char* trim_job_axes(const trim_job* job, char** error) {
  return Guard(error, [&]() -> char* {
    if (job == nullptr) throw trim::ConfigError({}, "no job (NULL handle)");
    const auto& axes = job->space->axes();
    std::string o = "[";
    for (std::size_t a = 0; a < axes.size(); ++a) {
      const auto& x = axes[a];
      o += std::string(a ? ",\n " : "") + "{\"name\": " + trim::JsonString(x.name) +
           ", \"unit\": " + trim::JsonString(x.unit) +
           (x.categorical() ? ", \"labels\": [" : ", \"values\": [");
      for (std::size_t k = 0; k < x.size(); ++k) {
        o += (k ? ", " : "") + (x.categorical() ? trim::JsonString(x.labels[k]) : Num(x.values[k]));
      }
      o += "], \"linked_to\": " +
           (x.leader == a ? std::string("null") : trim::JsonString(axes[x.leader].name)) + "}";
    }
    return Dup(o + "]");
  });
}

char* trim_job_decode(const trim_job* job, uint64_t index, char** error) {
  return Guard(error, [&]() -> char* {
    CheckIndex(job, index);
    return Dup("{\"index\": " + std::to_string(index) +
               ", \"point\": " + PointJson(*job->space, index) + "}");
  });
}

char* trim_job_evaluate(const trim_job* job, uint64_t index, char** error) {
  return Guard(error, [&]() -> char* {
    CheckIndex(job, index);
    const auto& space = *job->space;
    const trim::model::Workload work = space.WorkloadOf(index / space.block_size());
    trim::model::Evaluator ev(job->spec.model_options);
    const trim::model::PointReport rep = ev.EvaluatePoint(work, space.HardwareAt(index));
    const trim::net::Network& net = *work.network;
    std::ostringstream o;
    o << "{\"index\": " << index << ", \"point\": " << PointJson(space, index)
      << ", \"status\": " << trim::JsonString(trim::model::Name(rep.status))
      << ", \"energy_units\": "
      << trim::JsonString(job->spec.energy_normalized ? "normalized" : "pJ") << ",\n \"layers\": [";
    for (std::size_t i = 0; i < rep.rows.size(); ++i) {
      const auto& r = rep.rows[i];
      o << (i ? ",\n  {" : "\n  {")
        << "\"layer\": " << trim::JsonString(net.layers[static_cast<std::size_t>(r.layer)].name)
        << ", \"kind\": " << trim::JsonString(trim::net::Name(r.kind))
        << ", \"phase\": " << trim::JsonString(Name(r.phase))
        << ", \"dataflow\": " << trim::JsonString(Name(r.dataflow));
      const std::pair<const char*, double> cols[] = {{"macs", r.macs},
                                                     {"cycles", r.cycles},
                                                     {"latency_s", r.latency_s},
                                                     {"energy_pj", r.energy_pj},
                                                     {"energy_mac_pj", r.energy_mac_pj},
                                                     {"energy_rf_pj", r.energy_rf_pj},
                                                     {"energy_noc_pj", r.energy_noc_pj},
                                                     {"energy_glb_pj", r.energy_glb_pj},
                                                     {"energy_dram_pj", r.energy_dram_pj},
                                                     {"energy_leak_pj", r.energy_leak_pj},
                                                     {"dram_bytes", r.dram_bytes},
                                                     {"glb_accesses", r.glb_accesses},
                                                     {"active_pes", r.active_pes},
                                                     {"utilization", r.utilization},
                                                     {"fused", r.fused ? 1.0 : 0.0}};
      for (const auto& [name, v] : cols) o << ", " << trim::JsonString(name) << ": " << Num(v);
      o << ", \"status\": " << trim::JsonString(trim::model::Name(r.status)) << "}";
    }
    // Where an infeasible design failed, as the results file's fail_* columns store it.
    const trim::model::Failure f =
        rep.status == trim::model::Status::kOk ? trim::model::Failure{} : rep.failure;
    const std::uint32_t code = trim::space::FailLayerCode(space, index, f.layer);
    o << "],\n \"failure\": {\"fail_layer\": " << f.layer
      << ", \"fail_layer_name\": " << trim::JsonString(trim::space::FailLayerLabels(space)[code])
      << ", \"fail_phase\": "
      << trim::JsonString(f.layer >= 0 ? Name(f.phase) : std::string_view("none"))
      << ", \"fail_need_bytes\": " << Num(f.need_bytes)
      << ", \"fail_have_bytes\": " << Num(f.have_bytes) << "}";
    o << ",\n \"totals\": {";
    bool first = true;
    for (const auto& c : trim::model::ResultCols()) {
      o << (first ? "" : ", ") << trim::JsonString(c.name) << ": "
        << Num(rep.totals[static_cast<std::size_t>(c.id)]);
      first = false;
    }
    o << "}}";
    return Dup(o.str());
  });
}

void trim_free(char* p) { std::free(p); }

}  // extern "C"
