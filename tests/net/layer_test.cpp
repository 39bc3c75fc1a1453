// Layer arithmetic: output sizes, MACs, weights and parameters, checked against hand-derived
// values (derivations in the comments).
#include "trim/net/layer.hpp"

#include <gtest/gtest.h>

namespace trim::net {
namespace {

Layer Conv(std::int64_t c, std::int64_t hw, std::int64_t m, std::int64_t k, std::int64_t stride,
           std::int64_t pad, std::int64_t groups = 1) {
  Layer l;
  l.kind = LayerKind::kConv;
  l.c = c;
  l.h = l.w = hw;
  l.m = m;
  l.r = l.s = k;
  l.stride = stride;
  l.pad = pad;
  l.groups = groups;
  return l;
}

TEST(Layer, AlexNetConv1) {
  // 227x227x3 input, 96 filters 11x11 stride 4: E = (227 - 11) / 4 + 1 = 55.
  // MACs = 96 * 55 * 55 * 3 * 11 * 11 = 105,415,200; weights = 96 * 3 * 121 = 34,848.
  Layer l = Conv(3, 227, 96, 11, 4, 0);
  EXPECT_EQ(l.e(), 55);
  EXPECT_EQ(l.f(), 55);
  EXPECT_EQ(l.macs(), 105'415'200);
  EXPECT_EQ(l.weight_count(), 34'848);
  EXPECT_EQ(l.params(), 34'848);
  l.bias = true;
  EXPECT_EQ(l.bias_count(), 96);
  EXPECT_EQ(l.params(), 34'848 + 96);
  EXPECT_EQ(l.weight_count(), 34'848);  // the bias is not part of the MAC weight operand
  EXPECT_EQ(l.input_count(), 3 * 227 * 227);
  EXPECT_EQ(l.output_count(), 96 * 55 * 55);
}

TEST(Layer, GroupedConvAlexNetConv2) {
  // 96 -> 256 channels in 2 groups, 5x5 pad 2 on 27x27: E = (27 + 4 - 5) / 1 + 1 = 27.
  // Each output sees 96/2 = 48 channels: MACs = 256 * 27 * 27 * 48 * 25 = 223,948,800;
  // weights = 256 * 48 * 25 = 307,200.
  const Layer l = Conv(96, 27, 256, 5, 1, 2, 2);
  EXPECT_EQ(l.e(), 27);
  EXPECT_EQ(l.macs(), 223'948'800);
  EXPECT_EQ(l.weight_count(), 307'200);
}

TEST(Layer, DepthwiseAndDilation) {
  // Depthwise 3x3 stride 2 pad 1 on 32x112x112: E = (112 + 2 - 3) / 2 + 1 = 56,
  // MACs = 32 * 56 * 56 * 1 * 9 = 903,168; weights = 32 * 9 = 288.
  const Layer dw = Conv(32, 112, 32, 3, 2, 1, 32);
  EXPECT_EQ(dw.e(), 56);
  EXPECT_EQ(dw.macs(), 903'168);
  EXPECT_EQ(dw.weight_count(), 288);
  // Dilation 2 widens a 3x3 window to 5x5: E = (20 + 0 - 5) / 1 + 1 = 16.
  Layer dil = Conv(8, 20, 8, 3, 1, 0);
  dil.dilation = 2;
  EXPECT_EQ(dil.e(), 16);
  EXPECT_EQ(dil.macs(), 8 * 16 * 16 * 8 * 9);
}

TEST(Layer, TokenFcAndAttentionMatmuls) {
  // A per-token projection 768 -> 768 over 128 tokens: MACs = 128 * 768 * 768 = 75,497,472.
  Layer fc;
  fc.kind = LayerKind::kFc;
  fc.c = 768;
  fc.h = 128;
  fc.m = 768;
  fc.bias = true;
  EXPECT_EQ(fc.macs(), 75'497'472);
  EXPECT_EQ(fc.params(), 768 * 768 + 768);
  EXPECT_EQ(fc.output_count(), 768 * 128);
  // Q*K^T with 12 heads, 128 tokens, head_dim 64: c = 12*64, m = 12*128, h = 128.
  // MACs = 12 * 128 * 64 * 128 = 12,582,912; no weights.
  Layer qk;
  qk.kind = LayerKind::kMatmul;
  qk.groups = 12;
  qk.c = 12 * 64;
  qk.m = 12 * 128;
  qk.h = 128;
  EXPECT_EQ(qk.macs(), 12'582'912);
  EXPECT_EQ(qk.weight_count(), 0);
  EXPECT_EQ(qk.params(), 0);
  EXPECT_EQ(qk.output_count(), 12 * 128 * 128);
}

TEST(Layer, ElementwiseParamsAndOps) {
  Layer bn;
  bn.kind = LayerKind::kEltwise;
  bn.op = EltOp::kBatchNorm;
  bn.c = bn.m = 64;
  bn.h = bn.w = 56;
  EXPECT_EQ(bn.macs(), 0);
  EXPECT_EQ(bn.params(), 128);  // scale and shift per channel
  EXPECT_EQ(bn.e(), 56);
  EXPECT_EQ(bn.ops(), 64 * 56 * 56);
  Layer ln = bn;
  ln.op = EltOp::kLayerNorm;
  ln.c = ln.m = 768;
  ln.h = 128;
  ln.w = 1;
  EXPECT_EQ(ln.params(), 2 * 768);
  Layer add = bn;
  add.op = EltOp::kAdd;
  add.num_inputs = 2;
  EXPECT_EQ(add.params(), 0);
  EXPECT_EQ(add.ops(), 64 * 56 * 56);  // one add per element for two operands
  add.num_inputs = 3;
  EXPECT_EQ(add.ops(), 2 * 64 * 56 * 56);
  add.extra_params = 1000;  // e.g. an embedding table
  EXPECT_EQ(add.params(), 1000);
}

TEST(Layer, Pooling) {
  // Max-pool 3x3/2 pad 1 on 64x112x112: E = (112 + 2 - 3) / 2 + 1 = 56; 9 compares per output.
  Layer p = Conv(64, 112, 64, 3, 2, 1);
  p.kind = LayerKind::kPool;
  EXPECT_EQ(p.e(), 56);
  EXPECT_EQ(p.macs(), 0);
  EXPECT_EQ(p.params(), 0);
  EXPECT_EQ(p.ops(), 64 * 56 * 56 * 9);
  // A window larger than the padded input has no output (not (1 - 2) / 2 + 1 = 1).
  Layer tiny = Conv(512, 1, 512, 2, 2, 0);
  tiny.kind = LayerKind::kPool;
  EXPECT_EQ(tiny.e(), 0);
  EXPECT_EQ(tiny.output_count(), 0);
}

TEST(Network, SumsLayers) {
  Network n;
  n.layers = {Conv(3, 227, 96, 11, 4, 0), Conv(96, 27, 256, 5, 1, 2, 2)};
  n.layers[0].bias = true;
  EXPECT_EQ(n.macs(), 105'415'200 + 223'948'800);
  EXPECT_EQ(n.weight_count(), 34'848 + 307'200);
  EXPECT_EQ(n.params(), 34'848 + 96 + 307'200);
}

}  // namespace
}  // namespace trim::net
