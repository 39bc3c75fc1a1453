"""End-to-end tests of the trim-sweep command: real MPI runs (mpirun -n 1 and -n 3), real
parallel HDF5 files read back with h5py, crash-and-resume, refusal to clobber, bad input.

Run by CTest with TRIM_BIN (the build's bin/ directory) and TRIM_SOURCE set."""
import hashlib
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np
import pytest

BIN = os.environ["TRIM_BIN"]
SRC = os.environ["TRIM_SOURCE"]
DATA = os.path.join(SRC, "tests", "data", "cli")
SWEEP = os.path.join(BIN, "trim-sweep")
MPIRUN = shutil.which("mpirun") or "mpirun"


def run(args, ranks=None, check=None, cwd=None):
    cmd = ([MPIRUN, "-n", str(ranks)] if ranks else []) + [SWEEP] + args
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=cwd)
    if check is not None and p.returncode != check:
        raise AssertionError(f"{cmd} exited {p.returncode}, expected {check}\n"
                             f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p


def columns(path):
    with h5py.File(path, "r") as f:
        out = {}
        for group in ("params", "results"):
            for name, ds in f[group].items():
                out[f"{group}/{name}"] = ds[()]
        out["done"] = f["done"][()]
        return out


def assert_same_results(a, b):
    ca, cb = columns(a), columns(b)
    assert ca.keys() == cb.keys()
    for k in ca:
        # Bitwise: compare the raw bytes, so NaN patterns and -0.0 count too.
        assert ca[k].tobytes() == cb[k].tobytes(), f"column {k} differs"
    # The best designs cover every row, whichever run computed it.
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        for name in ("network", "rank", "index", "value"):
            assert fa["best"][name][()].tobytes() == fb["best"][name][()].tobytes(), name


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("ref") / "one.h5"
    run([os.path.join(DATA, "small.toml"), "-o", str(out), "-q"], check=0)
    return out


def test_one_rank_file_is_complete_and_readable(reference):
    with h5py.File(reference, "r") as f:
        n = f.attrs["rows"]
        assert n == 108
        assert f["done"].shape == (108,)
        assert f["done"][()].all()
        assert f.attrs["schema_version"] == 2
        assert f.attrs["mpi_ranks"] == 1
        assert f.attrs["job_text"] == open(os.path.join(DATA, "small.toml")).read()
        assert len(f.attrs["job_sha256"]) == 64
        lat = f["results/latency_s"][()]
        ok = f["results/status"][()] == 0
        assert ok.any()
        assert np.all(lat[ok] > 0) and np.all(np.isfinite(lat))
        # The parameter columns follow the mixed-radix order: pe_rows fastest.
        assert list(f["params/pe_rows"][:6]) == [8, 12, 16, 8, 12, 16]
        assert list(f["params/pe_cols"][:6]) == [8, 8, 8, 14, 14, 14]
        assert [s.decode() for s in f["lookup/dataflow"][()]] == ["ws", "rs", "best"]
        for name, ds in f["results"].items():
            assert "units" in ds.attrs and "description" in ds.attrs, name
        # The best table holds feasible rows sorted by the goal.
        best = f["best/index"][()]
        vals = f["best/value"][()]
        assert 1 <= len(best) <= 3
        assert np.all(np.diff(vals) >= 0)
        energy = f["results/energy_pj"][()]
        feas = f["results/feasible"][()] == 1
        assert vals[0] == energy[feas].min()
        assert energy[best[0]] == vals[0]


def test_three_ranks_identical_to_one(reference, tmp_path):
    out = tmp_path / "three.h5"
    run([os.path.join(DATA, "small.toml"), "-o", str(out), "-q"], ranks=3, check=0)
    assert_same_results(reference, out)
    with h5py.File(out, "r") as f:
        assert f.attrs["mpi_ranks"] == 3
        with h5py.File(reference, "r") as g:
            assert list(f["best/index"][()]) == list(g["best/index"][()])


@pytest.mark.parametrize("crash_after", [1, 3])
def test_killed_run_resumes_to_identical_file(reference, tmp_path, crash_after):
    out = tmp_path / "crash.h5"
    p = run([os.path.join(DATA, "small.toml"), "-o", str(out), "-q",
             "--test-crash-after", str(crash_after)], ranks=3)
    assert p.returncode != 0
    # The crashed file is readable and partial; rows marked done hold their results.
    with h5py.File(out, "r") as f:
        done = f["done"][()]
        assert 0 < done.sum() < 108
    with h5py.File(reference, "r") as g:
        ref_lat = g["results/latency_s"][()]
    with h5py.File(out, "r") as f:
        lat = f["results/latency_s"][()]
    assert np.array_equal(lat[done == 1], ref_lat[done == 1])
    run([os.path.join(DATA, "small.toml"), "-o", str(out), "-q", "--resume"], ranks=3, check=0)
    assert_same_results(reference, out)


def performance(stdout):
    line = next(l for l in stdout.splitlines() if l.startswith("PERFORMANCE"))
    return {k: v for k, v in (w.split("=", 1) for w in line.split() if "=" in w)}


def test_joined_writes_give_the_same_file(reference, tmp_path):
    # 18 tasks of at most 7 points; every task written on its own is one row write per task.
    out = tmp_path / "each.h5"
    p = run([os.path.join(DATA, "small.toml"), "-o", str(out), "--write-buffer-mib", "0"],
            check=0)
    perf = performance(p.stdout)
    assert perf["tasks"] == "18" and perf["row_writes"] == "18"
    assert_same_results(reference, out)
    # By default a rank joins adjacent tasks: fewer writes, the same bytes.
    perf = performance(run([os.path.join(DATA, "small.toml"), "-o", str(tmp_path / "j.h5")],
                           check=0).stdout)
    assert int(perf["row_writes"]) < 18
    assert_same_results(reference, tmp_path / "j.h5")
    p = run([os.path.join(DATA, "small.toml"), "-o", str(tmp_path / "j3.h5")], ranks=3, check=0)
    assert int(performance(p.stdout)["row_writes"]) < 18
    assert_same_results(reference, tmp_path / "j3.h5")


@pytest.fixture(scope="module")
def reference_f32(tmp_path_factory):
    out = tmp_path_factory.mktemp("ref32") / "one32.h5"
    run([os.path.join(DATA, "small-f32.toml"), "-o", str(out), "-q"], check=0)
    return out


def test_float32_file_stores_chosen_columns_rounded(reference, reference_f32):
    with h5py.File(reference_f32, "r") as f, h5py.File(reference, "r") as g:
        diagnostics = ["fail_layer", "fail_layer_name", "fail_phase", "fail_need_bytes",
                       "fail_have_bytes"]
        assert list(f["results"].keys()) == sorted(["latency_s", "energy_pj", "status",
                                                    "feasible"] + diagnostics)
        for name in ("latency_s", "energy_pj"):
            assert f["results"][name].dtype == np.float32
            # float32 of the float64 results, bit for bit (round to nearest).
            assert f["results"][name][()].tobytes() == \
                g["results"][name][()].astype(np.float32).tobytes()
        for name in ["status", "feasible"] + diagnostics:  # stored as they are
            assert f["results"][name][()].tobytes() == g["results"][name][()].tobytes()
        # The best table ranks the stored values: the same designs, float32 values.
        assert list(f["best/index"][()]) == list(g["best/index"][()])
        assert np.array_equal(f["best/value"][()],
                              g["best/value"][()].astype(np.float32).astype(np.float64))
    # The per-row checksums cover the float32 values as stored.
    p = run(["--verify", str(reference_f32)], check=0)
    assert "every done row verified" in p.stdout
    sys.path.insert(0, os.path.join(SRC, "analysis"))
    import trim_analysis
    df = trim_analysis.load(str(reference_f32))
    assert len(df) == 108 and "energy_pj" in df and "power_w" not in df


def test_killed_float32_run_resumes_to_identical_file(reference_f32, tmp_path):
    out = tmp_path / "crash32.h5"
    p = run([os.path.join(DATA, "small-f32.toml"), "-o", str(out), "-q",
             "--test-crash-after", "2"], ranks=3)
    assert p.returncode != 0
    with h5py.File(out, "r") as f:
        assert 0 < f["done"][()].sum() < 108
    run([os.path.join(DATA, "small-f32.toml"), "-o", str(out), "-q", "--resume"], ranks=3,
        check=0)
    assert_same_results(reference_f32, out)


def test_existing_file_is_never_clobbered(reference, tmp_path):
    out = tmp_path / "keep.h5"
    shutil.copy(reference, out)
    before = sha(out)
    p = run([os.path.join(DATA, "small.toml"), "-o", str(out), "-q"], check=2)
    assert str(out) in p.stderr and "--force" in p.stderr
    assert sha(out) == before
    run([os.path.join(DATA, "small.toml"), "-o", str(out), "-q", "--force"], check=0)
    assert_same_results(reference, out)


def test_resume_of_a_complete_file_computes_nothing(reference, tmp_path):
    out = tmp_path / "again.h5"
    shutil.copy(reference, out)
    p = run([os.path.join(DATA, "small.toml"), "-o", str(out), "--resume"], check=0)
    assert "0 of 108 computed now (108 were already done)" in p.stdout
    assert_same_results(reference, out)


def test_misspelt_key_exits_2_and_writes_nothing(tmp_path):
    p = run([os.path.join(DATA, "misspelt.toml")], cwd=tmp_path, check=2)
    assert "misspelt.toml:6:1: error:" in p.stderr
    assert "pe_rows" in p.stderr  # the did-you-mean suggestion
    assert os.listdir(tmp_path) == []


def test_misspelt_key_under_mpi_exits_2(tmp_path):
    p = run([os.path.join(DATA, "misspelt.toml")], ranks=3, cwd=tmp_path)
    assert p.returncode == 2
    assert p.stderr.count("misspelt.toml:6:1: error:") == 1  # rank 0 reports once
    assert os.listdir(tmp_path) == []


def test_dry_run_counts_points_and_writes_nothing(tmp_path):
    p = run([os.path.join(DATA, "small.toml"), "--dry-run"], cwd=tmp_path, check=0)
    assert "108 design points" in p.stdout
    assert "estimated run time" in p.stdout
    assert os.listdir(tmp_path) == []


def test_bad_option_exits_2():
    p = run(["--forse", os.path.join(DATA, "small.toml")], check=2)
    assert "did you mean '--force'" in p.stderr


def test_help_and_version():
    assert "usage: trim-sweep" in run(["--help"], check=0).stdout
    assert run(["--version"], check=0).stdout.startswith("trim-sweep ")


def test_infeasible_designs_are_diagnosed(tmp_path):
    """tests/data/cli/infeasible.toml: where each design fails, in the summary and the file."""
    out = tmp_path / "inf.h5"
    p = run([os.path.join(DATA, "infeasible.toml"), "-o", str(out)], ranks=3, check=0)
    assert "infeasible  3 of the 4 points done" in p.stdout
    lines = [l.split() for l in p.stdout.splitlines()]
    assert ["2", "rf_too_small", "at", "two-convs.toml/a", "(fp)"] in lines
    assert ["1", "glb_too_small", "at", "two-convs.toml/b", "(fp)"] in lines
    with h5py.File(out, "r") as f:
        r = f["results"]
        names = [b.decode() for b in f[r["fail_layer_name"].attrs["lookup"]][()]]
        phases = [b.decode() for b in f[r["fail_phase"].attrs["lookup"]][()]]
        status = [b.decode() for b in f["lookup/status"][()]]
        # Rows: glb_kib varies fastest (40 B, 1 MiB), then rf_weight_bytes (1, 448).
        assert [status[s] for s in r["status"][()]] == [
            "rf_too_small", "rf_too_small", "glb_too_small", "ok"]
        assert list(r["fail_layer"][()]) == [0, 0, 1, -1]
        assert [names[c] for c in r["fail_layer_name"][()]] == [
            "two-convs.toml/a", "two-convs.toml/a", "two-convs.toml/b", ""]
        assert [phases[c] for c in r["fail_phase"][()]] == ["fp", "fp", "fp", "none"]
        # One 16-bit weight in a 1-byte RF; b's minimum mapping (1 filter x 1 channel x 1
        # output row): weights 9 + input rows 3 x 4 = 12 + psums 2 words = 23 words = 46 B.
        assert list(r["fail_need_bytes"][()]) == [2, 2, 46, 0]
        assert list(r["fail_have_bytes"][()]) == [1, 1, 40, 0]
    sys.path.insert(0, os.path.join(SRC, "analysis"))
    import trim_analysis
    df = trim_analysis.load(str(out))
    assert list(df["fail_layer_name"].astype(str)) == [
        "two-convs.toml/a", "two-convs.toml/a", "two-convs.toml/b", ""]


def test_infeasible_design_row_in_trim_eval():
    """trim-eval of design 2 (fails at layer b): the completed row, the failing row, the cause."""
    cmd = [os.path.join(BIN, "trim-eval"), os.path.join(DATA, "infeasible.toml"), "--index", "2"]
    table = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    assert ("failed at: layer 1 (b), phase fp, reason glb_too_small, needs 46 B of the global "
            "buffer, 40 B available") in table
    rows = [l.split() for l in table.splitlines()]
    head = next(i for i, r in enumerate(rows) if r[:1] == ["layer"])
    assert rows[head][-1] == "status"
    assert rows[head + 1][0] == "a" and rows[head + 1][-1] == "ok"
    assert rows[head + 2][0] == "b" and rows[head + 2][-1] == "glb_too_small"
    assert rows[head + 3] == []  # nothing after the failing row
    csv = subprocess.run(cmd + ["--format", "csv"], capture_output=True, text=True,
                         check=True).stdout
    # 14 numeric columns and fused, all 0, then the status.
    assert csv.splitlines()[2] == "b,conv,fp,ws," + ",".join(["0"] * 15) + ",glb_too_small"
    assert "# failure: layer 1 (b), phase fp, reason glb_too_small" in csv
    sys.path.insert(0, os.path.join(SRC, "analysis"))
    from trim_analysis import evalout
    rep = evalout.parse_eval(csv)
    assert rep.status == "glb_too_small"
    assert list(rep.layers["status"]) == ["ok", "glb_too_small"]
    js = subprocess.run(cmd + ["--format", "json"], capture_output=True, text=True,
                        check=True).stdout
    import json
    assert json.loads(js)["failure"] == {"layer": 1, "name": "b", "phase": "fp",
                                         "reason": "glb_too_small", "need_bytes": 46,
                                         "have_bytes": 40}


def test_infeasible_summary_after_resume_counts_every_done_row(tmp_path):
    """A run killed after its first task, then resumed: the summary covers both runs' rows."""
    out = tmp_path / "inf.h5"
    job = os.path.join(DATA, "infeasible.toml")
    run([job, "-o", str(out), "--chunk", "1", "--test-crash-after", "1", "-q"])
    p = run([job, "-o", str(out), "--resume"], check=0)
    assert "(1 were already done)" in p.stdout
    assert "infeasible  3 of the 4 points done" in p.stdout
    lines = [l.split() for l in p.stdout.splitlines()]
    assert ["2", "rf_too_small", "at", "two-convs.toml/a", "(fp)"] in lines
    assert ["1", "glb_too_small", "at", "two-convs.toml/b", "(fp)"] in lines


def test_show_network_takes_every_form_a_job_takes(tmp_path):
    # A built-in with parameters (the results' label form), a network file (configs/networks/
    # resnet18.toml describes exactly the built-in resnet18) and an ONNX model.
    builtin = run(["--show-network", "resnet18"], check=0).stdout
    from_file = run(["--show-network", os.path.join(SRC, "configs", "networks", "resnet18.toml")],
                    check=0).stdout
    total = [l for l in builtin.splitlines() if l.startswith("total MACs")]
    assert total == [l for l in from_file.splitlines() if l.startswith("total MACs")]
    assert total == ["total MACs          1,814,073,344 (1.81 G)"]
    short = run(["--show-network", "bert-base:seq_len=64"], check=0).stdout
    assert "batch 1, 170 layers" in short
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper
    # One 3x3 convolution, 3 -> 4 channels on 8x8, no padding: 4 x 6 x 6 outputs x 27 = 3,888.
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "w"], ["y"], name="conv")], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 6, 6])],
        [helper.make_tensor("w", TensorProto.FLOAT, [4, 3, 3, 3], [0.0] * 108)])
    path = tmp_path / "one.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))
    out = run(["--show-network", str(path)], check=0).stdout
    assert "total MACs          3,888" in out
    # Mistakes exit 2 and say what to write.
    p = run(["--show-network", "bert-base:seq=64"], check=2)
    assert "parameters are seq_len=N and image_size=N" in p.stderr
    p = run(["--show-network", str(tmp_path / "missing.onnx")], check=2)
    assert "missing.onnx" in p.stderr
    p = run(["--show-network", "resnet5"], check=2)
    assert "did you mean 'resnet50'?" in p.stderr
