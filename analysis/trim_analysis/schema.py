"""The schema version this package reads, and the check made before every read.

The C++ side defines the same number as trim::io::kSchemaVersion
(include/trim/io/results_file.hpp); both change together whenever the layout changes in a
way an older reader would misread.
"""

import numpy as np

SCHEMA_VERSION = 2

# Datasets and groups every results file has, whatever the job.
REQUIRED = ("params", "results", "lookup", "axes", "done", "checksum")


class SchemaError(ValueError):
    """The file is not a trim-sweep results file this package can read."""


def check_schema(f, path=None):
    """Checks an open h5py.File; returns its schema version or raises SchemaError."""
    name = path if path is not None else f.filename
    if "schema_version" not in f.attrs:
        raise SchemaError(
            f"{name}: not a trim-sweep results file (it has no schema_version attribute)"
        )
    version = int(f.attrs["schema_version"])
    if version != SCHEMA_VERSION:
        raise SchemaError(
            f"{name}: the file has schema version {version}, but this trim_analysis reads "
            f"version {SCHEMA_VERSION}; use the trim_analysis from the trim-sweep release "
            "that wrote the file"
        )
    missing = [k for k in REQUIRED if k not in f]
    if missing:
        raise SchemaError(f"{name}: the file lacks {', '.join('/' + k for k in missing)}")
    return version


class VerificationError(SchemaError):
    """Rows marked done whose values do not match their checksum: the file is damaged."""


_MUL = np.uint64(0x9E3779B97F4A7C15)
_SEED = np.uint64(0x54524D2D524F5753)
_STEP = 1 << 20


def row_checksums(f, start, stop):
    """The checksums of rows [start, stop) computed from the stored values, as trim-sweep
    computes them (src/io/row_checksum.hpp): the row index, then the raw bits of every column
    listed by /checksum's "columns" attribute, folded through h = (h ^ x) * M + k + 1."""
    names = f["checksum"].attrs["columns"]
    names = names.decode() if isinstance(names, bytes) else names
    h = (np.arange(start, stop, dtype=np.uint64) ^ _SEED) * _MUL
    for k, name in enumerate(names.split(",")):
        d = f[name][start:stop]
        bits = d.view(f"<u{d.dtype.itemsize}").astype(np.uint64)
        h = (h ^ bits) * _MUL + np.uint64(k + 1)
    return h ^ (h >> np.uint64(32))


def failing_rows(f):
    """Rows with a done byte other than 0 or 1, or marked done with a checksum mismatch."""
    n = f["done"].shape[0]
    bad = []
    with np.errstate(over="ignore"):
        for start in range(0, n, _STEP):
            stop = min(n, start + _STEP)
            done = f["done"][start:stop]
            mismatch = f["checksum"][start:stop] != row_checksums(f, start, stop)
            bad.append(start + np.flatnonzero((done > 1) | ((done == 1) & mismatch)))
    return np.concatenate(bad) if bad else np.zeros(0, np.int64)


def verify(f, path=None):
    """Raises VerificationError when any row fails verification (see failing_rows)."""
    bad = failing_rows(f)
    if bad.size:
        name = path if path is not None else f.filename
        shown = ", ".join(str(int(r)) for r in bad[:8]) + (", ..." if bad.size > 8 else "")
        raise VerificationError(
            f"{name}: {bad.size} rows marked done fail verification (rows {shown}): the file "
            f"is damaged; run the job that wrote it with --resume -o {name} to recompute them"
        )
