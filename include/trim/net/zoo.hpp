// Built-in networks with exact layer shapes. Names are lower-case ("alexnet", "resnet50", ...).
// Parameters such as the input resolution or a transformer's sequence length are passed in
// NetworkParams; a network ignores the ones it has no use for. docs/networks.md lists every
// network with its source and totals. Shapes are per sample; the batch is applied later.
// Everything here is a pure function of its arguments and safe to call from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "trim/net/layer.hpp"

namespace trim::net {

struct NetworkParams {
  std::int64_t image_size = 0;  ///< input height = width; 0 = the network's standard size
  std::int64_t seq_len = 0;     ///< tokens per sample for transformers; 0 = standard (128)
};

/// Names of every built-in network, sorted.
std::span<const std::string_view> BuiltinNetworkNames();
/// One-line description of a built-in network ("" if unknown).
std::string_view BuiltinNetworkDescription(std::string_view name);
/// The network, or nullopt if `name` is not built in.
/// Throws trim::ConfigError (without a source position) when `params` do not fit the network:
/// a negative size, an image too small for its strides (or not a multiple of 16 for ViT), or a
/// sequence longer than the network's position table (BERT 512, GPT-2 1024).
std::optional<Network> BuiltinNetwork(std::string_view name, const NetworkParams& params = {});

/// A table of the network's layers: index, name, kind (eltwise/pool with their op), input and
/// output shapes (c x h x w, m x e x f), window (r x s, stride, pad, groups), MACs, parameters,
/// and input/output activation elements, followed by totals. MACs and activations are
/// multiplied by `batch` (>= 1); parameters are not.
std::string DescribeNetwork(const Network& network, std::int64_t batch = 1);

/// A table of every built-in network at its default parameters: name, default input, layers,
/// MACs and parameters per sample, and the one-line description.
std::string DescribeBuiltinNetworks();

}  // namespace trim::net
