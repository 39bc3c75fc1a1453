// Test tool: imports ONNX files and prints their layers as JSON for onnx_crosscheck.py.
//   onnx_dump [--image N] [--seq N] [--describe] model.onnx...
// The JSON has the shape net_dump prints: one object per file with "name", "macs", "params",
// "weights" and "layers", each layer with its kind, op, shape fields, derived output size, MACs,
// parameters, activation sizes and producers. --describe prints DescribeNetwork() tables.
// Exit status 2 (with the message on stderr) when an import fails.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "trim/core/error.hpp"
#include "trim/net/onnx.hpp"

namespace {

using trim::net::Layer;
using trim::net::LayerKind;

std::string Field(const char* key, std::int64_t v) {
  return std::string(",\"") + key + "\":" + std::to_string(v);
}

std::string Quoted(const std::string& s) {
  std::string out = "\"";
  for (const char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "\"";
}

std::string ToJson(const Layer& l) {
  std::string op;
  if (l.kind == LayerKind::kEltwise) op = std::string(trim::net::Name(l.op));
  if (l.kind == LayerKind::kPool) op = l.pool == trim::net::PoolType::kMax ? "max" : "avg";
  std::string s = "{\"name\":" + Quoted(l.name) + ",\"kind\":\"" +
                  std::string(trim::net::Name(l.kind)) + "\",\"op\":\"" + op + "\"";
  s += Field("c", l.c) + Field("h", l.h) + Field("w", l.w) + Field("m", l.m) + Field("e", l.e()) +
       Field("f", l.f()) + Field("r", l.r) + Field("s", l.s) + Field("stride", l.stride) +
       Field("pad", l.pad) + Field("dilation", l.dilation) + Field("groups", l.groups) +
       Field("num_inputs", l.num_inputs) + Field("bias", l.bias ? 1 : 0) +
       Field("extra_params", l.extra_params) + Field("macs", l.macs()) +
       Field("params", l.params()) + Field("weights", l.weight_count()) +
       Field("in", l.input_count()) + Field("out", l.output_count());
  s += ",\"inputs\":[";
  for (std::size_t i = 0; i < l.inputs.size(); ++i) {
    s += (i > 0 ? "," : "") + std::to_string(l.inputs[i]);
  }
  return s + "]}";
}

}  // namespace

int main(int argc, char** argv) {
  trim::net::NetworkParams params;
  bool describe = false;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "--image" || a == "--seq") && i + 1 < argc) {
      (a == "--image" ? params.image_size : params.seq_len) = std::strtoll(argv[++i], nullptr, 10);
    } else if (a == "--describe") {
      describe = true;
    } else {
      files.push_back(a);
    }
  }
  if (files.empty()) {
    std::cerr << "usage: onnx_dump [--image N] [--seq N] [--describe] model.onnx...\n";
    return 2;
  }
  std::string out = describe ? "" : "[\n";
  try {
    for (std::size_t i = 0; i < files.size(); ++i) {
      const trim::net::Network net = trim::net::LoadOnnxNetwork(files[i], params);
      if (describe) {
        out += trim::net::DescribeNetwork(net, 1) + "\n";
        continue;
      }
      out += "{\"name\":" + Quoted(net.name) + ",\"macs\":" + std::to_string(net.macs()) +
             ",\"params\":" + std::to_string(net.params()) +
             ",\"weights\":" + std::to_string(net.weight_count()) + ",\"layers\":[\n";
      for (std::size_t j = 0; j < net.layers.size(); ++j) {
        out += "  " + ToJson(net.layers[j]) + (j + 1 < net.layers.size() ? ",\n" : "\n");
      }
      out += std::string("]}") + (i + 1 < files.size() ? ",\n" : "\n");
    }
  } catch (const std::runtime_error& e) {  // trim::ConfigError, trim::IoError
    std::cerr << e.what() << "\n";
    return 2;
  }
  if (!describe) out += "]\n";
  std::cout << out;
  return 0;
}
