// ONNX import: file reading, model checks, graph inputs, the node walk and the operator table.
// The op handlers are in onnx_ops.cpp, onnx_shape.cpp and onnx_patterns.cpp.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <utility>

#include "onnx_importer.hpp"
#include "trim/core/error.hpp"
#include "trim/net/network_file.hpp"
#include "trim/net/onnx.hpp"

namespace trim::net {
namespace onnx_internal {
namespace {

using Handler = void (Importer::*)();

struct OpEntry {
  std::string_view op;
  Handler handler;
};

// Every operator the importer understands, with its handler. Element-wise math that is only
// meaningful on constants (shape arithmetic, folded scales) is listed in kFoldOnly instead.
constexpr OpEntry kOps[] = {
    {"Conv", &Importer::OpConv},
    {"MaxPool", &Importer::OpPool},
    {"AveragePool", &Importer::OpPool},
    {"GlobalAveragePool", &Importer::OpGlobalPool},
    {"GlobalMaxPool", &Importer::OpGlobalPool},
    {"ReduceMean", &Importer::OpReduce},
    {"ReduceMax", &Importer::OpReduce},
    {"ReduceSum", &Importer::OpReduce},
    {"Gemm", &Importer::OpGemm},
    {"MatMul", &Importer::OpMatMul},
    {"Einsum", &Importer::OpEinsum},
    {"Add", &Importer::OpBinary},
    {"Sub", &Importer::OpBinary},
    {"Mul", &Importer::OpBinary},
    {"Div", &Importer::OpBinary},
    {"Relu", &Importer::OpActivation},
    {"LeakyRelu", &Importer::OpActivation},
    {"PRelu", &Importer::OpActivation},
    {"Clip", &Importer::OpActivation},
    {"HardSigmoid", &Importer::OpActivation},
    {"HardSwish", &Importer::OpActivation},
    {"Sigmoid", &Importer::OpActivation},
    {"Tanh", &Importer::OpActivation},
    {"Gelu", &Importer::OpActivation},
    {"BatchNormalization", &Importer::OpBatchNorm},
    {"LayerNormalization", &Importer::OpLayerNorm},
    {"Softmax", &Importer::OpSoftmax},
    {"LogSoftmax", &Importer::OpSoftmax},
    {"Constant", &Importer::OpConstant},
    {"Identity", &Importer::OpAlias},
    {"Dropout", &Importer::OpAlias},
    {"Cast", &Importer::OpAlias},
    {"Shape", &Importer::OpShape},
    {"Reshape", &Importer::OpReshape},
    {"Flatten", &Importer::OpFlatten},
    {"Transpose", &Importer::OpTranspose},
    {"Squeeze", &Importer::OpSqueeze},
    {"Unsqueeze", &Importer::OpUnsqueeze},
    {"Concat", &Importer::OpConcat},
    {"Slice", &Importer::OpSlice},
    {"Split", &Importer::OpSplit},
    {"Gather", &Importer::OpGather},
    {"Expand", &Importer::OpExpand},
    {"Pad", &Importer::OpPad},
    {"ConstantOfShape", &Importer::OpConstantOfShape},
    {"Range", &Importer::OpRange},
    {"ScatterND", &Importer::OpScatterND},
};

constexpr std::string_view kFoldOnly[] = {
    "Pow",  "Sqrt",    "Neg",   "Reciprocal", "Exp", "Log", "Abs", "Floor", "Ceil", "Equal",
    "Less", "Greater", "Where", "Not",        "Min", "Max", "Erf", "Sin",   "Cos",  "Mod"};

std::string Stem(const std::string& path) {
  std::string base = path.substr(path.find_last_of('/') + 1);
  const auto dot = base.find_last_of('.');
  if (dot != std::string::npos && dot > 0) base.resize(dot);
  return base;
}

}  // namespace

std::string ShapeText(const std::vector<std::int64_t>& dims) {
  std::string s = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

std::int64_t Numel(const std::vector<std::int64_t>& dims) {
  std::int64_t n = 1;
  for (const std::int64_t d : dims) {
    if (d < 0 || (d > 0 && n > (std::int64_t{1} << 62) / d)) return -1;
    n *= d;
  }
  return n;
}

Importer::Importer(const onnx::ModelProto& model, std::string path, const NetworkParams& params)
    : model_(model), path_(std::move(path)), params_(params) {}

void Importer::Fail(const std::string& problem, const std::string& hint) const {
  std::string where;
  if (node_ != nullptr) {
    where = "node #" + std::to_string(node_index_) + " '" + node_->name() + "' (" +
            node_->op_type() + "): ";
  }
  // Every rejection says how to go on: an operator-specific hint where one is given, else
  // where the supported subset is described.
  throw ConfigError(SourcePos{path_, 0, 0}, where + problem,
                    hint.empty() ? "docs/onnx.md lists the supported operators and attributes; "
                                   "re-export the model (static shapes, constant folding) or "
                                   "replace the node"
                                 : hint);
}

int Importer::NumInputs() const { return node_->input_size(); }

bool Importer::HasInput(int k) const { return k < node_->input_size() && !node_->input(k).empty(); }

constexpr const char* kReexportHint =
    "the file is malformed: re-export it from its framework, or check it with "
    "onnx.checker.check_model";

const std::string& Importer::InName(int k) const {
  if (!HasInput(k)) Fail("input " + std::to_string(k) + " is missing", kReexportHint);
  return node_->input(k);
}

const Value& Importer::In(int k) const {
  const std::string& name = InName(k);
  const auto it = values_.find(name);
  if (it == values_.end()) {
    Fail("input '" + name + "' is not produced by any earlier node, initializer or graph input",
         "ONNX requires nodes in topological order; check the file with onnx.checker");
  }
  return it->second;
}

const Value& Importer::Act(int k) const {
  const Value& v = In(k);
  if (v.is_const) {
    Fail("input " + std::to_string(k) + " ('" + InName(k) +
             "') is a constant; this operator is imported only on activations",
         "export with constant folding so that operators on constants are computed away "
         "(torch.onnx.export(..., do_constant_folding=True))");
  }
  return v;
}

const Value& Importer::Const(int k) const {
  const Value& v = In(k);
  if (!v.is_const) {
    Fail("input " + std::to_string(k) + " ('" + InName(k) +
             "') must be a constant (an initializer or computed from constants)",
         "export with static shapes and constant folding (torch.onnx.export(..., "
         "do_constant_folding=True))");
  }
  return v;
}

std::vector<std::int64_t> Importer::ConstInts(int k, bool saturate) const {
  const Value& v = Const(k);
  if (!v.has_data)
    Fail("the values of constant input '" + InName(k) + "' are not available",
         "store the weights inside the model file, not as external data "
         "(onnx.save(model, path, save_as_external_data=False))");
  std::vector<std::int64_t> out;
  out.reserve(v.data.size());
  constexpr double kLimit = static_cast<double>(std::int64_t{1} << 60);
  for (double d : v.data) {
    if (saturate && !std::isnan(d)) d = std::clamp(d, -kLimit / 2, kLimit / 2);
    if (!(d > -kLimit && d < kLimit)) {
      Fail("constant input '" + InName(k) + "' is out of range",
           "shape and axis constants must be below 2^53 in magnitude; " +
               std::string(kReexportHint));
    }
    out.push_back(static_cast<std::int64_t>(d));
  }
  return out;
}

void Importer::SetOut(int k, Value v) {
  if (k >= node_->output_size() || node_->output(k).empty()) return;
  for (const std::int64_t d : v.dims) {
    if (d < 0 || (d == 0 && !v.is_const)) {
      Fail("output shape " + ShapeText(v.dims) + " has an empty or negative dimension",
           "check the input sizes and this node's attributes (kernel, stride, pads); " +
               std::string(kReexportHint));
    }
  }
  if (Numel(v.dims) < 0)
    Fail("output shape " + ShapeText(v.dims) + " is too large",
         "use smaller input sizes (see Limits in docs/onnx.md)");
  if (v.has_data && static_cast<std::int64_t>(v.data.size()) != Numel(v.dims)) {
    v.has_data = false;
    v.data.clear();
  }
  CheckValueInfo(node_->output(k), v);
  values_[node_->output(k)] = std::move(v);
}

const onnx::AttributeProto* Importer::FindAttr(const char* name) const {
  for (const auto& a : node_->attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

bool Importer::HasAttr(const char* name) const { return FindAttr(name) != nullptr; }

std::int64_t Importer::AttrInt(const char* name, std::int64_t def) const {
  const auto* a = FindAttr(name);
  return a == nullptr ? def : a->i();
}

float Importer::AttrFloat(const char* name, float def) const {
  const auto* a = FindAttr(name);
  return a == nullptr ? def : a->f();
}

std::string Importer::AttrString(const char* name, const std::string& def) const {
  const auto* a = FindAttr(name);
  return a == nullptr ? def : a->s();
}

std::vector<std::int64_t> Importer::AttrInts(const char* name) const {
  const auto* a = FindAttr(name);
  if (a == nullptr) return {};
  return {a->ints().begin(), a->ints().end()};
}

std::vector<std::int64_t> Importer::PerSample(const Value& v) const {
  if (v.dims.empty())
    Fail("an activation without a batch axis (rank 0) is not supported",
         "export the model with a leading batch axis on every activation");
  const std::int64_t d0 = v.dims[0];
  if (d0 % batch_ != 0 || d0 == 0) {
    Fail("tensor of shape " + ShapeText(v.dims) +
             " has a leading axis that is not a multiple "
             "of the batch size " +
             std::to_string(batch_),
         "the importer takes axis 0 as the batch; export with batch 1 (or a dynamic batch "
         "axis), which makes every axis a per-sample axis");
  }
  std::vector<std::int64_t> out = v.dims;
  if (d0 == batch_) {
    out.erase(out.begin());
  } else {
    out[0] = d0 / batch_;
  }
  return out;
}

std::int64_t Importer::Axis(std::int64_t axis, std::size_t rank) const {
  const auto r = static_cast<std::int64_t>(rank);
  if (axis < -r || axis >= r) {
    Fail("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(r),
         "the node's axis attribute must lie in [-rank, rank); " + std::string(kReexportHint));
  }
  return axis < 0 ? axis + r : axis;
}

std::string Importer::LayerName() const {
  if (!node_->name().empty()) return node_->name();
  return node_->op_type() + "_" + std::to_string(node_index_);
}

int Importer::Emit(Layer layer, const std::vector<int>& producers) {
  const int index = static_cast<int>(net_.layers.size());
  if (layer_names_.count(layer.name) != 0) layer.name += "#" + std::to_string(node_index_);
  layer_names_.insert(layer.name);
  const bool implicit = producers.size() == 1 && producers[0] == index - 1;
  if (!implicit) layer.inputs = producers;
  // The limits of layer.hpp: no count of the layer, nor a sum over the network, can
  // overflow.
  if (const std::string problem = LayerLimitProblem(layer, &totals_); !problem.empty()) {
    Fail("layer '" + layer.name + "': " + problem,
         "a layer has at most 2^24 per window, stride, pad, dilation or group, 2^50 elements, "
         "weights, MACs and operations per sample, and a network at most 100000 layers and "
         "2^60 in total (see Limits in docs/onnx.md)");
  }
  if (layer.e() <= 0 || layer.f() <= 0 || layer.m <= 0 || layer.c <= 0) {
    Fail("the layer has an empty output (c=" + std::to_string(layer.c) +
             ", h=" + std::to_string(layer.h) + ", w=" + std::to_string(layer.w) +
             ", m=" + std::to_string(layer.m) + ")",
         "check the input sizes against the node's kernel, stride and pads");
  }
  net_.layers.push_back(std::move(layer));
  return index;
}

void Importer::EmitLayer(Layer layer, const std::vector<const Value*>& reads,
                         std::vector<std::int64_t> out_dims) {
  std::vector<int> producers;
  for (const Value* v : reads) {
    producers.insert(producers.end(), v->sources.begin(), v->sources.end());
    layer.extra_params += TakeParams(*v);
  }
  const int index = Emit(std::move(layer), producers);
  Value out;
  out.dims = std::move(out_dims);
  out.sources = {index};
  tensor_layer_[node_->output(0)] = index;
  SetOut(0, std::move(out));
}

int Importer::LayerOf(const std::string& tensor) const {
  const auto it = tensor_layer_.find(tensor);
  return it == tensor_layer_.end() ? -1 : it->second;
}

void Importer::Own(const Value& v) {
  for (const auto& p : v.params) attributed_.insert(p);
}

std::int64_t Importer::TakeParams(const Value& v) {
  std::int64_t n = 0;
  for (const auto& p : v.params) {
    if (attributed_.insert(p).second) n += init_numel_[p];
  }
  return n;
}

int Importer::Consumers(const std::string& tensor) const {
  const auto it = consumers_.find(tensor);
  return it == consumers_.end() ? 0 : it->second;
}

const onnx::NodeProto* Importer::Producer(const std::string& tensor) const {
  const auto it = producer_.find(tensor);
  return it == producer_.end() ? nullptr : &model_.graph().node(it->second);
}

std::vector<int> Importer::ConsumerNodes(const std::string& tensor) const {
  std::vector<int> out;
  const auto& g = model_.graph();
  for (int i = 0; i < g.node_size(); ++i) {
    const auto& in = g.node(i).input();
    if (std::find(in.begin(), in.end(), tensor) != in.end()) out.push_back(i);
  }
  return out;
}

bool Importer::IsStaticConst(const std::string& tensor) const {
  if (init_numel_.count(tensor) != 0) return true;
  const onnx::NodeProto* p = Producer(tensor);
  if (p == nullptr) return false;
  if (p->op_type() == "Constant") return true;
  if (p->op_type() == "Identity" || p->op_type() == "Cast") {
    return p->input_size() > 0 && IsStaticConst(p->input(0));
  }
  return false;
}

void Importer::CheckValueInfo(const std::string& name, const Value& v) const {
  const auto it = value_info_.find(name);
  if (it == value_info_.end() || !it->second->type().has_tensor_type() ||
      !it->second->type().tensor_type().has_shape()) {
    return;
  }
  const auto& shape = it->second->type().tensor_type().shape();
  bool ok = shape.dim_size() == static_cast<int>(v.dims.size());
  for (int i = 0; ok && i < shape.dim_size(); ++i) {
    if (shape.dim(i).has_dim_value() && shape.dim(i).dim_value() != v.dims[i]) ok = false;
  }
  if (!ok) {
    std::vector<std::int64_t> declared;
    for (const auto& d : shape.dim()) declared.push_back(d.has_dim_value() ? d.dim_value() : -1);
    Fail("tensor '" + name + "' has shape " + ShapeText(v.dims) + " by inference but " +
             ShapeText(declared) + " in the file's value_info",
         "the file's shapes are inconsistent; re-export it or run onnx.shape_inference");
  }
}

int Importer::BatchAxis(const onnx::TensorShapeProto& shape, bool ids) const {
  // A dynamic axis the exporter named after the batch (dynamic_axes={"x": {1: "batch"}}).
  for (int i = 0; i < shape.dim_size(); ++i) {
    std::string sym = shape.dim(i).dim_param();
    std::transform(sym.begin(), sym.end(), sym.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    if (!shape.dim(i).has_dim_value() && sym.find("batch") != std::string::npos) return i;
  }
  // A sequence-first export at batch 1 ([tokens, 1, features]: nn.MultiheadAttention and
  // nn.Transformer with batch_first=False): the batch is axis 1.
  const auto fixed = [&](int i) {
    return shape.dim(i).has_dim_value() ? shape.dim(i).dim_value() : std::int64_t{-1};
  };
  if (!ids && shape.dim_size() == 3 && fixed(1) == 1 && fixed(0) != 1) return 1;
  return 0;
}

void Importer::DeclareInputs() {
  const auto& g = model_.graph();
  bool batch_known = false;
  for (const auto& in : g.input()) {
    if (init_numel_.count(in.name()) != 0) continue;
    if (!in.type().has_tensor_type() || !in.type().tensor_type().has_shape()) {
      Fail("graph input '" + in.name() + "' has no tensor shape",
           "export with example inputs so that the input shapes are recorded");
    }
    const auto& shape = in.type().tensor_type().shape();
    const int rank = shape.dim_size();
    if (rank == 0)
      Fail("graph input '" + in.name() + "' is a scalar; a batch axis is required",
           "export with an input of shape (batch, ...)");
    const int type = in.type().tensor_type().elem_type();
    const bool ids = type == onnx::TensorProto::INT64 || type == onnx::TensorProto::INT32;
    const int batch_axis = BatchAxis(shape, ids);
    // The token axis follows the batch axis (batch-first) or precedes it (sequence-first).
    const int token_axis = batch_axis == 0 ? (ids ? 1 : -1) : 0;
    Value v;
    v.sources = {-1};
    for (int i = 0; i < rank; ++i) {
      const auto& d = shape.dim(i);
      const std::string axis = "axis " + std::to_string(i) + " of graph input '" + in.name() + "'";
      // Which NetworkParams field governs this axis, if any: the spatial axes of an image
      // (rank 4) and the token axis of token ids or of a sequence-first input.
      std::int64_t param = 0;
      std::string param_name;
      if (rank == 4 && i >= 2) {
        param = params_.image_size;
        param_name = "image_size";
      } else if (i == token_axis) {
        param = params_.seq_len;
        param_name = "seq_len";
      }
      if (d.has_dim_value()) {
        if (d.dim_value() <= 0)
          Fail(axis + " has size " + std::to_string(d.dim_value()),
               "every input dimension must be at least 1: export with "
               "static, positive input sizes");
        if (param > 0 && param != d.dim_value()) {
          Fail(param_name + " = " + std::to_string(param) + " contradicts " + axis +
                   ", which the file fixes to " + std::to_string(d.dim_value()),
               "leave " + param_name +
                   " unset for this network, or re-export the model with a dynamic axis");
        }
        v.dims.push_back(d.dim_value());
      } else if (i == batch_axis) {
        v.dims.push_back(1);  // dynamic batch: shapes are per sample anyway
      } else if (param > 0) {
        v.dims.push_back(param);
      } else {
        const std::string sym = d.dim_param().empty() ? "?" : d.dim_param();
        Fail(axis + " is dynamic ('" + sym + "')",
             param_name.empty() ? "export the model with a static shape for this axis"
                                : "set " + param_name + " for this network");
      }
    }
    if (Numel(v.dims) < 0) {
      Fail("graph input '" + in.name() + "' is too large",
           "use smaller input sizes (see Limits in docs/onnx.md)");
    }
    const std::int64_t batch = v.dims[static_cast<std::size_t>(batch_axis)];
    if (batch_known && batch != batch_) {
      Fail("graph inputs disagree on the batch size (" + std::to_string(batch_) + " and " +
               std::to_string(batch) + ")",
           "export with the same batch on every input (batch 1, or a dynamic axis named "
           "'batch'); sequence-first inputs [tokens, batch, features] need batch 1");
    }
    batch_ = batch;
    batch_known = true;
    values_[in.name()] = std::move(v);
  }
  if (!batch_known)
    Fail("the graph has no input besides its initializers",
         "export the model with its activation input (torch.onnx.export(model, "
         "example_input, ...))");
}

void Importer::Dispatch() {
  const std::string& op = node_->op_type();
  const std::string& domain = node_->domain();
  if (!domain.empty() && domain != "ai.onnx") {
    throw ConfigError(SourcePos{path_, 0, 0},
                      "unsupported ONNX operator '" + domain + "." + op + "' at node #" +
                          std::to_string(node_index_) + " '" + node_->name() + "'",
                      "only the default ONNX domain is supported; docs/onnx.md lists the "
                      "operators");
  }
  if (node_->output_size() < 1 || node_->output(0).empty())
    Fail("the node has no output", kReexportHint);
  bool all_const = node_->input_size() > 0;
  for (int k = 0; k < node_->input_size(); ++k) {
    if (HasInput(k) && !In(k).is_const) all_const = false;
  }
  for (const auto& e : kOps) {
    if (e.op != op) continue;
    const bool elementwise = op == "Add" || op == "Sub" || op == "Mul" || op == "Div" ||
                             op == "Relu" || op == "Sigmoid" || op == "Tanh" || op == "Clip";
    if (all_const && elementwise) {
      FoldElementwise();
    } else {
      (this->*e.handler)();
    }
    return;
  }
  if (std::find(std::begin(kFoldOnly), std::end(kFoldOnly), op) != std::end(kFoldOnly)) {
    if (all_const) {
      FoldElementwise();
      return;
    }
    throw ConfigError(SourcePos{path_, 0, 0},
                      "unsupported ONNX operator '" + op + "' on an activation at node #" +
                          std::to_string(node_index_) + " '" + node_->name() + "'",
                      "'" + op +
                          "' is imported only on constants or inside a recognised "
                          "LayerNorm/GELU pattern (docs/onnx.md)");
  }
  throw ConfigError(SourcePos{path_, 0, 0},
                    "unsupported ONNX operator '" + op + "' at node #" +
                        std::to_string(node_index_) + " '" + node_->name() + "'",
                    "docs/onnx.md lists the supported operators; replace the op or re-export "
                    "the model");
}

Network Importer::Run() {
  const auto& g = model_.graph();
  for (const auto& t : g.initializer()) {
    for (const std::int64_t d : t.dims()) {
      if (d < 0) Fail("initializer '" + t.name() + "' has a negative dimension", kReexportHint);
    }
    const std::vector<std::int64_t> dims(t.dims().begin(), t.dims().end());
    if (Numel(dims) < 0)
      Fail("initializer '" + t.name() + "' is too large",
           "use smaller weights (see Limits in docs/onnx.md)");
    init_numel_[t.name()] = Numel(dims);
  }
  for (const auto& t : g.initializer()) values_[t.name()] = ConstFromTensor(t, true);
  for (const auto& vi : g.value_info()) value_info_[vi.name()] = &vi;
  for (const auto& vi : g.output()) value_info_[vi.name()] = &vi;
  for (const auto& o : model_.opset_import()) {
    if (o.domain().empty() || o.domain() == "ai.onnx") opset_ = o.version();
  }
  if (opset_ == 0)
    Fail("the model imports no version of the default ONNX operator set",
         "export with an opset_import for the default domain (opset_version=13 "
         "or later in torch.onnx.export)");
  DeclareInputs();
  for (int i = 0; i < g.node_size(); ++i) {
    for (const auto& in : g.node(i).input()) {
      if (!in.empty()) ++consumers_[in];
    }
    for (const auto& out : g.node(i).output()) {
      if (!out.empty()) producer_[out] = i;
    }
  }
  for (const auto& o : g.output()) ++consumers_[o.name()];
  fusion_of_.assign(static_cast<std::size_t>(g.node_size()), -1);
  FindFusions();
  for (int i = 0; i < g.node_size(); ++i) {
    node_ = &g.node(i);
    node_index_ = i;
    const int f = fusion_of_[static_cast<std::size_t>(i)];
    if (f >= 0) {
      const Fusion& fu = fusions_[static_cast<std::size_t>(f)];
      if (fu.nodes.back() == i) EmitFusion(fu);
      continue;
    }
    Dispatch();
  }
  node_ = nullptr;
  if (net_.layers.empty())
    Fail("the model has no compute node that maps to a layer",
         "the model needs a Conv, Gemm or MatMul node (docs/onnx.md "
         "lists the supported operators)");
  net_.name = Stem(path_);
  net_.description = "ONNX model " + path_ + " (opset " + std::to_string(opset_) +
                     (model_.producer_name().empty() ? "" : ", " + model_.producer_name()) + ")";
  return std::move(net_);
}

}  // namespace onnx_internal

bool OnnxSupported() { return true; }

Network ParseOnnxNetwork(std::string_view bytes, const std::string& path,
                         const NetworkParams& params) {
  onnx::ModelProto model;
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
    throw ConfigError(SourcePos{path, 0, 0}, "the ONNX file is larger than 2 GiB",
                      "store the weights as external data (onnx.save_model(..., "
                      "save_as_external_data=True))");
  }
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    throw ConfigError(SourcePos{path, 0, 0},
                      "not a valid ONNX model: the protobuf data cannot be parsed (the file is "
                      "truncated or not an ONNX file)",
                      "export the model again, e.g. with torch.onnx.export");
  }
  if (model.ir_version() <= 0 || !model.has_graph() || model.graph().node_size() == 0) {
    throw ConfigError(SourcePos{path, 0, 0},
                      "not a valid ONNX model: no IR version or no graph nodes",
                      "export the model again, e.g. with torch.onnx.export");
  }
  onnx_internal::Importer importer(model, path, params);
  return importer.Run();
}

Network LoadOnnxNetwork(const std::string& path, const NetworkParams& params) {
  RequireRegularFile(path, "ONNX model");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path, std::string("cannot open: ") + std::strerror(errno));
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) throw IoError(path, "read failed");
  const std::string bytes = std::move(buf).str();
  return ParseOnnxNetwork(bytes, path, params);
}

}  // namespace trim::net
