// ONNX import: compute nodes, each mapped to one Layer (docs/onnx.md has the table).
#include <algorithm>

#include "onnx_importer.hpp"

namespace trim::net::onnx_internal {
namespace {

using Dims = std::vector<std::int64_t>;

struct Chw {
  std::int64_t c = 1;
  std::int64_t h = 1;
  std::int64_t w = 1;
};

// The c x h x w view of a per-sample shape used for element-wise layers: a vector is c, a
// matrix is the token layout (c = last axis, h = rows), rank 3 and up is c x h x (the rest).
Chw ToChw(const Dims& per) {
  switch (per.size()) {
    case 0:
      return {};
    case 1:
      return {per[0], 1, 1};
    case 2:
      return {per[1], per[0], 1};
    default:
      return {per[0], per[1], Numel(Dims(per.begin() + 2, per.end()))};
  }
}

Dims Broadcast(const Dims& a, const Dims& b, bool* ok) {
  Dims r(std::max(a.size(), b.size()), 1);
  *ok = true;
  for (std::size_t i = 0; i < r.size(); ++i) {
    const std::int64_t x = i < a.size() ? a[a.size() - 1 - i] : 1;
    const std::int64_t y = i < b.size() ? b[b.size() - 1 - i] : 1;
    if (x != y && x != 1 && y != 1) *ok = false;
    r[r.size() - 1 - i] = x == 1 ? y : x;
  }
  return r;
}

Layer Elt(std::string name, EltOp op, Chw v, std::int64_t num_inputs = 1) {
  Layer l;
  l.name = std::move(name);
  l.kind = LayerKind::kEltwise;
  l.op = op;
  l.c = l.m = v.c;
  l.h = v.h;
  l.w = v.w;
  l.num_inputs = num_inputs;
  return l;
}

// Output size of a window along one axis (ONNX Conv/Pool formula).
std::int64_t WindowOut(std::int64_t in, std::int64_t pads, std::int64_t span, std::int64_t stride,
                       bool ceil_mode) {
  const std::int64_t room = in + pads - span;
  if (room < 0) return 0;
  return (ceil_mode ? (room + stride - 1) / stride : room / stride) + 1;
}

// Spatial attributes of Conv/MaxPool/AveragePool, folded into the layer's single stride,
// symmetric pad and dilation (docs/onnx.md, "Windows"). `per` is the per-sample input shape
// (channels first); returns the per-sample output spatial sizes.
Dims FoldWindow(const Importer& im, const Dims& per, Dims kernel, bool ceil_mode, Layer* l) {
  const std::size_t nsp = per.size() - 1;  // spatial axes: 1 or 2
  if (nsp < 1 || nsp > 2) {
    im.Fail("only 1-D and 2-D windows are supported (input rank " + std::to_string(per.size() + 1) +
            ")");
  }
  if (kernel.size() != nsp)
    im.Fail("kernel_shape has " + std::to_string(kernel.size()) + " entries for " +
            std::to_string(nsp) + " spatial axes");
  Dims strides = im.AttrInts("strides");
  Dims dil = im.AttrInts("dilations");
  Dims pads = im.AttrInts("pads");
  if (strides.empty()) strides.assign(nsp, 1);
  if (dil.empty()) dil.assign(nsp, 1);
  if (pads.empty()) pads.assign(2 * nsp, 0);
  if (strides.size() != nsp || dil.size() != nsp || pads.size() != 2 * nsp) {
    im.Fail("strides, dilations or pads do not match the number of spatial axes");
  }
  for (std::size_t a = 0; a < nsp; ++a) {
    if (strides[a] < 1 || dil[a] < 1 || kernel[a] < 1 || pads[a] < 0 || pads[a + nsp] < 0) {
      im.Fail("non-positive kernel, stride or dilation, or negative pad");
    }
    for (const std::int64_t v : {strides[a], dil[a], kernel[a], pads[a], pads[a + nsp]}) {
      if (v > kMaxLayerDim) {
        im.Fail("kernel, stride, dilation or pad " + std::to_string(v) +
                " exceeds 2^24 = " + std::to_string(kMaxLayerDim));
      }
    }
  }
  const Dims in(per.begin() + 1, per.end());
  const std::string auto_pad = im.AttrString("auto_pad", "NOTSET");
  Dims out(nsp);
  for (std::size_t a = 0; a < nsp; ++a) {
    const std::int64_t span = dil[a] * (kernel[a] - 1) + 1;
    if (auto_pad == "VALID") {
      pads[a] = pads[a + nsp] = 0;
    } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      const std::int64_t o = (in[a] + strides[a] - 1) / strides[a];
      const std::int64_t total = std::max<std::int64_t>((o - 1) * strides[a] + span - in[a], 0);
      const std::int64_t small = total / 2;
      pads[a] = auto_pad == "SAME_UPPER" ? small : total - small;
      pads[a + nsp] = total - pads[a];
    } else if (auto_pad != "NOTSET") {
      im.Fail("unknown auto_pad '" + auto_pad + "'");
    }
    out[a] = WindowOut(in[a], pads[a] + pads[a + nsp], span, strides[a], ceil_mode);
    if (out[a] < 1) im.Fail("the window is larger than the padded input");
  }
  // Pad to a 2-D problem: a 1-D window runs along h with w = 1.
  const std::int64_t h = in[0];
  const std::int64_t w = nsp == 2 ? in[1] : 1;
  const std::int64_t e = out[0];
  const std::int64_t f = nsp == 2 ? out[1] : 1;
  const std::int64_t r = kernel[0];
  const std::int64_t s = nsp == 2 ? kernel[1] : 1;
  const std::int64_t sh = strides[0];
  const std::int64_t sw = nsp == 2 ? strides[1] : sh;
  const std::int64_t dh = dil[0];
  const std::int64_t dw = nsp == 2 ? dil[1] : 1;
  const std::int64_t pt = pads[0];
  const std::int64_t pb = pads[nsp];
  const std::int64_t pl = nsp == 2 ? pads[1] : 0;
  const std::int64_t pr = nsp == 2 ? pads[3] : 0;
  // One dilation and one stride: the one of the axes where they matter.
  if (r > 1 && s > 1 && dh != dw) im.Fail("dilations differ between the axes");
  if (e > 1 && f > 1 && sh != sw) {
    im.Fail(
        "strides differ between the axes (" + std::to_string(sh) + " x " + std::to_string(sw) + ")",
        "the layer model has one stride for both axes");
  }
  l->dilation = r > 1 ? dh : (s > 1 ? dw : 1);
  l->stride = e > 1 ? sh : (f > 1 ? sw : sh);
  l->r = r;
  l->s = s;
  auto fits = [&](std::int64_t hh, std::int64_t ww, std::int64_t p) {
    l->h = hh;
    l->w = ww;
    l->pad = p;
    return l->e() == e && l->f() == f;
  };
  // 1. Equal pads on every side: the layer's pad. 2. Another symmetric pad that gives the same
  // output size (TF-style "SAME" pads such as 0/1). 3. Pad 0 on the padded input, or on the
  // extent the windows actually read (ceil_mode).
  if (pt == pb && (nsp == 1 || (pl == pt && pr == pt)) && fits(h, w, pt)) return out;
  const std::int64_t last_pad = std::min<std::int64_t>(std::max({pt, pb, pl, pr}) + l->stride, 64);
  for (std::int64_t p = 0; p <= last_pad; ++p) {
    if (fits(h, w, p)) return out;
  }
  const std::int64_t span_h = l->dilation * (r - 1) + 1;
  const std::int64_t span_w = l->dilation * (s - 1) + 1;
  std::int64_t hp = h + pt + pb;
  std::int64_t wp = w + pl + pr;
  if (!fits(hp, wp, 0)) {
    if (WindowOut(hp, 0, span_h, l->stride, false) != e) hp = (e - 1) * l->stride + span_h;
    if (WindowOut(wp, 0, span_w, l->stride, false) != f) wp = (f - 1) * l->stride + span_w;
    if (!fits(hp, wp, 0)) im.Fail("the window's output size cannot be represented");
  }
  return out;
}

}  // namespace

void Importer::OpConv() {
  const Value& x = Act(0);
  const Value& wt = Const(1);
  const Dims per = PerSample(x);
  if (per.size() != 2 && per.size() != 3) {
    Fail("input rank " + std::to_string(x.dims.size()) +
         ": only 1-D and 2-D convolutions are "
         "supported");
  }
  if (wt.dims.size() != per.size() + 1) Fail("the weight's rank does not match the input");
  const std::int64_t groups = AttrInt("group", 1);
  const std::int64_t c = per[0];
  const std::int64_t m = wt.dims[0];
  if (groups > kMaxLayerDim) {
    Fail("group = " + std::to_string(groups) + " exceeds 2^24 = " + std::to_string(kMaxLayerDim));
  }
  if (groups < 1 || c % groups != 0 || m % groups != 0 ||
      CheckedProduct({wt.dims[1], groups}) != c) {
    Fail("weight " + std::to_string(m) + " x " + std::to_string(wt.dims[1]) + " does not fit " +
         std::to_string(c) + " input channels in " + std::to_string(groups) + " groups");
  }
  Dims kernel = AttrInts("kernel_shape");
  if (kernel.empty()) kernel.assign(wt.dims.begin() + 2, wt.dims.end());
  Layer l;
  l.name = LayerName();
  l.kind = LayerKind::kConv;
  l.c = c;
  l.m = m;
  l.groups = groups;
  const Dims out_sp = FoldWindow(*this, per, kernel, false, &l);
  Own(wt);
  if (HasInput(2)) {
    const Value& b = Const(2);
    if (Numel(b.dims) != m)
      Fail("the bias has " + std::to_string(Numel(b.dims)) + " elements for " + std::to_string(m) +
           " output channels");
    Own(b);
    l.bias = true;
  }
  Dims out = {x.dims[0], m};
  out.insert(out.end(), out_sp.begin(), out_sp.end());
  EmitLayer(std::move(l), {&x}, out);
}

void Importer::OpPool() {
  const Value& x = Act(0);
  const Dims per = PerSample(x);
  if (per.size() != 2 && per.size() != 3) Fail("only 1-D and 2-D pooling is supported");
  Layer l;
  l.name = LayerName();
  l.kind = LayerKind::kPool;
  l.pool = node_->op_type() == "MaxPool" ? PoolType::kMax : PoolType::kAvg;
  l.c = l.m = per[0];
  const Dims kernel = AttrInts("kernel_shape");
  if (kernel.empty()) Fail("kernel_shape is required");
  if (node_->output_size() > 1 && !node_->output(1).empty() && Consumers(node_->output(1)) > 0) {
    Fail("the Indices output of MaxPool is not supported");
  }
  const Dims out_sp = FoldWindow(*this, per, kernel, AttrInt("ceil_mode", 0) != 0, &l);
  Dims out = {x.dims[0], per[0]};
  out.insert(out.end(), out_sp.begin(), out_sp.end());
  EmitLayer(std::move(l), {&x}, out);
}

void Importer::OpGlobalPool() {
  const Value& x = Act(0);
  const Dims per = PerSample(x);
  if (per.size() < 2) Fail("global pooling needs a channel axis and spatial axes");
  Layer l;
  l.name = LayerName();
  l.kind = LayerKind::kPool;
  l.pool = node_->op_type() == "GlobalMaxPool" ? PoolType::kMax : PoolType::kAvg;
  l.c = l.m = per[0];
  l.h = l.r = per[1];
  l.w = l.s = Numel(Dims(per.begin() + 2, per.end()));
  Dims out = x.dims;
  std::fill(out.begin() + 2, out.end(), 1);
  EmitLayer(std::move(l), {&x}, out);
}

void Importer::OpReduce() {
  const Value& x = Act(0);
  const std::size_t rank = x.dims.size();
  const bool axes_input = opset_ >= 18 || (node_->op_type() == "ReduceSum" && opset_ >= 13);
  Dims axes = axes_input ? (HasInput(1) ? ConstInts(1) : Dims{}) : AttrInts("axes");
  if (axes.empty()) Fail("reducing over every axis (including the batch) is not supported");
  std::vector<bool> reduced(rank, false);
  std::int64_t window = 1;
  for (const std::int64_t a : axes) {
    const auto i = static_cast<std::size_t>(Axis(a, rank));
    if (i == 0 && BatchAxis0(x)) Fail("reducing over the batch axis is not supported");
    if (!reduced[i]) window *= x.dims[i];
    reduced[i] = true;
  }
  const Dims per = PerSample(x);
  // Pooling window = the reduced elements; two reduced trailing axes keep their h x w form.
  Layer l;
  l.name = LayerName();
  l.kind = LayerKind::kPool;
  l.pool = node_->op_type() == "ReduceMax" ? PoolType::kMax : PoolType::kAvg;
  l.c = l.m = Numel(per) / window;
  if (axes.size() == 2 && rank >= 3 && reduced[rank - 1] && reduced[rank - 2]) {
    l.h = l.r = x.dims[rank - 2];
    l.w = l.s = x.dims[rank - 1];
  } else {
    l.h = l.r = window;
  }
  const bool keep = AttrInt("keepdims", 1) != 0;
  Dims out;
  for (std::size_t i = 0; i < rank; ++i) {
    if (!reduced[i])
      out.push_back(x.dims[i]);
    else if (keep)
      out.push_back(1);
  }
  EmitLayer(std::move(l), {&x}, out);
}

void Importer::OpGemm() {
  const Value& a = Act(0);
  const Value& b = Const(1);
  if (AttrInt("transA", 0) != 0) Fail("transA = 1 on an activation is not supported");
  if (a.dims.size() != 2 || b.dims.size() != 2) Fail("Gemm operands must be matrices");
  const bool trans_b = AttrInt("transB", 0) != 0;
  const std::int64_t k = a.dims[1];
  const std::int64_t kb = trans_b ? b.dims[1] : b.dims[0];
  const std::int64_t n = trans_b ? b.dims[0] : b.dims[1];
  if (k != kb)
    Fail("inner dimensions differ (" + std::to_string(k) + " and " + std::to_string(kb) + ")");
  Layer l;
  l.name = LayerName();
  l.kind = LayerKind::kFc;
  l.c = k;
  l.m = n;
  Own(b);
  if (HasInput(2)) {
    const Value& bias = Const(2);
    if (Numel(bias.dims) != n)
      Fail("only a per-output bias (C of " + std::to_string(n) + " elements) is supported");
    Own(bias);
    l.bias = true;
  }
  // Rows per sample: 1 for [batch, k]; the tokens when the exporter flattened them into the
  // rows ([tokens x batch, k], nn.MultiheadAttention's output projection).
  l.h = Numel(PerSample(a)) / k;
  EmitLayer(std::move(l), {&a}, {a.dims[0], n});
}

void Importer::OpMatMul() {
  const Value& a = In(0);
  const Value& b = In(1);
  if (a.dims.empty() || b.dims.empty()) Fail("MatMul of scalars");
  if (a.is_const && b.is_const) {
    Value v;
    v.is_const = true;
    v.elem_type = a.elem_type;
    if (a.dims.size() < 2 || b.dims.size() < 2) Fail("constant MatMul needs matrices");
    bool ok = false;
    v.dims = Broadcast(Dims(a.dims.begin(), a.dims.end() - 2),
                       Dims(b.dims.begin(), b.dims.end() - 2), &ok);
    v.dims.push_back(a.dims[a.dims.size() - 2]);
    v.dims.push_back(b.dims.back());
    SetOut(0, std::move(v));
    return;
  }
  Layer l;
  l.name = LayerName();
  l.kind = LayerKind::kFc;
  if (!a.is_const && b.is_const) {
    // Activation x weight: a projection applied at every row of a.
    if (b.dims.size() != 2)
      Fail("a weight of rank " + std::to_string(b.dims.size()) +
           " is not supported (a 2-D weight is)");
    const std::int64_t k = b.dims[0];
    if (a.dims.back() != k) Fail("inner dimensions differ");
    l.c = k;
    l.m = b.dims[1];
    l.h = Numel(PerSample(a)) / k;
    Own(b);
    Dims out = a.dims;
    out.back() = l.m;
    return EmitLayer(std::move(l), {&a}, out);
  }
  if (a.is_const) {
    // Weight x activation: the projection applied at every column of b.
    if (a.dims.size() != 2 || b.dims.size() < 3) {
      Fail("a constant left operand needs a 2-D weight and an activation of rank >= 3");
    }
    const std::int64_t k = a.dims[1];
    if (b.dims[b.dims.size() - 2] != k) Fail("inner dimensions differ");
    l.c = k;
    l.m = a.dims[0];
    l.h = Numel(PerSample(b)) / k;
    Own(a);
    Dims out = b.dims;
    out[out.size() - 2] = l.m;
    return EmitLayer(std::move(l), {&b}, out);
  }
  // Two activations: a batch of independent products (attention).
  if (a.dims.size() < 3 || b.dims.size() < 3) {
    Fail("a product of two activations needs rank >= 3 (batch, ..., rows, columns)");
  }
  bool ok = false;
  Dims lead = Broadcast(Dims(a.dims.begin(), a.dims.end() - 2),
                        Dims(b.dims.begin(), b.dims.end() - 2), &ok);
  const std::int64_t rows = a.dims[a.dims.size() - 2];
  const std::int64_t k = a.dims.back();
  const std::int64_t n = b.dims.back();
  if (!ok || b.dims[b.dims.size() - 2] != k) Fail("operand shapes do not match");
  if (Numel(lead) % batch_ != 0) {
    Fail("the leading axes of the product (" + ShapeText(lead) + ") do not hold the batch of " +
             std::to_string(batch_),
         "export with batch 1 (or a dynamic batch axis): every axis is then per sample");
  }
  const std::int64_t groups = Numel(lead) / batch_;
  l.kind = LayerKind::kMatmul;
  l.groups = groups;
  l.c = groups * k;
  l.m = groups * n;
  l.h = rows;
  lead.push_back(rows);
  lead.push_back(n);
  EmitLayer(std::move(l), {&a, &b}, lead);
}

void Importer::OpBinary() {
  const std::string& op = node_->op_type();
  const Value& a = In(0);
  const Value& b = In(1);
  bool ok = false;
  const Dims out = Broadcast(a.dims, b.dims, &ok);
  if (!ok) Fail("operands cannot be broadcast together");
  const EltOp elt = (op == "Add" || op == "Sub") ? EltOp::kAdd : EltOp::kMul;
  if (!a.is_const && !b.is_const) {
    const Layer l =
        Elt(LayerName(), elt, ToChw(PerSample(Value{false, out, {}, {}, 1, false, {}, {}})), 2);
    return EmitLayer(l, {&a, &b}, out);
  }
  const int act_k = a.is_const ? 1 : 0;
  const Value& x = act_k == 0 ? a : b;
  const Value& k = act_k == 0 ? b : a;
  // A bias add right after a bias-free MatMul/Gemm/Conv whose only reader is this node: the
  // layer's bias (torch exports nn.Linear on 3-D inputs as MatMul + Add).
  const int producer = LayerOf(InName(act_k));
  if (op == "Add" && producer >= 0 && Consumers(InName(act_k)) == 1 && out == x.dims) {
    Layer& p = LayerAt(producer);
    const bool fc = p.kind == LayerKind::kFc && !k.dims.empty() && k.dims.back() == p.m;
    const bool conv = p.kind == LayerKind::kConv && k.dims.size() >= 3 &&
                      k.dims[k.dims.size() - 3] == p.m && k.dims.back() == 1 &&
                      k.dims[k.dims.size() - 2] == 1;
    if ((fc || conv) && p.has_weights() && !p.bias && Numel(k.dims) == p.m) {
      p.bias = true;
      Own(k);
      Value v = x;
      SetOut(0, std::move(v));
      tensor_layer_[node_->output(0)] = producer;
      return;
    }
  }
  // A constant operand: a scalar is an immediate; a tensor is a second operand, and if it is
  // a trained initializer (a position embedding, a scale) its elements are parameters.
  Layer l = Elt(LayerName(), elt, ToChw(PerSample(Value{false, out, {}, {}, 1, false, {}, {}})),
                Numel(k.dims) > 1 ? 2 : 1);
  l.extra_params += TakeParams(k);
  EmitLayer(std::move(l), {&x}, out);
}

void Importer::OpActivation() {
  const std::string& op = node_->op_type();
  const Value& x = Act(0);
  // Piecewise-linear activations cost like ReLU; smooth ones (exp/tanh/erf based) like GELU.
  const bool smooth = op == "Sigmoid" || op == "Tanh" || op == "Gelu";
  Layer l = Elt(LayerName(), smooth ? EltOp::kGelu : EltOp::kRelu, ToChw(PerSample(x)));
  if (op == "PRelu") l.extra_params += TakeParams(Const(1));
  EmitLayer(std::move(l), {&x}, x.dims);
}

void Importer::OpBatchNorm() {
  const Value& x = Act(0);
  const Dims per = PerSample(x);
  const std::int64_t c = per[0];
  for (int k = 1; k <= 4; ++k) {
    const Value& p = Const(k);
    if (Numel(p.dims) != c)
      Fail("input " + std::to_string(k) + " has " + std::to_string(Numel(p.dims)) +
           " elements for " + std::to_string(c) + " channels");
    Own(p);
  }
  Chw v{c, per.size() > 1 ? per[1] : 1,
        Numel(per.size() > 2 ? Dims(per.begin() + 2, per.end()) : Dims{})};
  EmitLayer(Elt(LayerName(), EltOp::kBatchNorm, v), {&x}, x.dims);
  // Training-mode exports also output the updated running statistics (buffers).
  for (int k = 1; k < node_->output_size(); ++k) {
    SetOut(k, Value{true, {c}, {}, {}, 1, false, {}, {}});
  }
}

void Importer::OpLayerNorm() {
  const Value& x = Act(0);
  const std::int64_t axis = Axis(AttrInt("axis", -1), x.dims.size());
  if (axis == 0 && BatchAxis0(x)) Fail("normalizing over the batch axis is not supported");
  const std::int64_t c = Numel(Dims(x.dims.begin() + axis, x.dims.end()));
  Own(Const(1));
  if (HasInput(2)) Own(Const(2));
  EmitLayer(Elt(LayerName(), EltOp::kLayerNorm, {c, Numel(PerSample(x)) / c, 1}), {&x}, x.dims);
}

void Importer::OpSoftmax() {
  const Value& x = Act(0);
  const std::size_t rank = x.dims.size();
  const std::int64_t axis = Axis(AttrInt("axis", opset_ >= 13 ? -1 : 1), rank);
  if (axis == 0 && BatchAxis0(x)) Fail("a softmax over the batch axis is not supported");
  const std::int64_t total = Numel(PerSample(x));
  Chw v;
  if (opset_ < 13) {
    v.w = Numel(Dims(x.dims.begin() + axis, x.dims.end()));  // rows of the flattened 2-D view
    v.h = total / v.w;
  } else if (static_cast<std::size_t>(axis) == rank - 1 && rank >= 3) {
    v.w = x.dims[rank - 1];
    v.h = x.dims[rank - 2];
    v.c = total / (v.w * v.h);
  } else {
    v.w = x.dims[static_cast<std::size_t>(axis)];
    v.h = total / v.w;
  }
  EmitLayer(Elt(LayerName(), EltOp::kSoftmax, v), {&x}, x.dims);
}

}  // namespace trim::net::onnx_internal
