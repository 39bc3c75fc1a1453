// Transformers and multi-layer perceptrons of the zoo. Activations use the token layout
// (c = hidden width, h = tokens, w = 1). Attention is written out: Q*K^T and P*V are kMatmul
// layers with groups = heads (see layer.hpp), the softmax is row-wise over the keys (w), the
// 1/sqrt(d) scale is folded into the softmax, and dropout is not modelled. Dense attention is
// counted in full (a causal mask does not halve the MACs on dense hardware).
#include <array>
#include <span>
#include <string>
#include <utility>

#include "builder.hpp"
#include "zoo_internal.hpp"

namespace trim::net::internal {
namespace {

using std::to_string;

struct EncoderShape {
  std::int64_t hidden = 768;
  std::int64_t heads = 12;
  std::int64_t ffn = 3072;
};

// Multi-head self-attention on x (hidden x tokens). `qkv` is one fused projection (ViT,
// GPT-2) or three separate ones (BERT). Returns the output projection's activation.
Act Attention(NetBuilder& b, const std::string& p, Act x, const EncoderShape& sh, bool fused_qkv,
              const std::string& qkv_name, const std::string& out_name) {
  const std::int64_t t = x.h;
  const std::int64_t d = sh.hidden / sh.heads;
  Act q;
  Act k;
  Act v;
  if (fused_qkv) {
    q = k = v = b.Fc(p + qkv_name, x, 3 * sh.hidden);
  } else {
    q = b.Fc(p + "query", x, sh.hidden);
    k = b.Fc(p + "key", x, sh.hidden);
    v = b.Fc(p + "value", x, sh.hidden);
  }
  Act s = b.Matmul(p + "scores", q, k, sh.heads, t, d, t);
  s = b.EltView(p + "softmax", s, EltOp::kSoftmax, sh.heads, t, t);
  Act ctx = b.Matmul(p + "context", s, v, sh.heads, t, t, d);
  return b.Fc(p + out_name, ctx, sh.hidden);
}

// Layer names of a pre-LN block, as the reference implementation spells them.
struct PreLnNames {
  std::string qkv, out, fc1, fc2;
};

// One pre-LN transformer block with fused QKV (ViT, GPT-2): x + Attn(LN(x)), then
// x + MLP(LN(x)) with a GELU feed-forward of width sh.ffn.
Act PreLnBlock(NetBuilder& b, const std::string& p, Act x, const EncoderShape& sh,
               const PreLnNames& n) {
  Act y = b.Elt(p + "ln_1", x, EltOp::kLayerNorm);
  y = Attention(b, p + "attn.", y, sh, true, n.qkv, n.out);
  x = b.Add(p + "add_1", y, x);
  y = b.Elt(p + "ln_2", x, EltOp::kLayerNorm);
  y = b.Fc(p + "mlp." + n.fc1, y, sh.ffn);
  y = b.Elt(p + "mlp.gelu", y, EltOp::kGelu);
  y = b.Fc(p + "mlp." + n.fc2, y, sh.hidden);
  return b.Add(p + "add_2", y, x);
}

}  // namespace

// ViT-B/16 (Dosovitskiy et al. 2021) with torchvision's structure: 16x16 patch embedding as a
// strided convolution, a class token and learned position embeddings (counted as parameters of
// the "embeddings" add over image_size^2/256 + 1 tokens), 12 pre-LN encoder layers with fused
// QKV, a final layer norm, and a linear head on the class token.
Network VitB16(std::int64_t image) {
  const EncoderShape sh;
  NetBuilder b("vit-b16", "");
  Act x = NetBuilder::Input(3, image, image);
  x = NetBuilder::ToTokens(b.Conv("conv_proj", x, sh.hidden, 16, 16, 0, 1, true));
  const std::int64_t tokens = x.h + 1;
  x = b.TableAdd("embeddings", x, sh.hidden, tokens, 2, (tokens + 1) * sh.hidden);
  for (int i = 0; i < 12; ++i) {
    x = PreLnBlock(b, "encoder." + to_string(i) + ".", x, sh, {"qkv", "out_proj", "fc1", "fc2"});
  }
  x = b.Elt("encoder.ln", x, EltOp::kLayerNorm);
  b.Fc("head", Act{x.id, sh.hidden, 1, 1}, 1000);
  return std::move(b).Finish();
}

// BERT-base encoder (Devlin et al. 2019): word (30522), position (512) and token-type (2)
// embeddings summed and layer-normed, then 12 post-LN layers with separate Q/K/V projections
// and a 3072-wide GELU feed-forward. The pooler and task heads are not part of the encoder.
Network BertBase(std::int64_t seq_len) {
  const EncoderShape sh;
  constexpr std::int64_t kVocab = 30522;
  constexpr std::int64_t kPositions = 512;
  constexpr std::int64_t kTypes = 2;
  NetBuilder b("bert-base", "");
  Act x = b.TableAdd("embeddings", NetBuilder::Input(1, seq_len, 1), sh.hidden, seq_len, 3,
                     (kVocab + kPositions + kTypes) * sh.hidden);
  x = b.Elt("embeddings.ln", x, EltOp::kLayerNorm);
  for (int i = 0; i < 12; ++i) {
    const std::string p = "encoder." + to_string(i) + ".";
    Act y = Attention(b, p + "attn.", x, sh, false, "", "out");
    x = b.Add(p + "attn.add", y, x);
    x = b.Elt(p + "attn.ln", x, EltOp::kLayerNorm);
    y = b.Fc(p + "ffn.fc1", x, sh.ffn);
    y = b.Elt(p + "ffn.gelu", y, EltOp::kGelu);
    y = b.Fc(p + "ffn.fc2", y, sh.hidden);
    x = b.Add(p + "ffn.add", y, x);
    x = b.Elt(p + "ffn.ln", x, EltOp::kLayerNorm);
  }
  return std::move(b).Finish();
}

// GPT-2 small (Radford et al. 2019): token (50257) and position (1024) embeddings, 12 pre-LN
// decoder layers with fused QKV, a final layer norm, and the LM head, which is always included
// (training computes the loss over the vocabulary). The LM head shares its weights with the
// token embedding, so those 38.6 M parameters are counted once, at the LM head.
Network Gpt2Small(std::int64_t seq_len) {
  const EncoderShape sh;
  constexpr std::int64_t kVocab = 50257;
  constexpr std::int64_t kPositions = 1024;
  NetBuilder b("gpt2-small", "");
  Act x = b.TableAdd("embeddings", NetBuilder::Input(1, seq_len, 1), sh.hidden, seq_len, 2,
                     kPositions * sh.hidden);
  for (int i = 0; i < 12; ++i) {
    x = PreLnBlock(b, "h." + to_string(i) + ".", x, sh, {"c_attn", "c_proj", "c_fc", "c_proj"});
  }
  x = b.Elt("ln_f", x, EltOp::kLayerNorm);
  b.Fc("lm_head", x, kVocab, false);
  return std::move(b).Finish();
}

// MLP-S/M/L as used by PRIME (Chi et al., ISCA 2016) and TETRIS: 784 inputs (MNIST), biased
// fully connected layers with ReLU between them.
Network Mlp(MlpSize size) {
  static constexpr std::array<std::int64_t, 3> kS = {500, 250, 10};
  static constexpr std::array<std::int64_t, 4> kM = {1000, 500, 250, 10};
  static constexpr std::array<std::int64_t, 4> kL = {1500, 1000, 500, 10};
  std::span<const std::int64_t> widths = kS;
  std::string name = "mlp-s";
  if (size == MlpSize::kM) {
    widths = kM;
    name = "mlp-m";
  } else if (size == MlpSize::kL) {
    widths = kL;
    name = "mlp-l";
  }
  NetBuilder b(std::move(name), "");
  Act x = NetBuilder::Input(784, 1, 1);
  for (std::size_t i = 0; i < widths.size(); ++i) {
    x = b.Fc("fc" + to_string(i + 1), x, widths[i]);
    if (i + 1 < widths.size()) x = b.Elt("relu" + to_string(i + 1), x, EltOp::kRelu);
  }
  return std::move(b).Finish();
}

}  // namespace trim::net::internal
