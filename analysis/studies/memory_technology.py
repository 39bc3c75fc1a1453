"""Study 4: memory technology and bandwidth: where each design turns from compute-bound to
memory-bound, per training phase, across DRAM types.

Two sweeps: DRAM presets x channel counts (jobs/studies/memory_technology.toml) and the DRAM
bandwidth itself (memory_technology_bw.toml, the same designs). Per layer-phase results of the
Python API tell which layer-phases are DRAM-bound: with compute and transfers overlapping
(docs/model.md section 6) a layer-phase takes the longest of its compute, buffer, network and
DRAM times, so it is DRAM-bound when its DRAM time, bytes / bandwidth, equals its latency.
"""

import numpy as np
import pandas as pd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import trim  # noqa: E402
import trim_analysis as ta  # noqa: E402
from common import label_axes, md_table, require_all_ok  # noqa: E402

TITLE = "Memory technology and bandwidth: compute-bound against memory-bound, per phase"

# GB/s per channel of the DRAM presets (docs/model.md section 23, JEDEC speed grades); checked
# against the bandwidth sweep below (equal latency at equal bandwidth).
GBPS_PER_CHANNEL = {"lpddr4": 6.4, "lpddr5": 12.8, "ddr4": 25.6, "hbm2": 32.0}
PJ_PER_BIT = {"lpddr4": 6.82, "lpddr5": 4.78, "ddr4": 7.38, "hbm2": 3.9}
WORKLOADS = [("inference", 1), ("training", 16)]
PHASES = ["fp", "bp", "wg", "wu"]
PHASE_NAMES = {"fp": "forward", "bp": "backward-data", "wg": "weight-gradient",
               "wu": "weight-update"}
CHANNELS_FOR_TYPES = 2    # the DRAM-type comparisons use two channels of each type
SLACK = 1.10              # knee: latency within 10 % of the latency at the highest bandwidth


def _design(d):
    return f"{int(d.pe_rows)}x{int(d.pe_cols)}, {int(d.glb_kib)} KiB"


def _check(df, bw, nets):
    for name, d in (("memory_technology", df), ("memory_technology_bw", bw)):
        require_all_ok(d, nets, name, ("network", "mode", "status"))
        assert (d.latency_s >= d.roofline_s * (1 - 1e-12)).all(), name
    # latency never grows with the bandwidth (the DRAM bytes may change with it: the RS mapping
    # of a layer is chosen under select = "latency" with the design's bandwidth, docs/model.md
    # section 3, "RS mapping search")
    for key, d in bw.groupby(["design", "network", "mode", "batch"], observed=True):
        d = d.sort_values("dram_gbps")
        assert np.all(np.diff(d.latency_s) <= 1e-12 * d.latency_s.iloc[:-1]), key
        # and it is never below the DRAM time of the whole step
        assert (d.latency_s >= d.dram_bytes / (d.dram_gbps * 1e9) * (1 - 1e-12)).all(), key
    # a preset at channels x GB/s per channel takes exactly the latency of the table design at
    # that bandwidth (the preset table above is right), and only its DRAM energy per bit differs
    matched = 0
    for _, r in df.iterrows():
        g = GBPS_PER_CHANNEL[str(r.dram_type)] * r.dram_channels
        m = bw[(bw.design == r.design) & (bw.network == r.network) & (bw["mode"] == r["mode"])
               & (bw.batch == r.batch) & np.isclose(bw.dram_gbps, g, rtol=1e-12)]
        if len(m):
            matched += 1
            assert np.isclose(m.latency_s.iloc[0], r.latency_s, rtol=1e-12), (r.design, g)
            assert np.isclose(m.dram_bytes.iloc[0], r.dram_bytes, rtol=1e-12)
            pj = r.energy_dram_pj / (r.dram_bytes * 8)
            assert np.isclose(pj, PJ_PER_BIT[str(r.dram_type)], rtol=1e-3), (r.dram_type, pj)
    if matched == 0:
        raise SystemExit("memory_technology: no preset bandwidth found in the bandwidth sweep")
    return matched


def _bound_shares(job, points, sel, gbps):
    """Per phase: layer-phases (with work) that are DRAM-bound, and their share of the time."""
    i = int(points.loc[sel, "index"].iloc[0])
    L = job.evaluate(i).layers
    L = L[L.latency_s > 0]
    t_dram = L.dram_bytes / (gbps * 1e9)
    # overlap: latency = max(compute, buffer, network, DRAM) >= the DRAM time
    assert (L.latency_s >= t_dram * (1 - 1e-9)).all()
    bound = (L.dram_bytes > 0) & (t_dram >= L.latency_s * (1 - 1e-9))
    out = {}
    for p in PHASES:
        m = L.phase == p
        if m.sum() == 0:
            continue
        mac = m & (L.macs > 0)
        out[p] = {"count": bound[m].mean(), "time": L.latency_s[m & bound].sum() / L.latency_s[m].sum(),
                  "n": int(m.sum()), "mac": bound[mac].mean() if mac.any() else np.nan}
    return out


def run(ctx):
    h5 = ctx.sweep("memory_technology.toml")
    h5bw = ctx.sweep("memory_technology_bw.toml")
    df = ta.load(h5)
    bw = ta.load(h5bw)
    db = ta.load(ctx.sweep("memory_technology_db.toml"))   # overlap = "double_buffer"
    for d in (df, bw, db):
        d["design"] = d.apply(_design, axis=1)
    nets = list(dict.fromkeys(df.network.astype(str)))
    designs = list(dict.fromkeys(df.sort_values("pe_rows").design))
    matched = _check(df, bw, nets)
    require_all_ok(db, nets, "memory_technology_db", ("network", "mode", "status"))
    assert (db.latency_s >= db.roofline_s * (1 - 1e-12)).all()
    # per layer the faster of two schedules, each no faster with less bandwidth: monotone too
    for key, d in db.groupby(["design", "network", "mode", "batch"], observed=True):
        d = d.sort_values("dram_gbps")
        assert np.all(np.diff(d.latency_s) <= 1e-12 * d.latency_s.iloc[:-1]), key
    keys = ["design", "network", "mode", "batch", "dram_gbps"]
    dbm = bw.merge(db, on=keys, suffixes=("", "_db"))
    assert len(dbm) == len(bw) == len(db)
    dbm["ratio"] = dbm.latency_s_db / dbm.latency_s
    job = trim.Job(ctx.job("memory_technology.toml"))
    points = job.points()
    points["design"] = points.apply(_design, axis=1)

    # ---- knees on the bandwidth sweep ------------------------------------------------------------
    knees = []
    for (des, net, mode, batch), d in bw.groupby(["design", "network", "mode", "batch"], observed=True):
        if (mode, batch) not in WORKLOADS:
            continue
        d = d.sort_values("dram_gbps")
        floor = d.latency_s.iloc[-1]
        k = d[d.latency_s <= SLACK * floor].iloc[0]
        ridge = d.dram_bytes.iloc[-1] / floor / 1e9   # whole-network DRAM time = latency
        knees.append({"design": des, "network": net, "mode": mode, "batch": batch,
                      "knee_gbps": k.dram_gbps, "ridge_gbps": ridge,
                      "ms_floor": floor * 1e3, "ms_at_lowest": d.latency_s.iloc[0] * 1e3,
                      "ms_knee": k.latency_s * 1e3})
    K = pd.DataFrame(knees)
    kdb = []
    for _, k in K.iterrows():
        d = dbm[(dbm.design == k.design) & (dbm.network == k.network) & (dbm["mode"] == k["mode"])
                & (dbm.batch == k.batch)].sort_values("dram_gbps")
        kdb.append(d[d.latency_s_db <= SLACK * d.latency_s_db.iloc[-1]].dram_gbps.iloc[0])
    K["knee_db_gbps"] = kdb
    K["max_ratio_db"] = [dbm[(dbm.design == k.design) & (dbm.network == k.network)
                             & (dbm["mode"] == k["mode"]) & (dbm.batch == k.batch)].ratio.max()
                         for _, k in K.iterrows()]
    K["ratio_db_at_max"] = [dbm[(dbm.design == k.design) & (dbm.network == k.network)
                                & (dbm["mode"] == k["mode"]) & (dbm.batch == k.batch)]
                            .sort_values("dram_gbps").ratio.iloc[-1] for _, k in K.iterrows()]
    # latency(B) >= bytes / B, so a knee with latency(B) <= SLACK x floor needs
    # B >= bytes / (SLACK x floor) = ridge / SLACK
    assert (K.knee_gbps >= K.ridge_gbps / SLACK * (1 - 1e-9)).all()

    # per-phase knees of the training step (the per-phase latency columns of the same sweep)
    pk = []
    tr = bw[(bw["mode"] == "training") & (bw.batch == dict(WORKLOADS)["training"])]
    for (des, net), d in tr.groupby(["design", "network"], observed=True):
        d = d.sort_values("dram_gbps")
        # the phases add up to the step
        assert np.allclose(d[[f"{p}_latency_s" for p in PHASES]].sum(axis=1), d.latency_s,
                           rtol=1e-9), (des, net)
        row = {"design": des, "network": net}
        for p in PHASES:
            y = d[f"{p}_latency_s"].to_numpy()
            assert np.all(np.diff(y) <= 1e-12 * y[:-1]), (des, net, p)
            row[p] = d.dram_gbps.to_numpy()[int(np.argmax(y <= SLACK * y[-1]))]
            row[p + "_slow"] = y[0] / y[-1]
        pk.append(row)
    PK = pd.DataFrame(pk)

    # ---- figure 1: latency vs DRAM bandwidth -----------------------------------------------------
    styles = {(designs[0], "inference"): ("tab:blue", "-"), (designs[0], "training"): ("tab:blue", "--"),
              (designs[-1], "inference"): ("tab:red", "-"), (designs[-1], "training"): ("tab:red", "--")}
    fig, axes = plt.subplots(1, len(nets), figsize=(5.3 * len(nets), 4.6), squeeze=False)
    typical = sorted({(GBPS_PER_CHANNEL[t] * CHANNELS_FOR_TYPES, t) for t in GBPS_PER_CHANNEL})
    def curves(frame, net):
        """(design, mode, batch, rows sorted by bandwidth, colour, line style) per curve."""
        for des in designs:
            for mode, batch in WORKLOADS:
                d = frame[(frame.design == des) & (frame.network == net) & (frame["mode"] == mode)
                          & (frame.batch == batch)].sort_values("dram_gbps")
                yield (des, mode, batch, d) + styles[(des, mode)]

    for ax, net in zip(axes[0], nets):
        for des, mode, batch, d, c, ls in curves(bw, net):
            ax.plot(d.dram_gbps, d.latency_s * 1e3, ls, color=c, marker=".",
                    label=f"{des}, {mode} batch {batch}")
            k = K[(K.design == des) & (K.network == net) & (K["mode"] == mode)].iloc[0]
            ax.plot(k.knee_gbps, k.ms_knee, "o", ms=10, mfc="none", mec=c, mew=2)
        for g, t in typical:
            ax.axvline(g, color="grey", lw=0.8, ls=":")
            ax.text(g, 1.0, f" {t}x{CHANNELS_FOR_TYPES}", rotation=90, va="top", ha="right",
                    fontsize=7, color="dimgrey", transform=ax.get_xaxis_transform())
        label_axes(ax, "DRAM bandwidth (GB/s, log scale)", "latency per batch or step (ms, log scale)",
                   net, logx=True, logy=True)
    h, lab = axes[0][0].get_legend_handles_labels()
    h.append(plt.Line2D([], [], ls="", marker="o", mfc="none", mec="k", ms=10, mew=2))
    lab.append(f"knee: latency within {SLACK - 1:.0%} of the compute-bound latency")
    fig.legend(h, lab, loc="lower center", ncol=3, bbox_to_anchor=(0.5, -0.14))
    fig.suptitle("Latency vs DRAM bandwidth (edge preset, 28 nm, row stationary, 16-bit); "
                 "dotted: two channels of each DRAM preset")
    fig.tight_layout()
    ctx.figure(fig, "latency_vs_bandwidth.png")

    # ---- figure 1b: per-phase latency vs bandwidth (training), normalized to its floor -----------
    pcol = {"fp": "tab:blue", "bp": "tab:orange", "wg": "tab:green", "wu": "tab:purple"}
    fig, axes = plt.subplots(1, len(nets), figsize=(5.3 * len(nets), 4.4), squeeze=False)
    for ax, net in zip(axes[0], nets):
        for des, ls in zip(designs, ("-", "--")):
            d = tr[(tr.design == des) & (tr.network == net)].sort_values("dram_gbps")
            for p in PHASES:
                y = d[f"{p}_latency_s"] / d[f"{p}_latency_s"].iloc[-1]
                ax.plot(d.dram_gbps, y, ls, color=pcol[p], marker=".",
                        label=f"{PHASE_NAMES[p]}, {des}")
        ax.axhline(SLACK, color="k", lw=0.8, ls=":")
        label_axes(ax, "DRAM bandwidth (GB/s, log scale)",
                   "phase latency / its latency at 1 TB/s (log scale)",
                   f"{net}, training batch 16", logx=True, logy=True)
    h, lab = axes[0][0].get_legend_handles_labels()
    h.append(plt.Line2D([], [], color="k", lw=0.8, ls=":"))
    lab.append(f"{SLACK:.2f}: the knee threshold")
    fig.legend(h, lab, loc="lower center", ncol=3, bbox_to_anchor=(0.5, -0.2))
    fig.suptitle("Training: each phase's latency vs DRAM bandwidth, relative to its compute-bound "
                 "value (solid: first design, dashed: second)")
    fig.tight_layout()
    ctx.figure(fig, "phase_latency_vs_bandwidth.png")

    # ---- figure 1c: double-buffered buffer against perfect overlap ------------------------------
    fig, axes = plt.subplots(1, len(nets), figsize=(5.3 * len(nets), 4.2), squeeze=False)
    for ax, net in zip(axes[0], nets):
        for des, mode, batch, d, c, ls in curves(dbm, net):
            ax.plot(d.dram_gbps, d.ratio, ls, color=c, marker=".",
                    label=f"{des}, {mode} batch {batch}")
        ax.axhline(1.0, color="k", lw=0.8)
        label_axes(ax, "DRAM bandwidth (GB/s, log scale)",
                   "latency, double_buffer / overlap", net, logx=True)
    h, lab = axes[0][0].get_legend_handles_labels()
    fig.legend(h, lab, loc="lower center", ncol=2, bbox_to_anchor=(0.5, -0.14))
    fig.suptitle('What perfect overlap hides: latency with overlap = "double_buffer" (ping-pong '
                 'halves, first reads and last writes exposed) over overlap = "overlap"')
    fig.tight_layout()
    ctx.figure(fig, "double_buffer_vs_overlap.png")

    # ---- figure 2: share of DRAM-bound layer-phases per phase and DRAM type ----------------------
    types = [t for t in GBPS_PER_CHANNEL if t in set(df.dram_type.astype(str))]
    chans = CHANNELS_FOR_TYPES if CHANNELS_FOR_TYPES in set(df.dram_channels) else df.dram_channels.min()
    shares = []
    for des in designs:
        for net in nets:
            for t in types:
                for mode, batch in WORKLOADS:
                    sel = ((points.design == des) & (points.network == net) & (points.dram_type == t)
                           & (points.dram_channels == chans) & (points["mode"] == mode)
                           & (points.batch == batch))
                    for p, v in _bound_shares(job, points, sel, GBPS_PER_CHANNEL[t] * chans).items():
                        shares.append({"design": des, "network": net, "dram": t, "mode": mode,
                                       "phase": p if mode == "training" else "inference",
                                       "share": v["count"], "time_share": v["time"], "n": v["n"],
                                       "mac_share": v["mac"]})
    S = pd.DataFrame(shares)
    bars = ["inference"] + PHASES
    colors = {"inference": "tab:grey", "fp": "tab:blue", "bp": "tab:orange", "wg": "tab:green",
              "wu": "tab:purple"}
    fig, axes = plt.subplots(len(designs), len(nets), figsize=(5.3 * len(nets), 3.7 * len(designs)),
                             squeeze=False, sharey=True)
    wdt = 0.8 / len(bars)
    for i, des in enumerate(designs):
        for j, net in enumerate(nets):
            ax = axes[i][j]
            for b, ph in enumerate(bars):
                v = [S[(S.design == des) & (S.network == net) & (S.dram == t) & (S.phase == ph)]
                     for t in types]
                y = [x.share.iloc[0] * 100 if len(x) else 0 for x in v]
                yt = [x.time_share.iloc[0] * 100 if len(x) else 0 for x in v]
                xs = np.arange(len(types)) + (b - (len(bars) - 1) / 2) * wdt
                ax.bar(xs, y, wdt, color=colors[ph], label=("inference batch 1" if ph == "inference"
                                                            else f"training: {PHASE_NAMES[ph]}"))
                ax.plot(xs, yt, "k_", ms=8, mew=2)
            ax.set_xticks(range(len(types)))
            ax.set_xticklabels([f"{t}\n{GBPS_PER_CHANNEL[t] * chans:g} GB/s" for t in types],
                               fontsize=8)
            ax.set_ylim(0, 105)
            ax.set_title(f"{net}, {des}", fontsize=10)
            if j == 0:
                ax.set_ylabel("DRAM-bound layer-phases (%)")
            ax.grid(True, axis="y", alpha=0.3)
    h, lab = axes[0][0].get_legend_handles_labels()
    h.append(plt.Line2D([], [], ls="", marker="_", color="k", ms=8, mew=2))
    lab.append("share of the phase's time spent in DRAM-bound layer-phases")
    fig.legend(h, lab, loc="lower center", ncol=3, bbox_to_anchor=(0.5, -0.08))
    fig.suptitle(f"Share of DRAM-bound layer-phases per phase and DRAM type ({chans} channels "
                 f"each; training batch 16)")
    fig.tight_layout()
    ctx.figure(fig, "memory_bound_share.png")

    # ---- figure 3: energy per DRAM type ----------------------------------------------------------
    fig, axes = plt.subplots(len(WORKLOADS), len(nets), figsize=(5.3 * len(nets), 3.8 * len(WORKLOADS)),
                             squeeze=False)
    E = df[df.dram_channels == chans]
    for i, (mode, batch) in enumerate(WORKLOADS):
        for j, net in enumerate(nets):
            ax = axes[i][j]
            for k, des in enumerate(designs):
                d = E[(E.design == des) & (E.network == net) & (E["mode"] == mode) & (E.batch == batch)]
                d = d.set_index(d.dram_type.astype(str)).loc[types]
                xs = np.arange(len(types)) + (k - 0.5) * 0.4
                on = (d.energy_pj - d.energy_dram_pj - d.energy_leak_pj) / batch / 1e6
                leak = d.energy_leak_pj / batch / 1e6
                dram = d.energy_dram_pj / batch / 1e6
                c = "tab:blue" if k == 0 else "tab:red"
                ax.bar(xs, on, 0.38, color=c, alpha=0.45, label=f"{des}: on-chip dynamic")
                ax.bar(xs, leak, 0.38, bottom=on, color=c, alpha=0.75,
                       label=f"{des}: leakage and clock")
                ax.bar(xs, dram, 0.38, bottom=on + leak, color=c, hatch="//", edgecolor="k",
                       alpha=0.95, label=f"{des}: DRAM")
            ax.set_xticks(range(len(types)))
            ax.set_xticklabels([f"{t}\n{PJ_PER_BIT[t]} pJ/bit" for t in types], fontsize=8)
            ax.set_ylabel("energy per sample (µJ)")
            ax.set_title(f"{net}, {mode} batch {batch}", fontsize=10)
            ax.grid(True, axis="y", alpha=0.3)
    h, lab = axes[0][0].get_legend_handles_labels()
    fig.legend(h, lab, loc="lower center", ncol=2, bbox_to_anchor=(0.5, -0.1))
    fig.suptitle(f"Energy per sample by DRAM type ({chans} channels each)")
    fig.tight_layout()
    ctx.figure(fig, "energy_per_dram_type.png")

    # ---- numbers.md ------------------------------------------------------------------------------
    t1 = ctx.timings.get("memory_technology.toml", 0.0)
    t2 = ctx.timings.get("memory_technology_bw.toml", 0.0)
    out = [f"# Numbers: {TITLE}", "",
           f"Generated by `analysis/studies/run.py memory_technology`: {len(df)} preset points in "
           f"{t1:.1f} s and {len(bw)} bandwidth points in {t2:.1f} s wall ({ctx.ranks} ranks). "
           f"{matched} preset points matched a bandwidth point at the same GB/s with the same "
           f"latency and DRAM bytes (cross-check of the preset bandwidths).", "",
           "## Knees (bandwidth sweep)", "",
           f"Knee: the lowest swept bandwidth at which the latency is within {SLACK - 1:.0%} of its "
           f"value at {bw.dram_gbps.max():g} GB/s. Ridge: the whole network's DRAM bytes divided "
           f"by that latency (the bandwidth at which DRAM time alone equals it).", ""]
    T = K.copy()
    for c in ("knee_gbps", "ridge_gbps", "ms_floor", "ms_knee", "ms_at_lowest", "knee_db_gbps"):
        T[c] = T[c].map(lambda v: f"{v:.4g}")
    T["max_ratio_db"] = K.max_ratio_db.map(lambda v: f"{v:.3f}")
    T["ratio_db_at_max"] = K.ratio_db_at_max.map(lambda v: f"{v:.3f}")
    out.append(md_table(T[["design", "network", "mode", "batch", "knee_gbps", "ridge_gbps",
                           "ms_floor", "ms_knee", "ms_at_lowest", "knee_db_gbps",
                           "max_ratio_db", "ratio_db_at_max"]]))
    out += ["", f"knee_db_gbps: the knee of the same design with `overlap = \"double_buffer\"` "
            f"(within {SLACK - 1:.0%} of its own latency at {bw.dram_gbps.max():g} GB/s); "
            f"max_ratio_db: the largest ratio of its latency to the default's over the swept "
            f"bandwidths, ratio_db_at_max that ratio at {bw.dram_gbps.max():g} GB/s ({len(db)} points in {ctx.timings.get('memory_technology_db.toml', 0):.1f} s)."]
    out += ["", "## Per-phase knees of the training step (batch 16)", "",
            f"The lowest swept bandwidth at which the phase's latency is within {SLACK - 1:.0%} "
            f"of its value at {bw.dram_gbps.max():g} GB/s (GB/s), and how much slower the phase "
            f"is at {bw.dram_gbps.min():g} GB/s (x).", ""]
    T = PK[["design", "network"]].copy()
    for p in PHASES:
        T[f"{p} knee"] = PK[p].map(lambda v: f"{v:g}")
    for p in PHASES:
        T[f"{p} at lowest"] = PK[p + "_slow"].map(lambda v: f"{v:.3g}x")
    out.append(md_table(T))
    out += ["", f"## DRAM-bound layer-phases per phase and DRAM type ({chans} channels)", "",
            "share = DRAM-bound layer-phases / layer-phases of the phase; time = their share of "
            "the phase's latency.", ""]
    P = S.copy()
    P["cell"] = P.apply(lambda r: f"{r.share:.0%} ({r.time_share:.0%})", axis=1)
    P = P.pivot_table(index=["design", "network", "phase"], columns="dram", values="cell",
                      aggfunc="first").reindex(columns=types).reset_index()
    P["phase"] = pd.Categorical(P.phase, bars, ordered=True)
    P = P.sort_values(["design", "network", "phase"])
    out.append(md_table(P))
    out += ["", f"Of the MAC layer-phases alone (convolutions, fc, matmuls), the share that is "
            f"DRAM-bound ({chans} channels; '-': the phase has none):", ""]
    M = S.copy()
    M["cell"] = M.mac_share.map(lambda v: "-" if np.isnan(v) else f"{v:.0%}")
    M = M.pivot_table(index=["design", "network", "phase"], columns="dram", values="cell",
                      aggfunc="first").reindex(columns=types).reset_index()
    M["phase"] = pd.Categorical(M.phase, bars, ordered=True)
    out.append(md_table(M.sort_values(["design", "network", "phase"])))
    out += ["", "## Latency (ms) and energy per sample (µJ) per DRAM type and channel count", ""]
    Q = df.copy()
    Q["GB/s"] = Q.apply(lambda r: GBPS_PER_CHANNEL[str(r.dram_type)] * r.dram_channels, axis=1)
    Q["ms"] = Q.latency_s * 1e3
    Q["µJ/sample"] = Q.energy_per_sample_pj / 1e6
    Q["DRAM share"] = Q.energy_dram_pj / Q.energy_pj
    Q = Q[[(m, b) in WORKLOADS for m, b in zip(Q["mode"], Q.batch)]]
    Q = Q.sort_values(["design", "network", "mode", "dram_type", "dram_channels"])
    Q["ch"] = Q.dram_channels.astype(int)
    for c, f in (("ms", "{:.4g}"), ("µJ/sample", "{:.4g}"), ("DRAM share", "{:.0%}"),
                 ("GB/s", "{:g}")):
        Q[c] = Q[c].map(f.format)
    out.append(md_table(Q[["design", "network", "mode", "dram_type", "ch", "GB/s", "ms",
                           "µJ/sample", "DRAM share"]]))
    ctx.numbers("\n".join(out))
