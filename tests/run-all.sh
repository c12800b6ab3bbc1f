#!/bin/sh
# The whole test suite: the normal build's tests, the same tests built with
# AddressSanitizer + UBSan, and the CLI cases under valgrind memcheck.
# Usage: tests/run-all.sh   (from anywhere; builds in build/ and build-asan/)
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

# Release, as the README's build command: -O3 inlines more, and gcc's
# -Wmaybe-uninitialized (an error here) sees more with it.
echo "== tests (Release)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

# clang when there is one: its UBSan also flags arithmetic on a NULL
# pointer (NULL + 0), which gcc's lets pass.  TOK_SANITIZE_CC overrides.
san_cc=${TOK_SANITIZE_CC:-}
if [ -z "$san_cc" ]; then
    if command -v clang >/dev/null 2>&1; then san_cc=clang; else san_cc=cc; fi
fi
echo "== tests under AddressSanitizer + UBSan ($san_cc)"
CC=$san_cc cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug \
    -DTOK_SANITIZE=address,undefined >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs"

if command -v valgrind >/dev/null 2>&1; then
    echo "== CLI cases under valgrind"
    TOK_VALGRIND=1 ctest --test-dir build -R '^cli\.' -LE heavy \
        --output-on-failure -j"$jobs"
else
    echo "valgrind not found: skipping the valgrind pass" >&2
    exit 1
fi
