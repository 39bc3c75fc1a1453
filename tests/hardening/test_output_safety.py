"""Output safety through the command line: a results file that cannot be written is reported
with its path and the cause, with exit code 3, and nothing is left behind; a disk that fills up
during the run stops it with a message naming the rank, and --resume completes the file once
there is space again. (Existing files, --force and --resume of another job's or schema's file
are cases of the bad-input corpus, test_bad_input.py.)

The file-system cases that need a small or read-only file system mount a tmpfs inside the
test's temporary directory; they are skipped where mounting is not allowed."""
import os
import subprocess
import time

import h5py
import pytest

from conftest import DATA, assert_same_results, command, run, snapshot

CORPUS = os.path.join(DATA, "bad")
SMALL_JOB = os.path.join(CORPUS, "cases", "output_exists.toml")
CONFIGS = os.path.join(CORPUS, "cfg")
BIG_JOB = os.path.join(os.path.dirname(__file__), "jobs", "interrupt.toml")


def small(output, *extra):
    return ["--configs", CONFIGS, "-q", "-o", str(output), *extra, SMALL_JOB]


@pytest.fixture
def tmpfs(tmp_path):
    """Mounts tmpfs file systems under tmp_path: mount(name, options) -> path."""
    mounted = []

    def mount(name, options):
        path = tmp_path / name
        path.mkdir()
        p = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
                           capture_output=True, text=True)
        if p.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {p.stderr.strip()}")
        mounted.append(path)
        return path

    yield mount
    for path in reversed(mounted):
        subprocess.run(["umount", str(path)], check=True)


def test_missing_directory(tmp_path):
    before = snapshot(tmp_path)
    p = run(small("nodir/x.h5"), cwd=tmp_path, check=3)
    assert p.stderr == ("trim-sweep: nodir/x.h5: error: the directory 'nodir' does not exist\n"
                        "  hint: create it (mkdir -p nodir) or choose another path with -o\n")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("path", ["/sys/trim-sweep-test.h5", "/proc/trim-sweep-test.h5"])
def test_unwritable_system_directories(path):
    p = run(small(path), check=3)
    assert p.stderr.startswith(f"trim-sweep: {path}: error: ")
    assert not os.path.exists(path)


def test_read_only_file_system(tmpfs):
    ro = tmpfs("ro", "size=1m,ro")
    p = run(small(ro / "x.h5"), check=3)
    assert p.stderr == (f"trim-sweep: {ro}/x.h5: error: the file system is read-only\n"
                        "  hint: choose another path with -o\n")
    assert os.listdir(ro) == []


def test_file_system_too_small(tmpfs):
    d = tmpfs("small", "size=64k")
    p = run(small(d / "x.h5"), check=3)
    assert p.stderr.startswith(f"trim-sweep: {d}/x.h5: error: not enough free space: the file "
                               "needs about ")
    # The run's lock file (x.h5.lock, one 4 KiB tmpfs page while the check runs) is removed
    # again with the refusal.
    assert p.stderr.endswith("the file system has 60 KiB free\n"
                             "  hint: free some space or choose another location with -o\n")
    assert os.listdir(d) == []


@pytest.fixture(scope="module")
def big_reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("ref") / "ref.h5"
    run([BIG_JOB, "-o", str(out), "-q"], ranks=3, check=0)
    return out


@pytest.mark.parametrize("ranks", [None, 3])
def test_disk_full_during_the_run(tmpfs, big_reference, ranks):
    # The file (about 32 MB, allocated sparsely) fits into 40 MiB; once it exists, another file
    # takes all the space that is left, so the next rows cannot be written.
    d = tmpfs("full", "size=40m")
    out = d / "big.h5"
    proc = subprocess.Popen(command([BIG_JOB, "-o", str(out), "-q"], ranks),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    t_end = time.monotonic() + 120
    while not (out.exists() and out.stat().st_size > 0):
        assert proc.poll() is None and time.monotonic() < t_end, proc.communicate()
        time.sleep(0.01)
    time.sleep(0.2)
    with open(d / "filler", "wb", buffering=0) as f:
        block = b"\0" * 65536
        try:
            while True:
                f.write(block)
        except OSError:
            pass
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 3, stderr
    size = ranks or 1
    assert f" of {size} failed: {out}: error: " in stderr
    assert "(the file system holding it is full: " in stderr
    assert f"hint: {out} keeps every row written so far" in stderr
    with h5py.File(out, "r") as f:
        assert f["done"][()].sum() < f.attrs["rows"]
    (d / "filler").unlink()
    run([BIG_JOB, "-o", str(out), "-q", "--resume"], ranks=3, check=0)
    assert_same_results(big_reference, out)
