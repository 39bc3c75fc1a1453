"""Shared helpers of the hardening tests: the binaries, mpirun, running a command, comparing
results files column by column, and snapshots of a directory (names and bytes).

CTest sets TRIM_BIN (the build's bin/ directory) and TRIM_SOURCE (the source tree)."""
import hashlib
import os
import shutil
import signal
import stat
import subprocess

import h5py

BIN = os.environ["TRIM_BIN"]
SRC = os.environ["TRIM_SOURCE"]
SWEEP = os.path.join(BIN, "trim-sweep")
EVAL = os.path.join(BIN, "trim-eval")
MPIRUN = shutil.which("mpirun") or "mpirun"
DATA = os.path.join(SRC, "tests", "data")


def command(args, ranks=None, binary=SWEEP):
    return ([MPIRUN, "-n", str(ranks)] if ranks else []) + [binary] + list(args)


def run(args, ranks=None, check=None, cwd=None, binary=SWEEP, timeout=600):
    cmd = command(args, ranks, binary)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=cwd)
    if check is not None and p.returncode != check:
        raise AssertionError(f"{cmd} exited {p.returncode}, expected {check}\n"
                             f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p


def session_pids(sid):
    """Every process of session `sid` (the launcher and the ranks it forked)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # Fields after the command name (which may hold spaces): state ppid pgrp session ...
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[3]) == sid:
            pids.append(int(entry))
    return pids


def kill_session(proc):
    """SIGKILL to every process of the session started for `proc` (start_new_session=True):
    mpirun puts each rank into its own process group, so killing the launcher's group alone
    would leave the ranks running."""
    for pid in session_pids(proc.pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def result_columns(path):
    """Every /params and /results column and the done mask, as numpy arrays."""
    with h5py.File(path, "r") as f:
        out = {}
        for group in ("params", "results"):
            for name, ds in f[group].items():
                out[f"{group}/{name}"] = ds[()]
        out["done"] = f["done"][()]
        return out


def assert_same_results(a, b):
    """Bitwise equality of every column (raw bytes: NaN patterns and -0.0 count) and of the
    best-designs table."""
    ca, cb = result_columns(a), result_columns(b)
    assert ca.keys() == cb.keys()
    for k in ca:
        assert ca[k].tobytes() == cb[k].tobytes(), f"column {k} differs"
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        for name in ("network", "rank", "index", "value"):
            assert fa["best"][name][()].tobytes() == fb["best"][name][()].tobytes(), name


def snapshot(root):
    """{relative path: sha256} of every regular file under root, plus every directory (value
    None); symbolic links and other files (FIFOs) are recorded by their target or type."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        out[rel] = None
        for name in filenames:
            path = os.path.join(dirpath, name)
            if os.path.islink(path):
                out[os.path.join(rel, name)] = "link to " + os.readlink(path)
            elif not stat.S_ISREG(os.lstat(path).st_mode):  # a FIFO would block the read
                out[os.path.join(rel, name)] = stat.S_IFMT(os.lstat(path).st_mode)
            else:
                with open(path, "rb") as f:
                    out[os.path.join(rel, name)] = hashlib.sha256(f.read()).hexdigest()
    return out
