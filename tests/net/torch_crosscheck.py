#!/usr/bin/python3
"""Cross-checks the built-in networks against torchvision's models and torch.nn references.

Reference models (random weights, one sample, torch.no_grad()):
  - torchvision.models with weights=None (Debian python3-torchvision) for every network
    torchvision has: alexnet-tv = alexnet, vgg16, resnet18, resnet50, mobilenet-v2 =
    mobilenet_v2, vit-b16 = vit_b_16;
  - models written below in torch.nn for the networks torchvision lacks: lenet5, the grouped
    two-tower alexnet, mobilenet-v1, bert-base, gpt2-small and the MLPs.
Every forward pass is recorded in execution order, by category:
  mac      Conv2d / Linear modules (forward hooks: shapes, window, stride, padding, groups, MACs,
           parameters), the attention products (the Matmul module below, or for torchvision's
           nn.MultiheadAttention the aten addmm / mm / bmm calls it executes, seen by a
           TorchDispatchMode while the module runs);
  norm     BatchNorm2d / LayerNorm; act: ReLU / ReLU6 / GELU (forward hooks);
  pool     aten max_pool2d / avg_pool2d / adaptive average pool / global mean (dispatch);
  add      residual adds: the Add module below, or in torchvision models (which add inline) every
           aten add of two activations of one shape (a parameter operand, such as ViT's position
           embedding, makes it the embedding add, which is not a residual);
  softmax  nn.Softmax, or the aten softmax inside nn.MultiheadAttention.
Each category is compared, one record at a time, with the layers printed by `net_dump`; the MAC
total and torch's own parameter count (model.parameters()) are compared with net_dump's totals.

Deliberate differences from torchvision, checked exactly rather than skipped:
  - alexnet-tv and vgg16: torchvision resamples the last feature map to 6x6 (AlexNet) or 7x7
    (VGG) with nn.AdaptiveAvgPool2d before the classifier; the built-ins flatten whatever size
    the features have (docs/networks.md). At 224x224 the pool is an identity and everything
    matches. At 256x256 (DIFFERENT_SIZES) the test expects exactly: one extra average pool
    (256x7x7 -> 6x6, or 512x8x8 -> 7x7) in torchvision, and a first classifier layer with
    c x 6 x 6 (c x 7 x 7) inputs instead of the flattened map, with MACs and parameters and so
    the totals differing by exactly that layer's difference.
  - vit-b16: nn.MultiheadAttention takes a fused native kernel in eval mode under no_grad, which
    hides its products from the dispatcher. The test puts the attention modules (and only them)
    in training mode, which selects the unfused path; their dropout is 0.0 (asserted), so the
    arithmetic is unchanged: in_proj (fused QKV, one addmm), Q*K^T (bmm), softmax, P*V (bmm),
    out_proj (addmm). The 1/sqrt(head_dim) scaling of Q is an element-wise division the
    built-in folds into the softmax; the class-token concatenation and the position-embedding
    add are the built-in's single "embeddings" layer. Neither is a recorded category.
  - torch.nn.TransformerEncoderLayer / TransformerDecoderLayer (ONNX cross-checks): in eval
    mode the encoder layer runs as one fused kernel; the layers are traced in training mode
    with all dropout 0.0 (asserted), and their functional residual adds and activations
    (aten add / relu / gelu, outside the attention) are recorded like torchvision's inline adds.

Usage: torch_crosscheck.py NET_DUMP NETWORK [NETWORK...]
Exit status: 0 match, 1 mismatch, 77 torch or torchvision not available (CTest skip).
"""

import json
import subprocess
import sys

try:
    import torch
    import torchvision
    from torch import nn
    from torch.utils._python_dispatch import TorchDispatchMode
except ImportError:  # pragma: no cover
    print("torch or torchvision is not installed; skipping")
    sys.exit(77)

aten = torch.ops.aten


# ------------------------------------------------------------------ building blocks with hooks
class Matmul(nn.Module):
    """a @ b for activations (attention); hooked like Conv2d/Linear."""

    def forward(self, a, b):
        return torch.matmul(a, b)


class Add(nn.Module):
    """Residual add, a module so that a hook sees it."""

    def forward(self, a, b):
        return a + b


# ------------------------------------------------------------------ CNNs torchvision lacks
def conv_bn_relu(cin, cout, k, stride, pad, groups=1, act=nn.ReLU):
    return [nn.Conv2d(cin, cout, k, stride, pad, groups=groups, bias=False),
            nn.BatchNorm2d(cout), act(inplace=True)]


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5), nn.ReLU(), nn.AvgPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.AvgPool2d(2))
        self.classifier = nn.Sequential(
            nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
            nn.Linear(84, 10))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


class AlexNetGrouped(nn.Module):
    """Krizhevsky 2012 two-tower layout at 227x227 (conv2, conv4, conv5 in two groups), as
    Eyeriss ran it. torchvision's alexnet is the single-tower variant (alexnet-tv)."""

    def __init__(self):
        super().__init__()
        w, g = (96, 256, 384, 384, 256), (1, 2, 1, 2, 2)
        self.features = nn.Sequential(
            nn.Conv2d(3, w[0], 11, 4, 0, groups=g[0]), nn.ReLU(inplace=True),
            nn.MaxPool2d(3, 2),
            nn.Conv2d(w[0], w[1], 5, 1, 2, groups=g[1]), nn.ReLU(inplace=True),
            nn.MaxPool2d(3, 2),
            nn.Conv2d(w[1], w[2], 3, 1, 1, groups=g[2]), nn.ReLU(inplace=True),
            nn.Conv2d(w[2], w[3], 3, 1, 1, groups=g[3]), nn.ReLU(inplace=True),
            nn.Conv2d(w[3], w[4], 3, 1, 1, groups=g[4]), nn.ReLU(inplace=True),
            nn.MaxPool2d(3, 2))
        self.classifier = nn.Sequential(
            nn.Dropout(), nn.Linear(w[4] * 36, 4096), nn.ReLU(inplace=True),
            nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, 1000))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


class MobileNetV1(nn.Module):
    PAIRS = [(1, 64), (2, 128), (1, 128), (2, 256), (1, 256), (2, 512)] + [(1, 512)] * 5 + \
            [(2, 1024), (1, 1024)]

    def __init__(self):
        super().__init__()
        layers, cin = conv_bn_relu(3, 32, 3, 2, 1), 32
        for stride, cout in self.PAIRS:
            layers += conv_bn_relu(cin, cin, 3, stride, 1, groups=cin)
            layers += conv_bn_relu(cin, cout, 1, 1, 0)
            cin = cout
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(1024, 1000)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.features(x)), 1))


class Mlp(nn.Module):
    def __init__(self, widths):
        super().__init__()
        layers, cin = [], 784
        for i, w in enumerate(widths):
            layers.append(nn.Linear(cin, w))
            if i + 1 < len(widths):
                layers.append(nn.ReLU())
            cin = w
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x)


# ------------------------------------------------------------------ transformers torchvision lacks
class SelfAttention(nn.Module):
    def __init__(self, d, heads, fused):
        super().__init__()
        self.heads, self.fused = heads, fused
        if fused:
            self.qkv = nn.Linear(d, 3 * d)
        else:
            self.q, self.k, self.v = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
        self.scores, self.context = Matmul(), Matmul()
        self.softmax = nn.Softmax(dim=-1)
        self.out = nn.Linear(d, d)

    def forward(self, x):
        b, t, d = x.shape
        if self.fused:
            q, k, v = self.qkv(x).split(d, dim=-1)
        else:
            q, k, v = self.q(x), self.k(x), self.v(x)
        split = lambda z: z.view(b, t, self.heads, d // self.heads).transpose(1, 2)
        q, k, v = split(q), split(k), split(v)
        p = self.softmax(self.scores(q, k.transpose(-1, -2)) / (d // self.heads) ** 0.5)
        ctx = self.context(p, v).transpose(1, 2).reshape(b, t, d)
        return self.out(ctx)


class Block(nn.Module):
    """pre_ln=True: GPT-2 (LN before each sub-layer); False: BERT (LN after the add)."""

    def __init__(self, d, heads, ffn, pre_ln, fused):
        super().__init__()
        self.pre_ln = pre_ln
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = SelfAttention(d, heads, fused)
        self.fc1, self.fc2 = nn.Linear(d, ffn), nn.Linear(ffn, d)
        self.gelu = nn.GELU()
        self.add1, self.add2 = Add(), Add()

    def forward(self, x):
        if self.pre_ln:
            x = self.add1(self.attn(self.ln1(x)), x)
            return self.add2(self.fc2(self.gelu(self.fc1(self.ln2(x)))), x)
        x = self.ln1(self.add1(self.attn(x), x))
        return self.ln2(self.add2(self.fc2(self.gelu(self.fc1(x))), x))


class Bert(nn.Module):
    def __init__(self):
        super().__init__()
        self.word = nn.Embedding(30522, 768)
        self.pos = nn.Embedding(512, 768)
        self.token_type = nn.Embedding(2, 768)
        self.ln = nn.LayerNorm(768)
        self.layers = nn.Sequential(*[Block(768, 12, 3072, False, False) for _ in range(12)])

    def forward(self, ids):
        t = ids.shape[1]
        x = self.word(ids) + self.pos(torch.arange(t)) + self.token_type(torch.zeros_like(ids))
        return self.layers(self.ln(x))


class Gpt2(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(50257, 768)
        self.wpe = nn.Embedding(1024, 768)
        self.layers = nn.Sequential(*[Block(768, 12, 3072, True, True) for _ in range(12)])
        self.ln_f = nn.LayerNorm(768)
        self.lm_head = nn.Linear(768, 50257, bias=False)
        self.lm_head.weight = self.wte.weight  # tied

    def forward(self, ids):
        x = self.wte(ids) + self.wpe(torch.arange(ids.shape[1]))
        return self.lm_head(self.ln_f(self.layers(x)))


# ------------------------------------------------------------------ the reference table
# Built-in name -> torchvision.models builder (called with weights=None) and image size.
TORCHVISION = {
    "alexnet-tv": ("alexnet", 224),
    "vgg16": ("vgg16", 224),
    "resnet18": ("resnet18", 224),
    "resnet50": ("resnet50", 224),
    "mobilenet-v2": ("mobilenet_v2", 224),
    "vit-b16": ("vit_b_16", 224),
}

# Built-in name -> (image size, torchvision's adaptive pool output) at which the documented
# difference of the classifier input is checked (see the module docstring).
DIFFERENT_SIZES = {"alexnet-tv": (256, 6), "vgg16": (256, 7)}

CATEGORIES = ("mac", "norm", "act", "pool", "add", "softmax")


def reference(name, seq):
    """(constructor, input maker) of the reference model of the built-in network NAME."""
    img = lambda s, c=3: torch.randn(1, c, s, s)
    if name in TORCHVISION:
        builder, size = TORCHVISION[name]
        return (lambda: getattr(torchvision.models, builder)(weights=None)), (lambda: img(size))
    ids = lambda vocab: torch.randint(0, vocab, (1, seq))
    table = {
        "lenet5": (LeNet5, lambda: img(32, 1)),
        "alexnet": (AlexNetGrouped, lambda: img(227)),
        "mobilenet-v1": (MobileNetV1, lambda: img(224)),
        "mlp-s": (lambda: Mlp([500, 250, 10]), lambda: torch.randn(1, 784)),
        "mlp-m": (lambda: Mlp([1000, 500, 250, 10]), lambda: torch.randn(1, 784)),
        "mlp-l": (lambda: Mlp([1500, 1000, 500, 10]), lambda: torch.randn(1, 784)),
        "bert-base": (Bert, lambda: ids(30522)),
        "gpt2-small": (Gpt2, lambda: ids(50257)),
    }
    return table[name]


def is_torchvision(model):
    return type(model).__module__.startswith("torchvision.")


# ------------------------------------------------------------------ trace collection
class OpRecorder(TorchDispatchMode):
    """Records, from the ATen operators PyTorch executes: every pooling call; in torchvision
    models the residual adds (written inline there); inside nn.MultiheadAttention (in_attention
    > 0) the products and the softmax."""

    def __init__(self, rec, param_ptrs, inline_adds):
        super().__init__()
        self.rec, self.param_ptrs, self.inline_adds = rec, param_ptrs, inline_adds
        self.in_attention = 0
        self.in_layer = 0  # inside nn.TransformerEncoderLayer / DecoderLayer (functional ops)

    def pool(self, kind, x, y):
        self.rec["pool"].append((kind,) + tuple(x.shape[1:]) + tuple(y.shape[2:]))

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        op = func.overloadpacket
        if op is aten.max_pool2d_with_indices:
            self.pool("max", args[0], out[0])
        elif op is aten.avg_pool2d:
            self.pool("avg", args[0], out)
        elif op is aten._adaptive_avg_pool2d:
            if out.shape != args[0].shape:  # 6x6 / 7x7 on a 6x6 / 7x7 map is no layer
                self.pool("avg", args[0], out)
        elif op is aten.mean and len(args) > 1 and args[0].dim() == 4 and \
                sorted(d % 4 for d in args[1]) == [2, 3]:
            self.pool("avg", args[0], out)  # adaptive pool to 1x1 runs as a spatial mean
        elif self.in_attention:
            self.attention(op, args, out)
        elif self.in_layer and op in (aten.relu, aten.relu_, aten.gelu):
            self.rec["act"].append(("gelu" if op is aten.gelu else "relu", out.numel()))
        elif (self.inline_adds or self.in_layer) and op in (aten.add, aten.add_):
            a, b = args[0], args[1]
            if isinstance(b, torch.Tensor) and a.dim() >= 2 and a.shape == b.shape and \
                    a.data_ptr() not in self.param_ptrs and b.data_ptr() not in self.param_ptrs:
                self.rec["add"].append((out.numel(),))
        return out

    def attention(self, op, args, out):
        if op in (aten.addmm, aten.mm):  # in_proj (fused QKV) and out_proj, per token
            a, b = (args[1], args[2]) if op is aten.addmm else (args[0], args[1])
            (rows, k), n = a.shape, b.shape[1]
            params = k * n + (args[0].numel() if op is aten.addmm else 0)
            self.rec["mac"].append(("fc", k, rows, n, rows * k * n, params))
        elif op in (aten.bmm, aten.baddbmm):  # Q*K^T and P*V, one group per head
            a, b = (args[0], args[1]) if op is aten.bmm else (args[1], args[2])
            (groups, rows, k), n = a.shape, b.shape[2]
            self.rec["mac"].append(("matmul", groups, rows, k, n, groups * rows * k * n))
        elif op is aten._softmax:
            self.rec["softmax"].append((out.numel(),))


def torch_trace(model, x):
    """Runs one forward pass and returns {category: [record, ...]} in execution order."""
    rec = {k: [] for k in CATEGORIES}
    recorder = OpRecorder(rec, {p.data_ptr() for p in model.parameters()},
                          is_torchvision(model))

    def hook(mod, inp, out):
        if not inp:  # nn.MultiheadAttention is called with keyword arguments only
            return
        a = inp[0]
        if isinstance(mod, nn.Conv2d):
            _, c, h, w = a.shape
            _, m, e, f = out.shape
            r, s = mod.kernel_size
            params = mod.weight.numel() + (mod.bias.numel() if mod.bias is not None else 0)
            macs = m * e * f * (c // mod.groups) * r * s
            rec["mac"].append(("conv", c, h, w, m, e, f, r, s, mod.stride[0], mod.padding[0],
                               mod.groups, macs, params))
        elif isinstance(mod, nn.Linear):
            tokens = a.numel() // mod.in_features
            params = mod.weight.numel() + (mod.bias.numel() if mod.bias is not None else 0)
            rec["mac"].append(("fc", mod.in_features, tokens, mod.out_features,
                               tokens * mod.in_features * mod.out_features, params))
        elif isinstance(mod, Matmul):
            b = inp[1]
            groups = a.numel() // (a.shape[-2] * a.shape[-1])
            rows, k, n = a.shape[-2], a.shape[-1], b.shape[-1]
            rec["mac"].append(("matmul", groups, rows, k, n, groups * rows * k * n))
        elif isinstance(mod, (nn.BatchNorm2d, nn.LayerNorm)):
            op = "batchnorm" if isinstance(mod, nn.BatchNorm2d) else "layernorm"
            ch = mod.num_features if op == "batchnorm" else mod.normalized_shape[0]
            rec["norm"].append((op, ch, a.numel(), 2 * ch))
        elif isinstance(mod, (nn.ReLU, nn.ReLU6, nn.GELU)):
            rec["act"].append(("gelu" if isinstance(mod, nn.GELU) else "relu", out.numel()))
        elif isinstance(mod, Add):
            rec["add"].append((out.numel(),))
        elif isinstance(mod, nn.Softmax):
            rec["softmax"].append((out.numel(),))

    def enter_attention(mod, inp):
        recorder.in_attention += 1

    def leave_attention(mod, inp, out):
        recorder.in_attention -= 1

    def enter_layer(mod, inp):
        recorder.in_layer += 1

    def leave_layer(mod, inp, out):
        recorder.in_layer -= 1

    model.eval()
    handles = []
    for m in model.modules():
        handles.append(m.register_forward_hook(hook))
        if type(m).__name__ in ("ShiftedWindowAttention", "ShiftedWindowAttentionV2"):
            # torchvision's Swin attention is functional (F.linear, matmul, softmax inside).
            handles += [m.register_forward_pre_hook(enter_attention),
                        m.register_forward_hook(leave_attention)]
        if isinstance(m, nn.MultiheadAttention):
            if m.dropout != 0.0:
                raise ValueError("attention dropout must be 0 to count the unfused path")
            m.train()  # the unfused path, whose products the dispatcher sees (docstring)
            handles += [m.register_forward_pre_hook(enter_attention),
                        m.register_forward_hook(leave_attention)]
        if isinstance(m, (nn.TransformerEncoderLayer, nn.TransformerDecoderLayer)):
            if any(d.p != 0.0 for d in m.modules() if isinstance(d, nn.Dropout)):
                raise ValueError("transformer layer dropout must be 0 to trace the unfused path")
            m.train()  # eval mode takes a fused kernel for the whole layer (docstring)
            handles += [m.register_forward_pre_hook(enter_layer),
                        m.register_forward_hook(leave_layer)]
    try:
        with torch.no_grad(), recorder:
            model(x)
    finally:
        for h in handles:
            h.remove()
        model.eval()
    return rec


def cpp_trace(net):
    rec = {k: [] for k in CATEGORIES}
    for l in net["layers"]:
        kind, op = l["kind"], l["op"]
        if kind == "conv":
            rec["mac"].append(("conv", l["c"], l["h"], l["w"], l["m"], l["e"], l["f"], l["r"],
                               l["s"], l["stride"], l["pad"], l["groups"], l["macs"],
                               l["params"]))
        elif kind == "fc":
            rec["mac"].append(("fc", l["c"], l["h"] * l["w"], l["m"], l["macs"], l["params"]))
        elif kind == "matmul":
            g = l["groups"]
            rec["mac"].append(("matmul", g, l["h"], l["c"] // g, l["m"] // g, l["macs"]))
        elif kind == "pool":
            rec["pool"].append((op, l["c"], l["h"], l["w"], l["e"], l["f"]))
        elif op in ("batchnorm", "layernorm"):
            rec["norm"].append((op, l["c"], l["in"], l["params"]))
        elif op in ("relu", "gelu"):
            rec["act"].append((op, l["out"]))
        elif op == "add" and l["num_inputs"] == 2 and len(l["inputs"]) == 2:
            rec["add"].append((l["out"],))
        elif op == "softmax":
            rec["softmax"].append((l["out"],))
    return rec


def with_adaptive_pool(out_size):
    """Turns a built-in trace into what torchvision computes with its adaptive average pool to
    out_size x out_size: one more average pool after the last pooling layer, and the first
    fully connected layer reading c x out_size x out_size values instead of the flattened map.
    Returns the patched trace and the MAC and parameter totals changed by exactly that layer."""

    def patch(rec, macs, params):
        _, c, _, _, e, f = rec["pool"][-1]
        rec["pool"].append(("avg", c, e, f, out_size, out_size))
        i = next(i for i, r in enumerate(rec["mac"]) if r[0] == "fc")
        _, cin, tokens, m, old_macs, old_params = rec["mac"][i]
        cin_tv = c * out_size * out_size
        macs_tv, params_tv = tokens * cin_tv * m, old_params - cin * m + cin_tv * m
        rec["mac"][i] = ("fc", cin_tv, tokens, m, macs_tv, params_tv)
        return rec, macs - old_macs + macs_tv, params - old_params + params_tv

    return patch


def compare(name, cpp, ref_model, ref_input, expect=None):
    """Mismatches between net_dump's network CPP and the reference model's trace. EXPECT, if
    given, maps (built-in trace, MACs, params) to what the reference is known to compute."""
    failures = []
    got = torch_trace(ref_model, ref_input)
    want, want_macs, want_params = cpp_trace(cpp), cpp["macs"], cpp["params"]
    if expect:
        want, want_macs, want_params = expect(want, want_macs, want_params)
    for cat in CATEGORIES:
        a, b = want[cat], got[cat]
        if len(a) != len(b):
            failures.append(f"{cat}: {len(a)} layers in trim, {len(b)} in torch")
        for i, (x, y) in enumerate(zip(a, b)):
            if tuple(x) != tuple(y):
                failures.append(f"{cat}[{i}]: trim {x} != torch {y}")
    torch_macs = sum(r[-1] if r[0] == "matmul" else r[-2] for r in got["mac"])
    torch_params = sum(p.numel() for p in ref_model.parameters())  # shared weights once
    if torch_macs != want_macs:
        failures.append(f"total MACs: trim {want_macs} != torch {torch_macs}")
    if torch_params != want_params:
        failures.append(f"total params: trim {want_params} != torch {torch_params}")
    counts = ", ".join(f"{len(v)} {k}" for k, v in got.items())
    source = "torchvision" if is_torchvision(ref_model) else "torch.nn"
    print(f"{name} ({source}): MACs {torch_macs:,}  params {torch_params:,}  ({counts})")
    return failures


def net_dump(tool, args):
    return json.loads(subprocess.run([tool] + args, check=True, capture_output=True,
                                     text=True).stdout)


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    torch.manual_seed(0)
    torch.set_num_threads(1)
    seq = 128
    failures = []
    for net in net_dump(argv[1], ["--seq", str(seq)] + argv[2:]):
        name = net["name"]
        ctor, make_input = reference(name, seq)
        model = ctor()
        failures += [f"{name}: {f}" for f in compare(name, net, model, make_input())]
        if name in DIFFERENT_SIZES:
            size, pooled = DIFFERENT_SIZES[name]
            other = net_dump(argv[1], ["--image", str(size), name])[0]
            failures += [f"{name} at {size}x{size}: {f}" for f in
                         compare(f"{name} at {size}x{size}", other, model,
                                 torch.randn(1, 3, size, size), with_adaptive_pool(pooled))]
        del model
    for f in failures[:50]:
        print("MISMATCH", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
