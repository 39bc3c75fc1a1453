"""Tests of trim_analysis.

Two sources of files:
- TRIM_SAMPLE_H5: a file written by the C++ writer (tests/io/sample_writer_main.cpp, run by
  CTest under mpiexec -n 3). Its values are defined in tests/io/sample_file.hpp and
  recomputed here, so these tests check the C++ writer and this reader against each other.
  They are skipped when the variable is not set.
- files built here with h5py in the documented layout (docs/output-format.md), so the reader
  is tested on its own too.
"""

import os
import subprocess
import sys

import h5py
import numpy as np
import pandas as pd
import pytest

import trim_analysis as ta

ANALYSIS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# tests/io/sample_file.hpp: 60 rows, pe_rows fastest, then batch, dataflow, network.
SAMPLE_ROWS = 60
PENDING = range(40, 45)
PE_ROWS = [8.0, 16.0, 32.0]
BATCH = [1.0, 2.0, 4.0, 8.0, 16.0]


@pytest.fixture
def sample():
    path = os.environ.get("TRIM_SAMPLE_H5")
    if not path:
        pytest.skip("TRIM_SAMPLE_H5 is not set (CTest sets it to the C++ writer's file)")
    assert os.path.exists(path), f"TRIM_SAMPLE_H5={path} does not exist"
    return path


def test_sample_values_match_the_cpp_writer(sample):
    df = ta.load(sample)
    i = np.array([r for r in range(SAMPLE_ROWS) if r not in PENDING])
    assert list(df.columns) == ["index", "pe_rows", "batch", "dataflow", "network",
                                "latency_s", "energy_pj", "macs", "status"]
    np.testing.assert_array_equal(df["index"], i)
    np.testing.assert_array_equal(df["pe_rows"], np.array(PE_ROWS)[i % 3])
    np.testing.assert_array_equal(df["batch"], np.array(BATCH)[(i // 3) % 5])
    np.testing.assert_array_equal(df["latency_s"], 0.5 * (i + 1))
    np.testing.assert_array_equal(df["energy_pj"], 0.25 * i)
    assert df["macs"].dtype == np.int64
    np.testing.assert_array_equal(df["macs"], 1000 * i + 7)

    assert isinstance(df["dataflow"].dtype, pd.CategoricalDtype)
    assert list(df["dataflow"].cat.categories) == ["ws", "os"]
    np.testing.assert_array_equal(df["dataflow"].cat.codes, (i // 15) % 2)
    assert list(df["network"].cat.categories) == ["alexnet", "resnet50"]
    assert df.loc[df["index"] == 35, "network"].item() == "resnet50"
    assert list(df["status"].cat.categories) == ["ok", "rf_too_small", "glb_too_small"]
    np.testing.assert_array_equal(df["status"].cat.codes, i % 3)

    assert df.attrs["units"]["latency_s"] == "s"
    assert df.attrs["descriptions"]["pe_rows"] == "rows of the PE array"


def test_sample_all_rows_with_done_mask(sample):
    df = ta.load(sample, only_done=False)
    assert len(df) == SAMPLE_ROWS
    np.testing.assert_array_equal(df["index"], np.arange(SAMPLE_ROWS))
    assert df["done"].dtype == bool
    assert sorted(df.loc[~df["done"], "index"]) == list(PENDING)


def test_sample_attrs_and_table(sample):
    a = ta.attrs(sample)
    assert a["schema_version"] == ta.SCHEMA_VERSION
    assert a["rows"] == SAMPLE_ROWS
    assert a["job_text"] == '[job]\nname = "sample"  # 1 \u00b5s\n'
    assert a["job_sha256"] == "0123456789abcdef0123456789abcdef"
    assert a["mpi_ranks"] == 3.0  # CTest writes the sample from 3 ranks
    assert a["hdf5_version"].startswith("1.")

    assert ta.tables(sample) == ["best"]
    best = ta.load_table(sample, "best")
    assert list(best.columns) == ["network", "index", "latency_s"]
    assert list(best["network"]) == ["alexnet", "resnet50"]
    assert list(best["index"]) == [5, 35]
    assert list(best["latency_s"]) == [3.0, 18.0]


def test_sample_with_plain_h5py(sample):
    """The layout promises in docs/output-format.md, checked with h5py alone."""
    with h5py.File(sample, "r") as f:
        assert f["done"].dtype == np.uint8
        assert f["done"].shape == (SAMPLE_ROWS,)
        for group in ("params", "results"):
            for name in f[group]:
                d = f[group][name]
                assert d.shape == (SAMPLE_ROWS,)
                assert isinstance(d.attrs["units"], str)  # VL UTF-8 strings come back as str
                assert isinstance(d.attrs["description"], str)
                assert d.compression is None and d.chunks is None
        assert f["params/dataflow"].attrs["lookup"] == "/lookup/dataflow"
        assert h5py.check_enum_dtype(f["params/dataflow"].dtype) is None  # codes, not enums
        assert [s.decode() for s in f["lookup/dataflow"][()]] == ["ws", "os"]
        assert list(f["axes/batch"][()]) == BATCH


def write_file(path, schema_version=ta.SCHEMA_VERSION, done=(1, 0, 1, 1)):
    """A 4-row file in the documented layout, written with h5py."""
    n = len(done)
    vl = h5py.string_dtype("utf-8")
    with h5py.File(path, "w") as f:
        f.attrs["schema_version"] = np.int64(schema_version)
        f.attrs["rows"] = np.int64(n)
        f.attrs.create("job_text", "x = 1\n", dtype=vl)
        for g in ("params", "results", "lookup", "axes"):
            f.create_group(g)
        f["lookup/network"] = np.array([b"alexnet", b"resnet50"], dtype="S8")
        p = f["params"].create_dataset("network", data=np.array([0, 1, 1, 0], np.uint16))
        p.attrs.create("lookup", "/lookup/network", dtype=vl)
        p.attrs.create("units", "", dtype=vl)
        p.attrs.create("description", "network", dtype=vl)
        f["params"].attrs.create("columns", ["network"], dtype=vl)
        r = f["results"].create_dataset("energy_pj", data=np.array([1.0, 2.0, 3.0, 4.0]))
        r.attrs.create("units", "pJ", dtype=vl)
        r.attrs.create("description", "energy", dtype=vl)
        f["results"].attrs.create("columns", ["energy_pj"], dtype=vl)
        f["done"] = np.array(done, np.uint8)
        f["checksum"] = np.zeros(n, np.uint64)
        f["checksum"].attrs.create("columns", "params/network,results/energy_pj", dtype=vl)
    with h5py.File(path, "r+") as f:
        f["checksum"][...] = ta.schema.row_checksums(f, 0, n)


def test_load_h5py_built_file(tmp_path):
    path = tmp_path / "small.h5"
    write_file(path)
    df = ta.load(path)
    assert list(df.columns) == ["index", "network", "energy_pj"]
    assert list(df["index"]) == [0, 2, 3]
    assert list(df["network"]) == ["alexnet", "resnet50", "alexnet"]
    assert list(df["energy_pj"]) == [1.0, 3.0, 4.0]
    only = ta.load(path, columns=["energy_pj"])
    assert list(only.columns) == ["index", "energy_pj"]
    info = ta.column_info(path)
    assert list(info["name"]) == ["network", "energy_pj"]
    assert info.loc[1, "units"] == "pJ"


def test_schema_mismatch_is_a_clear_error(tmp_path):
    path = tmp_path / "future.h5"
    write_file(path, schema_version=ta.SCHEMA_VERSION + 1)
    with pytest.raises(ta.SchemaError) as e:
        ta.load(path)
    assert str(e.value) == (
        f"{path}: the file has schema version {ta.SCHEMA_VERSION + 1}, but this trim_analysis "
        f"reads version {ta.SCHEMA_VERSION}; use "
        "the trim_analysis from the trim-sweep release that wrote the file"
    )


def test_damaged_row_is_refused(tmp_path):
    # Row 2 is done; its energy changes by one ulp: the checksum no longer matches. Row 1 is
    # not done, so damage there is ignored; a done byte of 3 is damage too.
    path = tmp_path / "damaged.h5"
    write_file(path)
    with h5py.File(path, "r+") as f:
        f["results/energy_pj"][2] = np.nextafter(3.0, 4.0)
        f["results/energy_pj"][1] = -1.0
    with pytest.raises(ta.VerificationError) as e:
        ta.load(path)
    assert str(e.value) == (
        f"{path}: 1 rows marked done fail verification (rows 2): the file is damaged; run the "
        f"job that wrote it with --resume -o {path} to recompute them"
    )
    with h5py.File(path, "r+") as f:
        f["results/energy_pj"][2] = 3.0
        f["done"][3] = 3
    with h5py.File(path, "r") as f:
        assert list(ta.failing_rows(f)) == [3]


def test_foreign_hdf5_file_is_rejected(tmp_path):
    path = tmp_path / "foreign.h5"
    with h5py.File(path, "w") as f:
        f["x"] = np.arange(3)
    with pytest.raises(ta.SchemaError, match="not a trim-sweep results file"):
        ta.attrs(path)


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "trim_analysis", *args],
        capture_output=True, text=True, cwd=ANALYSIS_DIR, check=False,
    )


def test_cli_summary(tmp_path):
    path = tmp_path / "small.h5"
    write_file(path)
    res = run_cli("summary", str(path))
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert "rows: 4" in lines
    assert "done: 3 (75.0%)" in lines
    assert any(l.split()[:3] == ["network", "uint16", "-"] and "alexnet, resnet50" in l
               for l in lines)
    assert any(l.split()[:3] == ["energy_pj", "float64", "pJ"] for l in lines)


def test_cli_help_and_errors(tmp_path):
    res = run_cli("--help")
    assert res.returncode == 0 and "summary" in res.stdout
    res = run_cli("summary", str(tmp_path / "missing.h5"))
    assert res.returncode == 1 and res.stderr.startswith("error: ")
    res = run_cli()
    assert res.returncode == 2  # argparse: a command is required
