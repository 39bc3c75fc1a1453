// The loop-nest description of one layer in one phase, the common currency of the model.
//
// A MAC layer is a grouped 7-D nest: for g < G (one after the other), the output
// O[n][m][e][f] accumulates I[n][c][e*U + r*D][f*U + s*D] * W[m][c][r][s] over (c, r, s), with
// m, c per group. The three operand roles (stationary "weight" operand, streamed "input",
// accumulated "output") carry their own precision so that the training phases re-bind the
// roles onto the same dataflow formulas (docs/model.md, "Training phases"):
//   - BP (backward-data): a transposed convolution with C and M swapped, written as a stride-1
//     gather over the input-sized error map; `mac_density` < 1 skips the zeros of the
//     stride-dilated error (sparse counting) and `input_density` < 1 says the dilated error is
//     not stored (only its real elements move between DRAM and the buffer);
//   - WG (weight-gradient): the GEMM dW = dY * im2col(X)^T: output = the weights, reduction
//     over N*E*F, the error as the stationary "weight" role, X as the input role;
//   - WU and every non-MAC layer: a vector nest of element operations over read and write
//     streams.
// Plain values; no allocation. Internal to the model module.
#pragma once

#include <array>
#include <cstdint>

#include "trim/core/types.hpp"
#include "trim/model/columns.hpp"
#include "trim/net/layer.hpp"

namespace trim::model::detail {

/// Which precision of the hardware template an operand uses.
enum class BitsClass : std::uint8_t { kWeight = 0, kAct, kPsum, kGrad, kOpt };

/// One tensor stream of a vector nest: `elems` elements of a precision class, or of a fixed
/// width (`fixed_bits` > 0: ReLU masks, pooling indices). Two markers serve the weight update
/// with mixed precision: kMasterCopy is present (at bits_opt) only when bits_opt > bits_weight
/// (a master copy of the weights), kWithoutMaster only when there is no master copy.
inline constexpr double kMasterCopy = -1;
inline constexpr double kWithoutMaster = -2;
struct VecStream {
  double elems = 0;
  BitsClass bits = BitsClass::kAct;
  double fixed_bits = 0;
  /// Fusion (docs/model.md, "Fusion"): a read stream that arrives through the producer's
  /// output path (no buffer, network or DRAM access), or a write stream that leaves through it
  /// (no array write into the buffer and no network transfer: the producer's array writes the
  /// fused chain's output; DRAM only when the output is not kept on chip).
  bool in_path = false;
  /// The entry of HwView::stream_bits that gives this stream's bits on a design (StreamSlot;
  /// unused when fixed_bits > 0). Set when the stream joins a nest.
  std::uint8_t bits_slot = 0;
};

/// Entries of HwView::stream_bits: a class's bits (0-4), none (5), the master copy (6: the
/// optimizer width when the design keeps one, else absent), a class's bits without a master
/// copy (7-11: absent when the design keeps one).
inline constexpr std::size_t kStreamSlots = 12;
inline std::uint8_t StreamSlot(const VecStream& v) {
  const auto c = static_cast<std::uint8_t>(v.bits);
  if (v.fixed_bits == kMasterCopy) return 6;
  if (v.fixed_bits == kWithoutMaster) return v.elems > 0 ? static_cast<std::uint8_t>(7 + c) : 5;
  return v.elems > 0 ? c : 5;
}

inline constexpr int kMaxVecReads = 4;
inline constexpr int kMaxVecWrites = 3;

struct LoopNest {
  bool is_mac = true;
  // MAC nest: per-group extents; groups run one after the other.
  double g = 1, n = 1, m = 1, c = 1, e = 1, f = 1, r = 1, s = 1;
  double stride = 1;
  double r_span = 1, s_span = 1;  ///< dilated window extents (r - 1) * dilation + 1
  double h_in = 1, w_in = 1;      ///< input rows and columns per sample and channel
  double mac_count = 0;           ///< exact MACs executed (whole batch)
  double mac_density = 1;         ///< mac_count / (g*n*m*c*e*f*r*s): < 1 when zeros are skipped
  double input_density = 1;       ///< stored input elements / (g*n*c*h_in*w_in)
  BitsClass weight_bits = BitsClass::kWeight;
  BitsClass input_bits = BitsClass::kAct;
  BitsClass output_bits = BitsClass::kAct;
  bool weight_is_param = true;  ///< false: the weight role is an activation or an error
  /// MAC nests of a plan: the index of the plan's first MAC nest whose MAC fields (MacFields)
  /// are the same bit for bit, so equal shapes share mappings within a design; -1 outside a
  /// plan.
  int shape = -1;

  // Vector nest (is_mac == false): element operations over read and write streams.
  double vec_ops = 0;  ///< element operations of the whole batch
  std::array<VecStream, kMaxVecReads> vec_rd{};
  int vec_n_rd = 0;
  std::array<VecStream, kMaxVecWrites> vec_wr{};
  int vec_n_wr = 0;

  [[nodiscard]] double Macs() const { return is_mac ? mac_count : 0.0; }
  [[nodiscard]] double WeightElems() const { return is_mac ? g * m * c * r * s : 0.0; }
  [[nodiscard]] double InputElems() const {
    return is_mac ? g * n * c * h_in * w_in * input_density : vec_rd[0].elems;
  }
  [[nodiscard]] double OutputElems() const {
    return is_mac ? g * n * m * e * f : (vec_n_wr > 0 ? vec_wr[0].elems : 0.0);
  }
};

/// Builds the forward nest of `layer` for `batch` samples. Returns kShapeMismatch for a
/// malformed layer (non-positive extents, groups that do not divide the channels) and for
/// phases other than FP (use BuildPhaseNests).
Status BuildLoopNest(const net::Layer& layer, Phase phase, double batch, LoopNest* out);

/// Choices that shape the training nests (Options kBpStride and kOptimizer).
struct NestOptions {
  bool bp_dense = false;  ///< BP of a strided conv multiplies the dilated zeros too
  double opt_states = 1;  ///< optimizer state words per parameter (sgd 0, momentum 1, adam 2)
  double opt_ops = 4;     ///< element operations per parameter of the update
};

/// What tensor an operand of a nest is, so that the network walk can tell whether it is on
/// chip: an activation (id = producing layer, -1 the network input), the error (gradient) of
/// an activation, the parameters of layer id or their gradient, a layer's own stored tensor
/// (mask, indices, statistics), or the optimizer state of layer id.
enum class RefKind : std::uint8_t { kNone = 0, kAct, kGrad, kParam, kParamGrad, kOwnStash, kOpt };
struct TensorRef {
  RefKind kind = RefKind::kNone;
  int id = 0;
};

/// Operands of one nest: MAC roles (input, weight, output) or the vector streams.
struct NestRefs {
  TensorRef in, w, out;
  std::array<TensorRef, kMaxVecReads> rd{};
  std::array<TensorRef, kMaxVecWrites> wr{};
};

/// The fields of a MAC nest a mapping reads (the extents, stride, spans, input size, MAC count
/// and densities as 64-bit patterns, then the operand precision classes and whether the weight
/// role is a parameter): two nests with equal words map alike on every design.
inline constexpr std::size_t kMacFieldWords = 17;
std::array<std::uint64_t, kMacFieldWords> MacFields(const LoopNest& nest);

/// Up to two nests of one layer-phase (the backward-data of an attention matmul is two
/// products); count == 0 means the layer does not run this phase.
struct PhaseNests {
  std::array<LoopNest, 2> part{};
  std::array<NestRefs, 2> refs{};
  int count = 0;
};

/// Producers of a layer's input operands in operand order (-1 the network input). Operands
/// beyond the listed producers (embedding tables) are parameters and are not listed.
int LayerProducers(const net::Layer& layer, int index, std::array<int, 4>* out);

/// Bits of a vector-nest stored-tensor class that the layer saves in FP for its backward pass
/// (ReLU mask, max-pool indices, norm statistics), 0 if none. See docs/model.md.
struct OwnStash {
  double elems = 0;
  BitsClass bits = BitsClass::kAct;
  double fixed_bits = 0;
};
OwnStash LayerOwnStash(const net::Layer& layer, double batch);

/// The nests of `layer` in `phase`. `input_grad` bit i says whether the error of input operand
/// i is needed (it is not for the network input and for tensors no parameter depends on); a
/// layer whose every input needs no error skips BP unless it owns parameters.
Status BuildPhaseNests(const net::Layer& layer, int index, Phase phase, double batch,
                       const NestOptions& opt, unsigned input_grad, PhaseNests* out);

}  // namespace trim::model::detail
