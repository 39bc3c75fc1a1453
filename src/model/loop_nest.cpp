#include "loop_nest.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace trim::model::detail {
namespace {

bool Malformed(const net::Layer& l, double batch) {
  return l.c < 1 || l.m < 1 || l.h < 1 || l.w < 1 || l.r < 1 || l.s < 1 || l.stride < 1 ||
         l.dilation < 1 || l.groups < 1 || l.e() < 1 || l.f() < 1 || batch < 1 ||
         (l.kind != net::LayerKind::kPool && l.kind != net::LayerKind::kEltwise &&
          (l.c % l.groups != 0 || l.m % l.groups != 0));
}

double D(std::int64_t v) { return static_cast<double>(v); }

/// Exact forward MACs of the whole batch (integer arithmetic, then one conversion).
double ForwardMacs(const net::Layer& l, double batch) { return batch * D(l.macs()); }

void AddRead(LoopNest* n, NestRefs* r, VecStream s, TensorRef ref) {
  s.bits_slot = StreamSlot(s);
  r->rd[n->vec_n_rd] = ref;
  n->vec_rd[n->vec_n_rd++] = s;
}
void AddWrite(LoopNest* n, NestRefs* r, VecStream s, TensorRef ref) {
  s.bits_slot = StreamSlot(s);
  r->wr[n->vec_n_wr] = ref;
  n->vec_wr[n->vec_n_wr++] = s;
}

TensorRef Act(int id) { return {RefKind::kAct, id}; }
TensorRef Grad(int id) { return {RefKind::kGrad, id}; }

Status BuildForward(const net::Layer& l, int index, double batch, LoopNest* out, NestRefs* refs) {
  LoopNest nest;
  NestRefs rf;
  if (Malformed(l, batch)) return Status::kShapeMismatch;
  std::array<int, 4> prod{};
  const int np = LayerProducers(l, index, &prod);
  switch (l.kind) {
    case net::LayerKind::kConv:
    case net::LayerKind::kFc:
    case net::LayerKind::kMatmul: {
      const double groups = D(l.groups);
      nest.is_mac = true;
      nest.g = groups;
      nest.n = batch;
      nest.m = D(l.m / l.groups);
      nest.c = D(l.c / l.groups);
      nest.e = D(l.e());
      nest.f = D(l.f());
      nest.r = D(l.r);
      nest.s = D(l.s);
      nest.stride = D(l.stride);
      nest.r_span = D((l.r - 1) * l.dilation + 1);
      nest.s_span = D((l.s - 1) * l.dilation + 1);
      nest.h_in = D(l.h);
      nest.w_in = D(l.w);
      rf.in = Act(prod[0]);
      rf.w = {RefKind::kParam, index};
      rf.out = Act(index);
      if (l.kind == net::LayerKind::kMatmul) {
        // Both operands are per-sample activations: every sample is an independent product,
        // so the batch becomes part of the group loop and the "weight" operand is an
        // activation tensor read at activation precision.
        nest.g = groups * batch;
        nest.n = 1;
        nest.weight_is_param = false;
        nest.weight_bits = BitsClass::kAct;
        rf.w = Act(np > 1 ? prod[1] : prod[0]);
      }
      nest.mac_count = nest.g * nest.n * nest.m * nest.c * nest.e * nest.f * nest.r * nest.s;
      break;
    }
    case net::LayerKind::kPool:
    case net::LayerKind::kEltwise: {
      nest.is_mac = false;
      nest.vec_ops = batch * D(l.ops());
      const int operands = l.kind == net::LayerKind::kEltwise
                               ? static_cast<int>(std::max<std::int64_t>(1, l.num_inputs))
                               : 1;
      const double in_elems = batch * D(l.input_count());
      for (int i = 0; i < operands && i < kMaxVecReads; ++i) {
        AddRead(&nest, &rf, {in_elems, BitsClass::kAct, 0},
                i < np ? Act(prod[i]) : TensorRef{RefKind::kParam, index});
      }
      AddWrite(&nest, &rf, {batch * D(l.output_count()), BitsClass::kAct, 0}, Act(index));
      break;
    }
  }
  *out = nest;
  if (refs != nullptr) *refs = rf;
  return Status::kOk;
}

/// Backward-data of a convolution or fully connected layer: the transposed convolution as a
/// stride-1 gather over the input-sized error map with C and M swapped.
LoopNest ConvBackwardData(const net::Layer& l, double batch, bool dense) {
  LoopNest n;
  n.g = D(l.groups);
  n.n = batch;
  n.m = D(l.c / l.groups);
  n.c = D(l.m / l.groups);
  n.e = D(l.h);
  n.f = D(l.w);
  n.r = D(l.r);
  n.s = D(l.s);
  n.stride = 1;
  n.r_span = D((l.r - 1) * l.dilation + 1);
  n.s_span = D((l.s - 1) * l.dilation + 1);
  n.h_in = n.e + n.r_span - 1;
  n.w_in = n.f + n.s_span - 1;
  const double dense_macs = n.g * n.n * n.m * n.c * n.e * n.f * n.r * n.s;
  n.mac_count = dense ? dense_macs : ForwardMacs(l, batch);
  n.mac_density = n.mac_count / dense_macs;
  // Only the real error elements are stored: N*M*E*F of the dilated, padded map.
  n.input_density = std::min(1.0, D(l.e()) * D(l.f()) / (n.h_in * n.w_in));
  n.weight_bits = BitsClass::kWeight;
  n.input_bits = BitsClass::kGrad;
  n.output_bits = BitsClass::kGrad;
  n.weight_is_param = true;
  return n;
}

/// Weight-gradient of a convolution or fully connected layer: dW[m][crs] = sum over (n, e, f)
/// of dY[m][nef] * im2col(X)[nef][crs]; the error is the stationary "weight" role.
LoopNest ConvWeightGrad(const net::Layer& l, double batch) {
  LoopNest n;
  n.g = D(l.groups);
  n.n = 1;
  n.m = D(l.m / l.groups);
  n.c = batch * D(l.e()) * D(l.f());
  n.e = D(l.c / l.groups) * D(l.r) * D(l.s);
  n.f = 1;
  n.h_in = n.e;
  n.w_in = 1;
  n.mac_count = ForwardMacs(l, batch);
  // The im2col matrix is expanded on chip: only X itself (N*C*H*W) is stored and moved.
  n.input_density = std::min(1.0, D(l.h) * D(l.w) / (D(l.e()) * D(l.f()) * D(l.r) * D(l.s)));
  n.weight_bits = BitsClass::kGrad;
  n.input_bits = BitsClass::kAct;
  n.output_bits = BitsClass::kGrad;
  n.weight_is_param = false;
  return n;
}

/// One product of an attention matmul's backward-data: out (rows x cols) = in (rows x k) *
/// w^T (cols x k), per sample and head.
LoopNest MatmulPart(double groups, double rows, double cols, double k, BitsClass in_bits,
                    BitsClass w_bits) {
  LoopNest n;
  n.g = groups;
  n.n = 1;
  n.m = cols;
  n.c = k;
  n.e = rows;
  n.f = 1;
  n.h_in = rows;
  n.w_in = 1;
  n.mac_count = n.g * n.m * n.c * n.e;
  n.weight_bits = w_bits;
  n.input_bits = in_bits;
  n.output_bits = BitsClass::kGrad;
  n.weight_is_param = false;
  return n;
}

Status BuildBackwardData(const net::Layer& l, int index, double batch, const NestOptions& opt,
                         unsigned input_grad, PhaseNests* out) {
  std::array<int, 4> prod{};
  const int np = LayerProducers(l, index, &prod);
  const double params = D(l.params());
  switch (l.kind) {
    case net::LayerKind::kConv:
    case net::LayerKind::kFc:
      if ((input_grad & 1u) == 0) return Status::kOk;
      out->part[0] = ConvBackwardData(l, batch, opt.bp_dense);
      out->refs[0].in = Grad(index);
      out->refs[0].w = {RefKind::kParam, index};
      out->refs[0].out = Grad(prod[0]);
      out->count = 1;
      return Status::kOk;
    case net::LayerKind::kMatmul: {
      // C = A * B with A rows x k and B k x n per sample and head: dA = dC * B^T,
      // dB = A^T * dC, each as many MACs as the forward product.
      const double groups = D(l.groups) * batch;
      const double rows = D(l.h), k = D(l.c / l.groups), cols = D(l.m / l.groups);
      const int a = prod[0], b = np > 1 ? prod[1] : prod[0];
      if ((input_grad & 1u) != 0) {
        out->part[out->count] =
            MatmulPart(groups, rows, k, cols, BitsClass::kGrad, BitsClass::kAct);
        out->refs[out->count] = NestRefs{Grad(index), Act(b), Grad(a), {}, {}};
        ++out->count;
      }
      if ((input_grad & 2u) != 0) {
        out->part[out->count] =
            MatmulPart(groups, k, cols, rows, BitsClass::kAct, BitsClass::kGrad);
        out->refs[out->count] = NestRefs{Act(a), Grad(index), Grad(b), {}, {}};
        ++out->count;
      }
      return Status::kOk;
    }
    case net::LayerKind::kPool:
    case net::LayerKind::kEltwise:
      break;
  }
  if (input_grad == 0 && params == 0) return Status::kOk;
  LoopNest n;
  NestRefs rf;
  n.is_mac = false;
  const double out_elems = batch * D(l.output_count());
  const double in_elems = batch * D(l.input_count());
  const VecStream grad_out{out_elems, BitsClass::kGrad, 0};
  AddRead(&n, &rf, grad_out, Grad(index));
  const OwnStash own = LayerOwnStash(l, batch);
  const TensorRef own_ref{RefKind::kOwnStash, index};
  double ops_per_elem = 1;
  if (l.kind == net::LayerKind::kPool) {
    if (l.pool == net::PoolType::kMax) {
      AddRead(&n, &rf, {own.elems, own.bits, own.fixed_bits}, own_ref);  // argmax indices
      n.vec_ops = out_elems;                                             // one scatter each
    } else {
      n.vec_ops = out_elems * D(l.r) * D(l.s);  // each error spread over its window
    }
  } else {
    switch (l.op) {
      case net::EltOp::kRelu:
        AddRead(&n, &rf, {own.elems, own.bits, own.fixed_bits}, own_ref);  // 1-bit mask
        break;
      case net::EltOp::kGelu:
        AddRead(&n, &rf, {in_elems, BitsClass::kAct, 0}, Act(prod[0]));
        ops_per_elem = 2;
        break;
      case net::EltOp::kBatchNorm:
      case net::EltOp::kLayerNorm:
        AddRead(&n, &rf, {in_elems, BitsClass::kAct, 0}, Act(prod[0]));
        AddRead(&n, &rf, {own.elems, own.bits, own.fixed_bits}, own_ref);  // mean, 1/std
        ops_per_elem = 3;
        break;
      case net::EltOp::kSoftmax:
        AddRead(&n, &rf, {out_elems, BitsClass::kAct, 0}, Act(index));
        ops_per_elem = 3;
        break;
      case net::EltOp::kMul:
        for (int i = 0; i < np && i < 2; ++i) {
          AddRead(&n, &rf, {in_elems, BitsClass::kAct, 0}, Act(prod[i]));
        }
        ops_per_elem = 2;
        break;
      case net::EltOp::kAdd: {
        // The error passes unchanged to each operand; a table operand (embedding) scatters it
        // into its gradient rows, one add per element.
        const double tables = std::max(0.0, D(l.num_inputs) - D(np));
        ops_per_elem = tables;
        break;
      }
    }
    n.vec_ops = out_elems * ops_per_elem;
  }
  for (int i = 0; i < np && n.vec_n_wr < kMaxVecWrites - 1; ++i) {
    if ((input_grad & (1u << i)) != 0) {
      AddWrite(&n, &rf, {in_elems, BitsClass::kGrad, 0}, Grad(prod[i]));
    }
  }
  if (params > 0) AddWrite(&n, &rf, {params, BitsClass::kGrad, 0}, {RefKind::kParamGrad, index});
  out->part[0] = n;
  out->refs[0] = rf;
  out->count = 1;
  return Status::kOk;
}

}  // namespace

int LayerProducers(const net::Layer& layer, int index, std::array<int, 4>* out) {
  if (layer.inputs.empty()) {
    (*out)[0] = index - 1;  // the previous layer, or -1 (the network input) for layer 0
    return 1;
  }
  int n = 0;
  for (int p : layer.inputs) {
    if (n < 4) (*out)[n++] = p;
  }
  return n;
}

OwnStash LayerOwnStash(const net::Layer& l, double batch) {
  OwnStash s;
  const double out_elems = batch * D(l.output_count());
  if (l.kind == net::LayerKind::kPool && l.pool == net::PoolType::kMax) {
    s.elems = out_elems;
    s.fixed_bits = std::max(1.0, std::ceil(std::log2(D(l.r) * D(l.s))));
  } else if (l.kind == net::LayerKind::kEltwise) {
    switch (l.op) {
      case net::EltOp::kRelu:
        s.elems = out_elems;
        s.fixed_bits = 1;
        break;
      case net::EltOp::kBatchNorm:
        s.elems = 2 * D(l.c);  // batch mean and inverse deviation per channel
        s.bits = BitsClass::kPsum;
        break;
      case net::EltOp::kLayerNorm:
        s.elems = 2 * batch * D(l.h) * D(l.w);  // per token (c is the normalized width)
        s.bits = BitsClass::kPsum;
        break;
      default:
        break;
    }
  }
  return s;
}

Status BuildLoopNest(const net::Layer& layer, Phase phase, double batch, LoopNest* out) {
  if (phase != Phase::kFP) return Status::kShapeMismatch;
  return BuildForward(layer, 0, batch, out, nullptr);
}

Status BuildPhaseNests(const net::Layer& layer, int index, Phase phase, double batch,
                       const NestOptions& opt, unsigned input_grad, PhaseNests* out) {
  *out = PhaseNests{};
  if (Malformed(layer, batch)) return Status::kShapeMismatch;
  switch (phase) {
    case Phase::kFP:
      out->count = 1;
      return BuildForward(layer, index, batch, &out->part[0], &out->refs[0]);
    case Phase::kBP:
      return BuildBackwardData(layer, index, batch, opt, input_grad, out);
    case Phase::kWG: {
      if (!layer.has_weights()) return Status::kOk;
      std::array<int, 4> prod{};
      LayerProducers(layer, index, &prod);
      out->part[0] = ConvWeightGrad(layer, batch);
      out->refs[0] = NestRefs{Act(prod[0]), Grad(index), {RefKind::kParamGrad, index}, {}, {}};
      out->count = 1;
      return Status::kOk;
    }
    case Phase::kWU: {
      const double p = D(layer.params());
      if (p <= 0) return Status::kOk;
      LoopNest n;
      NestRefs rf;
      n.is_mac = false;
      n.vec_ops = p * opt.opt_ops;
      const TensorRef w{RefKind::kParam, index}, st{RefKind::kOpt, index};
      AddRead(&n, &rf, {p, BitsClass::kWeight, kWithoutMaster}, w);
      AddRead(&n, &rf, {p, BitsClass::kGrad, 0}, {RefKind::kParamGrad, index});
      AddRead(&n, &rf, {p * opt.opt_states, BitsClass::kOpt, 0}, st);
      AddRead(&n, &rf, {p, BitsClass::kOpt, kMasterCopy}, st);
      AddWrite(&n, &rf, {p, BitsClass::kWeight, 0}, w);
      AddWrite(&n, &rf, {p * opt.opt_states, BitsClass::kOpt, 0}, st);
      AddWrite(&n, &rf, {p, BitsClass::kOpt, kMasterCopy}, st);
      out->part[0] = n;
      out->refs[0] = rf;
      out->count = 1;
      return Status::kOk;
    }
  }
  return Status::kShapeMismatch;
}

std::array<std::uint64_t, kMacFieldWords> MacFields(const LoopNest& nest) {
  const auto w = [](double d) { return std::bit_cast<std::uint64_t>(d); };
  const auto c = [](BitsClass b) { return static_cast<std::uint64_t>(b); };
  return {w(nest.g),
          w(nest.n),
          w(nest.m),
          w(nest.c),
          w(nest.e),
          w(nest.f),
          w(nest.r),
          w(nest.s),
          w(nest.stride),
          w(nest.r_span),
          w(nest.s_span),
          w(nest.h_in),
          w(nest.w_in),
          w(nest.mac_count),
          w(nest.mac_density),
          w(nest.input_density),
          c(nest.weight_bits) | c(nest.input_bits) << 3 | c(nest.output_bits) << 6 |
              static_cast<std::uint64_t>(nest.weight_is_param) << 9};
}

}  // namespace trim::model::detail
