#!/usr/bin/env bash
# Every test: install what is missing, build (warnings are errors), run CTest (C++ unit, MPI,
# integration and Python tests).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trim_ensure_packages "${TRIM_PACKAGES[@]}" "${TRIM_TEST_PACKAGES[@]}"
trim_build
trim_mpi_env
cd "$BUILD"
ctest --output-on-failure -j"$JOBS" "$@"

# Sanitizers: the whole unit suite again, built with AddressSanitizer and
# UndefinedBehaviorSanitizer (gcc) in build-asan/.
ASAN_BUILD="$ROOT/build-asan"
TRIM_SANITIZE="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
if [ ! -f "$ASAN_BUILD/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$ASAN_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS="$TRIM_SANITIZE" -DCMAKE_CXX_FLAGS="$TRIM_SANITIZE" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
    -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
fi
echo "building the sanitizer build into $ASAN_BUILD (log: $ASAN_BUILD/build.log)" >&2
if ! cmake --build "$ASAN_BUILD" -j"$JOBS" >"$ASAN_BUILD/build.log" 2>&1; then
  grep -E "error|Error" -A3 "$ASAN_BUILD/build.log" | head -60 >&2
  echo "sanitizer build failed; full log: $ASAN_BUILD/build.log" >&2
  exit 1
fi
# Open MPI keeps what MPI_Init allocates until exit: tests/hardening/lsan.supp names it (full
# stacks are needed to see through its plugins).
(cd "$ASAN_BUILD" &&
  ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:fast_unwind_on_malloc=0 \
  LSAN_OPTIONS=suppressions="$ROOT/tests/hardening/lsan.supp":print_suppressions=0 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --output-on-failure -j"$JOBS" -L unit)

# Fuzzing: a short smoke run of every libFuzzer harness (clang, ASan + UBSan, build-fuzz/).
# TRIM_FUZZ_SECONDS sets the time per target; tests/fuzz/run-fuzzers.sh runs longer campaigns.
bash "$ROOT/tests/fuzz/run-fuzzers.sh" "${TRIM_FUZZ_SECONDS:-20}"
