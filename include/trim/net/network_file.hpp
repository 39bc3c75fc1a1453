// Loader for network files: TOML descriptions of custom networks (docs/network-format.md).
// A file lists layers in execution order with their kinds and output-side shapes (channels,
// window, stride, ...); input shapes are derived from the producers. Reusable blocks with
// integer parameters avoid copy-paste, and `inputs` names producers for skip connections.
// Errors are trim::ConfigError carrying file:line:column and a hint; an unreadable file is a
// trim::IoError. Pure functions; safe to call from any thread.
#pragma once

#include <string>
#include <string_view>

#include "trim/net/layer.hpp"

namespace trim::net {

/// Throws ConfigError (naming `path`) when `path` exists but is not a regular file (a directory,
/// FIFO, device or socket): opening a FIFO would block forever, reading a device never ends.
/// `what` names the expected file in the message ("network file", "ONNX model").
void RequireRegularFile(const std::string& path, const std::string& what);

/// Reads and parses the network file at `path`.
Network LoadNetworkFile(const std::string& path);

/// Parses network-file text. `path` is used in error positions; the network's name defaults to
/// the file name without directory and extension.
Network ParseNetworkFile(std::string_view text, const std::string& path);

}  // namespace trim::net
