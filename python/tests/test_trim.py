"""Tests of the in-process Python API (python/trim over libtrim.so).

CTest sets TRIM_LIBRARY (the built libtrim.so), TRIM_BIN (trim-sweep and trim-eval of the same
build) and TRIM_SOURCE. The API must give exactly what the command-line tools give: the results
file's columns bitwise, and trim-eval's printed numbers digit for digit.
"""

import json
import os
import subprocess
import tomllib

import h5py
import numpy as np
import pytest

import trim

BIN = os.environ.get("TRIM_BIN", "")
SRC = os.environ.get("TRIM_SOURCE", os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
JOB = os.path.join(SRC, "tests", "integration", "data", "analysis.toml")
needs_bin = pytest.mark.skipif(not BIN, reason="TRIM_BIN is not set (CTest sets it)")

# The same job as tests/integration/data/analysis.toml, as a dict (read with Python's tomllib).
with open(JOB, "rb") as _f:
    JOB_DICT = tomllib.load(_f)


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory):
    if not BIN:
        pytest.skip("TRIM_BIN is not set")
    out = tmp_path_factory.mktemp("sweep") / "analysis.h5"
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    subprocess.run([os.path.join(BIN, "trim-sweep"), JOB, "-o", str(out), "--force", "-q"],
                   check=True, env=env)
    return out


def test_space_size_axes_and_decode():
    job = trim.Job(JOB)
    # 3 pe_rows x 2 pe_cols x 3 glb_kib x 1 precision x 2 batches x 4 dataflows x 1 mode
    # x 2 networks.
    assert job.size == len(job) == 3 * 2 * 3 * 2 * 4 * 2 == 288
    axes = job.axes
    assert [a["name"] for a in axes] == ["pe_rows", "pe_cols", "glb_kib", "precision", "batch",
                                        "dataflow", "mode", "network"]
    assert axes[2]["values"] == [4, 128, 512] and axes[5]["labels"] == ["ws", "os", "rs", "best"]
    # Mixed radix, hardware fastest: 1 + 3 x 1 + 6 x 2 + 18 x 1 (batch 4) + 36 x 2 (rs) = 106.
    assert job.decode(106) == {"pe_rows": 16, "pe_cols": 16, "glb_kib": 512,
                               "precision": "template", "batch": 4, "dataflow": "rs",
                               "mode": "inference", "network": "alexnet"}
    pts = job.points()
    assert len(pts) == 288 and list(pts["index"]) == list(range(288))


def test_dict_job_equals_file_job():
    a, b = trim.Job(JOB), trim.Job(JOB_DICT)
    assert a.size == b.size and a.axes == b.axes
    ra, rb = a.evaluate(106), b.evaluate(106)
    assert ra.layers.equals(rb.layers) and ra.totals.equals(rb.totals)


def test_linked_axes_from_a_dict():
    job = trim.Job({"job": {"hardware": "eyeriss-v1"},
                    "sweep": {"pe_rows": [8, 16, 32], "pe_cols": [8, 16, 32]},
                    "link": {"square": ["pe_rows", "pe_cols"]},
                    "workload": {"networks": ["lenet5"]}})
    assert job.size == 3
    assert job.axes[1]["linked_to"] == "pe_rows"
    assert [(p["pe_rows"], p["pe_cols"]) for p in map(job.decode, range(3))] == \
        [(8, 8), (16, 16), (32, 32)]


@needs_bin
def test_every_point_is_bitwise_the_results_file(sweep_file):
    job = trim.Job(JOB)
    table = job.evaluate_many()
    with h5py.File(sweep_file, "r") as f:
        assert (f["done"][()] == 1).all()
        for name in f["results"]:
            col = f["results"][name][()]
            if col.dtype.kind == "f":
                got = table[name].to_numpy(dtype=np.float64)
                assert got.tobytes() == col.astype(np.float64).tobytes(), name
        status = [b.decode() for b in f["lookup/status"][()]] if "lookup/status" in f else None
    if status:
        with h5py.File(sweep_file, "r") as f:
            codes = f["results/status"][()]
        assert list(table["status"]) == [status[c] for c in codes]


@needs_bin
def test_layers_match_trim_eval_digit_for_digit():
    job = trim.Job(JOB)
    for index in (0, 106, 287):
        cli = json.loads(subprocess.run(
            [os.path.join(BIN, "trim-eval"), JOB, "--index", str(index), "--format", "json"],
            check=True, capture_output=True, text=True).stdout)
        r = job.evaluate(index)
        assert r.status == cli["status"]
        assert len(r.layers) == len(cli["layers"])
        for row, want in zip(r.layers.to_dict("records"), cli["layers"]):
            for key, value in want.items():
                got = row[key]
                # trim-eval prints %.9g; the API carries the full double.
                assert (got == value if isinstance(value, str) else
                        float(f"{got:.9g}") == value), (index, key, got, value)
        for key, value in cli["totals"].items():
            assert float(f"{r.totals[key].item():.9g}") == value, (index, key)


def test_errors_are_trim_errors_with_hints():
    with pytest.raises(trim.TrimError, match=r"unknown key 'pe_row' in \[sweep\]\n  hint: did "
                                             r"you mean 'pe_rows'\?"):
        trim.Job({"job": {"hardware": "eyeriss-v1"}, "sweep": {"pe_row": [8]},
                  "workload": {"networks": ["alexnet"]}})
    with pytest.raises(trim.TrimError, match="cannot read the job file"):
        trim.Job("/nonexistent/job.toml")
    job = trim.Job(JOB)
    with pytest.raises(trim.TrimError, match=r"index 288 is outside the design space \(288 "
                                             r"points\)\n  hint: use an index from 0 to 287"):
        job.evaluate(288)
    with pytest.raises(trim.TrimError, match="negative"):
        job.decode(-1)
    with pytest.raises(trim.TrimError, match="cannot write"):
        trim.to_toml({"job": {"hardware": object()}})


def test_to_toml_round_trips_through_the_parser():
    text = trim.to_toml({"sweep": {"pe_rows": [8, 16, 32], "glb_kib": {"start": 32, "stop": 512,
                                                                        "factor": 4}},
                         "constraints": {"area_mm2": {"max": 30.0}, "name": "a \"b\""}})
    assert text == ('[sweep]\npe_rows = [8, 16, 32]\nglb_kib = { start = 32, stop = 512, '
                    'factor = 4 }\n\n[constraints]\narea_mm2 = { max = 30.0 }\n'
                    'name = "a \\"b\\""\n')
    assert tomllib.loads(text)["constraints"]["name"] == 'a "b"'
    assert tomllib.loads(trim.to_toml(JOB_DICT)) == JOB_DICT


def test_failure_of_an_infeasible_design():
    # tests/data/cli/infeasible.toml, design 2: layer b needs 46 B of a 40 B buffer (the
    # derivation is in that file); design 3 is feasible.
    job = trim.Job(os.path.join(SRC, "tests", "data", "cli", "infeasible.toml"))
    r = job.evaluate(2)
    assert r.status == "glb_too_small"
    assert r.failure == {"fail_layer": 1, "fail_layer_name": "two-convs.toml/b",
                         "fail_phase": "fp", "fail_need_bytes": 46, "fail_have_bytes": 40}
    assert list(r.layers["layer"]) == ["a", "b"]
    assert list(r.layers["status"]) == ["ok", "glb_too_small"]
    assert r.totals["fail_need_bytes"].item() == 46.0
    ok = job.evaluate(3)
    assert ok.failure == {"fail_layer": -1, "fail_layer_name": "", "fail_phase": "none",
                          "fail_need_bytes": 0, "fail_have_bytes": 0}
