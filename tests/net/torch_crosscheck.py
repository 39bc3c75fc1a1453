#!/usr/bin/python3
"""Cross-checks the built-in networks against reference models written in torch.nn.

The reference models below are written from the papers and torchvision's module structure
(torchvision itself is not a dependency); they are instantiated with random weights, run on one
sample under torch.no_grad(), and instrumented with forward hooks:
  - Conv2d / Linear / Matmul calls: shapes, window, stride, padding, groups, MACs, parameters;
  - BatchNorm2d / LayerNorm, ReLU / ReLU6 / GELU, pooling, residual adds and softmax: shapes.
Each category is compared, in execution order, with the layers printed by `net_dump`; totals
(MACs and torch's own parameter count, model.parameters()) are compared too.

Usage: torch_crosscheck.py NET_DUMP NETWORK [NETWORK...]
Exit status: 0 match, 1 mismatch, 77 torch not available (CTest skip).
"""

import json
import subprocess
import sys

try:
    import torch
    from torch import nn
except ImportError:  # pragma: no cover
    print("torch is not installed; skipping")
    sys.exit(77)


# ------------------------------------------------------------------ building blocks with hooks
class Matmul(nn.Module):
    """a @ b for activations (attention); hooked like Conv2d/Linear."""

    def forward(self, a, b):
        return torch.matmul(a, b)


class Add(nn.Module):
    """Residual add, a module so that a hook sees it."""

    def forward(self, a, b):
        return a + b


# ------------------------------------------------------------------ CNN reference models
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


class AlexNet(nn.Module):
    """grouped=True: Krizhevsky 2012 two-tower layout at 227; False: torchvision at 224."""

    def __init__(self, grouped):
        super().__init__()
        if grouped:
            w, g = (96, 256, 384, 384, 256), (1, 2, 1, 2, 2)
            pad1 = 0
        else:
            w, g = (64, 192, 384, 256, 256), (1, 1, 1, 1, 1)
            pad1 = 2
        self.features = nn.Sequential(
            nn.Conv2d(3, w[0], 11, 4, pad1, groups=g[0]), nn.ReLU(inplace=True),
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


class Vgg16(nn.Module):
    CFG = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
           512, 512, 512, "M"]

    def __init__(self):
        super().__init__()
        layers, cin = [], 3
        for v in self.CFG:
            if v == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(cin, v, 3, padding=1), nn.ReLU(inplace=True)]
                cin = v
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))  # identity at 224
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(), nn.Linear(4096, 1000))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


class Basic(nn.Module):
    expansion = 1

    def __init__(self, cin, width, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, width, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.add = Add()
        self.downsample = None
        if stride != 1 or cin != width:
            self.downsample = nn.Sequential(nn.Conv2d(cin, width, 1, stride, bias=False),
                                            nn.BatchNorm2d(width))

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        idt = x if self.downsample is None else self.downsample(x)
        return self.relu(self.add(out, idt))


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin, width, stride):
        super().__init__()
        out = width * 4
        self.conv1 = nn.Conv2d(cin, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride, 1, bias=False)  # v1.5
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, out, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out)
        self.relu = nn.ReLU(inplace=True)
        self.add = Add()
        self.downsample = None
        if stride != 1 or cin != out:
            self.downsample = nn.Sequential(nn.Conv2d(cin, out, 1, stride, bias=False),
                                            nn.BatchNorm2d(out))

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        idt = x if self.downsample is None else self.downsample(x)
        return self.relu(self.add(y, idt))


class ResNet(nn.Module):
    def __init__(self, block, counts):
        super().__init__()
        self.stem = nn.Sequential(*conv_bn_relu(3, 64, 7, 2, 3), nn.MaxPool2d(3, 2, 1))
        blocks, cin = [], 64
        for i, n in enumerate(counts):
            width = 64 * 2 ** i
            for j in range(n):
                blocks.append(block(cin, width, 2 if (i > 0 and j == 0) else 1))
                cin = width * block.expansion
        self.blocks = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(cin, 1000)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.blocks(self.stem(x))), 1))


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


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, t):
        super().__init__()
        hidden = cin * t
        layers = [] if t == 1 else conv_bn_relu(cin, hidden, 1, 1, 0, act=nn.ReLU6)
        layers += conv_bn_relu(hidden, hidden, 3, stride, 1, groups=hidden, act=nn.ReLU6)
        layers += [nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout)]
        self.conv = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout
        self.add = Add()

    def forward(self, x):
        return self.add(self.conv(x), x) if self.residual else self.conv(x)


class MobileNetV2(nn.Module):
    SETTINGS = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                (6, 160, 3, 2), (6, 320, 1, 1)]

    def __init__(self):
        super().__init__()
        layers, cin = conv_bn_relu(3, 32, 3, 2, 1, act=nn.ReLU6), 32
        for t, c, n, s in self.SETTINGS:
            for i in range(n):
                layers.append(InvertedResidual(cin, c, s if i == 0 else 1, t))
                cin = c
        layers += conv_bn_relu(cin, 1280, 1, 1, 0, act=nn.ReLU6)
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, 1000))

    def forward(self, x):
        return self.classifier(torch.flatten(self.pool(self.features(x)), 1))


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


# ------------------------------------------------------------------ transformer reference models
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
    """pre_ln=True: ViT/GPT-2 (LN before each sub-layer); False: BERT (LN after the add)."""

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


class Vit(nn.Module):
    def __init__(self, image=224):
        super().__init__()
        tokens = (image // 16) ** 2 + 1
        self.conv_proj = nn.Conv2d(3, 768, 16, 16)
        self.class_token = nn.Parameter(torch.zeros(1, 1, 768))
        self.pos_embedding = nn.Parameter(torch.zeros(1, tokens, 768))
        self.layers = nn.Sequential(*[Block(768, 12, 3072, True, True) for _ in range(12)])
        self.ln = nn.LayerNorm(768)
        self.head = nn.Linear(768, 1000)

    def forward(self, x):
        x = self.conv_proj(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.class_token.expand(x.shape[0], -1, -1), x], dim=1)
        x = self.ln(self.layers(x + self.pos_embedding))
        return self.head(x[:, 0])


# name -> (constructor, input)
def reference(name, seq):
    img = lambda s, c=3: torch.randn(1, c, s, s)
    ids = lambda vocab: torch.randint(0, vocab, (1, seq))
    table = {
        "lenet5": (LeNet5, lambda: img(32, 1)),
        "alexnet": (lambda: AlexNet(True), lambda: img(227)),
        "alexnet-tv": (lambda: AlexNet(False), lambda: img(224)),
        "vgg16": (Vgg16, lambda: img(224)),
        "resnet18": (lambda: ResNet(Basic, [2, 2, 2, 2]), lambda: img(224)),
        "resnet50": (lambda: ResNet(Bottleneck, [3, 4, 6, 3]), lambda: img(224)),
        "mobilenet-v1": (MobileNetV1, lambda: img(224)),
        "mobilenet-v2": (MobileNetV2, lambda: img(224)),
        "mlp-s": (lambda: Mlp([500, 250, 10]), lambda: torch.randn(1, 784)),
        "mlp-m": (lambda: Mlp([1000, 500, 250, 10]), lambda: torch.randn(1, 784)),
        "mlp-l": (lambda: Mlp([1500, 1000, 500, 10]), lambda: torch.randn(1, 784)),
        "vit-b16": (Vit, lambda: img(224)),
        "bert-base": (Bert, lambda: ids(30522)),
        "gpt2-small": (Gpt2, lambda: ids(50257)),
    }
    return table[name]


# ------------------------------------------------------------------ trace collection
def numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def torch_trace(model, x):
    """Runs one forward pass and returns {category: [record, ...]} in execution order."""
    rec = {k: [] for k in ("mac", "norm", "act", "pool", "add", "softmax")}

    def hook(mod, inp, out):
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
            groups = numel(a.shape[:-2])
            rows, k, n = a.shape[-2], a.shape[-1], b.shape[-1]
            rec["mac"].append(("matmul", groups, rows, k, n, groups * rows * k * n))
        elif isinstance(mod, (nn.BatchNorm2d, nn.LayerNorm)):
            op = "batchnorm" if isinstance(mod, nn.BatchNorm2d) else "layernorm"
            ch = mod.num_features if op == "batchnorm" else mod.normalized_shape[0]
            rec["norm"].append((op, ch, a.numel(), 2 * ch))
        elif isinstance(mod, (nn.ReLU, nn.ReLU6, nn.GELU)):
            rec["act"].append(("gelu" if isinstance(mod, nn.GELU) else "relu", out.numel()))
        elif isinstance(mod, (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d)):
            if isinstance(mod, nn.AdaptiveAvgPool2d) and out.shape == a.shape:
                return  # an identity (VGG's 7x7 adaptive pool at 224)
            kind = "max" if isinstance(mod, nn.MaxPool2d) else "avg"
            rec["pool"].append((kind,) + tuple(a.shape[1:]) + tuple(out.shape[2:]))
        elif isinstance(mod, Add):
            rec["add"].append((out.numel(),))
        elif isinstance(mod, nn.Softmax):
            rec["softmax"].append((out.numel(),))

    handles = [m.register_forward_hook(hook) for m in model.modules()]
    with torch.no_grad():
        model.eval()
        model(x)
    for h in handles:
        h.remove()
    return rec


def cpp_trace(net):
    rec = {k: [] for k in ("mac", "norm", "act", "pool", "add", "softmax")}
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


def compare(name, cpp, ref_model, ref_input):
    failures = []
    got = torch_trace(ref_model, ref_input)
    want = cpp_trace(cpp)
    for cat in want:
        a, b = want[cat], got[cat]
        if len(a) != len(b):
            failures.append(f"{cat}: {len(a)} layers in trim, {len(b)} in torch")
        for i, (x, y) in enumerate(zip(a, b)):
            if tuple(x) != tuple(y):
                failures.append(f"{cat}[{i}]: trim {x} != torch {y}")
    torch_macs = sum(r[-1] if r[0] == "matmul" else r[-2] for r in got["mac"])
    torch_params = sum(p.numel() for p in ref_model.parameters())  # shared weights once
    if torch_macs != cpp["macs"]:
        failures.append(f"total MACs: trim {cpp['macs']} != torch {torch_macs}")
    if torch_params != cpp["params"]:
        failures.append(f"total params: trim {cpp['params']} != torch {torch_params}")
    counts = ", ".join(f"{len(v)} {k}" for k, v in got.items())
    print(f"{name}: MACs {torch_macs:,}  params {torch_params:,}  ({counts})")
    return failures


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    torch.manual_seed(0)
    torch.set_num_threads(1)
    seq = 128
    dump = json.loads(subprocess.run([argv[1], "--seq", str(seq)] + argv[2:], check=True,
                                     capture_output=True, text=True).stdout)
    failures = []
    for net in dump:
        ctor, make_input = reference(net["name"], seq)
        model = ctor()
        for f in compare(net["name"], net, model, make_input()):
            failures.append(f"{net['name']}: {f}")
        del model
    for f in failures[:50]:
        print("MISMATCH", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
