// Network files (docs/network-format.md): parse with toml++, check every key and value, expand
// blocks, derive input shapes from producers, and return a plain Network.
#include "trim/net/network_file.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <span>
#include <sstream>
#include <vector>

#include "trim/core/error.hpp"

namespace trim::net {
namespace {

using Params = std::map<std::string, std::int64_t, std::less<>>;

constexpr std::array<std::string_view, 5> kTopKeys = {"name", "description", "input", "layer",
                                                      "block"};
constexpr std::array<std::string_view, 2> kBlockKeys = {"params", "layer"};
constexpr std::array<std::string_view, 6> kUseKeys = {"block", "name",   "repeat",
                                                      "start", "inputs", "set"};
constexpr std::array<std::string_view, 5> kKinds = {"conv", "fc", "matmul", "pool", "eltwise"};
constexpr std::array<std::string_view, 7> kOps = {"add",     "relu", "batchnorm", "layernorm",
                                                  "softmax", "gelu", "mul"};
constexpr std::array<std::string_view, 2> kPools = {"max", "avg"};

/// Keys each kind accepts besides name, kind, inputs and extra_params.
std::vector<std::string_view> KindKeys(LayerKind k) {
  switch (k) {
    case LayerKind::kConv:
      return {"m", "kernel", "r", "s", "stride", "pad", "dilation", "groups", "bias"};
    case LayerKind::kFc:
      return {"m", "bias", "per_position"};
    case LayerKind::kMatmul:
      return {"groups", "k", "n", "rows"};
    case LayerKind::kPool:
      return {"pool", "kernel", "r", "s", "stride", "pad", "global"};
    case LayerKind::kEltwise:
      return {"op", "operands", "shape"};
  }
  return {};
}

struct Shape {
  std::int64_t c = 1;
  std::int64_t h = 1;
  std::int64_t w = 1;
  [[nodiscard]] std::int64_t count() const { return c * h * w; }
  [[nodiscard]] std::string text() const {
    return std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
  }
};

/// Where layer names are looked up while a block instance is being expanded.
struct Scope {
  std::string prefix;              ///< "" at top level, "layer1.0." in a block instance
  const Params* params = nullptr;  ///< block parameters (nullptr at top level)
  int block_input = -1;            ///< producer of the instance's first layer ("in")
  std::map<std::string, int, std::less<>> local;  ///< local name -> layer index
  bool in_block = false;
};

std::string Join(std::span<const std::string_view> names) {
  std::string s;
  for (auto n : names) s += (s.empty() ? "" : ", ") + std::string(n);
  return s;
}

class Parser {
 public:
  explicit Parser(std::string path) : path_(std::move(path)) {}

  Network Run(std::string_view text) {
    toml::table root;
    try {
      root = toml::parse(text, std::string_view(path_));
    } catch (const toml::parse_error& e) {
      Fail(Pos(e.source()), "invalid TOML: " + std::string(e.description()),
           "fix the syntax (TOML 1.0, https://toml.io/en/v1.0.0)");
    }
    CheckKeys(root, kTopKeys, "the network file");
    net_.name = DefaultName();
    if (const auto* n = root.get("name")) net_.name = String(*n, "name");
    if (const auto* d = root.get("description")) net_.description = String(*d, "description");
    ReadInput(root);
    if (const auto* b = root.get("block")) ReadBlocks(*b);
    const toml::node* layers = root.get("layer");
    if (layers == nullptr) {
      Fail(SourcePos{path_, 1, 1}, "the network has no layers",
           "add layers as [[layer]] tables; see docs/network-format.md");
    }
    const toml::array& list = Array(*layers, "layer");
    if (list.empty()) Fail(Pos(*layers), "the network has no layers", "add [[layer]] tables");
    Scope top;
    for (const toml::node& item : list) {
      const toml::table& t = Table(item, "a [[layer]] entry");
      if (t.contains("block")) {
        ExpandBlock(t);
      } else {
        AddLayer(t, top);
      }
    }
    return std::move(net_);
  }

 private:
  // ---- errors and typed access ----------------------------------------------------------
  SourcePos Pos(const toml::source_region& r) const {
    return SourcePos{path_, static_cast<int>(r.begin.line), static_cast<int>(r.begin.column)};
  }
  SourcePos Pos(const toml::node& n) const { return Pos(n.source()); }

  [[noreturn]] static void Fail(const SourcePos& pos, const std::string& problem,
                                const std::string& hint) {
    throw ConfigError(pos, problem, hint);
  }

  std::string DefaultName() const {
    std::string n = path_.substr(path_.find_last_of('/') + 1);
    const auto dot = n.rfind('.');
    if (dot != std::string::npos && dot > 0) n.resize(dot);
    return n.empty() ? "network" : n;
  }

  template <typename Range>
  void CheckKeys(const toml::table& t, const Range& allowed, const std::string& where) const {
    for (const auto& [k, v] : t) {
      const std::string_view key = k.str();
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      const std::string best = DidYouMean(key, allowed);
      std::vector<std::string_view> sorted(allowed.begin(), allowed.end());
      std::sort(sorted.begin(), sorted.end());
      Fail(Pos(k.source()), "unknown key '" + std::string(key) + "' in " + where,
           (best.empty() ? "" : "did you mean '" + best + "'? ") + "valid keys: " + Join(sorted));
    }
  }

  const toml::table& Table(const toml::node& n, const std::string& what) const {
    if (const auto* t = n.as_table()) return *t;
    Fail(Pos(n), what + " must be a table", "write it as [name] / [[name]] or { ... }");
  }
  const toml::array& Array(const toml::node& n, const std::string& what) const {
    if (const auto* a = n.as_array()) return *a;
    Fail(Pos(n), what + " must be a list", "write [[" + what + "]] tables or [ ... ]");
  }
  std::string String(const toml::node& n, const std::string& what) const {
    if (const auto* s = n.as_string()) return s->get();
    Fail(Pos(n), what + " must be a string", "quote it: " + what + " = \"...\"");
  }
  bool Bool(const toml::node& n, const std::string& what) const {
    if (const auto* b = n.as_boolean()) return b->get();
    Fail(Pos(n), what + " must be true or false", "write " + what + " = true or false, unquoted");
  }
  /// An integer in [min, max]; in a block, a string names a block parameter.
  std::int64_t Int(const toml::node& n, const std::string& what, std::int64_t min,
                   const Params* params, std::int64_t max = kMaxLayerDim) const {
    std::int64_t v = 0;
    if (const auto* i = n.as_integer()) {
      v = i->get();
    } else if (const auto* s = n.as_string(); s != nullptr && params != nullptr) {
      const auto it = params->find(s->get());
      if (it == params->end()) {
        std::vector<std::string_view> names;
        for (const auto& [k, unused] : *params) names.push_back(k);
        const std::string best = DidYouMean(s->get(), names);
        Fail(Pos(n), what + " = \"" + s->get() + "\" is not a parameter of this block",
             (best.empty() ? "" : "did you mean '" + best + "'? ") +
                 "declare it in the block's params = { ... }" +
                 (names.empty() ? "" : " (declared: " + Join(names) + ")"));
      }
      v = it->second;
    } else {
      Fail(Pos(n), what + " must be an integer",
           params != nullptr ? "write a number or the name of a block parameter in quotes"
                             : "write a whole number, such as " + what + " = " +
                                   std::to_string(std::max<std::int64_t>(min, 1)));
    }
    if (v < min) {
      Fail(Pos(n), what + " = " + std::to_string(v) + " must be >= " + std::to_string(min),
           "write a value of at least " + std::to_string(min) +
               " (see Limits in docs/network-format.md)");
    }
    if (v > max) {
      Fail(Pos(n), what + " = " + std::to_string(v) + " must be <= " + std::to_string(max),
           max == kMaxLayerDim
               ? "sizes, windows, strides, pads, dilations, groups and counts are at most 2^24 "
                 "(see Limits in docs/network-format.md)"
               : "see Limits in docs/network-format.md");
    }
    return v;
  }
  std::int64_t IntOr(const toml::table& t, std::string_view key, std::int64_t def, std::int64_t min,
                     const Params* params, const std::string& where,
                     std::int64_t max = kMaxLayerDim) const {
    const toml::node* n = t.get(key);
    return n == nullptr ? def : Int(*n, where + "." + std::string(key), min, params, max);
  }
  template <typename Range>
  std::size_t Choice(const toml::node& n, const std::string& what, const Range& choices) const {
    const std::string s = String(n, what);
    for (std::size_t i = 0; i < choices.size(); ++i) {
      if (choices[i] == s) return i;
    }
    const std::string best = DidYouMean(s, choices);
    Fail(Pos(n), what + " = \"" + s + "\" is not known",
         (best.empty() ? "" : "did you mean '" + best + "'? ") + "valid: " + Join(choices));
  }

  // ---- sections --------------------------------------------------------------------------
  void ReadInput(const toml::table& root) {
    const toml::node* n = root.get("input");
    if (n == nullptr) {
      Fail(SourcePos{path_, 1, 1}, "the network file has no input shape",
           "add input = [channels, height, width], e.g. input = [3, 224, 224]");
    }
    const toml::array& a = Array(*n, "input");
    if (a.size() != 3) {
      Fail(Pos(*n),
           "input must list 3 numbers (channels, height, width), not " + std::to_string(a.size()),
           "for a vector write [features, 1, 1]; for tokens [width, tokens, 1]");
    }
    input_ = {Int(a[0], "input[0]", 1, nullptr), Int(a[1], "input[1]", 1, nullptr),
              Int(a[2], "input[2]", 1, nullptr)};
    const std::int64_t count = CheckedProduct({input_.c, input_.h, input_.w});
    if (count < 0 || count > kMaxLayerCount) {
      Fail(Pos(*n),
           "input " + input_.text() + " has more than " + std::to_string(kMaxLayerCount) +
               " elements",
           "a sample is at most 2^50 elements (see Limits in docs/network-format.md)");
    }
  }

  void ReadBlocks(const toml::node& n) {
    for (const auto& [k, v] : Table(n, "block")) {
      const std::string name(k.str());
      const toml::table& t = Table(v, "block." + name);
      CheckKeys(t, kBlockKeys, "block." + name);
      Params defaults;
      if (const auto* p = t.get("params")) {
        for (const auto& [pk, pv] : Table(*p, "block." + name + ".params")) {
          defaults[std::string(pk.str())] = Int(
              pv, "block." + name + ".params." + std::string(pk.str()), 0, nullptr, kMaxLayerCount);
        }
      }
      const toml::node* layers = t.get("layer");
      if (layers == nullptr || Array(*layers, "block." + name + ".layer").empty()) {
        Fail(Pos(v), "block." + name + " has no layers", "add [[block." + name + ".layer]] tables");
      }
      blocks_.emplace(name, BlockDef{&t, std::move(defaults)});
    }
  }

  void ExpandBlock(const toml::table& use) {
    CheckKeys(use, kUseKeys, "a block use");
    const std::string block = String(*use.get("block"), "block");
    const auto it = blocks_.find(block);
    if (it == blocks_.end()) {
      std::vector<std::string_view> names;
      for (const auto& [k, unused] : blocks_) names.push_back(k);
      const std::string best = DidYouMean(block, names);
      Fail(Pos(*use.get("block")), "block = \"" + block + "\" is not defined",
           (best.empty() ? "" : "did you mean '" + best + "'? ") +
               (names.empty() ? std::string("define it as [block." + block + "]")
                              : "defined blocks: " + Join(names)));
    }
    const toml::node* name_node = use.get("name");
    if (name_node == nullptr) {
      Fail(Pos(use), "a use of block \"" + block + "\" needs a name",
           "add name = \"...\"; its layers are named <name>.<repetition>.<layer>");
    }
    const std::string name = String(*name_node, "name");
    const std::int64_t repeat = IntOr(use, "repeat", 1, 1, nullptr, name, kMaxNetworkLayers);
    const std::int64_t start = IntOr(use, "start", 0, 0, nullptr, name);
    Params params = it->second.defaults;
    if (const auto* set = use.get("set")) {
      for (const auto& [k, v] : Table(*set, "set")) {
        const std::string key(k.str());
        if (!params.contains(key)) {
          std::vector<std::string_view> names;
          for (const auto& [pk, unused] : params) names.push_back(pk);
          const std::string best = DidYouMean(key, names);
          Fail(Pos(k.source()), "block." + block + " has no parameter '" + key + "'",
               (best.empty() ? "" : "did you mean '" + best + "'? ") + "declare it in block." +
                   block + ".params");
        }
        params[key] = Int(v, name + ".set." + key, 0, nullptr, kMaxLayerCount);
      }
    }
    int producer = static_cast<int>(net_.layers.size()) - 1;
    if (const auto* in = use.get("inputs")) {
      const toml::array& a = Array(*in, name + ".inputs");
      if (a.size() != 1)
        Fail(Pos(*in), name + ".inputs must name exactly one producer",
             "a block takes one input: write inputs = [\"<layer>\"]");
      producer = Resolve(a[0], Scope{});
    }
    const toml::array& layers = *it->second.table->get("layer")->as_array();
    // Checked before expanding: a large repeat must not build the layers first.
    const auto total = static_cast<std::int64_t>(net_.layers.size()) +
                       repeat * static_cast<std::int64_t>(layers.size());
    if (total > kMaxNetworkLayers) {
      const toml::node* at = use.contains("repeat") ? use.get("repeat") : use.get("block");
      Fail(Pos(*at),
           name + ": " + std::to_string(repeat) + " x " + std::to_string(layers.size()) +
               " layers of block \"" + block + "\" would make the network " +
               std::to_string(total) + " layers long",
           "a network has at most " + std::to_string(kMaxNetworkLayers) +
               " layers after blocks are expanded (see Limits in docs/network-format.md)");
    }
    for (std::int64_t rep = 0; rep < repeat; ++rep) {
      Scope scope;
      scope.in_block = true;
      scope.prefix = name + "." + std::to_string(start + rep) + ".";
      scope.params = &params;
      scope.block_input = rep == 0 ? producer : static_cast<int>(net_.layers.size()) - 1;
      for (const toml::node& item : layers) AddLayer(Table(item, "a block layer"), scope);
    }
  }

  /// The layer index an `inputs` entry names (-1 = network input).
  int Resolve(const toml::node& n, const Scope& scope) const {
    const std::string s = String(n, "an inputs entry");
    if (s == "input") return -1;
    if (scope.in_block) {
      if (s == "in") return scope.block_input;
      if (const auto it = scope.local.find(s); it != scope.local.end()) return it->second;
    }
    if (const auto it = index_.find(s); it != index_.end()) return it->second;
    std::vector<std::string_view> names;
    for (const auto& [k, unused] : index_) names.push_back(k);
    for (const auto& [k, unused] : scope.local) names.push_back(k);
    const std::string best = DidYouMean(s, names);
    Fail(Pos(n), "inputs names \"" + s + "\", which is not an earlier layer",
         (best.empty() ? "" : "did you mean '" + best + "'? ") +
             "name a layer defined above, \"input\" for the network input" +
             (scope.in_block ? ", or \"in\" for the block's input" : ""));
  }

  Shape OutputOf(int producer) const {
    if (producer < 0) return input_;
    const Layer& l = net_.layers[static_cast<std::size_t>(producer)];
    return {l.m, l.e(), l.f()};
  }

  void AddLayer(const toml::table& t, Scope& scope) {
    const toml::node* name_node = t.get("name");
    if (name_node == nullptr) Fail(Pos(t), "a layer needs a name", "add name = \"...\"");
    const std::string local = String(*name_node, "name");
    if (local.empty() || local == "input" || local == "in") {
      Fail(Pos(*name_node), "name = \"" + local + "\" is reserved or empty",
           "\"input\" is the network input and \"in\" a block's input; choose another name");
    }
    const std::string full = scope.prefix + local;
    const std::string where = "layer '" + full + "'";
    if (static_cast<std::int64_t>(net_.layers.size()) >= kMaxNetworkLayers) {
      Fail(Pos(t), where + " would be layer " + std::to_string(net_.layers.size() + 1),
           "a network has at most " + std::to_string(kMaxNetworkLayers) +
               " layers (see Limits in docs/network-format.md)");
    }
    if (index_.contains(full)) {
      Fail(Pos(*name_node), "layer name \"" + full + "\" is used twice",
           "layer names must be unique");
    }
    const toml::node* kind_node = t.get("kind");
    if (kind_node == nullptr) {
      Fail(Pos(t), where + " has no kind", "add kind = one of " + Join(kKinds));
    }
    Layer l;
    l.name = full;
    l.kind = static_cast<LayerKind>(Choice(*kind_node, where + ".kind", kKinds));
    std::vector<std::string_view> allowed = {"name", "kind", "inputs", "extra_params"};
    for (auto k : KindKeys(l.kind)) allowed.push_back(k);
    CheckKeys(t, allowed, where + " (kind " + std::string(kKinds[static_cast<int>(l.kind)]) + ")");

    const int self = static_cast<int>(net_.layers.size());
    std::vector<int> producers;
    const toml::node* inputs_node = t.get("inputs");
    if (inputs_node != nullptr) {
      const toml::array& a = Array(*inputs_node, where + ".inputs");
      if (a.empty())
        Fail(Pos(*inputs_node), where + ".inputs is empty",
             "name the producing layers, or drop inputs to use the previous layer");
      for (const toml::node& e : a) producers.push_back(Resolve(e, scope));
    } else {
      producers.push_back(scope.in_block && scope.local.empty() ? scope.block_input : self - 1);
    }
    const Shape in = OutputOf(producers.front());
    const Params* p = scope.params;
    l.extra_params = IntOr(t, "extra_params", 0, 0, p, where, kMaxLayerCount);

    auto window = [&](std::int64_t def_stride) {
      const toml::node* kernel = t.get("kernel");
      if (kernel != nullptr && (t.contains("r") || t.contains("s"))) {
        Fail(Pos(*kernel), where + " gives both kernel and r/s", "use kernel for a square window");
      }
      l.r = kernel ? Int(*kernel, where + ".kernel", 1, p) : IntOr(t, "r", 1, 1, p, where);
      l.s = kernel ? l.r : IntOr(t, "s", 1, 1, p, where);
      l.stride = IntOr(t, "stride", def_stride < 0 ? l.r : def_stride, 1, p, where);
      l.pad = IntOr(t, "pad", 0, 0, p, where);
    };
    auto need = [&](std::string_view key) -> const toml::node& {
      const toml::node* n = t.get(key);
      if (n == nullptr) {
        Fail(Pos(t), where + " needs " + std::string(key),
             "add " + std::string(key) + " = <number>");
      }
      return *n;
    };

    switch (l.kind) {
      case LayerKind::kConv:
        l.c = in.c;
        l.h = in.h;
        l.w = in.w;
        l.m = Int(need("m"), where + ".m", 1, p);
        window(1);
        l.dilation = IntOr(t, "dilation", 1, 1, p, where);
        l.groups = IntOr(t, "groups", 1, 1, p, where);
        l.bias = t.contains("bias") && Bool(*t.get("bias"), where + ".bias");
        break;
      case LayerKind::kFc: {
        const bool per_position =
            t.contains("per_position") && Bool(*t.get("per_position"), where + ".per_position");
        l.c = per_position ? in.c : in.count();
        l.h = per_position ? in.h : 1;
        l.w = per_position ? in.w : 1;
        l.m = Int(need("m"), where + ".m", 1, p);
        l.bias = t.contains("bias") && Bool(*t.get("bias"), where + ".bias");
        break;
      }
      case LayerKind::kMatmul: {
        if (producers.size() != 2) {
          Fail(Pos(inputs_node ? *inputs_node : static_cast<const toml::node&>(t)),
               where + " needs inputs = [\"<left operand>\", \"<right operand>\"]",
               "a matmul multiplies two activations; name both producers");
        }
        l.groups = IntOr(t, "groups", 1, 1, p, where);
        const std::int64_t k = Int(need("k"), where + ".k", 1, p);
        const std::int64_t n = Int(need("n"), where + ".n", 1, p);
        l.c = l.groups * k;
        l.m = l.groups * n;
        l.h = IntOr(t, "rows", in.h * in.w, 1, p, where);
        l.w = 1;
        const std::int64_t used = CheckedProduct({l.c, l.h});
        if (used < 0 || used > in.count()) {
          Fail(Pos(need("k")),
               where + ": groups * k * rows = " +
                   (used < 0 ? std::to_string(l.c) + " x " + std::to_string(l.h)
                             : std::to_string(used)) +
                   " exceeds the left operand's " + std::to_string(in.count()) + " elements (" +
                   in.text() + ")",
               "rows default to the operand's h*w; check groups, k and rows");
        }
        break;
      }
      case LayerKind::kPool: {
        l.c = l.m = in.c;
        l.h = in.h;
        l.w = in.w;
        l.pool = static_cast<PoolType>(Choice(need("pool"), where + ".pool", kPools));
        const bool global = t.contains("global") && Bool(*t.get("global"), where + ".global");
        if (global) {
          for (auto key : {"kernel", "r", "s", "stride", "pad"}) {
            if (const auto* n = t.get(key)) {
              Fail(Pos(*n), where + ": global = true takes no " + std::string(key),
                   "a global pool covers the whole map; remove " + std::string(key));
            }
          }
          l.r = in.h;
          l.s = in.w;
        } else {
          if (!t.contains("kernel") && !t.contains("r")) {
            Fail(Pos(t), where + " needs kernel (or global = true)", "add kernel = <size>");
          }
          window(-1);  // stride defaults to the window
        }
        break;
      }
      case LayerKind::kEltwise: {
        l.op = static_cast<EltOp>(Choice(need("op"), where + ".op", kOps));
        Shape view = in;
        if (const auto* sh = t.get("shape")) {
          const toml::array& a = Array(*sh, where + ".shape");
          if (a.size() != 3)
            Fail(Pos(*sh), where + ".shape must list 3 numbers (c, h, w)",
                 "write shape = [channels, height, width]");
          view = {Int(a[0], where + ".shape[0]", 1, p), Int(a[1], where + ".shape[1]", 1, p),
                  Int(a[2], where + ".shape[2]", 1, p)};
          const std::int64_t count = CheckedProduct({view.c, view.h, view.w});
          if (count != in.count()) {
            Fail(Pos(*sh),
                 where + ".shape " + view.text() + " has " +
                     (count < 0 ? "more than 2^63" : std::to_string(count)) +
                     " elements but its input " + in.text() + " has " + std::to_string(in.count()),
                 "a shape only regroups the input's elements");
          }
        }
        for (std::size_t i = 1; i < producers.size(); ++i) {
          const Shape other = OutputOf(producers[i]);
          if (other.count() != in.count()) {
            Fail(Pos(*inputs_node),
                 where + ": operands differ in size (" + in.text() + " vs " + other.text() + ")",
                 "element-wise operands must have the same number of elements");
          }
        }
        l.c = l.m = view.c;
        l.h = view.h;
        l.w = view.w;
        const auto n_prod = static_cast<std::int64_t>(producers.size());
        l.num_inputs = IntOr(t, "operands", n_prod, n_prod, p, where);
        break;
      }
    }
    if (l.c % l.groups != 0 || l.m % l.groups != 0) {
      Fail(t.contains("groups") ? Pos(*t.get("groups")) : Pos(t),
           where + ": groups = " + std::to_string(l.groups) + " must divide the input channels (" +
               std::to_string(l.c) + ") and the output channels (" + std::to_string(l.m) + ")",
           "choose groups as a common divisor of both, e.g. groups = 1");
    }
    if (l.e() < 1 || l.f() < 1) {
      Fail(Pos(t),
           where + ": the " + std::to_string(l.r) + "x" + std::to_string(l.s) + " window (stride " +
               std::to_string(l.stride) + ", pad " + std::to_string(l.pad) + ") does not fit its " +
               in.text() + " input",
           "use a smaller window, more padding, or a larger input");
    }
    if (const std::string problem = LayerLimitProblem(l, &totals_); !problem.empty()) {
      // Point at the key that sets the layer's size.
      const toml::node* at = nullptr;
      for (const char* key : {"m", "k", "n", "kernel", "r", "s", "pad", "global", "operands",
                              "shape", "extra_params"}) {
        if (at == nullptr) at = t.get(key);
      }
      Fail(at != nullptr ? Pos(*at) : Pos(t), where + ": " + problem,
           "a layer has at most 2^50 elements, weights, MACs and operations per sample, a "
           "network at most 2^60 in total (see Limits in docs/network-format.md)");
    }
    if (!(producers.size() == 1 && producers[0] == self - 1)) l.inputs = producers;
    index_.emplace(full, self);
    if (scope.in_block) scope.local.emplace(local, self);
    net_.layers.push_back(std::move(l));
  }

  struct BlockDef {
    const toml::table* table;
    Params defaults;
  };

  std::string path_;
  Network net_;
  Shape input_;
  std::map<std::string, BlockDef, std::less<>> blocks_;
  std::map<std::string, int, std::less<>> index_;
  NetworkTotals totals_;
};

}  // namespace

Network ParseNetworkFile(std::string_view text, const std::string& path) {
  return Parser(path).Run(text);
}

void RequireRegularFile(const std::string& path, const std::string& what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st) || fs::is_regular_file(st)) return;  // opening reports the rest
  const char* kind = fs::is_directory(st) ? "a directory"
                     : fs::is_fifo(st)    ? "a FIFO (named pipe)"
                                          : "a device or socket";
  throw ConfigError(SourcePos{path, 0, 0}, "the " + what + " is " + kind + ", not a regular file",
                    "give the path of a regular file");
}

Network LoadNetworkFile(const std::string& path) {
  RequireRegularFile(path, "network file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path, "cannot open the network file", "check the path");
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) throw IoError(path, "cannot read the network file");
  return ParseNetworkFile(buf.str(), path);
}

}  // namespace trim::net
