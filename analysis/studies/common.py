"""Small helpers shared by the study modules of analysis/studies/."""

import subprocess

import numpy as np
import pandas as pd


def network_table(trim_sweep, network, batch=1):
    """The layers of a network as `trim-sweep --show-network` prints them: a DataFrame with
    layer, kind, macs, params, in_acts, out_acts (activations for the whole batch)."""
    out = subprocess.run([trim_sweep, "--show-network", network, "--batch", str(batch)],
                         check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 7 or not parts[0].isdigit():
            continue
        # '#  layer  kind  input  output  [window...]  MACs  params  in acts  out acts'
        nums = [int(p.replace(",", "")) for p in parts[-4:]]
        rows.append({"layer": parts[1], "kind": parts[2], "macs": nums[0], "params": nums[1],
                     "in_acts": nums[2], "out_acts": nums[3]})
    if not rows:
        raise SystemExit(f"error: no layers parsed from trim-sweep --show-network {network}")
    return pd.DataFrame(rows)


def knee(x, y, share=0.9):
    """Smallest x at which y has made `share` of its total drop over the range:
    y(x) <= y_max - share * (y_max - y_min). x ascending; returns (x, y) of that point."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    target = y.max() - share * (y.max() - y.min())
    i = int(np.argmax(y <= target * (1 + 1e-12)))
    return x[i], y[i]


def fmt_bytes(b):
    """Bytes with a binary prefix, 3 significant digits."""
    for unit, f in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if abs(b) >= f:
            return f"{b / f:.3g} {unit}"
    return f"{b:.3g} B"


def fmt_kib(k):
    """A buffer size given in KiB, as KiB or MiB."""
    return f"{k / 1024:g} MiB" if k >= 1024 else f"{k:g} KiB"


def md_table(df, floatfmt="{:.3g}"):
    """A DataFrame as a markdown table (no extra packages)."""
    cols = list(df.columns)
    lines = ["| " + " | ".join(str(c) for c in cols) + " |", "|" + "---|" * len(cols)]
    for i in range(len(df)):
        cells = []
        for c in cols:
            v = df[c].iloc[i]   # per column, so integer columns stay integers
            cells.append(floatfmt.format(v) if isinstance(v, (float, np.floating)) else str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def kib_axis(ax):
    """Log-2 x axis of buffer sizes given in KiB, labelled 16 KiB, 1 MiB, ..."""
    from matplotlib.ticker import FuncFormatter, LogLocator
    ax.set_xscale("log", base=2)
    ax.xaxis.set_major_locator(LogLocator(base=4))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_kib(v).replace(".0 ", " ")))


def require_all_ok(df, nets, study, show=("network", "status")):
    """Stops the study unless every network in `nets` was evaluated and every point is ok."""
    got = set(df.network.astype(str))
    if got != set(nets):
        raise SystemExit(f"{study}: networks evaluated {sorted(got)}, expected {list(nets)}")
    bad = df[df.status != "ok"]
    if len(bad):
        raise SystemExit(f"{study}: {len(bad)} infeasible points, first: "
                         f"{bad.iloc[0][list(show)].to_dict()}")


def label_axes(ax, xlabel, ylabel, title, logx=False, logy=False):
    """Labels, title, log scales and a light grid of one panel."""
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)


def md_rows(rows, header):
    """A markdown table from a list of rows (lists of cells already formatted)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)
