"""The slurm/ batch scripts on a real single-node Slurm (started by slurm/ci/local-slurm.sh).

CTest runs each test on its own (-k), after the slurm_cluster fixture started the daemons and
with SLURM_CONF pointing at them. Environment: TRIM_BIN (directory of trim-sweep), TRIM_SOURCE
(the source tree), TRIM_WORK (a scratch directory for this test), SLURM_CONF.

Each test submits a script with sbatch, polls scontrol until the job ends and checks the file
with h5py against a direct run of the same job (the model is deterministic, so every column
must be bitwise equal whatever the number of ranks).
"""

import os
import re
import shutil
import subprocess
import time

import h5py
import numpy as np
import pytest

BIN = os.environ.get("TRIM_BIN", "")
SOURCE = os.environ.get("TRIM_SOURCE", "")
WORK = os.environ.get("TRIM_WORK", "")
DATA = os.path.join(SOURCE, "tests", "integration", "data")
SLURM = os.path.join(SOURCE, "slurm")
FINAL_STATES = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY",
                "PREEMPTED", "BOOT_FAIL", "DEADLINE"}

pytestmark = pytest.mark.skipif(
    not (BIN and SOURCE and WORK and os.environ.get("SLURM_CONF")),
    reason="run by CTest (needs TRIM_BIN, TRIM_SOURCE, TRIM_WORK and SLURM_CONF)")


def _env(binary=True):
    env = dict(os.environ)
    if binary:
        env["TRIM_SWEEP"] = os.path.join(BIN, "trim-sweep")
    else:  # the scripts must find it themselves
        env.pop("TRIM_SWEEP", None)
        env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                      if not os.path.exists(os.path.join(p, "trim-sweep")))
    env["HDF5_USE_FILE_LOCKING"] = "FALSE"  # the tests read files Slurm jobs are writing
    return env


def _run(cmd, env=None, **kw):
    res = subprocess.run(cmd, capture_output=True, text=True, env=env or _env(), check=False,
                         **kw)
    assert res.returncode == 0, f"{' '.join(cmd)} failed ({res.returncode}):\n{res.stdout}\n{res.stderr}"
    return res.stdout


@pytest.fixture
def work():
    d = os.path.join(WORK, "run")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def sbatch(work, script, *args, extra=()):
    """Submits slurm/<script> from `work`; returns the job id."""
    out = _run(["sbatch", "--parsable", f"--chdir={work}", *extra, os.path.join(SLURM, script),
                *args])
    return out.strip().split(";")[0]


def job_info(jid):
    out = _run(["scontrol", "show", "job", "-o", jid])
    return dict(re.findall(r"(\w+)=(\S*)", out))


def wait_job(jid, timeout_s=300):
    """Polls scontrol until the job reaches a final state; returns (state, exit code)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        info = job_info(jid)
        if info.get("JobState") in FINAL_STATES:
            return info["JobState"], int(info.get("ExitCode", "0:0").split(":")[0])
        time.sleep(0.5)
    subprocess.run(["scancel", jid], check=False)
    pytest.fail(f"job {jid} did not finish within {timeout_s} s: {job_info(jid)}")


def job_output(work, pattern):
    names = sorted(n for n in os.listdir(work) if re.fullmatch(pattern, n))
    return "\n".join(open(os.path.join(work, n), encoding="utf-8", errors="replace").read()
                     for n in names)


def direct_run(job, out):
    """The same job run directly (one rank, no Slurm): the reference file."""
    _run([os.path.join(BIN, "trim-sweep"), job, "-o", out, "--force"])


def columns(path):
    """{"/params/x": array, "/results/y": array, "/done": array} of a results file."""
    out = {}
    with h5py.File(path, "r") as f:
        for group in ("params", "results"):
            for name in f[group]:
                out[f"/{group}/{name}"] = f[group][name][()]
        out["/done"] = f["done"][()]
    return out


def assert_same_results(path, reference):
    got, want = columns(path), columns(reference)
    assert sorted(got) == sorted(want)
    for name in want:
        np.testing.assert_array_equal(got[name], want[name], err_msg=f"{name} differs")


def done_count(path):
    try:
        with h5py.File(path, "r") as f:
            return int(np.count_nonzero(f["done"][()])), int(f["done"].shape[0])
    except (OSError, KeyError):  # not created yet, or being created
        return 0, 0


def test_sweep(work):
    job = os.path.join(DATA, "slurm-small.toml")
    out = os.path.join(work, "sweep.h5")
    jid = sbatch(work, "trim-sweep.sbatch", job, "-o", out, "--force")
    state, code = wait_job(jid)
    log = job_output(work, rf"trim-sweep-{jid}\.out")
    assert (state, code) == ("COMPLETED", 0), log
    done, rows = done_count(out)
    assert rows == 288 and done == rows, log  # 4 x 4 x 3 x 3 x 2 points
    with h5py.File(out, "r") as f:
        assert f.attrs["mpi_ranks"] == 2.0  # the script's --ntasks=2, started by srun
    ref = os.path.join(work, "direct.h5")
    direct_run(job, ref)
    assert_same_results(out, ref)


def test_interrupt_and_resume(work):
    job = os.path.join(DATA, "slurm-long.toml")
    out = os.path.join(work, "long.h5")
    jid = sbatch(work, "trim-sweep.sbatch", job, "-o", out, "--force")
    # Held so that the partial file can be inspected before it runs; afterany starts it
    # whatever way the first job ends.
    rid = sbatch(work, "trim-sweep-resume.sbatch", job, "-o", out,
                 extra=("--hold", f"--dependency=afterany:{jid}"))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        done, rows = done_count(out)
        if done > 0:
            break
        assert job_info(jid).get("JobState") not in FINAL_STATES, \
            job_output(work, rf"trim-sweep-{jid}\.out")
        time.sleep(0.1)
    else:
        pytest.fail("the first job wrote no results within 120 s")
    # What --signal=USR1@N does at the time limit, now: SIGUSR1 to every task of the step.
    _run(["scancel", "--signal=USR1", jid])
    state, code = wait_job(jid)
    first_log = job_output(work, rf"trim-sweep-{jid}\.out")
    assert code == 4, f"expected exit 4 (interrupted), got {state} {code}:\n{first_log}"
    done, rows = done_count(out)
    assert rows == 69192
    assert 0 < done < rows, f"{done} of {rows} rows done after the interruption"
    with h5py.File(out, "r") as f:  # every done row holds its results (or is infeasible)
        ok = f["done"][()] == 1
        latency, status = f["results/latency_s"][()][ok], f["results/status"][()][ok]
        assert np.all((latency > 0) | (status != 0))
    _run(["scontrol", "release", rid])
    state, code = wait_job(rid)
    log = job_output(work, rf"trim-sweep-resume-{rid}\.out")
    assert (state, code) == ("COMPLETED", 0), log
    done, rows = done_count(out)
    assert done == rows, log
    ref = os.path.join(work, "direct.h5")
    direct_run(job, ref)
    assert_same_results(out, ref)


def test_array(work):
    jobs = [os.path.join(DATA, "array-a.toml"), os.path.join(DATA, "array-b.toml")]
    listing = os.path.join(work, "jobs.txt")
    with open(listing, "w", encoding="utf-8") as f:
        f.write("\n".join(jobs) + "\n")
    jid = sbatch(work, "trim-sweep-array.sbatch", listing, "--force", extra=("--array=0-1",))
    for task in (0, 1):
        state, code = wait_job(f"{jid}_{task}")
        log = job_output(work, rf"trim-sweep-array-{jid}_{task}\.out")
        assert (state, code) == ("COMPLETED", 0), log
    for name, job in (("array-a", jobs[0]), ("array-b", jobs[1])):
        out = os.path.join(work, f"{name}.h5")  # the job's default output, in --chdir
        done, rows = done_count(out)
        assert rows == 288 and done == rows
        with h5py.File(out, "r") as f:
            assert f.attrs["job_name"] == name
        ref = os.path.join(work, f"{name}-direct.h5")
        direct_run(job, ref)
        assert_same_results(out, ref)


def _checkout(work, with_binary):
    """A checkout elsewhere: slurm/ copied, build/bin/trim-sweep linked to the tested binary
    (or absent). Its scripts find their checkout through the path Slurm records."""
    home = os.path.join(work, "checkout")
    shutil.copytree(SLURM, os.path.join(home, "slurm"))
    if with_binary:
        os.makedirs(os.path.join(home, "build", "bin"))
        os.symlink(os.path.join(BIN, "trim-sweep"), os.path.join(home, "build", "bin", "trim-sweep"))
    return home


def submit_from(where, script, *args, env):
    out = _run(["sbatch", "--parsable", script, *args], env=env, cwd=where)
    return out.strip().split(";")[0]


def test_other_directory(work):
    # The issue this guards against: submitted from a directory without build/, the script
    # looked for the binary under the submit directory only and failed with an empty log.
    home = _checkout(work, with_binary=True)
    elsewhere = os.path.join(work, "elsewhere")
    os.makedirs(os.path.join(elsewhere, "jobs"))
    shutil.copy(os.path.join(DATA, "slurm-small.toml"), os.path.join(elsewhere, "jobs"))
    env = _env(binary=False)
    jid = submit_from(elsewhere, os.path.join(home, "slurm", "trim-sweep.sbatch"),
                      "jobs/slurm-small.toml", "-o", "out.h5", "--force", env=env)
    state, code = wait_job(jid)
    log = job_output(elsewhere, rf"trim-sweep-{jid}\.out")
    assert (state, code) == ("COMPLETED", 0), log
    out = os.path.join(elsewhere, "out.h5")
    assert done_count(out) == (288, 288), log
    ref = os.path.join(work, "direct.h5")
    direct_run(os.path.join(DATA, "slurm-small.toml"), ref)
    assert_same_results(out, ref)

    # Missing pieces fail before srun, with exit 2 and a message naming what to set.
    bare = _checkout(os.path.join(work, "bare"), with_binary=False)
    cases = [
        (os.path.join(bare, "slurm", "trim-sweep.sbatch"), ["jobs/slurm-small.toml"], {},
         ["no trim-sweep binary found", os.path.join(bare, "build", "bin", "trim-sweep"),
          "TRIM_SWEEP=/path/to/trim-sweep"]),
        (os.path.join(home, "slurm", "trim-sweep.sbatch"), ["jobs/missing.toml"], {},
         ["job file 'jobs/missing.toml' not found from " + elsewhere, "absolute path"]),
        (os.path.join(home, "slurm", "trim-sweep-resume.sbatch"), ["jobs/slurm-small.toml"],
         {"TRIM_SRUN_MPI": "nosuchmpi"}, ["no MPI plugin 'nosuchmpi'", "TRIM_SRUN_MPI"]),
        (os.path.join(home, "slurm", "trim-sweep.sbatch"), ["jobs/slurm-small.toml"],
         {"TRIM_SITE": os.path.join(work, "missing-site.sh")},
         ["TRIM_SITE=" + os.path.join(work, "missing-site.sh") + " does not exist"]),
    ]
    for script, args, extra, messages in cases:
        jid = submit_from(elsewhere, script, *args, env={**env, **extra})
        state, code = wait_job(jid)
        log = job_output(elsewhere, rf"trim-sweep(-resume)?-{jid}\.out")
        assert (state, code) == ("FAILED", 2), log
        for m in messages:
            assert m in log, (m, log)

    # A site file is sourced before the binary is looked for: it can provide TRIM_SWEEP (as a
    # module that puts trim-sweep on PATH would).
    site = os.path.join(work, "site.sh")
    with open(site, "w", encoding="utf-8") as f:
        f.write(f"export TRIM_SWEEP={os.path.join(BIN, 'trim-sweep')}\n")
    jid = submit_from(elsewhere, os.path.join(bare, "slurm", "trim-sweep.sbatch"),
                      "jobs/slurm-small.toml", "-o", "site.h5", "--force",
                      env={**env, "TRIM_SITE": site})
    state, code = wait_job(jid)
    assert (state, code) == ("COMPLETED", 0), job_output(elsewhere, rf"trim-sweep-{jid}\.out")
    assert_same_results(os.path.join(elsewhere, "site.h5"), ref)
