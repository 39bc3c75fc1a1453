// ONNX import: fusion of the element-wise decompositions that exporters emit for operators
// older opsets lack. Each pattern becomes one layer, emitted at its last node:
//   LayerNorm  ReduceMean(x) -> Sub(x, mean) -> Pow(d, 2) | Mul(d, d) -> ReduceMean -> Add(eps)
//              -> Sqrt -> Div(d, sqrt) [-> Mul(scale)] [-> Add(shift)]
//   GELU       Div(x, sqrt 2) | Mul(x, 1/sqrt 2) -> Erf -> Add(1) -> Mul(x, .) -> Mul(0.5)
//              (or the 0.5 applied to x first: Mul(Mul(x, 0.5), 1 + erf))
// Every intermediate tensor of a pattern must have exactly one reader inside the pattern
// (the centred difference of LayerNorm has two), so fusing never hides a value used elsewhere.
#include <algorithm>
#include <cmath>

#include "onnx_importer.hpp"

namespace trim::net::onnx_internal {
namespace {

bool Near(double v, double want) { return std::fabs(v - want) <= 1e-3 * std::fabs(want); }

// Output 0 of a node, or "" if it has none.
const std::string& Out(const onnx::NodeProto& n) {
  static const std::string kNone;
  return n.output_size() > 0 ? n.output(0) : kNone;
}

// The other input of a two-input node, or "" if `tensor` is not one of its inputs.
std::string Other(const onnx::NodeProto& n, const std::string& tensor) {
  if (n.input_size() != 2) return {};
  if (n.input(0) == tensor) return n.input(1);
  if (n.input(1) == tensor) return n.input(0);
  return {};
}

std::vector<std::int64_t> ReduceAxes(const onnx::NodeProto& n) {
  for (const auto& a : n.attribute()) {
    if (a.name() == "axes") return {a.ints().begin(), a.ints().end()};
  }
  return {};
}

bool KeepDims(const onnx::NodeProto& n) {
  for (const auto& a : n.attribute()) {
    if (a.name() == "keepdims") return a.i() != 0;
  }
  return true;
}

// "/block/ln1/ReduceMean" -> "/block/ln1/<what>"; names without a path get a suffix.
std::string FusedName(const onnx::NodeProto& first, int index, const std::string& what) {
  const std::string& n = first.name();
  if (n.empty()) return what + "_" + std::to_string(index);
  const auto slash = n.find_last_of('/');
  if (slash == std::string::npos) return n + "_" + what;
  return n.substr(0, slash + 1) + what;
}

}  // namespace

int Importer::SoleConsumer(const std::string& tensor) const {
  if (Consumers(tensor) != 1) return -1;  // graph outputs count as readers
  const std::vector<int> c = ConsumerNodes(tensor);
  return c.size() == 1 ? c[0] : -1;
}

bool Importer::StaticScalar(const std::string& tensor, double* value) const {
  if (!IsStaticConst(tensor)) return false;
  const onnx::NodeProto* p = Producer(tensor);
  while (p != nullptr && (p->op_type() == "Identity" || p->op_type() == "Cast")) {
    if (p->input_size() < 1) return false;
    const std::string& src = p->input(0);
    p = Producer(src);
    if (p == nullptr) return StaticScalar(src, value);
  }
  Value v;
  if (p == nullptr) {
    const auto it = values_.find(tensor);
    if (it == values_.end()) return false;
    v = it->second;
  } else {
    const onnx::AttributeProto* t = nullptr;
    for (const auto& a : p->attribute()) {
      if (a.name() == "value") t = &a;
    }
    if (t == nullptr) return false;
    v = ConstFromTensor(t->t(), false);
  }
  if (!v.has_data || v.data.size() != 1) return false;
  *value = v.data[0];
  return true;
}

bool Importer::MatchLayerNorm(int i, Fusion* f) const {
  const auto& g = model_.graph();
  const onnx::NodeProto& mean = g.node(i);
  if (mean.input_size() != 1 || mean.output_size() != 1 || !KeepDims(mean)) return false;
  const std::string& x = mean.input(0);
  const std::vector<std::int64_t> axes = ReduceAxes(mean);
  const int sub = SoleConsumer(Out(mean));
  if (sub < 0 || g.node(sub).op_type() != "Sub" || g.node(sub).input_size() != 2 ||
      g.node(sub).input(0) != x || g.node(sub).input(1) != Out(mean)) {
    return false;
  }
  const std::string& d = Out(g.node(sub));
  const std::vector<int> readers = ConsumerNodes(d);
  if (Consumers(d) != 2 || readers.size() != 2) return false;
  int sq = -1;
  int div = -1;
  for (const int r : readers) {
    const onnx::NodeProto& n = g.node(r);
    double e = 0;
    if (n.input_size() != 2) continue;
    if ((n.op_type() == "Pow" && n.input(0) == d && StaticScalar(n.input(1), &e) && Near(e, 2)) ||
        (n.op_type() == "Mul" && n.input_size() == 2 && n.input(0) == d && n.input(1) == d)) {
      sq = r;
    } else if (n.op_type() == "Div" && n.input(0) == d) {
      div = r;
    }
  }
  if (sq < 0 || div < 0) return false;
  const int var = SoleConsumer(Out(g.node(sq)));
  if (var < 0 || g.node(var).op_type() != "ReduceMean" || ReduceAxes(g.node(var)) != axes) {
    return false;
  }
  const int eps = SoleConsumer(Out(g.node(var)));
  double eps_value = 0;
  if (eps < 0 || g.node(eps).op_type() != "Add" ||
      !StaticScalar(Other(g.node(eps), Out(g.node(var))), &eps_value)) {
    return false;
  }
  const int sqrt = SoleConsumer(Out(g.node(eps)));
  if (sqrt < 0 || g.node(sqrt).op_type() != "Sqrt" || SoleConsumer(Out(g.node(sqrt))) != div ||
      g.node(div).input(1) != Out(g.node(sqrt))) {
    return false;
  }
  f->op = EltOp::kLayerNorm;
  f->nodes = {i, sub, sq, var, eps, sqrt, div};
  f->input = x;
  f->axes = axes;
  int last = div;
  // Optional affine scale and shift by constants.
  for (const char* op : {"Mul", "Add"}) {
    const int n = SoleConsumer(Out(g.node(last)));
    if (n < 0 || g.node(n).op_type() != op) break;
    const std::string other = Other(g.node(n), Out(g.node(last)));
    if (other.empty() || !IsStaticConst(other)) break;
    f->owned.push_back(other);
    f->nodes.push_back(n);
    last = n;
  }
  f->output = Out(g.node(last));
  f->name = FusedName(mean, i, "LayerNormalization");
  return true;
}

bool Importer::MatchGelu(int i, Fusion* f) const {
  const auto& g = model_.graph();
  const onnx::NodeProto& erf = g.node(i);
  if (erf.input_size() != 1) return false;
  const onnx::NodeProto* pre = Producer(erf.input(0));
  if (pre == nullptr || SoleConsumer(erf.input(0)) != i || pre->input_size() != 2) return false;
  const std::string& x = pre->input(0);
  double c = 0;
  if (!StaticScalar(pre->input(1), &c)) return false;
  if (!((pre->op_type() == "Div" && Near(c, std::sqrt(2.0))) ||
        (pre->op_type() == "Mul" && Near(c, 1 / std::sqrt(2.0))))) {
    return false;
  }
  const int add = SoleConsumer(Out(erf));
  double one = 0;
  if (add < 0 || g.node(add).op_type() != "Add" ||
      !StaticScalar(Other(g.node(add), Out(erf)), &one) || !Near(one, 1)) {
    return false;
  }
  const int mul = SoleConsumer(Out(g.node(add)));
  if (mul < 0 || g.node(mul).op_type() != "Mul") return false;
  const std::string other = Other(g.node(mul), Out(g.node(add)));
  f->op = EltOp::kGelu;
  f->input = x;
  f->nodes = {producer_.at(erf.input(0)), i, add, mul};
  int last = mul;
  if (other == x) {
    const int half = SoleConsumer(Out(g.node(mul)));
    double h = 0;
    if (half >= 0 && g.node(half).op_type() == "Mul" &&
        StaticScalar(Other(g.node(half), Out(g.node(mul))), &h) && Near(h, 0.5)) {
      f->nodes.push_back(half);
      last = half;
    }
  } else {
    const onnx::NodeProto* half = Producer(other);
    double h = 0;
    if (half == nullptr || half->op_type() != "Mul" || SoleConsumer(other) != mul ||
        Other(*half, x).empty() || !StaticScalar(Other(*half, x), &h) || !Near(h, 0.5)) {
      return false;
    }
    f->nodes.push_back(producer_.at(other));
  }
  std::sort(f->nodes.begin(), f->nodes.end());
  if (f->nodes.back() != last) return false;  // the output node must come last
  f->output = Out(g.node(last));
  f->name = FusedName(*pre, producer_.at(erf.input(0)), "Gelu");
  return true;
}

void Importer::FindFusions() {
  const auto& g = model_.graph();
  for (int i = 0; i < g.node_size(); ++i) {
    const std::string& op = g.node(i).op_type();
    if (!g.node(i).domain().empty() || (op != "ReduceMean" && op != "Erf")) continue;
    Fusion f;
    if (!(op == "ReduceMean" ? MatchLayerNorm(i, &f) : MatchGelu(i, &f))) continue;
    std::sort(f.nodes.begin(), f.nodes.end());
    bool free = true;
    for (const int n : f.nodes) free = free && fusion_of_[static_cast<std::size_t>(n)] < 0;
    const auto out = producer_.find(f.output);
    if (!free || out == producer_.end() || f.nodes.back() != out->second) continue;
    for (const int n : f.nodes) {
      fusion_of_[static_cast<std::size_t>(n)] = static_cast<int>(fusions_.size());
    }
    fusions_.push_back(std::move(f));
  }
}

void Importer::EmitFusion(const Fusion& f) {
  const auto it = values_.find(f.input);
  if (it == values_.end() || it->second.is_const) {
    Fail("the " + std::string(Name(f.op)) + " pattern reads '" + f.input +
         "', which is not an activation");
  }
  const Value x = it->second;
  Layer l;
  l.name = f.name;
  l.kind = LayerKind::kEltwise;
  l.op = f.op;
  const std::int64_t total = Numel(PerSample(x));
  if (f.op == EltOp::kLayerNorm) {
    // The reduced axes must be the trailing ones: c = their elements, h = the rows.
    const std::size_t rank = x.dims.size();
    std::vector<std::int64_t> axes;
    for (const std::int64_t a : f.axes) axes.push_back(Axis(a, rank));
    std::sort(axes.begin(), axes.end());
    if (axes.empty() || axes.front() == 0) Fail("a layer norm must normalize trailing axes");
    for (std::size_t k = 0; k < axes.size(); ++k) {
      if (axes[k] != static_cast<std::int64_t>(rank - axes.size() + k)) {
        Fail("a layer norm must normalize trailing axes");
      }
    }
    l.c = Numel(std::vector<std::int64_t>(x.dims.end() - static_cast<std::ptrdiff_t>(axes.size()),
                                          x.dims.end()));
    l.h = total / l.c;
    for (const auto& o : f.owned) {
      const auto owned = values_.find(o);
      if (owned != values_.end()) Own(owned->second);
    }
  } else {
    const std::vector<std::int64_t> per = PerSample(x);
    l.c = per.empty() ? 1 : (per.size() == 2 ? per[1] : per[0]);
    l.h = per.size() >= 2 ? (per.size() == 2 ? per[0] : per[1]) : 1;
    l.w = total / (l.c * l.h);
  }
  l.m = l.c;
  EmitLayer(std::move(l), {&x}, x.dims);
}

}  // namespace trim::net::onnx_internal
