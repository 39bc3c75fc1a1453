// ONNX import on tiny hand-built models: one test per supported operator family, the pattern
// fusions, shape bookkeeping, NetworkParams on dynamic axes, and the error cases with their
// exact messages. Expected values are derived by hand in the comments.
#include "trim/net/onnx.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <limits>

#include "onnx_test_models.hpp"
#include "trim/core/error.hpp"

namespace trim::net {
namespace {

using testing::OnnxModel;
using testing::SetFloat;
using testing::SetInt;
using testing::SetInts;
using testing::SetString;
using testing::SetTensor;

// The ConfigError text of importing `model`, or "" if it imports.
std::string ImportError(const OnnxModel& model, const NetworkParams& params = {}) {
  try {
    (void)model.Import(params);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Onnx, ConvWithBiasStridePad) {
  // 3x32x32 input, 16 filters 3x3, stride 2, pad 1: E = (32 + 2 - 3) / 2 + 1 = 16.
  // MACs = 16 * 16 * 16 * 3 * 9 = 110,592; parameters = 16 * 27 + 16 = 448.
  OnnxModel m;
  m.Input("x", {1, 3, 32, 32}).Weight("w", {16, 3, 3, 3}).Weight("b", {16});
  auto& conv = m.Node("Conv", {"x", "w", "b"}, {"y"}, "conv1");
  SetInts(conv, "strides", {2, 2});
  SetInts(conv, "pads", {1, 1, 1, 1});
  m.Output("y");
  const Network n = m.Import();
  ASSERT_EQ(n.layers.size(), 1u);
  const Layer& l = n.layers[0];
  EXPECT_EQ(l.name, "conv1");
  EXPECT_EQ(l.kind, LayerKind::kConv);
  EXPECT_EQ(l.c, 3);
  EXPECT_EQ(l.h, 32);
  EXPECT_EQ(l.m, 16);
  EXPECT_EQ(l.r, 3);
  EXPECT_EQ(l.stride, 2);
  EXPECT_EQ(l.pad, 1);
  EXPECT_TRUE(l.bias);
  EXPECT_EQ(l.e(), 16);
  EXPECT_EQ(l.macs(), 110'592);
  EXPECT_EQ(l.params(), 448);
  EXPECT_TRUE(l.inputs.empty());  // layer 0 reads the network input
  EXPECT_EQ(n.name, "test");
}

TEST(Onnx, DepthwiseDilatedConv) {
  // 8 channels, groups 8, 3x3 dilated by 2 (span 5), pad 2: E = 20 + 4 - 5 + 1 = 20.
  // MACs = 8 * 20 * 20 * (8 / 8) * 9 = 28,800.
  OnnxModel m;
  m.Input("x", {1, 8, 20, 20}).Weight("w", {8, 1, 3, 3});
  auto& conv = m.Node("Conv", {"x", "w"}, {"y"}, "dw");
  SetInt(conv, "group", 8);
  SetInts(conv, "dilations", {2, 2});
  SetInts(conv, "pads", {2, 2, 2, 2});
  const Layer l = m.Import().layers.at(0);
  EXPECT_EQ(l.groups, 8);
  EXPECT_EQ(l.dilation, 2);
  EXPECT_EQ(l.e(), 20);
  EXPECT_EQ(l.macs(), 28'800);
  EXPECT_FALSE(l.bias);
}

TEST(Onnx, AsymmetricSamePadsFoldToSymmetricPad) {
  // TF-style SAME with stride 2 on 224: pads top/left 0, bottom/right 1. ONNX output:
  // (224 + 1 - 3) / 2 + 1 = 112. The symmetric pad 1 gives (224 + 2 - 3) / 2 + 1 = 112 too.
  // MACs = 8 * 112 * 112 * 4 * 9 = 3,612,672.
  OnnxModel m;
  m.Input("x", {1, 4, 224, 224}).Weight("w", {8, 4, 3, 3});
  auto& conv = m.Node("Conv", {"x", "w"}, {"y"});
  SetInts(conv, "strides", {2, 2});
  SetInts(conv, "pads", {0, 0, 1, 1});
  const Layer l = m.Import().layers.at(0);
  EXPECT_EQ(l.pad, 1);
  EXPECT_EQ(l.h, 224);
  EXPECT_EQ(l.e(), 112);
  EXPECT_EQ(l.macs(), 3'612'672);
  EXPECT_EQ(l.name, "Conv_0");  // unnamed node: op type and index
}

TEST(Onnx, AutoPadSameUpper) {
  // SAME_UPPER, stride 2 on 7: output ceil(7 / 2) = 4, total pad (4-1)*2 + 3 - 7 = 2 -> 1/1.
  OnnxModel m;
  m.Input("x", {1, 2, 7, 7}).Weight("w", {2, 2, 3, 3});
  auto& conv = m.Node("Conv", {"x", "w"}, {"y"});
  SetInts(conv, "strides", {2, 2});
  SetString(conv, "auto_pad", "SAME_UPPER");
  const Layer l = m.Import().layers.at(0);
  EXPECT_EQ(l.pad, 1);
  EXPECT_EQ(l.e(), 4);
  EXPECT_EQ(l.f(), 4);
}

TEST(Onnx, PerAxisPadsFoldIntoThePaddedInput) {
  // A 1x7 convolution padded 0 on h and 3 on w keeps 10x10. No single symmetric pad gives
  // 10x10 (pad 0: f = 4; pad 3: e = 16), so the input is taken as padded: h = 10, w = 16,
  // pad 0 -> e = 10, f = 16 - 7 + 1 = 10. MACs = 4 * 10 * 10 * 4 * 7 = 11,200.
  OnnxModel m;
  m.Input("x", {1, 4, 10, 10}).Weight("w", {4, 4, 1, 7});
  auto& conv = m.Node("Conv", {"x", "w"}, {"y"});
  SetInts(conv, "pads", {0, 3, 0, 3});
  const Layer l = m.Import().layers.at(0);
  EXPECT_EQ(l.h, 10);
  EXPECT_EQ(l.w, 16);
  EXPECT_EQ(l.pad, 0);
  EXPECT_EQ(l.e(), 10);
  EXPECT_EQ(l.f(), 10);
  EXPECT_EQ(l.macs(), 11'200);
}

TEST(Onnx, Conv1dRunsAlongH) {
  // 1-D: 4 x 50 input, 8 filters of 5, pad 2: output 50. Along h with w = 1 (the pad is folded
  // into the input, h = 54, since a pad on w would widen it). MACs = 8 * 50 * 4 * 5 = 8,000.
  OnnxModel m;
  m.Input("x", {1, 4, 50}).Weight("w", {8, 4, 5});
  SetInts(m.Node("Conv", {"x", "w"}, {"y"}), "pads", {2, 2});
  const Layer l = m.Import().layers.at(0);
  EXPECT_EQ(l.r, 5);
  EXPECT_EQ(l.s, 1);
  EXPECT_EQ(l.w, 1);
  EXPECT_EQ(l.e(), 50);
  EXPECT_EQ(l.f(), 1);
  EXPECT_EQ(l.macs(), 8'000);
}

TEST(Onnx, PoolingGlobalPoolFlattenGemm) {
  // 8x8x8 -> MaxPool 3/2 ceil_mode: ceil((8 - 3) / 2) + 1 = 4 (floor would give 3), folded as
  // pad 1: (8 + 2 - 3) / 2 + 1 = 4. -> AveragePool 2/2: 8x2x2 -> GlobalAveragePool: window
  // 2x2 -> Flatten -> Gemm 8 -> 10 with bias: 80 MACs, 90 parameters.
  OnnxModel m;
  m.Input("x", {1, 8, 8, 8}).Weight("fc.w", {10, 8}).Weight("fc.b", {10});
  auto& mp = m.Node("MaxPool", {"x"}, {"p1"});
  SetInts(mp, "kernel_shape", {3, 3});
  SetInts(mp, "strides", {2, 2});
  SetInt(mp, "ceil_mode", 1);
  auto& ap = m.Node("AveragePool", {"p1"}, {"p2"});
  SetInts(ap, "kernel_shape", {2, 2});
  SetInts(ap, "strides", {2, 2});
  m.Node("GlobalAveragePool", {"p2"}, {"g"});
  m.Node("Flatten", {"g"}, {"f"});
  SetInt(m.Node("Gemm", {"f", "fc.w", "fc.b"}, {"y"}), "transB", 1);
  const Network n = m.Import();
  ASSERT_EQ(n.layers.size(), 4u);
  EXPECT_EQ(n.layers[0].pool, PoolType::kMax);
  EXPECT_EQ(n.layers[0].e(), 4);
  EXPECT_EQ(n.layers[1].pool, PoolType::kAvg);
  EXPECT_EQ(n.layers[1].e(), 2);
  EXPECT_EQ(n.layers[2].r, 2);
  EXPECT_EQ(n.layers[2].s, 2);
  EXPECT_EQ(n.layers[2].output_count(), 8);
  const Layer& fc = n.layers[3];
  EXPECT_EQ(fc.kind, LayerKind::kFc);
  EXPECT_EQ(fc.c, 8);
  EXPECT_EQ(fc.m, 10);
  EXPECT_EQ(fc.macs(), 80);
  EXPECT_EQ(fc.params(), 90);
}

TEST(Onnx, MatMulWithBiasAddIsOneFcPerToken) {
  // torch's nn.Linear on [1, 5, 16]: MatMul by a 16x32 weight, then Add of the bias.
  // One fc layer: c = 16, h = 5 tokens, m = 32; MACs 5 * 16 * 32 = 2,560, params 512 + 32.
  OnnxModel m;
  m.Input("x", {1, 5, 16}).Weight("w", {16, 32}).Weight("b", {32});
  m.Node("MatMul", {"x", "w"}, {"mm"}, "proj/MatMul");
  m.Node("Add", {"b", "mm"}, {"y"}, "proj/Add");
  m.Node("Relu", {"y"}, {"z"});
  const Network n = m.Import();
  ASSERT_EQ(n.layers.size(), 2u);
  const Layer& l = n.layers[0];
  EXPECT_EQ(l.kind, LayerKind::kFc);
  EXPECT_EQ(l.h, 5);
  EXPECT_EQ(l.macs(), 2'560);
  EXPECT_TRUE(l.bias);
  EXPECT_EQ(l.params(), 544);
  EXPECT_EQ(n.layers[1].c, 32);  // token layout: c = width, h = tokens
  EXPECT_EQ(n.layers[1].h, 5);
}

TEST(Onnx, AttentionMatmulsAreGroupedByHeads) {
  // x: 6 tokens x 8 wide, split into 2 heads of 4: q = [1, 2, 6, 4], k^T = [1, 2, 4, 6].
  // scores = q k^T: groups 2, rows 6, k 4, n 6 -> MACs 2 * 6 * 4 * 6 = 288; a scalar scale
  // (mul, one operand); softmax over 2 x 6 x 6; context = p v: k 6, n 4 -> 288 MACs.
  OnnxModel m;
  m.Input("x", {1, 6, 8}).Ints("shape", {1, 6, 2, 4}).Scalar("scale", 0.5F);
  m.Node("Reshape", {"x", "shape"}, {"r"});
  SetInts(m.Node("Transpose", {"r"}, {"q"}), "perm", {0, 2, 1, 3});
  SetInts(m.Node("Transpose", {"r"}, {"kt"}), "perm", {0, 2, 3, 1});
  m.Node("MatMul", {"q", "kt"}, {"s"}, "scores");
  m.Node("Mul", {"s", "scale"}, {"ss"}, "scale");
  m.Node("Softmax", {"ss"}, {"p"}, "softmax");
  m.Node("MatMul", {"p", "q"}, {"ctx"}, "context");
  const Network n = m.Import();
  ASSERT_EQ(n.layers.size(), 4u);
  const Layer& s = n.layers[0];
  EXPECT_EQ(s.kind, LayerKind::kMatmul);
  EXPECT_EQ(s.groups, 2);
  EXPECT_EQ(s.c, 8);   // groups * k
  EXPECT_EQ(s.m, 12);  // groups * n
  EXPECT_EQ(s.h, 6);
  EXPECT_EQ(s.macs(), 288);
  EXPECT_EQ(s.inputs, (std::vector<int>{-1, -1}));
  EXPECT_EQ(n.layers[1].op, EltOp::kMul);
  EXPECT_EQ(n.layers[1].num_inputs, 1);
  EXPECT_EQ(n.layers[2].op, EltOp::kSoftmax);
  EXPECT_EQ(n.layers[2].c, 2);
  EXPECT_EQ(n.layers[2].h, 6);
  EXPECT_EQ(n.layers[2].w, 6);
  EXPECT_EQ(n.layers[3].macs(), 288);
  EXPECT_EQ(n.layers[3].inputs, (std::vector<int>{2, -1}));
}

TEST(Onnx, EinsumProductsAreMatmulsAndLinearLayers) {
  // x = [2 samples, 6 tokens, 8]: with a batch of 2 the label b is the batch, not a group.
  // "bsd,ed->bse" by a [12, 8] weight (transposed operand): fc, c 8, m 12, h 6 tokens,
  //   MACs per sample 6 * 8 * 12 = 576; the weight's 96 elements are its parameters.
  // "bid,bjd->bij" on that output: 1 group per sample, rows 6, k 12, n 6 -> 432 MACs.
  // "...ij,...jd->...id" on the scores and q: rows 6, k 6, n 12 -> 432 MACs.
  OnnxModel m;
  m.Input("x", {2, 6, 8}).Weight("w", {12, 8});
  SetString(m.Node("Einsum", {"x", "w"}, {"q"}, "proj"), "equation", "bsd,ed->bse");
  SetString(m.Node("Einsum", {"q", "q"}, {"s"}, "scores"), "equation", "b i d, b j d -> b i j");
  SetString(m.Node("Einsum", {"s", "q"}, {"c"}, "context"), "equation", "...ij,...jd->...id");
  const Network n = m.Import();
  ASSERT_EQ(n.layers.size(), 3u);
  EXPECT_EQ(n.layers[0].kind, LayerKind::kFc);
  EXPECT_EQ(n.layers[0].c, 8);
  EXPECT_EQ(n.layers[0].m, 12);
  EXPECT_EQ(n.layers[0].h, 6);
  EXPECT_EQ(n.layers[0].macs(), 576);
  EXPECT_EQ(n.layers[0].params(), 96);
  EXPECT_EQ(n.layers[1].kind, LayerKind::kMatmul);
  EXPECT_EQ(n.layers[1].groups, 1);
  EXPECT_EQ(n.layers[1].h, 6);
  EXPECT_EQ(n.layers[1].macs(), 432);
  EXPECT_EQ(n.layers[1].inputs, (std::vector<int>{0, 0}));
  EXPECT_EQ(n.layers[2].macs(), 432);
  EXPECT_EQ(n.layers[2].inputs, (std::vector<int>{1, 0}));
}

TEST(Onnx, EinsumImplicitOutputAndBroadcastBatch) {
  // "xhij,xjk" has the implicit output "hik" (letters used once, alphabetical): x and j are
  // contracted (1 x 5), h and i are row labels, k a column label -> rows 3 x 4 = 12, k 5,
  // n 7: 420 MACs.
  // "...ij,...jk->...ik" with [1, 3, 4, 5] and [1, 1, 5, 2]: the head axis broadcasts, so 3
  // groups of 4 x 5 x 2 = 120 MACs.
  OnnxModel m;
  m.Input("a", {1, 3, 4, 5}).Input("b", {1, 5, 7}).Input("c", {1, 3, 4, 5});
  m.Input("d", {1, 1, 5, 2});
  SetString(m.Node("Einsum", {"a", "b"}, {"y"}, "implicit"), "equation", "xhij,xjk");
  SetString(m.Node("Einsum", {"c", "d"}, {"z"}, "broadcast"), "equation", "...ij,...jk->...ik");
  const Network n = m.Import();
  ASSERT_EQ(n.layers.size(), 2u);
  EXPECT_EQ(n.layers[0].macs(), 420);
  EXPECT_EQ(n.layers[0].h, 12);
  EXPECT_EQ(n.layers[1].groups, 3);
  EXPECT_EQ(n.layers[1].macs(), 120);
}

TEST(Onnx, EinsumOtherThanAProductNamesTheEquation) {
  const auto error = [](const std::string& eq, std::vector<std::int64_t> b_dims) {
    OnnxModel m;
    m.Input("a", {1, 4, 4}).Input("b", b_dims);
    SetString(m.Node("Einsum", {"a", "b"}, {"y"}, "e"), "equation", eq);
    return ImportError(m);
  };
  EXPECT_NE(
      error("bii,bij->bj", {1, 4, 4})
          .find("node #0 'e' (Einsum): Einsum equation 'bii,bij->bj' repeats label 'i' in the "
                "first operand"),
      std::string::npos);
  EXPECT_NE(error("bij,bkj->bi", {1, 4, 4}).find("sums label 'k' over one operand only"),
            std::string::npos);
  EXPECT_NE(error("bij,bjk->bik", {1, 5, 4}).find("label 'j' has sizes 4 and 5"),
            std::string::npos);
  EXPECT_NE(error("bij,bjk->bik", {1, 5, 4}).find("write the product with torch.matmul"),
            std::string::npos);
  OnnxModel w;
  w.Input("a", {1, 4, 4}).Weight("k", {4, 4, 4});
  SetString(w.Node("Einsum", {"a", "k"}, {"y"}, "e"), "equation", "bij,ijk->bik");
  EXPECT_NE(ImportError(w).find("the constant operand has batch labels"), std::string::npos);
  OnnxModel one;
  one.Input("a", {1, 4, 4});
  SetString(one.Node("Einsum", {"a"}, {"y"}, "e"), "equation", "bij->bji");
  EXPECT_NE(ImportError(one).find("has 1 operands; only products of two are supported"),
            std::string::npos);
}

TEST(Onnx, SequenceFirstAttentionAtBatchOne) {
  // nn.MultiheadAttention's sequence-first layout: x = [6 tokens, batch 1, 8]. The importer
  // takes axis 1 as the batch (docs/onnx.md, "Shapes"); at batch 1 every axis is per sample.
  // Heads: [6, 1, 8] -> [6, 2, 4] (tokens, batch x heads, d) -> q = [2, 6, 4], k^T = [2, 4, 6]:
  // scores 2 groups x 6 rows x 4 x 6 = 288 MACs. The context [2, 6, 4] goes back to
  // [6, 2, 4] -> [6, 8] and through Gemm(8 -> 8): 6 rows (tokens) x 8 x 8 = 384 MACs.
  OnnxModel m;
  m.Input("x", {6, 1, 8}).Ints("heads", {6, 2, 4}).Ints("flat", {6, 8}).Weight("w", {8, 8});
  m.Node("Reshape", {"x", "heads"}, {"r"});
  SetInts(m.Node("Transpose", {"r"}, {"q"}), "perm", {1, 0, 2});
  SetInts(m.Node("Transpose", {"r"}, {"kt"}), "perm", {1, 2, 0});
  m.Node("MatMul", {"q", "kt"}, {"s"}, "scores");
  m.Node("MatMul", {"s", "q"}, {"ctx"}, "context");
  SetInts(m.Node("Transpose", {"ctx"}, {"t"}), "perm", {1, 0, 2});
  m.Node("Reshape", {"t", "flat"}, {"f"});
  SetInt(m.Node("Gemm", {"f", "w"}, {"y"}, "out_proj"), "transB", 1);
  const Network n = m.Import();
  ASSERT_EQ(n.layers.size(), 3u);
  EXPECT_EQ(n.layers[0].groups, 2);
  EXPECT_EQ(n.layers[0].h, 6);
  EXPECT_EQ(n.layers[0].macs(), 288);
  EXPECT_EQ(n.layers[1].macs(), 2 * 6 * 6 * 4);
  EXPECT_EQ(n.layers[2].kind, LayerKind::kFc);
  EXPECT_EQ(n.layers[2].h, 6);
  EXPECT_EQ(n.layers[2].macs(), 384);
}

TEST(Onnx, DynamicAxisNamedBatchIsTheBatch) {
  // [tokens = 5, batch (dynamic, named), 8]: the batch is axis 1, taken as 1; a Gemm on the
  // flattened [5, 8] then has 5 rows per sample.
  OnnxModel m;
  m.Input("x", {5, -1, 8}).Ints("flat", {5, 8}).Weight("w", {8, 3});
  m.proto()
      .mutable_graph()
      ->mutable_input(0)
      ->mutable_type()
      ->mutable_tensor_type()
      ->mutable_shape()
      ->mutable_dim(1)
      ->set_dim_param("Batch_Size");
  m.Node("Reshape", {"x", "flat"}, {"f"});
  m.Node("Gemm", {"f", "w"}, {"y"}, "fc");
  const Network n = m.Import();
  ASSERT_EQ(n.layers.size(), 1u);
  EXPECT_EQ(n.layers[0].h, 5);
  EXPECT_EQ(n.layers[0].macs(), 5 * 8 * 3);
  // Another dynamic axis is still an error that says what to do.
  OnnxModel d;
  d.Input("x", {-1, 1, 8});
  d.Node("Relu", {"x"}, {"y"});
  try {
    (void)d.Import();
    FAIL() << "a dynamic token axis without seq_len must be rejected";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("axis 0 of graph input 'x' is dynamic"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("set seq_len"), std::string::npos) << e.what();
  }
}

TEST(Onnx, ModScatterNDAndSliceSentinelsFold) {
  // Shape arithmetic of torchvision's Swin: Mod (Python semantics: -3 mod 4 = 1, and
  // 26 mod 14 = 12), ScatterND writing into a constant ([1, 0] with index [1] := 12 gives
  // [1, 12]), and Slice ends of INT64_MAX ("to the end").
  OnnxModel m;
  m.Input("x", {1, 3, 4})
      .Ints("a", {26, -3})
      .Ints("b", {14, 4})
      .Ints("base", {1, 0})
      .Ints("i", {1})
      .Ints("i_shape", {1, 1})
      .Ints("zero", {0})
      .Ints("one", {1})
      .Ints("start", {4})
      .Ints("end", {std::numeric_limits<std::int64_t>::max()})
      .Ints("axis1", {1});
  m.Node("Mod", {"a", "b"}, {"mods"});  // [12, 1]
  m.Node("Slice", {"mods", "zero", "one"}, {"twelve"});
  m.Node("Slice", {"mods", "one", "end"}, {"one_again"});
  m.Node("Reshape", {"i", "i_shape"}, {"idx"});
  m.Node("ScatterND", {"base", "idx", "twelve"}, {"shape"});  // [1, 12]
  m.Node("Reshape", {"x", "shape"}, {"r"});
  m.Node("Slice", {"r", "start", "end", "axis1"}, {"tail"});  // [1, 8]
  m.Node("Relu", {"tail"}, {"y"}, "relu");
  // -3 mod 4 = 1 (not -3, C's fmod): slicing from 1 keeps 11 of the 12 columns.
  m.Node("Slice", {"r", "one_again", "end", "axis1"}, {"tail2"});
  m.Node("Relu", {"tail2"}, {"y2"}, "relu2");
  const Network n = m.Import();
  ASSERT_EQ(n.layers.size(), 2u);
  EXPECT_EQ(n.layers[0].output_count(), 8);
  EXPECT_EQ(n.layers[1].output_count(), 11);
}

TEST(Onnx, ScatterNDOnAnActivationIsNamed) {
  OnnxModel m;
  m.Input("x", {1, 4}).Ints("i", {1}).Ints("i_shape", {1, 1}).Floats("u", {1}, {2.0F});
  m.Node("Reshape", {"i", "i_shape"}, {"idx"});
  m.Node("ScatterND", {"x", "idx", "u"}, {"y"}, "scatter");
  try {
    (void)m.Import();
    FAIL() << "ScatterND on an activation must be rejected";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "test.onnx: error: node #1 'scatter' (ScatterND): ScatterND is supported only on "
              "constants (a mask built from shapes)\n  hint: compute the scattered tensor "
              "outside the model, or export it as a constant");
  }
}

TEST(Onnx, ResidualAddNamesBothProducers) {
  OnnxModel m;
  m.Input("x", {1, 4, 5, 5});
  m.Node("Relu", {"x"}, {"a"}, "relu");
  m.Node("Add", {"a", "x"}, {"y"}, "add");
  m.Node("Mul", {"y", "a"}, {"z"}, "gate");
  const Network n = m.Import();
  ASSERT_EQ(n.layers.size(), 3u);
  EXPECT_EQ(n.layers[1].op, EltOp::kAdd);
  EXPECT_EQ(n.layers[1].num_inputs, 2);
  EXPECT_EQ(n.layers[1].inputs, (std::vector<int>{0, -1}));
  EXPECT_EQ(n.layers[1].output_count(), 100);
  EXPECT_EQ(n.layers[2].op, EltOp::kMul);
  EXPECT_EQ(n.layers[2].inputs, (std::vector<int>{1, 0}));
}

TEST(Onnx, ActivationsMapToReluOrGelu) {
  OnnxModel m;
  m.Input("x", {1, 16});
  m.Node("Sigmoid", {"x"}, {"a"});
  m.Node("Tanh", {"a"}, {"b"});
  m.Node("Clip", {"b"}, {"c"});
  m.Node("HardSwish", {"c"}, {"d"});
  SetFloat(m.Node("LeakyRelu", {"d"}, {"e"}), "alpha", 0.1F);
  const Network n = m.Import();
  ASSERT_EQ(n.layers.size(), 5u);
  EXPECT_EQ(n.layers[0].op, EltOp::kGelu);
  EXPECT_EQ(n.layers[1].op, EltOp::kGelu);
  EXPECT_EQ(n.layers[2].op, EltOp::kRelu);
  EXPECT_EQ(n.layers[3].op, EltOp::kRelu);
  EXPECT_EQ(n.layers[4].op, EltOp::kRelu);
  EXPECT_EQ(n.layers[4].c, 16);
}

TEST(Onnx, BatchNormAndLayerNormalization) {
  // BatchNorm on 4x5x5: 2 * 4 = 8 parameters; LayerNormalization (opset 17) on 7 tokens x 12:
  // c = 12, h = 7, 24 parameters.
  OnnxModel m(17);
  m.Input("x", {1, 4, 5, 5}).Input("t", {1, 7, 12});
  m.Weight("g", {4}).Weight("b", {4}).Weight("mu", {4}).Weight("var", {4});
  m.Weight("ln.g", {12}).Weight("ln.b", {12});
  m.Node("BatchNormalization", {"x", "g", "b", "mu", "var"}, {"y"});
  m.Node("LayerNormalization", {"t", "ln.g", "ln.b"}, {"u"});
  const Network n = m.Import();
  ASSERT_EQ(n.layers.size(), 2u);
  EXPECT_EQ(n.layers[0].op, EltOp::kBatchNorm);
  EXPECT_EQ(n.layers[0].params(), 8);
  EXPECT_EQ(n.layers[0].h, 5);
  EXPECT_EQ(n.layers[1].op, EltOp::kLayerNorm);
  EXPECT_EQ(n.layers[1].c, 12);
  EXPECT_EQ(n.layers[1].h, 7);
  EXPECT_EQ(n.layers[1].params(), 24);
  EXPECT_EQ(n.layers[1].inputs, (std::vector<int>{-1}));
}

// The decomposition torch emits for nn.LayerNorm below opset 17.
void AddLayerNormPattern(OnnxModel& m, const std::string& x, const std::string& out) {
  SetInts(m.Node("ReduceMean", {x}, {"mean"}, "/ln/ReduceMean"), "axes", {-1});
  m.Node("Sub", {x, "mean"}, {"d"}, "/ln/Sub");
  SetTensor(m.Node("Constant", {}, {"two"}, "/ln/Constant"), {}, {2.0F});
  m.Node("Pow", {"d", "two"}, {"sq"}, "/ln/Pow");
  SetInts(m.Node("ReduceMean", {"sq"}, {"var"}, "/ln/ReduceMean_1"), "axes", {-1});
  SetTensor(m.Node("Constant", {}, {"eps"}, "/ln/Constant_1"), {}, {1e-5F});
  m.Node("Add", {"var", "eps"}, {"ve"}, "/ln/Add");
  m.Node("Sqrt", {"ve"}, {"sd"}, "/ln/Sqrt");
  m.Node("Div", {"d", "sd"}, {"nrm"}, "/ln/Div");
  m.Node("Mul", {"nrm", "ln.g"}, {"sc"}, "/ln/Mul");
  m.Node("Add", {"sc", "ln.b"}, {out}, "/ln/Add_1");
}

TEST(Onnx, DecomposedLayerNormIsOneLayer) {
  OnnxModel m;
  m.Input("x", {1, 7, 12}).Weight("ln.g", {12}).Weight("ln.b", {12});
  AddLayerNormPattern(m, "x", "y");
  m.Node("Relu", {"y"}, {"z"});
  const Network n = m.Import();
  ASSERT_EQ(n.layers.size(), 2u);
  EXPECT_EQ(n.layers[0].name, "/ln/LayerNormalization");
  EXPECT_EQ(n.layers[0].op, EltOp::kLayerNorm);
  EXPECT_EQ(n.layers[0].c, 12);
  EXPECT_EQ(n.layers[0].h, 7);
  EXPECT_EQ(n.layers[0].params(), 24);
  EXPECT_EQ(n.layers[1].inputs, std::vector<int>{});  // reads the layer norm
}

// x * 0.5 * (1 + erf(x / sqrt(2))) as torch emits it for nn.GELU below opset 20.
void AddGeluPattern(OnnxModel& m, const std::string& x, const std::string& out) {
  SetTensor(m.Node("Constant", {}, {"sqrt2"}), {}, {1.4142135F});
  m.Node("Div", {x, "sqrt2"}, {"xd"}, "/gelu/Div");
  m.Node("Erf", {"xd"}, {"er"}, "/gelu/Erf");
  SetTensor(m.Node("Constant", {}, {"one"}), {}, {1.0F});
  m.Node("Add", {"er", "one"}, {"e1"}, "/gelu/Add");
  m.Node("Mul", {x, "e1"}, {"xe"}, "/gelu/Mul");
  SetTensor(m.Node("Constant", {}, {"half"}), {}, {0.5F});
  m.Node("Mul", {"xe", "half"}, {out}, "/gelu/Mul_1");
}

TEST(Onnx, ErfGeluPatternIsOneLayer) {
  OnnxModel m;
  m.Input("x", {1, 3, 20});
  AddGeluPattern(m, "x", "y");
  const Network n = m.Import();
  ASSERT_EQ(n.layers.size(), 1u);
  EXPECT_EQ(n.layers[0].name, "/gelu/Gelu");
  EXPECT_EQ(n.layers[0].op, EltOp::kGelu);
  EXPECT_EQ(n.layers[0].c, 20);
  EXPECT_EQ(n.layers[0].h, 3);
}

TEST(Onnx, PatternWithAnOutsideReaderIsNotFused) {
  // The erf output is also a graph output: fusing would hide it, so the Erf stays and is
  // reported (Erf on an activation is only supported inside the GELU pattern).
  OnnxModel m;
  m.Input("x", {1, 3, 20});
  AddGeluPattern(m, "x", "y");
  m.Output("er");
  EXPECT_EQ(ImportError(m),
            "test.onnx: error: unsupported ONNX operator 'Erf' on an activation at node #2 "
            "'/gelu/Erf'\n  hint: 'Erf' is imported only on constants or inside a recognised "
            "LayerNorm/GELU pattern (docs/onnx.md)");
}

TEST(Onnx, ShapeArithmeticIsFolded) {
  // Reshape [1, 4, 6] to [batch, 24] with the batch read at run time:
  // Shape -> Gather(0) -> Unsqueeze -> Concat with [24] -> Reshape. Then Unsqueeze/Squeeze,
  // Slice (first 12 of 24), Identity and Dropout: the relu sees c = 12.
  OnnxModel m;
  m.Input("x", {-1, 4, 6}).Ints("zero", {0}).Ints("n24", {24}).Ints("ax0", {0});
  m.Ints("s0", {0}).Ints("e12", {12}).Ints("ax1", {1}).Ints("ax2", {2});
  m.Node("Shape", {"x"}, {"shape"});
  m.Node("Gather", {"shape", "zero"}, {"b"});
  SetInt(m.Node("Concat", {"b", "n24"}, {"target"}), "axis", 0);
  m.Node("Reshape", {"x", "target"}, {"flat"});
  m.Node("Unsqueeze", {"flat", "ax2"}, {"u"});
  m.Node("Squeeze", {"u", "ax2"}, {"sq"});
  m.Node("Slice", {"sq", "s0", "e12", "ax1"}, {"sl"});
  m.Node("Identity", {"sl"}, {"id"});
  m.Node("Dropout", {"id"}, {"dr"});
  m.Node("Relu", {"dr"}, {"y"});
  const Network n = m.Import();
  ASSERT_EQ(n.layers.size(), 1u);
  EXPECT_EQ(n.layers[0].c, 12);
  EXPECT_EQ(n.layers[0].h, 1);
}

TEST(Onnx, EmbeddingLookupAndPositionTableAreParameters) {
  // Token ids [1, 8] read a 100 x 16 table; a learned [1, 8, 16] position table is added.
  // The add layer: 2 operands, one producer (the ids), extra_params 1,600 + 128 = 1,728.
  OnnxModel m;
  m.Input("ids", {1, 8}, onnx::TensorProto::INT64).Weight("table", {100, 16});
  m.Weight("pos", {1, 8, 16});
  m.Node("Gather", {"table", "ids"}, {"emb"});
  m.Node("Add", {"emb", "pos"}, {"x"}, "embeddings");
  const Network n = m.Import();
  ASSERT_EQ(n.layers.size(), 1u);
  EXPECT_EQ(n.layers[0].num_inputs, 2);
  EXPECT_EQ(n.layers[0].extra_params, 1'728);
  EXPECT_EQ(n.layers[0].c, 16);
  EXPECT_EQ(n.layers[0].h, 8);
  EXPECT_EQ(n.params(), 1'728);
}

TEST(Onnx, ConcatFeedsEveryProducer) {
  // Two 1x1 convolutions (4 -> 3 and 4 -> 5 channels) concatenated: the 3x3 conv reads 8
  // channels from both. MACs = 2 * 6 * 6 * 8 * 9 = 5,184.
  OnnxModel m;
  m.Input("x", {1, 4, 6, 6}).Weight("w1", {3, 4, 1, 1}).Weight("w2", {5, 4, 1, 1});
  m.Weight("w3", {2, 8, 3, 3});
  m.Node("Conv", {"x", "w1"}, {"a"});
  m.Node("Conv", {"x", "w2"}, {"b"});
  SetInt(m.Node("Concat", {"a", "b"}, {"cat"}), "axis", 1);
  SetInts(m.Node("Conv", {"cat", "w3"}, {"y"}), "pads", {1, 1, 1, 1});
  const Network n = m.Import();
  ASSERT_EQ(n.layers.size(), 3u);
  EXPECT_EQ(n.layers[1].inputs, (std::vector<int>{-1}));
  EXPECT_EQ(n.layers[2].c, 8);
  EXPECT_EQ(n.layers[2].inputs, (std::vector<int>{0, 1}));
  EXPECT_EQ(n.layers[2].macs(), 5'184);
}

TEST(Onnx, DynamicAxesTakeNetworkParams) {
  // A dynamic batch is dropped; dynamic spatial axes need image_size.
  OnnxModel m;
  m.Input("x", {-1, 3, -1, -1}).Weight("w", {8, 3, 3, 3});
  m.Node("Conv", {"x", "w"}, {"y"}, "conv");
  EXPECT_EQ(m.Import({.image_size = 10}).layers.at(0).e(), 8);  // 10 - 3 + 1
  EXPECT_EQ(ImportError(m),
            "test.onnx: error: axis 2 of graph input 'x' is dynamic ('d2')\n"
            "  hint: set image_size for this network");
  // Token ids with a dynamic sequence axis take seq_len.
  OnnxModel t;
  t.Input("ids", {1, -1}, onnx::TensorProto::INT64).Weight("table", {50, 4});
  t.Node("Gather", {"table", "ids"}, {"e"});
  t.Node("Relu", {"e"}, {"y"});
  EXPECT_EQ(t.Import({.seq_len = 9}).layers.at(0).h, 9);
}

TEST(Onnx, ParamsContradictingAStaticShapeAreRejected) {
  OnnxModel m;
  m.Input("x", {1, 3, 32, 32}).Weight("w", {8, 3, 3, 3});
  m.Node("Conv", {"x", "w"}, {"y"});
  EXPECT_EQ(m.Import({.image_size = 32}).layers.size(), 1u);
  EXPECT_EQ(ImportError(m, {.image_size = 64}),
            "test.onnx: error: image_size = 64 contradicts axis 2 of graph input 'x', which the "
            "file fixes to 32\n  hint: leave image_size unset for this network, or re-export the "
            "model with a dynamic axis");
}

TEST(Onnx, UnsupportedOperatorIsNamed) {
  OnnxModel m;
  m.Input("x", {1, 4, 8, 8});
  m.Node("Relu", {"x"}, {"a"}, "relu");
  m.Node("Resize", {"a"}, {"b"}, "up/Resize");
  EXPECT_EQ(ImportError(m),
            "test.onnx: error: unsupported ONNX operator 'Resize' at node #1 'up/Resize'\n"
            "  hint: docs/onnx.md lists the supported operators; replace the op or re-export the "
            "model");
  OnnxModel d;
  d.Input("x", {1, 4});
  d.Node("FusedGemm", {"x"}, {"y"}, "fused").set_domain("com.microsoft");
  EXPECT_EQ(ImportError(d),
            "test.onnx: error: unsupported ONNX operator 'com.microsoft.FusedGemm' at node #0 "
            "'fused'\n  hint: only the default ONNX domain is supported; docs/onnx.md lists the "
            "operators");
}

TEST(Onnx, UnrepresentableShapesAreErrors) {
  // Different strides per axis: the layer has one stride.
  OnnxModel m;
  m.Input("x", {1, 2, 8, 8}).Weight("w", {2, 2, 3, 3});
  SetInts(m.Node("Conv", {"x", "w"}, {"y"}, "c"), "strides", {1, 2});
  EXPECT_EQ(ImportError(m),
            "test.onnx: error: node #0 'c' (Conv): strides differ between the axes (1 x 2)\n"
            "  hint: the layer model has one stride for both axes");
  // A weight computed at run time.
  OnnxModel a;
  a.Input("x", {1, 2, 8, 8}).Input("w", {1, 2, 3, 3});
  a.Node("Conv", {"x", "w"}, {"y"}, "c");
  EXPECT_NE(ImportError(a).find("node #0 'c' (Conv): input 1 ('w') must be a constant"),
            std::string::npos);
  // A tensor nobody produces.
  OnnxModel u;
  u.Input("x", {1, 4});
  u.Node("Relu", {"nope"}, {"y"}, "r");
  EXPECT_NE(ImportError(u).find("input 'nope' is not produced by any earlier node"),
            std::string::npos);
}

TEST(Onnx, MalformedFilesAreConfigErrors) {
  OnnxModel m;
  m.Input("x", {1, 4, 8, 8}).Weight("w", {4, 4, 3, 3});
  m.Node("Conv", {"x", "w"}, {"y"}, "conv");
  const std::string bytes = m.Bytes();
  const std::string not_onnx = "this is not an ONNX file\n";
  const std::string parse_error =
      "broken.onnx: error: not a valid ONNX model: the protobuf data cannot be parsed (the file "
      "is truncated or not an ONNX file)\n  hint: export the model again, e.g. with "
      "torch.onnx.export";
  for (const std::size_t cut : {bytes.size() / 2, bytes.size() - 3}) {
    try {
      (void)ParseOnnxNetwork(bytes.substr(0, cut), "broken.onnx");
      ADD_FAILURE() << "a model truncated to " << cut << " bytes imported";
    } catch (const ConfigError& e) {
      EXPECT_EQ(std::string(e.what()), parse_error) << cut;
    }
  }
  for (const std::string& junk : {not_onnx, std::string()}) {
    try {
      (void)ParseOnnxNetwork(junk, "broken.onnx");
      ADD_FAILURE() << "junk imported";
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.pos().file, "broken.onnx");
      EXPECT_NE(std::string(e.what()).find("not a valid ONNX model"), std::string::npos);
    }
  }
  EXPECT_THROW((void)LoadOnnxNetwork("/nonexistent/model.onnx"), IoError);
}

TEST(Onnx, DamagedModelsNeverCrash) {
  // Every prefix of a small model, and models with bytes overwritten, either import or throw
  // ConfigError; anything else (another exception, a crash) fails the test.
  OnnxModel m;
  m.Input("x", {1, 6, 4}).Weight("w", {4, 8}).Weight("b", {8}).Ints("shape", {1, 6, 2, 4});
  m.Node("MatMul", {"x", "w"}, {"mm"});
  m.Node("Add", {"mm", "b"}, {"y"});
  m.Node("Reshape", {"y", "shape"}, {"r"});
  SetInts(m.Node("Transpose", {"r"}, {"t"}), "perm", {0, 2, 1, 3});
  m.Node("Softmax", {"t"}, {"p"});
  const std::string bytes = m.Bytes();
  auto import = [](const std::string& data) {
    try {
      return static_cast<int>(ParseOnnxNetwork(data, "damaged.onnx").layers.size());
    } catch (const ConfigError&) {
      return -1;
    }
  };
  EXPECT_EQ(import(bytes), 2);
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) (void)import(bytes.substr(0, cut));
  std::uint32_t state = 12345;  // a fixed linear congruential sequence
  for (int trial = 0; trial < 3000; ++trial) {
    std::string d = bytes;
    for (int k = 0; k < 3; ++k) {
      state = state * 1664525U + 1013904223U;
      d[(state >> 8) % d.size()] = static_cast<char>(state >> 24);
    }
    (void)import(d);
  }
}

TEST(Onnx, LoadsFromFileAndNamesTheNetworkAfterIt) {
  OnnxModel m;
  m.Input("x", {1, 4});
  m.Node("Relu", {"x"}, {"y"});
  const std::string path = ::testing::TempDir() + "tiny_model.onnx";
  {
    std::ofstream out(path, std::ios::binary);
    out << m.Bytes();
  }
  const Network n = LoadOnnxNetwork(path);
  EXPECT_EQ(n.name, "tiny_model");
  EXPECT_EQ(n.layers.size(), 1u);
  std::remove(path.c_str());
  EXPECT_TRUE(OnnxSupported());
}

}  // namespace
}  // namespace trim::net
