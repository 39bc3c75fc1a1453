#include "trim/model/options.hpp"

namespace trim::model {
namespace {

constexpr std::array<std::string_view, 2> kEngines = {"trim", "roofline"};
constexpr std::array<std::string_view, 2> kOverlaps = {"overlap", "serial"};
constexpr std::array<std::string_view, 4> kSelects = {"edp", "energy", "latency", "dram"};
constexpr std::array<std::string_view, 3> kMacScalings = {"quadratic", "linear", "none"};
constexpr std::array<std::string_view, 2> kInterLayers = {"keep", "spill"};

constexpr std::array<OptionInfo, kNumOptions> kOptions = {{
    {Option::kEngine, "engine",
     "trim: the dataflow model of docs/model.md; roofline: only the max(compute, compulsory "
     "DRAM) bound per layer",
     kEngines, 0},
    {Option::kOverlap, "overlap",
     "overlap: compute and memory transfers overlap (double buffering), a layer takes the "
     "longest of them; serial: they do not overlap, a layer takes their sum",
     kOverlaps, 0},
    {Option::kSelect, "select",
     "per-layer criterion of dataflow \"best\": edp (energy x latency), energy, latency or "
     "dram (DRAM bytes)",
     kSelects, 0},
    {Option::kMacScaling, "mac_scaling",
     "MAC energy vs operand width w.r.t. energy_ref_bits: quadratic (bits_w * bits_act / "
     "ref^2, a multiplier-dominated MAC), linear (max(bits_w, bits_act) / ref) or none",
     kMacScalings, 0},
    {Option::kInterLayer, "inter_layer",
     "keep: a layer's output stays in the global buffer as the next layer's input when it "
     "fits (half the shared buffer, or the input and output partitions); spill: every layer "
     "reads its input from and writes its output to DRAM",
     kInterLayers, 0},
}};

}  // namespace

std::span<const OptionInfo> Options() { return kOptions; }

const OptionInfo* FindOption(std::string_view name) {
  for (const auto& o : kOptions) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

ModelOptions ModelOptions::Defaults() {
  ModelOptions m;
  for (const auto& o : kOptions) m.choice[static_cast<std::size_t>(o.id)] = o.default_choice;
  return m;
}

}  // namespace trim::model
