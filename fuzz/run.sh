#!/bin/sh
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for
# SECONDS (default 60), growing fuzz/corpus/<target> with what it finds.
# Usage: fuzz/run.sh [SECONDS] [TARGET...]
set -eu
cd "$(dirname "$0")/.."
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-"fuzz_load_json fuzz_encode fuzz_decode"}
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DTOK_FUZZ=ON -DTOK_SANITIZE=address,undefined >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target $targets
for t in $targets; do
    mkdir -p "fuzz/corpus/$t" build-fuzz/found
    echo "== $t for $secs s"
    "build-fuzz/fuzz/$t" -max_total_time="$secs" -max_len=65536 \
        -artifact_prefix=build-fuzz/found/ "fuzz/corpus/$t" 2>&1 |
        grep -E '^(#[0-9]+ *DONE|Done|==[0-9]+==ERROR|SUMMARY)' || true
done
