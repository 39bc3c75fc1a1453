"""A ParaView view of a results file: a VTKHDF 1.0 UnstructuredGrid point cloud.

write_view("sweep.h5") writes "sweep.view.hdf" next to it. It holds one VTK_VERTEX cell per row
of the results file (every design point, pending and infeasible ones included). Its PointData
arrays are HDF5 external links to the columns of the results file, so the data are not copied:
the view stays a few dozen bytes per point (the Points coordinates and the cell arrays) however
many columns the sweep has, and it must stay beside (or at the same relative path to) the
results file.

The coordinates are three columns of the file (by default latency_s, energy_pj, area_mm2),
scaled per axis by `scale`:
- "log-normalized" (default): log10, then mapped linearly so that the valid rows span [0, 1];
- "normalized": mapped linearly so that the valid rows span [0, 1];
- "log": log10 of the value;  "linear": the value itself.
Valid rows are those done, with status ok and a finite (for the log scales, positive) value on
every coordinate column. The other rows are placed together just outside the valid range (at
-0.1 on the normalized scales); threshold on the `done`, `feasible` or `status` arrays to hide
them. ParaView 5.11 reads only the .hdf extension for VTKHDF (docs/analysis.md).

Next to the view, write_view also writes a ParaView Python script (VIEW without .hdf + .py)
that opens the view as points, colours them by a column (default dataflow; a categorical
column gets a categorical colour map with its labels) and shows an axes grid titled with the
coordinate columns, their units and scaling (on the log scales, labels at whole decades).
Run it with `paraview --script=VIEW.py` or `pvpython VIEW.py [--screenshot PNG]`.
"""

import os

import h5py
import numpy as np

from .load import COLUMN_GROUPS, _column_names, _text
from .schema import check_schema

SCALES = ("log-normalized", "normalized", "log", "linear")
DEFAULT_POINTS = ("latency_s", "energy_pj", "area_mm2")
_OUTSIDE = 0.1  # invalid rows sit this fraction of the valid range below it


def default_view_path(results):
    root, _ = os.path.splitext(results)
    return root + ".view.hdf"


def script_path(view):
    root, _ = os.path.splitext(view)
    return root + ".py"


# Dataflow colours of the PNG charts (trim_analysis.plots), as RGB for ParaView.
_CATEGORY_RGB = {"ws": (0.122, 0.467, 0.706), "os": (1.0, 0.498, 0.055),
                 "is": (0.173, 0.627, 0.173), "rs": (0.839, 0.153, 0.157),
                 "nlr": (0.580, 0.404, 0.741), "best": (0.549, 0.337, 0.294)}
_PALETTE = [(0.122, 0.467, 0.706), (1.0, 0.498, 0.055), (0.173, 0.627, 0.173),
            (0.839, 0.153, 0.157), (0.580, 0.404, 0.741), (0.549, 0.337, 0.294),
            (0.890, 0.467, 0.761), (0.498, 0.498, 0.498), (0.737, 0.741, 0.133),
            (0.090, 0.745, 0.812)]


def category_colors(labels):
    """One RGB per label: the charts' dataflow colours, else a 10-colour palette in order."""
    return [_CATEGORY_RGB.get(l, _PALETTE[i % len(_PALETTE)]) for i, l in enumerate(labels)]


def _axis_title(name, unit, scale):
    u = f" [{unit}]" if unit and unit != "1" else ""
    return {"log-normalized": f"{name}{u}, log10 scaled to [0, 1]",
            "normalized": f"{name}{u}, scaled to [0, 1]",
            "log": f"log10 {name}{u}", "linear": f"{name}{u}"}[scale]


_SCRIPT = """# ParaView script written by `python3 -m trim_analysis view` (docs/analysis.md).
#   paraview --script={script}        or   pvpython {script} [--screenshot PNG]
# Opens {view} (linked to {source}) as points coloured by {color}.
import os
import sys

from paraview.simple import (ColorBy, GetActiveCamera, GetActiveViewOrCreate,
                             GetColorTransferFunction, OpenDataFile, Render, ResetCamera,
                             SaveScreenshot, Show)

HERE = os.path.dirname(os.path.abspath(__file__)) if "__file__" in globals() else os.getcwd()
COLOR = {color!r}
LABELS = {labels!r}          # category code -> label (empty: a numeric column)
RGB = {rgb!r}
TITLES = {titles!r}
DECADES = {decades!r}        # per axis: whole decades to label (log scale), or []

reader = OpenDataFile(os.path.join(HERE, {view_name!r}))
view = GetActiveViewOrCreate("RenderView")
display = Show(reader, view)
display.SetRepresentationType("Points")
display.PointSize = 4
ColorBy(display, ("POINTS", COLOR))
lut = GetColorTransferFunction(COLOR)
if LABELS:
    lut.InterpretValuesAsCategories = 1
    lut.Annotations = [x for i, l in enumerate(LABELS) for x in (str(i), l)]
    lut.IndexedColors = [c for rgb in RGB for c in rgb]
display.SetScalarBarVisibility(view, True)
grid = view.AxesGrid
grid.Visibility = 1
grid.XTitle, grid.YTitle, grid.ZTitle = TITLES
for axis, ticks in zip("XYZ", DECADES):
    if ticks:
        setattr(grid, axis + "AxisUseCustomLabels", 1)
        setattr(grid, axis + "AxisLabels", ticks)
if TITLES[2]:  # three coordinates: look at the cube from a corner
    GetActiveCamera().Elevation(25)
    GetActiveCamera().Azimuth(35)
ResetCamera(view)
Render(view)
if "--screenshot" in sys.argv:
    view.ViewSize = [800, 600]
    SaveScreenshot(sys.argv[sys.argv.index("--screenshot") + 1], view,
                   ImageResolution=[800, 600])
"""


def write_script(view_path, results_name, color, labels, titles, decades):
    """Writes the ParaView script of a view (see the module docstring); returns its path."""
    path = script_path(view_path)
    text = _SCRIPT.format(script=os.path.basename(path), view=os.path.basename(view_path),
                          source=results_name, color=color, labels=list(labels),
                          rgb=category_colors(labels), titles=tuple(titles),
                          decades=decades, view_name=os.path.basename(view_path))
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def _find(f, name):
    for group in COLUMN_GROUPS:
        if name in f[group]:
            return f[group][name]
    if name == "done":
        return f["done"]
    raise KeyError(f"no column {name!r} in /params or /results")


def _coordinates(f, names, scale, valid):
    n = valid.size
    pts = np.zeros((n, 3), dtype=np.float64)
    cols = [_find(f, name)[()].astype(np.float64) for name in names]
    log = scale.startswith("log")
    for c in cols:
        valid &= np.isfinite(c)
        if log:
            valid &= c > 0
    ranges = []
    for j, c in enumerate(cols):
        x = np.zeros(n)
        x[valid] = np.log10(c[valid]) if log else c[valid]
        lo, hi = (float(x[valid].min()), float(x[valid].max())) if valid.any() else (0.0, 1.0)
        if scale.endswith("normalized"):
            span = hi - lo
            x = (x - lo) / span if span > 0 else np.full(n, 0.5)
            lo, hi = (0.0, 1.0) if span > 0 else (0.5, 0.5)
        x[~valid] = lo - _OUTSIDE * ((hi - lo) or 1.0)
        pts[:, j] = x
        ranges.append((lo, hi))
    return pts, ranges


def write_view(results, out=None, points=DEFAULT_POINTS, scale="log-normalized",
               color="dataflow"):
    """Writes the VTKHDF point cloud of `results` and its ParaView script; returns a dict
    describing them.

    points: 1 to 3 column names of /params or /results (missing coordinates are 0).
    color: the column the script colours by. The returned dict has path, script, rows,
    arrays (linked array names), points, scale, ranges (per coordinate, the (min, max) of
    the valid rows after scaling) and valid (count).
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: use one of {', '.join(SCALES)}")
    points = [p for p in points if p]
    if not 1 <= len(points) <= 3:
        raise ValueError(f"give 1 to 3 point coordinates, got {len(points)}")
    out = out or default_view_path(results)
    out_dir = os.path.dirname(os.path.abspath(out))
    # Relative links keep the pair movable; HDF5 resolves them against the view's directory.
    target = os.path.relpath(os.path.abspath(results), out_dir)
    with h5py.File(results, "r") as f:
        check_schema(f, results)
        n = int(f["done"].shape[0])
        valid = f["done"][()] == 1
        if "status" in f["results"]:
            valid &= f["results/status"][()] == 0
        pts, ranges = _coordinates(f, points, scale, valid)
        units = [_text(_find(f, p).attrs.get("units", "")) for p in points]
        _find(f, color)  # KeyError for an unknown colour column
        links = []
        for group in COLUMN_GROUPS:
            for name in _column_names(f[group]):
                links.append((name, f"/{group}/{name}"))
        links.append(("done", "/done"))
        lookups = {}
        for group in COLUMN_GROUPS:
            for name in _column_names(f[group]):
                link = f[group][name].attrs.get("lookup")
                if link is not None:
                    lookups[name] = [_text(b) for b in f[_text(link)][()]]
    names, seen = [], set()
    with h5py.File(out, "w") as v:
        root = v.create_group("VTKHDF")
        root.attrs["Version"] = np.array([1, 0], dtype=np.int64)
        kind = "UnstructuredGrid"
        # ParaView 5.11 accepts only a fixed-length ASCII Type string.
        root.attrs.create("Type", np.bytes_(kind), dtype=h5py.string_dtype("ascii", len(kind)))
        root.create_dataset("NumberOfPoints", data=np.array([n], dtype=np.int64))
        root.create_dataset("NumberOfCells", data=np.array([n], dtype=np.int64))
        root.create_dataset("NumberOfConnectivityIds", data=np.array([n], dtype=np.int64))
        root.create_dataset("Points", data=pts)
        packed = dict(compression="gzip", compression_opts=1, chunks=(min(n, 1 << 20),)) \
            if n > 0 else {}
        root.create_dataset("Connectivity", data=np.arange(n, dtype=np.int64), **packed)
        root.create_dataset("Offsets", data=np.arange(n + 1, dtype=np.int64),
                            **({**packed, "chunks": (min(n + 1, 1 << 20),)} if n else {}))
        root.create_dataset("Types", data=np.ones(n, dtype=np.uint8), **packed)
        pd_group = root.create_group("PointData")
        root.create_group("CellData")
        root.create_group("FieldData")
        for name, path in links:
            array = name if name not in seen else path.strip("/").replace("/", "_")
            seen.add(array)
            pd_group[array] = h5py.ExternalLink(target, path)
            names.append(array)
        vl = h5py.string_dtype("utf-8")
        v.attrs.create("source", target, dtype=vl)
        v.attrs.create("points", ",".join(points), dtype=vl)
        v.attrs.create("scale", scale, dtype=vl)
        for name, labels in lookups.items():
            v.attrs.create(f"codes_{name}", ", ".join(f"{i}={s}" for i, s in enumerate(labels)),
                           dtype=vl)
    titles = [_axis_title(p, u, scale) for p, u in zip(points, units)] + [""] * (3 - len(points))
    decades = [[float(k) for k in range(int(np.floor(lo)), int(np.ceil(hi)) + 1)]
               if scale == "log" else [] for lo, hi in ranges] + [[]] * (3 - len(points))
    script = write_script(out, target, color, lookups.get(color, []), titles, decades)
    return {"path": out, "script": script, "rows": n, "arrays": names, "points": points,
            "scale": scale, "ranges": ranges, "valid": int(valid.sum())}
