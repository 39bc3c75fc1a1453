"""Tests of the analysis layer: Pareto fronts, best designs, sensitivity, plots, the ParaView view.

The Pareto algorithms are checked against an O(n^2) brute force on random data (ties, NaN,
maximized objectives). The rest runs on a real results file that CTest writes with trim-sweep
for this test run (tests/integration/data/analysis.toml, TRIM_RESULTS_H5) and on trim-eval
output of the same job (TRIM_BIN, TRIM_ANALYSIS_JOB); those tests are skipped when the
variables are not set. PNGs go to TRIM_PLOT_DIR when set (to look at them), else to tmp_path.
"""

import json
import os
import subprocess
import sys

import h5py
import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest

import trim_analysis as ta
from trim_analysis import decide, evalout, pareto
from trim_analysis.plots import _DATAFLOW_COLORS
from trim_analysis.plots import _PHASE_COLORS as _PHASE_COLORS_T

ANALYSIS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.environ.get("TRIM_RESULTS_H5", "")
BIN = os.environ.get("TRIM_BIN", "")
JOB = os.environ.get("TRIM_ANALYSIS_JOB", "")

needs_results = pytest.mark.skipif(not RESULTS, reason="TRIM_RESULTS_H5 is not set (CTest "
                                                       "sets it to a file trim-sweep wrote)")
needs_eval = pytest.mark.skipif(not (RESULTS and BIN and JOB),
                                reason="TRIM_BIN / TRIM_ANALYSIS_JOB are not set")


# ---------------------------------------------------------------- Pareto, on synthetic data

def test_pareto_hand_example():
    # (3, 4) is dominated by (2, 3); the two copies of (2, 3) do not dominate each other;
    # (1, 5) and (4, 1) are extremes; (5, 5) is dominated by everything but itself.
    v = np.array([[1, 5], [2, 3], [3, 4], [4, 1], [2, 3], [5, 5]], dtype=float)
    assert list(np.flatnonzero(ta.pareto_mask(v))) == [0, 1, 3, 4]
    # Maximizing the second objective: (1, 5) has the lowest x and the highest y, so it
    # dominates every other point, (5, 5) included (worse x, equal y).
    assert list(np.flatnonzero(ta.pareto_mask(v, [False, True]))) == [0]
    # 3-D: (1, 1, 1) dominates (1, 2, 1) (equal in two, better in one) but not (0, 5, 5).
    w = np.array([[1, 1, 1], [1, 2, 1], [0, 5, 5], [1, 1, 1]], dtype=float)
    assert list(np.flatnonzero(ta.pareto_mask(w))) == [0, 2, 3]


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("kind", ["ties", "uniform", "anticorrelated"])
def test_pareto_matches_bruteforce(k, kind):
    rng = np.random.default_rng(100 * k + len(kind))
    for _ in range(25):
        n = int(rng.integers(1, 1500))
        if kind == "ties":
            v = rng.integers(0, 5, size=(n, k)).astype(float)
        elif kind == "uniform":
            v = rng.random((n, k))
        else:
            v = rng.random((n, k))
            v[:, -1] = 1.0 - v[:, 0] + 0.01 * rng.random(n)
        v[rng.random(n) < 0.05, int(rng.integers(k))] = np.nan
        maximize = list(rng.random(k) < 0.5)
        got = ta.pareto_mask(v, maximize)
        want = ta.pareto_mask_bruteforce(v, maximize)
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("k", [2, 3])
def test_pareto_with_pivot_prefilter_is_exact(monkeypatch, k):
    # Large inputs are first thinned by pivots from a sample; force that path on small data.
    monkeypatch.setattr(pareto, "_PIVOT_MIN_ROWS", 100)
    monkeypatch.setattr(pareto, "_PIVOT_SAMPLE", 64)
    monkeypatch.setattr(pareto, "_BLOCK_FIRST", 8)
    rng = np.random.default_rng(7)
    for _ in range(4):
        v = np.round(rng.random((2000, k)) * 50) / 50  # many ties
        np.testing.assert_array_equal(ta.pareto_mask(v), ta.pareto_mask_bruteforce(v))


def test_pareto_rejects_other_dimensions():
    with pytest.raises(ValueError, match="2 or 3 objectives"):
        ta.pareto_mask(np.zeros((4, 4)))


def test_objective_and_constraint_parsing():
    assert repr(ta.objective("energy")) == "min:energy_pj"
    assert repr(ta.objective("throughput")) == "max:throughput_sps"
    assert repr(ta.objective("min:throughput_sps")) == "min:throughput_sps"
    assert repr(ta.objective("minimize latency_s")) == "min:latency_s"
    assert ta.parse_constraint("area_mm2<=20") == ("area_mm2", "<=", 20.0)
    assert ta.parse_constraint(" power_w > 1e-3 ") == ("power_w", ">", 0.001)
    assert ta.parse_constraint("dataflow=rs") == ("dataflow", "=", "rs")
    assert ta.parse_constraint("dataflow!=rs") == ("dataflow", "!=", "rs")
    with pytest.raises(ValueError, match="needs a number"):
        ta.parse_constraint("dataflow<=rs")


def _frame():
    # Six rows: x = 0..5, dataflow cycles through rs, ws, os; network a/b.
    return pd.DataFrame({
        "x": np.arange(6, dtype=float),
        "area_mm2": [1.0, 5.0, 10.0, 20.0, 40.0, 80.0],
        "dataflow": pd.Categorical(["rs", "ws", "os"] * 2),
        "network": pd.Categorical(["bert-base:seq_len=128"] * 3 + ["alexnet"] * 3),
    })


@pytest.mark.parametrize("expr, rows", [
    ("x<2", [0, 1]),
    ("x <= 2", [0, 1, 2]),
    ("x!=3", [0, 1, 2, 4, 5]),
    ("x == 3", [3]),
    ("area<=10", [0, 1, 2]),                       # goal short name of area_mm2
    ("dataflow!=rs", [1, 2, 4, 5]),
    ("dataflow in (rs, os)", [0, 2, 3, 5]),
    ("dataflow not in ('rs','os')", [1, 4]),
    ("x in (0, 5)", [0, 5]),
    ("x<2 or x>4", [0, 1, 5]),
    ("x>0 and x<5 and dataflow=ws", [1, 4]),
    ("not (x>=1 and x<=4)", [0, 5]),
    ("x<1 or x>3 and dataflow=os", [0, 5]),        # and binds tighter than or
    ("network=bert-base:seq_len=128", [0, 1, 2]),  # '=' inside a bare label
    ("network = alexnet AND x >= 4", [4, 5]),          # keywords in any case
])
def test_filter_grammar(expr, rows):
    from trim_analysis import filters
    assert list(np.flatnonzero(filters.mask(expr, _frame()))) == rows


@pytest.mark.parametrize("expr, problem, hint", [
    ("area_mm2=<5", "'=<' is not an operator", "area_mm2<=5"),
    ("area_mm2=>5", "'=>' is not an operator", "area_mm2>=5"),
    ("x<>3", "'<>' is not an operator", "x!=3"),
    ("dataflow=RS", "'RS' is not a value of dataflow (did you mean 'rs'?)", "os, rs, ws"),
    ("dataflow in (rs, wss)", "'wss' is not a value of dataflow (did you mean 'ws'?)", ""),
    ("dataflw=rs", "there is no column 'dataflw' (did you mean 'dataflow'?)", "columns:"),
    ("dataflow<rs", "dataflow is categorical: '<' does not apply", "=, != or in"),
    ("area_mm2<=big", "area_mm2 is numeric and 'big' is not a number", "a number"),
    ("area_mm2<='5'", "'5' is not a number", ""),  # a quoted value is a label
    ("", "the filter is empty", ""),
    ("x<1 and", "a condition is missing", ""),
    ("(x<1", "'(' is not closed", ""),
    ("x<1)", "')' has no matching '('", ""),
    ("x<1 x>2", "unexpected 'x>2'", "and / or"),
    ("x<1 && x>2", "'&' is not an operator here", "and / or"),
    ("x", "expected an operator after 'x'", ""),
    ("x<", "the value after 'x' is missing", ""),
    ("x in 1, 2", "'in' needs a parenthesized list", ""),
    ("x in (1, 2", "not closed", ""),
    ("dataflow='rs", "quoted value is not closed", ""),
])
def test_filter_errors_say_what_and_how(expr, problem, hint):
    from trim_analysis import filters
    with pytest.raises(filters.FilterError) as e:
        filters.mask(expr, _frame())
    assert problem in str(e.value) and hint in e.value.hint, str(e.value)


# ---------------------------------------------------------------- on a real results file

@pytest.fixture(scope="module")
def df():
    if not RESULTS:
        pytest.skip("TRIM_RESULTS_H5 is not set")
    return ta.load(RESULTS)


def ok_rows(frame):
    return frame[(frame["feasible"] == 1) & (frame["status"] == "ok")]


@needs_results
def test_real_file_has_feasible_and_infeasible_rows(df):
    # data/analysis.toml: 3 x 2 x 3 hardware x 4 dataflows x 2 batches x 2 networks.
    assert len(df) == 288
    assert df.attrs["goal"] == "minimize energy_pj"
    assert 0 < len(ok_rows(df)) < len(df)
    assert decide.workload_axes(df) == ["network", "batch"]
    assert decide.design_axes(df) == ["pe_rows", "pe_cols", "glb_kib", "dataflow"]


@needs_results
@pytest.mark.parametrize("objs", [["latency", "energy"], ["latency", "area"],
                                  ["latency_s", "energy_pj", "area_mm2"],
                                  ["max:throughput_sps", "power_w"]])
def test_real_pareto_front_matches_bruteforce(df, objs):
    front = ta.pareto_front(df, objs)
    o = [ta.objective(x) for x in objs]
    want = []
    for _, part in ok_rows(df).groupby(["network", "batch"], observed=True):
        v = np.column_stack([part[x.column].to_numpy() for x in o])
        want += list(part["index"].to_numpy()[ta.pareto_mask_bruteforce(v, [x.maximize for x in o])])
    assert sorted(front["index"]) == sorted(want)
    assert len(front) >= 4  # at least one design per (network, batch) group


@needs_results
def test_real_pareto_constraints(df):
    front = ta.pareto_front(df, ["latency", "energy"], ["area_mm2<=10", "dataflow=rs"], by=[])
    cand = ok_rows(df)
    cand = cand[(cand["area_mm2"] <= 10) & (cand["dataflow"] == "rs")]
    v = cand[["latency_s", "energy_pj"]].to_numpy()
    assert sorted(front["index"]) == sorted(cand["index"].to_numpy()[ta.pareto_mask_bruteforce(v)])
    assert (front["area_mm2"] <= 10).all() and (front["dataflow"] == "rs").all()


@needs_results
def test_real_best_is_the_minimum(df):
    b = ta.best(df, "energy")
    assert list(b.columns[:1]) == ["rank"]
    for (net, batch), part in ok_rows(df).groupby(["network", "batch"], observed=True):
        row = b[(b["network"] == net) & (b["batch"] == batch)]
        assert len(row) == 1
        assert row["energy_pj"].item() == part["energy_pj"].min()
        assert row["index"].item() == part.loc[part["energy_pj"].idxmin(), "index"]
    bd = ta.best(df, "latency", by=["network", "dataflow"], top=2)
    assert len(bd) == 2 * 2 * 4
    for (net, dfl), part in ok_rows(df).groupby(["network", "dataflow"], observed=True):
        got = bd[(bd["network"] == net) & (bd["dataflow"] == dfl)]
        assert list(got["rank"]) == [1, 2]
        np.testing.assert_array_equal(got["latency_s"], np.sort(part["latency_s"])[:2])


@needs_results
def test_real_best_agrees_with_the_sweeps_own_ranking(df):
    # trim-sweep keeps the top 3 per network under the job's goal in /best (C++ reduction).
    table = ta.load_table(RESULTS, "best")
    mine = ta.best(df, by=["network"], top=3)  # the file's goal: minimize energy_pj
    for net, part in table.groupby("network", observed=True):
        ours = mine[mine["network"] == net]
        np.testing.assert_array_equal(part.sort_values("rank")["value"], ours["energy_pj"])


@needs_results
def test_real_sensitivity(df):
    s, c = ta.sensitivity(df, "energy")
    feas = ok_rows(df)
    for (net, batch), part in feas.groupby(["network", "batch"], observed=True):
        best_all = part["energy_pj"].min()
        top = part.loc[part["energy_pj"].idxmin()]
        for axis in ("pe_rows", "pe_cols", "glb_kib", "dataflow"):
            per_value = part.groupby(axis, observed=True)["energy_pj"].min()
            curve = c[(c["network"] == net) & (c["batch"] == batch) & (c["axis"] == axis)]
            got = dict(zip(curve["value"], curve["best"]))
            for value, v in per_value.items():
                assert got[value] == v
            row = s[(s["network"] == net) & (s["batch"] == batch) & (s["axis"] == axis)]
            assert row["sensitivity"].item() == pytest.approx(per_value.max() / best_all - 1)
            assert row["best"].item() == best_all
            assert row["best_value"].item() == top[axis]
        # sorted by decreasing sensitivity within the group
        sens = s[(s["network"] == net) & (s["batch"] == batch)]["sensitivity"].to_numpy()
        assert np.all(np.diff(sens) <= 0)
    # glb_kib = 32 leaves no feasible design for some groups: counted, not used in the max.
    assert (s["infeasible_values"] >= 0).all()


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "trim_analysis", *args], capture_output=True,
                          text=True, cwd=ANALYSIS_DIR, check=False)


@needs_results
def test_cli_tables(df, tmp_path):
    res = run_cli("pareto", RESULTS, "latency", "energy", "--csv", str(tmp_path / "f.csv"))
    assert res.returncode == 0, res.stderr
    front = ta.pareto_front(df, ["latency", "energy"])
    assert res.stdout.splitlines()[0].startswith(f"# Pareto front of min:latency_s, "
                                                 f"min:energy_pj: {len(front)} designs")
    csv = pd.read_csv(tmp_path / "f.csv")
    assert sorted(csv["index"]) == sorted(front["index"])
    assert "energy_rf_pj" in csv.columns  # the CSV has every column

    res = run_cli("best", RESULTS, "--goal", "latency", "--goal", "edp", "--by", "network")
    assert res.returncode == 0, res.stderr
    assert "# best for min:latency_s" in res.stdout and "# best for min:edp_js" in res.stdout
    best_lat = ta.best(df, "latency", by="network")
    for i in best_lat["index"]:
        assert any(line.split()[:2] == ["1", str(i)] for line in res.stdout.splitlines())

    res = run_cli("sensitivity", RESULTS, "--csv", str(tmp_path / "s.csv"))
    assert res.returncode == 0, res.stderr
    s = pd.read_csv(tmp_path / "s.csv")
    assert set(s["axis"]) == {"pe_rows", "pe_cols", "glb_kib", "dataflow"}

    res = run_cli("pareto", RESULTS, "latency")
    assert res.returncode == 1 and "2 or 3 objectives" in res.stderr
    res = run_cli("best", RESULTS, "--goal", "no_such_column")
    assert res.returncode == 1 and "no column 'no_such_column'" in res.stderr
    res = run_cli("best", RESULTS, "--where", "area_mm2 ~ 3")
    assert res.returncode == 2 and "expected an operator after 'area_mm2'" in res.stderr
    # Malformed filters exit 2 with a hint, before any data is read, in every command.
    for cmd in (["best"], ["pareto", "latency", "area"], ["sensitivity"]):
        for where, text in (("area_mm2=<5", "hint: write area_mm2<=5"),
                            ("dataflow=RS", "did you mean 'rs'?"),
                            ("areamm2<=5", "did you mean 'area_mm2'?")):
            res = run_cli(cmd[0], RESULTS, *cmd[1:], "--where", where)
            assert res.returncode == 2 and text in res.stderr, (cmd, where, res.stderr)
            assert res.stdout == "", res.stdout
    # != and in select the same rows as pandas does.
    res = run_cli("best", RESULTS, "--by", "dataflow", "--where", "dataflow not in (rs, ws)",
                  "--where", "network!=lenet5")
    assert res.returncode == 0, res.stderr
    shown = {line.split()[2] for line in res.stdout.splitlines()[2:]}
    assert shown == {"os", "best"}, res.stdout
    for cmd in ("pareto", "best", "sensitivity", "plot-pareto", "plot-sensitivity",
                "plot-layers", "plot-roofline", "view"):
        res = run_cli(cmd, "--help")
        assert res.returncode == 0 and "examples:" in res.stdout, cmd


# ---------------------------------------------------------------- plots

@pytest.fixture
def plot_dir(tmp_path):
    d = os.environ.get("TRIM_PLOT_DIR") or str(tmp_path)
    os.makedirs(d, exist_ok=True)
    return d


def png(path):
    img = mpimg.imread(path)
    assert img.ndim == 3 and img.shape[0] > 300 and img.shape[1] > 400
    rgb = img[:, :, :3]
    ink = ~(rgb > 0.97).all(axis=2)
    assert ink.mean() > 0.02, f"{path} is (almost) blank"
    return rgb


def has_color(rgb, name):
    target = np.array(matplotlib_rgb(name))
    return bool((np.abs(rgb - target).max(axis=2) < 1.5 / 255).any())


def matplotlib_rgb(name):
    import matplotlib.colors as mcolors
    return mcolors.to_rgb(name)


@needs_results
def test_plot_pareto(df, plot_dir):
    out = os.path.join(plot_dir, "pareto.png")
    res = run_cli("plot-pareto", RESULTS, "latency", "area", "-o", out)
    assert res.returncode == 0, res.stderr
    rgb = png(out)
    # Front markers are drawn opaque in their dataflow's colour.
    front = ta.pareto_front(df, ["latency", "area"])
    for dfl in set(front["dataflow"]):
        assert has_color(rgb, _DATAFLOW_COLORS[dfl]), dfl
    out3 = os.path.join(plot_dir, "pareto3d.png")
    res = run_cli("plot-pareto", RESULTS, "latency", "energy", "area", "-o", out3,
                  "--where", "network=alexnet")
    assert res.returncode == 0, res.stderr
    png(out3)


@needs_results
def test_plot_sensitivity(plot_dir):
    out = os.path.join(plot_dir, "sensitivity.png")
    res = run_cli("plot-sensitivity", RESULTS, "--goal", "energy", "-o", out)
    assert res.returncode == 0, res.stderr
    png(out)


@pytest.fixture(scope="module")
def evaluated():
    """trim-eval of the job's best-energy design for alexnet, batch 1, as JSON and CSV."""
    if not (RESULTS and BIN and JOB):
        pytest.skip("TRIM_BIN / TRIM_ANALYSIS_JOB are not set")
    frame = ta.load(RESULTS)
    b = ta.best(frame, "energy")
    row = b[(b["network"] == "alexnet") & (b["batch"] == 1)].iloc[0]
    out = {}
    for fmt in ("json", "csv"):
        res = subprocess.run([os.path.join(BIN, "trim-eval"), JOB, "--index", str(row["index"]),
                              "--format", fmt], capture_output=True, text=True, check=True)
        out[fmt] = res.stdout
    return frame, row, out


@needs_eval
def test_eval_output_matches_the_results_file(evaluated):
    frame, row, out = evaluated
    rj, rc = ta.parse_eval(out["json"]), ta.parse_eval(out["csv"])
    assert rj.index == rc.index == row["index"]
    assert rj.status == rc.status == "ok"
    assert rj.point["network"] == "alexnet" and float(rj.point["pe_rows"]) == row["pe_rows"]
    pd.testing.assert_frame_equal(rj.layers, rc.layers)
    assert rj.totals == rc.totals
    for col in ("latency_s", "energy_pj", "dram_bytes", "macs", "area_mm2"):
        assert rj.totals[col] == pytest.approx(row[col], rel=1e-8), col  # printed with %.9g
    assert rj.layers["latency_s"].sum() == pytest.approx(rj.totals["latency_s"], rel=1e-6)
    assert rj.layers["energy_pj"].sum() == pytest.approx(rj.totals["energy_pj"], rel=1e-6)
    parts = rj.layers[list(evalout.ENERGY_PARTS)].sum(axis=1)
    np.testing.assert_allclose(parts, rj.layers["energy_pj"], rtol=1e-6)


@needs_eval
def test_roofline_numbers(evaluated):
    frame, row, out = evaluated
    rep = ta.parse_eval(out["json"])
    # eyeriss-v1 template: 1 MAC per PE, 200 MHz clock, 0.48 GB/s DRAM (configs/hardware).
    assert ta.peak_macs_per_s(rep) == pytest.approx(row["pe_rows"] * row["pe_cols"] * 200e6,
                                                    rel=1e-6)
    assert ta.dram_bytes_per_s(rep, job_path=JOB) == pytest.approx(0.48e9)
    assert ta.dram_bytes_per_s(rep, dram_gbps=25.6) == pytest.approx(25.6e9)
    pts = evalout.roofline_points(rep)
    assert len(pts) == 8  # alexnet: conv1-5 and fc6-8 carry the MACs
    peak, bw = ta.peak_macs_per_s(rep), ta.dram_bytes_per_s(rep, job_path=JOB)
    # No layer beats its roofs: MACs / latency <= min(peak, bandwidth x MACs / DRAM bytes).
    attainable = np.minimum(peak, bw * pts["intensity_mac_per_b"])
    assert np.all(pts["achieved_mac_per_s"] <= attainable * (1 + 1e-6))


@needs_eval
def test_plot_layers_and_roofline(evaluated, plot_dir, tmp_path):
    frame, row, out = evaluated
    path = tmp_path / "design.json"
    path.write_text(out["json"])
    csv_path = tmp_path / "design.csv"
    csv_path.write_text(out["csv"])
    layers = os.path.join(plot_dir, "layers.png")
    res = run_cli("plot-layers", str(csv_path), "-o", layers)
    assert res.returncode == 0, res.stderr
    rgb = png(layers)
    assert has_color(rgb, "tab:red")  # the DRAM share of the energy bars
    roof = os.path.join(plot_dir, "roofline.png")
    res = run_cli("plot-roofline", str(path), "--job", JOB, "-o", roof)
    assert res.returncode == 0, res.stderr
    assert "DRAM bandwidth 4.8e+08 B/s" in res.stdout
    png(roof)
    res = run_cli("plot-roofline", str(path), "-o", roof)  # no job, no --dram-gbps
    assert res.returncode == 1 and "--dram-gbps" in res.stderr


# ---------------------------------------------------------------- the ParaView view file

@needs_results
def test_view_links_into_the_results_file(tmp_path):
    out = tmp_path / "sub" / "v.hdf"
    out.parent.mkdir()
    info = ta.write_view(RESULTS, str(out))
    with h5py.File(RESULTS, "r") as f:
        rows = f["done"].shape[0]
        latency = f["results/latency_s"][()]
        energy = f["results/energy_pj"][()]
        area = f["results/area_mm2"][()]
        valid = (f["done"][()] == 1) & (f["results/status"][()] == 0)
    assert info["rows"] == rows and info["valid"] == valid.sum()
    with h5py.File(out, "r") as v:
        root = v["VTKHDF"]
        t = root.attrs["Type"]
        assert t == b"UnstructuredGrid"
        tid = h5py.h5a.open(root.id, b"Type").get_type()
        assert tid.get_class() == h5py.h5t.STRING and not tid.is_variable_str()
        assert tid.get_cset() == h5py.h5t.CSET_ASCII
        assert list(root.attrs["Version"]) == [1, 0]
        assert root["NumberOfPoints"][0] == rows and root["NumberOfCells"][0] == rows
        np.testing.assert_array_equal(root["Offsets"][()], np.arange(rows + 1))
        assert (root["Types"][()] == 1).all()
        link = root["PointData"].get("latency_s", getlink=True)
        assert isinstance(link, h5py.ExternalLink)
        assert link.path == "/results/latency_s"
        assert os.path.normpath(os.path.join(out.parent, link.filename)) == \
            os.path.normpath(os.path.abspath(RESULTS))
        np.testing.assert_array_equal(root["PointData/latency_s"][()], latency)
        pts = root["Points"][()]
    # log-normalized: the valid rows span exactly [0, 1] on each axis; the rest sit at -0.1.
    for j, col in enumerate((latency, energy, area)):
        x = np.log10(col[valid])
        np.testing.assert_allclose(pts[valid, j], (x - x.min()) / (x.max() - x.min()),
                                   atol=1e-12)
        assert (pts[~valid, j] == -0.1).all()
    lin = ta.write_view(RESULTS, str(tmp_path / "lin.hdf"), ["pe_rows", "energy_pj"], "linear")
    with h5py.File(tmp_path / "lin.hdf", "r") as v:
        p = v["VTKHDF/Points"][()]
    with h5py.File(RESULTS, "r") as f:
        np.testing.assert_array_equal(p[valid, 0], f["params/pe_rows"][()][valid])
    assert (p[:, 2] == 0).all() and lin["points"] == ["pe_rows", "energy_pj"]
    with pytest.raises(KeyError, match="no column 'nope'"):
        ta.write_view(RESULTS, str(tmp_path / "x.hdf"), ["nope"])


@needs_results
def test_view_cli_default_path(tmp_path):
    import shutil
    copy = tmp_path / "sweep.h5"
    shutil.copy(RESULTS, copy)
    res = run_cli("view", str(copy))
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "sweep.view.hdf").exists()
    assert "288 points" in res.stdout
    with h5py.File(tmp_path / "sweep.view.hdf", "r") as v:
        assert v["VTKHDF/PointData"].get("done", getlink=True).filename == "sweep.h5"
        assert json.dumps(v.attrs["points"]) == '"latency_s,energy_pj,area_mm2"'


def _eval_big(tmp_path, network, mode):
    """trim-eval of one Eyeriss-v1 design (4 MiB GLB so that training fits) on a large
    network: ResNet-50 training has 508 layer-phases, BERT-base inference 170 layers."""
    if not BIN:
        pytest.skip("TRIM_BIN is not set")
    job = tmp_path / f"{network}-{mode}.toml"
    job.write_text(f'[job]\nhardware = "eyeriss-v1-normalized"\n[sweep]\nglb_kib = [4096]\n'
                   f'[workload]\nnetworks = ["{network}"]\nmode = ["{mode}"]\n'
                   'dataflows = ["rs"]\n')
    res = subprocess.run([os.path.join(BIN, "trim-eval"), str(job), "--index", "0", "--format",
                          "json"], capture_output=True, text=True, check=True)
    rep = ta.parse_eval(res.stdout)
    assert rep.status == "ok"
    return rep


def test_plot_layers_many_layer_phases(tmp_path, plot_dir):
    from trim_analysis import plots
    rep = _eval_big(tmp_path, "resnet50", "training")
    assert len(rep.layers) == 508
    out = os.path.join(plot_dir, "layers-resnet50-training.png")
    fig = plots.plot_layers(rep, out)
    rgb = png(out)
    # 40 layer-phases and the summed rest: the chart keeps a readable width (the layout is
    # 0.18 in per bar + 3 in, at 110 dpi), not one bar per layer-phase (508 would need 40 in).
    assert rgb.shape[1] == int((0.18 * 41 + 3) * 110)
    ax_e, ax_t = fig.axes[0], fig.axes[1]
    labels = [t.get_text() for t in ax_t.get_xticklabels()]
    assert len(labels) == 41 and labels[-1] == "other (468)"
    # The bars shown and the summed bar add up to the design's total latency.
    heights = [p.get_height() for p in ax_t.patches]
    assert sum(heights) == pytest.approx(rep.layers["latency_s"].sum() * 1e3, rel=1e-9)
    # The 40 kept are the largest shares of latency or energy: none dropped has more.
    lat = rep.layers["latency_s"] / rep.layers["latency_s"].sum()
    en = rep.layers["energy_pj"] / rep.layers["energy_pj"].sum()
    share = np.maximum(lat, en)
    kept = plots.top_layer_phases(rep.layers, 40)
    assert list(kept["layer"].iloc[:-1]) == [l.split(":")[0] for l in labels[:-1]]
    kept_idx = [i for i, (l, p) in enumerate(zip(rep.layers["layer"], rep.layers["phase"]))
                if f"{l}:{p}" in set(labels[:-1])]
    assert len(kept_idx) == 40 and kept_idx == sorted(kept_idx)  # in execution order
    dropped = share.drop(index=share.index[kept_idx])
    assert share.iloc[kept_idx].min() >= dropped.max()
    # The phase legend has one patch per phase in its own colour (it once showed one colour).
    leg = ax_t.get_legend()
    handles = getattr(leg, "legend_handles", None) or leg.legendHandles
    got = {t.get_text(): h.get_facecolor()[:3] for t, h in zip(leg.get_texts(), handles)}
    for p in ("fp", "bp", "wg", "wu"):
        assert got[f"phase {p}"] == pytest.approx(matplotlib_rgb(_PHASE_COLORS_T[p])), p
        assert has_color(rgb, _PHASE_COLORS_T[p]), p
    assert "other layer-phases, summed" in got
    # top=0 draws every layer-phase.
    fig_all = plots.plot_layers(rep, str(tmp_path / "all.png"), top=0)
    assert len(fig_all.axes[1].get_xticklabels()) == 508


def test_plot_roofline_labels_leave_the_axes_alone(tmp_path, plot_dir):
    from trim_analysis import plots
    rep = _eval_big(tmp_path, "bert-base", "inference")
    out = os.path.join(plot_dir, "roofline-bert.png")
    fig = plots.plot_roofline(rep, out, ta.peak_macs_per_s(rep), 25.6e9)
    rgb = png(out)
    assert rgb.shape[:2] == (660, 880)  # 8 x 6 in at 110 dpi
    # BERT repeats one shape per encoder: the labels of a spot are one name and a count, and
    # the axes keep most of the figure's width (labels once squeezed them to a third).
    ax = fig.axes[0]
    assert ax.get_position().width > 0.75
    texts = [t.get_text() for t in ax.texts]
    assert texts and all(len(t) <= 32 for t in texts)
    assert any(t.endswith("more") for t in texts)


def test_parse_eval_reads_normalized_energy_units(tmp_path):
    # trim-eval marks a normalized technology table: ", energy units normalized" on the CSV
    # totals line, "energy_units" in JSON; without it the energies are pJ.
    csv = ("layer,kind,phase,dataflow,macs,energy_pj\nconv1,conv,fp,rs,10,5\n\n"
           "# totals: design 0 (batch=4 dataflow=rs), status ok, energy units normalized\n"
           "column,value\nenergy_pj,5\n")
    rep = ta.parse_eval(csv)
    assert rep.status == "ok" and rep.energy_units == "normalized"
    assert rep.point == {"batch": "4", "dataflow": "rs"}
    plain = ta.parse_eval(csv.replace(", energy units normalized", ""))
    assert plain.status == "ok" and plain.energy_units == "pJ"
    js = json.dumps({"index": 0, "point": "batch=4", "status": "ok",
                     "energy_units": "normalized",
                     "layers": [{"layer": "conv1", "kind": "conv", "phase": "fp",
                                 "dataflow": "rs", "macs": 10, "energy_pj": 5}],
                     "totals": {"energy_pj": 5}})
    assert ta.parse_eval(js).energy_units == "normalized"
