"""Results are identical, bit for bit, for 1, 2 and 3 ranks and for any chunk size: every
dataset under /params and /results of the file, and the best-designs table, compared between
runs of the same job (the model's caches, the sub-batching of tasks and the work distribution
must never change a value).

Run by CTest with TRIM_BIN (the build's bin/ directory) and TRIM_SOURCE set."""
import os
import shutil
import subprocess

import h5py
import numpy as np
import pytest

BIN = os.environ["TRIM_BIN"]
SOURCE = os.environ["TRIM_SOURCE"]
JOB = os.path.join(SOURCE, "tests", "perf_identity", "identity.toml")
MPIRUN = shutil.which("mpirun") or "mpirun"


def sweep(out, ranks, chunk=None):
    cmd = [os.path.join(BIN, "trim-sweep"), JOB, "-o", str(out), "--force", "-q"]
    if chunk is not None:
        cmd += ["--chunk", str(chunk)]
    if ranks > 1:
        cmd = [MPIRUN, "-n", str(ranks)] + cmd
    subprocess.run(cmd, check=True, timeout=300)


def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        for group in ("params", "results", "best"):
            for name, d in f[group].items():
                out[group + "/" + name] = d[()]
    return out


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    path = tmp_path_factory.mktemp("ref") / "ref.h5"
    sweep(path, 1)
    return datasets(path)


@pytest.mark.parametrize("ranks,chunk", [(1, 1), (1, 37), (2, 5), (2, 100), (3, 1), (3, 64),
                                         (3, None)])
def test_same_bits(reference, tmp_path, ranks, chunk):
    path = tmp_path / "run.h5"
    sweep(path, ranks, chunk)
    got = datasets(path)
    assert sorted(got) == sorted(reference)
    status = reference["results/status"]
    assert (status == 0).sum() > 0 and (status != 0).sum() > 0  # both paths are covered
    for name, want in reference.items():
        have = got[name]
        assert have.dtype == want.dtype and have.shape == want.shape, name
        if want.dtype.kind == "f":
            same = np.array_equal(have.view(np.uint64), want.view(np.uint64))
        else:
            same = np.array_equal(have, want)
        assert same, f"{name} differs with {ranks} ranks, chunk {chunk}"
