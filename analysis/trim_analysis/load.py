"""Loading a results file into pandas.

Columns live in /params (design axes) and /results (model outputs), one 1-D dataset per
column, row = design index. Categorical columns hold integer codes and an attribute
`lookup` naming a table of labels; they are returned as pandas.Categorical. The /done mask
says which rows hold results.
"""

import h5py
import numpy as np
import pandas as pd

from .schema import check_schema, verify

COLUMN_GROUPS = ("params", "results")
_RESERVED = frozenset(("params", "results", "lookup", "axes", "done", "checksum"))


def _text(value):
    """An attribute value as a plain Python object (str for strings, int/float for numbers)."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray):
        return [_text(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _column_names(group):
    """The group's columns in the order the writer declared them."""
    if "columns" in group.attrs:
        return [_text(n) for n in group.attrs["columns"]]
    return sorted(k for k, v in group.items() if isinstance(v, h5py.Dataset))


def _labels(f, dataset):
    """The lookup labels of a categorical dataset, or None for a numeric one."""
    link = dataset.attrs.get("lookup")
    if link is None:
        return None
    return [_text(b) for b in f[_text(link)][()]]


def _values(f, dataset, mask=None):
    values = dataset[()]
    if mask is not None:
        values = values[mask]
    labels = _labels(f, dataset)
    if labels is None:
        return values
    codes = values.astype(np.int64)
    codes[(codes < 0) | (codes >= len(labels))] = -1  # unwritten rows: missing
    return pd.Categorical.from_codes(codes, categories=labels)


def attrs(path):
    """The root attributes (provenance) as a dict of str / int / float."""
    with h5py.File(path, "r") as f:
        check_schema(f, path)
        return {k: _text(v) for k, v in f.attrs.items()}


def column_info(path):
    """One row per column: group, name, dtype, units, description, categories."""
    rows = []
    with h5py.File(path, "r") as f:
        check_schema(f, path)
        for group in COLUMN_GROUPS:
            g = f[group]
            for name in _column_names(g):
                d = g[name]
                labels = _labels(f, d)
                rows.append(
                    {
                        "group": group,
                        "name": name,
                        "dtype": str(d.dtype),
                        "units": _text(d.attrs.get("units", "")),
                        "description": _text(d.attrs.get("description", "")),
                        "categories": labels,
                    }
                )
    return pd.DataFrame(rows, columns=["group", "name", "dtype", "units", "description",
                                       "categories"])


def load(path, only_done=True, columns=None):
    """Reads a results file into a DataFrame.

    One column per /params and /results dataset (categoricals as pandas.Categorical), plus
    `index`, the design index (the row in the file). With only_done (the default) the frame
    holds only rows whose /done flag is 1 (after checking every done row against its /checksum:
    a damaged file raises VerificationError); otherwise every row, plus a boolean `done` column
    (values in rows that are not done are undefined). `columns` restricts the columns read.
    df.attrs["units"] and df.attrs["descriptions"] map column names to their metadata;
    df.attrs["params"] lists the /params columns read, df.attrs["axis_order"] the design axes
    fastest first, df.attrs["goal"] the job's goal ("minimize latency_s"; "" if unknown),
    df.attrs["output_columns"] "all" or "chosen" (the job's [output] stored some result
    columns only). Result columns are float64, or float32 when the job's [output] said so.
    """
    wanted = None if columns is None else set(columns)
    with h5py.File(path, "r") as f:
        check_schema(f, path)
        verify(f, path)
        done = f["done"][()].astype(bool)
        mask = done if only_done else None
        data = {"index": np.flatnonzero(done) if only_done else np.arange(done.size)}
        units, descriptions = {}, {}
        for group in COLUMN_GROUPS:
            g = f[group]
            for name in _column_names(g):
                if wanted is not None and name not in wanted:
                    continue
                key = name if name not in data else f"{group}/{name}"
                d = g[name]
                data[key] = _values(f, d, mask)
                units[key] = _text(d.attrs.get("units", ""))
                descriptions[key] = _text(d.attrs.get("description", ""))
        if not only_done:
            data["done"] = done
        params = [n for n in _column_names(f["params"]) if wanted is None or n in wanted]
        axis_order = [a for a in _text(f.attrs.get("axis_order", "")).split(",") if a]
        goal = _text(f.attrs.get("goal", ""))
        output_columns = _text(f.attrs.get("output_columns", "all"))
    df = pd.DataFrame(data)
    df.attrs["units"] = units
    df.attrs["descriptions"] = descriptions
    df.attrs["path"] = str(path)
    df.attrs["params"] = params
    df.attrs["axis_order"] = axis_order or list(params)
    df.attrs["goal"] = goal
    df.attrs["output_columns"] = output_columns
    return df


def tables(path):
    """Names of the small tables stored beside the columns (for example "best")."""
    with h5py.File(path, "r") as f:
        check_schema(f, path)
        return sorted(k for k, v in f.items() if isinstance(v, h5py.Group) and k not in _RESERVED)


def load_table(path, group):
    """Reads the small table /<group> (every column has the table's own length)."""
    with h5py.File(path, "r") as f:
        check_schema(f, path)
        if group in _RESERVED or group not in f:
            raise KeyError(f"{path}: no table /{group} (tables: {', '.join(tables(path))})")
        g = f[group]
        return pd.DataFrame({name: _values(f, g[name]) for name in _column_names(g)})
