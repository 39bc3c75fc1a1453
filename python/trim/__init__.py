"""trim: trim-sweep's accelerator model in-process, from Python (docs/python-api.md).

    import trim
    job = trim.Job("jobs/quickstart.toml")          # or a dict of the job's tables
    print(job.size, job.decode(553))
    r = job.evaluate(553)                           # one design point
    r.layers                                        # DataFrame: one row per layer and phase
    r.totals                                        # one-row DataFrame: the point and its results
    table = job.evaluate_many(range(job.size))      # DataFrame, one row per point

The model runs in libtrim.so (built by CMake next to trim-sweep, build/lib/), loaded with
ctypes: no compiler, no PyPI package. Results are the same doubles trim-sweep writes into its
results file and trim-eval prints (they travel as 17-digit JSON numbers). Needs pandas
(Debian: python3-pandas).
"""

import ctypes
import ctypes.util
import json
import math
import os

import pandas as pd

__all__ = ["Job", "Result", "TrimError", "evaluate", "library_path", "to_toml", "version"]

_HERE = os.path.dirname(os.path.abspath(__file__))
_REPO = os.path.dirname(os.path.dirname(_HERE))


class TrimError(ValueError):
    """A bad job, a bad index, or a missing library; the message is the one trim-sweep prints
    ("file:line:column: error: ...\\n  hint: ...")."""


def library_path():
    """Where libtrim.so is taken from: $TRIM_LIBRARY, else build/lib/ of this checkout, else
    the system's library path."""
    env = os.environ.get("TRIM_LIBRARY")
    if env:
        return env
    local = os.path.join(_REPO, "build", "lib", "libtrim.so")
    if os.path.exists(local):
        return local
    return ctypes.util.find_library("trim") or local


_lib = None


def _library():
    global _lib
    if _lib is not None:
        return _lib
    path = library_path()
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        raise TrimError(f"cannot load {path}: {e}\nhint: build it with cmake --build build "
                        "(target trim_capi), or set TRIM_LIBRARY to its path") from None
    p, err = ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)
    lib.trim_version.restype = ctypes.c_char_p
    lib.trim_job_load.argtypes = [ctypes.c_char_p, ctypes.c_char_p, err]
    lib.trim_job_load.restype = p
    lib.trim_job_parse.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, err]
    lib.trim_job_parse.restype = p
    lib.trim_job_free.argtypes = [p]
    lib.trim_job_size.argtypes = [p]
    lib.trim_job_size.restype = ctypes.c_uint64
    for name in ("trim_job_decode", "trim_job_evaluate"):
        getattr(lib, name).argtypes = [p, ctypes.c_uint64, err]
        getattr(lib, name).restype = p
    lib.trim_job_axes.argtypes = [p, err]
    lib.trim_job_axes.restype = p
    lib.trim_free.argtypes = [p]
    _lib = lib
    return lib


def version():
    """The library's version (the trim-sweep version it was built from)."""
    return _library().trim_version().decode()


def _take(ptr):
    """The text of a string the library allocated; frees it."""
    if not ptr:
        return None
    try:
        return ctypes.string_at(ptr).decode()
    finally:
        _library().trim_free(ptr)


def _call(fn, *args):
    """Calls a library function whose last argument is the error slot; raises TrimError."""
    error = ctypes.c_void_p()
    out = fn(*args, ctypes.byref(error))
    if not out:
        raise TrimError(_take(error.value) or f"{fn.__name__} failed")
    return out


# ------------------------------------------------------------------------- dicts -> TOML

def _toml_key(k):
    k = str(k)
    return k if k and all(c.isalnum() or c in "-_" for c in k) else json.dumps(k)


def _toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)  # a TOML basic string
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, (list, tuple, range)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if hasattr(v, "item"):  # numpy scalars
        return _toml_value(v.item())
    raise TrimError(f"error: cannot write {v!r} ({type(v).__name__}) into a job file\n"
                    "  hint: use str, int, float, bool, lists and dicts")


def to_toml(job):
    """The job file text of a dict of tables: {"job": {...}, "sweep": {...}, ...}. Values
    that are dicts inside a table become inline tables ({ start = 8, stop = 32, step = 4 })."""
    if not isinstance(job, dict):
        raise TrimError("error: a job is a dict of tables\n"
                        "  hint: {'job': {'hardware': 'eyeriss-v1'}, 'workload': {...}}")
    lines = []
    for table, body in job.items():
        if not isinstance(body, dict):
            raise TrimError(f"error: job[{table!r}] must be a dict (the table [{table}])\n"
                            f"  hint: job[{table!r}] = {{'key': value}}")
        lines.append(f"[{_toml_key(table)}]")
        lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in body.items()]
        lines.append("")
    return "\n".join(lines)


# ------------------------------------------------------------------------- jobs

class Result:
    """One evaluated design point.

    index, point (dict axis -> value), status ("ok" or why the design is infeasible),
    energy_units ("pJ" or "normalized"), layers (DataFrame, one row per layer and phase:
    layer, kind, phase, dataflow, macs, cycles, latency_s, energy_pj, energy_*_pj, dram_bytes,
    glb_accesses, active_pes, utilization, fused, status; an infeasible design ends with the
    layer-phase that failed), failure (dict: fail_layer, fail_layer_name, fail_phase,
    fail_need_bytes, fail_have_bytes; docs/output-format.md, "Diagnostics"), totals (one-row
    DataFrame: index, the point's axes, status, then every other results column, as in the
    results file, the fail_* ones included).
    """

    def __init__(self, data):
        self.index = int(data["index"])
        self.point = data["point"]
        self.status = data["status"]
        self.energy_units = data["energy_units"]
        self.layers = pd.DataFrame(data["layers"]).astype(
            {c: "float64" for c in _LAYER_NUMBERS if data["layers"]}, copy=False)
        self.failure = data["failure"]
        row = {"index": self.index, **self.point, "status": self.status, **data["totals"],
               **self.failure}
        self.totals = pd.DataFrame([row]).astype(
            {k: "float64" for k in (*data["totals"], "fail_need_bytes", "fail_have_bytes")},
            copy=False)

    def __repr__(self):
        return (f"<trim.Result index {self.index} status {self.status}: "
                f"{len(self.layers)} layer-phases>")


_LAYER_NUMBERS = ("macs", "cycles", "latency_s", "energy_pj", "energy_mac_pj", "energy_rf_pj",
                  "energy_noc_pj", "energy_glb_pj", "energy_dram_pj", "energy_leak_pj",
                  "dram_bytes", "glb_accesses", "active_pes", "utilization", "fused")


class Job:
    """A parsed job and its design space.

    Job(path) reads a job file; Job(dict) builds one from a dict of its tables (to_toml),
    as if it were a file named `path` (default: job.toml in the working directory, against
    which relative hardware and network paths resolve). `configs` is the presets directory
    (default: the checkout's configs/). Bad input raises TrimError with trim-sweep's message.
    """

    def __init__(self, source, path=None, configs=None):
        lib = _library()
        cfg = None if configs is None else os.fsencode(configs)
        if isinstance(source, dict):
            self.text = to_toml(source)
            self.path = path or os.path.join(os.getcwd(), "job.toml")
            self._h = _call(lib.trim_job_parse, self.text.encode(), os.fsencode(self.path), cfg)
        else:
            self.path = os.fspath(source)
            self.text = None
            self._h = _call(lib.trim_job_load, os.fsencode(self.path), cfg)

    def __del__(self):
        h, self._h = getattr(self, "_h", None), None
        if h and _lib is not None:
            _lib.trim_job_free(h)

    def __len__(self):
        return self.size

    @property
    def size(self):
        """Number of design points."""
        return int(_library().trim_job_size(self._h))

    @property
    def axes(self):
        """The axes, fastest first: dicts with name, unit, values or labels, linked_to."""
        return json.loads(_take(_call(_library().trim_job_axes, self._h)))

    def _index(self, index):
        if isinstance(index, bool) or not isinstance(index, int) and not hasattr(index, "__index__"):
            raise TrimError(f"error: a design index is an integer, not {index!r}")
        i = int(index)
        if i < 0:
            raise TrimError(f"error: index {i} is negative\n  hint: use 0 to {self.size - 1}")
        return i

    def decode(self, index):
        """The design point `index` as {axis: value or label}."""
        out = _call(_library().trim_job_decode, self._h, self._index(index))
        return json.loads(_take(out))["point"]

    def points(self, indices=None):
        """DataFrame of design points (index and one column per axis); all of them by default."""
        idx = range(self.size) if indices is None else indices
        return pd.DataFrame([{"index": int(i), **self.decode(i)} for i in idx])

    def evaluate(self, index=0):
        """Evaluates design point `index` (a Result), as trim-eval --index does."""
        out = _call(_library().trim_job_evaluate, self._h, self._index(index))
        return Result(json.loads(_take(out)))

    def evaluate_many(self, indices=None):
        """One row per design point (index, axes, results columns), like a results file."""
        idx = range(self.size) if indices is None else indices
        rows = [self.evaluate(i).totals for i in idx]
        return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def evaluate(job, index=0, **kwargs):
    """Job(job, **kwargs).evaluate(index): one design point of a job file or dict."""
    return Job(job, **kwargs).evaluate(index)
