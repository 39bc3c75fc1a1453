# Shared steps of the batch scripts in this directory (slurm/README.md). Sourced after the
# script has set TRIM_HOME (the checkout) and SCRIPT (its own name, for messages); not run.
#
# trim_slurm_setup checks, before anything is started with srun, that everything the step
# needs is there and says what to set when it is not (exit 2):
#   - the site file (TRIM_SITE, default $TRIM_HOME/slurm/site.sh) with the module loads;
#   - the binary: TRIM_SWEEP, else $TRIM_HOME/build/bin/trim-sweep, else
#     $SLURM_SUBMIT_DIR/build/bin/trim-sweep, else trim-sweep on PATH; and that it starts
#     (a missing shared library after a forgotten `module load` shows here);
#   - srun's MPI plugin: TRIM_SRUN_MPI (default pmix) must be one `srun --mpi=list` offers.
# It sets TRIM_SWEEP and TRIM_SRUN (the srun command line, as an array).

trim_fail() {
  echo "$SCRIPT: error: $1" >&2
  [ -z "${2:-}" ] || echo "$SCRIPT: hint: $2" >&2
  exit 2
}

trim_slurm_setup() {
  local site=${TRIM_SITE:-$TRIM_HOME/slurm/site.sh}
  if [ -f "$site" ]; then
    # shellcheck source=/dev/null
    source "$site"
  elif [ -n "${TRIM_SITE:-}" ]; then
    trim_fail "TRIM_SITE=$TRIM_SITE does not exist" "point TRIM_SITE at your site file, or unset it"
  fi

  local tried=()
  if [ -n "${TRIM_SWEEP:-}" ]; then
    [ -x "$TRIM_SWEEP" ] || trim_fail "TRIM_SWEEP=$TRIM_SWEEP is not an executable file" \
      "set TRIM_SWEEP to the trim-sweep you built (build/bin/trim-sweep of the checkout)"
  else
    local c
    for c in "$TRIM_HOME/build/bin/trim-sweep" "${SLURM_SUBMIT_DIR:-.}/build/bin/trim-sweep"; do
      tried+=("$c")
      if [ -x "$c" ]; then TRIM_SWEEP=$c; break; fi
    done
    if [ -z "${TRIM_SWEEP:-}" ]; then
      tried+=("trim-sweep on PATH")
      TRIM_SWEEP=$(command -v trim-sweep || true)
    fi
    [ -n "$TRIM_SWEEP" ] || trim_fail "no trim-sweep binary found (tried: ${tried[*]})" \
      "build it (slurm/README.md, 'Building on a cluster'), or submit with
  sbatch --export=ALL,TRIM_SWEEP=/path/to/trim-sweep ..."
  fi
  local out
  if ! out=$("$TRIM_SWEEP" --help 2>&1 >/dev/null); then
    trim_fail "$TRIM_SWEEP does not start on $(hostname -s): ${out:-no message}" \
      "load the modules it was built with (MPI, HDF5, Boost) in $site (slurm/site.sh.example)"
  fi

  local mpi=${TRIM_SRUN_MPI:-pmix}
  if [ "$mpi" != none ] && out=$(srun --mpi=list 2>&1) && ! grep -qw -- "$mpi" <<<"$out"; then
    trim_fail "this Slurm's srun has no MPI plugin '$mpi' (srun --mpi=list: $(tr -s ' \n\t' ' ' <<<"$out"))" \
      "set TRIM_SRUN_MPI to the interface your MPI was built for (slurm/README.md, 'MPI launch')"
  fi
  TRIM_SRUN=(srun "--mpi=$mpi" --kill-on-bad-exit=1)
  # HDF5's serial file locks fail on Lustre (errno 524); the MPI-IO writer needs none.
  export HDF5_USE_FILE_LOCKING=FALSE
}

# trim_check_file WHAT PATH: PATH must be readable from the job's working directory.
trim_check_file() {
  [ -r "$2" ] || trim_fail "$1 '$2' not found from $(pwd) (the job's working directory)" \
    "give an absolute path, or a path relative to the directory you submit from (or to sbatch --chdir=DIR)"
}
