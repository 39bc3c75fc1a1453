// Test tool: prints built-in networks as JSON for the torch cross-check (torch_crosscheck.py).
//   net_dump [--image N] [--seq N] [--describe] [name...]     (no names: every network)
// One object per network: {"name", "macs", "params", "weights", "layers": [...]}, each layer
// with its kind, op, shape fields, derived output size, MACs and parameters. --describe prints
// DescribeNetwork() tables instead.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "trim/core/error.hpp"
#include "trim/net/zoo.hpp"

namespace {

using trim::net::Layer;
using trim::net::LayerKind;

std::string LayerJson(const Layer& l) {
  std::string op;
  if (l.kind == LayerKind::kEltwise) op = std::string(trim::net::Name(l.op));
  if (l.kind == LayerKind::kPool) op = l.pool == trim::net::PoolType::kMax ? "max" : "avg";
  std::string inputs = "[";
  for (std::size_t i = 0; i < l.inputs.size(); ++i) {
    if (i > 0) inputs += ",";
    inputs += std::to_string(l.inputs[i]);
  }
  inputs += "]";
  auto field = [](const char* k, std::int64_t v) {
    return std::string(",\"") + k + "\":" + std::to_string(v);
  };
  std::string s = "{\"name\":\"" + l.name + "\",\"kind\":\"" +
                  std::string(trim::net::Name(l.kind)) + "\",\"op\":\"" + op + "\"";
  s += field("c", l.c) + field("h", l.h) + field("w", l.w) + field("m", l.m) + field("e", l.e()) +
       field("f", l.f()) + field("r", l.r) + field("s", l.s) + field("stride", l.stride) +
       field("pad", l.pad) + field("groups", l.groups) + field("num_inputs", l.num_inputs) +
       field("macs", l.macs()) + field("params", l.params()) + field("weights", l.weight_count()) +
       field("in", l.input_count()) + field("out", l.output_count());
  s += ",\"inputs\":" + inputs + "}";
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  trim::net::NetworkParams params;
  bool describe = false;
  std::vector<std::string> names;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "--image" || a == "--seq") && i + 1 < argc) {
      const std::int64_t v = std::strtoll(argv[++i], nullptr, 10);
      (a == "--image" ? params.image_size : params.seq_len) = v;
    } else if (a == "--describe") {
      describe = true;
    } else {
      names.push_back(a);
    }
  }
  if (names.empty()) {
    for (auto n : trim::net::BuiltinNetworkNames()) names.emplace_back(n);
  }
  try {
    std::string out = describe ? "" : "[\n";
    for (std::size_t i = 0; i < names.size(); ++i) {
      const auto net = trim::net::BuiltinNetwork(names[i], params);
      if (!net) {
        std::cerr << "net_dump: unknown network '" << names[i] << "'\n";
        return 2;
      }
      if (describe) {
        out += trim::net::DescribeNetwork(*net, 1) + "\n";
        continue;
      }
      out += "{\"name\":\"" + net->name + "\",\"macs\":" + std::to_string(net->macs()) +
             ",\"params\":" + std::to_string(net->params()) +
             ",\"weights\":" + std::to_string(net->weight_count()) + ",\"layers\":[\n";
      for (std::size_t j = 0; j < net->layers.size(); ++j) {
        out += "  " + LayerJson(net->layers[j]) + (j + 1 < net->layers.size() ? ",\n" : "\n");
      }
      out += std::string("]}") + (i + 1 < names.size() ? ",\n" : "\n");
    }
    if (!describe) out += "]\n";
    std::cout << out;
  } catch (const trim::ConfigError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
  return 0;
}
