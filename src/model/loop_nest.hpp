// The loop-nest description of one layer in one phase, the common currency of the model.
//
// A MAC layer is a grouped 7-D nest: for g < G (one after the other), the output
// O[n][m][e][f] accumulates I[n][c][e*U + r*D][f*U + s*D] * W[m][c][r][s] over (c, r, s), with
// m, c per group. The three operand roles (stationary "weight" operand, streamed "input",
// accumulated "output") carry their own precision so that the training phases can re-bind the
// roles (backward-data: a transposed convolution with C and M swapped; weight-gradient: the
// output is the weight tensor and the reduction runs over N, E, F). A vector layer (pooling,
// element-wise) has no MACs, only element operations and traffic.
// Plain value; no allocation. Internal to the model module.
#pragma once

#include <cstdint>

#include "trim/core/types.hpp"
#include "trim/model/columns.hpp"
#include "trim/net/layer.hpp"

namespace trim::model::detail {

/// Which precision of the hardware template an operand uses.
enum class BitsClass : std::uint8_t { kWeight = 0, kAct, kPsum, kGrad, kOpt };

struct LoopNest {
  bool is_mac = true;
  // MAC nest: per-group extents; groups run one after the other.
  double g = 1, n = 1, m = 1, c = 1, e = 1, f = 1, r = 1, s = 1;
  double stride = 1;
  double r_span = 1, s_span = 1;  ///< dilated window extents (r - 1) * dilation + 1
  double h_in = 1, w_in = 1;      ///< input rows and columns per sample and channel
  BitsClass weight_bits = BitsClass::kWeight;
  BitsClass input_bits = BitsClass::kAct;
  BitsClass output_bits = BitsClass::kAct;
  bool weight_is_param = true;  ///< false: both operands are activations (attention matmul)

  // Vector layer (is_mac == false).
  double vec_ops = 0;        ///< element operations of the whole batch
  double vec_in_elems = 0;   ///< elements of ONE input operand (whole batch)
  double vec_operands = 1;   ///< number of input operands
  double vec_out_elems = 0;  ///< output elements (whole batch)

  [[nodiscard]] double Macs() const { return is_mac ? g * n * m * c * e * f * r * s : 0.0; }
  [[nodiscard]] double WeightElems() const { return is_mac ? g * m * c * r * s : 0.0; }
  [[nodiscard]] double InputElems() const {
    return is_mac ? g * n * c * h_in * w_in : vec_in_elems;
  }
  [[nodiscard]] double OutputElems() const { return is_mac ? g * n * m * e * f : vec_out_elems; }
};

/// Builds the nest of `layer` in `phase` for `batch` samples. Returns kShapeMismatch for a
/// malformed layer (non-positive extents, groups that do not divide the channels) and for the
/// phases this version does not model yet (BP, WG, WU: issue 4 re-binds the roles here).
Status BuildLoopNest(const net::Layer& layer, Phase phase, double batch, LoopNest* out);

}  // namespace trim::model::detail
