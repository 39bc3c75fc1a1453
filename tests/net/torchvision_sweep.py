#!/usr/bin/python3
"""Manual check (not a CTest): torchvision classification models, torch's MACs vs the importer.

For each model (default: every classification model of the installed torchvision), this script
builds it with random weights (weights=None, nothing downloaded), counts the multiply-
accumulates of the convolutions and matrix products torch executes in one forward pass at
batch 1, exports it with torch.onnx.export (opset 17, TrainingMode.PRESERVE) into OUT_DIR,
imports the file with onnx_dump and prints one JSON line:
  {"model", "size", "torch_macs", "torch_params", "onnx_macs", "onnx_params"} or an "error".
The export (in a fresh temporary directory under OUT_DIR) is deleted after the import. Models run one at a time, single-threaded.

Usage: torchvision_sweep.py ONNX_DUMP OUT_DIR [MODEL ...] > results.jsonl
       torchvision_sweep.py --table results.jsonl [...]   (the Markdown table of docs/onnx.md)

Input sizes: 224 x 224 for the models whose windows or fixed-size stages need it (AlexNet,
VGG, MaxViT, Swin), 96 for Inception v3, 4 patches a side for ViT (built with image_size),
128 for the rest. MultiheadAttention runs its unfused path (dropout 0) so that its products
are visible to the count.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import warnings

import torch
import torchvision.models as tvm
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode

aten = torch.ops.aten


def numel(shape):
    n = 1
    for x in shape:
        n *= x
    return n


class MacCount(TorchDispatchMode):
    """Sums the MACs of convolutions and matrix products as torch runs them."""

    def __init__(self):
        super().__init__()
        self.macs = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        op = func.overloadpacket
        if op is aten.convolution:  # weight [m, c/groups, r, s]: every output reads c/g*r*s
            self.macs += out.numel() * numel(args[1].shape[1:])
        elif op is aten.mm:
            self.macs += args[0].shape[0] * args[0].shape[1] * args[1].shape[1]
        elif op is aten.addmm:
            self.macs += args[1].shape[0] * args[1].shape[1] * args[2].shape[1]
        elif op in (aten.bmm, aten.baddbmm):
            a, b = (args[0], args[1]) if op is aten.bmm else (args[1], args[2])
            self.macs += a.shape[0] * a.shape[1] * a.shape[2] * b.shape[2]
        elif op in (aten._native_multi_head_attention, aten._transformer_encoder_layer_fwd):
            raise RuntimeError("a fused attention kernel ran; its products are not counted")
        return out


def build(name):
    if name.startswith("vit"):
        patch = 14 if "h_14" in name else (32 if "_32" in name else 16)
        return tvm.get_model(name, weights=None, image_size=4 * patch), 4 * patch
    kwargs = {"aux_logits": False, "init_weights": False} \
        if name in ("googlenet", "inception_v3") else {}
    if name.startswith(("alexnet", "vgg", "maxvit", "swin")):
        size = 224
    elif name.startswith("inception"):
        size = 96
    else:
        size = 128
    return tvm.get_model(name, weights=None, **kwargs), size


def run(onnx_dump, out_dir, name):
    res = {"model": name}
    start = time.time()
    os.makedirs(out_dir, exist_ok=True)
    work = tempfile.mkdtemp(prefix=f"{name}.", dir=out_dir)
    try:
        model, size = build(name)
        x = torch.randn(1, 3, size, size)
        res["size"] = size
        res["torch_params"] = sum(p.numel() for p in model.parameters())
        model.eval()
        for m in model.modules():
            if isinstance(m, nn.MultiheadAttention):
                assert m.dropout == 0.0
                m.train()
        count = MacCount()
        with torch.no_grad(), count:
            model(x)
        res["torch_macs"] = count.macs
        model.eval()
        path = os.path.join(work, f"{name}.onnx")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(model, x, path, opset_version=17, do_constant_folding=True,
                              training=torch.onnx.TrainingMode.PRESERVE,
                              input_names=["input"], output_names=["output"])
        out = subprocess.run([onnx_dump, path], capture_output=True, text=True)
        if out.returncode != 0:
            res["error"] = out.stderr.strip()[:600]
        else:
            net = json.loads(out.stdout)[0]
            res["onnx_macs"], res["onnx_params"] = net["macs"], net["params"]
    except Exception as e:  # noqa: BLE001  (reported per model, the sweep goes on)
        res["error"] = "torch: " + repr(e)[:400]
    finally:
        shutil.rmtree(work, ignore_errors=True)  # large exports keep external data files
    res["s"] = round(time.time() - start, 1)
    return res


def table(paths):
    rows = {}
    for p in paths:
        for line in open(p):
            r = json.loads(line)
            rows[r["model"]] = r  # a later file supersedes an earlier run
    print("| model | input | torch MACs | imported MACs | parameters equal |")
    print("|---|---|---:|---:|---|")
    for name in sorted(rows):
        r = rows[name]
        if "error" in r:
            op = re.search(r"Exporting the operator '([^']+)'", r["error"])
            why = f"torch cannot export it (`{op.group(1)}`)" if op else \
                "error: " + r["error"].splitlines()[0][:120]
            print(f"| {name} | {r.get('size', '')} | {r.get('torch_macs', 0):,} | {why} | |")
            continue
        same = "yes" if r["torch_params"] == r["onnx_params"] else \
            f"no ({r['onnx_params']:,} vs {r['torch_params']:,})"
        macs = f"{r['onnx_macs']:,}" + ("" if r["onnx_macs"] == r["torch_macs"] else " (differs)")
        print(f"| {name} | {r['size']} | {r['torch_macs']:,} | {macs} | {same} |")


def main(argv):
    if len(argv) >= 3 and argv[1] == "--table":
        table(argv[2:])
        return 0
    if len(argv) < 3:
        print(__doc__)
        return 2
    torch.set_num_threads(1)
    torch.manual_seed(0)
    names = argv[3:] or tvm.list_models(module=tvm)
    bad = 0
    for name in names:
        res = run(argv[1], argv[2], name)
        bad += "error" in res or res["torch_macs"] != res["onnx_macs"]
        print(json.dumps(res), flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
