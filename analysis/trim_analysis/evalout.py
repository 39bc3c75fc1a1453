"""Reading trim-eval's per-layer output (JSON or CSV) and the numbers of a roofline chart.

trim-eval (src/cli/eval_main.cpp) prints, for one design point, one row per layer and phase
(layer, kind, phase, dataflow, macs, cycles, latency_s, energy_pj and its six parts,
dram_bytes, glb_accesses, active_pes, utilization, fused, status) and the network totals (every
results column). `--format json` gives {"index", "point", "status", "layers": [...],
"failure": null or {...}, "totals": {...}}; `--format csv` gives the layer table, a blank line,
for an infeasible design a `# failure: ...` line, a `# totals: design N (POINT), status S` line
and a `column,value` table.
"""

import io
import json
import os
import re
import tomllib

import numpy as np
import pandas as pd

ENERGY_PARTS = ("energy_mac_pj", "energy_rf_pj", "energy_noc_pj", "energy_glb_pj",
                "energy_dram_pj", "energy_leak_pj")
PHASES = ("fp", "bp", "wg", "wu")
_TEXT_COLUMNS = ("layer", "kind", "phase", "dataflow", "status")
_REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class EvalReport:
    """One design's trim-eval output.

    layers: DataFrame, one row per (layer, phase), in trim-eval's order;
    totals: dict column -> float; index: design index; point: dict axis -> value (str);
    status: "ok" or the reason the design is infeasible; energy_units: "pJ", or "normalized"
    when the job's technology table is relative (its *_pj columns are then not in pJ).
    """

    def __init__(self, layers, totals, index, point, status, energy_units="pJ"):
        self.layers = layers
        self.totals = totals
        self.index = index
        self.point = point
        self.status = status
        self.energy_units = energy_units

    def title(self):
        return f"design {self.index}: " + " ".join(f"{k}={v}" for k, v in self.point.items())


def _parse_point(text):
    out = {}
    for item in text.split():
        if "=" in item:
            k, v = item.split("=", 1)
            out[k] = v
    return out


def _frame(records):
    df = pd.DataFrame.from_records(records)
    for c in df.columns:
        if c not in _TEXT_COLUMNS:
            df[c] = pd.to_numeric(df[c])
    return df


def parse_eval(text):
    """An EvalReport from trim-eval's JSON or CSV output text."""
    stripped = text.lstrip()
    if stripped.startswith("{"):
        d = json.loads(text)
        return EvalReport(_frame(d["layers"]), {k: float(v) for k, v in d["totals"].items()},
                          int(d["index"]), _parse_point(d.get("point", "")), d.get("status", ""),
                          d.get("energy_units", "pJ"))
    head, sep, tail = text.partition("\n\n")
    if not sep or not head.startswith("layer,"):
        raise ValueError("not trim-eval output: expected JSON (--format json) or CSV "
                         "(--format csv)")
    layers = pd.read_csv(io.StringIO(head), keep_default_na=False)
    layers = _frame(layers.to_dict("records")) if len(layers) else layers
    m = re.search(r"# totals: design (\d+) \((.*)\), status ([^\s,]+)(?:, energy units (\S+))?",
                  tail)
    if not m:
        raise ValueError("trim-eval CSV without its '# totals:' line")
    table = tail[tail.index("column,value"):]
    totals = pd.read_csv(io.StringIO(table))
    return EvalReport(layers, dict(zip(totals["column"], totals["value"].astype(float))),
                      int(m.group(1)), _parse_point(m.group(2)), m.group(3),
                      m.group(4) or "pJ")


def read_eval(path):
    """An EvalReport from a file written by trim-eval (`-` reads standard input)."""
    if path == "-":
        import sys
        return parse_eval(sys.stdin.read())
    with open(path, encoding="utf-8") as f:
        return parse_eval(f.read())


def peak_macs_per_s(report):
    """Peak MAC/s of the design, recovered exactly from trim-eval's own rows.

    For a layer with MACs, utilization = macs / (peak MACs per cycle x cycles) (docs/model.md,
    section 13) and the clock is cycles / latency_s, so peak MAC/s = macs / (utilization x
    latency_s). Every MAC layer gives the same number; the median guards against rounding in
    the printed digits.
    """
    l = report.layers
    ok = (l["macs"] > 0) & (l["utilization"] > 0) & (l["latency_s"] > 0)
    if not ok.any():
        raise ValueError("no layer with MACs: cannot infer the peak compute of the design")
    return float(np.median(l.loc[ok, "macs"] / (l.loc[ok, "utilization"] * l.loc[ok, "latency_s"])))


def _hardware_path(job_path, configs_dir=None):
    with open(job_path, "rb") as f:
        job = tomllib.load(f)
    hw = job.get("job", {}).get("hardware")
    if not hw:
        raise ValueError(f"{job_path}: no [job] hardware key")
    if hw.endswith(".toml"):
        return hw if os.path.isabs(hw) else os.path.join(os.path.dirname(job_path) or ".", hw)
    return os.path.join(configs_dir or os.path.join(_REPO, "configs"), "hardware", hw + ".toml")


def dram_bytes_per_s(report, dram_gbps=None, job_path=None, configs_dir=None):
    """The design's DRAM bandwidth in B/s (dram_gbps x 10^9).

    Sources, first that applies: the explicit `dram_gbps`; the design point itself when
    dram_gbps is a sweep axis (trim-eval prints every axis); the job's hardware file
    ([bandwidth] dram_gbps). Raises ValueError when none gives a value.
    """
    if dram_gbps is not None:
        return float(dram_gbps) * 1e9
    if "dram_gbps" in report.point:
        return float(report.point["dram_gbps"]) * 1e9
    if job_path is None:
        raise ValueError("the DRAM bandwidth is unknown: give the job file (--job) or "
                         "--dram-gbps")
    hw_path = _hardware_path(job_path, configs_dir)
    with open(hw_path, "rb") as f:
        hw = tomllib.load(f)
    value = hw.get("bandwidth", {}).get("dram_gbps")
    if value is None:
        raise ValueError(f"{hw_path} sets no [bandwidth] dram_gbps: give --dram-gbps")
    return float(value) * 1e9


def roofline_points(report):
    """Per (layer, phase) rows with MACs and DRAM traffic: intensity (MAC/B), achieved (MAC/s).

    Layers without MACs (element-wise, pooling) are left out: they have no MAC rate to plot.
    Layers with MACs but no DRAM traffic get intensity = inf (drawn at the right edge).
    """
    l = report.layers
    pts = l[(l["macs"] > 0) & (l["latency_s"] > 0)].copy()
    with np.errstate(divide="ignore"):
        pts["intensity_mac_per_b"] = pts["macs"] / pts["dram_bytes"]
    pts["achieved_mac_per_s"] = pts["macs"] / pts["latency_s"]
    return pts
