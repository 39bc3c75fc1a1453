#!/usr/bin/env bash
# Quick start: install what is missing (only what building and running a sweep needs), build
# trim-sweep, trim-eval and libtrim.so (the Python API), and run jobs/quickstart.toml on this machine's
# cores. The results go to build/quickstart.h5 (replaced on every run).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trim_ensure_packages "${TRIM_PACKAGES[@]}"
trim_build trim-sweep trim-eval trim_capi
trim_mpi_env
cd "$ROOT"
mpirun -n "$JOBS" "$BUILD/bin/trim-sweep" jobs/quickstart.toml -o "$BUILD/quickstart.h5" --force
