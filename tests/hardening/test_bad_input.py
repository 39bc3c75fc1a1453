"""The bad-input corpus (tests/data/bad) driven through the real programs.

Layout of the corpus:
  cases/NAME.toml   a bad job file; the command is `trim-sweep --configs cfg cases/NAME.toml`
  cases/NAME.args   instead, the command's arguments (one line, shell words)
  cases/NAME.err    the exact standard error expected (every case has one)
  cfg/              hardware and technology presets (--configs cfg)
  hw/, nets/        bad hardware and network files that the jobs name
  fixtures/         the job of other.h5 (see below)

Each case runs in a fresh copy of the corpus, with these files added to the working directory:
  existing.h5     a pre-existing output (not an HDF5 file) that must survive every case
  other.h5        a complete results file of fixtures/other.toml (same design space as
                  cases/output_exists.toml, different job text)
  old-schema.h5   other.h5 with schema_version changed to 999
Every case must exit with code 2, print exactly NAME.err on stderr and nothing on stdout, and
leave the directory as it was: no file created, none changed (names and bytes compared).

Job-file cases also run through trim-eval, which prints the same message after "trim-eval: ".
A few representative cases run under `mpirun -n 3`: the message appears once (rank 0)."""
import os
import shlex
import shutil

import h5py
import pytest

from conftest import DATA, EVAL, run, snapshot

CORPUS = os.path.join(DATA, "bad")
CASES = os.path.join(CORPUS, "cases")
EVAL_PREFIX = "trim-eval: "


def case_names():
    names = set()
    for f in os.listdir(CASES):
        stem, ext = os.path.splitext(f)
        if ext in (".toml", ".args"):
            names.add(stem)
    return sorted(names)


def case_args(name):
    args_file = os.path.join(CASES, name + ".args")
    if os.path.exists(args_file):
        with open(args_file) as f:
            return shlex.split(f.read())
    return ["--configs", "cfg", f"cases/{name}.toml"]


def expected_stderr(name):
    with open(os.path.join(CASES, name + ".err")) as f:
        return f.read()


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory):
    """other.h5 and old-schema.h5, written once."""
    d = tmp_path_factory.mktemp("fixtures")
    shutil.copytree(CORPUS, d / "corpus")
    run(["--configs", "cfg", "-q", "-o", str(d / "other.h5"), "fixtures/other.toml"],
        cwd=d / "corpus", check=0)
    shutil.copy(d / "other.h5", d / "old-schema.h5")
    with h5py.File(d / "old-schema.h5", "r+") as f:
        f.attrs["schema_version"] = 999
    with open(d / "existing.h5", "w") as f:
        f.write("not an HDF5 file: a pre-existing output that must survive\n")
    return d


def workdir(tmp_path, fixtures):
    w = tmp_path / "w"
    shutil.copytree(CORPUS, w)
    for name in ("existing.h5", "other.h5", "old-schema.h5"):
        shutil.copy(fixtures / name, w / name)
    return w


def test_corpus_is_large_and_complete():
    names = case_names()
    assert len(names) >= 40
    for name in names:
        assert os.path.exists(os.path.join(CASES, name + ".err")), f"{name}.err is missing"


@pytest.mark.parametrize("name", case_names())
def test_bad_case(name, tmp_path, fixtures):
    w = workdir(tmp_path, fixtures)
    before = snapshot(w)
    p = run(case_args(name), cwd=w)
    assert p.returncode == 2, p.stderr
    assert p.stderr == expected_stderr(name)
    assert p.stdout == ""
    assert snapshot(w) == before


@pytest.mark.parametrize(
    "name", [n for n in case_names() if not os.path.exists(os.path.join(CASES, n + ".args"))
             and n != "output_exists"])
def test_bad_case_through_trim_eval(name, tmp_path, fixtures):
    w = workdir(tmp_path, fixtures)
    before = snapshot(w)
    p = run(case_args(name), cwd=w, binary=EVAL)
    assert p.returncode == 2, p.stderr
    assert p.stderr == EVAL_PREFIX + expected_stderr(name)
    assert p.stdout == ""
    assert snapshot(w) == before


@pytest.mark.parametrize("name", ["syntax_unclosed_string", "design_space_overflow",
                                  "net_window_too_big", "output_exists", "resume_other_job",
                                  "resume_old_schema", "option_unknown"])
def test_bad_case_under_mpi(name, tmp_path, fixtures):
    w = workdir(tmp_path, fixtures)
    before = snapshot(w)
    p = run(case_args(name), ranks=3, cwd=w)
    assert p.returncode == 2, p.stderr
    # mpirun adds its own note about the non-zero exit; the program's message appears once.
    assert p.stderr.count(expected_stderr(name)) == 1, p.stderr
    assert snapshot(w) == before
