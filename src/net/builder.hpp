// Module-private helper that assembles a Network layer by layer while tracking the shape of
// every activation, so that the zoo tables state only what the papers state (channels, windows,
// strides) and derive the spatial sizes. An Act is a handle to one activation tensor: the index
// of the layer that produced it (-1 for the network input) and its shape c x h x w per sample.
// Transformer activations use the token layout c = hidden width, h = tokens, w = 1.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "trim/net/layer.hpp"

namespace trim::net::internal {

struct Act {
  int id = -1;  ///< producing layer, -1 = network input
  std::int64_t c = 1;
  std::int64_t h = 1;
  std::int64_t w = 1;
};

class NetBuilder {
 public:
  NetBuilder(std::string name, std::string description);

  /// The network input tensor.
  [[nodiscard]] static Act Input(std::int64_t c, std::int64_t h, std::int64_t w);

  /// Square-window convolution (bias off unless asked for).
  Act Conv(std::string name, Act x, std::int64_t m, std::int64_t k, std::int64_t stride,
           std::int64_t pad, std::int64_t groups = 1, bool bias = false);
  /// Fully connected layer applied at every one of x's h*w positions (per token).
  Act Fc(std::string name, Act x, std::int64_t m, bool bias = true);
  /// Batched product of `groups` (rows x k) * (k x n) matrices; a and b are the operands'
  /// producers. The result is in token layout: c = groups*n, h = rows.
  Act Matmul(std::string name, Act a, Act b, std::int64_t groups, std::int64_t rows, std::int64_t k,
             std::int64_t n);
  Act Pool(std::string name, Act x, PoolType type, std::int64_t k, std::int64_t stride,
           std::int64_t pad = 0);
  /// Average over the whole h x w map (adaptive pooling to 1x1).
  Act GlobalAvgPool(std::string name, Act x);
  /// Single-operand element-wise op with the shape of x.
  Act Elt(std::string name, Act x, EltOp op);
  /// Element-wise op over an explicit c x h x w view of x's elements (softmax rows over w).
  Act EltView(std::string name, Act x, EltOp op, std::int64_t c, std::int64_t h, std::int64_t w);
  /// Residual add of two producers with equal shapes.
  Act Add(std::string name, Act a, Act b);
  /// Element-wise sum of `num_operands` c x h tensors in token layout, all but (at most) one of
  /// them read from parameter tables (embeddings); `table_params` counts those parameters. x is
  /// the one producer (-1 for token ids).
  Act TableAdd(std::string name, Act x, std::int64_t c, std::int64_t h, std::int64_t num_operands,
               std::int64_t table_params);

  /// conv, batch-norm, ReLU; names are prefix + conv_name / bn_name / relu_name.
  Act ConvBnRelu(const std::string& conv_name, const std::string& bn_name,
                 const std::string& relu_name, Act x, std::int64_t m, std::int64_t k,
                 std::int64_t stride, std::int64_t pad, std::int64_t groups = 1);

  /// Reinterprets x's elements as a vector (Flatten): bookkeeping only, no layer.
  [[nodiscard]] static Act Flatten(Act x);
  /// Reinterprets x's elements in token layout: c channels, h*w tokens. No layer.
  [[nodiscard]] static Act ToTokens(Act x);

  [[nodiscard]] Network Finish() &&;

 private:
  Act Push(Layer layer, std::vector<int> producers);

  Network net_;
};

}  // namespace trim::net::internal
