"""Command line: python3 -m trim_analysis <command> ...

Commands (each has --help with examples; docs/analysis.md describes them):
  summary FILE                 rows, done fraction, provenance and the columns of a file
  pareto FILE OBJ OBJ [OBJ]    the Pareto front of 2 or 3 objectives
  best FILE                    the best designs per network (and workload) for each goal
  sensitivity FILE             how much the goal depends on each design axis
  plot-pareto, plot-sensitivity, plot-layers, plot-roofline   PNG charts
  view FILE                    a ParaView (VTKHDF) point cloud linked to the file
"""

import argparse
import os
import sys

import h5py
import numpy as np

from . import commands, filters
from .load import COLUMN_GROUPS, _column_names, _labels, _text, tables
from .schema import SchemaError, check_schema

# Root attributes shown by `summary`, in this order, when present; then every model_* one.
_SUMMARY_ATTRS = (
    "trim_sweep_version",
    "schema_version",
    "job_name",
    "job_path",
    "job_sha256",
    "goal",
    "axis_order",
    "created_utc",
    "completed_utc",
    "mpi_ranks",
    "last_run_ranks",
    "wall_time_s",
    "command_line",
)


def _show(value):
    """Attribute text for humans: whole floats (all numbers are stored as float64) as ints."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _describe_column(f, d):
    labels = _labels(f, d)
    if labels is not None:
        shown = ", ".join(labels[:6]) + (", ..." if len(labels) > 6 else "")
        return f"categorical: {shown}"
    link = d.attrs.get("axis")
    if link is not None:
        return f"axis: {f[_text(link)].size} values"
    return ""


def summary(path, out):
    with h5py.File(path, "r") as f:
        check_schema(f, path)
        done = f["done"][()]
        rows = done.size
        n_done = int(np.count_nonzero(done))
        frac = 100.0 * n_done / rows if rows else 100.0
        print(f"file: {path}", file=out)
        keys = [k for k in _SUMMARY_ATTRS if k in f.attrs]
        keys += sorted(k for k in f.attrs if k.startswith("model_"))
        for key in keys:
            print(f"{key}: {_show(_text(f.attrs[key]))}", file=out)
        print(f"rows: {rows}", file=out)
        print(f"done: {n_done} ({frac:.1f}%)", file=out)
        for group in COLUMN_GROUPS:
            names = _column_names(f[group])
            print(f"{group} ({len(names)}):", file=out)
            width = max((len(n) for n in names), default=0)
            for name in names:
                d = f[group][name]
                units = _text(d.attrs.get("units", "")) or "-"
                extra = _describe_column(f, d)
                line = f"  {name:<{width}}  {str(d.dtype):<7}  {units:<9}  "
                line += _text(d.attrs.get("description", ""))
                if extra:
                    line += f"  [{extra}]"
                print(line.rstrip(), file=out)
    for t in tables(path):
        with h5py.File(path, "r") as f:
            names = _column_names(f[t])
            n = f[t][names[0]].size if names else 0
        print(f"table /{t}: {n} rows; columns: {', '.join(names)}", file=out)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python3 -m trim_analysis",
        description="Inspect and analyse trim-sweep results files (docs/output-format.md, "
                    "docs/analysis.md).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    p = sub.add_parser("summary", help="rows, done fraction, provenance and columns of FILE")
    p.add_argument("file", metavar="FILE", help="a results file written by trim-sweep")
    commands.add_commands(sub)
    args = parser.parse_args(argv)
    try:
        if args.command == "summary":
            summary(args.file, sys.stdout)
        else:
            commands.run(args, sys.stdout)
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stdout = open(os.devnull, "w", encoding="utf-8")
        return 0
    except filters.FilterError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except (OSError, SchemaError, KeyError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
