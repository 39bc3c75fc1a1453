"""Study 2: on-chip buffer capacity against DRAM traffic and energy, inference against training.

One sweep of the global buffer (jobs/studies/onchip_memory.toml) on the edge preset under the
physical technology model, where a larger buffer costs more per access; per-layer results from
the Python API split the inference traffic into weights read once and what the tiling and the
inter-layer policy add on top, per layer class; the training totals split it per phase.
"""

import numpy as np
import pandas as pd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import trim  # noqa: E402
import trim_analysis as ta  # noqa: E402
from common import (fmt_bytes, fmt_kib, kib_axis, knee, label_axes, md_table,  # noqa: E402
                    network_table, require_all_ok)
from run import trim_sweep  # noqa: E402

TITLE = "On-chip memory against DRAM traffic and energy, inference against training"

# (mode, batch) -> line style of the figures
CURVES = [("inference", 1, "tab:blue", "-"), ("inference", 16, "tab:cyan", "-"),
          ("training", 1, "tab:red", "--"), ("training", 16, "tab:orange", "--")]
KNEE_SHARE = 0.9   # the knee: where 90 % of the DRAM reduction over the swept range is reached


def _curve(df, net, mode, batch):
    d = df[(df.network == net) & (df["mode"] == mode) & (df.batch == batch)].sort_values("glb_kib")
    return d


def _check(df, nets):
    """Invariants the page relies on; any failure stops the study with a message."""
    require_all_ok(df, nets, "onchip_memory", ("network", "mode", "glb_kib", "status"))
    for (net, mode, batch), d in df.groupby(["network", "mode", "batch"], observed=True):
        d = d.sort_values("glb_kib")
        b = d.dram_bytes.to_numpy()
        # docs/model.md sections 5 and 18: a larger buffer never moves more DRAM traffic
        if np.any(np.diff(b) > 1e-9 * b[:-1]):
            i = int(np.argmax(np.diff(b) > 1e-9 * b[:-1]))
            raise SystemExit(f"onchip_memory: DRAM bytes grow with the buffer for {net} {mode} "
                             f"batch {batch} at {d.glb_kib.iloc[i]} -> {d.glb_kib.iloc[i + 1]} KiB")
        # the latency can never beat the roofline bound
        assert (d.latency_s >= d.roofline_s * (1 - 1e-12)).all(), (net, mode, batch)
        # the per-phase DRAM columns add up to the total
        parts = d[["fp_dram_bytes", "bp_dram_bytes", "wg_dram_bytes", "wu_dram_bytes"]].sum(axis=1)
        assert np.allclose(parts, d.dram_bytes, rtol=1e-9), (net, mode, batch)
        # the GLB energy per access grows with the capacity: the largest buffer spends more GLB
        # energy per GLB access than the smallest
        e = (d.energy_glb_pj / d.glb_accesses).to_numpy()
        assert e[-1] > e[0], (net, mode, batch)


def _layer_split(job, points, net, batch, glbs, bits_w=16, bits_a=16):
    """Inference DRAM bytes per buffer size, split into each layer's floor (its DRAM bytes at the
    largest buffer: weights read once, gathered embedding rows, the network's input and output)
    and the excess over it of weight-heavy and of activation-heavy layers (per-layer results of
    the Python API). Weight-heavy: a MAC layer whose weights outweigh its input plus output."""
    table = network_table(trim_sweep(), net, batch).set_index("layer")
    w_bytes = table.params * bits_w / 8
    a_bytes = (table.in_acts + table.out_acts) * bits_a / 8
    heavy_w = set(table.index[(w_bytes > a_bytes) & (table.macs > 0)])
    per = {}
    for g in glbs:
        sel = points[(points.network == net) & (points["mode"] == "inference")
                     & (points.batch == batch) & (points.glb_kib == g) & (points.glb_banks == 1)]
        L = job.evaluate(int(sel["index"].iloc[0])).layers
        per[g] = L[L.phase == "fp"].set_index("layer").dram_bytes
    floor = per[glbs[-1]]
    rows = []
    for g in glbs:
        excess = per[g] - floor
        wl = excess.index.isin(list(heavy_w))
        rows.append({"glb_kib": g, "floor": floor.sum(),
                     "excess_weight_layers": excess[wl].sum(),
                     "excess_act_layers": excess[~wl].sum(), "total": per[g].sum(),
                     "min_layer_excess": excess.min()})
    return pd.DataFrame(rows), len(heavy_w), int((table.macs > 0).sum())


def run(ctx):
    h5 = ctx.sweep("onchip_memory.toml")
    allb = ta.load(h5)
    # the figures are the one-bank buffer; the most-banked one is the banking contrast
    banks = int(allb.glb_banks.max())
    df = allb[allb.glb_banks == 1].copy()
    banked = allb[allb.glb_banks == banks].copy()
    assert banks > 1 and len(df) == len(banked)
    nets = list(dict.fromkeys(df.network.astype(str)))
    _check(df, nets)
    _check(banked, nets)
    # banking is a cost of the buffer only: the same traffic and time, less GLB energy per access
    bk = df.merge(banked, on=["network", "mode", "batch", "glb_kib"], suffixes=("", "_b"))
    assert len(bk) == len(df)
    assert (bk.dram_bytes == bk.dram_bytes_b).all() and (bk.glb_accesses == bk.glb_accesses_b).all()
    assert (bk.energy_glb_pj_b < bk.energy_glb_pj).all()
    # policy contrasts: the same designs with inter_layer = "spill" (inference) and
    # stash = "none" (training)
    spill = ta.load(ctx.sweep("onchip_memory_spill.toml"))
    nostash = ta.load(ctx.sweep("onchip_memory_nostash.toml"))
    _check(spill, nets)
    _check(nostash, nets)
    key = ["network", "batch", "glb_kib"]
    sp = df[df["mode"] == "inference"].merge(spill, on=key, suffixes=("", "_alt"))
    ns = df[df["mode"] == "training"].merge(nostash, on=key, suffixes=("", "_alt"))
    assert len(sp) == len(spill) and len(ns) == len(nostash)
    # keeping outputs on chip never moves more DRAM traffic than spilling every one of them
    if (sp.dram_bytes > sp.dram_bytes_alt * (1 + 1e-12)).any():
        r = sp[sp.dram_bytes > sp.dram_bytes_alt].iloc[0]
        raise SystemExit(f"onchip_memory: keep moves more DRAM bytes than spill for {r.network} "
                         f"batch {r.batch} at {r.glb_kib} KiB")
    glbs = sorted(df.glb_kib.unique())
    job = trim.Job(ctx.job("onchip_memory.toml"))
    points = job.points()

    # ---- knees and energy optima -------------------------------------------------------------
    rows = []
    for net in nets:
        for mode, batch, _, _ in CURVES:
            d = _curve(df, net, mode, batch)
            per = d.dram_bytes / batch
            kx, ky = knee(d.glb_kib, per, KNEE_SHARE)
            eps = d.energy_per_sample_pj.to_numpy()
            i = int(np.argmin(eps))
            at = d.iloc[i]
            rows.append({"network": net, "mode": mode, "batch": batch,
                         "dram_small": per.iloc[0], "dram_floor": per.iloc[-1],
                         "knee_kib": kx, "dram_knee": ky,
                         "emin_kib": at.glb_kib, "emin_uj": eps[i] / 1e6,
                         "e_small_uj": eps[0] / 1e6, "e_large_uj": eps[-1] / 1e6,
                         "glb_share_emin": at.energy_glb_pj / at.energy_pj,
                         "dram_share_emin": at.energy_dram_pj / at.energy_pj,
                         "glb_share_large": d.energy_glb_pj.iloc[-1] / d.energy_pj.iloc[-1],
                         "dram_share_large": d.energy_dram_pj.iloc[-1] / d.energy_pj.iloc[-1],
                         "leak_share_emin": at.energy_leak_pj / at.energy_pj,
                         "leak_share_large": d.energy_leak_pj.iloc[-1] / d.energy_pj.iloc[-1]})
    K = pd.DataFrame(rows)
    # the physical model makes the largest buffer dearer than the energy optimum
    for _, r in K.iterrows():
        if len(glbs) >= 4 and not r.e_large_uj > r.emin_uj:
            raise SystemExit(f"onchip_memory: energy per sample does not rise past its minimum "
                             f"for {r.network} {r['mode']} batch {r.batch}")

    # ---- figures 1 and 2: DRAM bytes and energy per sample vs buffer ----------------------------
    for what, col, ylabel, fname in (
            ("DRAM traffic", "dram_bytes", "DRAM bytes per sample", "dram_vs_glb.png"),
            ("Energy", "energy_pj", "energy per sample (µJ)", "energy_vs_glb.png")):
        fig, axes = plt.subplots(1, len(nets), figsize=(5.2 * len(nets), 4.4), squeeze=False)
        for ax, net in zip(axes[0], nets):
            for mode, batch, color, ls in CURVES:
                d = _curve(df, net, mode, batch)
                y = d[col] / batch / (1e6 if col == "energy_pj" else 1)
                ax.plot(d.glb_kib, y, ls, color=color, marker=".", ms=4,
                        label=f"{mode}, batch {batch}")
                k = K[(K.network == net) & (K["mode"] == mode) & (K.batch == batch)].iloc[0]
                kd = d[d.glb_kib == k.knee_kib].iloc[0]
                ed = d[d.glb_kib == k.emin_kib].iloc[0]
                scale = (1e6 if col == "energy_pj" else 1) * batch
                ax.plot(kd.glb_kib, kd[col] / scale, "o", ms=9, mfc="none", mec=color, mew=2)
                ax.plot(ed.glb_kib, ed[col] / scale, "*", ms=13, color=color, mec="k", mew=0.6)
            kib_axis(ax)
            label_axes(ax, "global buffer capacity (log scale)", ylabel, net, logy=True)
        h, lab = axes[0][0].get_legend_handles_labels()
        h += [plt.Line2D([], [], ls="", marker="o", mfc="none", mec="k", ms=9, mew=2),
              plt.Line2D([], [], ls="", marker="*", color="grey", mec="k", ms=13)]
        lab += [f"knee ({KNEE_SHARE:.0%} of the DRAM reduction)", "lowest energy per sample"]
        fig.legend(h, lab, loc="lower center", ncol=3, bbox_to_anchor=(0.5, -0.12))
        fig.suptitle(f"{what} per sample vs global buffer size (edge preset, 28 nm physical "
                     f"model, row stationary, 16-bit)")
        fig.tight_layout()
        ctx.figure(fig, fname)

    # ---- figure 3: why: per-layer split (inference) and per-phase split (training) ------------
    splits = {}
    heavy = {}
    for net in nets:
        splits[net], nh, nm = _layer_split(job, points, net, 1, glbs)
        heavy[net] = (nh, nm)
        s = splits[net]
        tot = df[(df.network == net) & (df["mode"] == "inference") & (df.batch == 1)]
        tot = tot.sort_values("glb_kib").dram_bytes.to_numpy()
        assert np.allclose(s.total.to_numpy(), tot, rtol=1e-9), net   # API = sweep, per layer sum
    fig, axes = plt.subplots(2, len(nets), figsize=(5.2 * len(nets), 8.2), squeeze=False)
    for j, net in enumerate(nets):
        s = splits[net]
        ax = axes[0][j]
        ax.stackplot(s.glb_kib, s.floor / 2**20, s.excess_weight_layers / 2**20,
                     s.excess_act_layers / 2**20,
                     labels=["floor (weights once, network input/output)",
                             "excess of weight-heavy layers (re-fetch)",
                             "excess of activation-heavy layers (fmaps, psums)"],
                     colors=["#9ecae1", "#fd8d3c", "#74c476"])
        kib_axis(ax)
        label_axes(ax, "global buffer capacity (log scale)", "DRAM MiB per inference",
                   f"{net}: inference, batch 1")
        if j == 0:
            ax.legend(loc="upper right", fontsize=8)
        ax = axes[1][j]
        d = _curve(df, net, "training", 16)
        ax.stackplot(d.glb_kib, *[d[f"{p}_dram_bytes"] / 16 / 2**20 for p in ("fp", "bp", "wg", "wu")],
                     labels=["forward (incl. stored-tensor writes)", "backward-data",
                             "weight-gradient", "weight-update (optimizer)"],
                     colors=["#6baed6", "#fd8d3c", "#74c476", "#9e9ac8"])
        kib_axis(ax)
        label_axes(ax, "global buffer capacity (log scale)", "DRAM MiB per training sample",
                   f"{net}: training, batch 16, per phase")
        if j == 0:
            ax.legend(loc="upper right", fontsize=8)
    fig.suptitle("Where the DRAM traffic comes from, by layer class (inference) and by phase "
                 "(training)")
    fig.tight_layout()
    ctx.figure(fig, "dram_breakdown.png")

    # ---- figure 4: what the on-chip policies save ----------------------------------------------
    fig, axes = plt.subplots(2, len(nets), figsize=(5.2 * len(nets), 8.0), squeeze=False)
    for j, net in enumerate(nets):
        for i, (m, lab_a, lab_b, mode) in enumerate(
                ((sp, "keep (default)", 'spill (inter_layer = "spill")', "inference"),
                 (ns, "stash share: half (default)", 'no stash share (stash = "none")', "training"))):
            ax = axes[i][j]
            for batch, color in ((1, "tab:blue" if i == 0 else "tab:red"),
                                 (16, "tab:cyan" if i == 0 else "tab:orange")):
                d = m[(m.network == net) & (m.batch == batch)].sort_values("glb_kib")
                ax.plot(d.glb_kib, d.dram_bytes / batch, "-", color=color, marker=".",
                        label=f"batch {batch}, {lab_a}")
                ax.plot(d.glb_kib, d.dram_bytes_alt / batch, ":", color=color, marker="x", ms=4,
                        label=f"batch {batch}, {lab_b}")
            kib_axis(ax)
            label_axes(ax, "global buffer capacity (log scale)", "DRAM bytes per sample",
                       f"{net}: {mode}", logy=True)
            if j == 0:
                ax.legend(fontsize=8, loc="lower left")
    fig.suptitle("What the on-chip policies save: outputs kept for their readers (inference) and "
                 "tensors stashed for the backward pass (training)")
    fig.tight_layout()
    ctx.figure(fig, "policies.png")

    # ---- numbers.md --------------------------------------------------------------------------
    t = ctx.timings.get("onchip_memory.toml", 0.0)
    out = [f"# Numbers: {TITLE}", "",
           f"Generated by `analysis/studies/run.py onchip_memory`; sweep of {len(allb)} points "
           f"({len(df)} with one bank) in {t:.1f} s wall ({ctx.ranks} ranks). Everything is the "
           f"one-bank buffer unless a table says otherwise. Buffer sizes {fmt_kib(glbs[0])} to "
           f"{fmt_kib(glbs[-1])}. Knee: the smallest buffer at which DRAM bytes per sample have "
           f"made {KNEE_SHARE:.0%} of their drop over the swept range.", "",
           "## Knees and energy optima (per sample)", ""]
    T = K.copy()
    T["DRAM at smallest"] = T.dram_small.map(fmt_bytes)
    T["DRAM at largest"] = T.dram_floor.map(fmt_bytes)
    T["knee"] = T.knee_kib.map(fmt_kib)
    T["DRAM at knee"] = T.dram_knee.map(fmt_bytes)
    T["lowest-energy buffer"] = T.emin_kib.map(fmt_kib)
    T["µJ there"] = T.emin_uj.map(lambda v: f"{v:.4g}")
    T["µJ smallest"] = T.e_small_uj.map(lambda v: f"{v:.4g}")
    T["µJ largest"] = T.e_large_uj.map(lambda v: f"{v:.4g}")
    out.append(md_table(T[["network", "mode", "batch", "DRAM at smallest", "knee", "DRAM at knee",
                           "DRAM at largest", "lowest-energy buffer", "µJ there", "µJ smallest",
                           "µJ largest"]]))
    out += ["", f"## Banking: the lowest-energy buffer with 1 and with {banks} banks", "",
            f"Same DRAM traffic and latency; the GLB energy per access is "
            f"{(bk.energy_glb_pj_b / bk.energy_glb_pj).min():.3f}-"
            f"{(bk.energy_glb_pj_b / bk.energy_glb_pj).max():.3f} of the one-bank buffer's.", ""]
    rows = []
    for (net, mode, batch), d in bk.groupby(["network", "mode", "batch"], observed=True, sort=False):
        e1 = d.energy_per_sample_pj.to_numpy()
        eb = d.energy_per_sample_pj_b.to_numpy()
        i1, ib = int(np.argmin(e1)), int(np.argmin(eb))
        rows.append({"network": net, "mode": mode, "batch": int(batch),
                     "1 bank: buffer": fmt_kib(d.glb_kib.iloc[i1]), "µJ": f"{e1[i1] / 1e6:.4g}",
                     f"{banks} banks: buffer": fmt_kib(d.glb_kib.iloc[ib]),
                     f"µJ ({banks} banks)": f"{eb[ib] / 1e6:.4g}",
                     "saved": f"{1 - eb[ib] / e1[i1]:.1%}"})
    out.append(md_table(pd.DataFrame(rows)))
    out += ["", "## Energy shares at the lowest-energy buffer and at the largest", ""]
    T2 = K[["network", "mode", "batch"]].copy()
    T2["GLB share at optimum"] = K.glb_share_emin.map(lambda v: f"{v:.1%}")
    T2["DRAM share at optimum"] = K.dram_share_emin.map(lambda v: f"{v:.1%}")
    T2["GLB share at largest"] = K.glb_share_large.map(lambda v: f"{v:.1%}")
    T2["DRAM share at largest"] = K.dram_share_large.map(lambda v: f"{v:.1%}")
    T2["leakage+clock at optimum"] = K.leak_share_emin.map(lambda v: f"{v:.1%}")
    T2["leakage+clock at largest"] = K.leak_share_large.map(lambda v: f"{v:.1%}")
    out.append(md_table(T2))
    e_glb = []
    for g in (glbs[0], glbs[len(glbs) // 2], glbs[-1]):
        d = df[(df.glb_kib == g) & (df.network == nets[0]) & (df["mode"] == "inference")
               & (df.batch == 1)].iloc[0]
        e_glb.append(f"{fmt_kib(g)}: {d.energy_glb_pj / d.glb_accesses:.3g} pJ")
    out += ["", "GLB energy per access (mean over the word widths moved, " + nets[0]
            + " inference): " + ", ".join(e_glb) + ".", "",
            "## Inference, batch 1: DRAM MiB per inference by layer class", "",
            "Weight-heavy layers: MAC layers whose weights (16 bit) outweigh their input plus "
            "output activations. Floor = each layer's DRAM bytes at the largest buffer; excess = "
            "a layer's DRAM bytes less its floor. min excess: the most negative excess of one "
            "layer (a layer can carry less than its floor when a tensor it would write is "
            "evicted and charged elsewhere).", ""]
    for net in nets:
        s = splits[net].copy()
        nh, nm = heavy[net]
        out.append(f"**{net}** ({nh} of {nm} MAC layers weight-heavy)")
        out.append("")
        pick = s[s.glb_kib.isin([glbs[0], 64, 256, 1024, 4096, 16384, glbs[-1]])]
        pick = pick.assign(**{c: pick[c] / 2**20 for c in
                              ("floor", "excess_weight_layers", "excess_act_layers", "total",
                               "min_layer_excess")})
        pick["glb"] = pick.glb_kib.map(fmt_kib)
        out.append(md_table(pick[["glb", "floor", "excess_weight_layers",
                                  "excess_act_layers", "total", "min_layer_excess"]], "{:.4g}"))
        out.append("")
    out += ["## Training, batch 16: DRAM MiB per sample by phase", ""]
    for net in nets:
        d = _curve(df, net, "training", 16)
        d = d[d.glb_kib.isin([glbs[0], 256, 1024, 4096, 16384, 65536, glbs[-1]])].copy()
        for p in ("fp", "bp", "wg", "wu"):
            d[p] = d[f"{p}_dram_bytes"] / 16 / 2**20
        d["total"] = d.dram_bytes / 16 / 2**20
        d["peak on-chip"] = d.peak_onchip_bytes.map(fmt_bytes)
        d["glb"] = d.glb_kib.map(fmt_kib)
        out.append(f"**{net}**")
        out.append("")
        out.append(md_table(d[["glb", "fp", "bp", "wg", "wu", "total", "peak on-chip"]], "{:.4g}"))
        out.append("")
    out += ["## Policy contrasts: DRAM MiB per sample, default against the alternative", "",
            "Inference: `inter_layer` keep (default) against spill; saved = spill - keep. "
            "Training: `stash` half (default) against none; saved = none - half (negative: the "
            "stash share costs more tiling traffic than it saves).", ""]
    for m, mode, alt in ((sp, "inference", "spill"), (ns, "training", "none")):
        for net in nets:
            for batch in (1, 16):
                d = m[(m.network == net) & (m.batch == batch)].sort_values("glb_kib")
                if d.empty:
                    continue
                saved = (d.dram_bytes_alt - d.dram_bytes) / batch / 2**20
                pick = d.glb_kib.isin([glbs[0], 256, 1024, 4096, 16384, 65536, glbs[-1]])
                cells = ", ".join(f"{fmt_kib(g)}: {v:.4g}" for g, v in
                                  zip(d.glb_kib[pick], saved[pick]))
                line = f"- {net}, {mode}, batch {batch}: saved {cells}"
                if mode == "training":
                    neg = d.glb_kib[(saved < 0).to_numpy()]
                    line += (f"; the stash share costs traffic at {len(neg)} of {len(d)} sizes"
                             + (f", the largest of them {fmt_kib(neg.max())}" if len(neg) else ""))
                out.append(line)
        out.append("")
    ctx.numbers("\n".join(out))
