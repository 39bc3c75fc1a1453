#include "targets.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "trim/config/load.hpp"
#include "trim/core/error.hpp"
#include "trim/model/evaluate.hpp"
#include "trim/net/network_file.hpp"
#include "trim/net/onnx.hpp"
#include "trim/space/design_space.hpp"

namespace trim::fuzz {
namespace {

// Reports a broken invariant the way a sanitizer would: message and abort.
[[noreturn]] void Bug(const std::string& what) {
  std::fprintf(stderr, "fuzz target invariant broken: %s\n", what.c_str());
  std::abort();
}

// The files the fuzzed job may name: config dir "cfg" with the preset "chip" and the
// technology "tech", and a small network file next to the job.
const std::map<std::string, std::string, std::less<>>& Files() {
  static const std::map<std::string, std::string, std::less<>> kFiles = {
      {"cfg/hardware/chip.toml",
       "name = \"chip\"\ntechnology = \"tech\"\n[array]\npe_rows = 8\npe_cols = 8\n"
       "[glb]\nglb_kib = 64\n[bandwidth]\ndram_gbps = 4.0\n"},
      {"cfg/energy/tech.toml",
       "name = \"tech\"\n[energy]\ne_mac_pj = 0.5\ne_dram_pj = 100.0\n[area]\n"
       "area_mac_um2 = 800\n"},
      {"fuzz/net.toml",
       "input = [3, 32, 32]\n[[layer]]\nname = \"c1\"\nkind = \"conv\"\nm = 8\nkernel = 3\n"
       "[[layer]]\nname = \"fc\"\nkind = \"fc\"\nm = 10\n"},
  };
  return kFiles;
}

// The largest network (layers) and design space the targets evaluate; larger inputs are only
// parsed, so that one input cannot take seconds.
constexpr std::size_t kMaxEvaluatedLayers = 2000;

void CheckResults(const model::ResultBatch& out, const std::string& what) {
  for (std::size_t i = 0; i < out.size; ++i) {
    if (out.status[i] >= model::kNumStatus) Bug(what + ": unknown status");
    for (const auto& c : model::ResultCols()) {
      const double v = out.col[static_cast<std::size_t>(c.id)][i];
      if (!std::isfinite(v)) Bug(what + ": column " + std::string(c.name) + " is not finite");
      if (out.status[i] != 0 && v != 0.0) Bug(what + ": an infeasible row holds a value");
      if (out.status[i] == 0 && v < 0.0) Bug(what + ": column " + std::string(c.name) + " < 0");
    }
  }
}

void CheckNetwork(const net::Network& n, const std::string& what) {
  for (const net::Layer& l : n.layers) {
    if (l.c < 1 || l.h < 1 || l.w < 1 || l.m < 1 || l.e() < 1 || l.f() < 1) {
      Bug(what + ": layer '" + l.name + "' has an empty shape");
    }
    // Products that overflowed int64 come out negative (or wrapped to small values).
    if (l.input_count() < 1 || l.output_count() < 1 || l.macs() < 0 || l.params() < 0) {
      Bug(what + ": layer '" + l.name + "' has sizes that overflow");
    }
    if (l.groups < 1 || l.c % l.groups != 0 || l.m % l.groups != 0) {
      Bug(what + ": layer '" + l.name + "' has groups that do not divide its channels");
    }
    for (int in : l.inputs) {
      if (in < -1 || in >= static_cast<int>(&l - n.layers.data())) {
        Bug(what + ": layer '" + l.name + "' reads a layer that is not before it");
      }
    }
  }
  if (n.layers.empty() || n.layers.size() > kMaxEvaluatedLayers) return;
  // One design, every dataflow, both modes: the model must give a status, never a NaN.
  model::HwBatch hw;
  hw.Resize(1);
  hw.SetRow(0, model::Hardware::Defaults());
  model::ResultBatch out;
  out.Resize(1);
  model::Evaluator ev(model::ModelOptions::Defaults());
  for (Mode mode : {Mode::kInference, Mode::kTraining}) {
    for (Dataflow df : {Dataflow::kRS, Dataflow::kBest}) {
      model::Workload w;
      w.network = &n;
      w.mode = mode;
      w.dataflow = df;
      ev.Evaluate(w, hw, out);
      CheckResults(out, what);
    }
  }
}

}  // namespace

void FuzzJob(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  config::LoadOptions opts;
  opts.config_dir = "cfg";
  opts.read = [](const std::string& path) -> std::optional<std::string> {
    const auto it = Files().find(path);
    if (it == Files().end()) return std::nullopt;
    return it->second;
  };
  std::optional<config::JobSpec> job;
  try {
    job.emplace(config::ParseJob(text, "fuzz/job.toml", opts));
  } catch (const ConfigError& e) {
    if (e.problem().empty()) Bug("a ConfigError without a message");
    return;
  } catch (const IoError&) {
    return;
  }
  std::optional<space::DesignSpace> space;
  try {
    space.emplace(*job);
  } catch (const ConfigError&) {
    return;  // too many points
  }
  if (space->size() < 1) Bug("an empty design space");
  // The first point of the first block, as trim-eval would evaluate it.
  const model::Workload w = space->WorkloadOf(0);
  if (w.network->layers.size() > kMaxEvaluatedLayers) return;
  model::HwBatch hw;
  space->FillBatch({0, 1}, hw);
  model::ResultBatch out;
  out.Resize(1);
  model::Evaluator ev(job->model_options);
  ev.Evaluate(w, hw, out);
  CheckResults(out, "job point 0");
}

void FuzzNetworkFile(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const net::Network n = net::ParseNetworkFile(text, "fuzz/net.toml");
    CheckNetwork(n, "network file");
  } catch (const ConfigError& e) {
    if (e.problem().empty()) Bug("a ConfigError without a message");
  }
}

bool OnnxFuzzingAvailable() { return net::OnnxSupported(); }

void FuzzOnnx(const std::uint8_t* data, std::size_t size) {
  if (!net::OnnxSupported()) return;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    const net::Network n = net::ParseOnnxNetwork(bytes, "fuzz/model.onnx");
    CheckNetwork(n, "onnx");
  } catch (const ConfigError& e) {
    if (e.problem().empty()) Bug("a ConfigError without a message");
  }
}

}  // namespace trim::fuzz
