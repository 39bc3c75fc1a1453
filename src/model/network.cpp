#include "network.hpp"

#include <algorithm>
#include <cmath>

namespace trim::model::detail {
namespace {

using Plan = Evaluator::Plan;

std::size_t T(int tensor) { return static_cast<std::size_t>(tensor + 1); }

NestOptions MakeNestOptions(const ModelOptions& opt) {
  NestOptions n;
  n.bp_dense = opt[Option::kBpStride] == 1;
  switch (opt[Option::kOptimizer]) {
    case 0:  // sgd: w -= lr * g
      n.opt_states = 0;
      n.opt_ops = 2;
      break;
    case 2:  // adam: m, v updates (7 ops), w -= lr * m / (sqrt(v) + eps) (5 ops)
      n.opt_states = 2;
      n.opt_ops = 12;
      break;
    default:  // momentum: v = mu * v + g, w -= lr * v
      n.opt_states = 1;
      n.opt_ops = 4;
      break;
  }
  return n;
}

void AddStash(Plan* plan, TensorRef ref, double elems, BitsClass bits, double fixed_bits, int key,
              int reader) {
  int* slot = ref.kind == RefKind::kAct ? &plan->stash_of_act[T(ref.id)]
                                        : &plan->stash_of_own[static_cast<std::size_t>(ref.id)];
  if (*slot >= 0) {
    auto& e = plan->stash[static_cast<std::size_t>(*slot)];
    e.free_at = std::min(e.free_at, reader);
    return;
  }
  *slot = static_cast<int>(plan->stash.size());
  plan->stash.push_back({ref, elems, bits, fixed_bits, key, reader});
}

/// Whether option `fusion` (0 none, 1 activation, 2 all) lets `l` run in its producer's
/// output path. Training batch-norm needs the batch statistics before it can normalize, and
/// its backward pass reads its input, so it stays a separate layer.
bool FusableKind(const net::Layer& l, int mode, bool training) {
  if (mode == 0) return false;
  if (l.kind == net::LayerKind::kEltwise) {
    if (l.op == net::EltOp::kRelu || l.op == net::EltOp::kGelu) return true;
    if (mode < 2) return false;
    return l.op == net::EltOp::kAdd || (l.op == net::EltOp::kBatchNorm && !training);
  }
  return mode == 2 && l.kind == net::LayerKind::kPool;
}

/// Marks the layers whose FP runs in the output path of the layer before them (a MAC layer, a
/// batch-norm running on the vector unit, or a layer fused itself), and the streams that pass
/// through that path. A layer fuses only with the layer right before it, when it is that
/// layer's only reader and (training) the backward pass does not read the tensor between them.
void MarkFusion(const Workload& work, int mode, Plan* plan) {
  const auto& layers = work.network->layers;
  const int count = plan->layers;
  plan->fused.assign(layers.size(), 0);
  plan->out_in_path.assign(layers.size(), 0);
  std::vector<int> root(layers.size(), -1);
  const auto nest_of = [plan](int l) -> LoopNest& {
    return plan->phases[static_cast<std::size_t>(l) * kNumPhases].part[0];
  };
  for (int l = 1; l < count; ++l) {
    const auto& layer = layers[static_cast<std::size_t>(l)];
    const int p = l - 1;
    const auto& prev = layers[static_cast<std::size_t>(p)];
    if (!FusableKind(layer, mode, plan->training)) continue;
    if (plan->build_status[static_cast<std::size_t>(l)] != Status::kOk ||
        plan->build_status[static_cast<std::size_t>(p)] != Status::kOk) {
      continue;
    }
    const bool path = prev.kind == net::LayerKind::kConv || prev.kind == net::LayerKind::kFc ||
                      prev.kind == net::LayerKind::kMatmul ||
                      plan->fused[static_cast<std::size_t>(p)] != 0 ||
                      (prev.kind == net::LayerKind::kEltwise && prev.op == net::EltOp::kBatchNorm);
    if (!path || plan->consumers[T(p)] != 1) continue;
    if (plan->training && plan->stash_of_act[T(p)] >= 0) continue;
    std::array<int, 4> prod{};
    const int np = LayerProducers(layer, l, &prod);
    int operand = -1, uses = 0;
    for (int i = 0; i < np; ++i) {
      if (prod[static_cast<std::size_t>(i)] != p) continue;
      if (operand < 0) operand = i;
      ++uses;
    }
    LoopNest& nest = nest_of(l);
    if (uses != 1 || nest.is_mac || operand >= nest.vec_n_rd) continue;
    nest.vec_rd[static_cast<std::size_t>(operand)].in_path = true;
    plan->fused[static_cast<std::size_t>(l)] = 1;
    plan->out_in_path[static_cast<std::size_t>(p)] = 1;
    const int up = root[static_cast<std::size_t>(p)];
    root[static_cast<std::size_t>(l)] = up >= 0 ? up : p;
  }
  // Write streams: an output that only feeds the path is never written; a chain's output is
  // written into the buffer by its root's array when the root is a MAC layer (its mapping
  // counts that write), else by the last layer of the chain.
  for (int l = 0; l < count; ++l) {
    LoopNest& nest = nest_of(l);
    if (nest.is_mac || nest.vec_n_wr == 0) continue;
    const auto i = static_cast<std::size_t>(l);
    const bool internal = plan->out_in_path[i] != 0;
    const bool mac_root = plan->fused[i] != 0 && nest_of(root[i]).is_mac;
    if (internal || mac_root) nest.vec_wr[0].in_path = true;
  }
}

/// Numbers the MAC nests of a plan by their MAC fields (LoopNest::shape).
void NumberShapes(Evaluator::Plan* plan) {
  std::vector<std::array<std::uint64_t, kMacFieldWords>> shapes;
  for (PhaseNests& pn : plan->phases) {
    for (int k = 0; k < pn.count; ++k) {
      LoopNest& nest = pn.part[static_cast<std::size_t>(k)];
      if (!nest.is_mac) continue;
      const auto f = MacFields(nest);
      const auto it = std::find(shapes.begin(), shapes.end(), f);
      nest.shape = static_cast<int>(it - shapes.begin());
      if (it == shapes.end()) shapes.push_back(f);
    }
  }
}

/// The plan's nests, tensors, stash list and fusion (BuildPlan but for the shape numbers).
void BuildNests(const Workload& work, const ModelOptions& opt, Evaluator::Plan* plan) {
  const auto& layers = work.network->layers;
  const int count = static_cast<int>(layers.size());
  const std::size_t n = layers.size();
  const double batch = static_cast<double>(work.batch);
  plan->training = work.mode == Mode::kTraining;
  plan->layers = count;
  plan->phases.assign(n * kNumPhases, PhaseNests{});
  plan->build_status.assign(n, Status::kOk);
  plan->kinds.assign(n, net::LayerKind::kConv);
  plan->last_consumer.assign(n + 1, -1);
  plan->consumers.assign(n + 1, 0);
  plan->act_elems.assign(n + 1, 0.0);
  plan->params.assign(n, 0.0);
  plan->stash.clear();
  plan->stash_of_act.assign(n + 1, -1);
  plan->stash_of_own.assign(n, -1);
  const NestOptions nopt = MakeNestOptions(opt);
  // Gradient flow: a tensor needs its error when a parameter lies upstream of it.
  std::vector<char> needs_grad(n + 1, 0);
  for (int l = 0; l < count; ++l) {
    const auto& layer = layers[static_cast<std::size_t>(l)];
    plan->kinds[static_cast<std::size_t>(l)] = layer.kind;
    plan->params[static_cast<std::size_t>(l)] = static_cast<double>(layer.params());
    plan->act_elems[T(l)] = batch * static_cast<double>(layer.output_count());
    std::array<int, 4> prod{};
    const int np = LayerProducers(layer, l, &prod);
    unsigned input_grad = 0;
    bool upstream = layer.params() > 0;
    for (int i = 0; i < np; ++i) {
      const int p = std::clamp(prod[i], -1, count - 1);
      if (p >= l) continue;  // malformed graph: ignored (build status reports bad shapes)
      plan->last_consumer[T(p)] = std::max(plan->last_consumer[T(p)], l);
      bool seen = false;
      for (int j = 0; j < i; ++j) seen = seen || prod[j] == prod[i];
      if (!seen) ++plan->consumers[T(p)];
      if (p == -1 && plan->act_elems[0] == 0) {
        plan->act_elems[0] = batch * static_cast<double>(layer.input_count());
      }
      if (needs_grad[T(p)] != 0) {
        input_grad |= 1u << i;
        upstream = true;
      }
    }
    needs_grad[T(l)] = upstream ? 1 : 0;
    const int phases = plan->training ? kNumPhases : 1;
    for (int p = 0; p < phases && plan->build_status[static_cast<std::size_t>(l)] == Status::kOk;
         ++p) {
      auto& slot = plan->phases[static_cast<std::size_t>(l) * kNumPhases + p];
      plan->build_status[static_cast<std::size_t>(l)] =
          BuildPhaseNests(layer, l, static_cast<Phase>(p), batch, nopt, input_grad, &slot);
    }
  }
  auto& s = plan->scratch;
  s.fp_kept.assign(n + 1, 0);
  s.bp_kept.assign(n + 1, 0);
  s.grad_exists.assign(n + 1, 0);
  s.fp_alive.assign(n, 0.0);
  s.bp_alive.assign(n, 0.0);
  s.stash_kept.clear();
  const int fusion = opt[Option::kFusion];
  if (!plan->training) {
    MarkFusion(work, fusion, plan);
    return;
  }
  // Tensors the backward pass reads that FP produced: activations named by BP and WG nests,
  // and each layer's own saved tensor (mask, indices, statistics).
  for (int l = 0; l < count; ++l) {
    for (Phase ph : {Phase::kBP, Phase::kWG}) {
      const PhaseNests& pn = plan->At(l, ph);
      for (int k = 0; k < pn.count; ++k) {
        const NestRefs& r = pn.refs[static_cast<std::size_t>(k)];
        const LoopNest& nest = pn.part[static_cast<std::size_t>(k)];
        auto note = [&](TensorRef ref, double elems, BitsClass bits, double fixed) {
          if (ref.kind == RefKind::kAct) {
            AddStash(plan, ref, plan->act_elems[T(ref.id)] > 0 ? plan->act_elems[T(ref.id)] : elems,
                     BitsClass::kAct, 0, ref.id, l);
          } else if (ref.kind == RefKind::kOwnStash) {
            AddStash(plan, ref, elems, bits, fixed, ref.id, l);
          }
        };
        if (nest.is_mac) {
          note(r.in, nest.InputElems(), nest.input_bits, 0);
          note(r.w, nest.WeightElems(), nest.weight_bits, 0);
        } else {
          for (int i = 0; i < nest.vec_n_rd; ++i) {
            const VecStream& vs = nest.vec_rd[static_cast<std::size_t>(i)];
            note(r.rd[static_cast<std::size_t>(i)], vs.elems, vs.bits, vs.fixed_bits);
          }
        }
      }
    }
  }
  std::stable_sort(
      plan->stash.begin(), plan->stash.end(),
      [](const Plan::StashEntry& a, const Plan::StashEntry& b) { return a.key > b.key; });
  std::fill(plan->stash_of_act.begin(), plan->stash_of_act.end(), -1);
  std::fill(plan->stash_of_own.begin(), plan->stash_of_own.end(), -1);
  for (std::size_t i = 0; i < plan->stash.size(); ++i) {
    const TensorRef r = plan->stash[i].ref;
    if (r.kind == RefKind::kAct) plan->stash_of_act[T(r.id)] = static_cast<int>(i);
    if (r.kind == RefKind::kOwnStash)
      plan->stash_of_own[static_cast<std::size_t>(r.id)] = static_cast<int>(i);
  }
  s.stash_kept.assign(plan->stash.size(), 0);
  MarkFusion(work, fusion, plan);
}

}  // namespace

void BuildPlan(const Workload& work, const ModelOptions& opt, Evaluator::Plan* plan) {
  BuildNests(work, opt, plan);
  NumberShapes(plan);
}

}  // namespace trim::model::detail
