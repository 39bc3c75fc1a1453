// Import of ONNX models (docs/onnx.md) into the convolution-shaped layer vocabulary of
// layer.hpp. Every compute node becomes one Layer: Conv -> kConv, Gemm and MatMul with a
// weight initializer -> kFc, MatMul of two activations -> kMatmul (groups = the batch-like
// leading dimensions, e.g. attention heads), pooling -> kPool, element-wise ops, normalizations
// and softmax -> kEltwise; the decomposed LayerNorm and erf-GELU patterns that exporters emit
// are recognised and fused into one layer. Shape-only nodes (Reshape, Flatten, Transpose,
// Squeeze, Unsqueeze, Concat, Slice, Split, Gather, Shape, Constant, Identity, Dropout, ...)
// produce no layer; their outputs keep pointing at the layers that produced the data.
//
// Shapes must be static (a dynamic batch axis is allowed; dynamic image or sequence axes of the
// graph inputs are filled from NetworkParams). The batch axis (axis 0 of every activation) is
// stripped: the returned shapes are per sample, like the built-in networks.
//
// Errors: an unreadable file is a trim::IoError; a file that is not an ONNX model, a truncated
// file, an unsupported operator (named with its node index and node name), a dynamic shape
// that cannot be resolved, or a shape the layer vocabulary cannot express is a
// trim::ConfigError whose position is the file path. Nothing is silently dropped.
//
// Builds configured with -DTRIM_WITH_ONNX=OFF keep these functions; they throw ConfigError.
// Pure functions of their arguments; safe to call from any thread.
#pragma once

#include <string>
#include <string_view>

#include "trim/net/layer.hpp"
#include "trim/net/zoo.hpp"

namespace trim::net {

/// True when this build can import ONNX files (TRIM_WITH_ONNX=ON).
bool OnnxSupported();

/// Reads and imports the ONNX model at `path`. The network's name is the file name without
/// directory and extension. `params.image_size` / `params.seq_len` fill dynamic spatial or
/// sequence axes of the graph inputs; a non-zero value that contradicts a static axis is a
/// ConfigError (the exported model fixes that size).
Network LoadOnnxNetwork(const std::string& path, const NetworkParams& params = {});

/// Imports a serialized ONNX ModelProto held in memory. `path` is used in error messages and
/// for the network's name.
Network ParseOnnxNetwork(std::string_view bytes, const std::string& path,
                         const NetworkParams& params = {});

}  // namespace trim::net
