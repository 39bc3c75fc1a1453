#include "trim/model/options.hpp"

namespace trim::model {
namespace {

constexpr std::array<std::string_view, 2> kEngines = {"trim", "roofline"};
constexpr std::array<std::string_view, 2> kOverlaps = {"overlap", "serial"};

constexpr std::array<OptionInfo, kNumOptions> kOptions = {{
    {Option::kEngine, "engine",
     "trim: the dataflow model of docs/model.md; roofline: only the max(compute, compulsory "
     "DRAM) bound per layer",
     kEngines, 1},
    {Option::kOverlap, "overlap",
     "overlap: compute and memory transfers overlap (double buffering), a layer takes the "
     "longest of them; serial: they do not overlap, a layer takes their sum",
     kOverlaps, 0},
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
