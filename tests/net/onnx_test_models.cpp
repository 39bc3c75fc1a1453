#include "onnx_test_models.hpp"

#include "trim/net/onnx.hpp"

namespace trim::net::testing {
namespace {

onnx::AttributeProto& Attr(onnx::NodeProto& n, const std::string& name,
                           onnx::AttributeProto_AttributeType type) {
  onnx::AttributeProto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(type);
  return *a;
}

void SetDims(onnx::TensorProto* t, const std::vector<std::int64_t>& dims) {
  for (const std::int64_t d : dims) t->add_dims(d);
}

}  // namespace

OnnxModel::OnnxModel(std::int64_t opset) {
  model_.set_ir_version(8);
  model_.set_producer_name("trim-test");
  model_.add_opset_import()->set_version(opset);
  model_.mutable_graph()->set_name("test");
}

OnnxModel& OnnxModel::Input(const std::string& name, const std::vector<std::int64_t>& dims,
                            int elem_type) {
  onnx::ValueInfoProto* in = model_.mutable_graph()->add_input();
  in->set_name(name);
  auto* tt = in->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(elem_type);
  auto* shape = tt->mutable_shape();
  for (std::size_t i = 0; i < dims.size(); ++i) {
    auto* d = shape->add_dim();
    if (dims[i] >= 0) {
      d->set_dim_value(dims[i]);
    } else {
      d->set_dim_param("d" + std::to_string(i));
    }
  }
  return *this;
}

OnnxModel& OnnxModel::Weight(const std::string& name, const std::vector<std::int64_t>& dims) {
  onnx::TensorProto* t = model_.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  SetDims(t, dims);
  return *this;
}

OnnxModel& OnnxModel::Floats(const std::string& name, const std::vector<std::int64_t>& dims,
                             const std::vector<float>& values) {
  onnx::TensorProto* t = model_.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  SetDims(t, dims);
  for (const float v : values) t->add_float_data(v);
  return *this;
}

OnnxModel& OnnxModel::Ints(const std::string& name, const std::vector<std::int64_t>& values) {
  onnx::TensorProto* t = model_.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::INT64);
  t->add_dims(static_cast<std::int64_t>(values.size()));
  for (const std::int64_t v : values) t->add_int64_data(v);
  return *this;
}

OnnxModel& OnnxModel::Scalar(const std::string& name, float value) {
  return Floats(name, {}, {value});
}

onnx::NodeProto& OnnxModel::Node(const std::string& op, const std::vector<std::string>& inputs,
                                 const std::vector<std::string>& outputs, const std::string& name) {
  onnx::NodeProto* n = model_.mutable_graph()->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (const auto& i : inputs) n->add_input(i);
  for (const auto& o : outputs) n->add_output(o);
  return *n;
}

OnnxModel& OnnxModel::Output(const std::string& name) {
  model_.mutable_graph()->add_output()->set_name(name);
  return *this;
}

std::string OnnxModel::Bytes() const { return model_.SerializeAsString(); }

Network OnnxModel::Import(const NetworkParams& params) const {
  return ParseOnnxNetwork(Bytes(), "test.onnx", params);
}

void SetInt(onnx::NodeProto& n, const std::string& name, std::int64_t v) {
  Attr(n, name, onnx::AttributeProto::INT).set_i(v);
}

void SetInts(onnx::NodeProto& n, const std::string& name, const std::vector<std::int64_t>& v) {
  auto& a = Attr(n, name, onnx::AttributeProto::INTS);
  for (const std::int64_t x : v) a.add_ints(x);
}

void SetFloat(onnx::NodeProto& n, const std::string& name, float v) {
  Attr(n, name, onnx::AttributeProto::FLOAT).set_f(v);
}

void SetString(onnx::NodeProto& n, const std::string& name, const std::string& v) {
  Attr(n, name, onnx::AttributeProto::STRING).set_s(v);
}

void SetTensor(onnx::NodeProto& n, const std::vector<std::int64_t>& dims,
               const std::vector<float>& values) {
  auto& a = Attr(n, "value", onnx::AttributeProto::TENSOR);
  onnx::TensorProto* t = a.mutable_t();
  t->set_data_type(onnx::TensorProto::FLOAT);
  SetDims(t, dims);
  for (const float v : values) t->add_float_data(v);
}

}  // namespace trim::net::testing
