"""Hostile use of trim-sweep that the bad-input corpus cannot express (it needs a FIFO, a
second run at the same time, a damaged or truncated file, a file system that fills up during
creation, or a killed launcher). The plain refusals of the output rule are corpus cases
(tests/data/bad/cases/output_*). See docs/failures.md."""
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time

import h5py
import pytest

from conftest import (DATA, EVAL, SRC, SWEEP, assert_same_results, command, run, session_pids,
                      snapshot)

sys.path.insert(0, os.path.join(SRC, "analysis"))
import trim_analysis as ta  # noqa: E402

CORPUS = os.path.join(DATA, "bad")
JOBS = os.path.join(os.path.dirname(__file__), "jobs")
BIG_JOB = os.path.join(JOBS, "interrupt.toml")
SMALL_JOB = os.path.join(JOBS, "integrity.toml")


@pytest.fixture
def corpus(tmp_path):
    """A copy of the bad-input corpus to work in."""
    w = tmp_path / "w"
    shutil.copytree(CORPUS, w)
    return w


def small(output, *extra):
    return ["--configs", "cfg", "-q", "-o", str(output), *extra, "cases/output_exists.toml"]


# ---- 1. integer ranges whose step or factor does not fit an int64 -----------------------------

@pytest.mark.parametrize("key", ["step", "factor"])
def test_huge_integer_step_gives_one_value(tmp_path, key):
    # 2^63 - 1 rounds to 2^63 as a double; converting that to int64 was undefined and the loop
    # ran away (4 GB in 5 s). A step (or factor) beyond the range gives `start` alone.
    job = tmp_path / "job.toml"
    job.write_text('[job]\nhardware = "eyeriss-v1"\n\n[workload]\nnetworks = ["alexnet"]\n\n'
                   f"[sweep]\npe_rows = {{ start = 1, stop = 65536, {key} = 9223372036854775807 }}\n")
    before = snapshot(tmp_path)
    p = run(["--dry-run", str(job)], timeout=30, check=0)
    assert f"job {job}: 6 axes, 1 design points" in p.stdout
    assert "  pe_rows                   1  1\n" in p.stdout
    assert snapshot(tmp_path) == before


# ---- 2. FIFO output -----------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["--force", "--resume"])
def test_fifo_output_is_refused(corpus, mode):
    os.mkfifo(corpus / "fifo")
    before = snapshot(corpus)
    p = run(small("fifo", mode), cwd=corpus, timeout=30)
    assert p.returncode == 2
    assert p.stderr == ("trim-sweep: fifo: error: the path is a FIFO (named pipe)\n"
                        "  hint: the output must be a regular file or a new path: choose another "
                        "path with -o\n")
    assert snapshot(corpus) == before


def test_symlink_to_the_job_is_refused(corpus):
    os.symlink("cases/output_exists.toml", corpus / "link.h5")
    before = snapshot(corpus)
    p = run(small("link.h5", "--force"), cwd=corpus, timeout=30)
    assert p.returncode == 2
    assert p.stderr == ("trim-sweep: link.h5: error: the path is 'cases/output_exists.toml', an "
                        "input of the job\n  hint: choose another path with -o: the results "
                        "would replace the job's own input\n")
    assert snapshot(corpus) == before


@pytest.mark.parametrize("name, what", [("net.toml", "network file"), ("net.onnx", "ONNX model")])
def test_fifo_network_file_is_refused(corpus, name, what):
    # Opening a FIFO blocks until a writer appears: --show-network hung with no message.
    os.mkfifo(corpus / name)
    before = snapshot(corpus)
    p = run(["--show-network", name], cwd=corpus, timeout=30)
    assert p.returncode == 2
    assert p.stderr == (f"trim-sweep: {name}: error: the {what} is a FIFO (named pipe), not a "
                        f"regular file\n  hint: give the path of a regular file\n")
    assert snapshot(corpus) == before


# ---- 3. a write failure while the file is created -----------------------------------------------

@pytest.fixture(scope="module")
def full_disk(tmp_path_factory):
    """A preload library that fails writes to one file with ENOSPC after N bytes."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler for the full-disk library")
    lib = tmp_path_factory.mktemp("lib") / "full_disk.so"
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(lib),
                    os.path.join(os.path.dirname(__file__), "full_disk.c"), "-ldl"], check=True)
    return lib


@pytest.mark.parametrize("ranks", [None, 2, 3])
@pytest.mark.parametrize("after, what", [
    (0, "cannot create dataset done: file write failed"),
    (100, "cannot write a table: file write failed"),
    (3000, None),  # the flush fails; its cause differs between one and several ranks
])
def test_write_failure_during_creation(corpus, full_disk, ranks, after, what):
    out = corpus / "new.h5"
    env = dict(os.environ, LD_PRELOAD=str(full_disk), TRIM_FULL_PATH=str(out),
               TRIM_FULL_AFTER=str(after))
    before = snapshot(corpus)
    p = subprocess.run(command(small(out), ranks), cwd=corpus, env=env, capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 3, p.stderr
    if what is None:
        what = "cannot flush the file after creating its datasets: "
    message = f"trim-sweep: {out}: error: {what}"
    hint = ("  hint: nothing was kept: free some space or fix the file system, then run the same "
            "command again\n")
    assert p.stderr.count(message) == 1, p.stderr
    assert hint in p.stderr
    assert snapshot(corpus) == before  # no half-made file, no lock file


# ---- 5. two runs on one output path -------------------------------------------------------------

def start(args, ranks=None, cwd=None):
    return subprocess.Popen(command(args, ranks), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, cwd=cwd)


def wait_for(path, proc, timeout_s=60):
    t_end = time.monotonic() + timeout_s
    while not os.path.exists(path):
        assert proc.poll() is None and time.monotonic() < t_end, proc.communicate()
        time.sleep(0.005)


def assert_busy(stderr, out, first):
    """The refusal names the owner of the lock: a process of the first run, on this host."""
    prefix = (f"trim-sweep: {out}: error: another trim-sweep run is writing this file "
              f"(host={socket.gethostname()} pid=")
    assert stderr.startswith(prefix), stderr
    assert int(stderr[len(prefix):].split()[0]) in session_pids(first.pid)
    assert stderr.endswith("  hint: wait for that run to end or stop it, or choose another "
                           "path with -o\n")


@pytest.mark.parametrize("second", [["--force"], ["--resume"], ["--force", "other"]])
def test_second_run_on_the_same_path_is_refused(tmp_path, second):
    out = tmp_path / "big.h5"
    first = start([BIG_JOB, "-o", str(out), "-q"], ranks=3)
    wait_for(str(out) + ".lock", first)
    time.sleep(0.5)
    job = SMALL_JOB if "other" in second else BIG_JOB
    p = run([job, "-o", str(out), "-q", *[s for s in second if s != "other"]], timeout=60)
    assert p.returncode == 2, p.stderr
    assert_busy(p.stderr, out, first)
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert not os.path.exists(str(out) + ".lock")
    assert run(["--verify", str(out)], check=0).stdout.endswith("every done row verified\n")


def _is_sweep(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().startswith(SWEEP.encode())
    except OSError:
        return False


def test_simultaneous_starts_leave_one_refused(tmp_path):
    out = tmp_path / "race.h5"
    for _ in range(5):
        a = start([BIG_JOB, "-o", str(out), "-q", "--force"])
        b = start([BIG_JOB, "-o", str(out), "-q", "--force"])
        codes = {}
        t_end = time.monotonic() + 60
        while len(codes) < 1 and time.monotonic() < t_end:
            for name, proc in (("a", a), ("b", b)):
                if proc.poll() is not None:
                    codes[name] = proc.returncode
            time.sleep(0.005)
        assert list(codes.values()) == [2], codes
        winner = b if "a" in codes else a
        winner.send_signal(signal.SIGTERM)
        winner.communicate(timeout=60)
        assert winner.returncode in (0, 4)
        a.communicate()
        b.communicate()


def test_stale_lock_is_taken_over(corpus):
    dead = subprocess.Popen(["true"])
    dead.wait()
    lock = corpus / "new.h5.lock"
    lock.write_text(f"host={socket.gethostname()} pid={dead.pid} start=1 since=x\n")
    run(small("new.h5"), cwd=corpus, check=0)
    assert not lock.exists()
    assert (corpus / "new.h5").exists()


@pytest.mark.parametrize("kind", ["file", "link"])
def test_foreign_lock_path_is_left_alone(corpus, kind):
    # The lock file's name is taken by a file of the user's (or a link to one): it is never
    # written through.
    lock = corpus / "new.h5.lock"
    if kind == "file":
        lock.write_text("precious\n")
    else:
        os.symlink("cases/output_exists.toml", lock)
    before = snapshot(corpus)
    p = run(small("new.h5"), cwd=corpus)
    assert p.returncode == 2
    what = ("exists and is not a trim-sweep lock file\n  hint: rename or remove it"
            if kind == "file" else
            "is a symbolic link, not a trim-sweep lock file\n  hint: remove it")
    assert p.stderr == (f"trim-sweep: new.h5: error: 'new.h5.lock' {what}, or choose another "
                        "path with -o\n")
    assert snapshot(corpus) == before


# ---- 6. resume identity by content ---------------------------------------------------------------

def test_resume_accepts_the_same_job_spelled_differently(corpus):
    run(small("r.h5"), cwd=corpus, check=0)
    shutil.copy(corpus / "cases" / "output_exists.toml", corpus / "copy.toml")
    for configs, job in [("./cfg/", "./cases/../cases/output_exists.toml"),
                         (str(corpus / "cfg"), str(corpus / "cases" / "output_exists.toml")),
                         ("cfg", "copy.toml")]:
        p = run(["--configs", configs, "-o", "r.h5", "--resume", job], cwd=corpus, check=0)
        assert "0 of 1 computed now (1 were already done)" in p.stdout


def test_resume_refuses_a_changed_hardware_file(corpus):
    run(small("r.h5"), cwd=corpus, check=0)
    with open(corpus / "cfg" / "hardware" / "chip.toml", "a") as f:
        f.write("\n# changed\n")
    before = snapshot(corpus)
    p = run(small("r.h5", "--resume"), cwd=corpus)
    assert p.returncode == 2
    first, hint = p.stderr.splitlines()
    assert first.startswith("trim-sweep: r.h5: error: the job file changed since the file was "
                            "created (job_sha256 ")
    assert hint == ("  hint: the job (or a file it names) changed since the file was created: "
                    "restore them (the file's job_text and job_sources attributes hold the "
                    "originals) to complete it, or write the new job's results elsewhere with "
                    "-o; --force would discard every computed row")
    assert snapshot(corpus) == before


# ---- 7. damaged files -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("ref") / "ref.h5"
    run([SMALL_JOB, "-o", str(out), "-q"], check=0)
    return out


def flip(path, dataset, row, rng):
    """Flips random bits of one random byte of `dataset`'s value in `row`; returns a restorer."""
    with h5py.File(path, "r") as f:
        d = f[dataset]
        offset = d.id.get_offset() + row * d.dtype.itemsize + rng.randrange(d.dtype.itemsize)
    with open(path, "r+b") as f:
        f.seek(offset)
        old = f.read(1)
        f.seek(offset)
        f.write(bytes([old[0] ^ rng.randrange(1, 256)]))

    def restore():
        with open(path, "r+b") as g:
            g.seek(offset)
            g.write(old)
    return restore


def test_verify_finds_every_flipped_data_byte(tmp_path, reference):
    path = tmp_path / "f.h5"
    shutil.copy(reference, path)
    with h5py.File(path, "r") as f:
        rows = f.attrs["rows"]
        names = [f"{g}/{n}" for g in ("params", "results") for n in f[g]] + ["checksum"]
    rng = random.Random(14)
    for _ in range(40):
        row = rng.randrange(rows)
        restore = flip(path, rng.choice(names), row, rng)
        p = run(["--verify", str(path)])
        assert p.returncode == 3, p.stdout
        assert p.stderr == (f"trim-sweep: {path}: error: 1 row marked done fail verification "
                            f"(rows {row}): the file is damaged\n  hint: run the job that wrote "
                            f"it with -o {path} --resume: the failing rows are computed again\n")
        with h5py.File(path, "r") as f, pytest.raises(ta.VerificationError):
            ta.verify(f)
        restore()
    assert run(["--verify", str(path)], check=0).stdout == (
        f"{path}: {rows} rows, {rows} done, every done row verified\n")


def test_resume_recomputes_damaged_rows(tmp_path, reference):
    path = tmp_path / "f.h5"
    shutil.copy(reference, path)
    rng = random.Random(7)
    with h5py.File(path, "r") as f:
        rows = f.attrs["rows"]
    damaged = sorted(rng.sample(range(rows), 5))
    for row in damaged:
        flip(path, "results/energy_pj", row, rng)
    done_row = rng.choice([r for r in range(rows) if r not in damaged])
    flip(path, "done", done_row, rng)  # 1 becomes some other byte (or 0)
    with pytest.raises(ta.VerificationError):
        ta.load(path)
    p = run([SMALL_JOB, "-o", str(path), "--resume", "-q"], check=0)
    assert p.stderr == (f"trim-sweep: {path}: warning: 6 rows marked done failed verification "
                        "(a damaged file); they are computed again\n") or p.stderr == (
        f"trim-sweep: {path}: warning: 5 rows marked done failed verification (a damaged "
        "file); they are computed again\n")
    assert_same_results(reference, path)
    assert run(["--verify", str(path)], check=0).returncode == 0
    assert len(ta.load(path)) == rows


def test_truncated_file_is_refused_with_a_hint(tmp_path, reference):
    path = tmp_path / "t.h5"
    shutil.copy(reference, path)
    os.truncate(path, os.path.getsize(path) // 2)
    before = snapshot(tmp_path)
    p = run([SMALL_JOB, "-o", str(path), "--resume", "-q"])
    assert p.returncode == 3
    first, hint = p.stderr.splitlines()
    assert first.startswith(f"trim-sweep: {path}: error: cannot open the HDF5 file: ")
    assert "truncated" in first
    assert hint == ("  hint: the file was cut short (a full disk, an interrupted copy): restore a "
                    "complete copy to resume it, or start over with --force (its rows are lost)")
    assert snapshot(tmp_path) == before


# ---- 8. ranks die with their launcher -------------------------------------------------------------

def test_killing_the_launcher_stops_every_rank(tmp_path):
    out = tmp_path / "big.h5"
    proc = start([BIG_JOB, "-o", str(out), "-q"], ranks=3)
    wait_for(str(out) + ".lock", proc)
    time.sleep(1.0)
    ranks = [p for p in session_pids(proc.pid) if _is_sweep(p)]
    assert len(ranks) == 3
    os.killpg(proc.pid, signal.SIGKILL)  # mpirun's own process group: the ranks are not in it
    proc.communicate()
    t_end = time.monotonic() + 1.0
    while any(os.path.exists(f"/proc/{p}") and not _zombie(p) for p in ranks):
        assert time.monotonic() < t_end, "ranks still running 1 s after the launcher died"
        time.sleep(0.01)
    run([BIG_JOB, "-o", str(out), "-q", "--resume"], ranks=3, check=0)
    assert run(["--verify", str(out)], check=0).returncode == 0


def _zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


# ---- 9. trim-eval's usage ----------------------------------------------------------------------------

def test_trim_eval_usage_lists_only_its_options():
    p = run(["--help"], binary=EVAL, check=0)
    assert p.stdout.startswith("usage: trim-eval JOB.toml [--index N] [--format table|csv|json] "
                               "[--configs DIR]\n")
    assert " -o" not in p.stdout


# ---- --verify of things that are not results files -------------------------------------------------

@pytest.mark.parametrize("target, code, problem", [
    ("cases/output_exists.toml", 2, "the file is not an HDF5 file"),
    ("missing.h5", 3, "the file does not exist"),
    ("fifo", 2, "the path is a FIFO (named pipe)"),
    ("cases", 2, "the path is a directory"),
])
def test_verify_refuses_what_is_not_a_results_file(corpus, target, code, problem):
    os.mkfifo(corpus / "fifo")
    before = snapshot(corpus)
    p = run(["--verify", target], cwd=corpus, timeout=30)
    assert p.returncode == code
    assert p.stderr == (f"trim-sweep: {target}: error: {problem}\n"
                        "  hint: give the path of a results file written by trim-sweep\n")
    assert snapshot(corpus) == before
