// Convolutional networks of the zoo. Shapes follow the cited papers (and torchvision where a
// variant is named after it); docs/networks.md lists sources and totals. Spatial sizes are
// derived from the input size by the builder, never typed in.
#include <array>
#include <string>
#include <utility>

#include "builder.hpp"
#include "zoo_internal.hpp"

namespace trim::net::internal {
namespace {

using std::to_string;

// LeNet-5 (LeCun et al. 1998) in its common modern form: ReLU activations, average pooling,
// full C3 connectivity, and C5/F6/output as fully connected layers 400-120-84-10.
Network BuildLeNet5(std::int64_t image) {
  NetBuilder b("lenet5", "");
  Act x = NetBuilder::Input(1, image, image);
  x = b.Conv("conv1", x, 6, 5, 1, 0, 1, true);
  x = b.Elt("relu1", x, EltOp::kRelu);
  x = b.Pool("pool1", x, PoolType::kAvg, 2, 2);
  x = b.Conv("conv2", x, 16, 5, 1, 0, 1, true);
  x = b.Elt("relu2", x, EltOp::kRelu);
  x = b.Pool("pool2", x, PoolType::kAvg, 2, 2);
  x = b.Fc("fc1", NetBuilder::Flatten(x), 120);
  x = b.Elt("relu3", x, EltOp::kRelu);
  x = b.Fc("fc2", x, 84);
  x = b.Elt("relu4", x, EltOp::kRelu);
  b.Fc("fc3", x, 10);
  return std::move(b).Finish();
}

// The AlexNet family: five convolutions (11x11/4, 5x5, three 3x3) with max-pools after the
// first, second and fifth, then FC 4096-4096-1000; variants differ in widths, conv1's padding
// and the grouping of conv2/4/5. Local response normalization and dropout are not modelled.
struct AlexNetShape {
  std::array<std::int64_t, 5> width;
  std::int64_t conv1_pad;
  std::int64_t groups;  ///< groups of conv2, conv4 and conv5
};

Network BuildAlexNetFamily(const char* name, std::int64_t image, const AlexNetShape& shape) {
  NetBuilder b(name, "");
  Act x = NetBuilder::Input(3, image, image);
  x = b.Conv("conv1", x, shape.width[0], 11, 4, shape.conv1_pad, 1, true);
  x = b.Elt("relu1", x, EltOp::kRelu);
  x = b.Pool("pool1", x, PoolType::kMax, 3, 2);
  x = b.Conv("conv2", x, shape.width[1], 5, 1, 2, shape.groups, true);
  x = b.Elt("relu2", x, EltOp::kRelu);
  x = b.Pool("pool2", x, PoolType::kMax, 3, 2);
  x = b.Conv("conv3", x, shape.width[2], 3, 1, 1, 1, true);
  x = b.Elt("relu3", x, EltOp::kRelu);
  x = b.Conv("conv4", x, shape.width[3], 3, 1, 1, shape.groups, true);
  x = b.Elt("relu4", x, EltOp::kRelu);
  x = b.Conv("conv5", x, shape.width[4], 3, 1, 1, shape.groups, true);
  x = b.Elt("relu5", x, EltOp::kRelu);
  x = b.Pool("pool5", x, PoolType::kMax, 3, 2);
  x = b.Fc("fc6", NetBuilder::Flatten(x), 4096);
  x = b.Elt("relu6", x, EltOp::kRelu);
  x = b.Fc("fc7", x, 4096);
  x = b.Elt("relu7", x, EltOp::kRelu);
  b.Fc("fc8", x, 1000);
  return std::move(b).Finish();
}

// AlexNet as published (Krizhevsky et al. 2012) and as Eyeriss (Chen et al., ISSCC 2016 /
// JSSC 2017) ran it: 227x227 input, conv2/4/5 split into two groups.
Network BuildAlexNetGrouped(std::int64_t image) {
  return BuildAlexNetFamily("alexnet", image, {{96, 256, 384, 384, 256}, 0, 2});
}

// torchvision's single-tower AlexNet (after Krizhevsky's "one weird trick", 2014): 224x224
// input, 64-192-384-256-256 channels, no groups. At 224 the adaptive 6x6 average pool is the
// identity and is omitted; at other sizes the classifier takes the flattened feature map.
Network BuildAlexNetTv(std::int64_t image) {
  return BuildAlexNetFamily("alexnet-tv", image, {{64, 192, 384, 256, 256}, 2, 1});
}

// VGG-16, configuration D of Simonyan & Zisserman 2015: 13 3x3 convolutions (stride 1, pad 1)
// in five blocks, each closed by a 2x2/2 max-pool, then FC 4096-4096-1000. All layers biased.
Network BuildVgg16(std::int64_t image) {
  NetBuilder b("vgg16", "");
  constexpr std::array<std::int64_t, 5> kWidth = {64, 128, 256, 512, 512};
  constexpr std::array<int, 5> kDepth = {2, 2, 3, 3, 3};
  Act x = NetBuilder::Input(3, image, image);
  for (int blk = 0; blk < 5; ++blk) {
    for (int i = 0; i < kDepth[blk]; ++i) {
      const std::string id = to_string(blk + 1) + "_" + to_string(i + 1);
      x = b.Conv("conv" + id, x, kWidth[blk], 3, 1, 1, 1, true);
      x = b.Elt("relu" + id, x, EltOp::kRelu);
    }
    x = b.Pool("pool" + to_string(blk + 1), x, PoolType::kMax, 2, 2);
  }
  x = b.Fc("fc6", NetBuilder::Flatten(x), 4096);
  x = b.Elt("relu6", x, EltOp::kRelu);
  x = b.Fc("fc7", x, 4096);
  x = b.Elt("relu7", x, EltOp::kRelu);
  b.Fc("fc8", x, 1000);
  return std::move(b).Finish();
}

// ResNet (He et al. 2016) with torchvision's layer names. Bottleneck blocks put the stride in
// the 3x3 convolution (torchvision "v1.5"). A block gets a 1x1 projection shortcut
// ("downsample") when its stride or width changes.
Network BuildResNet(std::string name, bool bottleneck, const std::array<int, 4>& blocks,
                    std::int64_t image) {
  NetBuilder b(std::move(name), "");
  const std::int64_t expansion = bottleneck ? 4 : 1;
  Act x = NetBuilder::Input(3, image, image);
  x = b.ConvBnRelu("conv1", "bn1", "relu", x, 64, 7, 2, 3);
  x = b.Pool("maxpool", x, PoolType::kMax, 3, 2, 1);
  for (int stage = 0; stage < 4; ++stage) {
    const std::int64_t width = std::int64_t{64} << stage;
    for (int blk = 0; blk < blocks[stage]; ++blk) {
      const std::string p = "layer" + to_string(stage + 1) + "." + to_string(blk) + ".";
      const std::int64_t stride = (stage > 0 && blk == 0) ? 2 : 1;
      const Act in = x;
      Act y;
      std::string last_relu;
      if (bottleneck) {
        y = b.ConvBnRelu(p + "conv1", p + "bn1", p + "relu1", in, width, 1, 1, 0);
        y = b.ConvBnRelu(p + "conv2", p + "bn2", p + "relu2", y, width, 3, stride, 1);
        y = b.Conv(p + "conv3", y, width * expansion, 1, 1, 0);
        y = b.Elt(p + "bn3", y, EltOp::kBatchNorm);
        last_relu = p + "relu3";
      } else {
        y = b.ConvBnRelu(p + "conv1", p + "bn1", p + "relu1", in, width, 3, stride, 1);
        y = b.Conv(p + "conv2", y, width, 3, 1, 1);
        y = b.Elt(p + "bn2", y, EltOp::kBatchNorm);
        last_relu = p + "relu2";
      }
      Act shortcut = in;
      if (stride != 1 || in.c != width * expansion) {
        shortcut = b.Conv(p + "downsample.0", in, width * expansion, 1, stride, 0);
        shortcut = b.Elt(p + "downsample.1", shortcut, EltOp::kBatchNorm);
      }
      y = b.Add(p + "add", y, shortcut);
      x = b.Elt(last_relu, y, EltOp::kRelu);
    }
  }
  x = b.GlobalAvgPool("avgpool", x);
  b.Fc("fc", NetBuilder::Flatten(x), 1000);
  return std::move(b).Finish();
}

// MobileNet v1 1.0 (Howard et al. 2017, Table 1): a 3x3/2 stem and 13 depthwise-separable
// pairs (3x3 depthwise, 1x1 pointwise), each convolution followed by batch-norm and ReLU.
Network BuildMobileNetV1(std::int64_t image) {
  struct Pair {
    std::int64_t stride;
    std::int64_t out;
  };
  constexpr std::array<Pair, 13> kPairs = {{{1, 64},
                                            {2, 128},
                                            {1, 128},
                                            {2, 256},
                                            {1, 256},
                                            {2, 512},
                                            {1, 512},
                                            {1, 512},
                                            {1, 512},
                                            {1, 512},
                                            {1, 512},
                                            {2, 1024},
                                            {1, 1024}}};
  NetBuilder b("mobilenet-v1", "");
  Act x = NetBuilder::Input(3, image, image);
  x = b.ConvBnRelu("conv1", "bn1", "relu1", x, 32, 3, 2, 1);
  for (std::size_t i = 0; i < kPairs.size(); ++i) {
    const std::string p = "block" + to_string(i + 1) + ".";
    x = b.ConvBnRelu(p + "dw", p + "dw_bn", p + "dw_relu", x, x.c, 3, kPairs[i].stride, 1, x.c);
    x = b.ConvBnRelu(p + "pw", p + "pw_bn", p + "pw_relu", x, kPairs[i].out, 1, 1, 0);
  }
  x = b.GlobalAvgPool("avgpool", x);
  b.Fc("fc", NetBuilder::Flatten(x), 1000);
  return std::move(b).Finish();
}

// MobileNet v2 1.0 (Sandler et al. 2018, Table 2) with torchvision's choices: inverted
// residual blocks (1x1 expansion by t, 3x3 depthwise, linear 1x1 projection), a residual add
// when stride is 1 and the width is unchanged, a 1x1 to 1280 channels, and the classifier.
// ReLU6 is modelled as ReLU (the same element-wise cost).
Network BuildMobileNetV2(std::int64_t image) {
  struct Stage {
    std::int64_t t;  // expansion factor
    std::int64_t c;  // output channels
    int n;           // blocks
    std::int64_t s;  // stride of the first block
  };
  constexpr std::array<Stage, 7> kStages = {{{1, 16, 1, 1},
                                             {6, 24, 2, 2},
                                             {6, 32, 3, 2},
                                             {6, 64, 4, 2},
                                             {6, 96, 3, 1},
                                             {6, 160, 3, 2},
                                             {6, 320, 1, 1}}};
  NetBuilder b("mobilenet-v2", "");
  Act x = NetBuilder::Input(3, image, image);
  x = b.ConvBnRelu("conv1", "bn1", "relu1", x, 32, 3, 2, 1);
  int block = 0;
  for (const Stage& st : kStages) {
    for (int i = 0; i < st.n; ++i) {
      const std::string p = "block" + to_string(++block) + ".";
      const std::int64_t stride = i == 0 ? st.s : 1;
      const Act in = x;
      const std::int64_t hidden = in.c * st.t;
      Act y = in;
      if (st.t != 1) {
        y = b.ConvBnRelu(p + "expand", p + "expand_bn", p + "expand_relu", y, hidden, 1, 1, 0);
      }
      y = b.ConvBnRelu(p + "dw", p + "dw_bn", p + "dw_relu", y, hidden, 3, stride, 1, hidden);
      y = b.Conv(p + "project", y, st.c, 1, 1, 0);
      y = b.Elt(p + "project_bn", y, EltOp::kBatchNorm);
      if (stride == 1 && in.c == st.c) y = b.Add(p + "add", y, in);
      x = y;
    }
  }
  x = b.ConvBnRelu("conv_last", "bn_last", "relu_last", x, 1280, 1, 1, 0);
  x = b.GlobalAvgPool("avgpool", x);
  b.Fc("fc", NetBuilder::Flatten(x), 1000);
  return std::move(b).Finish();
}

}  // namespace

Network LeNet5(std::int64_t image) { return BuildLeNet5(image); }
Network AlexNetGrouped(std::int64_t image) { return BuildAlexNetGrouped(image); }

// The five convolutions of the grouped AlexNet alone, as Eyeriss measured them layer by layer:
// each layer reads its input from off-chip memory (producer = network input), the pooling
// between them is left out.
Network AlexNetConvOnly(std::int64_t image) {
  Network full = BuildAlexNetGrouped(image);
  Network n;
  n.name = "alexnet-conv";
  for (Layer& l : full.layers) {
    if (l.kind != LayerKind::kConv) continue;
    l.inputs.clear();
    if (!n.layers.empty()) l.inputs = {-1};
    n.layers.push_back(std::move(l));
  }
  return n;
}

Network AlexNetTorchvision(std::int64_t image) { return BuildAlexNetTv(image); }
Network Vgg16(std::int64_t image) { return BuildVgg16(image); }
Network ResNet18(std::int64_t image) { return BuildResNet("resnet18", false, {2, 2, 2, 2}, image); }
Network ResNet50(std::int64_t image) { return BuildResNet("resnet50", true, {3, 4, 6, 3}, image); }
Network MobileNetV1(std::int64_t image) { return BuildMobileNetV1(image); }
Network MobileNetV2(std::int64_t image) { return BuildMobileNetV2(image); }

}  // namespace trim::net::internal
