#!/bin/sh
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for
# SECONDS (default 60), one after the other (the machine is shared).
# New inputs go to build-fuzz/corpus/<target>; at the end only those that
# add coverage are merged into the checked-in fuzz/corpus/<target>, so the
# corpora that ctest replays stay small.  Crashes land in build-fuzz/found/
# and the script exits 1.  The full libFuzzer log of each run is kept in
# build-fuzz/<target>.log.
# With FUZZ_KEEP_GOING=1 a run goes on after a crash (libFuzzer's fork
# mode, one child at a time), collecting every finding in one pass.
# Usage: fuzz/run.sh [SECONDS] [TARGET...]
set -eu
cd "$(dirname "$0")/.."
secs=${1:-60}
[ $# -gt 0 ] && shift
all="fuzz_load_json fuzz_encode fuzz_decode fuzz_import_bert"
all="$all fuzz_import_gpt2 fuzz_train fuzz_cli_opts"
targets=${*:-$all}
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DTOK_FUZZ=ON -DTOK_SANITIZE=address,undefined >/dev/null
cmake --build build-fuzz -j2 --target $targets >/dev/null
keep=
if [ "${FUZZ_KEEP_GOING:-}" = 1 ]; then
    keep="-fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1"
fi
status=0
for t in $targets; do
    work=build-fuzz/corpus/$t
    mkdir -p "fuzz/corpus/$t" "$work" build-fuzz/found
    echo "== $t for $secs s"
    rc=0
    # The option parser prints a usage error for most inputs: not into
    # the log (libFuzzer's own output and crash reports still go there).
    quiet=
    [ "$t" = fuzz_cli_opts ] && quiet=-close_fd_mask=2
    TOK_VOCAB_DIR=$PWD/vocab "build-fuzz/fuzz/$t" \
        -max_total_time="$secs" -max_len=65536 -timeout=30 \
        -rss_limit_mb=4096 -print_final_stats=1 $keep $quiet \
        -artifact_prefix=build-fuzz/found/"$t"- \
        "$work" "fuzz/corpus/$t" >"build-fuzz/$t.log" 2>&1 || rc=$?
    grep -E '^(#[0-9]+ *DONE|Done|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY|.*invariant failed)' \
        "build-fuzz/$t.log" || true
    if [ $rc != 0 ]; then
        echo "$t: FAILED (status $rc), see build-fuzz/$t.log"
        status=1
        continue
    fi
    "build-fuzz/fuzz/$t" -merge=1 "fuzz/corpus/$t" "$work" \
        >>"build-fuzz/$t.log" 2>&1 || true
done
exit $status
