"""Case study 5: the Pareto fronts of an edge budget and of a data-centre budget, for inference
and for training, and the designs on them (docs/studies/edge_vs_datacentre.md).

Four jobs (jobs/studies/edge_vs_datacentre-*.toml), one per budget and mode. Each job's
[constraints] is its budget (power and area), so `feasible` marks the designs within it; the
fronts are the latency-energy Pareto fronts of the feasible designs, per network
(trim_analysis.pareto_front), drawn coloured by power and by area.
"""

import tomllib

import numpy as np

import trim_analysis as ta
from common import fmt_kib, md_rows

TITLE = "Edge against data centre: latency-energy fronts under a power and area budget"

CASES = [("edge", "inference"), ("edge", "training"), ("dc", "inference"), ("dc", "training")]
BUDGET_NAME = {"edge": "edge", "dc": "data centre"}
# What a front-design table shows (the axes of the jobs), in this order.
DESIGN_COLS = ["pe_rows", "pe_cols", "interconnect", "glb_kib", "glb_banks", "dataflow",
               "dram_type", "dram_channels", "tech_node", "clock_mhz"]
ROWS_PER_TABLE = 8




def _job_budget(path):
    """{column: max} of the job's [constraints], the networks, batch and mode of its workload."""
    with open(path, "rb") as f:
        job = tomllib.load(f)
    budget = {k: v["max"] for k, v in job.get("constraints", {}).items()}
    nets = [n if isinstance(n, str) else f"{n['name']}:seq_len={n['seq_len']}"
            for n in job["workload"]["networks"]]
    return budget, nets, job["workload"]["batch"][0], job["workload"]["mode"][0]


def _check(df, budget, nets, case):
    """Invariants of what the sweep wrote; any failure stops the study (exit non-zero)."""
    got = set(df["network"].astype(str).unique())
    if got != set(nets):
        raise SystemExit(f"error: {case}: networks in the file {sorted(got)} != job {nets}")
    ok = df[df["status"] == "ok"]
    if len(ok) == 0:
        raise SystemExit(f"error: {case}: no design has a valid mapping")
    # power is energy over latency (docs/model.md section 13)
    p = ok["energy_pj"].to_numpy() * 1e-12 / ok["latency_s"].to_numpy()
    assert np.allclose(ok["power_w"].to_numpy(), p, rtol=1e-9), f"{case}: power != energy/latency"
    # no design beats the roofline bound of its own layers (section 12)
    assert (ok["latency_s"].to_numpy() >= ok["roofline_s"].to_numpy() * (1 - 1e-9)).all(), \
        f"{case}: a latency below its roofline bound"
    # feasible == inside the budget
    inside = np.ones(len(ok), dtype=bool)
    for col, hi in budget.items():
        inside &= ok[col].to_numpy() <= hi
    assert (ok["feasible"].to_numpy() == 1).sum() == inside.sum(), f"{case}: feasible != budget"
    for net in nets:
        n_feas = int(((df["network"] == net) & (df["feasible"] == 1)).sum())
        if n_feas == 0:
            raise SystemExit(f"error: {case}: no design of {net} fits the budget {budget}")


def _check_front(df, front, budget, case):
    for net, part in front.groupby("network", observed=True):
        cand = df[(df["network"] == net) & (df["feasible"] == 1) & (df["status"] == "ok")]
        vals = part[["latency_s", "energy_pj"]].to_numpy()
        assert ta.pareto_mask_bruteforce(vals).all(), f"{case} {net}: a front design is dominated"
        # the front's ends are the fastest and the most frugal designs within the budget
        assert vals[:, 0].min() == cand["latency_s"].min(), f"{case} {net}: front misses fastest"
        assert vals[:, 1].min() == cand["energy_pj"].min(), f"{case} {net}: front misses lowest E"
        for col, hi in budget.items():
            assert (part[col] <= hi).all(), f"{case} {net}: a front design breaks {col} <= {hi}"


def _design_row(r):
    return [f"{r.latency_s * 1e3:.3g}", f"{r.energy_pj * 1e-9:.3g}", f"{r.power_w:.3g}",
            f"{r.area_mm2:.3g}", f"{int(r.pe_rows)}x{int(r.pe_cols)} {r.interconnect}",
            f"{fmt_kib(r.glb_kib)} / {int(r.glb_banks)}", str(r.dataflow),
            f"{r.dram_type} x{int(r.dram_channels)}", str(r.tech_node), f"{r.clock_mhz:g}"]


HEADER = ["latency (ms)", "energy (mJ)", "power (W)", "area (mm^2)", "array", "GLB / banks",
          "dataflow", "DRAM x channels", "node", "clock (MHz)"]


def _thin(front, k):
    """k designs spread along a front sorted by latency (both ends included)."""
    if len(front) <= k:
        return front
    idx = sorted(set(np.linspace(0, len(front) - 1, k).round().astype(int)))
    return front.iloc[idx]


def _share(front, col):
    vc = front[col].astype(str).value_counts()
    return ", ".join(f"{k} {v}" for k, v in vc.items() if v > 0)


def _plot_case(ctx, df, front, budget, nets, case_name, title):
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm, Normalize
    from matplotlib.ticker import FuncFormatter
    fig, axes = plt.subplots(2, len(nets), figsize=(6.2 * len(nets), 9.5), squeeze=False)
    rng = np.random.default_rng(0)
    for j, net in enumerate(nets):
        part = df[(df["network"] == net) & (df["status"] == "ok")]
        feas = part[part["feasible"] == 1]
        over = part[part["feasible"] != 1]
        f = front[front["network"] == net].sort_values("latency_s")
        f = f.drop_duplicates(["latency_s", "energy_pj"])
        x, y = f["latency_s"].to_numpy() * 1e3, f["energy_pj"].to_numpy() * 1e-9
        unit = "step" if "training" in case_name else "batch"
        for i, (col, label) in enumerate([("power_w", "power (W)"), ("area_mm2", "area (mm$^2$)")]):
            ax = axes[i][j]
            zoom = i == 1  # the lower panel: the neighbourhood of the front, arrays labelled
            box = (x.min() / 1.25, x.max() * 1.6, y.min() / 1.12, y.max() * 1.12)
            for sub, colour, lab in ((over, "#e8a0a0", "over budget"),
                                     (feas, "#a8a8a8", "within budget")):
                n = len(sub)
                if zoom:
                    lat, en = sub["latency_s"] * 1e3, sub["energy_pj"] * 1e-9
                    sub = sub[(lat >= box[0]) & (lat <= box[1]) & (en >= box[2]) & (en <= box[3])]
                if len(sub) > 30000:
                    sub = sub.iloc[rng.choice(len(sub), 30000, replace=False)]
                ax.scatter(sub["latency_s"] * 1e3, sub["energy_pj"] * 1e-9, s=4 if zoom else 2,
                           c=colour, alpha=0.5 if zoom else 0.35, lw=0,
                           label=f"{lab} ({n:,} designs)", rasterized=True)
            ax.step(x, y, where="post", color="k", lw=0.8, zorder=3)
            vals = f[col].to_numpy()
            lo, hi = vals.min(), max(vals.max(), vals.min() * 1.01)
            norm = LogNorm(vmin=lo, vmax=hi) if hi / lo >= 10 else Normalize(vmin=lo, vmax=hi)
            sc = ax.scatter(x, y, c=vals, cmap="viridis", s=34, edgecolors="k", linewidths=0.4,
                            norm=norm, zorder=4, label=f"Pareto front ({len(f)} points)")
            cb = fig.colorbar(sc, ax=ax, pad=0.01)
            cb.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            log = isinstance(norm, LogNorm)
            cb.ax.yaxis.set_minor_formatter(FuncFormatter(
                lambda v, _, log=log: f"{v:g}" if log and f"{v:g}"[0] in "25" else ""))
            cb.set_label(f"front design {label}")
            ax.set_xscale("log")
            ax.set_yscale("log")
            if zoom:
                ax.set_xlim(box[0], box[1])
                ax.set_ylim(box[2], box[3])
                for k, r in enumerate(f.itertuples()):
                    ax.annotate(f"{int(r.pe_rows)}x{int(r.pe_cols)} {r.dataflow}",
                                (r.latency_s * 1e3, r.energy_pj * 1e-9), fontsize=6.5,
                                xytext=(4, 4 if k % 2 == 0 else -9), textcoords="offset points",
                                zorder=5)
                for lab in (ax.xaxis, ax.yaxis):
                    lab.set_minor_formatter(FuncFormatter(lambda v, _: f"{v:.3g}"))
                    lab.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
                ax.tick_params(axis="both", which="minor", labelsize=7)
            ax.set_xlabel(f"latency per {unit} (ms)")
            ax.set_ylabel(f"energy per {unit} (mJ)")
            ax.set_title(f"{net}: " + ("near the front (array, dataflow), by "
                                       if zoom else "all designs, front by ") + label,
                         fontsize=10)
            ax.grid(True, which="both", alpha=0.25)
            leg = ax.legend(loc="upper right", fontsize=8, markerscale=3)
            leg.legendHandles[-1].set_sizes([34])
    lim = ", ".join(f"{c.replace('_w', '').replace('_mm2', '')} <= {v:g} {'W' if c == 'power_w' else 'mm^2'}"
                    for c, v in budget.items())
    fig.suptitle(f"{title} (budget: {lim})", fontsize=12)
    fig.tight_layout()
    ctx.figure(fig, f"front-{case_name}.png")


def _plot_resnet(ctx, per_sample, labels):
    """ResNet-50 in all four cases on common per-sample axes."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(8.5, 6))
    colours = {"edge-inference": "tab:green", "edge-training": "tab:olive",
               "dc-inference": "tab:blue", "dc-training": "tab:purple"}
    for case, (cand, front) in per_sample.items():
        sub = cand.sample(min(len(cand), 20000), random_state=0)
        ax.scatter(sub["throughput_sps"], sub["energy_per_sample_pj"] * 1e-9, s=2, alpha=0.15,
                   c=colours[case], lw=0, rasterized=True)
        f = front.sort_values("throughput_sps")
        ax.plot(f["throughput_sps"], f["energy_per_sample_pj"] * 1e-9, "o-", ms=4,
                c=colours[case], label=f"{labels[case]} ({len(f)} on the front)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("throughput (samples/s)")
    ax.set_ylabel("energy per sample (mJ)")
    ax.set_title("ResNet-50 within each budget: throughput against energy per sample\n"
                 "(dots: designs within the budget; lines: their Pareto fronts)", fontsize=10)
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(fontsize=9)
    fig.tight_layout()
    ctx.figure(fig, "resnet50-per-sample.png")


def run(ctx):
    out = [f"# {TITLE}: generated numbers", "",
           "Generated by `analysis/studies/run.py edge_vs_datacentre`; do not edit.", ""]
    per_sample = {}
    case_labels = {}
    timing_rows = []
    for budget_key, mode in CASES:
        case = f"{budget_key}-{mode}"
        job_file = f"edge_vs_datacentre-{case}.toml"
        budget, nets, batch, job_mode = _job_budget(ctx.job(job_file))
        assert job_mode == mode, f"{job_file}: mode {job_mode}, expected {mode}"
        h5 = ctx.sweep(job_file)
        df = ta.load(h5)
        _check(df, budget, nets, case)
        front = ta.pareto_front(df, ["latency", "energy"], by=["network"])
        _check_front(df, front, budget, case)
        timing_rows.append([case, f"{len(df):,}", f"{ctx.timings[job_file]:.1f}",
                            f"{len(df) / ctx.timings[job_file]:,.0f}"])
        title = f"{BUDGET_NAME[budget_key]} {mode}"
        case_labels[case] = f"{title}, batch {batch}"
        _plot_case(ctx, df, front, budget, nets, case, title.capitalize() +
                   f", batch {batch}")
        lim = ", ".join(f"`{c} <= {v:g}`" for c, v in budget.items())
        out += [f"## {title}: batch {batch}, budget {lim}", ""]
        ok = df[df["status"] == "ok"]
        for net in nets:
            part = ok[ok["network"] == net]
            feas = part[part["feasible"] == 1]
            f_all = front[front["network"] == net].sort_values("latency_s", kind="stable")
            # designs that tie in both objectives (e.g. a second DRAM channel that a
            # compute-bound design does not use) count once: the lowest design index
            f = f_all.drop_duplicates(["latency_s", "energy_pj"])
            over = {c: int((part[c] > hi).sum()) for c, hi in budget.items()}
            front3 = ta.pareto_front(df[df["network"] == net], ["latency", "energy", "area"],
                                     by=[])
            # the front without the budget: what the caps take away
            free = ta.pareto_front(df[df["network"] == net], ["latency", "energy"], by=[],
                                   feasible_only=False, constraints={"status": "ok"})
            free_fast = free.sort_values("latency_s", kind="stable").iloc[0]
            fast, frugal = f.iloc[0], f.iloc[-1]
            out += [f"### {net}", "",
                    f"- designs: {len(part):,} with a valid mapping ({len(df[df['network'] == net]) - len(part):,} without); "
                    f"within the budget {len(feas):,} ({100 * len(feas) / len(part):.1f} %); over it: " +
                    ", ".join(f"{c} {n:,}" for c, n in over.items()),
                    f"- latency-energy front: {len(f_all)} designs, {len(f)} distinct latency-energy "
                    f"points (the tables and counts below keep one design per point); latency {f.latency_s.min() * 1e3:.3g} to "
                    f"{f.latency_s.max() * 1e3:.3g} ms, energy {f.energy_pj.max() * 1e-9:.3g} to "
                    f"{f.energy_pj.min() * 1e-9:.3g} mJ, power {f.power_w.min():.3g} to {f.power_w.max():.3g} W, "
                    f"area {f.area_mm2.min():.3g} to {f.area_mm2.max():.3g} mm^2",
                    f"- fastest within budget: {fast.latency_s * 1e3:.3g} ms at {fast.energy_pj * 1e-9:.3g} mJ "
                    f"({fast.power_w:.3g} W, {fast.area_mm2:.3g} mm^2); lowest energy: "
                    f"{frugal.energy_pj * 1e-9:.3g} mJ at {frugal.latency_s * 1e3:.3g} ms "
                    f"({frugal.power_w:.3g} W, {frugal.area_mm2:.3g} mm^2); the ends differ "
                    f"{frugal.latency_s / fast.latency_s:.3g}x in latency and "
                    f"{fast.energy_pj / frugal.energy_pj:.3g}x in energy",
                    f"- throughput {fast.throughput_sps:,.0f} samples/s (fastest) to "
                    f"{frugal.throughput_sps:,.0f} samples/s (lowest energy); energy per sample "
                    f"{fast.energy_per_sample_pj * 1e-9:.3g} to {frugal.energy_per_sample_pj * 1e-9:.3g} mJ",
                    f"- latency-energy-area front (3 objectives): {len(front3)} designs",
                    f"- without the budget the latency-energy front has {len(free)} designs, "
                    f"{int((free['feasible'] == 1).sum())} of them within the budget; its fastest: "
                    f"{free_fast.latency_s * 1e3:.4g} ms at {free_fast.power_w:.3g} W and "
                    f"{free_fast.area_mm2:.3g} mm^2 ({fast.latency_s / free_fast.latency_s:.3g}x "
                    f"faster than the fastest within the budget)",
                    "- on the latency-energy front: dataflow " + _share(f, "dataflow") +
                    "; node " + _share(f, "tech_node") + "; DRAM " + _share(f, "dram_type") +
                    "; channels " + _share(f, "dram_channels") + "; interconnect " +
                    _share(f, "interconnect") + "; array " +
                    ", ".join(f"{k} {v}" for k, v in (f["pe_rows"].astype(int).astype(str) + "x" +
                              f["pe_cols"].astype(int).astype(str)).value_counts().items()) +
                    "; GLB " + ", ".join(f"{fmt_kib(k)} {v}" for k, v in f["glb_kib"].value_counts().sort_index().items()) +
                    "; clock " + ", ".join(f"{k:g} {v}" for k, v in f["clock_mhz"].value_counts().sort_index().items()),
                    f"- share of the energy of the lowest-energy design: DRAM "
                    f"{100 * frugal.energy_dram_pj / frugal.energy_pj:.0f} %, MAC "
                    f"{100 * frugal.energy_mac_pj / frugal.energy_pj:.0f} %, leakage and clock "
                    f"{100 * frugal.energy_leak_pj / frugal.energy_pj:.0f} %; of the fastest: DRAM "
                    f"{100 * fast.energy_dram_pj / fast.energy_pj:.0f} %, MAC "
                    f"{100 * fast.energy_mac_pj / fast.energy_pj:.0f} %, leakage and clock "
                    f"{100 * fast.energy_leak_pj / fast.energy_pj:.0f} %",
                    f"- utilization on the front: {f.utilization.min():.2f} to {f.utilization.max():.2f}",
                    "", f"Designs along the front ({min(len(f), ROWS_PER_TABLE)} of {len(f)} points, fastest first):", "",
                    md_rows([_design_row(r) for r in _thin(f, ROWS_PER_TABLE).itertuples()], HEADER), ""]
            if net == "resnet50":
                cand = df[(df["network"] == net) & (df["feasible"] == 1) & (df["status"] == "ok")]
                per_sample[case] = (cand, ta.pareto_front(
                    cand, ["max:throughput_sps", "energy_per_sample_pj"], by=[]))
        del df
    _plot_resnet(ctx, per_sample, case_labels)
    out += ["## ResNet-50 per sample, all four cases", "",
            md_rows([[c, f"{fr.throughput_sps.max():,.0f}", f"{fr.energy_per_sample_pj.min() * 1e-9:.3g}",
                  f"{fr.power_w.max():.3g}", f"{fr.area_mm2.max():.3g}"]
                 for c, (cand, fr) in per_sample.items()],
                ["case", "highest throughput (samples/s)", "lowest energy per sample (mJ)",
                 "highest power on the front (W)", "largest area on the front (mm^2)"]), "",
            "## Runs", "",
            md_rows(timing_rows, ["job", "points", "wall time (s)", "points/s"]), "",
            f"{ctx.ranks} MPI ranks (mpirun), this machine's 2 shared cores.", ""]
    ctx.numbers("\n".join(out))
