// Network files: the shipped examples reproduce the built-in networks layer for layer, the
// features work as documented, and every error names its position and a fix.
#include "trim/net/network_file.hpp"

#include <gtest/gtest.h>

#include <string>

#include "trim/core/error.hpp"
#include "trim/net/zoo.hpp"

namespace trim::net {
namespace {

const std::string kConfigDir = std::string(TRIM_SOURCE_DIR) + "/configs/networks/";

void ExpectSameLayers(const Network& a, const Network& b) {
  ASSERT_EQ(a.layers.size(), b.layers.size());
  for (std::size_t i = 0; i < a.layers.size(); ++i) {
    const Layer& x = a.layers[i];
    const Layer& y = b.layers[i];
    SCOPED_TRACE(x.name);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.kind, y.kind);
    EXPECT_EQ(x.c, y.c);
    EXPECT_EQ(x.h, y.h);
    EXPECT_EQ(x.w, y.w);
    EXPECT_EQ(x.m, y.m);
    EXPECT_EQ(x.r, y.r);
    EXPECT_EQ(x.s, y.s);
    EXPECT_EQ(x.stride, y.stride);
    EXPECT_EQ(x.pad, y.pad);
    EXPECT_EQ(x.dilation, y.dilation);
    EXPECT_EQ(x.groups, y.groups);
    EXPECT_EQ(x.pool, y.pool);
    EXPECT_EQ(x.op, y.op);
    EXPECT_EQ(x.num_inputs, y.num_inputs);
    EXPECT_EQ(x.bias, y.bias);
    EXPECT_EQ(x.extra_params, y.extra_params);
    EXPECT_EQ(x.inputs, y.inputs);
  }
  EXPECT_EQ(a.macs(), b.macs());
  EXPECT_EQ(a.params(), b.params());
}

TEST(NetworkFile, Resnet18FileEqualsBuiltin) {
  const Network file = LoadNetworkFile(kConfigDir + "resnet18.toml");
  EXPECT_EQ(file.name, "resnet18-file");
  EXPECT_EQ(file.description, "ResNet-18 as a network file");
  ExpectSameLayers(file, *BuiltinNetwork("resnet18"));
}

TEST(NetworkFile, BertFileEqualsBuiltin) {
  const Network file = LoadNetworkFile(kConfigDir + "bert-base.toml");
  ExpectSameLayers(file, *BuiltinNetwork("bert-base", {.seq_len = 128}));
}

TEST(NetworkFile, ShapesDerivedFromProducers) {
  const Network n = ParseNetworkFile(R"(
input = [3, 32, 32]
[[layer]]
name = "c1"
kind = "conv"
m = 8
kernel = 3
[[layer]]
name = "p1"
kind = "pool"
pool = "max"
kernel = 2
[[layer]]
name = "skip"
kind = "conv"
m = 8
kernel = 1
stride = 2
inputs = ["input"]
[[layer]]
name = "fc"
kind = "fc"
m = 10
inputs = ["p1"]
)",
                                     "dir/tiny.net.toml");
  EXPECT_EQ(n.name, "tiny.net");  // the file name without directory and last extension
  ASSERT_EQ(n.layers.size(), 4u);
  // c1: (32 - 3) / 1 + 1 = 30; p1: stride defaults to the 2x2 window: 15.
  EXPECT_EQ(n.layers[0].e(), 30);
  EXPECT_EQ(n.layers[1].stride, 2);
  EXPECT_EQ(n.layers[1].e(), 15);
  // skip reads the network input (3x32x32) explicitly.
  EXPECT_EQ(n.layers[2].inputs, std::vector<int>{-1});
  EXPECT_EQ(n.layers[2].c, 3);
  EXPECT_EQ(n.layers[2].e(), 16);
  // fc flattens its producer p1 (8x15x15 = 1800) by default.
  EXPECT_EQ(n.layers[3].inputs, std::vector<int>{1});
  EXPECT_EQ(n.layers[3].c, 1800);
  EXPECT_EQ(n.layers[3].macs(), 18'000);
  EXPECT_FALSE(n.layers[3].bias);
}

TEST(NetworkFile, BlocksRepeatWithParameters) {
  const Network n = ParseNetworkFile(R"(
input = [16, 8, 8]
[block.res]
params = { width = 16, k = 3 }
layer = [
  { name = "conv", kind = "conv", m = "width", kernel = "k", pad = 1 },
  { name = "add", kind = "eltwise", op = "add", inputs = ["conv", "in"] },
]
[[layer]]
block = "res"
name = "stage"
repeat = 3
start = 2
)",
                                     "b.toml");
  ASSERT_EQ(n.layers.size(), 6u);
  EXPECT_EQ(n.layers[0].name, "stage.2.conv");
  EXPECT_EQ(n.layers[5].name, "stage.4.add");
  EXPECT_TRUE(n.layers[0].inputs.empty());
  // The second repetition's add: its conv (index 2) and its block input (index 1).
  EXPECT_EQ(n.layers[3].inputs, (std::vector<int>{2, 1}));
  EXPECT_EQ(n.layers[3].num_inputs, 2);
  EXPECT_EQ(n.macs(), 3 * 16 * 8 * 8 * 16 * 9);
}

// Parses `text` as "net.toml" and returns the error message, or "" if it parsed.
std::string ErrorOf(const std::string& text) {
  try {
    (void)ParseNetworkFile(text, "net.toml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

const char* const kHead = "input = [3, 32, 32]\n[[layer]]\nname = \"c1\"\nkind = \"conv\"\nm = 8\n";

TEST(NetworkFileErrors, UnknownKeyWithSuggestion) {
  EXPECT_EQ(ErrorOf(std::string(kHead) + "kernel = 3\nstrde = 2\n"),
            "net.toml:7:1: error: unknown key 'strde' in layer 'c1' (kind conv)\n"
            "  hint: did you mean 'stride'? valid keys: bias, dilation, extra_params, groups, "
            "inputs, kernel, kind, m, name, pad, r, s, stride");
}

TEST(NetworkFileErrors, KeyOfAnotherKind) {
  EXPECT_EQ(ErrorOf(std::string(kHead) + "kernel = 3\nop = \"relu\"\n"),
            "net.toml:7:1: error: unknown key 'op' in layer 'c1' (kind conv)\n"
            "  hint: valid keys: bias, dilation, extra_params, groups, inputs, kernel, kind, m, "
            "name, pad, r, s, stride");
}

TEST(NetworkFileErrors, BadValues) {
  EXPECT_EQ(ErrorOf(std::string(kHead) + "kernel = 0\n"),
            "net.toml:6:10: error: layer 'c1'.kernel = 0 must be >= 1\n"
            "  hint: write a value of at least 1 (see Limits in docs/network-format.md)");
  EXPECT_EQ(ErrorOf(std::string(kHead) + "kernel = \"3\"\n"),
            "net.toml:6:10: error: layer 'c1'.kernel must be an integer\n"
            "  hint: write a whole number, such as layer 'c1'.kernel = 1");
  EXPECT_EQ(ErrorOf(std::string(kHead) + "kernel = 40\n"),
            "net.toml:2:1: error: layer 'c1': the 40x40 window (stride 1, pad 0) does not fit "
            "its 3x32x32 input\n  hint: use a smaller window, more padding, or a larger input");
  EXPECT_EQ(ErrorOf(std::string(kHead) + "kernel = 3\ngroups = 2\n"),
            "net.toml:7:10: error: layer 'c1': groups = 2 must divide the input channels (3) "
            "and the output channels (8)\n"
            "  hint: choose groups as a common divisor of both, e.g. groups = 1");
  EXPECT_EQ(ErrorOf("input = [3, 32, 32]\n[[layer]]\nname = \"x\"\nkind = \"convolution\"\n"),
            "net.toml:4:8: error: layer 'x'.kind = \"convolution\" is not known\n"
            "  hint: valid: conv, fc, matmul, pool, eltwise");
}

TEST(NetworkFileErrors, References) {
  EXPECT_EQ(ErrorOf(std::string(kHead) +
                    "kernel = 3\n[[layer]]\nname = \"a\"\nkind = \"eltwise\"\nop = \"add\"\n"
                    "inputs = [\"c1\", \"c2\"]\n"),
            "net.toml:11:17: error: inputs names \"c2\", which is not an earlier layer\n"
            "  hint: did you mean 'c1'? name a layer defined above, \"input\" for the network "
            "input");
  EXPECT_EQ(ErrorOf(std::string(kHead) + "kernel = 3\n[[layer]]\nname = \"c1\"\nkind = \"fc\"\n"
                                         "m = 4\n"),
            "net.toml:8:8: error: layer name \"c1\" is used twice\n"
            "  hint: layer names must be unique");
  EXPECT_EQ(ErrorOf(std::string(kHead) +
                    "kernel = 3\n[[layer]]\nname = \"a\"\nkind = \"eltwise\"\nop = \"add\"\n"
                    "inputs = [\"c1\", \"input\"]\n"),
            "net.toml:11:10: error: layer 'a': operands differ in size (8x30x30 vs 3x32x32)\n"
            "  hint: element-wise operands must have the same number of elements");
  EXPECT_EQ(ErrorOf("input = [8, 4, 1]\n[[layer]]\nname = \"mm\"\nkind = \"matmul\"\nk = 8\n"
                    "n = 4\n"),
            "net.toml:2:1: error: layer 'mm' needs inputs = [\"<left operand>\", \"<right "
            "operand>\"]\n  hint: a matmul multiplies two activations; name both producers");
}

TEST(NetworkFileErrors, Blocks) {
  const std::string block =
      "input = [4, 8, 8]\n[block.b]\nparams = { width = 4 }\n"
      "layer = [ { name = \"c\", kind = \"conv\", m = \"widht\", kernel = 1 } ]\n"
      "[[layer]]\nblock = \"b\"\nname = \"s\"\n";
  EXPECT_EQ(ErrorOf(block),
            "net.toml:4:44: error: layer 's.0.c'.m = \"widht\" is not a parameter of this block\n"
            "  hint: did you mean 'width'? declare it in the block's params = { ... } "
            "(declared: width)");
  EXPECT_EQ(ErrorOf("input = [4, 8, 8]\n[[layer]]\nblock = \"nope\"\nname = \"s\"\n"),
            "net.toml:3:9: error: block = \"nope\" is not defined\n"
            "  hint: define it as [block.nope]");
}

TEST(NetworkFileErrors, FileLevel) {
  EXPECT_EQ(ErrorOf("[[layer]]\nname = \"x\"\nkind = \"fc\"\nm = 2\n"),
            "net.toml:1:1: error: the network file has no input shape\n"
            "  hint: add input = [channels, height, width], e.g. input = [3, 224, 224]");
  EXPECT_EQ(ErrorOf("input = [3, 32, 32]\nlayers = []\n"),
            "net.toml:2:1: error: unknown key 'layers' in the network file\n"
            "  hint: did you mean 'layer'? valid keys: block, description, input, layer, name");
  const std::string syntax = ErrorOf("input = [3, 32, 32\n");
  EXPECT_EQ(syntax.rfind("net.toml:", 0), 0u) << syntax;
  EXPECT_NE(syntax.find("error: invalid TOML"), std::string::npos) << syntax;
  EXPECT_THROW(LoadNetworkFile(kConfigDir + "does-not-exist.toml"), IoError);
}

// A path that is not a regular file is refused before it is opened: opening a FIFO would
// block until a writer appears, and a device never ends.
TEST(NetworkFileErrors, NotARegularFile) {
  const std::string dir = kConfigDir.substr(0, kConfigDir.size() - 1);  // configs/networks
  try {
    (void)LoadNetworkFile(dir);
    FAIL() << "a directory was accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), dir +
                                         ": error: the network file is a directory, not a "
                                         "regular file\n  hint: give the path of a regular file");
  }
  try {
    (void)LoadNetworkFile("/dev/null");
    FAIL() << "a device was accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "/dev/null: error: the network file is a device or socket, not a regular file\n"
              "  hint: give the path of a regular file");
  }
}

// The limits (docs/network-format.md, Limits): the three inputs below once overflowed int64 or
// exhausted memory (tests/fuzz/regressions/network_file/).
TEST(NetworkFileLimits, SizesAtMost2To24) {
  const std::string hint =
      "\n  hint: sizes, windows, strides, pads, dilations, groups and counts are at most 2^24 "
      "(see Limits in docs/network-format.md)";
  // dims_overflow.toml
  EXPECT_EQ(ErrorOf("input = [9223372036854775807, 4, 4]\n[[layer]]\nname = \"c\"\n"
                    "kind = \"conv\"\nm = 9223372036854775807\n"),
            "net.toml:1:10: error: input[0] = 9223372036854775807 must be <= 16777216" + hint);
  EXPECT_EQ(ErrorOf("input = [3, 4, 4]\n[[layer]]\nname = \"c\"\nkind = \"conv\"\n"
                    "m = 9223372036854775807\n"),
            "net.toml:5:5: error: layer 'c'.m = 9223372036854775807 must be <= 16777216" + hint);
  // pad_overflow.toml
  EXPECT_EQ(ErrorOf(std::string(kHead) + "kernel = 3\npad = 9223372036854775807\n"),
            "net.toml:7:7: error: layer 'c1'.pad = 9223372036854775807 must be <= 16777216" + hint);
  // 2^24 itself is allowed: a 1x1 stride-2^24 conv on a 3x32x32 input gives 8x1x1.
  const Network n = ParseNetworkFile(std::string(kHead) + "stride = 16777216\n", "net.toml");
  EXPECT_EQ(n.layers[0].e(), 1);
  // A block parameter is checked where it is used.
  EXPECT_EQ(ErrorOf("input = [4, 8, 8]\n[block.b]\nparams = { k = 16777217 }\n"
                    "layer = [ { name = \"c\", kind = \"conv\", m = 4, kernel = \"k\" } ]\n"
                    "[[layer]]\nblock = \"b\"\nname = \"s\"\n"),
            "net.toml:4:56: error: layer 's.0.c'.kernel = 16777217 must be <= 16777216" + hint);
}

TEST(NetworkFileLimits, CountsAtMost2To50) {
  const std::string hint =
      "\n  hint: a layer has at most 2^50 elements, weights, MACs and operations per sample, a "
      "network at most 2^60 in total (see Limits in docs/network-format.md)";
  // 2^24 x 2^24 x 2^24 = 2^72 input elements.
  EXPECT_EQ(ErrorOf("input = [16777216, 16777216, 16777216]\n[[layer]]\nname = \"r\"\n"
                    "kind = \"eltwise\"\nop = \"relu\"\n"),
            "net.toml:1:9: error: input 16777216x16777216x16777216 has more than "
            "1125899906842624 elements\n"
            "  hint: a sample is at most 2^50 elements (see Limits in docs/network-format.md)");
  // An fc layer over 2^20 x 2^10 x 1 = 2^30 inputs with m = 2^24 outputs: 2^54 weights.
  EXPECT_EQ(ErrorOf("input = [1048576, 1024, 1]\n[[layer]]\nname = \"fc\"\nkind = \"fc\"\n"
                    "m = 16777216\n"),
            "net.toml:5:5: error: layer 'fc': its weights per sample (m x c/groups x r x s = "
            "16777216 x 1073741824 x 1 x 1) exceed 2^50 = 1125899906842624" +
                hint);
  // Pad 2^24 on an 8x8 input: e = f = 8 + 2^25 - 3 + 1 = 33554438; 4 x 33554438^2 > 2^50.
  EXPECT_EQ(ErrorOf("input = [3, 8, 8]\n[[layer]]\nname = \"c\"\nkind = \"conv\"\nm = 4\n"
                    "kernel = 3\npad = 16777216\n"),
            "net.toml:5:5: error: layer 'c': its output elements per sample (m x e x f = "
            "4 x 33554438 x 33554438) exceed 2^50 = 1125899906842624" +
                hint);
  // Many operands: 2^24 x 2^24 x 1 elements x (2^24 - 1) adds overflows int64.
  EXPECT_EQ(ErrorOf("input = [16777216, 16777216, 1]\n[[layer]]\nname = \"a\"\n"
                    "kind = \"eltwise\"\nop = \"add\"\noperands = 16777216\n"),
            "net.toml:6:12: error: layer 'a': its operations per sample (c x h x w x (operands "
            "- 1) = 16777216 x 16777216 x 1 x 16777215) exceed 2^50 = 1125899906842624" +
                hint);
}

TEST(NetworkFileLimits, AtMost100000Layers) {
  const std::string hint =
      "\n  hint: a network has at most 100000 layers after blocks are expanded (see Limits in "
      "docs/network-format.md)";
  const std::string block =
      "input = [3, 8, 8]\n[block.b]\nlayer = [{ name = \"r\", kind = \"eltwise\", op = \"relu\" "
      "}, { name = \"g\", kind = \"eltwise\", op = \"gelu\" }]\n"
      "[[layer]]\nname = \"c\"\nkind = \"conv\"\nm = 3\n"
      "[[layer]]\nblock = \"b\"\nname = \"s\"\n";
  // repeat_out_of_memory.toml: rejected before any layer is built.
  EXPECT_EQ(ErrorOf(block + "repeat = 100000000\n"),
            "net.toml:11:10: error: s.repeat = 100000000 must be <= 100000\n"
            "  hint: see Limits in docs/network-format.md");
  // 1 + 2 x 50000 = 100001 layers.
  EXPECT_EQ(ErrorOf(block + "repeat = 50000\n"),
            "net.toml:11:10: error: s: 50000 x 2 layers of block \"b\" would make the network "
            "100001 layers long" +
                hint);
  // 1 + 2 x 49999 = 99999 layers parse.
  const Network n = ParseNetworkFile(block + "repeat = 49999\n", "net.toml");
  EXPECT_EQ(n.layers.size(), 99'999u);
  EXPECT_EQ(n.layers.back().name, "s.49998.g");
}

TEST(NetworkFileLimits, NetworkTotalsAtMost2To60) {
  // Each conv: m x e x f x c x r x s = 2^20 x 2^10 x 1 x 2^20 x 1 x 1 = 2^50 MACs, the most a
  // layer may have; the 1025th brings the sum to 1025 x 2^50 > 2^60.
  const std::string net =
      "input = [1048576, 1024, 1]\n[block.b]\n"
      "layer = [{ name = \"c\", kind = \"conv\", m = 1048576 }]\n"
      "[[layer]]\nblock = \"b\"\nname = \"s\"\nrepeat = ";
  EXPECT_EQ(ParseNetworkFile(net + "1024\n", "net.toml").macs(), std::int64_t{1} << 60);
  EXPECT_EQ(ErrorOf(net + "1025\n"),
            "net.toml:3:43: error: layer 's.1024.c': it brings the network's MACs per sample "
            "to 1154047404513689600, over 2^60 = 1152921504606846976\n"
            "  hint: a layer has at most 2^50 elements, weights, MACs and operations per "
            "sample, a network at most 2^60 in total (see Limits in docs/network-format.md)");
}

}  // namespace
}  // namespace trim::net
