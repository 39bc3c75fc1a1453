#!/usr/bin/python3
"""Checks the model's MACs per layer and training phase against what PyTorch executes.

The reference networks are those of tests/net/torch_crosscheck.py (reference()), already
checked layer by layer against the built-in zoo: torchvision.models (weights=None) where
torchvision has the network (resnet18, mobilenet_v2), torch.nn models written there otherwise
(lenet5, bert-base). Each runs one training step on one sample
(forward, then backward from a random output gradient) under a TorchDispatchMode that sees
every ATen operator PyTorch executes, after autograd:
  forward:  aten.convolution, aten.mm / addmm (Linear), aten.bmm (attention products);
  backward: aten.convolution_backward (its output_mask says whether grad_input and grad_weight
            are computed), aten.mm (Linear: grad_input = grad * W, grad_weight = grad^T * x),
            aten.bmm (attention: one product per operand gradient).
MACs are taken from the operand shapes of each call (m*k*n for a product; for a convolution
backward, grad_input and grad_weight each cost |grad_output| * C/groups * R * S, the
zero-skipping count). Forward calls are attributed to a layer by the module running them;
backward calls by the tensors they read: the layer's weight (grad_input of Linear, every
convolution backward), the layer's saved input (grad_weight of Linear), or the attention
product's saved operands. Every MAC call PyTorch makes must land on a layer, and per layer
FP = forward MACs, BP = grad_input MACs (both operands for attention), WG = grad_weight MACs
must equal model_phase_dump's numbers. Non-MAC layers must report zero MACs in every phase.

Usage: torch_phase_check.py MODEL_PHASE_DUMP TORCH_CROSSCHECK_PY NETWORK [NETWORK...]
Exit status: 0 match, 1 mismatch, 77 torch not available (CTest skip).
"""

import importlib.util
import json
import subprocess
import sys

try:
    import torch
    from torch import nn
    from torch.utils._python_dispatch import TorchDispatchMode
except ImportError:  # pragma: no cover
    print("torch (with TorchDispatchMode) is not available; skipping")
    sys.exit(77)

SEQ = 16  # BERT tokens: small, the counts scale exactly with it
aten = torch.ops.aten


def prod(shape):
    n = 1
    for s in shape:
        n *= int(s)
    return n


def storage_key(t):
    return t.storage().data_ptr() if isinstance(t, torch.Tensor) else None


class Counter(TorchDispatchMode):
    """Records MAC operators; keeps every forward result alive so storages stay unique."""

    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx  # shared state: current forward layer, attribution tables, results
        self.keep = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        self.keep.append(out)
        packet = func.overloadpacket
        c = self.ctx
        if c["phase"] == "forward":
            layer = c["current"]
            if packet is aten.convolution:
                w = args[1]
                c["fp"][layer] += prod(out.shape) * w.shape[1] * w.shape[2] * w.shape[3]
            elif packet in (aten.mm, aten.addmm, aten.bmm):
                a, b = (args[1], args[2]) if packet is aten.addmm else (args[0], args[1])
                if layer is None:
                    c["stray"].append(f"forward {packet} outside a MAC module")
                    return out
                c["fp"][layer] += prod(a.shape) * b.shape[-1]
                if packet is aten.bmm:
                    c["bmm_a"][storage_key(a)] = layer
                    c["bmm_b"][storage_key(b)] = layer
                else:
                    c["lin_in"].setdefault(storage_key(a), []).append(layer)
        else:
            if packet is aten.convolution_backward:
                grad, _, w = args[0], args[1], args[2]
                mask = args[10]
                layer = c["weights"].get(storage_key(w))
                macs = prod(grad.shape) * w.shape[1] * w.shape[2] * w.shape[3]
                if layer is None:
                    c["stray"].append("convolution_backward of an unknown weight")
                    return out
                if mask[0]:
                    c["bp"][layer] += macs
                if mask[1]:
                    c["wg"][layer] += macs
            elif packet in (aten.mm, aten.bmm, aten.addmm):
                a, b = (args[1], args[2]) if packet is aten.addmm else (args[0], args[1])
                macs = prod(a.shape) * b.shape[-1]
                keys = [storage_key(a), storage_key(b)]
                layer = next((c["weights"][k] for k in keys if k in c["weights"]), None)
                if layer is not None:
                    c["bp"][layer] += macs  # grad_input of a Linear: grad * W
                    return out
                if packet is aten.bmm:
                    hit = [(c["bmm_b"][k]) for k in keys if k in c["bmm_b"]]
                    hit += [(c["bmm_a"][k]) for k in keys if k in c["bmm_a"]]
                    if hit:
                        c["bp"][hit[0]] += macs
                        return out
                for k in keys:
                    for cand in c["lin_in"].get(k, []):
                        if c["wg"][cand] == 0:
                            c["wg"][cand] += macs  # grad_weight of a Linear: grad^T * x
                            return out
                c["stray"].append(f"backward {packet} {list(a.shape)} x {list(b.shape)}")
        return out


def torch_counts(ref_module, name):
    ctor, make_input = ref_module.reference(name, SEQ)
    torch.manual_seed(0)
    model = ctor()
    model.train()
    mac_modules = []
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear, ref_module.Matmul)):
            mac_modules.append(m)
    ctx = {"phase": "forward", "current": None, "fp": [], "bp": [], "wg": [], "stray": [],
           "weights": {}, "lin_in": {}, "bmm_a": {}, "bmm_b": {}, "calls": 0,
           "source": "torchvision" if ref_module.is_torchvision(model) else "torch.nn"}

    def pre(mod, inp):
        ctx["current"] = len(ctx["fp"])
        for key in ("fp", "bp", "wg"):
            ctx[key].append(0)
        w = getattr(mod, "weight", None)
        if w is not None:
            ctx["weights"][storage_key(w)] = ctx["current"]

    def post(mod, inp, out):
        ctx["current"] = None

    handles = [m.register_forward_pre_hook(pre) for m in mac_modules]
    handles += [m.register_forward_hook(post) for m in mac_modules]
    x = make_input()
    mode = Counter(ctx)
    with mode:
        y = model(x)
        ctx["phase"] = "backward"
        y.backward(torch.randn_like(y))
    for h in handles:
        h.remove()
    return ctx


def main(argv):
    if len(argv) < 4:
        print(__doc__)
        return 2
    torch.set_num_threads(1)
    spec = importlib.util.spec_from_file_location("torch_crosscheck", argv[2])
    ref_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref_module)
    failures = []
    for name in argv[3:]:
        dump = json.loads(subprocess.run([argv[1], "--seq", str(SEQ), name], check=True,
                                         capture_output=True, text=True).stdout)
        ctx = torch_counts(ref_module, name)
        mac_layers = [l for l in dump["layers"] if l["kind"] in ("conv", "fc", "matmul")]
        for l in dump["layers"]:
            if l["kind"] not in ("conv", "fc", "matmul") and (l["fp"] or l["bp"] or l["wg"]):
                failures.append(f"{name}: non-MAC layer {l['name']} reports MACs")
        if len(mac_layers) != len(ctx["fp"]):
            failures.append(f"{name}: {len(mac_layers)} MAC layers in trim, "
                            f"{len(ctx['fp'])} MAC modules ran in torch")
        for s in ctx["stray"]:
            failures.append(f"{name}: unattributed torch call: {s}")
        totals = {"fp": 0, "bp": 0, "wg": 0}
        for i, l in enumerate(mac_layers[:len(ctx["fp"])]):
            for key in ("fp", "bp", "wg"):
                totals[key] += ctx[key][i]
                if l[key] != ctx[key][i]:
                    failures.append(f"{name}: {l['name']} {key}: trim {l[key]} != torch "
                                    f"{ctx[key][i]}")
        print(f"{name} ({ctx['source']}): torch MACs FP {totals['fp']:,}  BP {totals['bp']:,}  "
              f"WG {totals['wg']:,} over {len(ctx['fp'])} MAC layers")
    for f in failures[:50]:
        print("MISMATCH", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
