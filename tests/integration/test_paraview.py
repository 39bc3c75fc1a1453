"""The ParaView view (python3 -m trim_analysis view) opened by Debian's pvpython 5.11.

Environment (set by CTest): TRIM_RESULTS_H5, a results file written by trim-sweep for this
test run; TRIM_WORK, a scratch directory. pvpython, xvfb-run and xauth must be installed
(Debian: paraview python3-paraview xvfb xauth; .ci/lib.sh installs them).
"""

import json
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ANALYSIS = os.path.join(os.path.dirname(os.path.dirname(HERE)), "analysis")
RESULTS = os.environ.get("TRIM_RESULTS_H5", "")
WORK = os.environ.get("TRIM_WORK", "")

pytestmark = pytest.mark.skipif(not (RESULTS and WORK),
                                reason="run by CTest (needs TRIM_RESULTS_H5 and TRIM_WORK)")


def xvfb_run(*args, attempt=0):
    """xvfb-run with a display number of this process's own: `-a` alone starts its search at
    :99 for every caller, so two runs that start together can pick the same server."""
    display = 100 + (os.getpid() + 7919 * attempt) % 30000
    return ["xvfb-run", "-a", "-n", str(display), "-s", "-screen 0 1024x768x24", *args]


def run_in_xvfb(*args, cwd):
    """Runs `args` under a fresh virtual X server. A server that does not answer in time on a
    loaded machine ("bad X server connection", before ParaView does anything) is the
    environment, not the view: that case alone is retried, twice, on another display."""
    for attempt in range(3):
        res = subprocess.run(xvfb_run(*args, attempt=attempt), capture_output=True, text=True,
                             cwd=cwd, timeout=240, check=False)
        if res.returncode == 0 or "bad X server connection" not in res.stdout + res.stderr:
            break
    return res


def render(view, shot, arrays, cwd):
    for tool in ("pvpython", "xvfb-run", "xauth"):
        assert shutil.which(tool), f"{tool} is missing: apt-get install paraview " \
                                   "python3-paraview xvfb xauth"
    res = run_in_xvfb("pvpython", os.path.join(HERE, "pv_check.py"), view, shot, *arrays, cwd=cwd)
    lines = [l for l in res.stdout.splitlines() if l.startswith("{")]
    assert res.returncode == 0 and lines, f"pvpython failed:\n{res.stdout}\n{res.stderr}"
    return json.loads(lines[-1])


def test_view_opens_in_paraview():
    work = os.path.join(WORK, "paraview")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.join(work, "elsewhere"))
    # The view goes into another directory than the results file: its links are relative to
    # the view's directory, and ParaView runs from a third directory.
    view = os.path.join(work, "views", "sweep.hdf")
    os.makedirs(os.path.dirname(view))
    res = subprocess.run([sys.executable, "-m", "trim_analysis", "view", RESULTS, "-o", view],
                         capture_output=True, text=True, cwd=ANALYSIS, check=False)
    assert res.returncode == 0, res.stderr
    assert os.path.getsize(view) < os.path.getsize(RESULTS)  # links, not copies

    shot = os.path.join(work, "view.png")
    info = render(view, shot, ["latency_s", "energy_pj", "dataflow", "feasible", "done"],
                  cwd=os.path.join(work, "elsewhere"))
    with h5py.File(RESULTS, "r") as f:
        rows = f["done"].shape[0]
        latency = f["results/latency_s"][()]
        energy = f["results/energy_pj"][()]
        n_dataflows = f["lookup/dataflow"].shape[0]
        feasible = f["results/feasible"][()]
    assert info["reader"] == "HDFReader"  # ParaView 5.11 proxy of vtkHDFReader
    assert info["points"] == rows and info["cells"] == rows
    assert info["array_count"] > 40  # every /params and /results column, and done
    a = info["arrays"]
    assert a["latency_s"]["tuples"] == rows
    assert a["latency_s"]["range"] == pytest.approx([latency.min(), latency.max()], rel=1e-12)
    assert a["energy_pj"]["range"] == pytest.approx([energy.min(), energy.max()], rel=1e-12)
    assert a["dataflow"]["type"] == "unsigned short"
    assert a["dataflow"]["range"] == [0, n_dataflows - 1]
    assert a["feasible"]["range"] == [feasible.min(), feasible.max()] == [0, 1]
    assert a["done"]["range"] == [1, 1]
    # log-normalized coordinates: valid rows span [0, 1], the others sit at -0.1.
    bounds = np.array(info["bounds"]).reshape(3, 2)
    np.testing.assert_allclose(bounds[:, 1], 1.0)
    np.testing.assert_allclose(bounds[:, 0], -0.1)

    import matplotlib.image as mpimg
    img = mpimg.imread(shot)[:, :, :3]
    assert img.shape[:2] == (480, 640)
    background = (img == 1.0).all(axis=2)  # white, as pv_check.py sets it
    drawn = (~background).sum()
    assert drawn > 500, f"the screenshot is (almost) blank: {drawn} non-background pixels"
    assert len(np.unique(img.reshape(-1, 3), axis=0)) > 20  # a colour map, not one colour


def test_view_script_colours_categories_and_labels_physical_axes():
    # The script written beside the view: dataflow as a categorical colour map with its
    # labels, the charts' dataflow colours, and (with --scale log) axes titled with the
    # physical columns and units, labelled at whole decades.
    work = os.path.join(WORK, "paraview-script")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    view = os.path.join(work, "sweep.view.hdf")
    res = subprocess.run([sys.executable, "-m", "trim_analysis", "view", RESULTS, "-o", view,
                          "--scale", "log"], capture_output=True, text=True, cwd=ANALYSIS,
                         check=False)
    assert res.returncode == 0, res.stderr
    script = os.path.join(work, "sweep.view.py")
    assert f"paraview --script={script}" in res.stdout
    shot = os.path.join(work, "script.png")
    wrapper = os.path.join(work, "wrapper.py")
    with open(wrapper, "w", encoding="utf-8") as f:
        f.write(f"""import json, runpy, sys
sys.argv = [{script!r}, "--screenshot", {shot!r}]
g = runpy.run_path({script!r}, run_name="__main__")
lut, grid = g["lut"], g["grid"]
print(json.dumps({{"categorical": lut.InterpretValuesAsCategories,
                  "annotations": list(lut.Annotations), "colors": list(lut.IndexedColors),
                  "titles": [grid.XTitle, grid.YTitle, grid.ZTitle],
                  "xlabels": list(grid.XAxisLabels), "custom": grid.XAxisUseCustomLabels}}))
""")
    res = run_in_xvfb("pvpython", wrapper, cwd=work)
    lines = [l for l in res.stdout.splitlines() if l.startswith("{")]
    assert res.returncode == 0 and lines, f"pvpython failed:\n{res.stdout}\n{res.stderr}"
    info = json.loads(lines[-1])
    with h5py.File(RESULTS, "r") as f:
        labels = [b.decode() for b in f["lookup/dataflow"][()]]
        latency = f["results/latency_s"][()]
        ok = (f["done"][()] == 1) & (f["results/status"][()] == 0)
        # The fixture's design has a normalized table: the axis must say so, never pJ.
        e_units = f["results/energy_pj"].attrs["units"]
        e_units = e_units.decode() if isinstance(e_units, bytes) else str(e_units)
    assert e_units == "normalized"
    assert info["categorical"] == 1
    assert info["annotations"] == [x for i, l in enumerate(labels) for x in (str(i), l)]
    assert info["titles"] == ["log10 latency_s [s]", f"log10 energy_pj [{e_units}]",
                              "log10 area_mm2 [mm^2]"]
    lo, hi = np.log10(latency[ok].min()), np.log10(latency[ok].max())
    assert info["custom"] == 1
    assert info["xlabels"] == [float(k) for k in range(int(np.floor(lo)), int(np.ceil(hi)) + 1)]

    import matplotlib.image as mpimg
    img = mpimg.imread(shot)[:, :, :3]
    assert img.shape[:2] == (600, 800)
    rgb = np.array(info["colors"]).reshape(-1, 3)
    assert len(rgb) == len(labels)
    # Every category's colour is drawn (points, and the legend's swatches), and the
    # categories' colours are distinct.
    assert len({tuple(c) for c in rgb}) == len(labels)
    for label, c in zip(labels, rgb):
        close = (np.abs(img - c).max(axis=2) < 0.04).sum()
        assert close > 50, f"{label}: colour {c} covers only {close} pixels"
