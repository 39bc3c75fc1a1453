"""Study 3: PE array size and aspect ratio against utilization and latency, at fixed area.

One sweep (jobs/studies/pe_array_shape.toml) of every rows x cols combination of a systolic
array with a fixed buffer, so that the area column depends on the PE count alone: designs of
one PE count are one area bin, and within a bin only the aspect ratio changes.
"""

import numpy as np
import pandas as pd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

import trim_analysis as ta  # noqa: E402
from common import label_axes, md_table, require_all_ok  # noqa: E402

TITLE = "PE array size and aspect ratio against utilization and latency, at fixed area"

COLORS = {256: "tab:blue", 1024: "tab:orange", 4096: "tab:green", 64: "tab:purple",
          16384: "tab:red"}
DF_STYLE = {"ws": ("tab:blue", "o"), "os": ("tab:orange", "s"), "rs": ("tab:red", "^")}


def _ratio_label(v, _):
    r = 2.0 ** v
    return f"{r:g}" if r >= 1 else f"1/{1 / r:g}"


def _check(df, nets):
    require_all_ok(df, nets, "pe_array_shape", ("network", "dataflow", "pe_rows", "pe_cols", "status"))
    assert (df.utilization > 0).all() and (df.utilization <= 1 + 1e-12).all()
    assert (df.latency_s >= df.roofline_s * (1 - 1e-12)).all()
    # the area column is what holds the area fixed: one area per PE count, whatever the shape
    spread = df.groupby("pes").area_mm2.agg(lambda a: a.max() / a.min() - 1)
    if (spread > 1e-12).any():
        raise SystemExit(f"pe_array_shape: designs with equal PE counts differ in area: {spread}")
    # more area never has less peak: area grows strictly with the PE count
    a = df.groupby("pes").area_mm2.first().sort_index().to_numpy()
    assert np.all(np.diff(a) > 0)
    # the MACs do not depend on the array
    assert (df.groupby(["network"]).macs.nunique() == 1).all()
    # utilization is MACs / (peak x cycles): recompute it from the columns
    util = df.macs / (df.pes * df.cycles)
    assert np.allclose(util, df.utilization, rtol=1e-9)


def run(ctx):
    h5 = ctx.sweep("pe_array_shape.toml")
    both = ta.load(h5)
    both["pes"] = (both.pe_rows * both.pe_cols).astype(int)
    # the figures are the systolic array's; the multicast rows are the fill-and-drain contrast
    df = both[both.interconnect == "systolic"].copy()
    mc = both[both.interconnect == "multicast"]
    assert len(df) == len(mc) > 0
    df["pes"] = (df.pe_rows * df.pe_cols).astype(int)
    df["log_ratio"] = np.log2(df.pe_rows / df.pe_cols)
    mc = mc.assign(log_ratio=np.log2(mc.pe_rows / mc.pe_cols))
    nets = list(dict.fromkeys(df.network.astype(str)))
    dfs = [d for d in ("ws", "os", "rs") if d in set(df.dataflow.astype(str))]
    _check(df, nets)
    _check(mc.copy(), nets)
    # without fill and drain an array is never slower: multicast cycles <= systolic cycles
    key = ["network", "dataflow", "pe_rows", "pe_cols"]
    fm = df.merge(mc, on=key, suffixes=("", "_mc"))
    assert len(fm) == len(df)
    assert (fm.cycles_mc <= fm.cycles * (1 + 1e-12)).all()
    # and the interconnect does not change the modelled area (area_noc_um2_per_pe = 0)
    assert np.allclose(fm.area_mm2, fm.area_mm2_mc, rtol=1e-12)
    # the PE counts that come in at least three aspect ratios
    counts = df.groupby("pes").log_ratio.nunique()
    bins = [int(p) for p in sorted(counts[counts >= 3].index)]
    bins = [p for p in bins if p in (256, 1024, 4096)] or bins
    area = df.groupby("pes").area_mm2.first()

    # ---- figures 1 and 2: utilization and latency vs aspect ratio at fixed PE count (area) ----
    for col, ylabel, fname, logy in (
            ("utilization", "utilization (MACs / peak MAC-cycles)", "utilization_vs_aspect.png", False),
            ("latency_s", "latency (ms, log scale)", "latency_vs_aspect.png", True)):
        fig, axes = plt.subplots(len(nets), len(dfs), figsize=(4.4 * len(dfs), 3.3 * len(nets)),
                                 squeeze=False, sharex=True)
        for i, net in enumerate(nets):
            for j, dfl in enumerate(dfs):
                ax = axes[i][j]
                for p in bins:
                    for src, ls, what in ((df, "-o", "systolic"), (mc, ":x", "multicast")):
                        d = src[(src.network == net) & (src.dataflow == dfl) & (src.pes == p)]
                        d = d.sort_values("log_ratio")
                        y = d[col] * (1e3 if col == "latency_s" else 1)
                        ax.plot(d.log_ratio, y, ls, ms=4, color=COLORS.get(p),
                                label=f"{p} PEs, {area[p]:.2f} mm², {what}")
                ax.set_title(f"{net}, {dfl}", fontsize=10)
                ax.xaxis.set_major_formatter(FuncFormatter(_ratio_label))
                ax.set_xticks(range(-6, 7, 2))
                if logy:
                    ax.set_yscale("log")
                else:
                    ax.set_ylim(0, 1.02)
                ax.grid(True, which="both", alpha=0.3)
                if i == len(nets) - 1:
                    ax.set_xlabel("aspect ratio rows / cols (log scale)")
                if j == 0:
                    ax.set_ylabel(ylabel)
        h, lab = axes[0][0].get_legend_handles_labels()
        fig.legend(h, lab, loc="lower center", ncol=len(bins), bbox_to_anchor=(0.5, -0.05),
                   title="PE count (= area bin: the buffer is fixed); solid: systolic array, "
                         "dotted: multicast buses (no fill and drain)")
        fig.suptitle(f"{'Utilization' if col == 'utilization' else 'Latency'} vs aspect ratio "
                     f"at fixed PE count and area (28 nm, inference batch 1)", y=1.0)
        fig.tight_layout(rect=(0, 0.07, 1, 1))
        ctx.figure(fig, fname)

    # ---- figure 3: latency vs area: best shape against the square array ------------------------
    fig, axes = plt.subplots(1, len(nets), figsize=(5.2 * len(nets), 4.3), squeeze=False)
    sq = df[df.pe_rows == df.pe_cols]
    for ax, net in zip(axes[0], nets):
        for dfl in dfs:
            c, m = DF_STYLE[dfl]
            d = df[(df.network == net) & (df.dataflow == dfl)]
            best = d.loc[d.groupby("pes").latency_s.idxmin()].sort_values("area_mm2")
            ax.plot(best.area_mm2, best.latency_s * 1e3, "-", marker=m, color=c, ms=4,
                    label=f"{dfl}, best shape")
            s = sq[(sq.network == net) & (sq.dataflow == dfl)].sort_values("area_mm2")
            ax.plot(s.area_mm2, s.latency_s * 1e3, ":", marker=m, color=c, mfc="none", ms=6,
                    label=f"{dfl}, square")
        label_axes(ax, "chip area (mm², log scale)", "latency (ms, log scale)", net,
                   logx=True, logy=True)
    h, lab = axes[0][0].get_legend_handles_labels()
    fig.legend(h, lab, loc="lower center", ncol=len(dfs) * 2, bbox_to_anchor=(0.5, -0.1))
    fig.suptitle("Latency vs area: the best aspect ratio of each PE count against the square array")
    fig.tight_layout()
    ctx.figure(fig, "latency_vs_area.png")

    # ---- numbers.md ------------------------------------------------------------------------------
    t = ctx.timings.get("pe_array_shape.toml", 0.0)
    out = [f"# Numbers: {TITLE}", "",
           f"Generated by `analysis/studies/run.py pe_array_shape`; sweep of {len(both)} points "
           f"({len(df)} systolic, {len(mc)} multicast) in {t:.1f} s wall ({ctx.ranks} ranks). "
           f"Everything below is the systolic array unless a table says otherwise.", "",
           "## Area per PE count (the buffer is fixed, so each PE count is one area bin)", "",
           md_table(pd.DataFrame({"PEs": area.index.astype(int),
                                  "area mm²": area.to_numpy()}), "{:.4g}"), "",
           "## Per network, dataflow and PE count: best, square and worst aspect ratio", "",
           "Aspect ratio = rows / cols. Latency in ms.", ""]
    rows = []
    for net in nets:
        for dfl in dfs:
            for p in bins:
                d = df[(df.network == net) & (df.dataflow == dfl) & (df.pes == p)]
                b = d.loc[d.latency_s.idxmin()]
                w = d.loc[d.latency_s.idxmax()]
                s = d[d.pe_rows == d.pe_cols]
                s = s.iloc[0] if len(s) else None
                rows.append({
                    "network": net, "dataflow": dfl, "PEs": p,
                    "best shape": f"{int(b.pe_rows)}x{int(b.pe_cols)}",
                    "util best": f"{b.utilization:.3f}", "ms best": f"{b.latency_s * 1e3:.4g}",
                    "util square": "-" if s is None else f"{s.utilization:.3f}",
                    "ms square": "-" if s is None else f"{s.latency_s * 1e3:.4g}",
                    "worst shape": f"{int(w.pe_rows)}x{int(w.pe_cols)}",
                    "util worst": f"{w.utilization:.3f}", "ms worst": f"{w.latency_s * 1e3:.4g}",
                    "worst/best": f"{w.latency_s / b.latency_s:.2f}"})
    out.append(md_table(pd.DataFrame(rows)))
    out += ["", "## Fill and drain: square arrays, systolic against multicast", "",
            "Utilization of the square array of each bin with the systolic interconnect (fill "
            "and drain per fold, as in the figures) and with multicast buses (none).", ""]
    rows = []
    for net in nets:
        for dfl in dfs:
            r = {"network": net, "dataflow": dfl}
            for p in bins:
                s = fm[(fm.network == net) & (fm.dataflow == dfl) & (fm.pes == p)
                       & (fm.pe_rows == fm.pe_cols)]
                if len(s):
                    r[f"{p} PEs systolic"] = f"{s.utilization.iloc[0]:.3f}"
                    r[f"{p} PEs multicast"] = f"{s.utilization_mc.iloc[0]:.3f}"
            rows.append(r)
    out.append(md_table(pd.DataFrame(rows)))
    out += ["", "## The same with multicast buses: lowest and highest utilization over the shapes "
            "of each bin", ""]
    rows = []
    for net in nets:
        for dfl in dfs:
            r = {"network": net, "dataflow": dfl}
            for p in bins:
                for src, what in ((df, "systolic"), (mc, "multicast")):
                    u = src[(src.network == net) & (src.dataflow == dfl) & (src.pes == p)].utilization
                    r[f"{p} {what}"] = f"{u.min():.3f}-{u.max():.3f}"
            rows.append(r)
    out.append(md_table(pd.DataFrame(rows)))
    out += ["", "## Scaling: best latency over shapes and dataflows per PE count", "",
            "Speed-up relative to the smallest bin; ideal = the PE ratio.", ""]
    rows = []
    for net in nets:
        d = df[df.network == net]
        best = d.groupby("pes").latency_s.min()
        base = bins[0]
        for p in bins:
            bd = d[(d.pes == p)].loc[lambda x: x.latency_s.idxmin()]
            rows.append({"network": net, "PEs": p, "area mm²": f"{area[p]:.3g}",
                         "best": f"{bd.dataflow} {int(bd.pe_rows)}x{int(bd.pe_cols)}",
                         "ms": f"{best[p] * 1e3:.4g}", "util": f"{bd.utilization:.3f}",
                         "speed-up": f"{best[base] / best[p]:.2f}", "ideal": f"{p / base:g}"})
    out.append(md_table(pd.DataFrame(rows)))
    ctx.numbers("\n".join(out))
