// One layer of a network, described per sample (the batch size is applied at evaluation time).
//
// Every layer kind is expressed in one convolution-shaped vocabulary so that the model can map
// it onto a single 7-D loop nest (N, M, C, E, F, R, S) with groups:
//   - kConv:    input c x h x w, output m x e x f, window r x s, stride, pad, dilation, groups.
//   - kFc:      a 1x1 convolution; h x w > 1 means the same weights are applied at h*w
//               positions (a transformer's per-token projection: h = sequence length, w = 1).
//   - kMatmul:  `groups` independent products (h x k) * (k x n) whose second operand is an
//               activation, not a weight (attention's Q*K^T and P*V): c = groups*k,
//               m = groups*n, h = rows, w = 1, r = s = 1.
//   - kPool:    max or average pooling, m == c.
//   - kEltwise: element-wise op over c x h x w elements (m == c, e == h, f == w) with
//               `num_inputs` operand tensors (2 for a residual add).
//
// Parameters. weight_count() is the weight operand of the loop nest (the filter of a kConv or
// kFc layer, m * c/groups * r * s); it is what a MAC layer streams from memory. params() is every
// trainable parameter the layer owns, as deep-learning frameworks count them: the weights, plus
// m biases when `bias` is set, plus 2*c affine parameters (scale and shift) for kBatchNorm and
// kLayerNorm, plus `extra_params` (embedding tables, learned position embeddings, class tokens:
// parameters read by a layer that are not a MAC operand). Batch-norm running statistics are
// buffers, not parameters. Network::params() summed over the layers matches published totals
// (for example 25,557,032 for ResNet-50).
//
// Operands that come from a parameter table rather than from another layer (an embedding sum,
// a position-embedding add) count towards `num_inputs` but have no entry in `inputs`.
//
// Limits. Layers built from user input (network files, ONNX models) are checked with
// LayerLimitProblem() so that no count below can overflow int64, with room for the batch
// (at most 2^20 in a job), which the model applies in double precision:
//   - r, s, stride, pad, dilation, groups and num_inputs are at most kMaxLayerDim (2^24);
//   - c, h, w, m, e, f and every per-sample count (input_count, output_count, weight_count,
//     macs, ops, params) are at most kMaxLayerCount (2^50);
//   - a network has at most kMaxNetworkLayers (100,000) layers, and its sums over the layers
//     (Network::macs, weight_count, params, and the sum of ops) are at most kMaxNetworkCount
//     (2^60).
// Plain value type; safe to share read-only across threads.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace trim::net {

enum class LayerKind : std::uint8_t { kConv = 0, kFc, kMatmul, kPool, kEltwise };
enum class PoolType : std::uint8_t { kMax = 0, kAvg };
/// Element-wise operations. kBatchNorm/kLayerNorm are the normalizations (inference: a scale
/// and shift per element; training: statistics too), kSoftmax is row-wise over w.
enum class EltOp : std::uint8_t { kAdd = 0, kRelu, kBatchNorm, kLayerNorm, kSoftmax, kGelu, kMul };

std::string_view Name(LayerKind k);
std::string_view Name(EltOp op);

struct Layer {
  std::string name;
  LayerKind kind = LayerKind::kConv;

  std::int64_t c = 1;  ///< input channels (all groups)
  std::int64_t h = 1;  ///< input height
  std::int64_t w = 1;  ///< input width
  std::int64_t m = 1;  ///< output channels (all groups)
  std::int64_t r = 1;  ///< window height
  std::int64_t s = 1;  ///< window width
  std::int64_t stride = 1;
  std::int64_t pad = 0;       ///< zero padding on each side
  std::int64_t dilation = 1;  ///< window dilation
  std::int64_t groups = 1;    ///< c and m are both multiples of groups

  PoolType pool = PoolType::kMax;  ///< kPool only
  EltOp op = EltOp::kAdd;          ///< kEltwise only
  std::int64_t num_inputs = 1;     ///< kEltwise: operand tensors (2 for a residual add)
  bool bias = false;               ///< kConv/kFc: one bias per output channel (m parameters)
  std::int64_t extra_params = 0;   ///< parameters besides weights, biases and norm affine

  /// Producer layers of this layer's inputs, by index into Network::layers; -1 is the network
  /// input. Empty means "the previous layer" (or the network input for layer 0). A residual add
  /// lists both its producers.
  std::vector<int> inputs;

  [[nodiscard]] std::int64_t e() const;  ///< output height
  [[nodiscard]] std::int64_t f() const;  ///< output width
  [[nodiscard]] bool has_weights() const {
    return kind == LayerKind::kConv || kind == LayerKind::kFc;
  }
  /// Multiply-accumulates of the forward pass per sample (0 for pool and element-wise layers).
  [[nodiscard]] std::int64_t macs() const;
  /// Non-MAC element operations of the forward pass per sample (comparisons, adds, ...).
  [[nodiscard]] std::int64_t ops() const;
  [[nodiscard]] std::int64_t weight_count() const;  ///< weight operand (kConv, kFc; 0 otherwise)
  [[nodiscard]] std::int64_t bias_count() const;    ///< m if `bias` and has_weights(), else 0
  /// Trainable parameters: weights + biases + norm affine (2*c) + extra_params.
  [[nodiscard]] std::int64_t params() const;
  [[nodiscard]] std::int64_t input_count() const;   ///< elements of one input tensor per sample
  [[nodiscard]] std::int64_t output_count() const;  ///< elements of the output per sample
};

/// Largest window, stride, pad, dilation, group count or operand count of a layer; also the
/// largest value a network file may write for any size.
inline constexpr std::int64_t kMaxLayerDim = std::int64_t{1} << 24;
/// Largest per-sample count of one layer (elements, weights, MACs, ops, parameters).
inline constexpr std::int64_t kMaxLayerCount = std::int64_t{1} << 50;
/// Largest per-sample sum over a network's layers (MACs, ops, weights, parameters).
inline constexpr std::int64_t kMaxNetworkCount = std::int64_t{1} << 60;
/// Most layers in one network (after block expansion).
inline constexpr std::int64_t kMaxNetworkLayers = 100'000;

/// Product of non-negative factors, or -1 when a factor is negative or the product overflows
/// int64. Never overflows itself.
std::int64_t CheckedProduct(std::initializer_list<std::int64_t> factors);

/// Per-sample sums over the layers checked so far (see LayerLimitProblem).
struct NetworkTotals {
  std::int64_t layers = 0;
  std::int64_t macs = 0;
  std::int64_t ops = 0;
  std::int64_t weights = 0;
  std::int64_t params = 0;
};

/// What makes `l` break the limits above, as a phrase to follow "layer 'NAME': " (for example
/// "its MACs per sample (m x e x f x c/groups x r x s = 8 x 30 x 30 x 3 x 3 x 3) exceed 2^50 =
/// 1125899906842624"), or "" when it keeps them. With `totals`, a layer within its own limits
/// is added to the sums, and the sums and the layer count are checked too (a problem leaves
/// `totals` unchanged). Safe for any field values: computes nothing that can overflow.
std::string LayerLimitProblem(const Layer& l, NetworkTotals* totals = nullptr);

struct Network {
  std::string name;
  std::string description;
  std::vector<Layer> layers;

  [[nodiscard]] std::int64_t macs() const;          ///< forward MACs per sample
  [[nodiscard]] std::int64_t weight_count() const;  ///< sum of Layer::weight_count()
  [[nodiscard]] std::int64_t params() const;        ///< sum of Layer::params()
};

}  // namespace trim::net
