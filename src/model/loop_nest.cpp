#include "loop_nest.hpp"

namespace trim::model::detail {
namespace {

Status BuildForward(const net::Layer& l, double batch, LoopNest* out) {
  LoopNest nest;
  const double e = static_cast<double>(l.e());
  const double f = static_cast<double>(l.f());
  if (l.c < 1 || l.m < 1 || l.h < 1 || l.w < 1 || l.r < 1 || l.s < 1 || l.stride < 1 ||
      l.dilation < 1 || l.groups < 1 || e < 1 || f < 1 || batch < 1) {
    return Status::kShapeMismatch;
  }
  switch (l.kind) {
    case net::LayerKind::kConv:
    case net::LayerKind::kFc:
    case net::LayerKind::kMatmul: {
      if (l.c % l.groups != 0 || l.m % l.groups != 0) return Status::kShapeMismatch;
      const double groups = static_cast<double>(l.groups);
      nest.is_mac = true;
      nest.g = groups;
      nest.n = batch;
      nest.m = static_cast<double>(l.m / l.groups);
      nest.c = static_cast<double>(l.c / l.groups);
      nest.e = e;
      nest.f = f;
      nest.r = static_cast<double>(l.r);
      nest.s = static_cast<double>(l.s);
      nest.stride = static_cast<double>(l.stride);
      nest.r_span = static_cast<double>((l.r - 1) * l.dilation + 1);
      nest.s_span = static_cast<double>((l.s - 1) * l.dilation + 1);
      nest.h_in = static_cast<double>(l.h);
      nest.w_in = static_cast<double>(l.w);
      if (l.kind == net::LayerKind::kMatmul) {
        // Both operands are per-sample activations: every sample is an independent product,
        // so the batch becomes part of the group loop and the "weight" operand is an
        // activation tensor read at activation precision.
        nest.g = groups * batch;
        nest.n = 1;
        nest.weight_is_param = false;
        nest.weight_bits = BitsClass::kAct;
      }
      break;
    }
    case net::LayerKind::kPool:
    case net::LayerKind::kEltwise: {
      nest.is_mac = false;
      nest.vec_ops = batch * static_cast<double>(l.ops());
      nest.vec_in_elems = batch * static_cast<double>(l.input_count());
      nest.vec_operands = l.kind == net::LayerKind::kEltwise
                              ? static_cast<double>(l.num_inputs < 1 ? 1 : l.num_inputs)
                              : 1.0;
      nest.vec_out_elems = batch * static_cast<double>(l.output_count());
      break;
    }
  }
  *out = nest;
  return Status::kOk;
}

}  // namespace

Status BuildLoopNest(const net::Layer& layer, Phase phase, double batch, LoopNest* out) {
  if (phase != Phase::kFP) return Status::kShapeMismatch;
  return BuildForward(layer, batch, out);
}

}  // namespace trim::model::detail
