"""Case study 6: precision and batch size in training.

docs/studies/training_precision_batch.md is the page. One sweep
(jobs/studies/training_precision_batch.toml): buffer size x precision combinations x batch x
mode x network, dataflow `best`. A precision mix (MIXES) is one combination of the bits_*
axes and number_format; the others of the sweep are not read.

DRAM traffic split: the model reports DRAM bytes per phase (FP, BP, WG, WU). The parameter
floor of a step is what the weights cost at least: every MAC weight read once in FP and once
more in BP by the layers that run BP (docs/model.md section 18, "compulsory traffic"), at
bits_weight, plus the WU stream. The weight counts come from `trim-sweep --show-network`
(checked against its total of MAC weights); which layers run BP from the Python API's rows.
"""

import os
import re
import subprocess

import numpy as np

TITLE = "Precision and batch size in training"

JOB = "training_precision_batch.toml"
REP_GLB = 1024  # KiB: the buffer of the per-batch figures
# name, (bits_weight = bits_act, bits_grad, bits_opt, number_format); bits_psum is 32
MIXES = [
    ("int8", (8, 8, 32, "int")),
    ("int8, 16-bit gradients", (8, 16, 32, "int")),
    ("bf16", (16, 16, 16, "bfloat")),
    ("bf16 + fp32 master", (16, 16, 32, "bfloat")),
    ("fp16 + fp32 master", (16, 16, 32, "fp")),
    ("fp32", (32, 32, 32, "fp")),
]
STYLE = {"int8": ("tab:blue", "o"), "int8, 16-bit gradients": ("tab:cyan", "v"),
         "bf16": ("tab:green", "s"), "bf16 + fp32 master": ("tab:olive", "D"),
         "fp16 + fp32 master": ("tab:orange", "^"), "fp32": ("tab:red", "P")}
PHASES = [("fp", "FP", "tab:blue"), ("bp", "BP", "tab:orange"), ("wg", "WG", "tab:green"),
          ("wu", "WU", "tab:red")]
COMPONENTS = [("energy_mac_pj", "MAC"), ("energy_rf_pj", "register files"),
              ("energy_noc_pj", "array network"), ("energy_glb_pj", "global buffer"),
              ("energy_dram_pj", "DRAM"), ("energy_leak_pj", "leakage + clock")]
REL = 1e-9
OVERLAPS = ["overlap", "serial", "double_buffer"]  # model option `overlap`; the job's first


def short(net):
    return net.split(":")[0]


def _mix_rows(df, mix):
    w, g, o, fmt = mix
    return df[(df["bits_weight"] == w) & (df["bits_act"] == w) & (df["bits_grad"] == g) &
              (df["bits_opt"] == o) & (df["number_format"] == fmt)]


def _mac_weights(sweep_bin, net):
    """{layer name: weight count} of the conv/fc layers of `net` (from --show-network)."""
    out = subprocess.run([sweep_bin, "--show-network", net], check=True, capture_output=True,
                         text=True).stdout
    weights = {}
    total = None
    for line in out.splitlines():
        tok = line.split()
        m = re.match(r"parameters\s.*of which MAC weights ([\d,]+)", line.strip())
        if m:
            total = int(m.group(1).replace(",", ""))
        if len(tok) < 6 or not tok[0].isdigit() or tok[2] not in ("conv", "fc"):
            continue
        c_in, c_out = int(tok[3].split("x")[0]), int(tok[4].split("x")[0])
        r = s = 1
        groups = 1
        for t in tok[5:-4]:
            mw = re.match(r"^(\d+)x(\d+)/", t)
            if mw:
                r, s = int(mw.group(1)), int(mw.group(2))
            mg = re.match(r"^g(\d+)$", t)
            if mg:
                groups = int(mg.group(1))
        weights[tok[1]] = c_out * (c_in // groups) * r * s
    if total is None or sum(weights.values()) != total:
        raise SystemExit(f"error: {net}: the weights read from --show-network "
                         f"({sum(weights.values())}) do not add up to its MAC weights ({total})")
    return weights


def _weight_reads(trim, path, df, net, weights):
    """Weights (elements) read by FP and BP in one step: each once in FP, once more in BP."""
    pts = trim.Job(path).points()
    p = pts[(pts["network"] == net) & (pts["mode"] == "training")].iloc[0]
    r = trim.Job(path).evaluate(int(p["index"]))
    bp_layers = set(r.layers.loc[r.layers["phase"] == "bp", "layer"])
    return sum(weights.values()) + sum(w for n, w in weights.items() if n in bp_layers)


def _line_plot(ctx, data, nets, col, scale, ylabel, title, fname, inference=True):
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator
    fig, axes = plt.subplots(1, len(nets), figsize=(5.2 * len(nets), 4.2), squeeze=False)
    for ax, net in zip(axes[0], nets):
        for name, mix in MIXES:
            c, mk = STYLE[name]
            for mode, ls in (("training", "-"), ("inference", ":")):
                if mode == "inference" and not inference:
                    continue
                s = data[(data["network"] == net) & (data["mode"] == mode)]
                s = _mix_rows(s, mix).sort_values("batch")
                if s.empty:
                    continue
                ax.plot(s["batch"], s[col] * scale, ls, color=c, marker=mk, ms=4,
                        label=name if mode == "training" else None)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_locator(LogLocator(base=10, subs=(1.25, 1.5, 2, 3, 4, 5, 6, 7, 8, 9)))
        ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.tick_params(axis="y", which="minor", labelsize=7)
        ax.set_xlabel("batch (samples per step)")
        ax.set_ylabel(ylabel)
        ax.set_title(short(net), fontsize=10)
        ax.grid(alpha=0.3, which="both")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8,
               title="solid: training step, dotted: inference (same colour: same mix)",
               title_fontsize=8, bbox_to_anchor=(0.5, 0.0))
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0.11, 1, 1))
    ctx.figure(fig, fname)


def _dram_split_plot(ctx, data, nets, floors, mixes):
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter
    fig, axes = plt.subplots(len(nets), len(mixes), figsize=(4.2 * len(mixes), 3.4 * len(nets)),
                             squeeze=False, sharex=True)
    for i, net in enumerate(nets):
        for j, (name, mix) in enumerate(mixes):
            ax = axes[i][j]
            s = _mix_rows(data[(data["network"] == net) & (data["mode"] == "training")], mix)
            s = s.sort_values("batch")
            if s.empty:
                ax.set_visible(False)
                continue
            b = s["batch"].to_numpy()
            bottom = np.zeros(len(s))
            for ph, label, color in PHASES:
                v = s[f"{ph}_dram_bytes"].to_numpy() / b / 1e6
                ax.fill_between(b, bottom, bottom + v, color=color, alpha=0.55, step=None,
                                label=f"{label} phase")
                bottom += v
            floor = (floors[net] * mix[0] / 8 + s["wu_dram_bytes"].to_numpy()) / b / 1e6
            ax.plot(b, floor, "k--", lw=1.2, label="parameter floor (weights in FP+BP, WU)")
            ax.set_xscale("log", base=2)
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            ax.set_ylim(bottom=0)
            ax.set_title(f"{short(net)}, {name}", fontsize=9)
            ax.grid(alpha=0.3, which="both")
            if j == 0:
                ax.set_ylabel("DRAM traffic per sample (MB)")
            if i == len(nets) - 1:
                ax.set_xlabel("batch (samples per step)")
    axes[0][0].legend(fontsize=7, loc="upper right")
    fig.suptitle(f"Training DRAM traffic per sample by phase (stacked), {REP_GLB} KiB buffer",
                 fontsize=10)
    fig.tight_layout()
    ctx.figure(fig, "dram-split.png")


def _buffer_plot(ctx, df, nets, mixes):
    import matplotlib.pyplot as plt
    glbs = sorted(df["glb_kib"].unique())
    batches = sorted(df["batch"].unique())
    cells = [(net, name, mix) for name, mix in mixes for net in nets]
    ncol = len(nets)
    nrow = len(mixes)
    fig, axes = plt.subplots(nrow, ncol, figsize=(5.4 * ncol, 0.5 + 0.5 * len(glbs) * nrow),
                             squeeze=False)
    for ax, (net, mix_name, mix) in zip(axes.flat, cells):
        s = _mix_rows(df[(df["network"] == net) & (df["mode"] == "training")], mix)
        grid = np.full((len(glbs), len(batches)), np.nan)
        text = {}
        for _, r in s.iterrows():
            i, j = glbs.index(r["glb_kib"]), batches.index(r["batch"])
            if r["status"] == "ok":
                grid[i, j] = r["dram_bytes"] / r["batch"] / 1e6
                text[i, j] = f"{grid[i, j]:.0f}"
            else:
                text[i, j] = "infeasible"
        im = ax.imshow(np.ma.masked_invalid(np.log10(grid)), origin="lower", aspect="auto",
                       cmap="viridis")
        for (i, j), t in text.items():
            light = t != "infeasible" and im.norm(np.log10(grid[i, j])) < 0.6
            ax.text(j, i, t, ha="center", va="center", fontsize=7 if t != "infeasible" else 6,
                    color="w" if light else "k")
        ax.set_xticks(range(len(batches)), [f"{b:g}" for b in batches])
        ax.set_yticks(range(len(glbs)), [f"{g:g}" for g in glbs])
        ax.set_xlabel("batch (samples per step)")
        ax.set_ylabel("global buffer (KiB)")
        ax.set_title(f"{short(net)}, {mix_name}", fontsize=9)
        cb = fig.colorbar(im, ax=ax)
        cb.set_label("log10 DRAM MB per sample")
    fig.suptitle("Training DRAM traffic per sample (MB, in the cells) against buffer and batch;"
                 " white: no mapping fits", fontsize=10)
    fig.tight_layout()
    ctx.figure(fig, "buffer-batch.png")


def _breakdown_plot(ctx, data, nets, batch):
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(nets), figsize=(5.6 * len(nets), 4.2), squeeze=False)
    colors = ["tab:gray", "tab:green", "tab:orange", "tab:blue", "tab:red", "tab:purple"]
    for ax, net in zip(axes[0], nets):
        names = []
        bottom = None
        s_all = data[(data["network"] == net) & (data["mode"] == "training") &
                     (data["batch"] == batch)]
        rows = []
        for name, mix in MIXES:
            s = _mix_rows(s_all, mix)
            if len(s):
                names.append(name)
                rows.append(s.iloc[0])
        if not rows:
            continue
        bottom = np.zeros(len(rows))
        for (col, label), c in zip(COMPONENTS, colors):
            v = np.array([r[col] / r["batch"] / 1e9 for r in rows])
            ax.bar(range(len(rows)), v, bottom=bottom, color=c, label=label)
            bottom += v
        ax.set_xticks(range(len(rows)), names, rotation=30, ha="right", fontsize=8)
        ax.set_ylabel("energy per training sample (mJ)")
        ax.set_title(f"{short(net)}, batch {batch:g}, {REP_GLB} KiB", fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    axes[0][-1].legend(fontsize=7)
    fig.suptitle("Where the energy of a training sample goes, per precision mix", fontsize=10)
    fig.tight_layout()
    ctx.figure(fig, "energy-breakdown.png")


def _overlap_table(trim, path, data, nets, mixes, batches):
    """Training latency and energy per sample under each `overlap` option (docs/model.md 6),
    at REP_GLB, for the first, a middle and the last batch: markdown lines."""
    import tomllib
    with open(path, "rb") as f:
        job = tomllib.load(f)
    pick = sorted({batches[0], batches[len(batches) // 2], batches[-1]})
    jobs = {}
    for opt in OVERLAPS:
        d = dict(job)
        d["model"] = dict(job.get("model", {}), overlap=opt)
        jobs[opt] = trim.Job(d, path=path)
    L = ["| network | mix | batch | " + " | ".join(f"ms/sample, {o}" for o in OVERLAPS) + " | " +
         " | ".join(f"mJ/sample, {o}" for o in OVERLAPS) + " |",
         "|---|---|---|" + "---|" * (2 * len(OVERLAPS))]
    for net in nets:
        for name, mix in mixes:
            s = _mix_rows(data[(data["network"] == net) & (data["mode"] == "training")], mix)
            for b in pick:
                idx = int(s.loc[s["batch"] == b, "index"].iloc[0])
                lat, en = [], []
                for opt in OVERLAPS:
                    r = jobs[opt].evaluate(idx)
                    if r.status != "ok":
                        raise SystemExit(f"error: {net} {name} batch {b}: {r.status} under "
                                         f"overlap={opt}")
                    lat.append(1e3 * r.totals["latency_s"].iloc[0] / b)
                    en.append(r.totals["energy_pj"].iloc[0] / b / 1e9)
                # serial never beats overlap; double_buffer lies between (model.md 6, 6.1)
                assert lat[0] <= lat[1] * (1 + REL), f"{net} {name} {b}: overlap > serial"
                L.append(f"| {short(net)} | {name} | {b:g} | " +
                         " | ".join(f"{v:.1f}" for v in lat) + " | " +
                         " | ".join(f"{v:.2f}" for v in en) + " |")
    return L


def run(ctx):
    import sys
    sys.path.insert(0, os.path.join(ctx.repo, "python"))
    import trim
    import trim_analysis as ta
    from run import trim_sweep

    path = ctx.job(JOB)
    h5 = ctx.sweep(JOB)
    df = ta.load(h5)
    nets = [str(n) for n in df["network"].cat.categories]
    mixes = [(n, m) for n, m in MIXES if len(_mix_rows(df, m))]
    assert mixes, "no precision mix of the study is on the job's axes"
    assert REP_GLB in set(df["glb_kib"]), f"the job must sweep glb_kib = {REP_GLB}"
    batches = sorted(df["batch"].unique())
    ok = df[df["status"] == "ok"]
    # Phase columns add up to the step's totals (docs/model.md section 19).
    tr = ok[ok["mode"] == "training"]
    for kind in ("dram_bytes", "latency_s", "energy_pj"):
        parts = sum(tr[f"{p}_{kind}"] for p, _, _ in PHASES)
        assert np.allclose(parts, tr[kind], rtol=1e-9), f"phase {kind} do not add up"
    assert (ok["latency_s"] >= ok["roofline_s"] * (1 - REL)).all(), "latency below roofline"

    data = df[(df["glb_kib"] == REP_GLB)]
    for net in nets:
        for name, mix in mixes:
            s = _mix_rows(data[data["network"] == net], mix)
            assert len(s) == len(batches) * 2 and (s["status"] == "ok").all(), \
                f"{net} {name}: missing or infeasible at {REP_GLB} KiB"

    # Feasibility does not depend on the batch: the minimum mapping is one sample (docs/model.md
    # section 5), so a buffer either fits every batch of a mix or none.
    tr_all = df[df["mode"] == "training"]
    feas = {}
    for net in nets:
        for name, mix in mixes:
            s = _mix_rows(tr_all[tr_all["network"] == net], mix)
            for g, sg in s.groupby("glb_kib"):
                st = set(sg["status"].astype(str))
                assert len(st) == 1, f"{net} {name} {g:g} KiB: feasibility depends on the batch"
                feas[net, name, g] = sg.iloc[0]

    weights = {net: _mac_weights(trim_sweep(), net) for net in nets}
    floors = {net: _weight_reads(trim, path, df, net, weights[net]) for net in nets}

    # Claims of the page, checked on every network and mix at REP_GLB:
    # (1) energy and DRAM traffic per training sample fall from the smallest to the largest
    #     batch; (2) the WU stream does not depend on the batch (within 1%: only whether the
    #     gradient is held on chip could change it); (3) a training sample costs more energy
    #     than an inference at the same batch; (4) int8 costs less energy per sample than fp32.
    for net in nets:
        for name, mix in mixes:
            s = _mix_rows(data[data["network"] == net], mix)
            t = s[s["mode"] == "training"].sort_values("batch")
            i = s[s["mode"] == "inference"].sort_values("batch")
            assert t["energy_per_sample_pj"].iloc[-1] < t["energy_per_sample_pj"].iloc[0], \
                f"{net} {name}: energy per sample does not fall with the batch"
            dps = (t["dram_bytes"] / t["batch"]).to_numpy()
            assert dps[-1] < dps[0], f"{net} {name}: DRAM per sample does not fall"
            wu = t["wu_dram_bytes"].to_numpy()
            assert wu.max() <= wu.min() * 1.01, f"{net} {name}: WU traffic depends on the batch"
            assert (t["energy_per_sample_pj"].to_numpy() >
                    i["energy_per_sample_pj"].to_numpy()).all(), f"{net} {name}: train < infer"
        d = dict(mixes)
        if "int8" in d and "fp32" in d:
            e8 = _mix_rows(data[(data["network"] == net) & (data["mode"] == "training")],
                           d["int8"]).sort_values("batch")["energy_per_sample_pj"].to_numpy()
            e32 = _mix_rows(data[(data["network"] == net) & (data["mode"] == "training")],
                            d["fp32"]).sort_values("batch")["energy_per_sample_pj"].to_numpy()
            assert (e8 < e32).all(), f"{net}: int8 not cheaper than fp32"

    _line_plot(ctx, data, nets, "energy_per_sample_pj", 1e-9, "energy per sample (mJ)",
               f"Energy per sample against batch, {REP_GLB} KiB buffer, 16x16 PEs, 28 nm",
               "energy-per-sample.png")
    tp = data.assign(latency_per_sample=data["latency_s"] / data["batch"])
    _line_plot(ctx, tp, nets, "latency_per_sample", 1e3, "latency per sample (ms)",
               f"Latency per sample (step time / batch), {REP_GLB} KiB buffer, 400 MHz, "
               "12.8 GB/s", "latency-per-sample.png")
    split_mixes = [m for m in mixes if m[0] in ("int8", "bf16 + fp32 master", "fp32")] or mixes
    _dram_split_plot(ctx, data, nets, floors, split_mixes)
    bmixes = [m for m in mixes if m[0] in ("bf16 + fp32 master", "fp32")] or mixes[:1]
    _buffer_plot(ctx, df, nets, bmixes)
    bb = 16 if 16 in batches else batches[-1]
    _breakdown_plot(ctx, data, nets, bb)

    # ---- numbers ----
    L = [f"# {TITLE}: generated numbers", "",
         f"Generated by `analysis/studies/run.py training_precision_batch"
         f"{' --reduced' if ctx.reduced else ''}`; sweep of `{os.path.relpath(path, ctx.repo)}` "
         f"({len(df)} points, {int((df['status'] == 'ok').sum())} feasible) in "
         f"{ctx.timings[JOB]:.1f} s on {ctx.ranks} rank(s). Tables at {REP_GLB} KiB unless "
         "stated; dataflow `best` (per-layer EDP).", "",
         "Weights read by FP and BP per step (elements; the parameter floor's weight part): " +
         ", ".join(f"{short(n)} {floors[n]:,} of {sum(weights[n].values()):,} MAC weights"
                   for n in nets) + ".", ""]
    for net in nets:
        L += [f"## {short(net)}", "",
              "| mix | batch | train mJ/sample | infer mJ/sample | train ms/sample | "
              "infer ms/sample | train DRAM MB/sample | FP | BP | WG | WU | parameter floor "
              "MB/sample | peak on-chip KiB | utilization |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for name, mix in mixes:
            s = _mix_rows(data[data["network"] == net], mix)
            for b in batches:
                t = s[(s["mode"] == "training") & (s["batch"] == b)].iloc[0]
                i = s[(s["mode"] == "inference") & (s["batch"] == b)].iloc[0]
                fl = (floors[net] * mix[0] / 8 + t["wu_dram_bytes"]) / b / 1e6
                L.append(
                    f"| {name} | {b:g} | {t.energy_per_sample_pj / 1e9:.2f} | "
                    f"{i.energy_per_sample_pj / 1e9:.3f} | {1e3 * t.latency_s / b:.1f} | "
                    f"{1e3 * i.latency_s / b:.2f} | {t.dram_bytes / b / 1e6:.1f} | " +
                    " | ".join(f"{t[p + '_dram_bytes'] / b / 1e6:.1f}" for p, _, _ in PHASES) +
                    f" | {fl:.1f} | {t.peak_onchip_bytes / 1024:.0f} | {t.utilization:.3f} |")
        L.append("")
        # ratios
        L += [f"### {short(net)}: ratios", "",
              "| mix | train energy/sample, batch 1 / largest batch | DRAM/sample, batch 1 / "
              "largest | train / infer energy per sample at the largest batch | area mm^2 |",
              "|---|---|---|---|---|"]
        for name, mix in mixes:
            s = _mix_rows(data[data["network"] == net], mix)
            t = s[s["mode"] == "training"].sort_values("batch")
            i = s[s["mode"] == "inference"].sort_values("batch")
            L.append(f"| {name} | {t.energy_per_sample_pj.iloc[0] / t.energy_per_sample_pj.iloc[-1]:.2f} | "
                     f"{(t.dram_bytes.iloc[0] / t.batch.iloc[0]) / (t.dram_bytes.iloc[-1] / t.batch.iloc[-1]):.2f} | "
                     f"{t.energy_per_sample_pj.iloc[-1] / i.energy_per_sample_pj.iloc[-1]:.2f} | "
                     f"{t.area_mm2.iloc[0]:.2f} |")
        L.append("")
        e = {name: _mix_rows(data[(data["network"] == net) & (data["mode"] == "training")], m)
             .set_index("batch")["energy_per_sample_pj"] for name, m in mixes}
        if "fp32" in e:
            L += [f"### {short(net)}: training energy per sample relative to fp32", "",
                  "| mix | " + " | ".join(f"batch {b:g}" for b in batches) + " |",
                  "|---|" + "---|" * len(batches)]
            for name in e:
                L.append(f"| {name} | " + " | ".join(f"{e[name][b] / e['fp32'][b]:.2f}"
                                                    for b in batches) + " |")
            L.append("")
    L += [f"## Energy per training sample by component, batch {bb:g}, {REP_GLB} KiB (mJ)", "",
          "| network | mix | " + " | ".join(c[1] for c in COMPONENTS) + " | total |",
          "|---|---|" + "---|" * (len(COMPONENTS) + 1)]
    for net in nets:
        for name, mix in mixes:
            r = _mix_rows(data[(data["network"] == net) & (data["mode"] == "training") &
                               (data["batch"] == bb)], mix).iloc[0]
            L.append(f"| {short(net)} | {name} | " + " | ".join(
                f"{r[c] / bb / 1e9:.1f}" for c, _ in COMPONENTS) +
                f" | {r.energy_pj / bb / 1e9:.1f} |")
    L.append("")
    L += [f"## Training under each `overlap` option, {REP_GLB} KiB", "",
          "The sweep uses the job's option (`overlap`, the default); this table re-evaluates "
          "the same points with the [model] option changed.", ""]
    L += _overlap_table(trim, path, data, nets, mixes, batches)
    L.append("")
    L += ["## Feasibility: training, every buffer size", "",
          "The same at every batch of the job (checked). Infeasible: where the first layer-phase "
          "fails and the bytes its smallest mapping needs against those the buffer leaves it.",
          "", "| network | mix | " + " | ".join(f"{g:g} KiB" for g in sorted(df["glb_kib"].unique()))
          + " |", "|---|---|" + "---|" * df["glb_kib"].nunique()]
    for net in nets:
        for name, _ in mixes:
            cells = []
            for g in sorted(df["glb_kib"].unique()):
                r = feas.get((net, name, g))
                if r is None:
                    cells.append("-")
                elif r["status"] == "ok":
                    cells.append("ok")
                else:
                    cells.append(f"{r['status']}: {r['fail_layer_name']} {r['fail_phase']}, "
                                 f"{r['fail_need_bytes']:.0f} B > {r['fail_have_bytes']:.0f} B")
            L.append(f"| {short(net)} | {name} | " + " | ".join(cells) + " |")
    L.append("")
    L += ["## Buffer pressure: training, every buffer size", "",
          "DRAM MB per sample (`infeasible: reason` where the design fails) and the peak "
          "on-chip occupancy in KiB, per mix, buffer and batch.", ""]
    for net in nets:
        L += [f"### {short(net)}", "",
              "| mix | buffer KiB | " + " | ".join(f"batch {b:g}" for b in batches) + " |",
              "|---|---|" + "---|" * len(batches)]
        for name, mix in mixes:
            s = _mix_rows(df[(df["network"] == net) & (df["mode"] == "training")], mix)
            for g in sorted(df["glb_kib"].unique()):
                cells = []
                for b in batches:
                    r = s[(s["glb_kib"] == g) & (s["batch"] == b)]
                    if r.empty:
                        cells.append("-")
                        continue
                    r = r.iloc[0]
                    if r["status"] != "ok":
                        cells.append(f"infeasible: {r['status']}")
                    else:
                        cells.append(f"{r.dram_bytes / b / 1e6:.1f} MB, "
                                     f"{r.peak_onchip_bytes / 1024:.0f} KiB")
                L.append(f"| {name} | {g:g} | " + " | ".join(cells) + " |")
        L.append("")
    ctx.numbers("\n".join(L))
