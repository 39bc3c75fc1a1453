"""Case study 7: ten million distinct accelerator designs for one ResNet-50 training step, run
through slurm/trim-sweep.sbatch on a (single-node) Slurm cluster
(docs/studies/ten_million_designs.md).

The sweep is submitted with ctx.sbatch (sbatch, then waits for the job), so the study needs a
running Slurm: `sudo bash slurm/ci/local-slurm.sh start` and SLURM_CONF in the environment.
What it draws: the latency-energy Pareto front of every design within the budget, how much each
design axis matters (trim_analysis.sensitivity) for EDP, latency and energy, and why designs
fall outside the budget.
"""

import os
import re

import h5py
import numpy as np
import pandas as pd

import trim_analysis as ta
from common import fmt_kib, md_rows

TITLE = "Ten million designs through Slurm: front, axis sensitivity, feasibility"

JOB = "ten_million_designs.toml"
# The [link] axes advance with pe_cols; they are not choices of their own.
LINKED = ("glb_words_per_cycle", "noc_words_per_cycle")
GOALS = [("edp_js", "EDP"), ("latency_s", "latency"), ("energy_pj", "energy")]




def _fmt_value(axis, v):
    if axis == "glb_kib":
        return fmt_kib(v)
    if isinstance(v, (float, np.floating)):
        return f"{v:g}"
    return str(v)


def _run_info(ctx, h5):
    """Wall time, points/s and phase times of the run, from the file and the Slurm log."""
    info = dict(ctx.slurm[JOB])
    with h5py.File(h5, "r") as f:
        info["rows"] = int(f.attrs["rows"])
        info["points_done"] = int(f.attrs["points_done"])
        info["wall_time_s"] = float(f.attrs["wall_time_s"])
        info["mpi_ranks"] = int(f.attrs["mpi_ranks"])
        info["output_dtype"] = str(f.attrs["output_dtype"])
        info["version"] = str(f.attrs["trim_sweep_version"])
        for k in ("time_evaluate_s_max", "time_write_s_max", "time_sched_s_max",
                  "time_fill_s_max"):
            info[k] = float(f.attrs[k])
    info["file_bytes"] = os.path.getsize(h5)
    log = open(info["log"], errors="replace").read()
    m = re.search(r"PERFORMANCE .*", log)
    info["performance"] = m.group(0) if m else ""
    return info


def _check(df, h5, budget):
    """Invariants; any failure stops the study with a non-zero exit."""
    with h5py.File(h5, "r") as f:
        rows = int(f.attrs["rows"])
        done = int(np.count_nonzero(f["done"][()]))
        sizes = [f["axes"][a].shape[0] if a in f["axes"] else f["lookup"][a].shape[0]
                 for a in f.attrs["axis_order"].split(",") if a not in LINKED]
        best_idx = f["best"]["index"][()]
    if done != rows or len(df) != rows:
        raise SystemExit(f"error: {done} of {rows} rows done ({len(df)} read)")
    if int(np.prod(sizes)) != rows:
        raise SystemExit(f"error: {rows} rows, but the axes (linked ones once) give {np.prod(sizes)}")
    axes = [a for a in ta.design_axes(df)]
    # every row is a distinct design: no two rows share every design axis value
    codes = np.zeros(len(df), dtype=np.int64)
    for a in axes:
        col = df[a]
        c = col.cat.codes.to_numpy() if isinstance(col.dtype, pd.CategoricalDtype) else \
            np.unique(col.to_numpy(), return_inverse=True)[1]
        codes = codes * (int(c.max()) + 1) + c
    n_distinct = len(np.unique(codes))
    assert n_distinct == rows, f"{rows - n_distinct} rows repeat a design"
    ok = (df["status"] == "ok").to_numpy()
    lat = df["latency_s"].to_numpy(np.float64)[ok]
    en = df["energy_pj"].to_numpy(np.float64)[ok]
    pw = df["power_w"].to_numpy(np.float64)[ok]
    # float32 columns: power = energy / latency to float32 rounding (three roundings)
    assert np.allclose(pw, en * 1e-12 / lat, rtol=1e-6, atol=0), "power != energy / latency"
    assert (lat >= df["roofline_s"].to_numpy(np.float64)[ok] * (1 - 1e-6)).all(), \
        "a latency below its roofline bound"
    inside = np.ones(ok.sum(), dtype=bool)
    for col, hi in budget.items():
        inside &= df[col].to_numpy(np.float64)[ok] <= hi
    mism = int((inside != (df["feasible"].to_numpy()[ok] == 1)).sum())
    # the constraint is checked in float64 before rounding: only values within float32
    # rounding of a bound may disagree with their stored float32 value
    near = np.zeros(ok.sum(), dtype=bool)
    for col, hi in budget.items():
        near |= np.abs(df[col].to_numpy(np.float64)[ok] / hi - 1) < 1e-6
    assert mism <= int(near.sum()), f"{mism} rows: feasible disagrees with the budget"
    # the sweep's own /best table (C++) is the analysis's best (Python) under the job's goal
    top = ta.best(df, top=len(best_idx), by=[])
    assert list(top["index"]) == list(best_idx), "/best differs from trim_analysis.best"
    return axes


def _reasons(df, budget):
    """Why each design is outside the budget: (labels, codes), codes one small int per row
    (0 = within the budget)."""
    (ca, ha), (cp, hp) = list(budget.items())
    labels = ["within budget", f"area > {ha:g} mm^2 only", f"power > {hp:g} W only",
              "area and power"]
    a = df[ca].to_numpy(np.float64) > ha
    p = df[cp].to_numpy(np.float64) > hp
    codes = a.astype(np.int8) + 2 * p.astype(np.int8)
    st = df["status"]
    bad = (st != "ok").to_numpy()
    if bad.any():  # a design without a valid mapping: its reason, whatever the budget says
        names = list(st.cat.categories)
        for k, name in enumerate(names):
            m = bad & (st.cat.codes.to_numpy() == k)
            if m.any():
                labels.append(f"no mapping: {name}")
                codes[m] = len(labels) - 1
    return labels, codes


def _plot_front(ctx, df, front, node_fronts, front3):
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(9.5, 6.8))
    ok = df[df["status"] == "ok"]
    x = ok["latency_s"].to_numpy(np.float64)
    y = ok["energy_pj"].to_numpy(np.float64) * 1e-12
    hb = ax.hexbin(x, y, xscale="log", yscale="log", gridsize=140, bins="log", cmap="Greys",
                   mincnt=1, linewidths=0)
    cb = fig.colorbar(hb, ax=ax, pad=0.01)
    cb.set_label(f"designs per cell (all {len(df):,}, inside and outside the budget)")
    nodes = list(df["tech_node"].cat.categories)
    colours = dict(zip(nodes, plt.cm.plasma(np.linspace(0, 0.85, len(nodes)))))
    for node in nodes:
        f = node_fronts[node_fronts["tech_node"] == node].sort_values("latency_s")
        if len(f):
            ax.step(f["latency_s"], f["energy_pj"] * 1e-12, where="post", color=colours[node],
                    lw=1.2, zorder=3)
            ax.scatter(f["latency_s"], f["energy_pj"] * 1e-12, s=14, color=colours[node],
                       edgecolors="k", linewidths=0.3, zorder=4,
                       label=f"{node}: front within budget ({len(f)} designs)")
    f = front.sort_values("latency_s")
    ax.scatter(f["latency_s"], f["energy_pj"] * 1e-12, s=70, facecolors="none", edgecolors="k",
               linewidths=1.0, zorder=5, label=f"front of all nodes ({len(f)} designs)")
    ax.set_xlabel("latency of one training step, batch 16 (s)")
    ax.set_ylabel("energy of one training step (J)")
    ax.set_title(f"ResNet-50 training, {len(df):,} designs: latency-energy Pareto fronts within "
                 f"the budget, per process node\n({len(front3)} designs on the "
                 "latency-energy-area front of all nodes)", fontsize=10)
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    ctx.figure(fig, "front.png")


def _ratio_axis(ax):
    """A y axis of ratios >= 1: logarithmic with plain labels when it spans 8x or more."""
    from matplotlib.ticker import FuncFormatter
    lo, hi = ax.get_ylim()
    if hi / max(lo, 1e-12) >= 8:
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(FuncFormatter(
            lambda v, _: f"{v:g}" if f"{v:g}"[0] in "25" else ""))


def _plot_sensitivity(ctx, summaries, curves, axes):
    import matplotlib.pyplot as plt
    n = len(axes)
    ncols = 4
    nrows = 1 + (n + ncols - 1) // ncols
    fig = plt.figure(figsize=(15, 3.3 * nrows))
    ax0 = fig.add_subplot(nrows, 1, 1)
    order = summaries["edp_js"].set_index("axis").reindex(axes)["sensitivity"]
    axes = list(order.sort_values(ascending=False).index)
    x = np.arange(n)
    w = 0.8 / len(GOALS)
    for gi, (col, label) in enumerate(GOALS):
        s = summaries[col].set_index("axis").reindex(axes)["sensitivity"].to_numpy()
        ax0.bar(x - 0.4 + w / 2 + gi * w, 1 + s, w, label=label, color=f"C{gi}")
    ax0.set_yscale("log")
    ax0.set_ylim(bottom=1)
    ax0.set_xticks(x)
    ax0.set_xticklabels(axes)
    ax0.set_ylabel("worst value's best / best overall")
    ax0.set_title("How much each design axis matters: the best goal reachable with the axis at its "
                  "worst value, other axes free, over the best overall (designs within the budget)",
                  fontsize=10)
    ax0.legend(fontsize=8)
    ax0.grid(True, axis="y", alpha=0.3)
    for i, a in enumerate(axes):
        ax = fig.add_subplot(nrows, ncols, ncols + i + 1)
        for gi, (col, label) in enumerate(GOALS):
            c = curves[col][curves[col]["axis"] == a]
            best = c["best"].to_numpy(np.float64) / np.nanmin(c["best"].to_numpy(np.float64))
            labels = [_fmt_value(a, v) for v in c["value"]]
            ax.plot(np.arange(len(c)), best, "o-", ms=3, color=f"C{gi}", label=label)
        ax.set_xticks(np.arange(len(labels)))
        ax.set_xticklabels(labels, rotation=45, fontsize=7, ha="right")
        _ratio_axis(ax)
        ax.set_title(a, fontsize=9)
        if i == 0:
            ax.legend(fontsize=7)
        ax.set_ylabel("best / best overall", fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
        ax.grid(True, which="both", alpha=0.25)
    fig.tight_layout()
    ctx.figure(fig, "sensitivity.png")


def _plot_reasons(ctx, df, labels, codes):
    import matplotlib.pyplot as plt
    panels = ["tech_node", "clock_mhz", "pe_cols", "glb_kib"]
    fig, axs = plt.subplots(1, len(panels), figsize=(17, 4.6), sharey=True)
    colours = ["tab:green", "tab:orange", "tab:blue", "tab:red", "tab:gray", "k", "tab:brown"]
    for ax, axis in zip(axs, panels):
        col = df[axis]
        if isinstance(col.dtype, pd.CategoricalDtype):
            values, inv = list(col.cat.categories), col.cat.codes.to_numpy()
        else:
            values, inv = np.unique(col.to_numpy(), return_inverse=True)
        counts = np.bincount(inv * len(labels) + codes, minlength=len(values) * len(labels))
        counts = counts.reshape(len(values), len(labels)).astype(np.float64)
        share = 100 * counts / counts.sum(axis=1, keepdims=True)
        bottom = np.zeros(len(values))
        for k in range(1, len(labels)):
            if counts[:, k].sum() == 0:
                continue
            ax.bar(np.arange(len(values)), share[:, k], bottom=bottom, label=labels[k],
                   color=colours[k % len(colours)])
            bottom += share[:, k]
        ax.set_xticks(np.arange(len(values)))
        ax.set_xticklabels([_fmt_value(axis, v) for v in values], rotation=45, ha="right",
                           fontsize=8)
        ax.set_xlabel(axis + (" (port and network widen with it)" if axis == "pe_cols" else ""),
                      fontsize=9)
        ax.grid(True, axis="y", alpha=0.3)
    axs[0].set_ylabel("outside the budget (% of the designs)")
    axs[0].legend(fontsize=8, loc="upper right")
    fig.suptitle(f"Why designs fall outside the budget ({100 * (codes != 0).mean():.1f} % of "
                 f"{len(df):,}), by the value of one axis", fontsize=11)
    fig.tight_layout()
    ctx.figure(fig, "feasibility.png")


def _design(r):
    return [f"{r.latency_s:.3g}", f"{r.energy_pj * 1e-12:.3g}", f"{r.edp_js:.3g}",
            f"{r.power_w:.3g}", f"{r.area_mm2:.3g}", f"{r.utilization:.2f}",
            f"{int(r.pe_rows)}x{int(r.pe_cols)} {r.interconnect}",
            f"{fmt_kib(r.glb_kib)} / {int(r.glb_banks)}", str(r.dataflow),
            f"{r.dram_type} x{int(r.dram_channels)}", str(r.tech_node), f"{r.clock_mhz:g}"]


DESIGN_HEADER = ["latency (s)", "energy (J)", "EDP (J*s)", "power (W)", "area (mm^2)",
                 "utilization", "array", "GLB / banks", "dataflow", "DRAM x channels", "node",
                 "clock (MHz)"]


def _share(frame, col, fmt=str):
    vc = frame[col].value_counts()
    return ", ".join(f"{fmt(k)} {v}" for k, v in vc.items() if v > 0)


def run(ctx):
    import tomllib
    with open(ctx.job(JOB), "rb") as f:
        budget = {k: v["max"] for k, v in tomllib.load(f)["constraints"].items()}
    h5 = ctx.sbatch(JOB)
    info = _run_info(ctx, h5)
    with h5py.File(h5, "r") as f:  # read only what the study uses (10.6 M rows)
        order = [a for a in f.attrs["axis_order"].split(",") if a not in LINKED]
    df = ta.load(h5, columns=order + ["latency_s", "energy_pj", "edp_js", "area_mm2", "power_w",
                                      "utilization", "roofline_s", "status", "feasible"])
    axes = _check(df, h5, budget)
    axes = [a for a in axes if a not in LINKED]
    front = ta.pareto_front(df, ["latency", "energy"], by=[])
    front3 = ta.pareto_front(df, ["latency", "energy", "area"], by=[])
    # the same front without the budget: what the caps take away
    free = ta.pareto_front(df, ["latency", "energy"], by=[], feasible_only=False,
                           constraints={"status": "ok"})
    assert ta.pareto_mask_bruteforce(front[["latency_s", "energy_pj"]].to_numpy(np.float64)).all()
    cand = ta.constrain(df)
    assert front["latency_s"].min() == cand["latency_s"].min()
    assert front["energy_pj"].min() == cand["energy_pj"].min()
    summaries, curves = {}, {}
    for col, _ in GOALS:
        summaries[col], curves[col] = ta.sensitivity(df, col, axes=axes, by=[])
    labels, codes = _reasons(df, budget)
    node_fronts = ta.pareto_front(df, ["latency", "energy"], by=["tech_node"])

    _plot_front(ctx, df, front, node_fronts, front3)
    _plot_sensitivity(ctx, summaries, curves, axes)
    _plot_reasons(ctx, df, labels, codes)

    pps = info["points_done"] / info["wall_time_s"]
    out = [f"# {TITLE}: generated numbers", "",
           "Generated by `analysis/studies/run.py ten_million_designs`; do not edit.", "",
           "## The run", "",
           f"- Slurm job {info['job_id']}: `sbatch --ntasks={info['ranks']} slurm/trim-sweep.sbatch "
           f"jobs/studies/{JOB}` ({'reduced job' if ctx.reduced else 'full job'}), state "
           f"{info['state']}, exit code {info['exit_code']}",
           f"- trim-sweep {info['version']}, {info['mpi_ranks']} MPI ranks (srun)",
           f"- rows {info['rows']:,}, done {info['points_done']:,}; distinct designs "
           f"{info['rows']:,} (checked: no two rows share every design axis)",
           f"- trim-sweep wall time {info['wall_time_s']:.1f} s, {pps:,.0f} points/s "
           f"({pps / info['mpi_ranks']:,.0f} per rank); from submission to the end of the "
           f"Slurm job {info['submit_to_end_s']:.1f} s",
           f"- slowest rank: evaluate {info['time_evaluate_s_max']:.1f} s, write "
           f"{info['time_write_s_max']:.2f} s, scheduling {info['time_sched_s_max']:.2f} s",
           f"- results file {info['file_bytes'] / 1e9:.2f} GB ({info['file_bytes'] / info['rows']:.0f} "
           f"B per row), result columns {info['output_dtype']}",
           f"- `{info['performance']}`", ""]
    out += ["## Feasibility", "",
            "Budget: " + ", ".join(f"`{c} <= {v:g}`" for c, v in budget.items()) + ".", "",
            md_rows([[labels[k], f"{int(v):,}", f"{100 * v / len(df):.1f} %"]
                 for k, v in enumerate(np.bincount(codes, minlength=len(labels)))],
                ["reason", "designs", "share"]),
            "", "Designs within the budget per value of each axis (share of the designs with "
            "that value):", ""]
    within = codes == 0
    for a in axes:
        g = pd.Series(within, index=df.index).groupby(df[a], observed=True, sort=True).mean()
        out.append(f"- {a}: " + ", ".join(f"{_fmt_value(a, v)} {100 * m:.1f} %"
                                          for v, m in g.items()))
    out += ["", "Front of each node within the budget (latency-energy):", "",
            md_rows([[n, len(g), f"{g.latency_s.min():.3g}", f"{g.energy_pj.min() * 1e-12:.3g}",
                  f"{g.edp_js.min():.3g}"]
                 for n, g in node_fronts.groupby("tech_node", observed=True)],
                ["node", "designs on its front", "lowest latency (s)", "lowest energy (J)",
                 "lowest EDP on its front (J*s)"]), ""]
    f = front.sort_values("latency_s")
    fd = f.drop_duplicates(["latency_s", "energy_pj"])
    out += ["## Pareto front (latency, energy) within the budget", "",
            f"- {len(f)} designs ({len(fd)} distinct latency-energy points) out of "
            f"{len(cand):,} within the budget; {len(front3)} on the latency-energy-area front",
            f"- without the budget (every design with a mapping) the front has {len(free)} designs, "
            f"{int((free['feasible'] == 1).sum())} of them within the budget; its fastest design takes "
            f"{free.latency_s.min():.6g} s at {free.sort_values('latency_s').iloc[0].power_w:.3g} W and "
            f"{free.sort_values('latency_s').iloc[0].area_mm2:.3g} mm^2 (within the budget: "
            f"{f.latency_s.min():.6g} s), its lowest energy is {free.energy_pj.min() * 1e-12:.4g} J "
            f"(within the budget: {f.energy_pj.min() * 1e-12:.4g} J)",
            f"- latency {f.latency_s.min():.3g} to {f.latency_s.max():.3g} s per step, energy "
            f"{f.energy_pj.max() * 1e-12:.3g} to {f.energy_pj.min() * 1e-12:.3g} J per step",
            "- on the front: node " + _share(f, "tech_node") + "; dataflow " + _share(f, "dataflow") +
            "; interconnect " + _share(f, "interconnect") + "; DRAM " + _share(f, "dram_type") +
            "; channels " + _share(f, "dram_channels", lambda v: f"{v:g}") + "; clock " +
            _share(f, "clock_mhz", lambda v: f"{v:g}") + "; GLB " + _share(f, "glb_kib", fmt_kib) +
            "; banks " + _share(f, "glb_banks", lambda v: f"{v:g}") + "; pe_rows " +
            _share(f, "pe_rows", lambda v: f"{v:g}") + "; pe_cols " + _share(f, "pe_cols", lambda v: f"{v:g}"),
            "", "Designs along the front (fastest first, at most 10 spread along it):", "",
            md_rows([_design(r) for r in fd.iloc[sorted(set(np.linspace(0, len(fd) - 1, min(10, len(fd))).round().astype(int)))].itertuples()],
                DESIGN_HEADER), ""]
    top = ta.best(df, "edp_js", top=10, by=[])
    out += ["## Lowest EDP within the budget (the job's goal; equals the file's /best table)", "",
            md_rows([_design(r) for r in top.itertuples()], DESIGN_HEADER), ""]
    out += ["## Sensitivity of each design axis (within the budget)", "",
            "Factor = 1 + sensitivity (trim_analysis.sensitivity): the best goal reachable with "
            "the axis fixed at its worst value, other axes free, over the best overall.", ""]
    rows = []
    s = {c: summaries[c].set_index("axis") for c, _ in GOALS}
    for a in s["edp_js"].sort_values("sensitivity", ascending=False).index:
        rows.append([a] + [f"{1 + s[c].loc[a, 'sensitivity']:.3g}x (best {_fmt_value(a, s[c].loc[a, 'best_value'])}, "
                           f"worst {_fmt_value(a, s[c].loc[a, 'worst_value'])})" for c, _ in GOALS])
    out += [md_rows(rows, ["axis"] + [f"{lab}" for _, lab in GOALS]), ""]
    ctx.numbers("\n".join(out))
