#!/usr/bin/env bash
# Every test: install what is missing, build (warnings are errors), run CTest (C++ unit, MPI,
# integration and Python tests).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trim_ensure_packages "${TRIM_PACKAGES[@]}"
trim_build
trim_mpi_env
cd "$BUILD"
ctest --output-on-failure -j"$JOBS" "$@"
