"""Readers for trim-sweep results files.

The file layout is described in docs/output-format.md. The usual entry point is::

    import trim_analysis as ta
    df = ta.load("sweep.h5")          # one row per finished design point
    meta = ta.attrs("sweep.h5")       # provenance: job text, version, ranks, ...

Only h5py, numpy and pandas are needed (Debian: python3-h5py, python3-pandas).
"""

from .load import attrs, column_info, load, load_table, tables
from .schema import SCHEMA_VERSION, SchemaError, check_schema

__all__ = [
    "SCHEMA_VERSION",
    "SchemaError",
    "attrs",
    "check_schema",
    "column_info",
    "load",
    "load_table",
    "tables",
]
