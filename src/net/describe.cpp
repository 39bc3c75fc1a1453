// Human-readable tables of networks (trim-sweep --list-networks / --show-network).
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "trim/net/zoo.hpp"

namespace trim::net {
namespace {

/// 1234567 -> "1,234,567".
std::string Grouped(std::int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  const std::size_t n = digits.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

/// 4089184256 -> "4.09 G".
std::string Short(std::int64_t v) {
  const double x = static_cast<double>(v);
  const char* unit = "";
  double scaled = x;
  if (x >= 1e12) {
    scaled = x / 1e12;
    unit = " T";
  } else if (x >= 1e9) {
    scaled = x / 1e9;
    unit = " G";
  } else if (x >= 1e6) {
    scaled = x / 1e6;
    unit = " M";
  } else if (x >= 1e3) {
    scaled = x / 1e3;
    unit = " K";
  } else {
    return std::to_string(v);
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%s", scaled, unit);
  return buf;
}

std::string Shape(std::int64_t c, std::int64_t h, std::int64_t w) {
  return std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
}

std::string KindText(const Layer& l) {
  switch (l.kind) {
    case LayerKind::kPool:
      return l.pool == PoolType::kMax ? "maxpool" : "avgpool";
    case LayerKind::kEltwise:
      return std::string(Name(l.op));
    default:
      return std::string(Name(l.kind));
  }
}

std::string WindowText(const Layer& l) {
  switch (l.kind) {
    case LayerKind::kConv:
    case LayerKind::kPool: {
      std::string t =
          std::to_string(l.r) + "x" + std::to_string(l.s) + "/" + std::to_string(l.stride);
      if (l.pad != 0) t += " p" + std::to_string(l.pad);
      if (l.groups != 1) t += " g" + std::to_string(l.groups);
      return t;
    }
    case LayerKind::kMatmul:
      return "g" + std::to_string(l.groups);
    default:
      return "";
  }
}

/// Renders rows as left-aligned (text) and right-aligned (numbers) columns.
class Table {
 public:
  explicit Table(std::vector<std::string> header, std::vector<bool> right)
      : right_(std::move(right)) {
    rows_.push_back(std::move(header));
  }
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  [[nodiscard]] std::string Render() const {
    std::vector<std::size_t> width(right_.size(), 0);
    for (const auto& row : rows_) {
      for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
    }
    std::string out;
    for (std::size_t r = 0; r < rows_.size(); ++r) {
      std::string line;
      for (std::size_t i = 0; i < rows_[r].size(); ++i) {
        const std::string& cell = rows_[r][i];
        const std::string fill(width[i] - cell.size(), ' ');
        if (i > 0) line += "  ";
        line += right_[i] ? fill + cell : cell + fill;
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
      if (r == 0) {
        std::size_t total = 0;
        for (std::size_t w : width) total += w + 2;
        out += std::string(total - 2, '-') + "\n";
      }
    }
    return out;
  }

 private:
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace

std::string DescribeNetwork(const Network& network, std::int64_t batch) {
  batch = std::max<std::int64_t>(batch, 1);
  Table t(
      {"#", "layer", "kind", "input", "output", "window", "MACs", "params", "in acts", "out acts"},
      {true, false, false, false, false, false, true, true, true, true});
  std::int64_t macs = 0;
  std::int64_t ops = 0;
  std::int64_t acts = 0;
  std::int64_t peak = 0;
  for (std::size_t i = 0; i < network.layers.size(); ++i) {
    const Layer& l = network.layers[i];
    macs += l.macs() * batch;
    ops += l.ops() * batch;
    acts += l.output_count() * batch;
    peak = std::max(peak, (l.input_count() + l.output_count()) * batch);
    t.Add({std::to_string(i), l.name, KindText(l), Shape(l.c, l.h, l.w), Shape(l.m, l.e(), l.f()),
           WindowText(l), Grouped(l.macs() * batch), Grouped(l.params()),
           Grouped(l.input_count() * batch), Grouped(l.output_count() * batch)});
  }
  std::string out = network.name;
  if (!network.description.empty()) out += ": " + network.description;
  out += "\nbatch " + std::to_string(batch) + ", " + std::to_string(network.layers.size()) +
         " layers; shapes are per sample (c x h x w), MACs and activations are per batch\n\n";
  out += t.Render();
  out += "\ntotal MACs          " + Grouped(macs) + " (" + Short(macs) + ")\n";
  out += "total other ops     " + Grouped(ops) + " (" + Short(ops) + ")\n";
  out += "parameters          " + Grouped(network.params()) + " (" + Short(network.params()) +
         "), of which MAC weights " + Grouped(network.weight_count()) + "\n";
  out += "activations (sum of layer outputs)  " + Grouped(acts) + " (" + Short(acts) + ")\n";
  out += "largest layer input+output          " + Grouped(peak) + " (" + Short(peak) + ")\n";
  return out;
}

std::string DescribeBuiltinNetworks() {
  Table t({"name", "input", "layers", "MACs/sample", "params", "description"},
          {false, false, true, true, true, false});
  for (std::string_view name : BuiltinNetworkNames()) {
    const auto net = BuiltinNetwork(name);
    if (!net) continue;
    const Layer& first = net->layers.front();
    std::string input = Shape(first.c, first.h, first.w);
    // A network that starts from an embedding table takes token ids.
    if (first.kind == LayerKind::kEltwise && first.extra_params > 0) {
      input = std::to_string(first.h) + " tokens";
    }
    t.Add({std::string(name), input, std::to_string(net->layers.size()), Short(net->macs()),
           Short(net->params()), net->description});
  }
  return t.Render();
}

}  // namespace trim::net
