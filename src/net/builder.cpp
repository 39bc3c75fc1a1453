#include "builder.hpp"

#include <utility>

namespace trim::net::internal {

NetBuilder::NetBuilder(std::string name, std::string description) {
  net_.name = std::move(name);
  net_.description = std::move(description);
}

Act NetBuilder::Input(std::int64_t c, std::int64_t h, std::int64_t w) { return {-1, c, h, w}; }

Act NetBuilder::Push(Layer layer, std::vector<int> producers) {
  const int index = static_cast<int>(net_.layers.size());
  // The default (empty) means "the previous layer", or the network input for layer 0.
  const bool implicit = producers.size() == 1 && producers[0] == index - 1;
  if (!implicit) layer.inputs = std::move(producers);
  const Act out{index, layer.m, layer.e(), layer.f()};
  net_.layers.push_back(std::move(layer));
  return out;
}

Act NetBuilder::Conv(std::string name, Act x, std::int64_t m, std::int64_t k, std::int64_t stride,
                     std::int64_t pad, std::int64_t groups, bool bias) {
  Layer l;
  l.name = std::move(name);
  l.kind = LayerKind::kConv;
  l.c = x.c;
  l.h = x.h;
  l.w = x.w;
  l.m = m;
  l.r = l.s = k;
  l.stride = stride;
  l.pad = pad;
  l.groups = groups;
  l.bias = bias;
  return Push(std::move(l), {x.id});
}

Act NetBuilder::Fc(std::string name, Act x, std::int64_t m, bool bias) {
  Layer l;
  l.name = std::move(name);
  l.kind = LayerKind::kFc;
  l.c = x.c;
  l.h = x.h;
  l.w = x.w;
  l.m = m;
  l.bias = bias;
  return Push(std::move(l), {x.id});
}

Act NetBuilder::Matmul(std::string name, Act a, Act b, std::int64_t groups, std::int64_t rows,
                       std::int64_t k, std::int64_t n) {
  Layer l;
  l.name = std::move(name);
  l.kind = LayerKind::kMatmul;
  l.c = groups * k;
  l.h = rows;
  l.w = 1;
  l.m = groups * n;
  l.groups = groups;
  return Push(std::move(l), {a.id, b.id});
}

Act NetBuilder::Pool(std::string name, Act x, PoolType type, std::int64_t k, std::int64_t stride,
                     std::int64_t pad) {
  Layer l;
  l.name = std::move(name);
  l.kind = LayerKind::kPool;
  l.pool = type;
  l.c = l.m = x.c;
  l.h = x.h;
  l.w = x.w;
  l.r = l.s = k;
  l.stride = stride;
  l.pad = pad;
  return Push(std::move(l), {x.id});
}

Act NetBuilder::GlobalAvgPool(std::string name, Act x) {
  Layer l;
  l.name = std::move(name);
  l.kind = LayerKind::kPool;
  l.pool = PoolType::kAvg;
  l.c = l.m = x.c;
  l.h = l.r = x.h;
  l.w = l.s = x.w;
  return Push(std::move(l), {x.id});
}

Act NetBuilder::EltView(std::string name, Act x, EltOp op, std::int64_t c, std::int64_t h,
                        std::int64_t w) {
  Layer l;
  l.name = std::move(name);
  l.kind = LayerKind::kEltwise;
  l.op = op;
  l.c = l.m = c;
  l.h = h;
  l.w = w;
  return Push(std::move(l), {x.id});
}

Act NetBuilder::Elt(std::string name, Act x, EltOp op) {
  return EltView(std::move(name), x, op, x.c, x.h, x.w);
}

Act NetBuilder::Add(std::string name, Act a, Act b) {
  Layer l;
  l.name = std::move(name);
  l.kind = LayerKind::kEltwise;
  l.op = EltOp::kAdd;
  l.num_inputs = 2;
  l.c = l.m = a.c;
  l.h = a.h;
  l.w = a.w;
  return Push(std::move(l), {a.id, b.id});
}

Act NetBuilder::TableAdd(std::string name, Act x, std::int64_t c, std::int64_t h,
                         std::int64_t num_operands, std::int64_t table_params) {
  Layer l;
  l.name = std::move(name);
  l.kind = LayerKind::kEltwise;
  l.op = EltOp::kAdd;
  l.num_inputs = num_operands;
  l.extra_params = table_params;
  l.c = l.m = c;
  l.h = h;
  l.w = 1;
  return Push(std::move(l), {x.id});
}

Act NetBuilder::ConvBnRelu(const std::string& conv_name, const std::string& bn_name,
                           const std::string& relu_name, Act x, std::int64_t m, std::int64_t k,
                           std::int64_t stride, std::int64_t pad, std::int64_t groups) {
  Act y = Conv(conv_name, x, m, k, stride, pad, groups);
  y = Elt(bn_name, y, EltOp::kBatchNorm);
  return Elt(relu_name, y, EltOp::kRelu);
}

Act NetBuilder::Flatten(Act x) { return {x.id, x.c * x.h * x.w, 1, 1}; }

Act NetBuilder::ToTokens(Act x) { return {x.id, x.c, x.h * x.w, 1}; }

Network NetBuilder::Finish() && { return std::move(net_); }

}  // namespace trim::net::internal
