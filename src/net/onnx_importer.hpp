// Module-private: the ONNX graph walker behind LoadOnnxNetwork (include/trim/net/onnx.hpp).
// The importer visits the nodes in their (topological) file order and keeps one Value per
// tensor name. A Value is either an activation (full shape including the batch axis, and the
// layers that produced its data) or a constant (an initializer, a Constant node, or anything
// computed from constants only, with its data when it is small enough to fold). Compute nodes
// append Layers; shape-only nodes only create new Values. Pattern fusions (LayerNorm and GELU
// decompositions) are found before the walk and emitted at their last node.
//
// Parameters are attributed once: weight, bias and normalization inputs are owned by their
// layer's formula (layer.hpp); other initializers that reach a layer (embedding tables read by
// Gather, position embeddings, class tokens, scale tensors) become that layer's extra_params.
// The op handlers live in onnx_ops.cpp (compute; Einsum in onnx_einsum.cpp), onnx_shape.cpp
// (shape-only and constant folding) and onnx_patterns.cpp (fusions).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "onnx/onnx_pb.h"
#include "trim/net/layer.hpp"
#include "trim/net/zoo.hpp"

namespace trim::net::onnx_internal {

/// Constants with at most this many elements keep their data (shape arithmetic, indices).
inline constexpr std::int64_t kMaxFoldElements = 1 << 16;

struct Value {
  bool is_const = false;
  std::vector<std::int64_t> dims;  ///< full shape; activations include the batch axis
  std::vector<int> sources;        ///< activations: producing layers (-1 = network input)
  /// Initializers whose elements this value carries as trainable parameters not owned by a
  /// layer formula (embedding tables, position embeddings, class tokens).
  std::vector<std::string> params;
  int elem_type = 1;      ///< onnx::TensorProto_DataType (constants)
  bool has_data = false;  ///< constants: `data` holds every element (row-major)
  std::vector<double> data;
  std::string initializer;  ///< constants read directly from an initializer
};

/// A fused group of nodes emitted as one layer at its last node.
struct Fusion {
  EltOp op = EltOp::kLayerNorm;
  std::vector<int> nodes;          ///< node indices, ascending; the last one is the anchor
  std::string input;               ///< the activation the pattern reads
  std::string output;              ///< the tensor the pattern produces
  std::vector<std::string> owned;  ///< initializers owned by the layer (scale, shift)
  std::vector<std::int64_t> axes;  ///< LayerNorm: the reduced axes (must be the trailing ones)
  std::string name;                ///< layer name
};

std::int64_t Numel(const std::vector<std::int64_t>& dims);
/// "[2,3,4]"
std::string ShapeText(const std::vector<std::int64_t>& dims);

class Importer {
 public:
  Importer(const onnx::ModelProto& model, std::string path, const NetworkParams& params);
  Network Run();

  // ---- used by the op handlers ------------------------------------------------------------
  [[noreturn]] void Fail(const std::string& problem, const std::string& hint = {}) const;
  [[nodiscard]] int NumInputs() const;
  [[nodiscard]] bool HasInput(int k) const;
  [[nodiscard]] const Value& In(int k) const;
  [[nodiscard]] const Value& Act(int k) const;
  [[nodiscard]] const Value& Const(int k) const;
  /// Integer values of constant input k; `saturate` clamps huge values (Slice's INT64_MAX /
  /// INT64_MIN "to the end" sentinels) to +-2^59 instead of failing.
  [[nodiscard]] std::vector<std::int64_t> ConstInts(int k, bool saturate = false) const;
  void SetOut(int k, Value v);
  [[nodiscard]] const std::string& InName(int k) const;

  [[nodiscard]] std::int64_t AttrInt(const char* name, std::int64_t def) const;
  [[nodiscard]] float AttrFloat(const char* name, float def) const;
  [[nodiscard]] std::string AttrString(const char* name, const std::string& def) const;
  [[nodiscard]] bool HasAttr(const char* name) const;
  [[nodiscard]] std::vector<std::int64_t> AttrInts(const char* name) const;

  /// Per-sample shape: the batch axis divided out of axis 0 (dropped when it becomes 1).
  [[nodiscard]] std::vector<std::int64_t> PerSample(const Value& v) const;
  /// Axis in [0, rank) from a possibly negative ONNX axis.
  [[nodiscard]] std::int64_t Axis(std::int64_t axis, std::size_t rank) const;
  /// Appends a layer reading the given producers; returns the new layer's index.
  int Emit(Layer layer, const std::vector<int>& producers);
  /// Appends `layer` reading the activations `reads` (their producers become its inputs and
  /// their unattributed parameters its extra_params) and sets the node's output 0 to an
  /// activation of shape `out_dims` produced by it.
  void EmitLayer(Layer layer, const std::vector<const Value*>& reads,
                 std::vector<std::int64_t> out_dims);
  /// The layer whose direct output is `tensor`, or -1.
  [[nodiscard]] int LayerOf(const std::string& tensor) const;
  /// Mutable access to an emitted layer (bias folding).
  Layer& LayerAt(int index) { return net_.layers[static_cast<std::size_t>(index)]; }
  /// Marks initializers as owned by a layer formula (never counted as extra_params).
  void Own(const Value& v);
  /// Parameters of `v` not yet attributed to a layer; marks them attributed.
  std::int64_t TakeParams(const Value& v);
  [[nodiscard]] std::string LayerName() const;
  [[nodiscard]] int Consumers(const std::string& tensor) const;
  [[nodiscard]] std::int64_t Batch() const { return batch_; }
  /// Axis 0 of an activation is the batch axis only for exports with more than one sample:
  /// at batch 1 (or a dynamic batch) every axis is a per-sample axis, wherever the exporter
  /// put the batch (sequence-first attention moves it to axis 1 and back).
  [[nodiscard]] bool BatchAxis0(const Value& v) const { return !v.is_const && batch_ > 1; }

  // ---- op handlers (onnx_ops.cpp) ---------------------------------------------------------
  void OpConv();
  void OpPool();
  void OpGlobalPool();
  void OpReduce();
  void OpGemm();
  void OpMatMul();
  void OpEinsum();  ///< onnx_einsum.cpp
  void OpBinary();
  void OpActivation();
  void OpBatchNorm();
  void OpLayerNorm();
  void OpSoftmax();
  // ---- shape-only and constants (onnx_shape.cpp) -------------------------------------------
  void OpConstant();
  void OpAlias();
  void OpShape();
  void OpReshape();
  void OpFlatten();
  void OpTranspose();
  void OpSqueeze();
  void OpUnsqueeze();
  void OpConcat();
  void OpSlice();
  void OpSplit();
  void OpGather();
  void OpExpand();
  void OpPad();
  void OpConstantOfShape();
  void OpRange();
  void OpScatterND();
  /// Folds an element-wise node whose inputs are all constants.
  void FoldElementwise();
  // ---- fusions (onnx_patterns.cpp) ---------------------------------------------------------
  void FindFusions();
  void EmitFusion(const Fusion& f);

  /// A constant Value from a TensorProto (data kept when small).
  [[nodiscard]] Value ConstFromTensor(const onnx::TensorProto& t, bool is_initializer) const;

 private:
  void DeclareInputs();
  /// The batch axis of a graph input (docs/onnx.md, "Shapes").
  [[nodiscard]] int BatchAxis(const onnx::TensorShapeProto& shape, bool ids) const;
  void Dispatch();
  [[nodiscard]] const onnx::AttributeProto* FindAttr(const char* name) const;
  void CheckValueInfo(const std::string& name, const Value& v) const;
  [[nodiscard]] bool IsStaticConst(const std::string& tensor) const;
  [[nodiscard]] const onnx::NodeProto* Producer(const std::string& tensor) const;
  [[nodiscard]] std::vector<int> ConsumerNodes(const std::string& tensor) const;
  /// Pattern helpers (onnx_patterns.cpp).
  [[nodiscard]] int SoleConsumer(const std::string& tensor) const;
  [[nodiscard]] bool StaticScalar(const std::string& tensor, double* value) const;
  [[nodiscard]] bool MatchLayerNorm(int node, Fusion* f) const;
  [[nodiscard]] bool MatchGelu(int node, Fusion* f) const;

  const onnx::ModelProto& model_;
  std::string path_;
  NetworkParams params_;
  std::int64_t batch_ = 1;
  NetworkTotals totals_;  ///< sums over the layers emitted so far (layer.hpp limits)
  std::int64_t opset_ = 0;
  Network net_;
  std::unordered_map<std::string, Value> values_;
  std::unordered_map<std::string, int> consumers_;  ///< tensor -> consuming node inputs
  std::unordered_map<std::string, int> producer_;   ///< tensor -> producing node index
  std::unordered_map<std::string, std::int64_t> init_numel_;
  std::map<std::string, const onnx::ValueInfoProto*> value_info_;
  std::set<std::string> attributed_;  ///< initializers already counted
  std::set<std::string> layer_names_;
  std::unordered_map<std::string, int> tensor_layer_;  ///< tensor -> layer it is output of
  std::vector<int> fusion_of_;                         ///< node -> fusion index or -1
  std::vector<Fusion> fusions_;
  const onnx::NodeProto* node_ = nullptr;
  int node_index_ = -1;
};

}  // namespace trim::net::onnx_internal
