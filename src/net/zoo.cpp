#include "trim/net/zoo.hpp"

#include <array>
#include <string>

namespace trim::net {
namespace {

Layer Conv(std::string name, std::int64_t c, std::int64_t hw, std::int64_t m, std::int64_t k,
           std::int64_t stride, std::int64_t pad, std::int64_t groups = 1) {
  Layer l;
  l.name = std::move(name);
  l.kind = LayerKind::kConv;
  l.c = c;
  l.h = l.w = hw;
  l.m = m;
  l.r = l.s = k;
  l.stride = stride;
  l.pad = pad;
  l.groups = groups;
  return l;
}

Layer Fc(std::string name, std::int64_t c, std::int64_t m) {
  Layer l;
  l.name = std::move(name);
  l.kind = LayerKind::kFc;
  l.c = c;
  l.m = m;
  return l;
}

// AlexNet as Eyeriss ran it (Krizhevsky et al. 2012, two-tower grouping on conv2/4/5).
Network AlexNet() {
  Network n;
  n.name = "alexnet";
  n.description = "AlexNet, grouped conv2/4/5 (227x227 input)";
  n.layers = {Conv("conv1", 3, 227, 96, 11, 4, 0),  Conv("conv2", 96, 27, 256, 5, 1, 2, 2),
              Conv("conv3", 256, 13, 384, 3, 1, 1), Conv("conv4", 384, 13, 384, 3, 1, 1, 2),
              Conv("conv5", 384, 13, 256, 3, 1, 1, 2), Fc("fc6", 9216, 4096),
              Fc("fc7", 4096, 4096),                  Fc("fc8", 4096, 1000)};
  return n;
}

constexpr std::array<std::string_view, 1> kNames = {"alexnet"};

}  // namespace

std::span<const std::string_view> BuiltinNetworkNames() { return kNames; }

std::string_view BuiltinNetworkDescription(std::string_view name) {
  if (name == "alexnet") return "AlexNet, grouped conv2/4/5 (227x227 input)";
  return {};
}

std::optional<Network> BuiltinNetwork(std::string_view name, const NetworkParams& /*params*/) {
  if (name == "alexnet") return AlexNet();
  return std::nullopt;
}

}  // namespace trim::net
