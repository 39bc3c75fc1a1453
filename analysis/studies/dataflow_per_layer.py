"""Case study 1: which dataflow wins each layer, per training phase, and what `best` gains.

docs/studies/dataflow_per_layer.md is the page. Two sources:

- the sweep of jobs/studies/dataflow_per_layer.toml (totals of every design point): the gain of
  `best` over the best fixed dataflow on every array and buffer size of the job;
- the Python API on the representative design (REP): per layer and phase, the dataflow `best`
  picks under each per-layer criterion (model option `select` = edp, latency, energy), and the
  totals of the five fixed dataflows. The job's [model] table is re-read with `select` changed;
  nothing else differs.
"""

import os
import tomllib

import numpy as np

TITLE = "Dataflow per layer and per training phase"

JOB = "dataflow_per_layer.toml"
# the representative design (edge preset, bf16 mixed)
REP = {"pe_rows": 16, "glb_kib": 256, "rf_weight_bytes": 64}
DESIGN_KEYS = ["pe_rows", "glb_kib", "rf_weight_bytes"]
MAPS = [("inference", 1), ("training", 16)]  # (mode, batch) of the per-layer maps
FIXED = ["ws", "os", "is", "rs", "nlr"]
COLORS = {"ws": "tab:blue", "os": "tab:orange", "is": "tab:green", "rs": "tab:red",
          "nlr": "tab:purple"}
CRITERIA = [("edp", "edp_js", "EDP"), ("latency", "latency_s", "latency"),
            ("energy", "energy_pj", "energy")]
# Rows of a winner map: (label, mode, phase).
MAP_ROWS = [("inference FP", "inference", "fp"), ("training FP", "training", "fp"),
            ("training BP", "training", "bp"), ("training WG", "training", "wg")]
MAC_KINDS = ("conv", "fc", "matmul")
OVERLAPS = ["overlap", "serial", "double_buffer"]  # model option `overlap` (docs/model.md 6)
REL = 1e-9  # relative tolerance of the "best is never worse" checks (sums of doubles)


def short(net):
    return net.split(":")[0]


def _load_job(ctx):
    path = ctx.job(JOB)
    with open(path, "rb") as f:
        return path, tomllib.load(f)


def _rep_points(trim, path):
    pts = trim.Job(path).points()
    sel = np.ones(len(pts), bool)
    for k, v in REP.items():
        sel &= pts[k].to_numpy() == v
    rep = pts[sel]
    if rep.empty:
        raise SystemExit(f"error: {path} has no point with {REP}: the representative design "
                         "must be on the job's axes")
    return rep


def _evaluate_rep(trim, path, job, rep):
    """{criterion: {(network, mode, batch, dataflow): Result}}. Every dataflow is evaluated
    under each criterion: `select` also picks the RS mapping among its candidates
    (docs/model.md section 3, "RS mapping search"), so fixed RS depends on it too."""
    out = {}
    for crit, _, _ in CRITERIA:
        d = dict(job)
        d["model"] = dict(job.get("model", {}), select=crit)
        j = trim.Job(d, path=path)
        res = {}
        for _, p in rep.iterrows():
            key = (p["network"], p["mode"], int(p["batch"]), p["dataflow"])
            res[key] = j.evaluate(int(p["index"]))
            if res[key].status != "ok":
                raise SystemExit(f"error: {key} is infeasible ({res[key].status}) on the "
                                 "representative design; the study expects every point to run")
        out[crit] = res
    return out


def _mac_rows(result):
    lay = result.layers
    return lay[lay["kind"].isin(MAC_KINDS) & (lay["macs"] > 0)]


def _winner_table(results, net):
    """Per criterion: DataFrame layer x map row of the chosen dataflow (None if absent)."""
    import pandas as pd
    tables = {}
    for crit, _, _ in CRITERIA:
        cols = {}
        order = None
        for label, mode, phase in MAP_ROWS:
            batch = dict(MAPS)[mode]
            r = results[crit].get((net, mode, batch, "best"))
            if r is None:
                continue
            rows = _mac_rows(r)
            if order is None and mode == "inference":
                order = list(dict.fromkeys(rows["layer"]))
            rows = rows[rows["phase"] == phase]
            cols[label] = rows.groupby("layer", sort=False)["dataflow"].first()
        t = pd.DataFrame(cols)
        if order is not None:
            t = t.reindex(order)
        for df in t.stack().unique():
            if df not in FIXED:
                raise SystemExit(f"error: {net}: a MAC layer reports dataflow '{df}' under best")
        tables[crit] = t
    return tables


def _draw_map(ctx, net, tables):
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch
    n_layers = len(tables["edp"])
    width = min(22, max(8, 0.16 * n_layers + 2))
    fig, axes = plt.subplots(len(CRITERIA), 1, figsize=(width, 1.1 + 1.35 * len(CRITERIA)),
                             sharex=True)
    cmap = ListedColormap([COLORS[d] for d in FIXED])
    cmap.set_bad("white")
    for ax, (crit, _, crit_label) in zip(axes, CRITERIA):
        t = tables[crit]
        codes = np.full((len(MAP_ROWS), len(t)), np.nan)
        for i, (label, _, _) in enumerate(MAP_ROWS):
            if label in t:
                codes[i] = [FIXED.index(v) if isinstance(v, str) else np.nan for v in t[label]]
        ax.imshow(np.ma.masked_invalid(codes), aspect="auto", cmap=cmap, vmin=-0.5,
                  vmax=len(FIXED) - 0.5, interpolation="nearest")
        ax.set_yticks(range(len(MAP_ROWS)), [r[0] for r in MAP_ROWS], fontsize=8)
        ax.set_title(f"per-layer criterion: {crit_label}", fontsize=9, loc="left")
        ax.set_xticks(np.arange(-0.5, len(t), 1), minor=True)
        ax.set_yticks(np.arange(-0.5, len(MAP_ROWS), 1), minor=True)
        ax.grid(which="minor", color="white", linewidth=0.5)
        ax.tick_params(which="minor", length=0)
    names = list(tables["edp"].index)
    step = max(1, len(names) // 60)
    axes[-1].set_xticks(range(0, len(names), step), names[::step], rotation=90, fontsize=6)
    axes[-1].set_xlabel("MAC layer (execution order; white: phase not run)")
    fig.legend(handles=[Patch(color=COLORS[d], label=d.upper()) for d in FIXED], ncol=5,
               loc="upper left", bbox_to_anchor=(0.0, 0.95), fontsize=8,
               title="winning dataflow", title_fontsize=8)
    inf_b, tr_b = dict(MAPS)["inference"], dict(MAPS)["training"]
    fig.suptitle(f"{short(net)}: dataflow chosen by best per layer and phase "
                 f"(inference batch {inf_b}, training batch {tr_b})", x=0.01, ha="left",
                 fontsize=10, y=0.995)
    fig.tight_layout(rect=(0, 0, 1, 0.88))
    ctx.figure(fig, f"winners-{short(net)}.png")


def _shares(tables, results, net, crit):
    """Per map row: share of MAC layers and of MACs won by each fixed dataflow."""
    out = {}
    t = tables[crit]
    for label, mode, phase in MAP_ROWS:
        if label not in t:
            continue
        col = t[label].dropna()
        r = results[crit][(net, mode, dict(MAPS)[mode], "best")]
        rows = _mac_rows(r)
        rows = rows[rows["phase"] == phase]
        macs = rows.groupby("dataflow")["macs"].sum()
        out[label] = {d: (float((col == d).mean()), float(macs.get(d, 0.0) / macs.sum()))
                      for d in FIXED}
        out[label]["n"] = len(col)
    return out


def _gains(results, nets):
    """{(net, mode, batch): {crit: (gain, best fixed dataflow, value best, value fixed)}}."""
    g = {}
    keys = sorted({k[:3] for k in results["edp"]})
    for key in keys:
        if key[0] not in nets:
            continue
        g[key] = {}
        for crit, col, _ in CRITERIA:
            fixed = {d: results[crit][key + (d,)].totals[col].iloc[0] for d in FIXED
                     if key + (d,) in results[crit]}
            bf = min(fixed, key=fixed.get)
            vb = results[crit][key + ("best",)].totals[col].iloc[0]
            if crit != "edp" and vb > fixed[bf] * (1 + REL):
                raise SystemExit(f"error: {key}: best (select={crit}) {col} {vb:.6g} is worse "
                                 f"than the best fixed dataflow {bf} ({fixed[bf]:.6g})")
            g[key][crit] = (1 - vb / fixed[bf], bf, vb, fixed[bf])
    return g


def _draw_gains(ctx, gains, nets):
    import matplotlib.pyplot as plt
    keys = [(n, m, b) for n in nets for (m, b) in MAPS if (n, m, b) in gains]
    fig, ax = plt.subplots(figsize=(10, 4.2))
    x = np.arange(len(keys))
    w = 0.27
    for i, (crit, _, label) in enumerate(CRITERIA):
        vals = [100 * gains[k][crit][0] for k in keys]
        bars = ax.bar(x + (i - 1) * w, vals, w, label=f"{label} (best with select = {crit})",
                      color=["tab:gray", "tab:cyan", "tab:olive"][i])
        for xi, k, v in zip(x + (i - 1) * w, keys, vals):
            ax.text(xi, v + 0.3, gains[k][crit][1].upper(), ha="center", va="bottom",
                    fontsize=6, rotation=90)
    ax.set_xticks(x, [f"{short(n)}\n{m} b{b}" for n, m, b in keys], fontsize=8)
    ax.set_ylabel("reduction vs best fixed dataflow (%)")
    ax.set_title("What a reconfigurable array (best) gains over the best fixed dataflow, "
                 "16x16 PEs, 256 KiB, 64 B weight RF\n(text on each bar: the best fixed dataflow for that metric)", fontsize=10)
    ax.legend(fontsize=8)
    ax.set_ylim(0, max(5, ax.get_ylim()[1] * 1.15))
    ax.grid(axis="y", alpha=0.3)
    ctx.figure(fig, "gains.png")


def _sweep_gains(df):
    """Gains of best (the job's select) over the best fixed dataflow on every design."""
    import pandas as pd
    rows = []
    keys = DESIGN_KEYS + ["network", "batch", "mode"]
    for key, g in df.groupby(keys, observed=True):
        ok = g[g["status"] == "ok"]
        fixed = ok[ok["dataflow"].isin(FIXED)]
        best = ok[ok["dataflow"] == "best"]
        if fixed.empty or best.empty:
            continue
        rec = dict(zip(keys, key))
        for _, col, label in CRITERIA:
            rec[label] = 1 - best[col].iloc[0] / fixed[col].min()
            rec[label + "_fixed"] = fixed.loc[fixed[col].idxmin(), "dataflow"]
        rows.append(rec)
    return pd.DataFrame(rows)


def _draw_sweep(ctx, sg, nets):
    import matplotlib.pyplot as plt
    designs = sorted({(int(p), float(k), int(r)) for p, k, r in
                      zip(sg["pe_rows"], sg["glb_kib"], sg["rf_weight_bytes"])})
    modes = [("inference", 1), ("training", 16)]
    fig, axes = plt.subplots(1, len(modes), figsize=(13, 4.4), sharey=True)
    markers = {"alexnet": "o", "resnet50": "s", "mobilenet-v2": "^", "bert-base": "D",
               "gpt2-small": "D"}
    for ax, (mode, batch) in zip(axes, modes):
        for ni, net in enumerate(nets):
            s = sg[(sg["network"] == net) & (sg["mode"] == mode) & (sg["batch"] == batch)]
            xs, ys = [], []
            for di, (p, k, rw) in enumerate(designs):
                r = s[(s["pe_rows"] == p) & (s["glb_kib"] == k) & (s["rf_weight_bytes"] == rw)]
                if len(r):
                    xs.append(di + (ni - 1.5) * 0.08)
                    ys.append(100 * r["EDP"].iloc[0])
            ax.plot(xs, ys, markers.get(short(net), "o"), label=short(net), ms=6)
        ax.set_xticks(range(len(designs)),
                      [f"{p}x{p}\n{k:g} KiB\nRF {rw} B" for p, k, rw in designs], fontsize=7)
        ax.set_xlabel("PE array, global buffer, weight register file per PE")
        ax.set_title(f"{mode}, batch {batch}", fontsize=10)
        ax.axhline(0, color="k", lw=0.6)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("EDP reduction of best vs best fixed (%)")
    axes[0].legend(fontsize=8)
    fig.suptitle("Gain of best (per-layer EDP) over the best fixed dataflow, every design "
                 "of the job", fontsize=10)
    fig.tight_layout()
    ctx.figure(fig, "gains-designs.png")


def _design_shares(trim, path, job):
    """Per design of the job: share of MAC layers won by each dataflow per map row (all
    networks together; best with the job's own select)."""
    pts = trim.Job(path).points()
    j = trim.Job(job, path=path)
    pts = pts[pts["dataflow"] == "best"]
    out = {}
    for key, g in pts.groupby(DESIGN_KEYS):
        won = {lab: [] for lab, _, _ in MAP_ROWS}
        for _, p in g.iterrows():
            if (p["mode"], int(p["batch"])) not in MAPS:
                continue
            r = j.evaluate(int(p["index"]))
            if r.status != "ok":
                continue
            rows = _mac_rows(r)
            for lab, mode, phase in MAP_ROWS:
                if mode == p["mode"]:
                    won[lab] += list(rows.loc[rows["phase"] == phase].groupby(
                        "layer", sort=False)["dataflow"].first())
        out[key] = won
    return out


def _overlap_variants(trim, path, job, rep):
    """The representative design under each `overlap` option (best with the job's select):
    {option: (winners per map row over all networks, {(net, mode, batch): EDP gain})}."""
    out = {}
    for opt in OVERLAPS:
        d = dict(job)
        d["model"] = dict(job.get("model", {}), overlap=opt)
        j = trim.Job(d, path=path)
        won = {lab: [] for lab, _, _ in MAP_ROWS}
        edp = {}
        for _, p in rep.iterrows():
            key = (p["network"], p["mode"], int(p["batch"]))
            if (key[1], key[2]) not in MAPS:
                continue
            r = j.evaluate(int(p["index"]))
            if r.status != "ok":
                raise SystemExit(f"error: {key} {p['dataflow']} infeasible under overlap={opt}")
            edp.setdefault(key, {})[p["dataflow"]] = r.totals["edp_js"].iloc[0]
            if p["dataflow"] == "best":
                rows = _mac_rows(r)
                for lab, mode, phase in MAP_ROWS:
                    if mode == key[1]:
                        won[lab] += list(rows.loc[rows["phase"] == phase].groupby(
                            "layer", sort=False)["dataflow"].first())
        gains = {k: 1 - v["best"] / min(v[f] for f in FIXED) for k, v in edp.items()}
        out[opt] = (won, gains)
    return out


def run(ctx):
    import sys
    sys.path.insert(0, os.path.join(ctx.repo, "python"))
    import trim
    import trim_analysis as ta

    path, job = _load_job(ctx)
    h5 = ctx.sweep(JOB)
    df = ta.load(h5)
    nets = list(dict.fromkeys(str(n) for n in df["network"].cat.categories))
    # Every network, dataflow, mode and batch of the job was evaluated and is feasible on the
    # representative design.
    rep_rows = df
    for k, v in REP.items():
        rep_rows = rep_rows[rep_rows[k] == v]
    for net in nets:
        for d in FIXED + ["best"]:
            s = rep_rows[(rep_rows["network"] == net) & (rep_rows["dataflow"] == d)]
            assert len(s) and (s["status"] == "ok").all(), f"{net} {d}: missing or infeasible"
    # latency >= the roofline bound on every evaluated point
    ok = df[df["status"] == "ok"]
    assert (ok["latency_s"] >= ok["roofline_s"] * (1 - REL)).all(), "latency below roofline"

    rep = _rep_points(trim, path)
    results = _evaluate_rep(trim, path, job, rep)
    gains = _gains(results, nets)

    # The sweep and the Python API agree on the representative design (same doubles).
    for (net, mode, batch, d), r in results["edp"].items():
        s = rep_rows[(rep_rows["network"] == net) & (rep_rows["mode"] == mode) &
                     (rep_rows["batch"] == batch) & (rep_rows["dataflow"] == d)]
        assert abs(s["energy_pj"].iloc[0] / r.totals["energy_pj"].iloc[0] - 1) < 1e-12, \
            f"{net} {mode} {batch} {d}: sweep and Python API disagree"

    tables = {}
    for net in nets:
        tables[net] = _winner_table(results, net)
        _draw_map(ctx, net, tables[net])
    _draw_gains(ctx, gains, nets)
    sg = _sweep_gains(df)
    _draw_sweep(ctx, sg, nets)

    lines = [f"# {TITLE}: generated numbers", "",
             f"Generated by `analysis/studies/run.py dataflow_per_layer"
             f"{' --reduced' if ctx.reduced else ''}`; sweep of `{os.path.relpath(path, ctx.repo)}`"
             f" ({len(df)} points) in {ctx.timings[JOB]:.1f} s on {ctx.ranks} rank(s).", "",
             f"Representative design: {REP['pe_rows']}x{REP['pe_rows']} PEs, "
             f"{REP['glb_kib']} KiB buffer, {REP['rf_weight_bytes']} B weight register file per PE "
             f"(the rest from the job). Per-layer maps: inference "
             f"batch {dict(MAPS)['inference']}, training batch {dict(MAPS)['training']}.", ""]

    lines += ["## Share of MAC layers won by each dataflow (criterion: per-layer EDP)", "",
              "Share of the MAC layers of the phase (and, in brackets, share of its MACs).", "",
              "| network | phase | layers | " + " | ".join(d.upper() for d in FIXED) + " |",
              "|---|---|---|" + "---|" * len(FIXED)]
    for net in nets:
        sh = _shares(tables[net], results, net, "edp")
        for label, v in sh.items():
            lines.append(f"| {short(net)} | {label} | {v['n']} | " + " | ".join(
                f"{100 * v[d][0]:.0f}% ({100 * v[d][1]:.0f}%)" for d in FIXED) + " |")
    lines += ["", "## Share of MAC layers won, all networks together, per criterion", "",
              "| criterion | phase | layers | " + " | ".join(d.upper() for d in FIXED) + " |",
              "|---|---|---|" + "---|" * len(FIXED)]
    for crit, _, label in CRITERIA:
        for lab, _, _ in MAP_ROWS:
            vals = [tables[n][crit][lab].dropna() for n in nets if lab in tables[n][crit]]
            if not vals:
                continue
            allv = np.concatenate([v.to_numpy() for v in vals])
            lines.append(f"| {label} | {lab} | {len(allv)} | " + " | ".join(
                f"{100 * np.mean(allv == d):.0f}%" for d in FIXED) + " |")
    lines += ["", "## Gain of best over the best fixed dataflow (representative design)", "",
              "Reduction of the whole-network latency (best with select = latency), energy "
              "(select = energy) and EDP (select = edp) against the best of the five fixed "
              "dataflows for that metric (named in brackets).", "",
              "| network | mode | batch | " + " | ".join(c[2] for c in CRITERIA) + " |",
              "|---|---|---|---|---|---|"]
    for (net, mode, batch), g in gains.items():
        lines.append(f"| {short(net)} | {mode} | {batch} | " + " | ".join(
            f"{100 * g[c][0]:.1f}% ({g[c][1].upper()})" for c, _, _ in CRITERIA) + " |")
    lines += ["", "## Fixed dataflows against each other (representative design)", "",
              "Each fixed dataflow's whole-network latency and energy relative to the best "
              "fixed one (1.00 = best), evaluated under the job's `select` (which also "
              "chooses the RS mapping).", "",
              "| network | mode | batch | metric | " + " | ".join(d.upper() for d in FIXED) + " |",
              "|---|---|---|---|" + "---|" * len(FIXED)]
    for (net, mode, batch) in gains:
        for crit, col, label in CRITERIA[1:]:
            v = {d: results["edp"][(net, mode, batch, d)].totals[col].iloc[0] for d in FIXED}
            m = min(v.values())
            lines.append(f"| {short(net)} | {mode} | {batch} | {label} | " +
                         " | ".join(f"{v[d] / m:.2f}" for d in FIXED) + " |")
    lines += ["", "## Gain of best (select = edp) on every design of the job", "",
              "| PEs | buffer KiB | weight RF B | network | mode | batch | latency | energy | EDP |",
              "|---|---|---|---|---|---|---|---|---|"]
    for _, r in sg.iterrows():
        lines.append(f"| {int(r.pe_rows)}x{int(r.pe_rows)} | {r.glb_kib:g} | "
                     f"{int(r.rf_weight_bytes)} | {short(r.network)} |"
                     f" {r['mode']} | {int(r.batch)} | {100 * r.latency:.1f}% |"
                     f" {100 * r.energy:.1f}% | {100 * r.EDP:.1f}% |")
    variants = _overlap_variants(trim, path, job, rep)
    lines += ["", "## The representative design under each `overlap` option (per-layer EDP)", "",
              "Share of the MAC layers won (all networks together) and EDP gain of best over "
              "the best fixed dataflow, per option; the rest of the study uses the job's "
              f"option (`{job.get('model', {}).get('overlap', 'overlap')}`).", "",
              "| overlap | phase | layers | " + " | ".join(d.upper() for d in FIXED) + " |",
              "|---|---|---|" + "---|" * len(FIXED)]
    for opt, (won, _) in variants.items():
        for lab, v in won.items():
            v = np.array(v)
            if len(v):
                lines.append(f"| {opt} | {lab} | {len(v)} | " + " | ".join(
                    f"{100 * np.mean(v == d):.0f}%" for d in FIXED) + " |")
    keys = list(next(iter(variants.values()))[1])
    lines += ["", "| network | mode | batch | " + " | ".join(
        f"EDP gain, {o}" for o in variants) + " |", "|---|---|---|" + "---|" * len(variants)]
    for k in keys:
        lines.append(f"| {short(k[0])} | {k[1]} | {k[2]} | " + " | ".join(
            f"{100 * variants[o][1][k]:.1f}%" for o in variants) + " |")
    lines += ["", "## Share of MAC layers won on every design of the job (per-layer EDP)", "",
              "All networks together; inference batch "
              f"{dict(MAPS)['inference']}, training batch {dict(MAPS)['training']}.", "",
              "| PEs | buffer KiB | weight RF B | phase | layers | " +
              " | ".join(d.upper() for d in FIXED) + " |", "|---|---|---|---|---|" + "---|" * len(FIXED)]
    for (p, k, rw), won in _design_shares(trim, path, job).items():
        for lab, v in won.items():
            v = np.array(v)
            if len(v):
                lines.append(f"| {int(p)}x{int(p)} | {k:g} | {int(rw)} | {lab} | {len(v)} | " +
                             " | ".join(f"{100 * np.mean(v == d):.0f}%" for d in FIXED) + " |")
    lines += ["", f"Range of the EDP gain over all {len(sg)} (design, workload) cells: "
              f"{100 * sg['EDP'].min():.1f}% to {100 * sg['EDP'].max():.1f}%; median "
              f"{100 * sg['EDP'].median():.1f}%."]
    ctx.numbers("\n".join(lines))
