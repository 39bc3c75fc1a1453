#!/usr/bin/python3
"""Runs one case study of docs/studies/: its sweeps, then its figures and numbers.

    /usr/bin/python3 analysis/studies/run.py STUDY [--reduced] [--out DIR] [--ranks N]

STUDY is the name of a module of this directory (analysis/studies/STUDY.py); `--list` lists
them. Each module defines `TITLE` and `run(ctx)`; `run` calls `ctx.sweep(...)` for each job of
jobs/studies/ it needs and `ctx.figure(...)` / `ctx.numbers(...)` for what it draws and
reports (`ctx.sbatch(...)` instead of `ctx.sweep(...)` submits the sweep to Slurm through
slurm/trim-sweep.sbatch and waits for it; SLURM_CONF must reach a running cluster). The full
study writes its figures and numbers to docs/studies/figures/STUDY/ (the
page's figures); `--reduced` runs the job of jobs/studies/reduced/ with the same name (small
axes, same code path) and writes everything under --out instead, never into docs/.

Results files go to --out (default build/studies/STUDY/). trim-sweep is taken from
$TRIM_SWEEP, else build/bin/trim-sweep of this checkout, else PATH; the Python API
(python/trim, for per-layer results) from this checkout.
"""

import argparse
import importlib
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "analysis"))
sys.path.insert(0, os.path.join(REPO, "python"))
sys.path.insert(0, HERE)
os.environ.setdefault("MPLBACKEND", "Agg")


def studies():
    """Names of the study modules of this directory."""
    return sorted(f[:-3] for f in os.listdir(HERE)
                  if f.endswith(".py") and f not in ("run.py", "common.py") and not f.startswith("_"))


def trim_sweep():
    env = os.environ.get("TRIM_SWEEP")
    if env:
        return env
    local = os.path.join(REPO, "build", "bin", "trim-sweep")
    if os.access(local, os.X_OK):
        return local
    found = shutil.which("trim-sweep")
    if found:
        return found
    sys.exit("error: trim-sweep not found\n  hint: build it (cmake --build build) or set TRIM_SWEEP")


class Context:
    """What a study's run(ctx) uses: its jobs, where to write, and how to run a sweep."""

    def __init__(self, name, reduced, out, ranks):
        self.name = name
        self.reduced = reduced
        self.out = out
        self.ranks = ranks
        self.repo = REPO
        self.fig_dir = os.path.join(out, "figures") if reduced else os.path.join(
            REPO, "docs", "studies", "figures", name)
        os.makedirs(self.out, exist_ok=True)
        os.makedirs(self.fig_dir, exist_ok=True)
        self.timings = {}
        self.slurm = {}

    def job(self, file_name):
        """Path of a job of jobs/studies/ (its reduced twin with --reduced)."""
        sub = ["jobs", "studies"] + (["reduced"] if self.reduced else [])
        path = os.path.join(REPO, *sub, file_name)
        if not os.path.exists(path):
            sys.exit(f"error: {path}: no such job file")
        return path

    def sweep(self, file_name, ranks=None, extra=()):
        """Runs trim-sweep on job `file_name` (see job()) into OUT/<job>.h5; returns its path.
        Wall time and points/s are kept in self.timings[file_name]."""
        job = self.job(file_name)
        h5 = os.path.join(self.out, os.path.splitext(file_name)[0] + ".h5")
        n = ranks or self.ranks
        cmd = [trim_sweep(), job, "-o", h5, "--force", "-q", *extra]
        if n > 1:
            cmd = ["mpirun", "-n", str(n), "--oversubscribe"] + cmd
        env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                   OMPI_MCA_rmaps_base_oversubscribe="1")
        t0 = time.monotonic()
        print("+", " ".join(cmd), flush=True)
        subprocess.run(cmd, check=True, env=env)
        self.timings[file_name] = time.monotonic() - t0
        return h5

    def sbatch(self, file_name, ranks=None, extra=(), timeout_s=3600):
        """Runs trim-sweep on job `file_name` as one Slurm batch job (slurm/trim-sweep.sbatch,
        srun with `ranks` tasks), waits for it and returns the results path, as sweep() does.
        Slurm must be running and reachable (SLURM_CONF); slurm/ci/local-slurm.sh starts a
        single-node one. self.slurm[file_name] keeps the job id, its log, its state and the
        time from submission to the end of the job."""
        job = self.job(file_name)
        stem = os.path.splitext(file_name)[0]
        h5 = os.path.join(self.out, stem + ".h5")
        n = ranks or self.ranks
        hint = ("  hint: start a single-node Slurm (sudo bash slurm/ci/local-slurm.sh start) and\n"
                "        export SLURM_CONF=/tmp/trim-slurm/slurm.conf (local-slurm.sh env)")
        if not shutil.which("sbatch"):
            sys.exit(f"error: sbatch not found: this study runs through Slurm\n{hint}")
        env = dict(os.environ, TRIM_SWEEP=trim_sweep(), HDF5_USE_FILE_LOCKING="FALSE")
        probe = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True,
                               env=env, check=False)
        if probe.returncode != 0:
            sys.exit(f"error: no Slurm cluster answers (sinfo: {probe.stderr.strip()})\n{hint}")
        log = os.path.join(self.out, f"{stem}-%j.out")
        cmd = ["sbatch", "--parsable", f"--chdir={self.out}", f"--ntasks={n}",
               f"--job-name={stem}", f"--output={log}",
               os.path.join(REPO, "slurm", "trim-sweep.sbatch"), job, "-o", h5, "--force", *extra]
        t0 = time.monotonic()
        print("+", " ".join(cmd), flush=True)
        res = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if res.returncode != 0:
            sys.exit(f"error: sbatch failed ({res.returncode}): {res.stderr.strip()}\n{hint}")
        jid = res.stdout.strip().split(";")[0]
        log = log.replace("%j", jid)
        final = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY",
                 "PREEMPTED", "BOOT_FAIL", "DEADLINE"}
        state, code = "", -1
        while True:
            show = subprocess.run(["scontrol", "show", "job", "-o", jid], capture_output=True,
                                  text=True, env=env, check=False).stdout
            info = dict(re.findall(r"(\w+)=(\S*)", show))
            state = info.get("JobState", "")
            if state in final:
                code = int(info.get("ExitCode", "0:0").split(":")[0])
                break
            if time.monotonic() - t0 > timeout_s:
                subprocess.run(["scancel", "--signal=USR1", jid], env=env, check=False)
                sys.exit(f"error: Slurm job {jid} did not end within {timeout_s} s (sent it "
                         f"SIGUSR1: the file stays resumable); log: {log}")
            time.sleep(1.0)
        elapsed = time.monotonic() - t0
        self.timings[file_name] = elapsed
        self.slurm[file_name] = {"job_id": jid, "log": log, "state": state, "exit_code": code,
                                 "submit_to_end_s": elapsed, "ranks": n}
        if state != "COMPLETED" or code != 0:
            tail = open(log, errors="replace").read()[-3000:] if os.path.exists(log) else ""
            sys.exit(f"error: Slurm job {jid} ended {state} with exit code {code}; log {log}:\n"
                     f"{tail}")
        print(f"Slurm job {jid} completed in {elapsed:.1f} s (log {log})", flush=True)
        return h5

    def figure(self, fig, file_name):
        """Saves a matplotlib figure as FIG_DIR/file_name (PNG) and closes it."""
        path = os.path.join(self.fig_dir, file_name)
        fig.savefig(path, dpi=110, bbox_inches="tight")
        import matplotlib.pyplot as plt
        plt.close(fig)
        print("wrote", os.path.relpath(path, REPO) if path.startswith(REPO) else path)
        return path

    def numbers(self, text, file_name="numbers.md"):
        """Writes the study's generated numbers (markdown) next to its figures."""
        path = os.path.join(self.fig_dir, file_name)
        with open(path, "w") as f:
            f.write(text if text.endswith("\n") else text + "\n")
        print("wrote", os.path.relpath(path, REPO) if path.startswith(REPO) else path)
        return path


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("study", nargs="?", help="study name (see --list)")
    p.add_argument("--reduced", action="store_true",
                   help="small axes (jobs/studies/reduced/), figures under --out, not docs/")
    p.add_argument("--out", help="results directory (default build/studies/STUDY)")
    p.add_argument("--ranks", type=int, default=2, help="MPI ranks per sweep (default 2)")
    p.add_argument("--list", action="store_true", help="list the studies and exit")
    a = p.parse_args(argv)
    if a.list or not a.study:
        for s in studies():
            print(f"{s:28s} {importlib.import_module(s).TITLE}")
        return 0
    if a.study not in studies():
        print(f"error: no study '{a.study}'\n  hint: one of {', '.join(studies())}", file=sys.stderr)
        return 2
    out = os.path.abspath(a.out or os.path.join(REPO, "build", "studies", a.study))
    ctx = Context(a.study, a.reduced, out, a.ranks)
    importlib.import_module(a.study).run(ctx)
    return 0


if __name__ == "__main__":
    sys.exit(main())
