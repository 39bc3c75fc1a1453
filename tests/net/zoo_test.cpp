// Built-in networks: published totals, hand-derived layer values, structural invariants,
// parameter handling and the description table.
#include "trim/net/zoo.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "trim/core/error.hpp"

namespace trim::net {
namespace {

Network Get(std::string_view name, NetworkParams p = {}) {
  auto n = BuiltinNetwork(name, p);
  EXPECT_TRUE(n.has_value()) << name;
  return n.value_or(Network{});
}

const Layer& Find(const Network& n, std::string_view layer) {
  for (const Layer& l : n.layers) {
    if (l.name == layer) return l;
  }
  ADD_FAILURE() << n.name << " has no layer " << layer;
  return n.layers.front();
}

int Count(const Network& n, LayerKind kind) {
  return static_cast<int>(std::count_if(n.layers.begin(), n.layers.end(),
                                        [&](const Layer& l) { return l.kind == kind; }));
}

int CountOp(const Network& n, EltOp op) {
  return static_cast<int>(std::count_if(n.layers.begin(), n.layers.end(), [&](const Layer& l) {
    return l.kind == LayerKind::kEltwise && l.op == op;
  }));
}

TEST(Zoo, NamesSortedUniqueAndDescribed) {
  const auto names = BuiltinNetworkNames();
  ASSERT_EQ(names.size(), 15u);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end());
  for (auto name : names) {
    EXPECT_FALSE(BuiltinNetworkDescription(name).empty()) << name;
    const Network n = Get(name);
    EXPECT_EQ(n.name, name);
    EXPECT_EQ(n.description, BuiltinNetworkDescription(name));
  }
  EXPECT_FALSE(BuiltinNetwork("resnet51").has_value());
  EXPECT_TRUE(BuiltinNetworkDescription("resnet51").empty());
}

// Published totals. MACs per 224x224 (227 for the grouped AlexNet) image; parameters as the
// frameworks count them (weights, biases, batch-norm scale and shift).
TEST(Zoo, ResNet50) {
  const Network n = Get("resnet50");
  EXPECT_EQ(n.macs(), 4'089'184'256);         // 4.09 G (torchvision v1.5)
  EXPECT_EQ(n.params(), 25'557'032);          // 25.56 M (torchvision)
  EXPECT_EQ(n.weight_count(), 25'502'912);    // params less 53,120 batch-norm and 1,000 fc biases
  EXPECT_EQ(Count(n, LayerKind::kConv), 53);  // 1 + 16 * 3 + 4 projections
  EXPECT_EQ(Count(n, LayerKind::kFc), 1);
  EXPECT_EQ(CountOp(n, EltOp::kAdd), 16);
  EXPECT_EQ(CountOp(n, EltOp::kBatchNorm), 53);
  // v1.5: the stride is in the 3x3, so layer2.0.conv1 runs at 56x56 and conv2 halves it.
  EXPECT_EQ(Find(n, "layer2.0.conv1").h, 56);
  EXPECT_EQ(Find(n, "layer2.0.conv2").stride, 2);
  EXPECT_EQ(Find(n, "layer2.0.conv2").e(), 28);
  // layer4.2.conv2: 512 -> 512, 3x3 at 7x7: 512 * 7 * 7 * 512 * 9 = 115,605,504 MACs.
  EXPECT_EQ(Find(n, "layer4.2.conv2").macs(), 115'605'504);
}

TEST(Zoo, ResNet18) {
  const Network n = Get("resnet18");
  EXPECT_EQ(n.params(), 11'689'512);                             // 11.69 M
  EXPECT_NEAR(static_cast<double>(n.macs()), 1.814e9, 0.005e9);  // 1.81-1.82 G
  EXPECT_EQ(CountOp(n, EltOp::kAdd), 8);
  EXPECT_EQ(Count(n, LayerKind::kConv), 20);  // 1 + 8 * 2 + 3 projections
}

TEST(Zoo, Vgg16) {
  const Network n = Get("vgg16");
  EXPECT_EQ(n.macs(), 15'470'264'320);  // 15.47 G
  EXPECT_EQ(n.params(), 138'357'544);   // 138.36 M
  // fc6: 512 * 7 * 7 = 25,088 inputs -> 4096: 102,760,448 weights + 4096 biases.
  EXPECT_EQ(Find(n, "fc6").c, 25'088);
  EXPECT_EQ(Find(n, "fc6").params(), 102'764'544);
  // conv1_2: 64 -> 64, 3x3 at 224x224: 64 * 224 * 224 * 64 * 9 = 1,849,688,064 MACs.
  EXPECT_EQ(Find(n, "conv1_2").macs(), 1'849'688'064);
}

TEST(Zoo, AlexNetGroupedMatchesModelNotes) {
  const Network n = Get("alexnet");
  EXPECT_EQ(n.macs(), 724'406'816);         // docs/networks.md: 724.4 M
  EXPECT_EQ(n.weight_count(), 60'954'656);  // 60.95 M MAC weights
  EXPECT_EQ(n.params(), 60'965'224);        // + 10,568 biases: the well-known 61 M
  EXPECT_EQ(Find(n, "conv1").macs(), 105'415'200);
  EXPECT_EQ(Find(n, "pool1").f(), 27);
  EXPECT_EQ(Find(n, "pool5").e(), 6);
  EXPECT_EQ(Find(n, "fc6").c, 9216);
}

TEST(Zoo, AlexNetConvIsTheFiveConvolutions) {
  const Network full = Get("alexnet");
  const Network n = Get("alexnet-conv");
  ASSERT_EQ(n.layers.size(), 5u);
  std::int64_t conv_macs = 0;
  for (const Layer& l : full.layers) {
    if (l.kind == LayerKind::kConv) conv_macs += l.macs();
  }
  // Eyeriss (JSSC 2017) quotes 666 M MACs for AlexNet CONV1-5.
  EXPECT_EQ(n.macs(), conv_macs);
  EXPECT_EQ(n.macs(), 665'784'864);
  for (std::size_t i = 1; i < n.layers.size(); ++i) {
    EXPECT_EQ(n.layers[i].inputs, std::vector<int>{-1});
  }
  // conv2's input is the pooled 27x27 map, as in the full network.
  EXPECT_EQ(n.layers[1].h, 27);
}

TEST(Zoo, AlexNetTorchvision) {
  const Network n = Get("alexnet-tv");
  EXPECT_EQ(n.params(), 61'100'840);  // torchvision alexnet
  EXPECT_EQ(n.macs(), 714'188'480);   // 0.71 G
  // conv1: 64 filters 11x11/4 pad 2 on 224: E = (224 + 4 - 11) / 4 + 1 = 55;
  // MACs = 64 * 55 * 55 * 363 = 70,276,800.
  EXPECT_EQ(Find(n, "conv1").macs(), 70'276'800);
}

TEST(Zoo, MobileNets) {
  const Network v1 = Get("mobilenet-v1");
  EXPECT_EQ(v1.macs(), 568'740'352);  // 569 M (Howard et al. Table 1: 569 M mult-adds)
  EXPECT_EQ(v1.params(), 4'231'976);  // 4.2 M
  const Network v2 = Get("mobilenet-v2");
  EXPECT_EQ(v2.macs(), 300'774'272);        // ~300 M (Sandler et al.: 300 M)
  EXPECT_EQ(v2.params(), 3'504'872);        // 3.5 M (torchvision)
  EXPECT_EQ(CountOp(v2, EltOp::kAdd), 10);  // 1 + 2 + 3 + 2 + 2 stride-1 same-width blocks
}

TEST(Zoo, LeNetAndMlps) {
  // conv1 6*28*28*25 = 117,600; conv2 16*10*10*150 = 240,000;
  // fc 400*120 + 120*84 + 84*10 = 58,920. Total 416,520.
  const Network n = Get("lenet5");
  EXPECT_EQ(n.macs(), 416'520);
  EXPECT_EQ(n.params(), 61'706);
  // MLP-S 784-500-250-10: 392,000 + 125,000 + 2,500 = 519,500 MACs, + 760 biases.
  EXPECT_EQ(Get("mlp-s").macs(), 519'500);
  EXPECT_EQ(Get("mlp-s").params(), 520'260);
  EXPECT_EQ(Get("mlp-m").macs(), 784 * 1000 + 1000 * 500 + 500 * 250 + 250 * 10);
  EXPECT_EQ(Get("mlp-l").macs(), 784 * 1500 + 1500 * 1000 + 1000 * 500 + 500 * 10);
}

// BERT-base at 128 tokens, per encoder layer (d = 768, 12 heads of 64, FFN 3072):
//   Q, K, V and output projections: 4 * 128 * 768 * 768   = 301,989,888
//   FFN:                            2 * 128 * 768 * 3072  = 603,979,776
//   Q*K^T and P*V:                  2 * 12 * 128 * 64 * 128 = 25,165,824
//   layer total                                            = 931,135,488
// 12 layers: 11,173,625,856 MACs. Embedding lookups and norms have no MACs.
TEST(Zoo, BertBase) {
  const Network n = Get("bert-base");
  EXPECT_EQ(n.macs(), 11'173'625'856);
  // 108,891,648 parameters; with the pooler (590,592) it is the published 109.48 M ("110 M").
  EXPECT_EQ(n.params(), 108'891'648);
  EXPECT_EQ(n.params() + 768 * 768 + 768, 109'482'240);
  EXPECT_EQ(Find(n, "encoder.0.attn.scores").macs(), 12'582'912);
  EXPECT_EQ(Find(n, "encoder.0.attn.context").macs(), 12'582'912);
  EXPECT_EQ(Count(n, LayerKind::kMatmul), 24);
  EXPECT_EQ(CountOp(n, EltOp::kSoftmax), 12);
  // Sequence length is a parameter: linear layers scale with T, attention with T^2.
  const std::int64_t t = 384;
  const std::int64_t expect = 12 * (t * (4 * 768 * 768 + 2 * 768 * 3072) + 2 * 12 * t * 64 * t);
  EXPECT_EQ(Get("bert-base", {.seq_len = t}).macs(), expect);
}

TEST(Zoo, Gpt2SmallIncludesLmHead) {
  const Network n = Get("gpt2-small");
  // The same 12 blocks as BERT-base (931,135,488 MACs each at 128 tokens) plus the LM head
  // 128 * 768 * 50257 = 4,940,464,128.
  EXPECT_EQ(n.macs(), 12 * 931'135'488LL + 4'940'464'128LL);
  EXPECT_EQ(n.layers.back().name, "lm_head");
  EXPECT_EQ(n.layers.back().m, 50257);
  EXPECT_EQ(n.params(), 124'439'808);  // GPT-2 small, tied embedding counted once
  EXPECT_NO_THROW(Get("gpt2-small", {.seq_len = 1024}));
  EXPECT_THROW(BuiltinNetwork("gpt2-small", {.seq_len = 1025}), ConfigError);
}

TEST(Zoo, VitB16) {
  const Network n = Get("vit-b16");
  EXPECT_EQ(n.params(), 86'567'656);  // torchvision vit_b_16
  // Patch embedding 768 * 196 * 768 = 115,605,504; per layer over 197 tokens:
  // 197 * (3 * 768^2 + 768^2 + 2 * 768 * 3072) + 2 * 12 * 197 * 64 * 197; head 768,000.
  const std::int64_t per_layer =
      197LL * (4 * 768 * 768 + 2 * 768 * 3072) + 2LL * 12 * 197 * 64 * 197;
  EXPECT_EQ(n.macs(), 115'605'504 + 12 * per_layer + 768'000);  // 17.56 G
  EXPECT_EQ(Find(n, "encoder.0.attn.scores").h, 197);
}

TEST(Zoo, ImageSizeParameter) {
  // Doubling the side quadruples every convolution; the FC after the global pool is fixed.
  const std::int64_t fc = 2048 * 1000;
  const Network big = Get("resnet50", {.image_size = 448});
  EXPECT_EQ(big.macs(), 4 * (4'089'184'256 - fc) + fc);
  EXPECT_EQ(big.params(), 25'557'032);
  EXPECT_EQ(big.layers.front().h, 448);
  // VGG-16 has no global pool: fc6 takes the flattened 512 x (S/32)^2 map.
  EXPECT_EQ(Find(Get("vgg16", {.image_size = 32}), "fc6").c, 512);
  EXPECT_EQ(Get("vit-b16", {.image_size = 384}).layers[1].h, 24 * 24 + 1);
}

TEST(Zoo, RejectsBadParameters) {
  EXPECT_THROW(BuiltinNetwork("resnet50", {.image_size = -1}), ConfigError);
  EXPECT_THROW(BuiltinNetwork("vgg16", {.image_size = 16}), ConfigError);  // pool5 empty
  EXPECT_THROW(BuiltinNetwork("vit-b16", {.image_size = 200}), ConfigError);
  EXPECT_THROW(BuiltinNetwork("bert-base", {.seq_len = 513}), ConfigError);
  EXPECT_THROW(BuiltinNetwork("bert-base", {.seq_len = -5}), ConfigError);
  // AlexNet at 40: conv1 (40 - 11) / 4 + 1 = 8, pool1 3, conv2..conv5 1, pool5 3x3 on 1x1: none.
  try {
    (void)BuiltinNetwork("alexnet", {.image_size = 40});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.problem(),
              "image_size = 40 is too small for alexnet: layer pool5 would have no output");
    EXPECT_EQ(e.hint(), "use the standard size 227 or larger");
  }
  // Parameters a network has no use for are ignored.
  EXPECT_EQ(Get("mlp-s", {.image_size = 5, .seq_len = 7}).macs(), 519'500);
}

// Structural invariants that every built-in network must satisfy.
TEST(Zoo, Invariants) {
  for (auto name : BuiltinNetworkNames()) {
    SCOPED_TRACE(std::string(name));
    const Network n = Get(name);
    ASSERT_FALSE(n.layers.empty());
    std::set<std::string> seen;
    for (std::size_t i = 0; i < n.layers.size(); ++i) {
      const Layer& l = n.layers[i];
      SCOPED_TRACE(l.name);
      EXPECT_TRUE(seen.insert(l.name).second) << "duplicate name";
      EXPECT_GE(l.e(), 1);
      EXPECT_GE(l.f(), 1);
      EXPECT_EQ(l.c % l.groups, 0);
      EXPECT_EQ(l.m % l.groups, 0);
      if (l.kind == LayerKind::kPool || l.kind == LayerKind::kEltwise) {
        EXPECT_EQ(l.m, l.c);
      }
      if (l.kind == LayerKind::kMatmul) {
        EXPECT_EQ(l.r * l.s * l.w, 1);
        EXPECT_EQ(l.inputs.size(), 2u);  // both operands are activations
      }
      if (l.kind == LayerKind::kEltwise && l.op == EltOp::kAdd && l.extra_params == 0) {
        // A residual add names both producers, whose outputs have the add's shape.
        ASSERT_EQ(l.num_inputs, 2);
        ASSERT_EQ(l.inputs.size(), 2u);
        for (int p : l.inputs) {
          ASSERT_GE(p, 0);
          EXPECT_EQ(n.layers[p].output_count(), l.input_count());
        }
      }
      std::vector<int> producers = l.inputs;
      if (producers.empty()) producers = {static_cast<int>(i) - 1};
      for (int p : producers) {
        EXPECT_GE(p, -1);
        EXPECT_LT(p, static_cast<int>(i));  // topological order
      }
      // A single-producer layer reads exactly its producer's output, except where the network
      // slices or extends it: ViT adds the class token and its head reads the class token only.
      const bool slice = (name == "vit-b16" && (l.name == "embeddings" || l.name == "head"));
      if (producers.size() == 1 && producers[0] >= 0 && !slice && l.kind != LayerKind::kMatmul) {
        EXPECT_EQ(n.layers[producers[0]].output_count(), l.input_count());
      }
    }
  }
}

TEST(Describe, TableAndTotals) {
  const Network n = Get("lenet5");
  const std::string d = DescribeNetwork(n, 1);
  for (const Layer& l : n.layers) EXPECT_NE(d.find(l.name), std::string::npos) << l.name;
  EXPECT_NE(d.find("total MACs          416,520 (416.52 K)"), std::string::npos) << d;
  EXPECT_NE(d.find("parameters          61,706 (61.71 K), of which MAC weights 61,470"),
            std::string::npos)
      << d;
  // conv1 row: input 1x32x32, output 6x28x28, 5x5 window, 117,600 MACs, 156 params.
  EXPECT_NE(d.find("6x28x28"), std::string::npos);
  EXPECT_NE(d.find("117,600"), std::string::npos);
  // MACs and activations scale with the batch, parameters do not.
  const std::string d8 = DescribeNetwork(n, 8);
  EXPECT_NE(d8.find("total MACs          3,332,160 (3.33 M)"), std::string::npos) << d8;
  EXPECT_NE(d8.find("parameters          61,706"), std::string::npos);
  const std::string list = DescribeBuiltinNetworks();
  for (auto name : BuiltinNetworkNames()) EXPECT_NE(list.find(name), std::string::npos);
  EXPECT_NE(list.find("128 tokens"), std::string::npos);
}

}  // namespace
}  // namespace trim::net
