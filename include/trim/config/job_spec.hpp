// The immutable, validated description of one sweep, produced by config::LoadJob and consumed
// by every other module. Nothing here refers to TOML.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "trim/core/error.hpp"
#include "trim/core/types.hpp"
#include "trim/model/hardware.hpp"
#include "trim/model/options.hpp"
#include "trim/net/layer.hpp"

namespace trim::config {

/// One hardware sweep axis: a template parameter and the values it takes, in job order.
struct HwAxis {
  model::HwParam param;
  std::vector<double> values;  ///< choice parameters hold choice indices
  SourcePos pos;               ///< where the axis is declared
  /// [link]: the index in JobSpec::hw_axes of the axis this one advances with (the first
  /// axis of its link group, which has as many values); -1 when the axis has its own digit.
  std::ptrdiff_t leader = -1;
};

/// A named precision setting: bits per tensor class, applied over the template's values
/// (config/precision.hpp lists the presets).
struct Precision {
  std::string name;  ///< "template" keeps the hardware file's bits (all bits_* are 0)
  int bits_weight = 0, bits_act = 0, bits_psum = 0, bits_grad = 0, bits_opt = 0;
};

/// A network on the network axis: its label (the name in the job file) and its layers.
struct NetworkEntry {
  std::string label;
  net::Network network;
};

/// A bound on one result column; a design is feasible when it satisfies every constraint.
struct Constraint {
  std::string column;  ///< a model::ResultCol name
  std::optional<double> min;
  std::optional<double> max;
  SourcePos pos;
};

struct Goal {
  std::string column = "latency_s";  ///< a model::ResultCol name
  bool maximize = false;
  int top = 5;  ///< best designs kept per network
};

/// [output]: what the results file stores of the model's results.
struct OutputSpec {
  /// Result columns to store, in the job's order; empty = every column. The goal's and the
  /// constraints' columns are stored whether listed or not (StoredColumns).
  std::vector<std::string> columns;
  bool float32 = false;  ///< store result values as float32 instead of float64
};

struct JobSpec {
  std::string path;  ///< the job file as named on the command line
  std::string text;  ///< the job file verbatim
  std::string name;  ///< [job].name, default: the file's stem

  std::string hardware_name;    ///< [job].hardware as written
  std::string hardware_file;    ///< the hardware file as resolved (a key of `sources`)
  std::string technology_file;  ///< the technology file as resolved, "" when none is named
  /// The technology table's energies are relative (its `units = "normalized"`): energy
  /// columns, power and EDP are reported as "normalized", never in joules.
  bool energy_normalized = false;
  /// The hardware template: registry defaults < technology table < hardware file. Precision
  /// presets and sweep axes apply on top of it per design point.
  model::Hardware base;

  std::vector<HwAxis> hw_axes;  ///< first axis varies fastest in the design index
  std::vector<Precision> precisions;
  std::vector<std::int64_t> batches;
  std::vector<Dataflow> dataflows;
  std::vector<Mode> modes;
  std::vector<NetworkEntry> networks;

  Goal goal;
  std::vector<Constraint> constraints;
  model::ModelOptions model_options;

  std::string output;                  ///< results file, relative to the working directory
  std::optional<std::uint64_t> chunk;  ///< design points per task; nullopt = automatic
  OutputSpec output_spec;              ///< [output]

  /// Every file read to build this spec (the job, hardware and energy files, network files),
  /// by the path as resolved, with its text. Stored in the results file for provenance.
  std::map<std::string, std::string> sources;
};

}  // namespace trim::config
