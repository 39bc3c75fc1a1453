#include "trim/net/layer.hpp"

#include <array>

namespace trim::net {

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
