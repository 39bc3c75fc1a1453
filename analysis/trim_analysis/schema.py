"""The schema version this package reads, and the check made before every read.

The C++ side defines the same number as trim::io::kSchemaVersion
(include/trim/io/results_file.hpp); both change together whenever the layout changes in a
way an older reader would misread.
"""

SCHEMA_VERSION = 2

# Datasets and groups every results file has, whatever the job.
REQUIRED = ("params", "results", "lookup", "axes", "done")


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
