"""Readers for trim-sweep results files.

The file layout is described in docs/output-format.md. The usual entry point is::

    import trim_analysis as ta
    df = ta.load("sweep.h5")          # one row per finished design point
    meta = ta.attrs("sweep.h5")       # provenance: job text, version, ranks, ...
    front = ta.pareto_front(df, ["latency", "energy"])
    top = ta.best(df, "energy", by=["network", "dataflow"])
    summary, curves = ta.sensitivity(df)

h5py, numpy and pandas are needed (Debian: python3-h5py, python3-pandas); the plots
(trim_analysis.plots) need matplotlib. docs/analysis.md documents the API.
"""

from .decide import (Objective, best, constrain, design_axes, objective, parse_constraint,
                     pareto_front, sensitivity, workload_axes)
from .evalout import EvalReport, dram_bytes_per_s, parse_eval, peak_macs_per_s, read_eval
from .load import attrs, column_info, load, load_table, tables
from .pareto import pareto_mask, pareto_mask_bruteforce
from .schema import (SCHEMA_VERSION, SchemaError, VerificationError, check_schema, failing_rows,
                     verify)
from .view import write_view

__all__ = [
    "EvalReport",
    "Objective",
    "SCHEMA_VERSION",
    "SchemaError",
    "VerificationError",
    "attrs",
    "best",
    "check_schema",
    "column_info",
    "constrain",
    "design_axes",
    "dram_bytes_per_s",
    "failing_rows",
    "load",
    "load_table",
    "objective",
    "pareto_front",
    "pareto_mask",
    "pareto_mask_bruteforce",
    "parse_constraint",
    "parse_eval",
    "peak_macs_per_s",
    "read_eval",
    "sensitivity",
    "tables",
    "verify",
    "workload_axes",
    "write_view",
]
