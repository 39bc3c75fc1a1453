// Built-in networks with exact layer shapes. Names are lower-case ("alexnet", "resnet50", ...).
// Parameters such as the input resolution or a transformer's sequence length are passed in
// NetworkParams; a network ignores the ones it has no use for.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
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
std::optional<Network> BuiltinNetwork(std::string_view name, const NetworkParams& params = {});

}  // namespace trim::net
