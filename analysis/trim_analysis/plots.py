"""PNG charts of a sweep and of one design (matplotlib, Agg backend: no display needed).

Each function writes one PNG to `out` and returns the matplotlib Figure (closed, for
inspection in tests). docs/analysis.md shows what each chart encodes.
"""

import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from . import decide, evalout  # noqa: E402

_DPI = 110
# Fixed colours per dataflow so that every chart of a project agrees.
_DATAFLOW_COLORS = {"ws": "tab:blue", "os": "tab:orange", "is": "tab:green", "rs": "tab:red",
                    "nlr": "tab:purple", "best": "tab:brown"}
_PART_COLORS = ("tab:gray", "tab:green", "tab:orange", "tab:blue", "tab:red", "tab:purple")
_PHASE_COLORS = {"fp": "tab:blue", "bp": "tab:orange", "wg": "tab:green", "wu": "tab:red"}


def _label(df, column):
    unit = df.attrs.get("units", {}).get(column, "") if hasattr(df, "attrs") else ""
    return f"{column} [{unit}]" if unit and unit != "1" else column


def _auto_log(values):
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    return len(v) > 0 and v.min() > 0 and v.max() / v.min() > 20


def _color_of(label, palette_index):
    return _DATAFLOW_COLORS.get(str(label), f"C{palette_index % 10}")


def _group_title(by, key):
    def text(v):
        return f"{v:g}" if isinstance(v, (float, np.floating)) else str(v)
    return ", ".join(f"{b}={text(k)}" for b, k in zip(by, key)) if by else "all rows"


def plot_pareto(df, objectives, out, constraints=None, feasible_only=True, by=None, log=None,
                max_background=200_000, title=None):
    """Scatter of the candidate designs coloured by dataflow, with the Pareto front on top.

    2 objectives: one 2-D panel per workload group (the front joined by a staircase line).
    3 objectives: one 3-D panel per group. Axes are log-scaled when `log` is True, or (None)
    when a positive objective spans more than a factor 20. At most `max_background` candidates
    per panel are drawn (a fixed-seed random subset); the front is always drawn whole.
    """
    objs = [decide.objective(o) for o in objectives]
    front = decide.pareto_front(df, objs, constraints, feasible_only, by)
    by = front.attrs["by"]
    cand = decide.constrain(df, constraints, feasible_only)
    groups = decide._groups(cand, by)
    if not groups or not len(cand):
        raise ValueError("no design passes the constraints: nothing to plot")
    fronts = dict(decide._groups(front, by))
    three = len(objs) == 3
    ncols = min(3, len(groups))
    nrows = (len(groups) + ncols - 1) // ncols
    fig = plt.figure(figsize=(6.0 * ncols, 4.8 * nrows), dpi=_DPI)
    cols = [o.column for o in objs]
    has_dataflow = "dataflow" in cand.columns
    for i, (key, part) in enumerate(groups):
        ax = fig.add_subplot(nrows, ncols, i + 1, projection="3d" if three else None)
        if len(part) > max_background:
            part = part.sample(max_background, random_state=0)
        fr = fronts.get(key, part.iloc[:0])
        logs = [(_auto_log(part[c]) if log is None else bool(log)) and (part[c] > 0).all()
                for c in cols]
        size = 16 if len(part) <= 5000 else 5
        coords = (lambda d: [np.log10(d[c]) if (three and lg) else d[c]
                             for c, lg in zip(cols, logs)])
        labels = (list(part["dataflow"].cat.categories) if has_dataflow and
                  isinstance(part["dataflow"].dtype, pd.CategoricalDtype) else [None])
        for j, dfl in enumerate(labels):
            sub = part if dfl is None else part[part["dataflow"] == dfl]
            fsub = fr if dfl is None else fr[fr["dataflow"] == dfl]
            if not len(sub):
                continue
            color = _color_of(dfl, j)
            ax.scatter(*coords(sub), s=size, alpha=0.35, color=color, linewidths=0,
                       label=f"{dfl} ({len(sub)})" if dfl is not None else f"designs ({len(sub)})",
                       rasterized=True)
            if len(fsub):
                ax.scatter(*coords(fsub), s=40, color=color, edgecolors="black",
                           linewidths=0.8, zorder=3, **({"depthshade": False} if three else {}))
        if not three and len(fr) > 1:
            f = fr.sort_values(cols[0], ascending=not objs[0].maximize)
            ax.step(f[cols[0]], f[cols[1]], where="post", color="black", linewidth=0.8,
                    zorder=2)
        ax.scatter([], [], s=40, facecolors="none", edgecolors="black",
                   label=f"Pareto front ({len(fr)})")
        if three:
            for setter, c, lg in zip((ax.set_xlabel, ax.set_ylabel, ax.set_zlabel), cols, logs):
                setter(f"log10 {_label(df, c)}" if lg else _label(df, c), fontsize=8)
        else:
            ax.set_xlabel(_label(df, cols[0]))
            ax.set_ylabel(_label(df, cols[1]))
            if logs[0]:
                ax.set_xscale("log")
            if logs[1]:
                ax.set_yscale("log")
            ax.grid(True, which="both", alpha=0.3)
        ax.set_title(_group_title(by, key), fontsize=10)
        legend = ax.legend(fontsize=7, loc="best", title="dataflow" if has_dataflow else None,
                           title_fontsize=7, markerscale=1.5)
        for handle in legend.legend_handles if hasattr(legend, "legend_handles") \
                else legend.legendHandles:
            handle.set_alpha(1.0)
    arrows = ", ".join(f"{'max' if o.maximize else 'min'} {o.column}" for o in objs)
    fig.suptitle(title or f"Pareto front: {arrows}", fontsize=11)
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)
    return fig


def plot_sensitivity(summary, curves, out, title=None):
    """Bars of each axis's sensitivity, and for each axis the best goal value per axis value
    relative to the best overall (1 = optimal), one line per workload group."""
    if not len(summary):
        raise ValueError("no axis to plot: the sweep has no design axis with two values")
    by = [c for c in summary.columns if c not in ("axis", "sensitivity", "best_value",
                                                  "worst_value", "best", "worst", "values",
                                                  "infeasible_values")]
    axes = list(dict.fromkeys(summary["axis"]))
    groups = decide._groups(summary, by)
    n = len(axes)
    ncols = min(4, n)
    nrows = 1 + (n + ncols - 1) // ncols
    fig = plt.figure(figsize=(max(8.0, 3.4 * ncols), 3.2 * nrows), dpi=_DPI)
    ax0 = fig.add_subplot(nrows, 1, 1)
    width = 0.8 / max(1, len(groups))
    x = np.arange(n)
    for gi, (key, part) in enumerate(groups):
        s = part.set_index("axis").reindex(axes)["sensitivity"].to_numpy(dtype=np.float64)
        ax0.bar(x + gi * width - 0.4 + width / 2, np.nan_to_num(s, posinf=0), width,
                label=_group_title(by, key), color=f"C{gi % 10}")
        for xi, si in zip(x, s):
            if np.isinf(si):
                ax0.annotate("inf", (xi + gi * width - 0.4 + width / 2, 0), ha="center",
                             va="bottom", fontsize=7)
    ax0.set_xticks(x)
    ax0.set_xticklabels(axes)
    ax0.set_ylabel("sensitivity (relative regret)")
    ax0.grid(True, axis="y", alpha=0.3)
    if len(groups) > 1:
        ax0.legend(fontsize=7)
    goal = summary.attrs.get("goal", "")
    ax0.set_title(title or f"sensitivity of {goal} to each design axis", fontsize=10)
    curve_groups = dict(decide._groups(curves, by))
    best_of = {k: p for k, p in groups}
    maximize = goal.startswith("max")
    for ai, a in enumerate(axes):
        ax = fig.add_subplot(nrows, ncols, ncols + ai + 1)
        for gi, (key, _) in enumerate(groups):
            c = curve_groups.get(key)
            if c is None:
                continue
            c = c[c["axis"] == a]
            ref = best_of[key].set_index("axis")["best"].get(a, np.nan)
            rel = (c["best"] / ref).to_numpy(dtype=np.float64)
            if maximize:
                rel = 1 / rel
            labels = [str(v) for v in c["value"]]
            numeric = all(isinstance(v, (int, float, np.number)) for v in c["value"])
            xs = c["value"].to_numpy(dtype=np.float64) if numeric else np.arange(len(labels))
            ax.plot(xs, rel, marker="o", color=f"C{gi % 10}", markersize=4,
                    linestyle="-" if numeric else ":")
            if numeric and len(xs) > 2 and xs.min() > 0 and xs.max() / xs.min() >= 8:
                ax.set_xscale("log")
                ax.minorticks_off()
            if not numeric or len(xs) <= 8:
                ax.set_xticks(xs)
                ax.set_xticklabels(labels if not numeric else [f"{x:g}" for x in xs],
                                   fontsize=7)
        ax.axhline(1.0, color="black", linewidth=0.6)
        ax.set_xlabel(a, fontsize=8)
        ax.set_ylabel("best / best overall" if not maximize else "best overall / best",
                      fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)
    return fig


def _wrap(text, width=110):
    return "\n".join(textwrap.wrap(text, width))


def _layer_labels(layers, multi):
    return [f"{l}:{p}" if multi and p != _OTHER else str(l)
            for l, p in zip(layers["layer"], layers["phase"])]


_OTHER = "other"  # the phase of the bar that sums the layer-phases not shown


def top_layer_phases(layers, top):
    """The `top` layer-phases with the largest share of the latency or of the energy, in
    execution order, plus one row (layer "other (K)", phase "other") that sums the remaining
    K. All rows, unchanged, when there are at most top + 1 or top <= 0."""
    if top <= 0 or len(layers) <= top + 1:
        return layers
    share = pd.concat([layers[c] / max(layers[c].sum(), 1e-300)
                       for c in ("latency_s", "energy_pj")], axis=1).max(axis=1)
    keep = np.sort(np.argsort(-share.to_numpy(), kind="stable")[:top])
    rest = layers.drop(index=layers.index[keep])
    other = rest.select_dtypes("number").sum()
    other["layer"], other["phase"] = f"{_OTHER} ({len(rest)})", _OTHER
    if "kind" in layers.columns:
        other["kind"] = _OTHER
    return pd.concat([layers.iloc[keep], other.to_frame().T], ignore_index=True)


def _clip_other(ax, heights, shown_all, unit):
    """y range of the layer bars; the summed "other" bar (the last one) may exceed it, and
    then carries its value as text, so that it does not flatten the bars of single layers."""
    # The top quarter is left to the legend (upper left) and the value of the "other" bar.
    top = max(1e-12, heights.max() if shown_all else heights[:-1].max()) * 1.3
    ax.set_ylim(0, top)
    if not shown_all and heights[-1] > top:
        v = heights[-1]
        ax.text(len(heights) - 1, top * 0.97, f"{v:.4g} {unit}" if v < 1e4 else f"{v:,.0f} {unit}",
                ha="right", va="top", fontsize=7,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})


def plot_layers(report, out, title=None, top=40):
    """Per-layer energy (stacked by component) and latency (coloured by phase), and the totals
    per phase, of one design's trim-eval output. With more than top + 1 layer-phases, the
    `top` with the largest share of latency or energy are drawn and the rest summed in one
    hatched "other" bar (top <= 0: every layer-phase); the per-phase totals are always over
    all of them."""
    from matplotlib.patches import Patch

    full = report.layers
    if not len(full):
        raise ValueError("the trim-eval output has no layer rows")
    l = top_layer_phases(full, top)
    shown_all = len(l) == len(full)
    multi = full["phase"].nunique() > 1
    labels = _layer_labels(l, multi)
    x = np.arange(len(l))
    hatch = ["//" if p == _OTHER else None for p in l["phase"]]
    width = max(8.0, min(40.0, 0.18 * len(l) + 3))
    # Constrained layout gives each row the room its labels need (tight_layout would put the
    # rotated layer names' height between every pair of rows).
    fig = plt.figure(figsize=(width, 10), dpi=_DPI, layout="constrained")
    grid = fig.add_gridspec(3, 4)
    ax_e = fig.add_subplot(grid[0, :])
    bottom = np.zeros(len(l))
    normalized = getattr(report, "energy_units", "pJ") == "normalized"
    e_scale, e_unit = (1.0, "normalized") if normalized else (1e-6, "uJ")
    for part, color in zip(evalout.ENERGY_PARTS, _PART_COLORS):
        if part not in l.columns:
            continue
        v = l[part].to_numpy(dtype=np.float64) * e_scale  # pJ -> uJ, or normalized as is
        ax_e.bar(x, v, bottom=bottom, color=color, width=0.85, hatch=hatch,
                 label=part.removeprefix("energy_").removesuffix("_pj"))
        bottom += v
    ax_e.set_ylabel(f"energy [{e_unit}]")
    ax_e.set_xlim(-0.6, len(l) - 0.4)
    _clip_other(ax_e, bottom, shown_all, "uJ")
    ax_e.tick_params(axis="x", labelbottom=False)
    ax_e.legend(fontsize=7, ncol=6, loc="upper left")
    ax_e.grid(True, axis="y", alpha=0.3)
    heading = f"{report.title()}  (status {report.status})"
    if not shown_all:
        heading += (f"; the {len(l) - 1} of {len(full)} layer-phases with the largest share of "
                    f"latency or energy, in execution order, the other {len(full) - len(l) + 1} "
                    "summed in the hatched bar (its value written when off scale)")
    ax_e.set_title(title or _wrap(heading, int(width * 14)), fontsize=9)

    ax_t = fig.add_subplot(grid[1, :], sharex=ax_e)
    colors = [_PHASE_COLORS.get(p, "tab:gray") for p in l["phase"]]
    latency_ms = l["latency_s"].to_numpy(dtype=np.float64) * 1e3
    ax_t.bar(x, latency_ms, color=colors, width=0.85, hatch=hatch)
    _clip_other(ax_t, latency_ms, shown_all, "ms")
    ax_t.set_ylabel("latency [ms]")
    ax_t.set_xticks(x)
    ax_t.set_xticklabels(labels, rotation=90, fontsize=max(4, min(8, 600 // max(1, len(l)))))
    ax_t.grid(True, axis="y", alpha=0.3)
    # Legend handles are patches of each phase's colour (an empty bar container has none).
    handles = [Patch(facecolor=_PHASE_COLORS.get(p, "tab:gray"),
                     hatch="//" if p == _OTHER else None,
                     label=f"phase {p}" if p != _OTHER else "other layer-phases, summed")
               for p in dict.fromkeys(l["phase"])]
    ax_t.legend(handles=handles, fontsize=7, loc="upper left", ncol=len(handles))

    phases = list(dict.fromkeys(full["phase"]))
    per = full.groupby("phase", sort=False)[["latency_s", "energy_pj", "macs",
                                             "dram_bytes"]].sum()
    per = per.reindex(phases)
    for i, (col, unit, scale) in enumerate((("latency_s", "ms", 1e3), ("energy_pj", e_unit, e_scale),
                                            ("macs", "GMAC", 1e-9),
                                            ("dram_bytes", "MB", 1e-6))):
        ax = fig.add_subplot(grid[2, i])
        ax.bar(phases, per[col].to_numpy(dtype=np.float64) * scale,
               color=[_PHASE_COLORS.get(p, "tab:gray") for p in phases])
        ax.set_title(f"{col} per phase [{unit}]", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(True, axis="y", alpha=0.3)
    fig.savefig(out)
    plt.close(fig)
    return fig


def _shorten(text, n=32):
    return text if len(text) <= n else text[:n - 3] + "..."


def plot_roofline(report, out, peak_mac_per_s, dram_b_per_s, annotate=8, title=None):
    """Roofline of one design: each MAC layer (and phase) at (MACs / DRAM bytes, MACs /
    latency), under the compute roof `peak_mac_per_s` and the memory roof
    `dram_b_per_s x intensity`. Marker area follows the layer's share of the latency."""
    pts = evalout.roofline_points(report)
    if not len(pts):
        raise ValueError("no layer with MACs: nothing to draw on a roofline")
    oi = pts["intensity_mac_per_b"].to_numpy(dtype=np.float64)
    finite = oi[np.isfinite(oi)]
    ridge = peak_mac_per_s / dram_b_per_s
    lo = min([ridge] + list(finite)) / 4
    hi = max([ridge] + list(finite)) * 4
    oi_drawn = np.where(np.isfinite(oi), oi, hi / 1.5)
    fig, ax = plt.subplots(figsize=(8, 6), dpi=_DPI)
    xs = np.geomspace(lo, hi, 200)
    ax.plot(xs, np.minimum(peak_mac_per_s, dram_b_per_s * xs), color="black", linewidth=1.5,
            label="attainable = min(peak, bandwidth x intensity)")
    ax.axhline(peak_mac_per_s, color="tab:red", linestyle="--", linewidth=0.8,
               label=f"peak compute {peak_mac_per_s:.3g} MAC/s")
    ax.plot(xs, dram_b_per_s * xs, color="tab:blue", linestyle="--", linewidth=0.8,
            label=f"DRAM bandwidth {dram_b_per_s / 1e9:.3g} GB/s")
    ax.axvline(ridge, color="gray", linestyle=":", linewidth=0.8,
               label=f"ridge {ridge:.3g} MAC/B")
    share = pts["latency_s"] / pts["latency_s"].sum()
    kinds = list(dict.fromkeys(pts["kind"]))
    for i, k in enumerate(kinds):
        m = (pts["kind"] == k).to_numpy()
        ax.scatter(oi_drawn[m], pts.loc[m, "achieved_mac_per_s"], s=20 + 400 * share[m],
                   color=f"C{i % 10}", edgecolors="black", linewidths=0.5, alpha=0.8,
                   label=f"{k} layers ({int(m.sum())})", zorder=3)
    top = pts.assign(_x=oi_drawn).nlargest(annotate, "latency_s")
    multi = report.layers["phase"].nunique() > 1
    # Layers drawn at (nearly) the same spot share one short label: the first name and how
    # many more (transformers repeat one shape per block). Labels are clipped to the axes and
    # left out of the layout, so that long names never shrink the chart.
    spots = []  # [log x, log y, (x, y), names]
    for _, r in top.iterrows():
        name = f"{r['layer']}:{r['phase']}" if multi else str(r["layer"])
        lx, ly = np.log10(r["_x"]), np.log10(r["achieved_mac_per_s"])
        for spot in spots:
            if abs(spot[0] - lx) < 0.05 and abs(spot[1] - ly) < 0.05:
                spot[3].append(name)
                break
        else:
            spots.append([lx, ly, (r["_x"], r["achieved_mac_per_s"]), [name]])
    for i, (_, _, xy, names) in enumerate(spots):
        text = names[0] if len(names) == 1 else f"{names[0]} +{len(names) - 1} more"
        a = ax.annotate(_shorten(text), xy, fontsize=7, xytext=(4, 4 + 9 * (i % 3)),
                        textcoords="offset points", annotation_clip=True, clip_on=True)
        a.set_in_layout(False)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi)
    ymin = min(pts["achieved_mac_per_s"].min(), dram_b_per_s * lo) / 2
    ax.set_ylim(ymin, peak_mac_per_s * 3)
    ax.set_xlabel("operational intensity [MAC / DRAM byte]")
    ax.set_ylabel("achieved [MAC/s]")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title(title or _wrap(report.title()), fontsize=9)
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)
    return fig
