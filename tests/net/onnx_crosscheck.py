#!/usr/bin/python3
"""Cross-checks the ONNX importer against torch and against the built-in networks.

For one model name, this script
  1. builds the model with random weights: torchvision's resnet18 and mobilenet_v2
     (torchvision.models, weights=None, so nothing is downloaded), torchvision's
     VisionTransformer and SwinTransformer classes at small sizes, torch.nn's
     TransformerEncoder (both layouts) and TransformerDecoder, or the small transformer
     defined below, and exports it in eval mode with torch.onnx.export into OUT_DIR (nothing is
     committed), keeping BatchNormalization nodes (TrainingMode.PRESERVE);
  2. checks that the exported graph contains the operators the case is meant to exercise;
  3. imports the file with `onnx_dump` (the C++ importer) and compares
       - every layer, field by field (kind, op, shapes, window, groups, MACs, parameters and
         producers), with the built-in network of the same architecture printed by `net_dump`;
       - every convolution, linear layer, attention matmul, normalization, activation,
         pooling layer, residual add and softmax, and the MAC and parameter totals, with what
         torch records while running the same model (torch_crosscheck.compare).

Usage: onnx_crosscheck.py ONNX_DUMP NET_DUMP OUT_DIR MODEL
MODEL: resnet18 | mobilenet_v2 | transformer | transformer17 | encoder_seq_first |
       encoder_batch_first | encoder_seq_first_dynamic | decoder | vit | swin |
       convnext | einsum
einsum exports a small module written with torch.einsum (the form of maxvit_t's attention)
and checks every product layer against hand-derived shapes and torch's executed MACs, and that
an equation that is not a matrix product is rejected with exit 2 naming the equation.
Exit status: 0 match, 1 mismatch, 77 torch, torchvision or onnx not available (CTest skip).
"""

import json
import os
import subprocess
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import torch
    import torchvision
    from torch import nn
    import onnx
except ImportError:  # pragma: no cover
    print("torch, torchvision or onnx is not installed; skipping")
    sys.exit(77)

import torch_crosscheck as tc  # noqa: E402  (reference models and the torch-side trace)


class TinyEncoder(nn.Module):
    """A small transformer encoder: token and position embeddings, one pre-LN block with a fused
    QKV projection, one post-LN block with separate Q/K/V projections, a final layer norm and a
    classifier on the first token. Sizes are small so that the export stays fast."""

    VOCAB, SEQ, WIDTH, HEADS, FFN, CLASSES = 1000, 32, 96, 4, 384, 10

    def __init__(self):
        super().__init__()
        d = self.WIDTH
        self.tokens = nn.Embedding(self.VOCAB, d)
        self.position = nn.Parameter(torch.randn(1, self.SEQ, d) * 0.02)
        self.pre = tc.Block(d, self.HEADS, self.FFN, pre_ln=True, fused=True)
        self.post = tc.Block(d, self.HEADS, self.FFN, pre_ln=False, fused=False)
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, self.CLASSES)

    def forward(self, ids):
        x = self.tokens(ids) + self.position
        x = self.norm(self.post(self.pre(x)))
        return self.head(x[:, 0])


def image(size):
    return torch.randn(1, 3, size, size)


# torch.nn's own transformer stacks (dropout 0 so that the traced training-mode path computes
# what eval computes). Sizes are small so that the exports stay fast.
WIDTH, HEADS, FFN, TOKENS, MEMORY = 64, 4, 128, 10, 7


def encoder(batch_first, activation="relu"):
    layer = nn.TransformerEncoderLayer(WIDTH, HEADS, FFN, dropout=0.0, batch_first=batch_first,
                                       activation=activation)
    return nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)


class Decoder(nn.Module):
    """nn.TransformerDecoder (sequence-first): self-attention over the targets and
    cross-attention to a memory of another length."""

    def __init__(self):
        super().__init__()
        layer = nn.TransformerDecoderLayer(WIDTH, HEADS, FFN, dropout=0.0)
        self.decoder = nn.TransformerDecoder(layer, 2)

    def forward(self, target, memory):
        return self.decoder(target, memory)


def vit():
    """torchvision's VisionTransformer class (the code of vit_b_16) at a small size."""
    from torchvision.models.vision_transformer import VisionTransformer
    return VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=4,
                             hidden_dim=64, mlp_dim=128, num_classes=10)


def swin():
    """torchvision's SwinTransformer class (the code of swin_t) at a small size: two stages,
    the second block of each with shifted windows (Roll as Slice + Concat, the mask built with
    Mod and ScatterND), one patch merging."""
    from torchvision.models.swin_transformer import SwinTransformer
    return SwinTransformer(patch_size=[4, 4], embed_dim=24, depths=[2, 2], num_heads=[2, 4],
                           window_size=[4, 4], num_classes=10)


def convnext():
    """torchvision's ConvNeXt class (the code of convnext_tiny) at a small size: two blocks in
    the first stage whose layer scales are equal at initialisation (1e-6), so the exporter
    stores one and makes the other an Identity of it; both must be counted."""
    from torchvision.models.convnext import ConvNeXt, CNBlockConfig
    return ConvNeXt([CNBlockConfig(16, 32, 2), CNBlockConfig(32, None, 1)], num_classes=10)


class EinsumAttention(nn.Module):
    """Products written with torch.einsum: a projection by a weight, Q*K^T with transposed
    operands and two batch labels, P*V with an ellipsis, and a product whose batch axis
    broadcasts (one operand has a single head)."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(8, 12))

    def forward(self, x):  # x: [1, 6, 8]
        q = torch.einsum("bsd,de->bse", x, self.weight).reshape(1, 6, 3, 4)
        scores = torch.einsum("bihd,bjhd->bhij", q, q)       # [1, 3, 6, 6]
        v = q.permute(0, 2, 1, 3)                             # [1, 3, 6, 4]
        out = torch.einsum("...ij,...jd->...id", scores.softmax(-1), v)  # [1, 3, 6, 4]
        shared = x[:, :4, :5].unsqueeze(1)                    # [1, 1, 4, 5], one "head"
        return torch.einsum("...ij,...jk->...ik", out, shared)  # [1, 3, 6, 5]


class EinsumReduction(nn.Module):
    """An equation that sums a label over one operand only: not a matrix product."""

    def forward(self, x):  # x: [1, 6, 8]
        return torch.einsum("bij,bkj->bi", x, x * 2)


class MacCount(torch.utils._python_dispatch.TorchDispatchMode):
    """The multiply-accumulates of the matrix products torch executes (einsum runs as bmm)."""

    def __init__(self):
        super().__init__()
        self.macs = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        aten = torch.ops.aten
        if func.overloadpacket is aten.bmm:
            self.macs += args[0].shape[0] * args[0].shape[1] * args[0].shape[2] * args[1].shape[2]
        elif func.overloadpacket is aten.mm:
            self.macs += args[0].shape[0] * args[0].shape[1] * args[1].shape[1]
        return out


def check_einsum(onnx_dump, out_dir):
    model, x = EinsumAttention(), torch.randn(1, 6, 8)
    path = os.path.join(out_dir, "einsum.onnx")
    export(model, x, path, 17, None)
    equations = [a.s.decode() for n in onnx.load(path).graph.node if n.op_type == "Einsum"
                 for a in n.attribute if a.name == "equation"]
    print(f"einsum: exported {path} with equations {equations}")
    failures = [] if len(equations) == 4 else [f"{len(equations)} Einsum nodes, 4 expected"]
    imported = run_json(onnx_dump, [path])
    got = [(l["kind"], l["groups"], l["h"], l["c"] // l["groups"], l["m"] // l["groups"],
            l["macs"]) for l in imported["layers"] if l["kind"] in ("fc", "matmul")]
    # (kind, groups, rows, inner, columns, MACs), derived from the shapes in forward():
    #   x[6 tokens, 8] * W[8, 12]: 6 rows of 8 -> 12, 6 * 8 * 12 = 576
    #   Q*K^T per head: 3 heads of [6, 4] x [4, 6], 3 * 6 * 4 * 6 = 432
    #   P*V per head: 3 heads of [6, 6] x [6, 4], 432
    #   out * shared: 3 heads of [6, 4] x [4, 5], the single-head operand broadcast, 360
    want = [("fc", 1, 6, 8, 12, 576), ("matmul", 3, 6, 4, 6, 432),
            ("matmul", 3, 6, 6, 4, 432), ("matmul", 3, 6, 4, 5, 360)]
    if got != want:
        failures.append(f"product layers {got} != {want}")
    counter = MacCount()
    with torch.no_grad(), counter:
        model(x)
    if imported["macs"] != counter.macs or counter.macs != 1800:
        failures.append(f"MACs: imported {imported['macs']}, torch {counter.macs}, derived 1800")
    if imported["params"] != 8 * 12:
        failures.append(f"params: imported {imported['params']} != 96 (the 8 x 12 weight)")
    print(f"imported: MACs {imported['macs']:,} (torch {counter.macs:,}), "
          f"params {imported['params']}")

    bad = os.path.join(out_dir, "einsum_reduction.onnx")
    export(EinsumReduction(), x, bad, 17, None)
    out = subprocess.run([onnx_dump, bad], capture_output=True, text=True)
    print(f"reduction: exit {out.returncode}: {out.stderr.strip()}")
    for text in ("Einsum", "equation 'bij,bkj->bi'", "sums label 'k'", "torch.matmul"):
        if text not in out.stderr:
            failures.append(f"the rejection of bij,bkj->bi does not say {text!r}")
    if out.returncode != 2:
        failures.append(f"the rejection exits {out.returncode}, not 2")
    return failures


def swin_bias_tables(model):
    """Elements of Swin's relative-position bias tables. The exporter's constant folding
    replaces each table lookup by its result (an 'onnx::' constant of heads x N x N), so the
    import cannot see the table: the folded export has exactly these parameters fewer."""
    return sum(p.numel() for n, p in model.named_parameters()
               if n.endswith("relative_position_bias_table"))


# name -> (constructor, example input, built-in network or None, opset, dynamic axes,
#          operators the export must contain)
CASES = {
    "resnet18": (lambda: torchvision.models.resnet18(weights=None), lambda: image(224),
                 "resnet18", 13, None,
                 {"Conv", "BatchNormalization", "MaxPool", "Add", "GlobalAveragePool", "Flatten",
                  "Gemm"}),
    "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(weights=None), lambda: image(224),
                     "mobilenet-v2", 13, None,
                     {"Conv", "BatchNormalization", "Clip", "Add", "GlobalAveragePool", "Gemm"}),
    "transformer": (TinyEncoder, lambda: torch.randint(0, TinyEncoder.VOCAB, (1, TinyEncoder.SEQ)),
                    None, 13, None,
                    {"Gather", "MatMul", "ReduceMean", "Pow", "Sqrt", "Erf", "Split", "Reshape",
                     "Transpose", "Softmax", "Gemm"}),
    # opset 17 has LayerNormalization; the batch axis is dynamic, so reshapes are computed
    # from Shape nodes at run time and must be folded by the importer.
    "transformer17": (TinyEncoder,
                      lambda: torch.randint(0, TinyEncoder.VOCAB, (1, TinyEncoder.SEQ)),
                      None, 17, {"input": {0: "batch"}},
                      {"LayerNormalization", "Erf", "Shape", "MatMul", "Softmax"}),
    # nn.MultiheadAttention in both layouts, inside nn.TransformerEncoder. Sequence-first
    # inputs are [tokens, 1, features]; the batch-first one runs the same attention code,
    # which moves the batch to axis 1 and folds it into the heads.
    "encoder_seq_first": (lambda: encoder(False), lambda: torch.randn(TOKENS, 1, WIDTH), None,
                          13, None, {"MatMul", "Softmax", "Transpose", "Gemm", "Relu"}),
    "encoder_batch_first": (lambda: encoder(True, "gelu"),
                            lambda: torch.randn(1, TOKENS, WIDTH), None, 13, None,
                            {"MatMul", "Softmax", "Transpose", "Erf"}),
    # A dynamic batch axis named 'batch' in the sequence-first position.
    "encoder_seq_first_dynamic": (lambda: encoder(False), lambda: torch.randn(TOKENS, 1, WIDTH),
                                  None, 17, {"input": {1: "batch"}},
                                  {"LayerNormalization", "MatMul", "Softmax", "Shape"}),
    "decoder": (Decoder, lambda: (torch.randn(MEMORY, 1, WIDTH), torch.randn(TOKENS, 1, WIDTH)),
                None, 13, None, {"MatMul", "Softmax", "Gemm"}),
    "vit": (vit, lambda: image(32), None, 13, None,
            {"Conv", "Concat", "MatMul", "Softmax", "Erf", "Gemm"}),
    "convnext": (convnext, lambda: image(32), None, 17, None,
                 {"Conv", "Identity", "LayerNormalization", "Mul", "Add", "Erf"}),
    "swin": (swin, lambda: image(32), None, 13, None,
             {"Mod", "ScatterND", "Slice", "Concat", "Pad", "MatMul", "Softmax"}),
}

# Fields of a layer that must agree with the built-in network (everything but the name).
FIELDS = ("kind", "op", "c", "h", "w", "m", "e", "f", "r", "s", "stride", "pad", "groups",
          "num_inputs", "macs", "params", "weights", "in", "out", "inputs")


def export(model, example, path, opset, dynamic, fold=True):
    model.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, example, path, opset_version=opset, do_constant_folding=fold,
                          training=torch.onnx.TrainingMode.PRESERVE,  # keep BatchNormalization
                          input_names=["input"], output_names=["output"],
                          dynamic_axes=dynamic)


def run_json(tool, args):
    out = subprocess.run([tool] + args, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{os.path.basename(tool)} {' '.join(args)} failed:\n{out.stderr}")
    return json.loads(out.stdout)[0]


def producers(layer):
    """The producers of a layer; as a set for a commutative element-wise op. torchvision's
    MobileNetV2 writes its residual as x + branch(x), so the export lists the skip first, while
    the built-in (like torchvision's ResNet, out += identity) lists the branch first. The model
    treats an add's producers as a set (LayerProducers); a matmul's order is kept."""
    if layer["kind"] == "eltwise" and layer["op"] in ("add", "mul"):
        return sorted(layer["inputs"])
    return layer["inputs"]


def compare_builtin(imported, builtin):
    failures = []
    a, b = imported["layers"], builtin["layers"]
    if len(a) != len(b):
        failures.append(f"{len(a)} layers imported, {len(b)} in the built-in")
    for i, (x, y) in enumerate(zip(a, b)):
        diff = [f"{k} {x[k]} != {y[k]}" for k in FIELDS if k != "inputs" and x[k] != y[k]]
        if producers(x) != producers(y):
            diff.append(f"inputs {x['inputs']} != {y['inputs']}")
        if diff:
            failures.append(f"layer {i} ({x['name']} vs {y['name']}): " + ", ".join(diff))
    for key in ("macs", "params", "weights"):
        if imported[key] != builtin[key]:
            failures.append(f"total {key}: imported {imported[key]} != built-in {builtin[key]}")
    print(f"built-in {builtin['name']}: {len(b)} layers, MACs {builtin['macs']:,}, "
          f"params {builtin['params']:,}")
    return failures


class Unpack(nn.Module):
    """Calls a model of several inputs with the tuple the trace passes as one argument."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, inputs):
        return self.model(*inputs)


def main(argv):
    if len(argv) != 5 or argv[4] not in list(CASES) + ["einsum"]:
        print(__doc__)
        return 2
    onnx_dump, net_dump, out_dir, name = argv[1:]
    torch.manual_seed(0)
    torch.set_num_threads(1)
    os.makedirs(out_dir, exist_ok=True)
    if name == "einsum":
        failures = check_einsum(onnx_dump, out_dir)
        for f in failures:
            print("MISMATCH", f)
        return 1 if failures else 0
    ctor, make_input, builtin, opset, dynamic, must_have = CASES[name]
    model, example = ctor(), make_input()
    path = os.path.join(out_dir, f"{name}.onnx")
    export(model, example, path, opset, dynamic)

    ops = {n.op_type for n in onnx.load(path).graph.node}
    failures = [f"the export lacks operator {op}" for op in sorted(must_have - ops)]
    print(f"{name}: exported {path} (opset {opset}, operators: {', '.join(sorted(ops))})")

    imported = run_json(onnx_dump, [path])
    print(f"imported: {len(imported['layers'])} layers, MACs {imported['macs']:,}, "
          f"params {imported['params']:,}")
    if builtin:
        failures += compare_builtin(imported, run_json(net_dump, [builtin]))
    traced = Unpack(model) if isinstance(example, tuple) else model
    expect = None
    if name == "swin":
        tables = swin_bias_tables(model)
        expect = lambda rec, macs, params: (rec, macs, params + tables)  # noqa: E731
    failures += tc.compare(name, imported, traced, example, expect)
    if name == "swin":
        # Without constant folding the table lookups stay Gathers of the tables: every
        # parameter is counted.
        unfolded = os.path.join(out_dir, "swin_unfolded.onnx")
        export(model, example, unfolded, opset, dynamic, fold=False)
        failures += [f"unfolded: {f}" for f in
                     tc.compare(name, run_json(onnx_dump, [unfolded]), model, example)]

    if name == "resnet18":
        # Dynamic spatial axes take their size from image_size: compare at 160x160.
        dyn = os.path.join(out_dir, "resnet18_dynamic.onnx")
        export(model, example, dyn, opset, {"input": {0: "batch", 2: "height", 3: "width"}})
        small = run_json(onnx_dump, ["--image", "160", dyn])
        failures += [f"image 160: {f}" for f in
                     compare_builtin(small, run_json(net_dump, ["--image", "160", builtin]))]
        failures += [f"image 160: {f}" for f in tc.compare(name, small, model, image(160))]

    for f in failures[:60]:
        print("MISMATCH", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
