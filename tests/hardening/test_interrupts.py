"""Interrupted runs (docs/failures.md): SIGKILL of a whole 3-rank job at random moments, the
stop signals (SIGTERM, SIGINT, SIGUSR1) on one rank and under mpirun, and a failing rank. After
each interruption `--resume` must complete the file to exactly (bitwise, every column) what an
uninterrupted run writes."""
import os
import random
import signal
import subprocess
import time

import h5py
import pytest

from conftest import assert_same_results, command, kill_session, run

JOB = os.path.join(os.path.dirname(__file__), "jobs", "interrupt.toml")
ROWS = 31 * 16 * 8 * 4 * 3 * 2  # pe_rows x pe_cols x glb_kib x batch x dataflow x network


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted 3-rank run, and its wall time in seconds."""
    out = tmp_path_factory.mktemp("ref") / "ref.h5"
    t0 = time.monotonic()
    run([JOB, "-o", str(out), "-q"], ranks=3, check=0)
    return out, time.monotonic() - t0


def start(args, ranks=None, env=None):
    """Starts a run in its own session, with stdout and stderr captured."""
    return subprocess.Popen(command(args, ranks), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env=env)


def wait_for_file(path, proc, timeout_s=120):
    """Waits until the run has created its output (its signal handlers are installed by then)."""
    t_end = time.monotonic() + timeout_s
    while time.monotonic() < t_end:
        if os.path.exists(path) and os.path.getsize(path) > 0:
            return
        assert proc.poll() is None, f"the run ended early: {proc.communicate()}"
        time.sleep(0.01)
    raise AssertionError(f"{path} did not appear")


def done_count(path):
    with h5py.File(path, "r") as f:
        return int(f["done"][()].sum())


def resume_and_compare(out, reference):
    run([JOB, "-o", str(out), "-q", "--resume"], ranks=3, check=0)
    assert_same_results(reference, out)
    with h5py.File(out, "r") as f:
        assert f.attrs["points_done"] == ROWS
        assert f.attrs["completed_utc"] != ""


def test_sigkill_at_random_moments_then_resume(reference, tmp_path):
    ref, wall_s = reference
    partial = 0
    for iteration in range(5):
        rng = random.Random(8000 + iteration)  # a fixed seed per iteration: reproducible delays
        out = tmp_path / f"kill{iteration}.h5"
        # Every task written as it finishes (no joined writes), so that the kills land between
        # many small writes and most leave a partly written file.
        proc = start([JOB, "-o", str(out), "-q", "--write-buffer-mib", "0"], ranks=3)
        wait_for_file(out, proc)
        time.sleep(rng.uniform(0.1, 0.9) * wall_s)
        kill_session(proc)
        proc.communicate()
        try:
            done = done_count(out)
        except OSError:
            # Killed while the file was still being created: nothing was computed yet, and
            # --resume refuses the incomplete file, so the run starts over with --force.
            p = run([JOB, "-o", str(out), "-q", "--resume"], ranks=3)
            assert p.returncode == 2 and str(out) in p.stderr
            run([JOB, "-o", str(out), "-q", "--force"], ranks=3, check=0)
            assert_same_results(ref, out)
            continue
        if 0 < done < ROWS:
            partial += 1
        resume_and_compare(out, ref)
        out.unlink()
    # The delays fall inside the run, so most kills leave a partly written file.
    assert partial >= 3


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGUSR1])
def test_stop_signal_on_one_rank(reference, tmp_path, sig):
    ref, _ = reference
    out = tmp_path / "one.h5"
    proc = start([JOB, "-o", str(out)])
    wait_for_file(out, proc)
    time.sleep(0.5)
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 4, stderr
    name = signal.Signals(sig).name
    assert f"trim-sweep: interrupted by {name}: " in stderr
    assert "run the same command with --resume" in stderr
    assert "trim-sweep: INTERRUPTED (resume with --resume)" in stdout
    done = done_count(out)
    assert 0 < done < ROWS
    with h5py.File(out, "r") as f:
        assert f.attrs["points_done"] == done  # closed cleanly: the attributes were written
        assert f.attrs["completed_utc"] == ""
    resume_and_compare(out, ref)


def test_second_sigint_stops_at_once(reference, tmp_path):
    ref, _ = reference
    out = tmp_path / "twice.h5"
    proc = start([JOB, "-o", str(out), "-q"])
    wait_for_file(out, proc)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=300)
    # Either the second signal ended the process (killed by SIGINT), or the first had already
    # wound it down.
    assert proc.returncode in (-signal.SIGINT, 4)
    resume_and_compare(out, ref)


def test_sigusr1_to_mpirun_is_forwarded(reference, tmp_path):
    ref, _ = reference
    out = tmp_path / "usr1.h5"
    proc = start([JOB, "-o", str(out), "-q"], ranks=3)
    wait_for_file(out, proc)
    time.sleep(0.3)
    proc.send_signal(signal.SIGUSR1)
    _, stderr = proc.communicate(timeout=300)
    # mpirun forwards SIGUSR1 to every rank; each finishes its task, and mpirun exits with
    # the ranks' code.
    assert proc.returncode == 4, stderr
    assert stderr.count("trim-sweep: interrupted by SIGUSR1: ") == 1
    assert 0 < done_count(out) < ROWS
    resume_and_compare(out, ref)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_sigint_to_mpirun(reference, tmp_path, sig):
    ref, _ = reference
    out = tmp_path / "term.h5"
    # Open MPI's mpirun answers SIGTERM and SIGINT by tearing the job down itself: SIGCONT to
    # the ranks, SIGTERM odls_base_sigkill_timeout seconds later, SIGKILL as long again after
    # that; it exits with 1 whatever the ranks return. Two seconds are ample for the ranks to
    # finish their tasks (500 points) and close the file.
    env = dict(os.environ, OMPI_MCA_odls_base_sigkill_timeout="2")
    proc = start([JOB, "-o", str(out), "-q"], ranks=3, env=env)
    wait_for_file(out, proc)
    time.sleep(0.3)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 1, stderr
    done = done_count(out)
    # The ranks see SIGTERM (whatever mpirun got) and stop cleanly, unless the run finished
    # in the two seconds before it arrived.
    assert "trim-sweep: interrupted by SIGTERM: " in stderr or done == ROWS, stderr
    resume_and_compare(out, ref)


@pytest.mark.parametrize("ranks,failing", [(3, 1), (3, 0), (None, 0)])
def test_failing_rank_is_named_and_file_resumable(reference, tmp_path, ranks, failing):
    ref, _ = reference
    out = tmp_path / "fail.h5"
    p = run([JOB, "-o", str(out), "-q", "--test-fail-rank", str(failing)], ranks=ranks)
    assert p.returncode == 1, p.stderr
    size = ranks or 1
    assert (f"trim-sweep: rank {failing} of {size} failed: test failure requested by "
            f"--test-fail-rank {failing} after writing rows [") in p.stderr
    assert f"hint: {out} keeps every row written so far" in p.stderr
    assert 0 < done_count(out) < ROWS
    resume_and_compare(out, ref)
