#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, ASan + UBSan) and runs each for a given time.
#
#   tests/fuzz/run-fuzzers.sh [SECONDS_PER_TARGET] [TARGET ...]
#
# SECONDS_PER_TARGET defaults to 60; TARGETs are job, network_file and onnx (default: all).
# The build goes to build-fuzz/ (BUILD_FUZZ=... overrides it). Each target keeps its growing
# corpus in build-fuzz/fuzz/<target>/corpus, seeded from the job, network and ONNX files of the
# tree and every saved regression. A crash, a sanitizer report, a broken invariant, an input
# that runs longer than 5 s or needs more than 1 GiB stops that target and leaves the
# input in build-fuzz/fuzz/<target>/artifacts; the script then exits with 1. Reproduce it with
#   build-fuzz/bin/fuzz_<target> <input>
# fix the cause, and copy the input to tests/fuzz/regressions/<target>/ (a unit test of the
# normal build, hardening_test, replays every file there).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD_FUZZ:-$ROOT/build-fuzz}
SECONDS_PER_TARGET=${1:-60}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(job network_file onnx)

if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTRIM_BUILD_FUZZ=ON -DTRIM_BUILD_TESTS=OFF >/dev/null
fi
echo "building the fuzz targets into $BUILD (log: $BUILD/fuzz-build.log)" >&2
if ! cmake --build "$BUILD" -j"$(nproc)" --target "${TARGETS[@]/#/fuzz_}" \
    >"$BUILD/fuzz-build.log" 2>&1; then
  tail -40 "$BUILD/fuzz-build.log" >&2
  exit 1
fi

# Seeds: every file of the tree that the target's parser reads, named after its path.
seed() {
  local target=$1 dir=$2 f
  local files=()
  mkdir -p "$dir"
  case $target in
    job)
      files=("$ROOT"/jobs/*.toml "$ROOT"/tests/data/bad/cases/*.toml "$ROOT"/tests/data/cli/*.toml
             "$ROOT"/tests/data/config/bad/*.toml "$ROOT"/tests/data/config/good/*.toml) ;;
    network_file)
      files=("$ROOT"/configs/networks/*.toml "$ROOT"/tests/data/bad/nets/*.toml) ;;
    onnx)
      files=("$ROOT"/tests/data/bad/nets/*.onnx)
      /usr/bin/python3 "$ROOT/tests/fuzz/make_onnx_seeds.py" "$dir" ||
        echo "no python3-onnx: the ONNX target starts from the bad corpus only" >&2 ;;
  esac
  files+=("$ROOT"/tests/fuzz/regressions/"$target"/*)
  for f in "${files[@]}"; do
    [ -f "$f" ] || continue
    f=${f#"$ROOT"/}
    cp "$ROOT/$f" "$dir/${f//\//_}"
  done
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
for target in "${TARGETS[@]}"; do
  work="$BUILD/fuzz/$target"
  rm -rf "$work/seeds"
  seed "$target" "$work/seeds"
  mkdir -p "$work/corpus" "$work/artifacts"
  dict=()
  [ "$target" = onnx ] || dict=(-dict="$ROOT/tests/fuzz/toml.dict")
  echo "fuzzing $target for ${SECONDS_PER_TARGET}s" >&2
  # Per input: 5 s and 1 GiB (resident, and for any single allocation). A parser input that
  # runs away (an endless value loop, a huge allocation) is a finding, like a crash; the
  # slowest valid seed takes well under a second.
  if "$BUILD/bin/fuzz_$target" -max_total_time="$SECONDS_PER_TARGET" -timeout=5 \
      -rss_limit_mb=1024 -malloc_limit_mb=1024 -max_len=16384 "${dict[@]}" \
      -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
      "$work/corpus" "$work/seeds" >"$work/log.txt" 2>&1; then
    grep -E "^stat::(number_of_executed_units|peak_rss_mb)" "$work/log.txt" >&2 || true
  else
    echo "fuzz_$target FAILED; the end of $work/log.txt:" >&2
    tail -40 "$work/log.txt" >&2
    ls -l "$work/artifacts" >&2
    failed+=("$target")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "failing targets: ${failed[*]}" >&2
  exit 1
fi
echo "no crash in: ${TARGETS[*]}" >&2
