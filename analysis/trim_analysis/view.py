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


def write_view(results, out=None, points=DEFAULT_POINTS, scale="log-normalized"):
    """Writes the VTKHDF point cloud of `results`; returns a dict describing it.

    points: 1 to 3 column names of /params or /results (missing coordinates are 0).
    The returned dict has path, rows, arrays (linked array names), points, scale,
    ranges (per coordinate, the (min, max) of the valid rows after scaling) and valid (count).
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
    return {"path": out, "rows": n, "arrays": names, "points": points, "scale": scale,
            "ranges": ranges, "valid": int(valid.sum())}
