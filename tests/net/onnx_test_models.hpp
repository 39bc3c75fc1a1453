// Test helper: builds small ONNX models in memory with ONNX's protobuf classes, so that the
// importer tests state their graphs in a few lines. Initializers carry only their shape unless
// values are given (the importer needs values only for shape arithmetic and indices).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "onnx/onnx_pb.h"
#include "trim/net/layer.hpp"
#include "trim/net/zoo.hpp"

namespace trim::net::testing {

class OnnxModel {
 public:
  explicit OnnxModel(std::int64_t opset = 13);

  /// A graph input; a negative dimension is dynamic (named "d<axis>").
  OnnxModel& Input(const std::string& name, const std::vector<std::int64_t>& dims,
                   int elem_type = onnx::TensorProto::FLOAT);
  /// A float initializer of the given shape without values (a weight).
  OnnxModel& Weight(const std::string& name, const std::vector<std::int64_t>& dims);
  /// A float initializer with values.
  OnnxModel& Floats(const std::string& name, const std::vector<std::int64_t>& dims,
                    const std::vector<float>& values);
  /// A 1-D int64 initializer with values (shapes, axes, indices).
  OnnxModel& Ints(const std::string& name, const std::vector<std::int64_t>& values);
  /// A scalar float initializer.
  OnnxModel& Scalar(const std::string& name, float value);
  /// Appends a node; attributes are added on the returned node with the helpers below.
  onnx::NodeProto& Node(const std::string& op, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs, const std::string& name = "");
  OnnxModel& Output(const std::string& name);

  [[nodiscard]] std::string Bytes() const;
  /// ParseOnnxNetwork(Bytes(), "test.onnx", params).
  [[nodiscard]] Network Import(const NetworkParams& params = {}) const;

  onnx::ModelProto& proto() { return model_; }

 private:
  onnx::ModelProto model_;
};

void SetInt(onnx::NodeProto& n, const std::string& name, std::int64_t v);
void SetInts(onnx::NodeProto& n, const std::string& name, const std::vector<std::int64_t>& v);
void SetFloat(onnx::NodeProto& n, const std::string& name, float v);
void SetString(onnx::NodeProto& n, const std::string& name, const std::string& v);
/// Sets a Constant node's "value" tensor.
void SetTensor(onnx::NodeProto& n, const std::vector<std::int64_t>& dims,
               const std::vector<float>& values);

}  // namespace trim::net::testing
