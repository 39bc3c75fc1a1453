#include "trim/model/options.hpp"

namespace trim::model {
namespace {

constexpr std::array<std::string_view, 2> kEngines = {"trim", "roofline"};
constexpr std::array<std::string_view, 3> kOverlaps = {"overlap", "serial", "double_buffer"};
constexpr std::array<std::string_view, 4> kSelects = {"edp", "energy", "latency", "dram"};
constexpr std::array<std::string_view, 3> kMacScalings = {"quadratic", "linear", "none"};
constexpr std::array<std::string_view, 2> kInterLayers = {"keep", "spill"};
constexpr std::array<std::string_view, 3> kOptimizers = {"sgd", "momentum", "adam"};
constexpr std::array<std::string_view, 2> kBpStrides = {"sparse", "dense"};
constexpr std::array<std::string_view, 3> kStashes = {"half", "quarter", "none"};
constexpr std::array<std::string_view, 2> kSystolicFills = {"array", "mapped"};
constexpr std::array<std::string_view, 3> kFusions = {"none", "activation", "all"};
constexpr std::array<std::string_view, 2> kPassOverheads = {"exposed", "none"};

constexpr std::array<OptionInfo, kNumOptions> kOptions = {{
    {Option::kEngine, "engine",
     "trim: the dataflow model of docs/model.md; roofline: only the max(compute, compulsory "
     "DRAM) bound per layer",
     kEngines, 0},
    {Option::kOverlap, "overlap",
     "overlap: compute and memory transfers overlap (double buffering), a layer takes the "
     "longest of them; serial: they do not overlap, a layer takes their sum; double_buffer: "
     "the global buffer is split into ping-pong halves, tiles are sized for one half and the "
     "next tile's DRAM reads and the previous tile's writes move while the array computes, "
     "only the first tile's reads and the last tile's writes are exposed (a layer with no "
     "tile that fills a spatial fold in half the buffer uses all of it with serial transfers)",
     kOverlaps, 0},
    {Option::kSelect, "select",
     "per-layer criterion of dataflow \"best\" and of the row-stationary mapping: edp (energy x "
     "latency), energy, latency or "
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
    {Option::kOptimizer, "optimizer",
     "training weight update: sgd (no state, 2 ops per parameter), momentum (1 state word, 4 "
     "ops) or adam (2 state words, 12 ops); a 32-bit master copy is added when bits_opt > "
     "bits_weight",
     kOptimizers, 1},
    {Option::kBpStride, "bp_stride",
     "training backward-data of a strided layer: sparse (the zeros of the stride-dilated error "
     "are skipped, as many MACs as the forward pass) or dense (they are multiplied)",
     kBpStrides, 0},
    {Option::kStash, "stash",
     "training: share of the global buffer that holds tensors saved for the backward pass "
     "(inputs, ReLU masks, pooling indices, norm statistics), filled last layer first: half, "
     "quarter or none (every saved tensor goes to DRAM)",
     kStashes, 0},
    {Option::kSystolicFill, "systolic_fill",
     "systolic interconnect: array (SCALE-Sim v2: every fold fills and drains the whole "
     "physical array, WS/IS 2R + C + T - 2, OS T + R + C - 2 cycles) or mapped (only the rows "
     "and columns the fold maps, 2*S_R + S_C + T - 2 for every dataflow)",
     kSystolicFills, 0},
    {Option::kFusion, "fusion",
     "layers that run in the output path of the layer before them, with no buffer or DRAM "
     "round trip of that layer's output: all (activations, inference batch-norm, residual "
     "adds, pooling), activation (ReLU and GELU only) or none",
     kFusions, 2},
    {Option::kPassOverhead, "pass_overhead",
     "row stationary: exposed (each pass waits for its filter and ifmap scratch pads to load "
     "and for its last psums to drain over the buffer-to-array networks, unless the scratch "
     "pads have room to double-buffer them) or none (never charged)",
     kPassOverheads, 0},
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
