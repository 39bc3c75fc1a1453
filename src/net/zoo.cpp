// The registry of built-in networks: names, descriptions, defaults and parameter checks. The
// shapes themselves live in zoo_cnn.cpp and zoo_transformer.cpp.
#include "trim/net/zoo.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "trim/core/error.hpp"
#include "zoo_internal.hpp"

namespace trim::net {
namespace {

using internal::MlpSize;

/// What a network's size parameter means.
enum class SizeKind : std::uint8_t { kImage, kSeq, kNone };

struct Entry {
  std::string_view name;
  std::string_view description;
  SizeKind size_kind;
  std::int64_t default_size;  ///< image side or tokens
  std::int64_t max_size;      ///< largest accepted size
  Network (*build)(std::int64_t size);
};

constexpr std::int64_t kMaxImage = 4096;

// Sorted by name (BuiltinNetworkNames() returns them in this order).
constexpr std::array<Entry, 15> kEntries = {{
    {"alexnet", "AlexNet, grouped conv2/4/5 as Eyeriss ran it (Krizhevsky 2012)", SizeKind::kImage,
     227, kMaxImage, internal::AlexNetGrouped},
    {"alexnet-conv", "AlexNet CONV1-CONV5 only, grouped, for Eyeriss validation", SizeKind::kImage,
     227, kMaxImage, internal::AlexNetConvOnly},
    {"alexnet-tv", "AlexNet, torchvision single-tower variant (Krizhevsky 2014)", SizeKind::kImage,
     224, kMaxImage, internal::AlexNetTorchvision},
    {"bert-base", "BERT-base encoder, 12 layers, hidden 768, 12 heads (Devlin 2019)",
     SizeKind::kSeq, 128, 512, internal::BertBase},
    {"gpt2-small", "GPT-2 small decoder with LM head, 12 layers, hidden 768 (Radford 2019)",
     SizeKind::kSeq, 128, 1024, internal::Gpt2Small},
    {"lenet5", "LeNet-5 for 32x32 MNIST, ReLU and average pooling (LeCun 1998)", SizeKind::kImage,
     32, kMaxImage, internal::LeNet5},
    {"mlp-l", "MLP-L 784-1500-1000-500-10 (PRIME, Chi 2016)", SizeKind::kNone, 0, 0,
     [](std::int64_t) { return internal::Mlp(MlpSize::kL); }},
    {"mlp-m", "MLP-M 784-1000-500-250-10 (PRIME, Chi 2016)", SizeKind::kNone, 0, 0,
     [](std::int64_t) { return internal::Mlp(MlpSize::kM); }},
    {"mlp-s", "MLP-S 784-500-250-10 (PRIME, Chi 2016)", SizeKind::kNone, 0, 0,
     [](std::int64_t) { return internal::Mlp(MlpSize::kS); }},
    {"mobilenet-v1", "MobileNet v1 1.0 (Howard 2017)", SizeKind::kImage, 224, kMaxImage,
     internal::MobileNetV1},
    {"mobilenet-v2", "MobileNet v2 1.0, torchvision layout (Sandler 2018)", SizeKind::kImage, 224,
     kMaxImage, internal::MobileNetV2},
    {"resnet18", "ResNet-18, torchvision layout (He 2016)", SizeKind::kImage, 224, kMaxImage,
     internal::ResNet18},
    {"resnet50", "ResNet-50 v1.5, stride in the 3x3 (He 2016, torchvision)", SizeKind::kImage, 224,
     kMaxImage, internal::ResNet50},
    {"vgg16", "VGG-16, configuration D (Simonyan 2015)", SizeKind::kImage, 224, kMaxImage,
     internal::Vgg16},
    {"vit-b16", "ViT-B/16, torchvision layout (Dosovitskiy 2021)", SizeKind::kImage, 224, kMaxImage,
     internal::VitB16},
}};

constexpr std::array<std::string_view, kEntries.size()> MakeNames() {
  std::array<std::string_view, kEntries.size()> names{};
  for (std::size_t i = 0; i < kEntries.size(); ++i) names[i] = kEntries[i].name;
  return names;
}

constexpr std::array<std::string_view, kEntries.size()> kNames = MakeNames();

const Entry* Find(std::string_view name) {
  for (const Entry& e : kEntries) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

[[noreturn]] void Reject(const std::string& problem, const std::string& hint) {
  throw ConfigError(SourcePos{}, problem, hint);
}

// The size to build `e` at, after checking the user's parameters.
std::int64_t ResolveSize(const Entry& e, const NetworkParams& params) {
  const std::string name(e.name);
  if (e.size_kind == SizeKind::kImage) {
    if (params.image_size < 0) {
      Reject(
          "image_size = " + std::to_string(params.image_size) + " is negative",
          "use 0 for the standard size of " + name + " (" + std::to_string(e.default_size) + ")");
    }
    const std::int64_t size = params.image_size == 0 ? e.default_size : params.image_size;
    if (size > e.max_size) {
      Reject("image_size = " + std::to_string(size) + " is too large for " + name,
             "use at most " + std::to_string(e.max_size));
    }
    if (e.name == "vit-b16" && size % 16 != 0) {
      Reject("image_size = " + std::to_string(size) + " is not a multiple of the 16-pixel patch",
             "use a multiple of 16, such as 224 or 384");
    }
    return size;
  }
  if (e.size_kind == SizeKind::kSeq) {
    if (params.seq_len < 0) {
      Reject("seq_len = " + std::to_string(params.seq_len) + " is negative",
             "use 0 for the standard " + std::to_string(e.default_size) + " tokens");
    }
    const std::int64_t size = params.seq_len == 0 ? e.default_size : params.seq_len;
    if (size > e.max_size) {
      Reject("seq_len = " + std::to_string(size) + " exceeds the " + std::to_string(e.max_size) +
                 " positions of " + name,
             "use a sequence length between 1 and " + std::to_string(e.max_size));
    }
    return size;
  }
  return 0;
}

}  // namespace

std::span<const std::string_view> BuiltinNetworkNames() { return kNames; }

std::string_view BuiltinNetworkDescription(std::string_view name) {
  const Entry* e = Find(name);
  return e == nullptr ? std::string_view{} : e->description;
}

std::optional<Network> BuiltinNetwork(std::string_view name, const NetworkParams& params) {
  const Entry* e = Find(name);
  if (e == nullptr) return std::nullopt;
  const std::int64_t size = ResolveSize(*e, params);
  Network net = e->build(size);
  net.description = std::string(e->description);
  for (const Layer& l : net.layers) {
    if (l.e() < 1 || l.f() < 1) {
      Reject("image_size = " + std::to_string(size) + " is too small for " + std::string(name) +
                 ": layer " + l.name + " would have no output",
             "use the standard size " + std::to_string(e->default_size) + " or larger");
    }
  }
  return net;
}

}  // namespace trim::net
