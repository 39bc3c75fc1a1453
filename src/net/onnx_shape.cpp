// ONNX import: shape-only nodes and constant folding. These nodes never create layers. On an
// activation they compute the new shape and keep the producers; on constants they also compute
// the data (when the inputs carry it), which is how exported shape arithmetic
// (Shape -> Gather -> Unsqueeze -> Concat -> Reshape) is resolved to static shapes.
#include <cmath>
#include <cstring>
#include <functional>

#include "onnx_importer.hpp"

namespace trim::net::onnx_internal {
namespace {

using Dims = std::vector<std::int64_t>;

bool IsFloatType(int t) {
  return t == onnx::TensorProto::FLOAT || t == onnx::TensorProto::DOUBLE ||
         t == onnx::TensorProto::FLOAT16 || t == onnx::TensorProto::BFLOAT16;
}

// Row-major strides of `dims`.
Dims Strides(const Dims& dims) {
  Dims s(dims.size(), 1);
  for (std::size_t i = dims.size(); i-- > 1;) s[i - 1] = s[i] * dims[i];
  return s;
}

// Fills the output elements of shape `out` by mapping each output multi-index to an input flat
// index with `map` (called with the multi-index).
std::vector<double> Gather(const Dims& out, const std::vector<double>& in,
                           const std::function<std::int64_t(const Dims&)>& map) {
  const std::int64_t n = Numel(out);
  if (n < 0 || n > kMaxFoldElements) return {};  // SetOut drops data of the wrong size
  std::vector<double> data(static_cast<std::size_t>(n));
  Dims idx(out.size(), 0);
  for (std::int64_t i = 0; i < n; ++i) {
    std::int64_t rem = i;
    for (std::size_t a = out.size(); a-- > 0;) {
      idx[a] = rem % out[a];
      rem /= out[a];
    }
    const std::int64_t j = map(idx);
    data[static_cast<std::size_t>(i)] = in[static_cast<std::size_t>(j)];
  }
  return data;
}

// Input flat index for an output multi-index under numpy broadcasting.
std::int64_t BroadcastIndex(const Dims& out_idx, const Dims& in_dims) {
  const std::size_t off = out_idx.size() - in_dims.size();
  std::int64_t j = 0;
  for (std::size_t a = 0; a < in_dims.size(); ++a) {
    j = j * in_dims[a] + (in_dims[a] == 1 ? 0 : out_idx[a + off]);
  }
  return j;
}

}  // namespace

Value Importer::ConstFromTensor(const onnx::TensorProto& t, bool is_initializer) const {
  Value v;
  v.is_const = true;
  v.dims.assign(t.dims().begin(), t.dims().end());
  v.elem_type = t.data_type();
  const std::int64_t n = Numel(v.dims);
  if (n < 0) Fail("constant '" + t.name() + "' has an invalid shape");
  if (is_initializer) {
    v.initializer = t.name();
    if (IsFloatType(v.elem_type) && n > 1 && t.name().rfind("onnx::", 0) != 0) {
      v.params = {t.name()};
    }
  }
  const bool external = t.data_location() == onnx::TensorProto::EXTERNAL;
  if (n > kMaxFoldElements || external) return v;
  const auto count = static_cast<std::size_t>(n);
  const std::string& raw = t.raw_data();
  auto from_raw = [&](auto sample) {
    using T = decltype(sample);
    if (raw.size() != count * sizeof(T)) {
      Fail("constant '" + t.name() + "' has " + std::to_string(raw.size()) +
           " bytes of data, expected " + std::to_string(count * sizeof(T)));
    }
    v.data.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
      T x;
      std::memcpy(&x, raw.data() + i * sizeof(T), sizeof(T));
      v.data[i] = static_cast<double>(x);
    }
    v.has_data = true;
  };
  auto from_field = [&](const auto& field) {
    if (static_cast<std::size_t>(field.size()) != count) return;  // no data: shape only
    v.data.assign(field.begin(), field.end());
    v.has_data = true;
  };
  switch (v.elem_type) {
    case onnx::TensorProto::FLOAT:
      t.has_raw_data() ? from_raw(float{}) : from_field(t.float_data());
      break;
    case onnx::TensorProto::DOUBLE:
      t.has_raw_data() ? from_raw(double{}) : from_field(t.double_data());
      break;
    case onnx::TensorProto::INT64:
      t.has_raw_data() ? from_raw(std::int64_t{}) : from_field(t.int64_data());
      break;
    case onnx::TensorProto::INT32:
      t.has_raw_data() ? from_raw(std::int32_t{}) : from_field(t.int32_data());
      break;
    case onnx::TensorProto::BOOL:
    case onnx::TensorProto::UINT8:
      t.has_raw_data() ? from_raw(std::uint8_t{}) : from_field(t.int32_data());
      break;
    case onnx::TensorProto::INT8:
      t.has_raw_data() ? from_raw(std::int8_t{}) : from_field(t.int32_data());
      break;
    default:
      break;  // other types keep their shape only
  }
  return v;
}

void Importer::OpConstant() {
  Value v;
  if (const auto* a = FindAttr("value")) {
    v = ConstFromTensor(a->t(), false);
  } else if (const auto* f = FindAttr("value_float")) {
    v = Value{true, {}, {}, {}, onnx::TensorProto::FLOAT, true, {f->f()}, {}};
  } else if (const auto* i = FindAttr("value_int")) {
    v = Value{true, {}, {}, {}, onnx::TensorProto::INT64, true, {static_cast<double>(i->i())}, {}};
  } else if (const auto* fs = FindAttr("value_floats")) {
    v = Value{true, {fs->floats_size()}, {}, {}, onnx::TensorProto::FLOAT, true, {}, {}};
    v.data.assign(fs->floats().begin(), fs->floats().end());
  } else if (const auto* is = FindAttr("value_ints")) {
    v = Value{true, {is->ints_size()}, {}, {}, onnx::TensorProto::INT64, true, {}, {}};
    for (const auto x : is->ints()) v.data.push_back(static_cast<double>(x));
  } else {
    Fail("a Constant without a dense value (sparse or string constants are not supported)");
  }
  v.initializer.clear();
  v.params.clear();
  SetOut(0, std::move(v));
}

void Importer::OpAlias() {
  Value v = In(0);
  if (node_->op_type() == "Cast" && v.is_const) {
    v.elem_type = static_cast<int>(AttrInt("to", v.elem_type));
    if (!IsFloatType(v.elem_type)) {
      for (double& d : v.data)
        d = v.elem_type == onnx::TensorProto::BOOL ? (d != 0) : std::trunc(d);
    }
  }
  // torch.onnx.export stores parameters of equal value once and gives every other one an
  // Identity of it (ConvNeXt's layer scales, all initialised to 1e-6): such an output is a
  // parameter of its own, with the input's elements.
  if (node_->op_type() == "Identity" && v.is_const && v.params.size() == 1 &&
      v.params[0] == v.initializer && !node_->output(0).empty()) {
    init_numel_[node_->output(0)] = init_numel_[v.initializer];
    v.params = {node_->output(0)};
  }
  v.initializer.clear();
  SetOut(0, std::move(v));
}

void Importer::OpShape() {
  const Value& in = In(0);
  const auto rank = static_cast<std::int64_t>(in.dims.size());
  std::int64_t start = AttrInt("start", 0);
  std::int64_t end = AttrInt("end", rank);
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<std::int64_t>(start, 0, rank);
  end = std::clamp<std::int64_t>(end, start, rank);
  Value v{true, {end - start}, {}, {}, onnx::TensorProto::INT64, true, {}, {}};
  for (std::int64_t i = start; i < end; ++i) v.data.push_back(static_cast<double>(in.dims[i]));
  SetOut(0, std::move(v));
}

void Importer::OpReshape() {
  const Value& in = In(0);
  const Dims target = ConstInts(1);
  const bool allow_zero = AttrInt("allowzero", 0) != 0;
  Dims out;
  int infer = -1;
  std::int64_t known = 1;
  for (std::size_t i = 0; i < target.size(); ++i) {
    std::int64_t d = target[i];
    if (d == 0 && !allow_zero) {
      if (i >= in.dims.size())
        Fail("shape entry 0 at position " + std::to_string(i) + " has no input axis to copy");
      d = in.dims[i];
    }
    if (d == -1) {
      if (infer >= 0) Fail("the target shape has more than one -1");
      infer = static_cast<int>(i);
      d = 1;
    } else if (d < 0) {
      Fail("the target shape has the invalid entry " + std::to_string(d));
    }
    out.push_back(d);
    known *= d;
  }
  const std::int64_t n = Numel(in.dims);
  if (infer >= 0) {
    if (known == 0 || n % known != 0) Fail("cannot infer the -1 entry of the target shape");
    out[static_cast<std::size_t>(infer)] = n / known;
  }
  if (Numel(out) != n) {
    Fail("cannot reshape " + std::to_string(n) + " elements to " + std::to_string(Numel(out)));
  }
  Value v = in;
  v.dims = out;
  v.initializer.clear();
  SetOut(0, std::move(v));
}

void Importer::OpFlatten() {
  const Value& in = In(0);
  const std::int64_t axis = Axis(AttrInt("axis", 1), in.dims.size() + 1);
  Dims lead(in.dims.begin(), in.dims.begin() + axis);
  Dims rest(in.dims.begin() + axis, in.dims.end());
  Value v = in;
  v.dims = {Numel(lead), Numel(rest)};
  v.initializer.clear();
  SetOut(0, std::move(v));
}

void Importer::OpTranspose() {
  const Value& in = In(0);
  const std::size_t rank = in.dims.size();
  Dims perm = AttrInts("perm");
  if (perm.empty()) {
    for (std::size_t i = rank; i-- > 0;) perm.push_back(static_cast<std::int64_t>(i));
  }
  Dims sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (sorted.size() != rank || sorted[i] != static_cast<std::int64_t>(i)) {
      Fail("perm is not a permutation of the " + std::to_string(rank) + " axes");
    }
  }
  Value v = in;
  v.initializer.clear();
  for (std::size_t i = 0; i < rank; ++i) v.dims[i] = in.dims[static_cast<std::size_t>(perm[i])];
  if (in.is_const && in.has_data) {
    const Dims st = Strides(in.dims);
    v.data = Gather(v.dims, in.data, [&](const Dims& idx) {
      std::int64_t j = 0;
      for (std::size_t a = 0; a < rank; ++a) j += idx[a] * st[static_cast<std::size_t>(perm[a])];
      return j;
    });
  }
  SetOut(0, std::move(v));
}

void Importer::OpSqueeze() {
  const Value& in = In(0);
  Dims axes = opset_ >= 13 ? (HasInput(1) ? ConstInts(1) : Dims{}) : AttrInts("axes");
  std::vector<bool> drop(in.dims.size(), false);
  if (axes.empty()) {
    // Every size-1 axis, except the batch axis of an activation.
    for (std::size_t i = in.is_const ? 0 : 1; i < in.dims.size(); ++i) drop[i] = in.dims[i] == 1;
  }
  for (const std::int64_t a : axes) {
    const auto i = static_cast<std::size_t>(Axis(a, in.dims.size()));
    if (in.dims[i] != 1)
      Fail("cannot squeeze axis " + std::to_string(a) + " of size " + std::to_string(in.dims[i]));
    drop[i] = true;
  }
  Value v = in;
  v.initializer.clear();
  v.dims.clear();
  for (std::size_t i = 0; i < in.dims.size(); ++i) {
    if (!drop[i]) v.dims.push_back(in.dims[i]);
  }
  SetOut(0, std::move(v));
}

void Importer::OpUnsqueeze() {
  const Value& in = In(0);
  const Dims axes = opset_ >= 13 ? ConstInts(1) : AttrInts("axes");
  const std::size_t rank = in.dims.size() + axes.size();
  std::vector<bool> inserted(rank, false);
  for (const std::int64_t a : axes) {
    const auto i = static_cast<std::size_t>(Axis(a, rank));
    if (inserted[i]) Fail("axis " + std::to_string(a) + " is listed twice");
    inserted[i] = true;
  }
  Value v = in;
  v.initializer.clear();
  v.dims.clear();
  std::size_t k = 0;
  for (std::size_t i = 0; i < rank; ++i) v.dims.push_back(inserted[i] ? 1 : in.dims[k++]);
  SetOut(0, std::move(v));
}

void Importer::OpConcat() {
  const Value& first = In(0);
  const auto axis = static_cast<std::size_t>(Axis(AttrInt("axis", 0), first.dims.size()));
  Value v;
  v.is_const = true;
  v.has_data = true;
  v.elem_type = first.elem_type;
  v.dims = first.dims;
  v.dims[axis] = 0;
  for (int k = 0; k < NumInputs(); ++k) {
    const Value& x = In(k);
    if (x.dims.size() != first.dims.size()) Fail("inputs of different ranks");
    for (std::size_t a = 0; a < x.dims.size(); ++a) {
      if (a != axis && x.dims[a] != first.dims[a])
        Fail("inputs disagree on axis " + std::to_string(a));
    }
    v.dims[axis] += x.dims[axis];
    v.is_const = v.is_const && x.is_const;
    v.has_data = v.has_data && x.has_data;
    for (const int s : x.sources) {
      if (std::find(v.sources.begin(), v.sources.end(), s) == v.sources.end()) {
        v.sources.push_back(s);
      }
    }
    v.params.insert(v.params.end(), x.params.begin(), x.params.end());
  }
  if (v.is_const && v.has_data) {
    // Stack the inputs' blocks along `axis`.
    const std::int64_t outer = Numel(Dims(v.dims.begin(), v.dims.begin() + axis));
    for (std::int64_t o = 0; o < outer; ++o) {
      for (int k = 0; k < NumInputs(); ++k) {
        const Value& x = In(k);
        const std::int64_t block = Numel(Dims(x.dims.begin() + axis, x.dims.end()));
        const auto* b = x.data.data() + o * block;
        v.data.insert(v.data.end(), b, b + block);
      }
    }
  } else {
    v.has_data = false;
  }
  SetOut(0, std::move(v));
}

void Importer::OpSlice() {
  const Value& in = In(0);
  const std::size_t rank = in.dims.size();
  Dims starts;
  Dims ends;
  Dims axes;
  Dims steps;
  if (opset_ >= 10) {
    starts = ConstInts(1, true);
    ends = ConstInts(2, true);
    if (HasInput(3)) axes = ConstInts(3);
    if (HasInput(4)) steps = ConstInts(4);
  } else {
    starts = AttrInts("starts");
    ends = AttrInts("ends");
    axes = AttrInts("axes");
  }
  if (axes.empty()) {
    for (std::size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<std::int64_t>(i));
  }
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size()) {
    Fail("starts, ends, axes and steps have different lengths");
  }
  Dims first(rank, 0);
  Dims step(rank, 1);
  Value v = in;
  v.initializer.clear();
  for (std::size_t k = 0; k < starts.size(); ++k) {
    const auto a = static_cast<std::size_t>(Axis(axes[k], rank));
    const std::int64_t dim = in.dims[a];
    const std::int64_t st = steps[k];
    if (st == 0) Fail("a slice step of 0");
    std::int64_t b = starts[k] < 0 ? starts[k] + dim : starts[k];
    std::int64_t e = ends[k] < 0 ? ends[k] + dim : ends[k];
    if (st > 0) {
      b = std::clamp<std::int64_t>(b, 0, dim);
      e = std::clamp<std::int64_t>(e, 0, dim);
      v.dims[a] = e > b ? (e - b + st - 1) / st : 0;
    } else {
      b = std::clamp<std::int64_t>(b, 0, dim - 1);
      e = std::clamp<std::int64_t>(e, -1, dim - 1);
      v.dims[a] = b > e ? (b - e - st - 1) / -st : 0;
    }
    first[a] = b;
    step[a] = st;
  }
  if (BatchAxis0(in) && v.dims[0] != in.dims[0]) Fail("slicing the batch axis is not supported");
  if (in.is_const && in.has_data) {
    const Dims s = Strides(in.dims);
    v.data = Gather(v.dims, in.data, [&](const Dims& idx) {
      std::int64_t j = 0;
      for (std::size_t a = 0; a < rank; ++a) j += (first[a] + idx[a] * step[a]) * s[a];
      return j;
    });
  }
  SetOut(0, std::move(v));
}

void Importer::OpSplit() {
  const Value& in = In(0);
  const auto axis = static_cast<std::size_t>(Axis(AttrInt("axis", 0), in.dims.size()));
  Dims sizes = opset_ >= 13 ? (HasInput(1) ? ConstInts(1) : Dims{}) : AttrInts("split");
  const int outs = node_->output_size();
  if (sizes.empty()) {
    if (in.dims[axis] < outs)
      Fail("cannot split " + std::to_string(in.dims[axis]) + " into " + std::to_string(outs) +
           " parts");
    const std::int64_t part = (in.dims[axis] + outs - 1) / outs;
    for (int k = 0; k < outs; ++k) {
      sizes.push_back(std::min(part, in.dims[axis] - part * k));
    }
  }
  std::int64_t total = 0;
  for (const std::int64_t s : sizes) {
    if (s < 0) Fail("a negative split size");
    total += s;
  }
  if (static_cast<int>(sizes.size()) != outs || total != in.dims[axis]) {
    Fail("split sizes do not add up to the axis size " + std::to_string(in.dims[axis]));
  }
  if (BatchAxis0(in) && axis == 0) Fail("splitting the batch axis is not supported");
  const Dims st = Strides(in.dims);
  std::int64_t offset = 0;
  for (int k = 0; k < outs; ++k) {
    Value v = in;
    v.initializer.clear();
    v.dims[axis] = sizes[static_cast<std::size_t>(k)];
    if (in.is_const && in.has_data) {
      v.data = Gather(v.dims, in.data, [&](const Dims& idx) {
        std::int64_t j = 0;
        for (std::size_t a = 0; a < idx.size(); ++a)
          j += (idx[a] + (a == axis ? offset : 0)) * st[a];
        return j;
      });
    }
    offset += sizes[static_cast<std::size_t>(k)];
    SetOut(k, std::move(v));
  }
}

void Importer::OpGather() {
  const Value& data = In(0);
  const Value& idx = In(1);
  const auto axis = static_cast<std::size_t>(Axis(AttrInt("axis", 0), data.dims.size()));
  Value v;
  v.dims.assign(data.dims.begin(), data.dims.begin() + axis);
  v.dims.insert(v.dims.end(), idx.dims.begin(), idx.dims.end());
  v.dims.insert(v.dims.end(), data.dims.begin() + axis + 1, data.dims.end());
  if (data.is_const && idx.is_const) {
    v.is_const = true;
    v.elem_type = data.elem_type;
    v.params = data.params;
    if (data.has_data && idx.has_data && Numel(v.dims) <= kMaxFoldElements) {
      const std::int64_t dim = data.dims[axis];
      const std::int64_t inner = Numel(Dims(data.dims.begin() + axis + 1, data.dims.end()));
      const std::int64_t outer = Numel(Dims(data.dims.begin(), data.dims.begin() + axis));
      for (std::int64_t o = 0; o < outer; ++o) {
        for (const double id : idx.data) {
          auto i = static_cast<std::int64_t>(id);
          if (i < 0) i += dim;
          if (i < 0 || i >= dim) Fail("index " + std::to_string(i) + " is out of range");
          const auto* b = data.data.data() + (o * dim + i) * inner;
          v.data.insert(v.data.end(), b, b + inner);
        }
      }
      v.has_data = true;
    }
  } else if (data.is_const) {
    // An embedding lookup: the table's rows are read by the indices' consumers.
    if (axis != 0) Fail("a table lookup must gather along axis 0");
    v.sources = idx.sources;
    v.params = idx.params;
    v.params.insert(v.params.end(), data.params.begin(), data.params.end());
  } else if (idx.is_const) {
    if (axis == 0 && BatchAxis0(data)) Fail("gathering along the batch axis is not supported");
    v.sources = data.sources;
    v.params = data.params;
  } else {
    Fail("a Gather whose data and indices are both activations is not supported");
  }
  SetOut(0, std::move(v));
}

void Importer::OpExpand() {
  const Value& in = In(0);
  const Dims shape = ConstInts(1);
  Dims out(std::max(shape.size(), in.dims.size()), 1);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::size_t oi = out.size() - 1 - i;
    const std::int64_t a = i < in.dims.size() ? in.dims[in.dims.size() - 1 - i] : 1;
    const std::int64_t b = i < shape.size() ? shape[shape.size() - 1 - i] : 1;
    if (b < 0 || (a != b && a != 1 && b != 1)) Fail("cannot broadcast to the requested shape");
    out[oi] = a == 1 ? b : a;
  }
  Value v = in;
  v.initializer.clear();
  v.dims = out;
  if (in.is_const && in.has_data && Numel(out) <= kMaxFoldElements) {
    v.data = Gather(out, in.data, [&](const Dims& idx) { return BroadcastIndex(idx, in.dims); });
  } else {
    v.has_data = false;
  }
  SetOut(0, std::move(v));
}

void Importer::OpPad() {
  const Value& in = In(0);
  const Dims pads = opset_ >= 11 ? ConstInts(1) : AttrInts("pads");
  const std::size_t rank = in.dims.size();
  if (pads.size() != 2 * rank) Fail("pads must list 2 x rank entries");
  if (AttrString("mode", "constant") != "constant") {
    Fail("only constant padding is supported", "use mode='constant' or pad inside the Conv");
  }
  Value v = in;
  v.initializer.clear();
  v.has_data = false;
  for (std::size_t i = 0; i < rank; ++i) v.dims[i] += pads[i] + pads[i + rank];
  if (BatchAxis0(in) && v.dims[0] != in.dims[0]) Fail("padding the batch axis is not supported");
  SetOut(0, std::move(v));
}

void Importer::OpConstantOfShape() {
  Value v;
  v.is_const = true;
  v.dims = ConstInts(0);
  double fill = 0;
  v.elem_type = onnx::TensorProto::FLOAT;
  if (const auto* a = FindAttr("value")) {
    const Value t = ConstFromTensor(a->t(), false);
    v.elem_type = t.elem_type;
    if (t.has_data && !t.data.empty()) fill = t.data[0];
  }
  const std::int64_t n = Numel(v.dims);
  if (n < 0) Fail("invalid shape");
  if (n <= kMaxFoldElements) {
    v.data.assign(static_cast<std::size_t>(n), fill);
    v.has_data = true;
  }
  SetOut(0, std::move(v));
}

// ScatterND on constants only (torchvision's Swin builds its shifted-window mask by writing
// slices of a zero tensor): folded when every operand's values are known, else a constant of
// the data's shape without values.
void Importer::OpScatterND() {
  for (int k = 0; k < 3; ++k) {
    if (!HasInput(k) || !In(k).is_const) {
      Fail("ScatterND is supported only on constants (a mask built from shapes)",
           "compute the scattered tensor outside the model, or export it as a constant");
    }
  }
  const Value& data = In(0);
  const Value& idx = In(1);
  const Value& upd = In(2);
  Value v;
  v.is_const = true;
  v.dims = data.dims;
  v.elem_type = data.elem_type;
  if (AttrString("reduction", "none") != "none") Fail("ScatterND with a reduction");
  if (data.has_data && idx.has_data && upd.has_data && !idx.dims.empty()) {
    const auto k = static_cast<std::size_t>(idx.dims.back());
    if (k == 0 || k > data.dims.size()) Fail("ScatterND indices of the wrong length");
    const std::int64_t inner =
        Numel(Dims(data.dims.begin() + static_cast<std::ptrdiff_t>(k), data.dims.end()));
    const std::int64_t n = Numel(idx.dims) / static_cast<std::int64_t>(k);
    if (Numel(upd.dims) != n * inner) Fail("ScatterND updates do not match the indices");
    v.data = data.data;
    for (std::int64_t i = 0; i < n; ++i) {
      std::int64_t off = 0;
      for (std::size_t a = 0; a < k; ++a) {
        auto j = static_cast<std::int64_t>(idx.data[static_cast<std::size_t>(i) * k + a]);
        if (j < 0) j += data.dims[a];
        if (j < 0 || j >= data.dims[a]) Fail("ScatterND index out of range");
        off = off * data.dims[a] + j;
      }
      for (std::int64_t e = 0; e < inner; ++e) {
        v.data[static_cast<std::size_t>(off * inner + e)] =
            upd.data[static_cast<std::size_t>(i * inner + e)];
      }
    }
    v.has_data = true;
  }
  SetOut(0, std::move(v));
}

void Importer::OpRange() {
  const Dims s = ConstInts(0);
  const Dims l = ConstInts(1);
  const Dims d = ConstInts(2);
  if (s.size() != 1 || l.size() != 1 || d.size() != 1 || d[0] == 0) {
    Fail("Range needs scalar start, limit and a non-zero delta");
  }
  const std::int64_t n =
      std::max<std::int64_t>((l[0] - s[0] + d[0] - (d[0] > 0 ? 1 : -1)) / d[0], 0);
  if (n > kMaxFoldElements) Fail("a Range of " + std::to_string(n) + " elements is too long");
  Value v{true, {n}, {}, {}, In(0).elem_type, true, {}, {}};
  for (std::int64_t i = 0; i < n; ++i) v.data.push_back(static_cast<double>(s[0] + i * d[0]));
  SetOut(0, std::move(v));
}

void Importer::FoldElementwise() {
  const std::string& op = node_->op_type();
  Dims out;
  bool has_data = true;
  for (int k = 0; k < NumInputs(); ++k) {
    if (!HasInput(k)) continue;
    const Value& x = In(k);
    has_data = has_data && x.has_data;
    const Dims& d = x.dims;
    Dims r(std::max(out.size(), d.size()), 1);
    for (std::size_t i = 0; i < r.size(); ++i) {
      const std::int64_t a = i < out.size() ? out[out.size() - 1 - i] : 1;
      const std::int64_t b = i < d.size() ? d[d.size() - 1 - i] : 1;
      if (a != b && a != 1 && b != 1) Fail("constant operands cannot be broadcast together");
      r[r.size() - 1 - i] = a == 1 ? b : a;
    }
    out = r;
  }
  Value v;
  v.is_const = true;
  v.dims = out;
  v.elem_type = In(0).elem_type;
  const bool compare = op == "Equal" || op == "Less" || op == "Greater" || op == "Not";
  if (compare) v.elem_type = onnx::TensorProto::BOOL;
  if (op == "Where") v.elem_type = In(1).elem_type;
  if (has_data && Numel(out) <= kMaxFoldElements) {
    const bool integral = !IsFloatType(v.elem_type);
    auto arg = [&](int k, const Dims& idx) {
      const Value& x = In(k);
      return x.data[static_cast<std::size_t>(BroadcastIndex(idx, x.dims))];
    };
    v.data = Gather(out, std::vector<double>(static_cast<std::size_t>(Numel(out))),
                    [](const Dims&) { return std::int64_t{0}; });
    Dims idx(out.size(), 0);
    for (std::size_t i = 0; i < v.data.size(); ++i) {
      std::int64_t rem = static_cast<std::int64_t>(i);
      for (std::size_t a = out.size(); a-- > 0;) {
        idx[a] = rem % out[a];
        rem /= out[a];
      }
      const double a = arg(0, idx);
      const double b = HasInput(1) ? arg(1, idx) : 0.0;
      double r = 0;
      if (op == "Add")
        r = a + b;
      else if (op == "Sub")
        r = a - b;
      else if (op == "Mul")
        r = a * b;
      else if (op == "Div")
        r = b == 0 ? 0 : (integral ? std::trunc(a / b) : a / b);
      else if (op == "Pow")
        r = std::pow(a, b);
      else if (op == "Sqrt")
        r = std::sqrt(a);
      else if (op == "Neg")
        r = -a;
      else if (op == "Reciprocal")
        r = a == 0 ? 0 : 1 / a;
      else if (op == "Exp")
        r = std::exp(a);
      else if (op == "Log")
        r = a > 0 ? std::log(a) : 0;
      else if (op == "Abs")
        r = std::fabs(a);
      else if (op == "Floor")
        r = std::floor(a);
      else if (op == "Ceil")
        r = std::ceil(a);
      else if (op == "Equal")
        r = a == b;
      else if (op == "Less")
        r = a < b;
      else if (op == "Greater")
        r = a > b;
      else if (op == "Not")
        r = a == 0;
      else if (op == "Min")
        r = std::min(a, b);
      else if (op == "Max")
        r = std::max(a, b);
      else if (op == "Where")
        r = a != 0 ? b : arg(2, idx);
      else if (op == "Relu")
        r = std::max(a, 0.0);
      else if (op == "Erf")
        r = std::erf(a);
      else if (op == "Sin")
        r = std::sin(a);
      else if (op == "Cos")
        r = std::cos(a);
      else if (op == "Mod")  // fmod = 0: the sign of the divisor (Python's %)
        r = b == 0 ? 0 : (AttrInt("fmod", 0) != 0 ? std::fmod(a, b) : a - b * std::floor(a / b));
      else if (op == "Sigmoid")
        r = 1 / (1 + std::exp(-a));
      else if (op == "Tanh")
        r = std::tanh(a);
      else if (op == "Clip")
        r = std::clamp(a, HasInput(1) ? b : a, HasInput(2) ? arg(2, idx) : a);
      v.data[i] = integral && !compare ? std::trunc(r) : r;
    }
    v.has_data = true;
  }
  SetOut(0, std::move(v));
}

}  // namespace trim::net::onnx_internal
