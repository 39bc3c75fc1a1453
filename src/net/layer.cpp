#include "trim/net/layer.hpp"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

namespace trim::net {
namespace {

// "2^24 = 16777216" for a power of two.
std::string LimitText(std::int64_t limit) {
  int bits = 0;
  while ((std::int64_t{1} << bits) < limit) ++bits;
  return "2^" + std::to_string(bits) + " = " + std::to_string(limit);
}

std::string Joined(const std::vector<std::int64_t>& values, const char* sep) {
  std::string s;
  for (const std::int64_t v : values) s += (s.empty() ? "" : sep) + std::to_string(v);
  return s;
}

// A count of one layer, the formula it comes from and the formula's operands.
struct Count {
  const char* what;
  const char* formula;
  std::vector<std::int64_t> factors;
};

}  // namespace

std::int64_t CheckedProduct(std::initializer_list<std::int64_t> factors) {
  std::int64_t p = 1;
  for (const std::int64_t x : factors) {
    if (x < 0 || __builtin_mul_overflow(p, x, &p)) return -1;
  }
  return p;
}

std::string LayerLimitProblem(const Layer& l, NetworkTotals* totals) {
  // Fields: every later computation stays far below int64 overflow once these hold.
  const std::pair<const char*, std::int64_t> dims[] = {{"r", l.r},
                                                       {"s", l.s},
                                                       {"stride", l.stride},
                                                       {"pad", l.pad},
                                                       {"dilation", l.dilation},
                                                       {"groups", l.groups},
                                                       {"num_inputs", l.num_inputs}};
  for (const auto& [key, v] : dims) {
    const std::int64_t min = std::string_view(key) == "pad" ? 0 : 1;
    if (v < min)
      return "its " + std::string(key) + " = " + std::to_string(v) + " is below " +
             std::to_string(min);
    if (v > kMaxLayerDim) {
      return "its " + std::string(key) + " = " + std::to_string(v) + " exceeds " +
             LimitText(kMaxLayerDim);
    }
  }
  const std::pair<const char*, std::int64_t> sizes[] = {
      {"c", l.c}, {"h", l.h}, {"w", l.w}, {"m", l.m}, {"extra_params", l.extra_params}};
  for (const auto& [key, v] : sizes) {
    const std::int64_t min = std::string_view(key) == "extra_params" ? 0 : 1;
    if (v < min)
      return "its " + std::string(key) + " = " + std::to_string(v) + " is below " +
             std::to_string(min);
    if (v > kMaxLayerCount) {
      return "its " + std::string(key) + " = " + std::to_string(v) + " exceeds " +
             LimitText(kMaxLayerCount);
    }
  }
  // h + 2 * pad <= 2^50 + 2^25 and dilation * (r - 1) < 2^48: e() and f() cannot overflow.
  const std::int64_t e = l.e();
  const std::int64_t f = l.f();
  const std::int64_t cg = l.c / l.groups;
  const bool mac =
      l.kind == LayerKind::kConv || l.kind == LayerKind::kFc || l.kind == LayerKind::kMatmul;
  std::vector<Count> counts = {
      {"input elements", "c x h x w", {l.c, l.h, l.w}},
      {"output elements", "m x e x f", {l.m, e, f}},
  };
  if (l.has_weights()) counts.push_back({"weights", "m x c/groups x r x s", {l.m, cg, l.r, l.s}});
  if (mac) counts.push_back({"MACs", "m x e x f x c/groups x r x s", {l.m, e, f, cg, l.r, l.s}});
  if (l.kind == LayerKind::kPool) {
    counts.push_back({"operations", "m x e x f x r x s", {l.m, e, f, l.r, l.s}});
  } else if (l.kind == LayerKind::kEltwise) {
    counts.push_back({"operations",
                      "c x h x w x (operands - 1)",
                      {l.c, l.h, l.w, std::max<std::int64_t>(l.num_inputs - 1, 1)}});
  }
  for (const Count& k : counts) {
    std::int64_t v = 1;
    for (const std::int64_t x : k.factors) {
      if (v >= 0 && (x < 0 || __builtin_mul_overflow(v, x, &v))) v = -1;
    }
    if (v < 0 || v > kMaxLayerCount) {
      return "its " + std::string(k.what) + " per sample (" + k.formula + " = " +
             Joined(k.factors, " x ") + ") exceed " + LimitText(kMaxLayerCount);
    }
  }
  // Each term is at most 2^50 now, so the sum cannot overflow.
  const std::int64_t weights = l.weight_count();
  const std::int64_t norm = l.params() - weights - l.bias_count() - l.extra_params;
  const std::int64_t params = l.params();
  if (params > kMaxLayerCount) {
    return "its parameters (weights + biases + norm scale and shift + extra_params = " +
           Joined({weights, l.bias_count(), norm, l.extra_params}, " + ") + ") exceed " +
           LimitText(kMaxLayerCount);
  }
  if (totals == nullptr) return "";
  if (totals->layers >= kMaxNetworkLayers) {
    return "the network would have more than " + std::to_string(kMaxNetworkLayers) + " layers";
  }
  NetworkTotals next = *totals;
  ++next.layers;
  next.macs += l.macs();
  next.ops += l.ops();
  next.weights += weights;
  next.params += params;
  const std::pair<const char*, std::int64_t> sums[] = {{"MACs", next.macs},
                                                       {"operations", next.ops},
                                                       {"weights", next.weights},
                                                       {"parameters", next.params}};
  for (const auto& [what, v] : sums) {
    if (v > kMaxNetworkCount) {
      return "it brings the network's " + std::string(what) + " per sample to " +
             std::to_string(v) + ", over " + LimitText(kMaxNetworkCount);
    }
  }
  *totals = next;
  return "";
}

std::string_view Name(LayerKind k) {
  static constexpr std::array<std::string_view, 5> kNames = {"conv", "fc", "matmul", "pool",
                                                             "eltwise"};
  return kNames[static_cast<std::size_t>(k)];
}

std::string_view Name(EltOp op) {
  static constexpr std::array<std::string_view, 7> kNames = {
      "add", "relu", "batchnorm", "layernorm", "softmax", "gelu", "mul"};
  return kNames[static_cast<std::size_t>(op)];
}

std::int64_t Layer::e() const {
  if (kind == LayerKind::kEltwise) return h;
  const std::int64_t span = dilation * (r - 1) + 1;
  if (h + 2 * pad < span) return 0;  // the window does not fit (avoids rounding -1/2 to 0)
  return (h + 2 * pad - span) / stride + 1;
}

std::int64_t Layer::f() const {
  if (kind == LayerKind::kEltwise) return w;
  const std::int64_t span = dilation * (s - 1) + 1;
  if (w + 2 * pad < span) return 0;
  return (w + 2 * pad - span) / stride + 1;
}

std::int64_t Layer::macs() const {
  switch (kind) {
    case LayerKind::kConv:
    case LayerKind::kFc:
    case LayerKind::kMatmul:
      return m * e() * f() * (c / groups) * r * s;
    default:
      return 0;
  }
}

std::int64_t Layer::ops() const {
  switch (kind) {
    case LayerKind::kPool:
      return m * e() * f() * r * s;
    case LayerKind::kEltwise:
      return c * h * w * (num_inputs > 1 ? num_inputs - 1 : 1);
    default:
      return 0;
  }
}

std::int64_t Layer::weight_count() const { return has_weights() ? m * (c / groups) * r * s : 0; }
std::int64_t Layer::bias_count() const { return has_weights() && bias ? m : 0; }

std::int64_t Layer::params() const {
  std::int64_t p = weight_count() + bias_count() + extra_params;
  if (kind == LayerKind::kEltwise && (op == EltOp::kBatchNorm || op == EltOp::kLayerNorm)) {
    p += 2 * c;
  }
  return p;
}

std::int64_t Layer::input_count() const { return c * h * w; }
std::int64_t Layer::output_count() const { return m * e() * f(); }

std::int64_t Network::macs() const {
  std::int64_t t = 0;
  for (const auto& l : layers) t += l.macs();
  return t;
}

std::int64_t Network::weight_count() const {
  std::int64_t t = 0;
  for (const auto& l : layers) t += l.weight_count();
  return t;
}

std::int64_t Network::params() const {
  std::int64_t t = 0;
  for (const auto& l : layers) t += l.params();
  return t;
}

}  // namespace trim::net
