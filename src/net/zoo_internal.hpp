// Module-private: the builders of the built-in network families. Each takes the resolved input
// size (image side in pixels, or tokens per sample) and returns the network with its layer
// shapes; the registry in zoo.cpp names them, applies defaults and validates the result.
#pragma once

#include <cstdint>

#include "trim/net/layer.hpp"

namespace trim::net::internal {

// CNNs (zoo_cnn.cpp); `image` is the input height = width.
Network LeNet5(std::int64_t image);
Network AlexNetGrouped(std::int64_t image);
Network AlexNetConvOnly(std::int64_t image);
Network AlexNetTorchvision(std::int64_t image);
Network Vgg16(std::int64_t image);
Network ResNet18(std::int64_t image);
Network ResNet50(std::int64_t image);
Network MobileNetV1(std::int64_t image);
Network MobileNetV2(std::int64_t image);

// Transformers (zoo_transformer.cpp).
Network VitB16(std::int64_t image);
Network BertBase(std::int64_t seq_len);
Network Gpt2Small(std::int64_t seq_len);

// Multi-layer perceptrons (zoo_transformer.cpp): PRIME's MLP-S/M/L on 784-pixel inputs.
enum class MlpSize : std::uint8_t { kS, kM, kL };
Network Mlp(MlpSize size);

}  // namespace trim::net::internal
