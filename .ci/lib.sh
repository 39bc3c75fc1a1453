# Shared steps of .ci/quickstart.sh and .ci/test.sh: install what is missing (Debian 12),
# configure and build Release into build/. Sourced, not run.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD="$ROOT/build"
JOBS=$(nproc)

# Debian packages that building trim-sweep and running a sweep need (.ci/quickstart.sh), with
# the Python reader and plots of analysis/.
TRIM_PACKAGES=(
  build-essential cmake pkg-config git
  libopenmpi-dev openmpi-bin libhdf5-openmpi-dev hdf5-tools
  libboost-serialization-dev libtomlplusplus-dev
  libonnx-dev libprotobuf-dev protobuf-compiler   # ONNX import (TRIM_WITH_ONNX, on by default)
  libgtest-dev                                    # configuring with TRIM_BUILD_TESTS (on by default)
  python3 python3-h5py python3-numpy python3-pandas python3-matplotlib
)

# What only the tests need on top (.ci/test.sh).
TRIM_TEST_PACKAGES=(
  python3-pytest
  python3-torch python3-torchvision python3-onnx   # ONNX exports of torch models, MAC cross-checks
  clang libclang-rt-14-dev                 # the libFuzzer harnesses of tests/fuzz
  slurm-wlm munge                          # the single-node Slurm of the integration tests
  paraview python3-paraview xvfb xauth     # pvpython renders the VTKHDF view under xvfb-run
)

trim_ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  fi
}

# trim_build [target...]: configure once, then build the targets given (all when none).
trim_build() {
  if [ ! -f "$BUILD/CMakeCache.txt" ]; then
    cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DTRIM_WERROR=ON >/dev/null
  fi
  local targets=()
  [ $# -eq 0 ] || targets=(--target "$@")
  echo "building ${*:-everything} into $BUILD (log: $BUILD/build.log)" >&2
  if ! cmake --build "$BUILD" -j"$JOBS" "${targets[@]}" >"$BUILD/build.log" 2>&1; then
    grep -E "error|Error" -A3 "$BUILD/build.log" | head -60 >&2
    echo "build failed; full log: $BUILD/build.log" >&2
    return 1
  fi
}

# Open MPI refuses to run as root without these, and needs oversubscription for more ranks
# than cores.
trim_mpi_env() {
  if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  fi
  export OMPI_MCA_rmaps_base_oversubscribe=1
}
